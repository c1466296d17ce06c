"""A newcomer applies on a phone, passes the newcomer course and gets the badge; a coordinator
confirms the hours they log; they are promoted and the level certificate verifies."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from certification.models import (
    Branch,
    Certificate,
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
from tests.e2e.conftest import screenshot
from tests.factories import make_coordinator, make_course, make_newcomer_course
from tests.workers import TEST_QUEUE, wait_until, worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def movement(db):
    """Reference data as migrations leave it (browser tests flush it), a one-lesson newcomer
    course, and a senior level that asks for 4 confirmed hours."""
    ensure_reference_data(Direction, Level)
    ensure_branches_and_skills(Branch, Skill, Direction)
    ensure_level_rules(Level, LevelRequirement, Direction, Skill)
    course = make_course("Курс новичка", slug="newcomer-course")
    make_newcomer_course(course)
    senior = Level.objects.get(slug="senior-volunteer")
    senior.requirements.all().delete()
    LevelRequirement.objects.create(level=senior, kind="hours", hours=4)
    Level.objects.filter(pk=senior.pk).update(min_months_at_previous=0)
    return course


def log_in(page, base, email, password, next_url):
    page.goto(f"{base}/ru/accounts/login/?next={next_url}")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base}{next_url}")


def test_a_newcomer_climbs_to_senior_volunteer(live_server, movement, phone, desktop, password):
    base = live_server.url
    coordinator = make_coordinator(branch_slug="shymkent", email="coordinator@example.kz")

    # The application, on a phone.
    phone.goto(f"{base}/ru/volunteer/join/")
    phone.get_by_label("Адрес электронной почты").fill("dana@example.kz")
    phone.locator("[name=account-password1]").fill(password)
    phone.locator("[name=account-password2]").fill(password)
    phone.get_by_label("Фамилия").fill("Ахметова")
    phone.get_by_label(re.compile(r"^Имя")).fill("Дана")
    phone.get_by_label("Телефон").fill("+7 701 111 22 33")
    phone.get_by_label("Город или населённый пункт").fill("Шымкент")
    phone.get_by_label(re.compile(r"^Отделение")).select_option(label="Шымкент")
    phone.get_by_label("Первая помощь").check()
    phone.get_by_label("Почему вы хотите стать волонтёром?").fill("Хочу помогать людям.")
    phone.get_by_label("Я согласен(на)").check()
    screenshot(phone, "join-filled-phone")
    phone.get_by_role("button", name="Отправить заявку").click()
    expect(phone.get_by_role("heading", name="Проверьте почту")).to_be_visible()

    # The link from the email confirms the address and logs in.
    (message,) = mail.outbox
    phone.goto(re.search(r"https?://\S+", message.body).group(0))
    phone.get_by_label("Пароль, который вы выбрали при регистрации").fill(password)
    phone.get_by_role("button", name="Подтвердить и войти").click()
    phone.wait_for_url(f"{base}/ru/volunteer/")
    expect(phone.locator(".ladder__step--current").get_by_text("Новичок")).to_be_visible()
    screenshot(phone, "path-newcomer-phone")

    # The newcomer course, linked from the path.
    phone.get_by_role("link", name="Пройден курс «Курс новичка»").click()
    phone.get_by_role("button", name="Записаться бесплатно").click()
    phone.get_by_role("button", name="Урок прочитан").click()
    phone.goto(f"{base}/ru/volunteer/")
    expect(phone.locator(".ladder__step--current").get_by_text("Волонтёр")).to_be_visible()

    with worker(TEST_QUEUE):
        badge = Certificate.objects.get(
            holder__email="dana@example.kz", kind=Certificate.Kind.BADGE
        )
        wait_until(lambda: Certificate.objects.get(pk=badge.pk).status == "issued", what="badge")

        # Hours logged by the volunteer...
        phone.goto(f"{base}/ru/volunteer/hours/")
        phone.get_by_label("Мероприятие").fill("Шымкентский полумарафон")
        phone.get_by_label(re.compile(r"^Часы")).fill("4")
        phone.get_by_role("button", name="Записать часы").click()
        expect(phone.get_by_text("ожидает подтверждения").first).to_be_visible()

        # ...confirmed by the coordinator of their branch.
        log_in(desktop, base, coordinator.email, password, "/ru/coordination/hours/")
        expect(desktop.get_by_text("Шымкентский полумарафон", exact=True)).to_be_visible()
        screenshot(desktop, "coordinator-hours-queue-desktop")
        desktop.get_by_role("button", name="✓ Подтвердить", exact=True).click()
        desktop.wait_for_load_state()

        phone.goto(f"{base}/ru/volunteer/")
        expect(
            phone.locator(".ladder__step--current").get_by_text("Опытный волонтёр")
        ).to_be_visible()
        screenshot(phone, "path-promoted-phone")
        level_certificate = Certificate.objects.get(
            holder__email="dana@example.kz",
            kind=Certificate.Kind.LEVEL,
            level__slug="senior-volunteer",
        )
        wait_until(
            lambda: Certificate.objects.get(pk=level_certificate.pk).status == "issued",
            what="level certificate",
        )

    phone.goto(f"{base}/verify/{level_certificate.public_code}/")
    expect(phone.locator(".verdict--valid")).to_be_visible()
    expect(phone.get_by_text("Ахметова Дана")).to_be_visible()
    expect(phone.get_by_text("Опытный волонтёр").first).to_be_visible()
    screenshot(phone, "verify-level-certificate-phone")
