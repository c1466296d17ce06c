"""A course a level asks for whose certificate expired (or expires within 60 days): the member
sees it on My path with the course to take, coordinators of the branch see it in their list."""

import html
import re
from datetime import timedelta

import pytest

from certification.models import Level, LevelRequirement
from certification.recertification import selectors
from lms.formatting import format_date
from tests.factories import make_coordinator, make_course, make_member, make_newcomer_course

from .conftest import certificate_of

pytestmark = pytest.mark.django_db

LADDER = "/ru/volunteer/"
VOLUNTEERS = "/ru/coordination/volunteers/"


@pytest.fixture
def course():
    """First aid, which the Volunteer level asks for."""
    course = make_course("Первая помощь", slug="first-aid", certificate_validity_months=24)
    return make_newcomer_course(course)


@pytest.fixture
def refresher(course):
    refresher = make_course(
        "Первая помощь: повторный курс", slug="first-aid-refresher", certificate_validity_months=24
    )
    course.refresher_course = refresher
    course.save()
    return refresher


@pytest.fixture
def almaty_coordinator():
    return make_coordinator(branch_slug="almaty", email="coordinator.almaty@example.kz")


def html_of(response):
    return html.unescape(response.content.decode())


def text_of(response):
    """The page's words as a reader sees them: no tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html_of(response)).split())


def test_my_path_says_the_required_certificate_expired_and_links_the_refresher(
    client, course, refresher
):
    member = make_member(level_slug="volunteer")
    certificate = certificate_of(member.user, course, expires_in=timedelta(days=-10))
    client.force_login(member.user)

    response = client.get(LADDER)

    date = format_date(certificate.expires_at, "ru").replace("\xa0", " ")
    assert f"Ваш сертификат по курсу «Первая помощь» истёк {date}:" in text_of(response)
    assert "пройдите «Первая помощь: повторный курс»" in text_of(response)
    assert f'href="{refresher.get_url()}"' in html_of(response)


def test_my_path_warns_of_a_required_certificate_expiring_within_60_days(client, course):
    member = make_member(level_slug="newcomer")  # working towards Volunteer
    certificate = certificate_of(member.user, course, expires_in=timedelta(days=40))
    client.force_login(member.user)

    response = client.get(LADDER)

    date = format_date(certificate.expires_at, "ru").replace("\xa0", " ")
    assert f"Ваш сертификат по курсу «Первая помощь» истекает {date}:" in text_of(response)
    assert f'href="{course.get_url()}"' in html_of(response)  # no refresher named: the course


def test_my_path_says_nothing_once_the_certificate_is_renewed(client, course, refresher):
    member = make_member(level_slug="volunteer")
    certificate_of(member.user, course, expires_in=timedelta(days=-10))
    certificate_of(member.user, refresher, expires_in=timedelta(days=700), issued_ago=timedelta())
    client.force_login(member.user)

    assert "Продлите сертификаты" not in text_of(client.get(LADDER))


def test_a_certificate_far_from_expiry_or_no_longer_asked_for_is_no_lapse(course):
    member = make_member(level_slug="volunteer")
    certificate_of(member.user, course, expires_in=timedelta(days=90))
    other = make_course("Донорство", slug="donation", certificate_validity_months=12)
    certificate_of(member.user, other, expires_in=timedelta(days=-5))

    assert selectors.lapses_of(member) == []


def test_a_course_only_a_higher_level_asks_for_concerns_nobody_below_the_level_before(course):
    LevelRequirement.objects.filter(course=course).update(
        level=Level.objects.get(slug="coordinator")
    )
    newcomer = make_member(level_slug="newcomer")
    certificate_of(newcomer.user, course, expires_in=timedelta(days=-5))

    assert selectors.lapses_of(newcomer) == []


def test_the_coordinators_list_marks_volunteers_whose_certificate_expired_or_expires(
    client, course, almaty_coordinator
):
    expired = make_member(level_slug="volunteer", last_name="Истёкшая")
    certificate_of(expired.user, course, expires_in=timedelta(days=-1))
    expiring = make_member(level_slug="volunteer", last_name="Скорая")
    certificate_of(expiring.user, course, expires_in=timedelta(days=30))
    make_member(level_slug="volunteer", last_name="Действующая")
    client.force_login(almaty_coordinator)

    rows = {
        volunteer.user.last_name: volunteer.recertification
        for volunteer in client.get(VOLUNTEERS).context["page"].object_list
    }
    page = html_of(client.get(VOLUNTEERS))

    assert rows["Истёкшая"] == "expired"
    assert rows["Скорая"] == "expiring"
    assert rows["Действующая"] == ""
    assert page.count('<span class="tag tag--expired">сертификат истёк</span>') == 1
    assert page.count('<span class="tag tag--expiring">сертификат истекает</span>') == 1


def test_the_coordinators_list_filters_by_expired_or_expiring_certificates(
    client, course, almaty_coordinator
):
    expired = make_member(level_slug="volunteer", last_name="Истёкшая")
    certificate_of(expired.user, course, expires_in=timedelta(days=-1))
    expiring = make_member(level_slug="volunteer", last_name="Скорая")
    certificate_of(expiring.user, course, expires_in=timedelta(days=30))
    client.force_login(almaty_coordinator)

    def names(value):
        response = client.get(VOLUNTEERS, {"certificates": value})
        return sorted(v.user.last_name for v in response.context["page"].object_list)

    assert names("expired") == ["Истёкшая"]
    assert names("lapsing") == ["Истёкшая", "Скорая"]


def test_the_mark_costs_no_query_per_volunteer(
    client, course, almaty_coordinator, django_assert_max_num_queries
):
    for n in range(30):
        member = make_member(level_slug="volunteer", email=f"many{n}@example.kz")
        certificate_of(member.user, course, expires_in=timedelta(days=n - 15))
    client.force_login(almaty_coordinator)

    # As many as the list costs without the mark (tests/certification/coordination), plus one
    # for the courses the levels ask for.
    with django_assert_max_num_queries(15):
        response = client.get(VOLUNTEERS)

    marks = [volunteer.recertification for volunteer in response.context["page"].object_list]
    assert marks.count("expired") == 16 and marks.count("expiring") == 14


def test_coordinators_of_another_branch_see_nothing_of_it(client, course):
    member = make_member(level_slug="volunteer", branch_slug="almaty", last_name="Истёкшая")
    certificate_of(member.user, course, expires_in=timedelta(days=-1))
    client.force_login(make_coordinator(branch_slug="shymkent", email="c.shymkent@example.kz"))

    page = html_of(client.get(VOLUNTEERS, {"certificates": "lapsing"}))

    assert "Истёкшая" not in page
    assert "tag--expired" not in page
    assert client.get(f"/ru/coordination/volunteers/{member.pk}/").status_code == 404


def test_the_volunteers_page_names_the_expired_certificate_and_its_refresher(
    client, course, refresher, almaty_coordinator
):
    member = make_member(level_slug="volunteer")
    certificate = certificate_of(member.user, course, expires_in=timedelta(days=-1))
    client.force_login(almaty_coordinator)

    page = text_of(client.get(f"/ru/coordination/volunteers/{member.pk}/"))

    date = format_date(certificate.expires_at, "ru").replace("\xa0", " ")
    assert f"Сертификат по курсу «Первая помощь» истёк {date} " in page
    assert "Повторный курс: «Первая помощь: повторный курс»." in page
