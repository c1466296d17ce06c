"""Dates, levels and Django's own words as a Kazakh visitor reads them, on a phone and a laptop:
a certificate's verify page, the sign-up form's password rules, the admin's page listing."""

import datetime

import pytest
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from tests.certification.certificates.test_rendering import make_certificate
from tests.e2e.conftest import DESKTOP, PHONE, close, new_page, screenshot
from tests.factories import DEFAULT_PASSWORD, UserFactory, catalogue_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kazakh(browser):
    pages = []

    def open_page(viewport):
        page = new_page(browser, viewport, language="kk")
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        close(page)


@pytest.fixture
def course_certificate(db):
    from certification.models import Certificate, Direction, Level
    from certification.reference import ensure_reference_data

    ensure_reference_data(Direction, Level)  # an earlier browser test may have flushed them

    return make_certificate(
        status=Certificate.Status.ISSUED,
        issued_at=datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC),
        expires_at=datetime.datetime(2028, 12, 2, 9, 30, tzinfo=datetime.UTC),
    )


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_verify_page_in_kazakh(live_server, kazakh, course_certificate, viewport, size):
    page = kazakh(viewport)

    page.goto(f"{live_server.url}/verify/{course_certificate.public_code}/")

    record = page.locator(".record")
    expect(record).to_contain_text("Курс деңгейі")
    expect(record).to_contain_text("Жаңа келген")
    expect(record).to_contain_text("2026\u00a0ж. 23 қараша")
    expect(page.locator(".verdict")).to_contain_text("2028\u00a0ж. 2 желтоқсан")
    screenshot(page, f"verify-course-level-kk-{size}")


def test_the_kazakh_signup_form_states_the_password_rules_in_kazakh(live_server, kazakh):
    page = kazakh(PHONE)
    page.goto(f"{live_server.url}/kk/accounts/signup/")

    page.locator("#id_password1").fill("12345678")
    page.locator("#id_password2").fill("12345679")
    page.locator("#id_password2").press("Enter")

    expect(page.get_by_text("Екі өрістегі құпия сөздер сәйкес келмейді.")).to_be_visible()
    expect(page.get_by_text("Құпия сөзде кемінде 8 таңба болуы керек.")).to_be_visible()
    screenshot(page, "signup-password-rules-kk-phone")


def test_the_admin_page_listing_counts_pages_in_kazakh(live_server, kazakh):
    catalogue = catalogue_page()
    editor = UserFactory(email="editor@example.kz", is_staff=True, is_superuser=True)
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "kk"
    profile.save()
    page = kazakh(DESKTOP)
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("editor@example.kz")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("#id_password")).to_have_count(0)

    page.goto(f"{live_server.url}/admin/pages/{catalogue.get_parent().pk}/")

    expect(page.locator("thead").first).to_contain_text("бет: 1–1, барлығы 1")
    screenshot(page, "admin-page-listing-kk-desktop")
