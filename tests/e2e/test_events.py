"""A volunteer signs up on a phone; the coordinator's screen shows the rotating QR code; the
volunteer's phone opens the code's address to check in and, with the next code, out; the
coordinator confirms the event's hours and the volunteer is promoted on My path."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.models import (
    Attendance,
    Branch,
    Direction,
    Level,
    LevelRequirement,
    Skill,
)
from certification.reference import (
    ensure_branches_and_skills,
    ensure_level_rules,
    ensure_reference_data,
)
from tests.e2e.conftest import assert_no_sideways_scroll, axe_violations, screenshot
from tests.factories import make_coordinator, make_event, make_member

pytestmark = pytest.mark.django_db(transaction=True)

# The code changes every 15 seconds; the screen fetches the next one a moment after.
ROTATION_MS = 20_000


@pytest.fixture
def movement(db):
    """Reference data as migrations leave it (browser tests flush it); a senior volunteer needs
    4 confirmed hours and nothing else."""
    ensure_reference_data(Direction, Level)
    ensure_branches_and_skills(Branch, Skill, Direction)
    ensure_level_rules(Level, LevelRequirement, Direction, Skill)
    senior = Level.objects.get(slug="senior-volunteer")
    senior.requirements.all().delete()
    LevelRequirement.objects.create(level=senior, kind="hours", hours=4)
    Level.objects.filter(pk=senior.pk).update(min_months_at_previous=0, requires_approval=False)


def log_in(page, base, email, password, next_url):
    page.goto(f"{base}/ru/accounts/login/?next={next_url}")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base}{next_url}")


def test_a_volunteer_checks_in_and_out_with_the_rotating_code_and_is_promoted(
    live_server, movement, phone, desktop, password
):
    base = live_server.url
    coordinator = make_coordinator(branch_slug="almaty", email="coordinator@example.kz")
    member = make_member(level_slug="volunteer", email="dana@example.kz", first_name="Дана")
    # Under way: started four and a half hours ago, ends in an hour.
    event = make_event(
        by=coordinator,
        starts_in=-timedelta(hours=4, minutes=30),
        hours=5.5,
        capacity=6,
        title="Алматы марафоны: медициналық кезекшілік",
    )
    later = make_event(by=coordinator, title="Донорлық күн", capacity=1)

    # The volunteer signs up on a phone.
    log_in(phone, base, member.user.email, password, "/ru/events/")
    expect(phone.get_by_role("heading", name="Донорлық күн")).to_be_visible()
    screenshot(phone, "events-list-phone")
    assert_no_sideways_scroll(phone)
    phone.get_by_role("link", name="Донорлық күн").click()
    phone.get_by_role("button", name="Записаться").click()
    expect(phone.get_by_text("Вы записаны. До встречи!")).to_be_visible()
    screenshot(phone, "event-detail-phone")
    assert_no_sideways_scroll(phone)
    assert later.sign_ups.get().volunteer == member
    # The shift under way was booked before it started.
    event.sign_ups.create(volunteer=member, status="signed_up")

    # The coordinator opens the check-in screen.
    log_in(desktop, base, coordinator.email, password, f"/ru/coordination/events/{event.pk}/")
    desktop.get_by_role("link", name="Открыть экран отметки").click()
    code = desktop.locator(".check-in-screen")
    expect(code.locator("svg")).to_be_visible()
    screenshot(desktop, "event-check-in-screen-desktop")
    first_url = code.get_attribute("data-check-in-url")

    # The volunteer's phone opens the code's address: checked in.
    # Opening the address asks for a press (a link preview checks nobody in).
    phone.goto(first_url)
    expect(phone.get_by_role("button", name="Отметить приход")).to_be_visible()
    screenshot(phone, "event-check-in-press-phone")
    assert_no_sideways_scroll(phone)
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Отметить приход").click()
    expect(phone.get_by_text("Приход отмечен", exact=True)).to_be_visible()
    screenshot(phone, "event-checked-in-phone")
    # Four hours pass.
    Attendance.objects.filter(sign_up__event=event).update(
        checked_in_at=timezone.now() - timedelta(hours=4)
    )

    # The same code again is a replay; the next code checks out.
    phone.goto(first_url)
    phone.get_by_role("button", name="Отметить уход").click()
    expect(phone.get_by_text("Отметка не принята")).to_be_visible()
    expect(code).not_to_have_attribute("data-check-in-url", first_url, timeout=ROTATION_MS)
    phone.goto(code.get_attribute("data-check-in-url"))
    phone.get_by_role("button", name="Отметить уход").click()
    expect(phone.get_by_text("Уход отмечен", exact=True)).to_be_visible()
    expect(phone.get_by_text("4 ч отправлены координатору")).to_be_visible()
    screenshot(phone, "event-checked-out-phone")

    # The coordinator confirms the event at once; the ladder promotes.
    desktop.goto(f"{base}/ru/coordination/events/{event.pk}/")
    screenshot(desktop, "event-roster-desktop")
    desktop.get_by_role("button", name="Подтвердить часы мероприятия").click()
    expect(desktop.get_by_text("Подтверждено записей: 1.")).to_be_visible()

    phone.goto(f"{base}/ru/volunteer/")
    expect(phone.locator(".ladder__step--current")).to_contain_text("Опытный волонтёр")
    member.refresh_from_db()
    assert member.level.slug == "senior-volunteer"


def test_the_coordinators_event_pages_fit_a_phone(live_server, movement, phone, password):
    base = live_server.url
    coordinator = make_coordinator(branch_slug="almaty", email="coordinator@example.kz")
    event = make_event(by=coordinator, capacity=1, title="Хоспис: беседы с пациентами")
    event.roles.create(name="Сопровождающий", capacity=1)
    for name in ["Айгерім", "Дана"]:
        volunteer = make_member(first_name=name)
        event.sign_ups.create(
            volunteer=volunteer, status="signed_up" if name == "Айгерім" else "waitlisted"
        )
    log_in(phone, base, coordinator.email, password, "/ru/coordination/events/")
    screenshot(phone, "coordination-events-phone")
    assert_no_sideways_scroll(phone)
    for path, name in [
        (f"/ru/coordination/events/{event.pk}/", "event-roster-phone"),
        (f"/ru/coordination/events/{event.pk}/edit/", "event-form-phone"),
        (f"/ru/coordination/events/{event.pk}/check-in/", "event-check-in-screen-phone"),
    ]:
        phone.goto(f"{base}{path}")
        screenshot(phone, name)
        assert_no_sideways_scroll(phone)
    # The coordinator is a member of the branch too: the volunteer's pages, in Kazakh.
    for path, name in [
        ("/kk/events/", "events-list-kk-phone"),
        (f"/kk/events/{event.pk}/", "event-detail-kk-phone"),
    ]:
        phone.goto(f"{base}{path}")
        screenshot(phone, name)
        assert_no_sideways_scroll(phone)
