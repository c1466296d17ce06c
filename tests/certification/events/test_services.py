import smtplib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from certification.events import checkin
from certification.events import services as events
from certification.models import (
    Attendance,
    Certificate,
    EventRequirement,
    EventRole,
    PracticalActivity,
    SignUp,
    Skill,
    SkillSignOff,
)
from tests.certification.conftest import complete_course
from tests.factories import level, make_event, make_instructor, make_member

pytestmark = pytest.mark.django_db


def scan_at(event, member, moment, *, token_moment=None):
    token = checkin.token_for(event.pk, at=(token_moment or moment).timestamp())
    return events.scan(event=event, volunteer=member, token=token, now=moment)


# Signing up and the waitlist ---------------------------------------------------------------------


def test_signing_up_takes_a_place_while_there_is_one(event, member):
    assert events.sign_up(event=event, volunteer=member).status == SignUp.Status.SIGNED_UP


def test_signing_up_for_a_full_event_joins_the_waitlist_in_order(event):
    for _n in range(2):
        events.sign_up(event=event, volunteer=make_member())
    first = events.sign_up(event=event, volunteer=make_member())
    second = events.sign_up(event=event, volunteer=make_member())
    assert first.status == second.status == SignUp.Status.WAITLISTED
    assert events.waitlist_position(first) == 1
    assert events.waitlist_position(second) == 2


def test_a_full_role_sends_its_volunteers_to_the_waitlist_while_others_have_room(event):
    medics = EventRole.objects.create(event=event, name="Медпост", capacity=1)
    stewards = EventRole.objects.create(event=event, name="Стюард", capacity=1)
    events.sign_up(event=event, volunteer=make_member(), role=medics)
    assert events.sign_up(event=event, volunteer=make_member(), role=medics).status == "waitlisted"
    assert events.sign_up(event=event, volunteer=make_member(), role=stewards).status == "signed_up"


def test_an_event_with_roles_refuses_a_sign_up_without_one(event, member):
    EventRole.objects.create(event=event, name="Медпост", capacity=1)
    with pytest.raises(events.EventError, match="Choose a role"):
        events.sign_up(event=event, volunteer=member)


def test_a_role_of_another_event_is_refused(event, member, coordinator):
    other = EventRole.objects.create(event=make_event(by=coordinator), name="Стюард", capacity=3)
    with pytest.raises(events.EventError, match="not at this event"):
        events.sign_up(event=event, volunteer=member, role=other)


def test_a_volunteer_of_another_branch_cannot_sign_up(event):
    with pytest.raises(events.EventError, match="another branch"):
        events.sign_up(event=event, volunteer=make_member(branch_slug="shymkent"))


def test_signing_up_after_the_start_is_refused(coordinator, member):
    started = make_event(by=coordinator, starts_in=-timedelta(minutes=5))
    with pytest.raises(events.EventError, match="has started"):
        events.sign_up(event=started, volunteer=member)


def test_signing_up_twice_is_refused(event, member):
    events.sign_up(event=event, volunteer=member)
    with pytest.raises(events.EventError, match="already signed up"):
        events.sign_up(event=event, volunteer=member)


def test_a_volunteer_below_the_required_level_is_told_which_level(event):
    EventRequirement.objects.create(event=event, kind="level", level=level("senior-volunteer"))
    with pytest.raises(events.EventError) as refused:
        events.sign_up(event=event, volunteer=make_member(level_slug="volunteer"))
    assert level("senior-volunteer").name in str(refused.value)


def test_a_skill_requirement_is_met_by_a_passed_sign_off(event, member):
    skill = Skill.objects.get(slug="cpr-manikin")
    EventRequirement.objects.create(event=event, kind="skill", skill=skill)
    assert events.reasons_not(event, member) == [f"needs the skill “{skill.name}” signed off"]
    SkillSignOff.objects.create(
        volunteer=member,
        skill=skill,
        date=timezone.localdate(),
        place="Учебный центр",
        result=SkillSignOff.Result.PASSED,
        signed_by=make_instructor(),
    )
    assert events.reasons_not(event, member) == []


def test_an_expired_course_certificate_does_not_meet_a_certificate_requirement(event, member):
    course = complete_course(member.user, slug="first-aid-basics", certificate_validity_months=24)
    EventRequirement.objects.create(event=event, kind="certificate", course=course)
    assert events.reasons_not(event, member) == []
    Certificate.objects.filter(holder=member.user).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    assert events.reasons_not(event, member) == [
        f"needs a valid certificate of the course “{course.title}”"
    ]


def test_a_passed_course_meets_a_course_requirement(event, member):
    course = complete_course(member.user, slug="first-aid-basics")
    other = complete_course(make_member().user, slug="hospice-basics")
    EventRequirement.objects.create(event=event, kind="course", course=course)
    assert events.reasons_not(event, member) == []
    EventRequirement.objects.create(event=event, kind="course", course=other)
    assert events.reasons_not(event, member) == [f"needs the course “{other.title}” passed"]


@pytest.fixture
def place_emails(monkeypatch):
    """The sign-ups whose "you have a place" email was sent to a worker; no broker."""
    from certification.tasks import email_event_place

    sent = []
    monkeypatch.setattr(email_event_place, "apply_async", lambda args: sent.append(*args))
    return sent


def test_cancelling_a_place_promotes_the_first_on_the_waitlist(
    event, django_capture_on_commit_callbacks, place_emails
):
    leaving = events.sign_up(event=event, volunteer=make_member())
    events.sign_up(event=event, volunteer=make_member())
    first = events.sign_up(event=event, volunteer=make_member(email="first@example.kz"))
    second = events.sign_up(event=event, volunteer=make_member())
    with django_capture_on_commit_callbacks(execute=True):
        events.cancel(sign_up=leaving)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("signed_up", "waitlisted")
    assert place_emails == [first.pk]
    assert events.email_place(sign_up_id=first.pk) is True
    assert [message.to for message in mail.outbox] == [["first@example.kz"]]
    assert events.email_place(sign_up_id=first.pk) is False  # a second delivery of the task
    assert len(mail.outbox) == 1


def promoted_one(event, django_capture_on_commit_callbacks):
    leaving = events.sign_up(event=event, volunteer=make_member())
    events.sign_up(event=event, volunteer=make_member())
    waiting = events.sign_up(event=event, volunteer=make_member(email="first@example.kz"))
    with django_capture_on_commit_callbacks(execute=True):
        events.cancel(sign_up=leaving)
    return waiting


def test_a_mail_server_that_is_down_fails_the_email_not_the_cancellation(
    event, django_capture_on_commit_callbacks, place_emails, monkeypatch
):
    waiting = promoted_one(event, django_capture_on_commit_callbacks)
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.SIGNED_UP

    def refused(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(events, "send_mail", refused)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        events.email_place(sign_up_id=waiting.pk)
    monkeypatch.undo()
    # The retry sends it: the failed attempt gave the claim back.
    assert events.email_place(sign_up_id=waiting.pk) is True
    assert [message.to for message in mail.outbox] == [["first@example.kz"]]


def test_the_sweep_sends_again_a_place_email_that_never_went_out(
    event, django_capture_on_commit_callbacks, place_emails
):
    waiting = promoted_one(event, django_capture_on_commit_callbacks)
    place_emails.clear()  # the broker was down: nothing reached a worker
    soon = timezone.now() + timedelta(minutes=1)
    assert events.requeue_place_emails(now=soon) == 0  # not yet: the task may still be on its way
    later = timezone.now() + events.PLACE_EMAIL_STALE + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert events.requeue_place_emails(now=later) == 1
    assert place_emails == [waiting.pk]
    events.email_place(sign_up_id=waiting.pk)
    assert events.requeue_place_emails(now=later) == 0


def test_no_place_email_once_the_volunteer_cancelled(
    event, django_capture_on_commit_callbacks, place_emails
):
    waiting = promoted_one(event, django_capture_on_commit_callbacks)
    events.cancel(sign_up=waiting)
    assert events.email_place(sign_up_id=waiting.pk) is False
    assert mail.outbox == []


def test_leaving_the_waitlist_promotes_nobody(event):
    for _n in range(2):
        events.sign_up(event=event, volunteer=make_member())
    waiting = events.sign_up(event=event, volunteer=make_member())
    behind = events.sign_up(event=event, volunteer=make_member())
    events.cancel(sign_up=waiting)
    behind.refresh_from_db()
    assert behind.status == "waitlisted"
    assert events.waitlist_position(behind) == 1


def test_cancelling_after_the_start_is_refused(coordinator, member):
    started = make_event(by=coordinator, starts_in=timedelta(hours=1))
    place = events.sign_up(event=started, volunteer=member)
    with pytest.raises(events.EventError, match="too late"):
        events.cancel(sign_up=place, now=started.starts_at + timedelta(minutes=1))


def test_more_places_on_an_edited_event_let_the_waitlist_in(event):
    for _n in range(2):
        events.sign_up(event=event, volunteer=make_member())
    waiting = events.sign_up(event=event, volunteer=make_member())
    event.capacity = 3
    events.save_event(event=event)
    waiting.refresh_from_db()
    assert waiting.status == "signed_up"


# Checking in and out -----------------------------------------------------------------------------


@pytest.fixture
def signed_up(event, member):
    return events.sign_up(event=event, volunteer=member)


def test_a_scan_checks_in_and_a_later_scan_checks_out_with_pending_hours(event, member, signed_up):
    attendance = scan_at(event, member, event.starts_at - timedelta(minutes=10))
    assert attendance.checked_out_at is None
    attendance = scan_at(event, member, event.starts_at + timedelta(hours=3, minutes=20))
    assert attendance.activity.status == PracticalActivity.Status.PENDING
    # From the start (not the early arrival) to the check-out, to the half hour.
    assert attendance.activity.hours == Decimal("3.5")
    assert attendance.activity.direction == event.direction


def test_a_replayed_check_in_code_is_refused(event, member, signed_up):
    moment = event.starts_at
    scan_at(event, member, moment)
    with pytest.raises(events.EventError, match="already used"):
        scan_at(event, member, moment + timedelta(seconds=5), token_moment=moment)


def test_an_expired_code_is_refused(event, member, signed_up):
    with pytest.raises(events.EventError, match="expired"):
        scan_at(event, member, event.starts_at, token_moment=event.starts_at - timedelta(minutes=1))


def test_a_code_of_another_event_is_refused(event, member, signed_up, coordinator):
    other = make_event(by=coordinator)
    token = checkin.token_for(other.pk, at=event.starts_at.timestamp())
    with pytest.raises(events.EventError, match="another event"):
        events.scan(event=event, volunteer=member, token=token, now=event.starts_at)


def test_a_volunteer_not_signed_up_cannot_check_in(event, member):
    with pytest.raises(events.EventError, match="not signed up"):
        scan_at(event, member, event.starts_at)


def test_a_volunteer_on_the_waitlist_cannot_check_in(event, member):
    for _n in range(2):
        events.sign_up(event=event, volunteer=make_member())
    events.sign_up(event=event, volunteer=member)
    with pytest.raises(events.EventError, match="not signed up"):
        scan_at(event, member, event.starts_at)


def test_checking_in_more_than_an_hour_before_the_start_is_refused(event, member, signed_up):
    with pytest.raises(events.EventError, match="opens an hour before"):
        scan_at(event, member, event.starts_at - timedelta(minutes=61))


def test_checking_in_after_the_end_is_refused(event, member, signed_up):
    with pytest.raises(events.EventError, match="check-in has closed"):
        scan_at(event, member, event.ends_at + timedelta(minutes=1))


def test_a_second_scan_straight_after_checking_in_does_not_check_out(event, member, signed_up):
    scan_at(event, member, event.starts_at)
    with pytest.raises(events.EventError, match="when you leave"):
        scan_at(event, member, event.starts_at + timedelta(seconds=20))
    assert Attendance.objects.get().checked_out_at is None


def test_scanning_after_checking_out_is_refused(event, member, signed_up):
    scan_at(event, member, event.starts_at)
    scan_at(event, member, event.starts_at + timedelta(hours=1))
    with pytest.raises(events.EventError, match="Checked out already"):
        scan_at(event, member, event.starts_at + timedelta(hours=2))


def test_a_coordinator_ticking_a_name_after_the_end_records_the_whole_event(
    event, member, signed_up, coordinator
):
    attendance = events.mark(
        sign_up=signed_up, by=coordinator, now=event.ends_at + timedelta(days=1)
    )
    assert attendance.checked_in_at == event.starts_at
    assert attendance.checked_out_at == event.ends_at
    assert attendance.activity.hours == Decimal(4)
    assert attendance.check_in_method == Attendance.Method.BY_HAND


# After the event ---------------------------------------------------------------------------------


def test_closing_an_event_records_no_shows_and_checks_out_who_stayed(event, member, signed_up):
    absent = events.sign_up(event=event, volunteer=make_member())
    scan_at(event, member, event.starts_at + timedelta(hours=1))
    assert events.close_ended(now=event.ends_at + timedelta(hours=2)) == 1
    absent.refresh_from_db()
    assert absent.status == SignUp.Status.NO_SHOW
    attendance = Attendance.objects.get(sign_up=signed_up)
    assert attendance.checked_out_at == event.ends_at
    assert attendance.activity.hours == Decimal(3)
    assert events.close_ended(now=event.ends_at + timedelta(hours=3)) == 0


def test_confirming_the_event_confirms_every_check_out_and_promotes(event, coordinator):
    """A volunteer with the sign-off, time served and 16 of a senior's 20 hours: 4 more from the
    event promote them."""
    almost = make_member(level_slug="volunteer", since=timezone.now() - timedelta(days=100))
    PracticalActivity.objects.create(
        volunteer=almost,
        date=timezone.localdate() - timedelta(days=10),
        event="Дежурство",
        direction=event.direction,
        hours=16,
        status=PracticalActivity.Status.CONFIRMED,
        reviewed_at=timezone.now(),
    )
    SkillSignOff.objects.create(
        volunteer=almost,
        skill=Skill.objects.get(slug="cpr-manikin"),
        date=timezone.localdate(),
        place="Учебный центр",
        result=SkillSignOff.Result.PASSED,
        signed_by=make_instructor(),
    )
    place = events.sign_up(event=event, volunteer=almost)
    events.mark(sign_up=place, by=coordinator, now=event.ends_at + timedelta(hours=2))
    n_confirmed, refusals = events.confirm_hours(event=event, by=coordinator)
    assert (n_confirmed, refusals) == (1, [])
    almost.refresh_from_db()
    assert almost.level.slug == "senior-volunteer"


def test_a_coordinator_cannot_confirm_their_own_hours_from_an_event(event, coordinator):
    own = events.sign_up(event=event, volunteer=coordinator.volunteer)
    events.mark(sign_up=own, by=coordinator, now=event.ends_at + timedelta(hours=2))
    n_confirmed, refusals = events.confirm_hours(event=event, by=coordinator)
    assert n_confirmed == 0
    assert "own hours" in refusals[0]


# Reminders ---------------------------------------------------------------------------------------


def test_reminders_go_the_day_before_once_each(event, member, signed_up):
    events.sign_up(event=event, volunteer=make_member())
    assert events.remind_upcoming(now=event.starts_at - timedelta(hours=30)) == 0
    assert events.remind_upcoming(now=event.starts_at - timedelta(hours=20)) == 2
    assert events.remind_upcoming(now=event.starts_at - timedelta(hours=19)) == 0
    assert len(mail.outbox) == 2
    assert event.title in mail.outbox[0].subject


def test_a_reminder_the_mail_server_refused_goes_with_the_next_sweep(
    event, member, signed_up, monkeypatch
):
    def refused(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(events, "send_mail", refused)
    assert events.remind_upcoming(now=event.starts_at - timedelta(hours=20)) == 0
    monkeypatch.undo()
    assert events.remind_upcoming(now=event.starts_at - timedelta(hours=19)) == 1
    assert len(mail.outbox) == 1


def test_nobody_on_the_waitlist_gets_a_reminder(event):
    for _n in range(2):
        events.sign_up(event=event, volunteer=make_member())
    events.sign_up(event=event, volunteer=make_member(email="waiting@example.kz"))
    events.remind_upcoming(now=event.starts_at - timedelta(hours=20))
    assert all("waiting@example.kz" not in message.to for message in mail.outbox)
