"""Events in coordinators' statistics: events held, attendance and hours by branch, month and kind."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.coordination.scope import coordination_scope
from certification.coordination.statistics import month_label, statistics
from certification.models import Attendance, Event, PracticalActivity, SignUp
from tests.factories import direction, make_coordinator, make_event, make_member

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
FEBRUARY, MARCH = month_label(datetime.date(2025, 2, 1)), month_label(datetime.date(2025, 3, 1))
DUTY, LECTURE = str(Event.Kind.DUTY_SHIFT.label), str(Event.Kind.LECTURE.label)


def moment(day, hour=10):
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def held_event(day, *, branch_slug="almaty", kind=Event.Kind.DUTY_SHIFT, hours=4, by):
    return make_event(
        branch_slug=branch_slug,
        starts_in=moment(day) - timezone.now(),
        hours=hours,
        kind=kind,
        by=by,
    )


def signed_up(event, member, status=SignUp.Status.SIGNED_UP):
    return SignUp.objects.create(event=event, volunteer=member, status=status)


def attended(event, member, *, hours=None, status=PracticalActivity.Status.CONFIRMED):
    sign_up = signed_up(event, member)
    activity = None
    if hours is not None:
        activity = PracticalActivity.objects.create(
            volunteer=member,
            date=timezone.localdate(event.starts_at),
            event=event.title,
            direction=direction(),
            hours=Decimal(hours),
            status=status,
        )
    return Attendance.objects.create(
        sign_up=sign_up,
        checked_in_at=event.starts_at,
        check_in_method=Attendance.Method.QR,
        checked_out_at=event.ends_at,
        activity=activity,
    )


@pytest.fixture
def world():
    """Almaty: three events held in February and March 2025, one before the period and one to
    come; Shymkent: one event held in February."""
    almaty = make_coordinator(branch_slug="almaty", email="almaty@example.kz")
    hq = make_coordinator(branch_slug="astana", email="hq@example.kz")
    a, b, c, d, e = (make_member(level_slug="volunteer") for _n in range(5))
    far = make_member(branch_slug="shymkent", level_slug="volunteer")

    marathon = held_event(datetime.date(2025, 2, 10), by=almaty)
    attended(marathon, a, hours="4")
    attended(marathon, b, hours="3.5", status=PracticalActivity.Status.PENDING)
    signed_up(marathon, c, SignUp.Status.NO_SHOW)
    signed_up(marathon, d, SignUp.Status.WAITLISTED)
    signed_up(marathon, e, SignUp.Status.CANCELLED)

    lecture = held_event(datetime.date(2025, 2, 20), kind=Event.Kind.LECTURE, hours=2, by=almaty)
    attended(lecture, a, hours="2")

    shift = held_event(datetime.date(2025, 3, 5), by=almaty)
    attended(shift, b)  # left after a few minutes: no hours
    signed_up(shift, c)  # the sweep has not marked the no-show yet

    attended(held_event(datetime.date(2024, 12, 20), by=almaty), a, hours="5")  # before
    signed_up(make_event(by=almaty), a)  # to come
    attended(held_event(datetime.date(2025, 2, 12), branch_slug="shymkent", by=hq), far, hours="6")
    return {"almaty": almaty, "hq": hq, "members": (a, b, c, d, e)}


def test_a_branch_coordinator_sees_events_attendance_and_hours_by_month_and_kind(world):
    result = statistics(coordination_scope(world["almaty"]), start=START, end=END)

    # events held, signed up, checked in, no-shows, attendance %, confirmed hours, awaiting
    assert result.table("events").rows == (
        ("Алматы", FEBRUARY, DUTY, 1, 3, 2, 1, 66.7, Decimal("4"), Decimal("3.5")),
        ("Алматы", FEBRUARY, LECTURE, 1, 1, 1, 0, 100.0, Decimal("2"), Decimal("0")),
        ("Алматы", MARCH, DUTY, 1, 2, 1, 0, 50.0, Decimal("0"), Decimal("0")),
    )


def test_attendance_and_hours_add_up_by_kind_of_event_and_in_the_tiles(world):
    result = statistics(coordination_scope(world["almaty"]), start=START, end=END)

    assert result.table("event-kinds").rows == (
        (DUTY, 2, 5, 3, 1, 60.0, Decimal("4"), Decimal("3.5")),
        (LECTURE, 1, 1, 1, 0, 100.0, Decimal("2"), Decimal("0")),
    )
    assert result.totals["events"].n_events == 3
    assert result.totals["events"].attendance_rate == 66.7  # 4 of 6


def test_another_branchs_events_are_not_counted_for_a_branch_coordinator(world):
    result = statistics(coordination_scope(world["almaty"]), start=START, end=END)

    assert {row[0] for row in result.table("events").rows} == {"Алматы"}
    assert result.table("event-kinds").rows[0][1] == 2


def test_headquarters_count_every_branchs_events(world):
    result = statistics(coordination_scope(world["hq"]), start=START, end=END)

    rows = result.table("events").rows
    assert ("Шымкент", FEBRUARY, DUTY, 1, 1, 1, 0, 100.0, Decimal("6"), Decimal("0")) in rows
    assert result.table("event-kinds").rows[0][:2] == (DUTY, 3)


def test_the_page_shows_events_in_the_same_number_of_queries_however_many_there_are(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["hq"])
    client.get(reverse("coordination:statistics"), PERIOD)  # caches filled on the first request
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("coordination:statistics"), PERIOD)
    for day in (3, 4, 5):
        event = held_event(datetime.date(2025, 1, day), kind=Event.Kind.TRAINING, by=world["hq"])
        for member in world["members"]:
            attended(event, member, hours="1")

    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("coordination:statistics"), PERIOD)

    html = response.content.decode()
    assert str(Event.Kind.TRAINING.label) in html
    assert 'id="events"' in html and 'id="event-kinds"' in html


def test_the_events_table_exports_to_csv(client, world):
    client.force_login(world["almaty"])

    response = client.get(reverse("coordination:statistics_export", args=["events", "csv"]), PERIOD)

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 3
    assert rows[1][:7] == ["Алматы", FEBRUARY, DUTY, "1", "3", "2", "1"]
