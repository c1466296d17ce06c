"""Django's and Wagtail's own words on Komek's forms and admin, in Kazakh where their catalogues
have none (they fell back to Russian): lms/upstream_strings.py and lms/locale."""

import html
import re

import pytest
from django.utils import translation
from wagtail.users.models import UserProfile

from tests.factories import UserFactory, catalogue_page

pytestmark = pytest.mark.django_db


def page_text(response):
    return html.unescape(response.content.decode())


WEAK_SIGNUP = {
    "email": "dana@example.kz",
    "last_name": "Омарова",
    "first_name": "Дана",
    "preferred_language": "kk",
    "password1": "12345678",
    "password2": "12345679",
}


def test_the_kazakh_signup_form_explains_the_password_rules_in_kazakh(client):
    text = page_text(client.get("/kk/accounts/signup/"))

    assert "Құпия сөзде кемінде 8 таңба болуы керек." in text
    assert "Құпия сөз тек цифрлардан тұрмауы керек." in text
    assert "Тексеру үшін құпия сөзді тағы бір рет енгізіңіз." in text
    assert "Ваш пароль" not in text and "Для подтверждения" not in text


def test_password_mistakes_on_the_kazakh_signup_form_are_told_in_kazakh(client):
    text = page_text(client.post("/kk/accounts/signup/", WEAK_SIGNUP))

    assert "Екі өрістегі құпия сөздер сәйкес келмейді." in text
    assert "Введенные пароли не совпадают" not in text


def test_a_common_numeric_password_is_refused_in_kazakh(client):
    weak = {**WEAK_SIGNUP, "password2": WEAK_SIGNUP["password1"]}

    text = page_text(client.post("/kk/accounts/signup/", weak))

    assert "Бұл құпия сөз тым жиі қолданылады." in text
    assert "Бұл құпия сөз тек цифрлардан тұрады." in text


def test_a_short_password_and_a_bad_address_are_refused_in_kazakh(client):
    short = {**WEAK_SIGNUP, "email": "dana", "password1": "Жаз-1", "password2": "Жаз-1"}

    text = page_text(client.post("/kk/accounts/signup/", short))

    assert "Бұл құпия сөз тым қысқа: онда кемінде 8 таңба болуы керек." in text
    assert "Жарамды электрондық пошта мекенжайын енгізіңіз." in text


def test_a_wrong_password_at_login_is_told_in_kazakh(client):
    UserFactory(email="dana@example.kz")

    response = client.post(
        "/kk/accounts/login/", {"username": "dana@example.kz", "password": "not-it"}
    )

    text = page_text(response)
    assert "Дұрыс электрондық пошта мекенжайы мен құпия сөзді енгізіңіз." in text
    assert "Пожалуйста" not in text


def test_russian_keeps_djangos_russian():
    with translation.override("ru"):
        assert translation.gettext("The two password fields didn’t match.") == (
            "Введенные пароли не совпадают."
        )


@pytest.fixture
def editor(client):
    def log_in(language):
        user = UserFactory(is_staff=True, is_superuser=True)
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
        client.force_login(user)
        return client

    return log_in


def page_listing_header(client):
    catalogue = catalogue_page()
    page = client.get(f"/admin/pages/{catalogue.get_parent().pk}/").content.decode()
    return header_text(page)


def header_text(page):
    match = re.search(r'<th[^>]*class="[^"]*title[^"]*"[^>]*>(.*?)</th>', page, re.DOTALL)
    assert match, "the listing has no title column"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_admin_page_listing_counts_pages_in_russian(editor):
    header = page_listing_header(editor("ru"))

    assert "страница: 1–1 из 1" in header
    assert " of " not in header


def test_the_admin_page_listing_counts_pages_in_kazakh(editor):
    header = page_listing_header(editor("kk"))

    assert "бет: 1–1, барлығы 1" in header
    assert "страница" not in header


def test_the_admin_listings_pagination_is_in_kazakh(editor):
    catalogue = catalogue_page()

    page = editor("kk").get(f"/admin/pages/{catalogue.get_parent().pk}/").content.decode()

    assert "1-бет, барлығы 1" in page
    assert 'aria-label="Бет ауыстыру"' in page
