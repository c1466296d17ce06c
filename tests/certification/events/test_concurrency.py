"""Volunteers and coordinators at the same moment, on parallel connections: the last place goes
once, each freed place promotes one person from the waitlist, each scan counts once."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.contrib import messages
from django.urls import reverse

from certification.events import checkin
from certification.events import services as events
from certification.models import Attendance, PracticalActivity, SignUp
from tests.concurrency import at_once, messages_of, postgresql_only, tabs
from tests.factories import make_coordinator, make_event, make_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
    pytest.mark.usefixtures("movement"),
]


@pytest.fixture
def shift():
    coordinator = make_coordinator(branch_slug="almaty", email="coordinator.almaty@example.kz")
    return make_event(by=coordinator, capacity=2)


def statuses(event):
    return sorted(event.sign_ups.values_list("status", flat=True))


def test_two_volunteers_taking_the_last_place_at_once_get_one_place_and_one_turn(shift):
    events.sign_up(event=shift, volunteer=make_member())
    racing = [make_member(), make_member()]

    at_once(
        *(lambda member=member: events.sign_up(event=shift, volunteer=member) for member in racing)
    )

    assert statuses(shift) == ["signed_up", "signed_up", "waitlisted"]


def meeting_before(monkeypatch, name, n):
    """`n` calls of the service's `name` wait for each other (a second at most) before going
    on: without a lock they overlap there for sure; with one, the first waits in vain alone."""
    barrier = threading.Barrier(n, timeout=1)
    original = getattr(events, name)

    def met(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(events, name, met)


def test_two_cancellations_at_once_promote_the_first_two_on_the_waitlist_once_each(
    shift, monkeypatch
):
    leaving = [events.sign_up(event=shift, volunteer=make_member()) for _n in range(2)]
    waiting = [events.sign_up(event=shift, volunteer=make_member()) for _n in range(3)]
    meeting_before(monkeypatch, "fill_places", 2)

    at_once(*(lambda place=place: events.cancel(sign_up=place) for place in leaving))

    for place in waiting:
        place.refresh_from_db()
    assert [place.status for place in waiting] == ["signed_up", "signed_up", "waitlisted"]
    assert shift.sign_ups.filter(status=SignUp.Status.SIGNED_UP).count() == shift.capacity


def test_a_double_tap_on_sign_up_signs_up_once(shift):
    member = make_member()
    clicks = tabs(member.user, 2)
    url = reverse("volunteer_events:sign_up", args=[shift.pk])

    responses = at_once(*(lambda tab=tab: tab.post(url) for tab in clicks))

    assert statuses(shift) == ["signed_up"]
    told = sorted(bool(messages_of(response, messages.ERROR)) for response in responses)
    assert told == [False, True]


def test_the_same_code_scanned_twice_at_once_checks_in_once(shift):
    member = make_member()
    place = events.sign_up(event=shift, volunteer=member)
    moment = shift.starts_at - timedelta(minutes=5)
    token = checkin.token_for(shift.pk, at=moment.timestamp())

    def scan():
        try:
            return events.scan(event=shift, volunteer=member, token=token, now=moment)
        except events.EventError as refusal:
            return str(refusal)

    results = at_once(scan, scan)

    assert Attendance.objects.filter(sign_up=place).count() == 1
    assert sum(isinstance(result, Attendance) for result in results) == 1


def test_the_sweep_and_a_check_out_by_hand_at_once_record_the_hours_once(shift, monkeypatch):
    member = make_member()
    place = events.sign_up(event=shift, volunteer=member)
    events.mark(sign_up=place, by=shift.created_by, now=shift.starts_at)
    after = shift.ends_at + events.CHECK_OUT_GRACE + timedelta(minutes=5)
    meeting_before(monkeypatch, "activity_for", 2)

    def by_hand():
        try:
            return events.mark(sign_up=place, by=shift.created_by, now=after)
        except events.EventError as refusal:  # the sweep was first: checked out already
            return str(refusal)

    at_once(lambda: events.close(event=shift, now=after), by_hand)

    assert PracticalActivity.objects.filter(volunteer=member).count() == 1
    assert Attendance.objects.get(sign_up=place).activity is not None
