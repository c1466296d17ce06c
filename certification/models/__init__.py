"""Certification's models, one module per concept, all importable from here (and from
migrations, as `certification.models.<name>`)."""

from .certificates import Certificate, CertificateSettings, PrivateStorage, certificate_storage
from .reference import Branch, Direction, Level, LevelRequirement, Skill
from .volunteers import (
    AppreciationLetter,
    LevelAward,
    PracticalActivity,
    SkillSignOff,
    Volunteer,
)

__all__ = [
    "AppreciationLetter",
    "Branch",
    "Certificate",
    "CertificateSettings",
    "Direction",
    "Level",
    "LevelAward",
    "LevelRequirement",
    "PracticalActivity",
    "PrivateStorage",
    "Skill",
    "SkillSignOff",
    "Volunteer",
    "certificate_storage",
]
