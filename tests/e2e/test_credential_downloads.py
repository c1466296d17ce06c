"""A holder takes their certificate away on a phone: the credential in both forms, the baked
badge, and LinkedIn's add-certification form, in Russian and Kazakh."""

import json

import pytest
from playwright.sync_api import expect

from certification.certificates import baking, pipeline
from certification.models import Certificate
from tests.certification.conftest import complete_course
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_sideways_scroll,
    close,
    new_page,
    screenshot,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

LINKEDIN = {"ru": "Добавить в профиль LinkedIn", "kk": "LinkedIn профиліне қосу"}


@pytest.fixture
def holder(live_server, renders, password):
    user = UserFactory(email="dana@example.kz")
    complete_course(user, title="Первая помощь: базовый курс", certificate_validity_months=24)
    pipeline.render(certificate_id=Certificate.objects.get(holder=user).pk)
    return user


def log_in(page, base, language, password):
    page.goto(f"{base}/ru/accounts/login/?next=/ru/certificates/")
    page.get_by_label("Адрес электронной почты").fill("dana@example.kz")
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base}/ru/certificates/")
    if language != "ru":
        page.goto(f"{base}/{language}/certificates/")


def test_the_holder_downloads_the_baked_badge_and_finds_every_form_on_a_phone(
    live_server, holder, phone, password
):
    base = live_server.url
    log_in(phone, base, "ru", password)
    certificate = Certificate.objects.get(holder=holder)

    linkedin = phone.get_by_role("link", name=LINKEDIN["ru"])
    expect(linkedin).to_have_attribute("target", "_blank")
    assert linkedin.get_attribute("href").startswith("https://www.linkedin.com/profile/add?")
    phone.locator("summary").click()
    expect(phone.get_by_role("link", name="PNG")).to_be_visible()
    screenshot(phone, "certificate-credentials-phone-ru")
    assert_no_sideways_scroll(phone)
    assert_accessible(phone)

    with phone.expect_download() as download:
        phone.get_by_role("link", name="PNG").click()
    assert download.value.suggested_filename == f"komek-{certificate.public_code}.png"
    baked = json.loads(baking.extract_png(download.value.path().read_bytes()))
    assert baked["id"] == certificate.verify_url
    assert baked["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_downloads_read_in_kazakh(live_server, holder, browser, password, viewport):
    page = new_page(browser, DESKTOP if viewport == "desktop" else PHONE)
    log_in(page, live_server.url, "kk", password)

    expect(page.get_by_role("link", name=LINKEDIN["kk"])).to_be_visible()
    page.locator("summary").click()
    expect(page.locator(".certificate-item__credentials ul")).to_be_visible()
    screenshot(page, f"certificate-credentials-{viewport}-kk")
    assert_no_sideways_scroll(page)
    close(page)
