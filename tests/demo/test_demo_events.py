import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from certification.models import Attendance, Event, PracticalActivity, SignUp


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def event_records():
    return (
        list(Event.objects.order_by("pk").values_list("pk", "title", "starts_at")),
        list(SignUp.objects.order_by("pk").values_list("pk", "status", "queued_at")),
        list(
            Attendance.objects.order_by("pk").values_list("pk", "checked_in_at", "checked_out_at")
        ),
        list(PracticalActivity.objects.order_by("pk").values_list("pk", "status", "hours")),
        get_user_model().objects.count(),
    )


@pytest.mark.django_db
def test_demo_events_seeded_twice_change_nothing():
    seed()
    before = event_records()

    seed()

    assert event_records() == before


@pytest.mark.django_db
def test_demo_learner_sees_the_upcoming_almaty_events_and_not_astanas(client):
    seed()
    client.force_login(get_user_model().objects.get(email="learner@komek.local"))

    html = client.get(reverse("volunteer_events:list")).content.decode()

    upcoming = Event.objects.filter(branch__slug="almaty", starts_at__gt=timezone.now())
    assert upcoming.count() == 4
    for event in upcoming:
        assert event.title in html
    assert "Национальном научном медицинском центре" not in html


@pytest.mark.django_db
def test_demo_hospice_visit_is_full_with_the_learner_second_on_its_waitlist():
    seed()
    visit = Event.objects.get(kind=Event.Kind.HOSPICE_VISIT)

    statuses = list(visit.sign_ups.values_list("volunteer__user__email", "status"))

    assert [status for _email, status in statuses].count("signed_up") == visit.capacity
    assert statuses[-2:] == [
        ("maria.kim@komek.local", "waitlisted"),
        ("learner@komek.local", "waitlisted"),
    ]


@pytest.mark.django_db
def test_demo_past_training_has_attendance_pending_hours_and_a_no_show():
    seed()
    training = Event.objects.get(kind=Event.Kind.TRAINING)

    attendances = Attendance.objects.filter(sign_up__event=training)

    assert training.closed_at is not None
    assert attendances.count() == 5
    assert not attendances.filter(checked_out_at__isnull=True).exists()
    learner_hours = attendances.get(sign_up__volunteer__user__email="learner@komek.local")
    assert learner_hours.activity.status == PracticalActivity.Status.PENDING
    assert learner_hours.activity.hours == 4
    no_shows = training.sign_ups.filter(status=SignUp.Status.NO_SHOW)
    assert list(no_shows.values_list("volunteer__user__email", flat=True)) == [
        "kamila.issayeva@komek.local"
    ]


@pytest.mark.django_db
def test_demo_coordinator_sees_almaty_events_and_the_roster_of_the_past_training(client):
    seed()
    client.force_login(get_user_model().objects.get(email="coordinator@komek.local"))
    training = Event.objects.get(kind=Event.Kind.TRAINING)

    listing = client.get(reverse("coordination:events")).content.decode()
    roster = client.get(reverse("coordination:event", args=[training.pk])).content.decode()

    assert training.title in listing
    assert "День донора в КазНМУ" in listing
    assert "Лекция для старшеклассников" not in listing
    assert "Камила" in roster and "Әлихан" in roster
