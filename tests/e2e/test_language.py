"""Switching languages lands on a real page, and a newcomer who reads only Kazakh reaches the
Volunteer level without meeting a word of Russian on the way."""

import re

import pytest
from django.core import mail
from django.utils.html import strip_tags
from playwright.sync_api import expect

from demo.first_aid_course_kk import FIRST_AID_COURSE_KK
from tests.e2e.conftest import DESKTOP, PHONE, close, new_page, screenshot
from tests.factories import make_course

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kazakh_phone(browser):
    """A phone whose browser asks for Kazakh (Accept-Language: kk)."""
    page = new_page(browser, PHONE, language="kk")
    yield page
    close(page)


@pytest.fixture
def kazakh_desktop(browser):
    page = new_page(browser, DESKTOP, language="kk")
    yield page
    close(page)


@pytest.fixture
def russian_only_course(demo_site):
    return make_course("Сопровождение пациентов", slug="patient-escort", n_lessons=2)


def press(page, language_name):
    page.get_by_role("button", name=language_name, exact=True).click()


def test_a_single_language_course_keeps_its_page_and_takes_the_chosen_interface(
    live_server, russian_only_course, phone, desktop
):
    url = f"{live_server.url}/ru/courses/patient-escort/"
    phone.goto(url)

    press(phone, "Қазақ")

    expect(phone.locator("html")).to_have_attribute("lang", "kk")
    assert phone.url == url
    expect(phone.locator(".content-language")).to_contain_text("Бұл курс орыс тілінде.")
    expect(phone.get_by_role("link", name="Жазылу үшін кіріңіз")).to_be_visible()
    heading = phone.get_by_role("heading", level=1)
    expect(heading).to_have_text("Сопровождение пациентов")
    expect(heading).to_have_attribute("lang", "ru")
    screenshot(phone, "language-russian-course-kk-interface-phone")

    # The notice leads to the nearest page that exists in Kazakh: the catalogue.
    phone.locator(".content-language").get_by_role("link", name="Курстар").click()
    expect(phone).to_have_url(f"{live_server.url}/kk/courses/")

    desktop.goto(url)
    press(desktop, "English")
    expect(desktop.locator("html")).to_have_attribute("lang", "en")
    expect(desktop.locator(".content-language")).to_contain_text("This course is in Russian.")
    screenshot(desktop, "language-russian-course-en-interface-desktop")
    press(desktop, "Русский")
    expect(desktop.locator("html")).to_have_attribute("lang", "ru")
    expect(desktop.locator(".content-language")).to_have_count(0)
    assert desktop.url == url


def test_a_kazakh_phone_switches_a_translated_course_to_its_kazakh_version(
    live_server, demo_site, kazakh_phone
):
    """The reported bug: with a Kazakh browser, pressing Қазақ on a /ru/ page did nothing."""
    base = live_server.url
    kazakh_phone.goto(f"{base}/ru/courses/first-aid-basics/")
    expect(kazakh_phone.locator("html")).to_have_attribute("lang", "ru")

    press(kazakh_phone, "Қазақ")

    expect(kazakh_phone).to_have_url(f"{base}/kk/courses/first-aid-basics/")
    expect(kazakh_phone.get_by_role("heading", level=1)).to_have_text("Алғашқы көмек: базалық курс")
    expect(kazakh_phone.locator(".content-language")).to_have_count(0)
    screenshot(kazakh_phone, "language-first-aid-kk-phone")

    press(kazakh_phone, "Русский")
    expect(kazakh_phone).to_have_url(f"{base}/ru/courses/first-aid-basics/")
    expect(kazakh_phone.get_by_role("heading", level=1)).to_have_text("Первая помощь: базовый курс")


def test_pressing_kazakh_again_on_a_russian_page_after_choosing_kazakh_lands_in_kazakh(
    live_server, demo_site, kazakh_desktop
):
    base = live_server.url
    kazakh_desktop.goto(f"{base}/ru/")
    press(kazakh_desktop, "Қазақ")
    expect(kazakh_desktop).to_have_url(f"{base}/kk/")

    kazakh_desktop.goto(f"{base}/ru/courses/")
    press(kazakh_desktop, "Қазақ")

    expect(kazakh_desktop).to_have_url(f"{base}/kk/courses/")
    expect(kazakh_desktop.get_by_role("heading", level=1)).to_have_text("Курстар")
    screenshot(kazakh_desktop, "language-catalogue-kk-desktop")


def answer(page, question):
    """Answers one question of the Kazakh quiz as a learner who knows the course would."""
    kind, value = question["type"], question["value"]
    fieldset = page.locator("fieldset", has_text=strip_tags(value["prompt"]).strip())
    if kind in {"single_choice", "multiple_choice"}:
        for choice in value["choices"]:
            if choice["is_correct"]:
                fieldset.get_by_label(choice["text"], exact=True).check()
    elif kind == "true_false":
        fieldset.get_by_label("Дұрыс" if value["correct"] else "Бұрыс", exact=True).check()
    elif kind == "short_answer":
        fieldset.get_by_role("textbox").fill(value["accepted"][0]["text"])
    elif kind == "numeric":
        fieldset.get_by_role("textbox").fill(value["answers"][0]["value"].replace(".", ","))
    elif kind == "matching":
        for pair in value["pairs"]:
            fieldset.get_by_label(pair["left"], exact=True).select_option(label=pair["right"])
    elif kind == "ordering":
        for position, step in enumerate(value["items"], start=1):
            fieldset.get_by_label(f"«{step}» қадамының нөмірі").select_option(str(position))


def test_a_kazakh_newcomer_reaches_volunteer_in_kazakh(
    live_server, demo_site, kazakh_phone, password
):
    base, phone = live_server.url, kazakh_phone
    course = FIRST_AID_COURSE_KK

    # The application, in Kazakh.
    phone.goto(f"{base}/kk/")
    phone.get_by_role("link", name="Қозғалысқа қосылу").click()
    expect(phone).to_have_url(f"{base}/kk/volunteer/join/")
    phone.locator("[name=account-email]").fill("aru@example.kz")
    phone.locator("[name=account-password1]").fill(password)
    phone.locator("[name=account-password2]").fill(password)
    phone.get_by_label("Тегі").fill("Сәрсенбаева")
    phone.get_by_label(re.compile(r"^Аты")).fill("Ару")
    phone.get_by_label("Телефон").fill("+7 702 333 44 55")
    phone.get_by_label("Қала немесе елді мекен").fill("Алматы")
    phone.get_by_label(re.compile(r"^Филиал")).select_option(label="Алматы")
    phone.get_by_label("Алғашқы көмек").check()
    phone.locator("[name=motivation]").fill("Адамдарға көмектескім келеді.")
    phone.locator("[name=consent]").check()
    phone.get_by_role("button", name="Өтінімді жіберу").click()
    expect(phone.get_by_role("heading", name="Поштаңызды тексеріңіз")).to_be_visible()

    (message,) = mail.outbox
    phone.goto(re.search(r"https?://\S+", message.body).group(0))
    phone.get_by_label("Тіркелу кезінде таңдаған құпиясөзіңіз").fill(password)
    phone.get_by_role("button", name="Растау және кіру").click()
    expect(phone).to_have_url(f"{base}/kk/volunteer/")
    expect(phone.locator(".ladder__step--current")).to_contain_text("Жаңа келген")
    screenshot(phone, "kazakh-newcomer-path-phone")

    # My path names the newcomer course in Kazakh and leads to the Kazakh version.
    phone.get_by_role("link", name=f"«{course['title']}» курсы өтілді").click()
    expect(phone).to_have_url(f"{base}/kk/courses/first-aid-basics/")
    phone.get_by_role("button", name="Тегін жазылу").click()

    for lesson in course["lessons"]:
        expect(phone).to_have_url(f"{base}/kk/courses/first-aid-basics/{lesson['slug']}/")
        expect(phone.get_by_role("heading", level=1)).to_have_text(lesson["title"])
        expect(phone.locator(".content-language")).to_have_count(
            0
        )  # nothing says "this is in Russian"
        if lesson["slug"] == "cpr":
            expect(phone.locator("track[srclang=kk]")).to_have_attribute("default", "")
            screenshot(phone, "kazakh-newcomer-video-lesson-phone")
            # The real video at double speed, the most the server credits, to its end.
            phone.evaluate(
                "() => { const v = document.querySelector('video'); v.muted = true;"
                " v.playbackRate = 2; return v.play(); }"
            )
            done = phone.locator("[data-lesson-done]")
            done.wait_for(state="visible", timeout=60_000)
            done.get_by_role("link", name=re.compile("^Келесі")).click()
            continue
        # Marking a text lesson read leads straight to the next step.
        phone.get_by_role("button", name="Сабақты оқып шықтым").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(course["quiz"]["title"])
    phone.get_by_role("button", name="Тестті бастау").click()
    for question in course["quiz"]["questions"]:
        if question["type"] != "description":
            answer(phone, question)
    screenshot(phone, "kazakh-newcomer-quiz-phone")
    phone.get_by_role("button", name="Жауаптарды жіберу").click()
    expect(phone.get_by_text("Курс аяқталды!")).to_be_visible()
    screenshot(phone, "kazakh-newcomer-quiz-passed-phone")

    phone.goto(f"{base}/kk/volunteer/")
    expect(phone.locator(".ladder__step--current")).to_contain_text("Волонтер")
    expect(phone.locator("html")).to_have_attribute("lang", "kk")
    screenshot(phone, "kazakh-newcomer-volunteer-phone")
