"""Wagtail's page editor proposes readable Latin slugs as an instructor types a Russian or
Kazakh title (lms/slugs.py gives its slug field the server's transliteration)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import DEFAULT_PASSWORD, UserFactory, home_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor_page(live_server, desktop):
    home = home_page()
    UserFactory(email="editor@example.kz", is_staff=True, is_superuser=True)
    desktop.goto(f"{live_server.url}/admin/login/")
    desktop.locator("#id_username").fill("editor@example.kz")
    desktop.locator("#id_password").fill(DEFAULT_PASSWORD)
    desktop.locator("#id_password").press("Enter")
    expect(desktop.locator("#id_password")).to_have_count(0)
    desktop.goto(f"{live_server.url}/admin/pages/add/courses/cataloguepage/{home.pk}/")
    return desktop


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "Алғашқы көмек: Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі",
            "alghashqy-komek-aa-ghgh-qq-ngng-oo-uu-uu-hh-ii",
        ),
        ("Первая помощь: базовый курс", "pervaya-pomoshch-bazovyy-kurs"),
    ],
)
def test_the_editor_proposes_a_latin_slug_for_a_cyrillic_title(editor_page, title, slug):
    editor_page.locator("#id_title").fill(title)
    editor_page.locator("#id_title").blur()

    expect(editor_page.locator("#id_slug")).to_have_value(slug)
    editor_page.get_by_role("tab", name="Продвижение").click()
    expect(editor_page.locator("#id_slug")).to_be_visible()
    screenshot(editor_page, f"slug-editor-{slug[:12]}-desktop")


def test_a_slug_typed_in_cyrillic_is_transliterated_when_the_field_is_left(editor_page):
    editor_page.get_by_role("tab", name="Продвижение").click()
    editor_page.locator("#id_slug").fill("Донорлық күні")
    editor_page.locator("#id_slug").blur()

    expect(editor_page.locator("#id_slug")).to_have_value("donorlyq-kuni")
