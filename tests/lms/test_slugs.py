"""Pages titled in Russian or Kazakh get readable Latin slugs; their titles stay Cyrillic and the
slugs pages already have are kept."""

import pytest

from courses.models import CataloguePage, CoursePage
from lms.slugs import EDITOR_FORMATTERS, LatinSlugInput, latin_slug
from tests.factories import catalogue_page, home_page, make_course

KAZAKH_LETTERS = "Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі"


def test_kazakh_titles_become_latin_slugs_with_every_kazakh_letter_transliterated():
    assert latin_slug("Алғашқы көмек") == "alghashqy-komek"
    assert latin_slug(KAZAKH_LETTERS) == "aa-ghgh-qq-ngng-oo-uu-uu-hh-ii"


def test_russian_titles_become_latin_slugs():
    assert latin_slug("Первая помощь: базовый курс") == "pervaya-pomoshch-bazovyy-kurs"
    assert latin_slug("Съезд волонтёров, Щучинск") == "sezd-volonterov-shchuchinsk"


def editor_transliteration(text):
    """What Wagtail's editor does with these formatters before its own slugify: each pattern,
    every match, case ignored (the flags Wagtail's get_js_regex gives them)."""
    for pattern, latin in EDITOR_FORMATTERS:
        text = pattern.sub(latin, text)
    return text


def test_the_editor_transliterates_cyrillic_as_the_server_does():
    title = f"Алғашқы көмек: {KAZAKH_LETTERS} Съезд, ЩУКА, ёж"

    assert latin_slug(editor_transliteration(title)) == latin_slug(title)
    assert editor_transliteration(title).isascii()


@pytest.mark.django_db
def test_a_page_created_without_a_slug_gets_its_title_in_latin_letters():
    course = make_course("Алғашқы көмек", slug="first-aid")

    page = catalogue_page().add_child(
        instance=CoursePage(
            title="Алғашқы көмек",
            summary="Негіздер.",
            direction=course.direction,
            target_level=course.target_level,
        )
    )

    page.refresh_from_db()
    assert page.slug == "alghashqy-komek"
    assert page.title == "Алғашқы көмек"
    assert page.url.endswith("/alghashqy-komek/")


@pytest.mark.django_db
def test_a_second_page_with_the_same_title_gets_a_numbered_slug():
    home = home_page()
    home.add_child(instance=CataloguePage(title="Курсы"))

    second = home.add_child(instance=CataloguePage(title="Курсы"))

    assert second.slug == "kursy-2"


@pytest.mark.django_db
def test_a_page_keeps_the_slug_it_was_given_even_in_cyrillic():
    course = make_course("Первая помощь", slug="первая-помощь")
    course.title = "Первая помощь: базовый курс"

    course.save_revision().publish()

    course.refresh_from_db()
    assert course.slug == "первая-помощь"


@pytest.mark.django_db
def test_the_page_editor_offers_the_latin_slug_input(admin_client):
    from wagtail.admin.panels import get_edit_handler

    form_class = get_edit_handler(CoursePage).get_form_class()

    assert isinstance(form_class.base_fields["slug"].widget, LatinSlugInput)
    assert "data-w-slug-formatters-value" in form_class.base_fields["slug"].widget.attrs
