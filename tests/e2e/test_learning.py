"""A volunteer on a phone: enrols, watches the video to the end, fails the quiz, passes it on the
second attempt and sees the course completed."""

from pathlib import Path

import pytest
from django.core.files import File
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import UserFactory, make_course, rich

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = Path(__file__).resolve().parents[2] / "demo" / "media"


def question(kind, prompt, **fields):
    value = {"title": "", "prompt": rich(prompt), "points": "1", "feedback": rich("Смотрите урок.")}
    return {"type": kind, "value": {**value, **fields}}


@pytest.fixture
def video_course(db):
    from wagtail.documents.models import Document
    from wagtail.models import Collection
    from wagtailmedia.models import Media

    Collection.get_first_root_node() or Collection.add_root(name="Root")
    with open(DEMO / "cpr-rhythm.webm", "rb") as f:
        video = Media.objects.create(
            title="CPR", type="video", duration=27, file=File(f, "cpr.webm")
        )
    with open(DEMO / "cpr-rhythm.ru.vtt", "rb") as f:
        captions = Document.objects.create(title="CPR captions", file=File(f, "cpr.ru.vtt"))
    body = [
        {"type": "text", "value": rich("Посмотрите видео до конца.")},
        {
            "type": "video",
            "value": {"video": video.pk, "captions": [{"language": "ru", "file": captions.pk}]},
        },
    ]
    questions = [
        question("single_choice", "Темп компрессий?", choices=[
            {"text": "100–120 в минуту", "is_correct": True, "credit": None, "feedback": ""},
            {"text": "60 в минуту", "is_correct": False, "credit": None, "feedback": "Слишком медленно."},
        ]),
        question("true_false", "Компрессии прерывают до приезда скорой.", correct=False),
    ]  # fmt: skip
    return make_course(
        "CPR basics",
        slug="cpr-basics",
        lesson_body=body,
        quiz={
            "pass_mark": 100,
            "max_attempts": 3,
            "feedback_mode": "correct_answers",
            "questions": questions,
        },
    )


def log_in(page, base_url, email, password):
    page.goto(f"{base_url}/ru/accounts/login/")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base_url}/ru/")


def test_a_learner_completes_a_course_on_a_phone(live_server, video_course, phone, password):
    UserFactory(email="dana@example.kz", preferred_language="ru")
    base = live_server.url
    log_in(phone, base, "dana@example.kz", password)

    phone.goto(f"{base}/ru/courses/cpr-basics/")
    phone.get_by_role("button", name="Записаться бесплатно").click()
    phone.wait_for_url(f"{base}/ru/courses/cpr-basics/lesson-1/")
    screenshot(phone, "lesson-video-phone")

    # Plays the real video at double speed (the most the server credits) until it ends.
    phone.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; v.playbackRate = 2; return v.play(); }"
    )
    phone.locator("[data-lesson-done]").wait_for(state="visible", timeout=60_000)
    assert "100%" in phone.locator("[data-watched-label]").inner_text()
    screenshot(phone, "lesson-video-watched-phone")

    phone.get_by_role("link", name="Далее: Тест").click()
    phone.get_by_role("button", name="Начать тест").click()
    phone.get_by_label("60 в минуту").check()
    phone.get_by_label("Неверно", exact=True).check()
    screenshot(phone, "quiz-attempt-phone")
    phone.get_by_role("button", name="Отправить ответы").click()
    expect(phone.get_by_role("heading", name="Тест не сдан")).to_be_visible()
    expect(phone.get_by_text("Правильный ответ: 100–120 в минуту")).to_be_visible()
    screenshot(phone, "quiz-failed-phone")

    phone.get_by_role("button", name="Попробовать ещё раз").click()
    phone.get_by_label("100–120 в минуту").check()
    phone.get_by_label("Неверно", exact=True).check()
    phone.get_by_role("button", name="Отправить ответы").click()
    expect(phone.get_by_role("heading", name="Тест сдан")).to_be_visible()
    expect(phone.get_by_text("Курс пройден!")).to_be_visible()
    screenshot(phone, "quiz-passed-phone")

    phone.goto(f"{base}/ru/learning/")
    expect(phone.get_by_text("Пройден")).to_be_visible()
    screenshot(phone, "my-learning-phone")
