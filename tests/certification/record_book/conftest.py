from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certification.models import (
    Certificate,
    LevelAward,
    PracticalActivity,
    Skill,
    SkillSignOff,
)
from tests.certification.conftest import complete_course
from tests.factories import UserFactory, direction, level, make_instructor, make_member

HOLDER_NAME = "Сейтқали Әйгерім Ұлықпанқызы"


@pytest.fixture
def member(db):
    """A volunteer of Almaty with some of everything a record book lists."""
    user = UserFactory(last_name="Сейтқали", first_name="Әйгерім", patronymic="Ұлықпанқызы")
    return make_member(user, level_slug="volunteer")


@pytest.fixture
def full_record(member, django_capture_on_commit_callbacks):
    """The member's record: a course passed (with its certificate), confirmed and pending hours,
    a passed and a failed sign-off, and the level award."""
    from certification.certificates import pipeline

    with django_capture_on_commit_callbacks(execute=False):
        course = complete_course(
            member.user, slug="first-aid", title="Алғашқы көмек", certificate_validity_months=24
        )
    certificate = Certificate.objects.get(holder=member.user)
    pipeline.render(certificate_id=certificate.pk)
    PracticalActivity.objects.create(
        volunteer=member,
        date=date(2026, 9, 14),
        event="Алматы марафоны",
        direction=direction("first-aid"),
        hours=Decimal("4.5"),
        status=PracticalActivity.Status.CONFIRMED,
    )
    PracticalActivity.objects.create(
        volunteer=member,
        date=date(2026, 10, 2),
        event="Донор күні",
        direction=direction("blood-donation"),
        hours=Decimal("3"),
        status=PracticalActivity.Status.CONFIRMED,
    )
    PracticalActivity.objects.create(
        volunteer=member,
        date=date(2026, 11, 1),
        event="Pending shift",
        direction=direction("first-aid"),
        hours=Decimal("6"),
    )
    instructor = make_instructor(last_name="Нұрланов", first_name="Дәурен", patronymic="")
    skill = Skill.objects.order_by("pk").first()
    SkillSignOff.objects.create(
        volunteer=member,
        skill=skill,
        date=date(2026, 10, 20),
        place="Учебный центр",
        result=SkillSignOff.Result.PASSED,
        signed_by=instructor,
    )
    other_skill = Skill.objects.order_by("pk")[1]
    SkillSignOff.objects.create(
        volunteer=member,
        skill=other_skill,
        date=date(2026, 10, 21),
        place="Учебный центр",
        result=SkillSignOff.Result.FAILED,
        signed_by=instructor,
    )
    LevelAward.objects.create(
        volunteer=member,
        level=level("volunteer"),
        status=LevelAward.Status.AWARDED,
        awarded_at=timezone.now() - timedelta(days=30),
    )
    return {"course": course, "certificate": certificate, "skill": skill, "other": other_skill}
