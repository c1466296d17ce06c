import pytest
from django.core.cache import cache

from courses import services as learning
from tests.factories import UserFactory, lessons_of, make_course


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture
def movement(transactional_db):
    """Reference data as the migrations leave it, for transactional tests: one before may have
    flushed it (branches, skills, the levels' default requirements)."""
    from certification.models import Branch, Direction, Level, LevelRequirement, Skill
    from certification.reference import (
        ensure_branches_and_skills,
        ensure_level_rules,
        ensure_reference_data,
    )

    ensure_reference_data(Direction, Level)
    ensure_branches_and_skills(Branch, Skill, Direction)
    ensure_level_rules(Level, LevelRequirement, Direction, Skill)


@pytest.fixture
def holder(db):
    return UserFactory(email="aigerim@example.kz", phone="+7 701 555 12 34")


def complete_course(user, **course_fields):
    """A course the user has just completed (one text lesson, no quiz)."""
    course = make_course(**course_fields)
    learning.enrol(user=user, course=course)
    learning.complete_lesson(user=user, lesson=lessons_of(course)[0])
    return course


@pytest.fixture
def issued_certificate(holder, django_capture_on_commit_callbacks):
    """A rendered, issued course certificate (rendering run in-process, as a worker would)."""
    from certification.certificates import pipeline
    from certification.models import Certificate

    with django_capture_on_commit_callbacks(execute=False):
        complete_course(holder, slug="first-aid", certificate_validity_months=24)
    certificate = Certificate.objects.get(holder=holder)
    return pipeline.render(certificate_id=certificate.pk)
