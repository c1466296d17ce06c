"""Recertification on a phone and a laptop: the member's path says their first-aid certificate
expired and links the refresher, the coordinator's list marks them, and the old certificate's
verify page points to the one that renewed it."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from certification.models import Branch, Direction, Level, LevelRequirement, Renewal, Skill
from certification.reference import (
    ensure_branches_and_skills,
    ensure_level_rules,
    ensure_reference_data,
)
from tests.certification.recertification.conftest import certificate_of
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_sideways_scroll,
    close,
    new_page,
    screenshot,
)
from tests.e2e.test_progression import log_in
from tests.factories import make_coordinator, make_course, make_member, make_newcomer_course

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def first_aid(db):
    ensure_reference_data(Direction, Level)
    ensure_branches_and_skills(Branch, Skill, Direction)
    ensure_level_rules(Level, LevelRequirement, Direction, Skill)
    course = make_course("Первая помощь", slug="first-aid", certificate_validity_months=24)
    make_newcomer_course(course)
    refresher = make_course(
        "Первая помощь: повторный курс", slug="first-aid-refresher", certificate_validity_months=24
    )
    course.refresher_course = refresher
    course.save()
    return course


def test_an_expired_requirement_shows_on_the_path_the_list_and_the_verify_page(
    live_server, first_aid, browser, password
):
    base = live_server.url
    member = make_member(level_slug="volunteer", last_name="Ахметова", first_name="Дана")
    old = certificate_of(member.user, first_aid, expires_in=timedelta(days=-12))
    other = make_member(level_slug="volunteer", last_name="Нурланова", email="other@example.kz")
    certificate_of(other.user, first_aid, expires_in=timedelta(days=25))
    coordinator = make_coordinator(branch_slug="almaty", email="coordinator@example.kz")

    for language, heading in (
        ("ru", "Продлите сертификаты"),
        ("kk", "Сертификаттарыңызды жаңартыңыз"),
    ):
        for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page = new_page(browser, viewport, language)
            log_in(page, base, member.user.email, password, "/ru/volunteer/")
            page.goto(f"{base}/{language}/volunteer/")
            notice = page.locator(".recertification")
            expect(notice.get_by_role("heading", name=heading)).to_be_visible()
            expect(notice.get_by_role("link")).to_have_attribute(
                "href", first_aid.refresher_course.get_url()
            )
            assert_no_sideways_scroll(page)
            assert_accessible(page)
            screenshot(page, f"recertification-path-{language}-{name}")
            close(page)

    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = new_page(browser, viewport)
        log_in(page, base, coordinator.email, password, "/ru/coordination/volunteers/")
        expect(page.locator(".tag--expired")).to_have_count(1)
        expect(page.locator(".tag--expiring")).to_have_count(1)
        page.get_by_label("Сертификаты").select_option("expired")
        page.get_by_role("button", name="Показать").click()
        expect(page.get_by_text("Нурланова")).to_have_count(0)
        expect(page.get_by_role("link", name="Ахметова Дана")).to_be_visible()
        assert_no_sideways_scroll(page)
        assert_accessible(page)
        screenshot(page, f"recertification-volunteers-{name}")
        close(page)

    new = certificate_of(member.user, first_aid.refresher_course, expires_in=timedelta(days=730))
    Renewal.objects.create(old=old, new=new)
    for language in ("ru", "kk"):
        page = new_page(browser, PHONE, language)
        page.goto(f"{base}/verify/{old.public_code}/?lang={language}")
        link = page.get_by_role("link", name=new.public_code)
        expect(link).to_be_visible()
        link.click()
        expect(page.locator(".verdict--valid")).to_be_visible()
        page.go_back()
        assert_accessible(page)
        screenshot(page, f"recertification-verify-{language}-phone")
        close(page)
