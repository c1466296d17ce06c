"""Two coordinators, or one clicking twice, on parallel connections: each decision has one effect."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import messages
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.models import (
    AppreciationLetter,
    Certificate,
    LevelAward,
    PracticalActivity,
    Skill,
    SkillSignOff,
)
from certification.volunteers import services as volunteers
from tests.concurrency import at_once, messages_of, postgresql_only, tabs
from tests.factories import direction, make_coordinator, make_instructor, make_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
    pytest.mark.usefixtures("movement"),
]


def url(name, *args):
    return reverse(f"coordination:{name}", args=args)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def pending(member, hours, *, event="Марафон"):
    return PracticalActivity.objects.create(
        volunteer=member,
        date=timezone.localdate() - timedelta(days=2),
        event=event,
        direction=direction("first-aid"),
        hours=Decimal(hours),
    )


@pytest.fixture
def almost_senior():
    """A volunteer for 100 days with the CPR sign-off and 16 of the 20 hours a senior needs."""
    member = make_member(level_slug="volunteer", since=timezone.now() - timedelta(days=100))
    PracticalActivity.objects.create(
        volunteer=member,
        date=timezone.localdate() - timedelta(days=10),
        event="Дежурство",
        direction=direction("first-aid"),
        hours=16,
        status=PracticalActivity.Status.CONFIRMED,
        reviewed_at=timezone.now(),
    )
    SkillSignOff.objects.create(
        volunteer=member,
        skill=Skill.objects.get(slug="cpr-manikin"),
        date=timezone.localdate(),
        place="Учебный центр",
        result=SkillSignOff.Result.PASSED,
        signed_by=make_instructor(),
    )
    return member


@pytest.fixture
def coordinators():
    """Two people who may confirm Almaty's hours: its coordinator and the headquarters'."""
    return (
        make_coordinator(branch_slug="almaty", email="coordinator.almaty@example.kz"),
        make_coordinator(branch_slug="astana", email="hq@example.kz"),
    )


def confirmed_hours(member):
    return PracticalActivity.objects.filter(
        volunteer=member, status=PracticalActivity.Status.CONFIRMED
    ).aggregate(total=Sum("hours"))["total"]


def assert_promoted_once(member, renders):
    member.refresh_from_db()
    assert member.level.slug == "senior-volunteer"
    assert LevelAward.objects.filter(volunteer=member, level=member.level).count() == 1
    certificates = Certificate.objects.filter(holder=member.user)
    assert sorted(certificates.values_list("kind", flat=True)) == ["badge", "level"]
    assert sorted(renders) == sorted(certificates.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "post",
    [
        pytest.param(
            lambda client, activity: client.post(
                url("review_hours", activity.pk), {"action": "confirm"}
            ),
            id="one-by-one",
        ),
        pytest.param(
            lambda client, activity: client.post(
                url("confirm_hours"), {"activities": [activity.pk]}
            ),
            id="ticked",
        ),
    ],
)
def test_two_coordinators_confirming_the_same_hours_confirm_them_once(
    post, almost_senior, coordinators, renders
):
    activity = pending(almost_senior, 4)
    clients = [logged_in(coordinator) for coordinator in coordinators]

    responses = at_once(*(lambda client=client: post(client, activity) for client in clients))

    assert [response.status_code for response in responses] == [302, 302]
    told_confirmed = [bool(messages_of(r, messages.SUCCESS)) for r in responses]
    assert sorted(told_confirmed) == [False, True]
    loser = responses[told_confirmed.index(False)]
    assert messages_of(loser, messages.ERROR)  # already reviewed, or no longer in the queue
    activity.refresh_from_db()
    assert activity.status == PracticalActivity.Status.CONFIRMED
    assert activity.reviewed_by == coordinators[told_confirmed.index(True)]
    assert confirmed_hours(almost_senior) == 20
    assert_promoted_once(almost_senior, renders)


def test_hours_confirmed_at_once_by_several_coordinators_all_count_for_one_promotion(
    almost_senior, coordinators, renders
):
    """Through the service: a view's own work spreads the arrivals out and hides the race."""
    deputies = (
        make_coordinator(branch_slug="almaty", email="deputy.almaty@example.kz"),
        make_coordinator(branch_slug="astana", email="deputy.hq@example.kz"),
    )
    activities = [pending(almost_senior, 1, event=f"Смена {n}") for n in range(1, 5)]

    at_once(
        *(
            lambda by=by, activity=activity: volunteers.review_activity(
                activity=activity, by=by, confirm=True
            )
            for by, activity in zip((*coordinators, *deputies), activities, strict=True)
        )
    )

    assert confirmed_hours(almost_senior) == 20
    # The last confirmation to take the volunteer's row saw all the others' hours.
    assert_promoted_once(almost_senior, renders)


def test_a_letter_sent_twice_at_once_thanks_each_volunteer_once(renders):
    coordinator = make_coordinator(branch_slug="almaty", email="coordinator.almaty@example.kz")
    thanked = [make_member(), make_member()]
    form = {
        "event": "Алматы марафон 2026",
        "event_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "text": "Спасибо за дежурство на пунктах первой помощи.",
        "volunteers": [member.pk for member in thanked],
    }
    clicks = tabs(coordinator, 3)

    responses = at_once(*(lambda tab=tab: tab.post(url("letters"), form) for tab in clicks))

    letter = AppreciationLetter.objects.get()
    certificates = Certificate.objects.filter(kind=Certificate.Kind.LETTER)
    assert sorted(c.holder_id for c in certificates) == sorted(m.user_id for m in thanked)
    assert {c.letter_id for c in certificates} == {letter.pk}
    assert sorted(renders) == sorted(c.pk for c in certificates)
    assert sorted(response.status_code for response in responses) == [200, 200, 302]
    for response in responses:
        if response.status_code == 200:
            assert "уже есть письмо за это мероприятие" in response.content.decode()
