"""Who may sign up for an event: its requirements checked against a volunteer's qualifications.

Pure functions over plain data, tested without the database, in the same terms as the ladder
(volunteers/progression.py): a course is its translation key, so any language version counts.
"""

from dataclasses import dataclass

LEVEL = "level"
COURSE = "course"
CERTIFICATE = "certificate"
SKILL = "skill"


@dataclass(frozen=True)
class Need:
    """One requirement of an event: a level's rank, a course's translation key (passed, or a
    valid certificate of it) or a skill's slug; `label` says it in the reader's language."""

    kind: str
    rank: int | None = None
    course: str | None = None
    skill: str | None = None
    label: str = ""


@dataclass(frozen=True)
class Qualifications:
    """What a volunteer brings: their level's rank, courses passed, courses with a certificate
    valid today (translation keys) and skills signed off as passed (slugs)."""

    rank: int
    passed_courses: frozenset[str] = frozenset()
    certified_courses: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()


def is_met(need: Need, qualifications: Qualifications) -> bool:
    if need.kind == LEVEL:
        return qualifications.rank >= (need.rank or 0)
    if need.kind == COURSE:
        return need.course in qualifications.passed_courses
    if need.kind == CERTIFICATE:
        return need.course in qualifications.certified_courses
    if need.kind == SKILL:
        return need.skill in qualifications.skills
    raise ValueError(f"Unknown requirement kind: {need.kind!r}")


def unmet(needs, qualifications: Qualifications) -> list[Need]:
    """The requirements the volunteer does not meet yet, in the event's order; empty: eligible."""
    return [need for need in needs if not is_met(need, qualifications)]
