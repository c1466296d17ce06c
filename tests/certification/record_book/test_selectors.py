"""What the record book lists (selectors.record_book) and the shape of its JSON export."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certification.certificates import issuing
from certification.models import Attendance, Certificate, PracticalActivity, SignUp
from certification.record_book.selectors import JSON_FORMAT, as_json, record_book
from courses import services as learning
from courses.models import Enrolment, QuizAttempt
from tests.certification.conftest import complete_course
from tests.factories import direction, make_course, make_event, make_member, quiz_of

from .conftest import HOLDER_NAME

pytestmark = pytest.mark.django_db


def test_the_record_names_the_holder_branch_and_level(member):
    book = record_book(member)

    assert (book.holder_name, book.branch, book.level) == (HOLDER_NAME, "Алматы", "Волонтёр")


def test_a_course_passed_is_listed_with_its_date_and_the_best_passing_score(member):
    course = make_course(quiz={"pass_mark": 60})
    learning.enrol(user=member.user, course=course)
    quiz = quiz_of(course)
    for number, (percent, passed) in enumerate([(50, False), (80, True), (90, True)], 1):
        QuizAttempt.objects.create(
            user=member.user,
            quiz=quiz,
            number=number,
            status="submitted",
            percent=Decimal(percent),
            passed=passed,
        )
    # Passed as the lesson and the quiz would make it (their services are tested elsewhere).
    Enrolment.objects.filter(user=member.user).update(completed_at=timezone.now())

    [entry] = record_book(member).courses

    assert entry.title == course.title
    assert entry.completed_at == member.user.enrolments.get().completed_at
    assert entry.score_percent == Decimal("90.0")


def test_a_course_not_completed_is_not_listed(member):
    learning.enrol(user=member.user, course=make_course(n_lessons=2))

    assert record_book(member).courses == []


def test_only_confirmed_hours_count_by_direction_and_by_event(full_record, member):
    book = record_book(member)

    assert [(row.direction_slug, row.hours) for row in book.hours_by_direction] == [
        ("first-aid", Decimal("4.5")),
        ("blood-donation", Decimal("3")),
    ]
    assert book.total_hours == Decimal("7.5")
    assert [(entry.date, entry.event) for entry in book.activities] == [
        (date(2026, 10, 2), "Донор күні"),
        (date(2026, 9, 14), "Алматы марафоны"),
    ]


def test_hours_from_an_event_carry_its_title_and_kind(member):
    event = make_event(title="Медицинская кезекшілік: марафон", starts_in=timedelta(days=-2))
    activity = PracticalActivity.objects.create(
        volunteer=member,
        date=timezone.localdate(event.starts_at),
        event="Марафон",
        direction=direction("first-aid"),
        hours=Decimal("4"),
        status=PracticalActivity.Status.CONFIRMED,
    )
    sign_up = SignUp.objects.create(event=event, volunteer=member, status=SignUp.Status.SIGNED_UP)
    Attendance.objects.create(
        sign_up=sign_up,
        checked_in_at=event.starts_at,
        checked_out_at=event.ends_at,
        check_in_method=Attendance.Method.QR,
        activity=activity,
    )

    [entry] = record_book(member).activities

    assert (entry.event, entry.event_kind) == ("Медицинская кезекшілік: марафон", "duty")


def test_skills_not_yet_shown_are_left_out_and_passed_ones_say_who_signed_them(full_record, member):
    [entry] = record_book(member).skills

    assert entry.skill_slug == full_record["skill"].slug
    assert entry.signed_by == "Нұрланов Дәурен"
    assert entry.date == date(2026, 10, 20)


def test_levels_awarded_are_listed_with_their_dates(full_record, member):
    [entry] = record_book(member).levels

    assert entry.level_slug == "volunteer"
    assert entry.awarded_at == member.awards.get().awarded_at


def test_certificates_show_valid_expired_and_revoked_but_not_pending_or_replaced(
    full_record, member
):
    valid = full_record["certificate"]
    revoked = Certificate.objects.create(
        kind="letter",
        holder=member.user,
        source_key="letter:1",
        holder_name=HOLDER_NAME,
        title_ru="Благодарность",
        status=Certificate.Status.ISSUED,
    )
    issuing.revoke(certificate=revoked, reason="Ошибка в дате")
    Certificate.objects.create(
        kind="letter",
        holder=member.user,
        source_key="letter:2",
        holder_name=HOLDER_NAME,
        title_ru="Ещё готовится",
    )
    expired = Certificate.objects.create(
        kind="course",
        holder=member.user,
        source_key="course:old",
        holder_name=HOLDER_NAME,
        title_ru="Старый курс",
        status=Certificate.Status.ISSUED,
        issued_at=timezone.now() - timedelta(days=800),
        expires_at=timezone.now() - timedelta(days=70),
    )

    statuses = {entry.code: entry.status for entry in record_book(member).certificates}

    assert statuses == {
        valid.public_code: "valid",
        revoked.public_code: "revoked",
        expired.public_code: "expired",
    }


def test_another_volunteers_record_is_not_in_mine(full_record, member):
    other = make_member()
    complete_course(other.user, title="Донорство")

    assert [entry.title for entry in record_book(member).courses] == ["Алғашқы көмек"]
    assert record_book(other).activities == []


def test_json_export_has_the_documented_shape_with_iso_dates(full_record, member):
    as_of = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

    document = as_json(record_book(member, now=as_of), share_url="https://komek.kz/ru/x/")

    assert document["format"] == JSON_FORMAT
    assert document["as_of"] == "2026-12-01T09:30:00Z"
    assert document["share_url"] == "https://komek.kz/ru/x/"
    assert set(document) == {
        "format",
        "issuer",
        "as_of",
        "share_url",
        "holder",
        "courses",
        "certificates",
        "hours",
        "skills",
        "levels",
    }
    assert document["holder"]["name"] == HOLDER_NAME
    assert set(document["courses"][0]) == {"title", "language", "completed_at", "score_percent"}
    assert document["courses"][0]["completed_at"].endswith("Z")
    certificate = document["certificates"][0]
    assert certificate["code"] == full_record["certificate"].public_code
    assert certificate["status"] == "valid"
    assert certificate["verify_url"].endswith(f"/verify/{certificate['code']}/")
    assert document["hours"]["total"] == 7.5
    assert document["hours"]["by_direction"][0] == {
        "direction": "first-aid",
        "name": direction("first-aid").name,
        "hours": 4.5,
    }
    assert document["hours"]["activities"][0] == {
        "date": "2026-10-02",
        "event": "Донор күні",
        "event_kind": None,
        "direction": "blood-donation",
        "hours": 3,
    }
    assert document["skills"][0]["date"] == "2026-10-20"
    assert document["skills"][0]["signed_off_by"] == "Нұрланов Дәурен"
    assert document["levels"][0]["level"] == "volunteer"
    assert document["levels"][0]["rank"] == 2
