"""The language switch lands on a page that exists, and a page keeps its content language while
its interface follows the visitor's choice."""

import pytest

from courses import services
from courses.models import CoursePage, LessonPage
from tests.factories import UserFactory, make_course

SWITCH = "/i18n/setlang/"
FIRST_AID_RU = "/ru/courses/first-aid-basics/"
FIRST_AID_KK = "/kk/courses/first-aid-basics/"

pytestmark = pytest.mark.django_db


def switch(client, language, next_url, **headers):
    return client.post(SWITCH, {"language": language, "next": next_url}, headers=headers)


@pytest.fixture
def russian_only_course(demo_site):
    """A course that exists in Russian only, in the demo's Russian catalogue."""
    return make_course("Сопровождение пациентов", slug="patient-escort", n_lessons=2)


def test_switching_on_a_translated_page_lands_on_its_translation(client, demo_site):
    response = switch(client, "kk", FIRST_AID_RU)

    assert response.status_code == 302
    assert response["Location"] == FIRST_AID_KK


def test_switching_on_a_translated_lesson_lands_on_the_translated_lesson(client, demo_site):
    response = switch(client, "kk", f"{FIRST_AID_RU}cpr/")

    kazakh_lesson = LessonPage.objects.get(slug="cpr", locale__language_code="kk")
    assert response["Location"] == kazakh_lesson.url == f"{FIRST_AID_KK}cpr/"


@pytest.mark.parametrize(
    "browser",
    [{"cookie": "kk"}, {"accept-language": "kk"}, {"cookie": "en"}, {"accept-language": "en"}],
    ids=["kazakh cookie", "kazakh phone", "english cookie", "english phone"],
)
def test_switching_from_a_russian_page_works_whatever_language_the_browser_prefers(
    client, demo_site, browser
):
    """Django's translate_url resolved the /ru/ path in the browser's language and failed."""
    if "cookie" in browser:
        client.cookies["komek_language"] = browser["cookie"]
    headers = (
        {"accept-language": browser["accept-language"]} if "accept-language" in browser else {}
    )

    response = switch(client, "kk", "/ru/courses/", **headers)

    assert response["Location"] == "/kk/courses/"


def test_switching_back_to_russian_from_a_kazakh_page_lands_on_the_russian_page(client, demo_site):
    client.cookies["komek_language"] = "kk"

    response = switch(client, "ru", FIRST_AID_KK)

    assert response["Location"] == FIRST_AID_RU


def test_switching_on_a_single_language_page_stays_on_that_page(client, russian_only_course):
    response = switch(client, "kk", russian_only_course.url)

    assert response["Location"] == "/ru/courses/patient-escort/"


def test_a_single_language_page_shows_its_interface_in_the_chosen_language(
    client, russian_only_course
):
    switch(client, "kk", russian_only_course.url)

    response = client.get(russian_only_course.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="kk">' in html
    assert "Жазылу үшін кіріңіз" in html  # "Log in to enrol"
    assert '<h1 lang="ru">Сопровождение пациентов</h1>' in html


def test_a_single_language_page_says_its_course_is_in_russian_in_the_interface_language(
    client, russian_only_course
):
    client.cookies["komek_language"] = "en"

    html = client.get(russian_only_course.url).content.decode()

    assert "This course is in Russian." in html
    assert "There is no English version yet." in html
    assert '<a href="/en/courses/" hreflang="en">Courses</a>' in html


def test_a_lesson_without_a_translation_points_to_the_nearest_translated_page(
    client, russian_only_course
):
    learner = UserFactory()
    services.enrol(user=learner, course=russian_only_course)
    client.force_login(learner)
    client.cookies["komek_language"] = "kk"
    lesson = LessonPage.objects.child_of(russian_only_course).first()

    html = client.get(lesson.url).content.decode()

    assert "Бұл курс орыс тілінде." in html
    assert '<a href="/kk/courses/" hreflang="kk">Курстар</a>' in html


def test_a_page_read_in_its_own_language_has_no_notice(client, russian_only_course):
    html = client.get(russian_only_course.url).content.decode()

    assert '<html lang="ru">' in html
    assert "content-language" not in html


def test_pages_outside_wagtail_keep_their_path_and_query_under_the_new_prefix(client, demo_site):
    response = switch(client, "kk", "/ru/coordination/volunteers/?q=Дана&page=2")

    assert response["Location"] == "/kk/coordination/volunteers/?q=%D0%94%D0%B0%D0%BD%D0%B0&page=2"


def test_my_path_switches_to_the_same_page_in_kazakh(client, demo_site):
    client.cookies["komek_language"] = "en"

    response = switch(client, "kk", "/ru/volunteer/")

    assert response["Location"] == "/kk/volunteer/"


def test_an_unknown_address_lands_on_the_home_page_in_the_chosen_language(client, demo_site):
    response = switch(client, "kk", "/ru/courses/no-such-course/")

    assert response["Location"] == "/kk/"
    assert client.get("/kk/").status_code == 200


def test_an_address_on_another_host_is_never_the_landing(client, demo_site):
    response = switch(client, "kk", "https://evil.example/ru/courses/")

    assert response["Location"] == "/"


@pytest.mark.parametrize("path", ["//evil.example/", "/\\evil.example/", "//evil.example/ru/"])
def test_our_host_with_a_protocol_relative_path_never_leads_to_another_site(
    client, demo_site, path
):
    response = switch(client, "kk", f"http://testserver{path}")

    assert response["Location"] == "/kk/"


def test_login_never_continues_to_another_site_through_our_host(client, password):
    from tests.factories import UserFactory

    UserFactory(email="asel@example.kz", preferred_language="kk")
    response = client.post(
        "/ru/accounts/login/",
        {
            "username": "asel@example.kz",
            "password": password,
            "next": "http://testserver//evil.example/",
        },
    )

    assert response["Location"] == "/kk/"


def test_the_referring_page_is_the_landing_when_next_is_missing(client, demo_site):
    response = client.post(
        SWITCH, {"language": "kk"}, headers={"referer": f"http://testserver{FIRST_AID_RU}"}
    )

    assert response["Location"] == FIRST_AID_KK


def test_unprefixed_addresses_stay_as_they_are(client, demo_site):
    response = switch(client, "kk", "/verify/")

    assert response["Location"] == "/verify/"
    assert response.cookies["komek_language"].value == "kk"


def test_the_choice_is_kept_in_the_cookie(client, demo_site):
    response = switch(client, "en", FIRST_AID_RU)

    assert response.cookies["komek_language"].value == "en"


def test_switching_to_an_unknown_language_goes_back_without_a_cookie(client, demo_site):
    response = switch(client, "xx", FIRST_AID_RU)

    assert response["Location"] == FIRST_AID_RU
    assert "komek_language" not in response.cookies


def test_the_switch_answers_only_a_post(client, demo_site):
    assert client.get(SWITCH, {"language": "kk", "next": "/ru/"}).status_code == 405


@pytest.fixture
def learner_in_russian(client, demo_site):
    """Signed in, enrolled in the Russian version of the newcomer course."""
    learner = UserFactory()
    course = CoursePage.objects.get(slug="first-aid-basics", locale__language_code="ru")
    services.enrol(user=learner, course=course)
    client.force_login(learner)
    return learner


def test_a_learner_enrolled_in_the_russian_version_keeps_it_when_switching(
    client, learner_in_russian
):
    response = switch(client, "kk", f"{FIRST_AID_RU}cpr/")

    assert response["Location"] == f"{FIRST_AID_RU}cpr/"


def test_a_learner_keeping_the_russian_version_is_offered_the_kazakh_one(
    client, learner_in_russian
):
    client.cookies["komek_language"] = "kk"

    html = client.get(f"{FIRST_AID_RU}cpr/").content.decode()

    assert "Бұл курс орыс тілінде." in html
    assert f'<a href="{FIRST_AID_KK}cpr/" hreflang="kk">Қазақша нұсқасын ашу</a>' in html


def test_a_quiz_attempt_stays_in_its_version(client, demo_site):
    attempt = f"{FIRST_AID_RU}first-aid-basics-quiz/attempt/1/"

    response = switch(client, "kk", attempt)

    assert response["Location"] == attempt


def test_addresses_outside_wagtail_take_their_interface_from_the_prefix(client, demo_site):
    client.cookies["komek_language"] = "kk"

    html = client.get("/ru/accounts/login/").content.decode()

    assert '<html lang="ru">' in html


def test_pages_whose_interface_follows_the_cookie_say_so_to_caches(client, russian_only_course):
    """Every page reads the session (who is signed in) and carries the switch's CSRF token, so
    Django already sends Vary: Cookie; the language cookie relies on it."""
    response = client.get(russian_only_course.url)

    assert "Cookie" in response["Vary"]
