"""The Content-Security-Policy blocks nothing Komek needs: learner pages, the verify page, the
API docs, coordination and the Wagtail admin all work under it. Every browser test also fails
on any violation chromium reports (tests/e2e/conftest.py); this one walks the pages the other
tests do not reach, with the demo content `make run` creates."""

import re

import pytest
from playwright.sync_api import expect

from certification.models import Certificate
from courses.models import LessonPage

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, base, email, password, next_url):
    page.goto(f"{base}/ru/accounts/login/?next={next_url}")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(re.escape(base) + r"/\w\w/"))


def test_learner_pages_verify_page_and_api_docs_work_under_the_policy(
    live_server, demo_site, phone
):
    base = live_server.url
    log_in(phone, base, "learner@komek.local", "komek-learner", "/ru/learning/")
    for path in ("/ru/", "/ru/courses/", "/ru/courses/first-aid-basics/", "/ru/volunteer/"):
        response = phone.goto(f"{base}{path}")
        assert response.status == 200, path
    phone.goto(f"{base}/ru/courses/first-aid-basics/")
    phone.get_by_role("button", name="Записаться бесплатно").click()
    phone.goto(f"{base}/ru/courses/first-aid-basics/cpr/")
    # The lesson's video player and its progress script run.
    expect(phone.locator("video").first).to_be_visible()
    expect(phone.locator("[data-watched-bar]").first).to_be_attached()

    code = Certificate.objects.filter(holder__email="learner@komek.local").first().public_code
    phone.goto(f"{base}/verify/{code}/")
    expect(phone.get_by_text(code).first).to_be_visible()

    phone.goto(f"{base}/api/v1/docs")
    # Swagger UI is drawn by its script, from Komek's own static files.
    expect(phone.locator(".swagger-ui .info")).to_be_visible()
    assert phone.csp_violations == []


def test_coordination_and_the_wagtail_admin_work_under_the_policy(live_server, demo_site, desktop):
    base = live_server.url
    log_in(desktop, base, "coordinator@komek.local", "komek-coordinator", "/ru/coordination/")
    for path in ("/ru/coordination/statistics/", "/ru/coordination/volunteers/"):
        assert desktop.goto(f"{base}{path}").status == 200, path
    desktop.context.clear_cookies()

    desktop.goto(f"{base}/admin/login/")
    desktop.locator("#id_username").fill("admin@komek.local")
    desktop.locator("#id_password").fill("komek-admin")
    desktop.locator("button[type=submit]").click()
    expect(desktop.locator(".w-dashboard, main").first).to_be_visible()

    # The page editor: its StreamField, panels and side panels are all script-driven.
    lesson = LessonPage.objects.get(slug="cpr", locale__language_code="ru")
    desktop.goto(f"{base}/admin/pages/{lesson.pk}/edit/")
    expect(desktop.locator("[data-streamfield-stream-container]").first).to_be_visible()
    desktop.get_by_role("button", name=re.compile("Вставить блок|Insert a block")).first.click()
    expect(desktop.locator(".w-combobox, [role=listbox]").first).to_be_visible()
    desktop.keyboard.press("Escape")

    desktop.goto(f"{base}/admin/images/")
    expect(desktop.locator("main")).to_be_visible()
    desktop.goto(f"{base}/admin/certificates/")
    expect(desktop.locator("main")).to_be_visible()
    assert desktop.csp_violations == []
