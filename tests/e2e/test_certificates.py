"""A volunteer's certificate is prepared by a real worker while they watch, then an employer
checks it on a phone."""

import pytest
from playwright.sync_api import expect

from certification.models import Certificate
from tests.certification.conftest import complete_course
from tests.e2e.conftest import screenshot
from tests.factories import UserFactory
from tests.workers import TEST_QUEUE, wait_until, worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_the_certificate_appears_without_a_reload_and_verifies_on_a_phone(
    live_server, phone, password
):
    holder = UserFactory(email="dana@example.kz")
    complete_course(holder, title="Первая помощь: базовый курс", certificate_validity_months=24)
    certificate = Certificate.objects.get(holder=holder)
    base = live_server.url

    phone.goto(f"{base}/ru/accounts/login/?next=/ru/certificates/")
    phone.get_by_label("Адрес электронной почты").fill("dana@example.kz")
    phone.get_by_label("Пароль").fill(password)
    phone.get_by_role("button", name="Войти").click()
    phone.wait_for_url(f"{base}/ru/certificates/")
    expect(phone.locator("[data-pending]")).to_be_visible()
    screenshot(phone, "certificate-being-prepared-phone")

    with worker(TEST_QUEUE):
        wait_until(
            lambda: Certificate.objects.get(pk=certificate.pk).status == "issued", what="rendering"
        )
        phone.locator("[data-ready]").wait_for(state="visible", timeout=15_000)
    screenshot(phone, "certificate-ready-phone")
    with phone.expect_download() as download:
        phone.locator("[data-pdf-link]").click()
    assert download.value.suggested_filename == f"komek-{certificate.public_code}.pdf"

    employer = phone.context.browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="ru"
    )
    page = employer.new_page()
    page.goto(f"{base}/verify/{certificate.public_code.lower().replace('-', '')}/")
    assert page.url == f"{base}/verify/{certificate.public_code}/"
    expect(page.locator(".verdict--valid")).to_be_visible()
    expect(page.get_by_text("Сейітова Айгерім Бекқызы")).to_be_visible()
    screenshot(page, "verify-valid-phone")
    employer.close()
