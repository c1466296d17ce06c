import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

EXPECTED = {
    "ru": ("Komek — обучение медицинских волонтёров", "Войти"),
    "kk": ("Komek — медициналық волонтерлерді оқыту", "Кіру"),
    "en": ("Komek — training for medical volunteers", "Log in"),
}


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_home_page_loads_in_each_language_on_a_phone(live_server, demo_site, phone, language):
    phone.goto(f"{live_server.url}/{language}/")

    title, login = EXPECTED[language]
    assert phone.locator("html").get_attribute("lang") == language
    assert phone.get_by_role("heading", level=1).inner_text() == title
    expect(phone.get_by_role("link", name=login)).to_be_visible()
    screenshot(phone, f"home-{language}-phone")


def test_language_switcher_takes_the_visitor_to_the_same_page_in_kazakh(
    live_server, demo_site, desktop
):
    desktop.goto(f"{live_server.url}/ru/accounts/login/")

    desktop.get_by_role("button", name="Қазақ").click()

    desktop.wait_for_url(f"{live_server.url}/kk/accounts/login/")
    assert desktop.get_by_role("heading", level=1).inner_text() == "Кіру"
    screenshot(desktop, "login-kk-desktop")
