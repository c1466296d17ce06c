import pytest

NAV_LOGIN = {"ru": "Войти", "kk": "Кіру", "en": "Log in"}
HOME_TITLE = {
    "ru": "Komek — обучение медицинских волонтёров",
    "kk": "Komek — медициналық волонтерлерді оқыту",
    "en": "Komek — training for medical volunteers",
}


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_home_page_is_served_in_each_language(client, demo_site, language):
    response = client.get(f"/{language}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert HOME_TITLE[language] in html
    assert NAV_LOGIN[language] in html


def test_root_redirects_to_the_language_the_browser_prefers(client, demo_site):
    response = client.get("/", headers={"accept-language": "kk,ru;q=0.8"})

    assert response.status_code == 302
    assert response["Location"] == "/kk/"


def test_root_redirects_to_russian_by_default(client, demo_site):
    assert client.get("/")["Location"] == "/ru/"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Панель управления"), ("kk", "Панель управления"), ("en", "Dashboard")],
)
def test_wagtail_admin_follows_the_chosen_language(client, demo_site, language, expected):
    """Wagtail has no Kazakh catalogue: its own words fall back to Russian, ours are Kazakh."""
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(email="admin@komek.local")
    client.force_login(admin)
    client.cookies["komek_language"] = language

    response = client.get("/admin/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{language}"' in html
    assert expected in html


def test_kazakh_letters_survive_the_round_trip_through_a_page(client, demo_site):
    html = client.get("/kk/").content.decode()

    assert "медициналық" in html
