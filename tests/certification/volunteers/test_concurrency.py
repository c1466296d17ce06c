"""A member's double taps, on parallel connections: logged hours are logged once."""

import pytest
from django.utils import timezone

from certification.models import PracticalActivity
from tests.concurrency import at_once, postgresql_only, tabs
from tests.factories import direction, make_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only,
    pytest.mark.usefixtures("movement"),
]

HOURS = "/ru/volunteer/hours/"


def test_a_double_tapped_log_records_the_hours_once():
    member = make_member()
    logged = {
        "date": timezone.localdate().isoformat(),
        "event": "День донора",
        "direction": direction("blood-donation").pk,
        "hours": "4",
    }
    taps = tabs(member.user, 3)

    responses = at_once(*(lambda tab=tab: tab.post(HOURS, logged) for tab in taps))

    assert PracticalActivity.objects.filter(volunteer=member).count() == 1
    assert sorted(response.status_code for response in responses) == [200, 200, 302]
    for response in responses:
        if response.status_code == 200:
            assert "Эти часы уже записаны." in response.content.decode()
