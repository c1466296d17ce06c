"""What learners read on course pages in Russian, Kazakh and English: points, scores, pass marks
and dates as each language writes them; no points on an ungraded knowledge check."""

import datetime
import html
import re

import pytest
from wagtail.models import Locale

from courses import services
from courses.blocks import LessonStreamBlock, stream_from_raw
from courses.models import Enrolment, LessonPage, QuizPage
from tests.factories import UserFactory, make_course, rich

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
POINTS_WORD = {"ru": "Баллы", "kk": "Ұпай", "en": "Points"}


def question(points="1.5"):
    choices = [
        {"text": "103", "is_correct": True, "credit": None, "feedback": ""},
        {"text": "102", "is_correct": False, "credit": None, "feedback": ""},
    ]
    value = {"title": "", "prompt": rich("Куда звонить?"), "points": points, "feedback": ""}
    return {"type": "single_choice", "value": {**value, "choices": choices}}


def in_language(page, language):
    """`page` and its children in `language` (the Russian original for "ru"), published."""
    if language == "ru":
        return page
    locale, _ = Locale.objects.get_or_create(language_code=language)
    translation = page.copy_for_translation(locale, copy_parents=True)
    translation.save_revision().publish()
    for child in page.get_children().specific():
        child.copy_for_translation(locale).save_revision().publish()
    return type(page).objects.get(pk=translation.pk)


def text_of(response):
    assert response.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"[ \t\r\n]+", " ", text)  # no-break spaces stay: they are what is printed


@pytest.fixture
def learner(client):
    user = UserFactory()
    client.force_login(user)
    return user


def course_in(language, learner, **fields):
    course = in_language(make_course(slug=f"fa-{language}", **fields), language)
    services.enrol(user=learner, course=course)
    return course


def child(course, model):
    return model.objects.child_of(course).get()


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_an_ungraded_knowledge_check_shows_no_points(client, learner, language):
    check = {"type": "knowledge_check", "value": [question()]}
    body = stream_from_raw(LessonStreamBlock(), [check])
    course = course_in(language, learner, lesson_body=body)

    page = client.get(child(course, LessonPage).url).content.decode()

    assert "data-knowledge-check" in page
    assert "question__points" not in page
    assert f"{POINTS_WORD[language]}:" not in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Баллы: 1,5"), ("kk", "Ұпай: 1,5"), ("en", "Points: 1.5")],
)
def test_quiz_questions_show_their_points_as_the_language_writes_them(
    client, learner, language, expected
):
    course = course_in(language, learner, quiz={"questions": [question()], "pass_mark": 80})
    quiz = child(course, QuizPage)
    attempt = services.start_attempt(user=learner, quiz=quiz)

    assert expected in text_of(client.get(f"{quiz.url}attempt/{attempt.number}/"))


@pytest.mark.parametrize(
    ("language", "score", "sentence"),
    [
        ("ru", f"0{NBSP}%", f"Баллы: 0 из 1,5; проходной балл — 80{NBSP}%."),
        ("kk", "0%", "Ұпай: 0 / 1,5; өту шегі — 80%."),
        ("en", "0%", "0 of 1.5 points; pass mark 80%."),
    ],
)
def test_the_quiz_result_writes_score_and_pass_mark_as_the_language_does(
    client, learner, language, score, sentence
):
    course = course_in(language, learner, quiz={"questions": [question()], "pass_mark": 80})
    quiz = child(course, QuizPage)
    attempt = services.submit_attempt(
        attempt=services.start_attempt(user=learner, quiz=quiz), form={}
    )

    result = client.get(f"{quiz.url}attempt/{attempt.number}/result/").content.decode()

    assert f'<p class="result__score">{score}</p>' in html.unescape(result)
    assert sentence in text_of(client.get(f"{quiz.url}attempt/{attempt.number}/result/"))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", f"Пройден 2 декабря 2026{NBSP}г."),
        ("kk", f"Аяқталған күні: 2026{NBSP}ж. 2 желтоқсан"),
        ("en", "Completed on 2 December 2026"),
    ],
)
def test_a_completed_course_gives_its_date_as_the_language_writes_it(
    client, learner, language, expected
):
    course = course_in(language, learner)
    Enrolment.objects.filter(user=learner, course=course).update(
        completed_at=datetime.datetime(2026, 12, 2, 10, tzinfo=datetime.UTC)
    )

    assert expected in text_of(client.get(course.url))
