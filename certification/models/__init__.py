"""Certification's models, one module per concept, all importable from here (and from
migrations, as `certification.models.<name>`)."""

from .certificates import Certificate, CertificateSettings, PrivateStorage, certificate_storage
from .events import Attendance, CalendarFeed, Event, EventRequirement, EventRole, SignUp
from .recertification import ExpiryReminder, Renewal
from .record_book import RecordBookPdf, RecordBookShare
from .reference import Branch, Direction, Level, LevelRequirement, Skill
from .statistics import StatisticsCount
from .volunteers import (
    AppreciationLetter,
    LevelAward,
    PracticalActivity,
    SkillSignOff,
    Volunteer,
)

__all__ = [
    "AppreciationLetter",
    "Attendance",
    "Branch",
    "CalendarFeed",
    "Certificate",
    "CertificateSettings",
    "Direction",
    "Event",
    "EventRequirement",
    "EventRole",
    "ExpiryReminder",
    "Level",
    "LevelAward",
    "LevelRequirement",
    "PracticalActivity",
    "PrivateStorage",
    "RecordBookPdf",
    "RecordBookShare",
    "Renewal",
    "SignUp",
    "Skill",
    "SkillSignOff",
    "StatisticsCount",
    "Volunteer",
    "certificate_storage",
]
