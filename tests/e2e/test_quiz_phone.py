"""The demo's first-aid quiz on a small phone and a laptop: nothing wider than the screen, the
numeric and matching answers inside their cards, questions numbered from 1, blanks confirmed
before the attempt is spent (in the page, and by the server without JavaScript), and an attempt
taken with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from courses import services
from demo.first_aid_course import FIRST_AID_COURSE
from tests.e2e.conftest import (
    ARTIFACTS,
    PHONE,
    assert_accessible,
    assert_no_sideways_scroll,
    close,
    screenshot,
)
from tests.factories import UserFactory, make_course, rich

pytestmark = pytest.mark.django_db(transaction=True)

QUIZ_URL = "/ru/courses/first-aid/quiz/"
N_DEMO_QUESTIONS = 16


def make_quiz(questions):
    quiz = {k: v for k, v in FIRST_AID_COURSE["quiz"].items() if k not in {"title", "slug"}}
    course = make_course("Первая помощь", slug="first-aid", quiz={**quiz, "questions": questions})
    services.enrol(user=UserFactory(email="dana@example.kz"), course=course)
    return course


@pytest.fixture
def demo_quiz(db):
    return make_quiz(FIRST_AID_COURSE["quiz"]["questions"])


@pytest.fixture
def short_quiz(db):
    """A case text, then one question of each kind a keyboard handles differently."""
    by_type = {q["type"]: q for q in FIRST_AID_COURSE["quiz"]["questions"]}
    case = {"type": "description", "value": {"text": rich("Марафон, мужчина упал.")}}
    return make_quiz([case, by_type["single_choice"], by_type["numeric"], by_type["matching"]])


def log_in(page, base, password):
    page.goto(f"{base}/ru/accounts/login/?next={QUIZ_URL}")
    page.get_by_label("Адрес электронной почты").fill("dana@example.kz")
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base}{QUIZ_URL}")


def assert_fits_the_screen(page):
    """scrollWidth <= innerWidth, at the screen's own width: a phone zooms out to show a page
    too wide for it, and innerWidth then grows with the page."""
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner_width == page.viewport_size["width"]
    assert scroll_width <= inner_width
    assert_no_sideways_scroll(page)


def box(locator):
    return locator.bounding_box()


def inside(inner, outer):
    return outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"]


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_quiz_attempt_and_result_fit_the_screen(
    live_server, demo_quiz, password, request, screen
):
    page = request.getfixturevalue(screen)
    log_in(page, live_server.url, password)
    page.get_by_role("button", name="Начать тест").click()

    expect(page.locator(".question__number")).to_have_count(N_DEMO_QUESTIONS)
    assert_fits_the_screen(page)
    numbers = page.locator(".question__number").all_inner_texts()
    assert numbers == [f"{n}." for n in range(1, N_DEMO_QUESTIONS + 1)]
    for card in page.locator(".question--numeric").all():
        field, unit = box(card.locator("input")), box(card.locator(".numeric-answer__unit"))
        assert inside(field, box(card)) and inside(unit, box(card))
        assert field["width"] >= 150
        assert unit["y"] < field["y"] + field["height"]  # beside the box, not under it
    matching = page.locator(".question--matching")
    for select in matching.locator("select").all():
        assert inside(box(select), box(matching))
    page.locator(".question--numeric input").first.fill("110")
    matching.locator("select").first.select_option(index=1)
    screenshot(page, f"quiz-attempt-{screen}")

    page.get_by_role("button", name="Отправить ответы").click()
    confirm = page.locator("[data-confirm-submit]")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text(f"{N_DEMO_QUESTIONS - 2} вопросов без ответа.")
    expect(confirm).to_be_focused()
    assert_fits_the_screen(page)
    assert_accessible(page)
    confirm.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / f"quiz-confirm-blanks-{screen}.png")
    confirm.get_by_role("button", name="Всё равно отправить").click()

    expect(page.get_by_role("heading", name="Тест не сдан")).to_be_visible()
    expect(page.locator(".review__item")).to_have_count(N_DEMO_QUESTIONS)
    assert_fits_the_screen(page)
    screenshot(page, f"quiz-result-{screen}")


def test_without_javascript_the_server_asks_before_spending_the_attempt(
    live_server, short_quiz, browser, password
):
    context = browser.new_context(viewport=PHONE, locale="ru", java_script_enabled=False)
    page = context.new_page()
    page.csp_violations = []
    try:
        log_in(page, live_server.url, password)
        page.get_by_role("button", name="Начать тест").click()
        page.locator(".question--numeric input").fill("110")
        page.get_by_role("button", name="Отправить ответы").click()

        warning = page.locator("#unanswered-warning")
        expect(warning).to_contain_text("2 вопроса без ответа.")
        expect(page.locator(".question--numeric input")).to_have_value("110")
        expect(page.locator(".question--unanswered")).to_have_count(2)
        assert_fits_the_screen(page)
        screenshot(page, "quiz-server-confirm-phone")
        warning.get_by_role("button", name="Всё равно отправить").click()

        expect(page.get_by_role("heading", name=re.compile("Тест (не )?сдан"))).to_be_visible()
    finally:
        close(page)


def tab_to(page, locator, limit=60):
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(locator).to_be_focused()


def test_a_quiz_attempt_works_with_the_keyboard_alone(live_server, short_quiz, desktop, password):
    page = desktop
    log_in(page, live_server.url, password)
    tab_to(page, page.get_by_role("button", name="Начать тест"))
    page.keyboard.press("Enter")

    first_choice = page.locator(".question--single_choice input").first
    tab_to(page, first_choice)
    page.keyboard.press("Space")
    expect(first_choice).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator(".question--numeric input")).to_be_focused()
    page.keyboard.type("110")
    tab_to(page, page.get_by_role("button", name="Отправить ответы"))
    page.keyboard.press("Enter")

    confirm = page.locator("[data-confirm-submit]")
    expect(confirm).to_be_focused()
    expect(confirm).to_contain_text("1 вопрос без ответа.")
    page.keyboard.press("Tab")
    expect(confirm.get_by_role("button", name="Вернуться к вопросам")).to_be_focused()
    page.keyboard.press("Enter")
    first_match = page.locator(".question--matching select").first
    expect(first_match).to_be_focused()
    expect(confirm).to_be_hidden()
    page.keyboard.press("ArrowDown")
    expect(first_match).not_to_have_value("")

    tab_to(page, page.get_by_role("button", name="Отправить ответы"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Тест (не )?сдан"))).to_be_visible()
