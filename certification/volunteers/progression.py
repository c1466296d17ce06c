"""The progression rules: from a volunteer's record, where they stand and what the next level needs.

Pure functions over plain data, tested without the database. `volunteers.services` builds
the record from the database and acts on the verdict (promotes, or queues for approval).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

COURSE = "course"
HOURS = "hours"
SKILL = "skill"


@dataclass(frozen=True)
class Requirement:
    """One requirement of a level. `course` is the course's translation key (any language
    version counts), `direction` a direction slug (None: hours in every direction)."""

    kind: str
    course: str | None = None
    hours: Decimal | None = None
    direction: str | None = None
    skill: str | None = None
    label: str = ""


@dataclass(frozen=True)
class LevelRule:
    rank: int
    slug: str
    requirements: tuple[Requirement, ...] = ()
    min_months_at_previous: int = 0
    requires_approval: bool = False
    name: str = ""


@dataclass(frozen=True)
class VolunteerRecord:
    """What a volunteer has done that counts: courses passed (translation keys), confirmed hours
    by direction slug, skills signed off as passed (slugs), and their level since when."""

    rank: int
    level_since: date
    passed_courses: frozenset[str] = frozenset()
    hours: Mapping[str, Decimal] = field(default_factory=dict)
    skills: frozenset[str] = frozenset()

    @property
    def total_hours(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))


@dataclass(frozen=True)
class RequirementProgress:
    requirement: Requirement
    have: Decimal | int
    need: Decimal | int
    is_met: bool


@dataclass(frozen=True)
class Step:
    """The next level and how far the volunteer is from it."""

    level: LevelRule
    requirements: tuple[RequirementProgress, ...]
    months_have: int
    months_need: int

    @property
    def is_time_served(self) -> bool:
        return self.months_have >= self.months_need

    @property
    def is_met(self) -> bool:
        return self.is_time_served and all(item.is_met for item in self.requirements)

    @property
    def n_missing(self) -> int:
        return sum(not item.is_met for item in self.requirements) + (not self.is_time_served)


@dataclass(frozen=True)
class Standing:
    current: LevelRule
    next: Step | None  # None at the top of the ladder


def full_months(since: date, today: date) -> int:
    """Whole calendar months from `since` to `today` (31 January → 28 February is one month)."""
    months = (today.year - since.year) * 12 + today.month - since.month
    if today.day < since.day:
        # The last month is complete on the last day of a shorter month.
        next_day = date.fromordinal(today.toordinal() + 1)
        if next_day.month == today.month:
            months -= 1
    return max(months, 0)


def progress_of(requirement: Requirement, record: VolunteerRecord) -> RequirementProgress:
    if requirement.kind == COURSE:
        have = int(requirement.course in record.passed_courses)
        return RequirementProgress(requirement, have, 1, bool(have))
    if requirement.kind == HOURS:
        if requirement.direction is None:
            have = record.total_hours
        else:
            have = record.hours.get(requirement.direction, Decimal(0))
        need = Decimal(requirement.hours or 0)
        return RequirementProgress(requirement, have, need, have >= need)
    if requirement.kind == SKILL:
        have = int(requirement.skill in record.skills)
        return RequirementProgress(requirement, have, 1, bool(have))
    raise ValueError(f"Unknown requirement kind: {requirement.kind!r}")


def step_towards(level: LevelRule, record: VolunteerRecord, *, today: date) -> Step:
    return Step(
        level=level,
        requirements=tuple(progress_of(item, record) for item in level.requirements),
        months_have=full_months(record.level_since, today),
        months_need=level.min_months_at_previous,
    )


def standing(record: VolunteerRecord, ladder: list[LevelRule], *, today: date) -> Standing:
    """Where the volunteer stands on `ladder` (any order) and what the next level needs."""
    ladder = sorted(ladder, key=lambda level: level.rank)
    current = [level for level in ladder if level.rank <= record.rank]
    above = [level for level in ladder if level.rank > record.rank]
    if not current:
        raise ValueError("The volunteer's level is not on the ladder.")
    return Standing(
        current=current[-1],
        next=step_towards(above[0], record, today=today) if above else None,
    )
