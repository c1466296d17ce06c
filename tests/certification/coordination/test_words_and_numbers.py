"""Hours and months on the coordinators' pages as each language writes them."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from certification.coordination.statistics import month_label
from tests.certification.coordination.test_coordination import confirmed, messages_of, pending
from tests.factories import make_coordinator, make_member

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def url(language, name, *args):
    with translation.override(language):
        return reverse(f"coordination:{name}", args=args)


@pytest.fixture
def coordinator(client):
    user = make_coordinator(branch_slug="almaty", email="coordinator.almaty@example.kz")
    client.force_login(user)
    return user


@pytest.fixture
def member():
    return make_member(branch_slug="almaty", first_name="Дана", last_name="Омарова")


@pytest.mark.parametrize(
    ("language", "hours", "message"),
    [
        ("ru", "6.0", "Омарова Дана Бекқызы: подтверждено 6 ч."),
        ("kk", "4.5", "Омарова Дана Бекқызы: 4,5 сағ расталды."),
        ("en", "4.5", "Confirmed 4.5 h for Омарова Дана Бекқызы."),
    ],
)
def test_confirming_hours_says_how_many_as_the_language_writes_them(
    client, coordinator, member, language, hours, message
):
    activity = pending(member, hours)

    response = client.post(
        url(language, "review_hours", activity.pk), {"action": "confirm"}, follow=True
    )

    assert messages_of(response) == [message]


@pytest.mark.parametrize(("language", "hours"), [("ru", "12,5"), ("kk", "12,5"), ("en", "12.5")])
def test_the_volunteer_record_gives_hours_with_the_languages_decimal_separator(
    client, coordinator, member, language, hours
):
    confirmed(member, Decimal("12.5"))

    page = unescape(client.get(url(language, "volunteer", member.pk)).content.decode())

    assert f"<dd>{hours}</dd>" in page


@pytest.mark.parametrize(
    ("language", "label"),
    [("ru", f"дек. 2026{NBSP}г."), ("kk", f"2026{NBSP}ж. жел."), ("en", "Dec 2026")],
)
def test_statistics_months_are_named_as_each_language_abbreviates_them(language, label):
    with translation.override(language):
        assert month_label(datetime.date(2026, 12, 1)) == label
