"""The course catalogue at scale: a page of courses in a fixed number of queries, and search in
the courses' own languages (stemmed where PostgreSQL can)."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.selectors import forget_catalogue
from tests.factories import make_course

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="stemming is PostgreSQL full-text search's (set DATABASE_URL=postgres://…)",
)


def titles(client, url, **params):
    html = client.get(url, params).content.decode()
    return set(re.findall(r'course-card__title"><a href="[^"]+">([^<]+)<', html))


def translate(course, language_code, title):
    from wagtail.models import Locale

    locale = Locale.objects.get_or_create(language_code=language_code)[0]
    translation = course.copy_for_translation(locale, copy_parents=True)
    translation.title = title
    translation.save_revision().publish()
    return translation


@pytest.fixture
def cover(settings, tmp_path):
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image
    from wagtail.models import Collection

    settings.MEDIA_ROOT = tmp_path
    Collection.get_first_root_node() or Collection.add_root(name="Root")
    buffer = io.BytesIO()
    PILImage.new("RGB", (960, 540), "#c0392b").save(buffer, "PNG")
    return Image.objects.create(title="Cover", file=ImageFile(buffer, name="cover.png"))


def test_the_catalogue_takes_the_same_queries_for_3_courses_as_for_25(client, cover):
    from wagtail.images.models import Image

    def add_courses(start, stop):
        for n in range(start, stop):
            image = Image.objects.create(title=f"Cover {n}", file=cover.file.name)
            course = make_course(
                f"Перевязка ран {n}", slug=f"dressing-{n}", n_lessons=0, cover_image=image
            )
            translate(course, "kk", f"Жараны таңу {n}")

    def queries(url, **params):
        client.get(url, params)  # the first look at a cover makes its rendition
        forget_catalogue()  # measured as the first visitor after a change finds it
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured)

    add_courses(0, 3)
    catalogue = make_course("Донорство", slug="donation", n_lessons=0).get_parent()
    requests = [{}, {"direction": "first-aid", "level": "newcomer"}, {"q": "перевязка"}]
    few = [queries(catalogue.url, **params) for params in requests]
    add_courses(3, 25)
    many = [queries(catalogue.url, **params) for params in requests]

    assert many == few
    assert len(titles(client, catalogue.url)) == 24  # one page of the 26 courses


def test_the_catalogue_pages_through_every_course_once(client):
    catalogue = None
    for n in range(30):
        catalogue = make_course(f"Курс {n}", slug=f"course-{n}", n_lessons=0).get_parent()

    first = titles(client, catalogue.url)
    html = client.get(catalogue.url).content.decode()
    (next_link,) = re.findall(r'href="([^"]+)" rel="next"', html)
    second = titles(client, catalogue.url + next_link.replace("&amp;", "&"))

    assert len(first) == 24 and len(second) == 6
    assert first | second == {f"Курс {n}" for n in range(30)}
    assert "30 курсов" in client.get(catalogue.url).content.decode()


def test_a_course_is_found_by_its_new_title_once_published(client):
    course = make_course("Донорство: основы", slug="donation", n_lessons=0)
    catalogue = course.get_parent()
    course.title = "Переливание плазмы"
    revision = course.save_revision()

    assert titles(client, catalogue.url, q="плазмы") == set()

    revision.publish()

    assert titles(client, catalogue.url, q="плазмы") == {"Переливание плазмы"}
    assert titles(client, catalogue.url, q="донорство") == set()


@postgresql_only
def test_russian_search_finds_a_course_by_another_form_of_its_words(client):
    catalogue = make_course("Перевязка ран", slug="dressing", n_lessons=0).get_parent()
    make_course("Донорство крови", slug="donation", n_lessons=0)

    assert titles(client, catalogue.url, q="перевязки") == {"Перевязка ран"}
    assert titles(client, catalogue.url, q="раны") == {"Перевязка ран"}


@postgresql_only
def test_kazakh_search_finds_the_kazakh_course_in_the_kazakh_catalogue(client):
    course = make_course("Перевязка ран", slug="dressing", n_lessons=0)
    kk = translate(course, "kk", "Жараларды таңу")
    make_course("Донорство крови", slug="donation", n_lessons=0)
    kk_catalogue = kk.get_parent().url

    # Without a Kazakh stemmer a word finds the words it begins: "жара" (a wound) finds
    # "жараларды" (the wounds, accusative), and the course shows in its Kazakh version.
    assert titles(client, kk_catalogue, q="жараларды") == {"Жараларды таңу"}
    assert titles(client, kk_catalogue, q="жара") == {"Жараларды таңу"}
    assert titles(client, kk_catalogue, q="перевязки") == {"Жараларды таңу"}


def test_the_catalogue_is_read_once_for_everyone_until_something_it_shows_changes(client):
    from certification.models import Direction

    catalogue = make_course("Перевязка ран", slug="dressing", n_lessons=0).get_parent()
    client.get(catalogue.url)
    with CaptureQueriesContext(connection) as captured:
        client.get(catalogue.url)
    assert not any('"courses_coursepage"' in query["sql"] for query in captured)

    direction = Direction.objects.get(slug="first-aid")
    direction.name_ru = "Первая помощь и уход"
    direction.save()
    assert "Первая помощь и уход" in client.get(catalogue.url).content.decode()

    make_course("Донорство крови", slug="donation", n_lessons=0)
    assert titles(client, catalogue.url) == {"Перевязка ран", "Донорство крови"}


def test_the_next_page_keeps_the_filters_and_nothing_else_of_the_address(client):
    catalogue = None
    for n in range(26):
        catalogue = make_course(f"Курс {n}", slug=f"course-{n}", n_lessons=0).get_parent()

    html = client.get(catalogue.url, {"level": "newcomer", "utm": "<x>"}).content.decode()
    (next_link,) = re.findall(r'href="([^"]+)" rel="next"', html)

    assert next_link == "?level=newcomer&amp;page=2"


def test_a_search_is_not_kept_for_the_next_visitor(client):
    from django.core.cache import cache
    from django.core.cache.utils import make_template_fragment_key

    from courses.selectors import catalogue_version

    catalogue = make_course("Перевязка ран", slug="dressing", n_lessons=0).get_parent()
    client.get(catalogue.url)
    client.get(catalogue.url, {"q": "перевязка"})

    def fragment(page_number):
        # The fragment's key as the template makes it: version, catalogue, language, the three
        # filters, the page (0 for what is not kept).
        vary_on = [catalogue_version(), catalogue.pk, "ru", "", "", "", page_number]
        return cache.get(make_template_fragment_key("course_catalogue", vary_on))

    assert fragment(1) is not None  # the plain list, kept for everyone
    assert fragment(0) is None  # the search, read for its visitor alone
    assert titles(client, catalogue.url, q="перевязка") == {"Перевязка ран"}
