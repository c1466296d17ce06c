"""The progression engine: a pure function from a volunteer's record to where they stand."""

from datetime import date
from decimal import Decimal

import pytest

from certification.volunteers.progression import (
    COURSE,
    HOURS,
    SKILL,
    LevelRule,
    Requirement,
    VolunteerRecord,
    full_months,
    standing,
)

NEWCOMER_COURSE = "0f6c6f7e-course-newcomer"
TODAY = date(2026, 11, 23)


def ladder(**overrides):
    levels = [
        LevelRule(rank=1, slug="newcomer"),
        LevelRule(
            rank=2, slug="volunteer", requirements=(Requirement(COURSE, course=NEWCOMER_COURSE),)
        ),
        LevelRule(
            rank=3,
            slug="senior-volunteer",
            min_months_at_previous=3,
            requirements=(
                Requirement(HOURS, hours=Decimal(20)),
                Requirement(SKILL, skill="cpr-manikin"),
            ),
        ),
        LevelRule(
            rank=4,
            slug="coordinator",
            requires_approval=True,
            requirements=(
                Requirement(HOURS, hours=Decimal(60)),
                Requirement(HOURS, hours=Decimal(30), direction="first-aid"),
            ),
        ),
    ]
    return [overrides.get(level.slug, level) for level in levels]


def record(rank=1, since=date(2026, 1, 1), **fields):
    return VolunteerRecord(rank=rank, level_since=since, **fields)


def test_newcomer_without_the_course_misses_one_requirement():
    result = standing(record(), ladder(), today=TODAY)
    assert result.current.slug == "newcomer"
    assert result.next.level.slug == "volunteer"
    assert not result.next.is_met
    assert result.next.n_missing == 1
    (course,) = result.next.requirements
    assert (course.have, course.need, course.is_met) == (0, 1, False)


def test_passing_the_newcomer_course_meets_the_volunteer_level():
    result = standing(record(passed_courses=frozenset({NEWCOMER_COURSE})), ladder(), today=TODAY)
    assert result.next.is_met


def test_a_different_course_does_not_count():
    result = standing(record(passed_courses=frozenset({"another"})), ladder(), today=TODAY)
    assert not result.next.is_met


def test_hours_overall_count_every_direction_and_show_progress():
    hours = {"first-aid": Decimal("7.5"), "blood-donation": Decimal("4.5")}
    result = standing(
        record(rank=2, hours=hours, skills=frozenset({"cpr-manikin"})), ladder(), today=TODAY
    )
    hours_progress, skill_progress = result.next.requirements
    assert (hours_progress.have, hours_progress.need) == (Decimal(12), Decimal(20))
    assert not hours_progress.is_met
    assert skill_progress.is_met
    assert not result.next.is_met


def test_exactly_enough_hours_meets_the_requirement():
    result = standing(
        record(rank=2, hours={"first-aid": Decimal(20)}, skills=frozenset({"cpr-manikin"})),
        ladder(),
        today=TODAY,
    )
    assert result.next.is_met


def test_hours_in_a_direction_count_only_that_direction():
    hours = {"first-aid": Decimal(10), "mass-events": Decimal(70)}
    result = standing(record(rank=3, hours=hours), ladder(), today=TODAY)
    overall, first_aid = result.next.requirements
    assert overall.is_met
    assert (first_aid.have, first_aid.is_met) == (Decimal(10), False)
    assert not result.next.is_met


def test_a_missing_skill_blocks_the_level():
    result = standing(record(rank=2, hours={"first-aid": Decimal(40)}), ladder(), today=TODAY)
    assert [item.is_met for item in result.next.requirements] == [True, False]
    assert result.next.n_missing == 1


def test_time_at_the_previous_level_is_a_requirement():
    complete = {"hours": {"first-aid": Decimal(20)}, "skills": frozenset({"cpr-manikin"})}
    too_soon = standing(record(rank=2, since=date(2026, 9, 1), **complete), ladder(), today=TODAY)
    assert (too_soon.next.months_have, too_soon.next.months_need) == (2, 3)
    assert not too_soon.next.is_met
    assert too_soon.next.n_missing == 1
    served = standing(record(rank=2, since=date(2026, 8, 23), **complete), ladder(), today=TODAY)
    assert served.next.is_met


def test_approval_is_reported_not_decided_by_the_engine():
    hours = {"first-aid": Decimal(30), "mass-events": Decimal(30)}
    result = standing(record(rank=3, hours=hours), ladder(), today=TODAY)
    assert result.next.is_met
    assert result.next.level.requires_approval


def test_a_level_without_requirements_is_met_at_once():
    levels = ladder(volunteer=LevelRule(rank=2, slug="volunteer"))
    assert standing(record(), levels, today=TODAY).next.is_met


def test_the_top_of_the_ladder_has_no_next_level():
    result = standing(record(rank=4), ladder(), today=TODAY)
    assert result.current.slug == "coordinator"
    assert result.next is None


def test_the_ladder_may_come_in_any_order():
    result = standing(record(rank=2), list(reversed(ladder())), today=TODAY)
    assert (result.current.slug, result.next.level.slug) == ("volunteer", "senior-volunteer")


def test_a_level_missing_from_the_ladder_is_refused():
    with pytest.raises(ValueError):
        standing(record(rank=0), ladder(), today=TODAY)


@pytest.mark.parametrize(
    ("since", "today", "months"),
    [
        (date(2026, 1, 15), date(2026, 2, 14), 0),
        (date(2026, 1, 15), date(2026, 2, 15), 1),
        (date(2026, 1, 31), date(2026, 2, 28), 1),
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2025, 11, 23), date(2026, 11, 23), 12),
        (date(2026, 12, 1), date(2026, 11, 23), 0),
    ],
)
def test_full_months_count_calendar_months(since, today, months):
    assert full_months(since, today) == months
