"""A learner's double clicks and second tabs, on parallel connections: each has one effect."""

import pytest
from django.contrib import messages

from certification.models import Certificate
from courses import services
from courses.models import AttemptAnswer, Enrolment, QuizAttempt
from courses.signals import course_completed
from tests.concurrency import at_once, messages_of, postgresql_only, tabs

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def right_answer(attempt):
    question = attempt.questions[0]
    right = next(choice["id"] for choice in question["choices"] if choice["is_correct"])
    return {f"q-{question['id']}": [right]}


def wrong_answer(attempt):
    question = attempt.questions[0]
    wrong = next(choice["id"] for choice in question["choices"] if not choice["is_correct"])
    return {f"q-{question['id']}": [wrong]}


@pytest.fixture
def completions():
    """Every course_completed signal sent while the test runs, from any thread."""
    sent = []

    def receiver(sender, enrolment, **kwargs):
        sent.append(enrolment.pk)

    course_completed.connect(receiver, dispatch_uid="tests.concurrency.completions")
    yield sent
    course_completed.disconnect(dispatch_uid="tests.concurrency.completions")


def test_a_double_clicked_enrol_makes_one_enrolment(learner, course, lessons):
    clicks = tabs(learner, 4)

    responses = at_once(*(lambda tab=tab: tab.post(course.url + "enrol/") for tab in clicks))

    assert Enrolment.objects.filter(user=learner, course=course).count() == 1
    for response in responses:
        assert (response.status_code, response["Location"]) == (302, lessons[0].url)
        assert messages_of(response) == ["Вы записаны на курс. Удачи!"]


def test_two_tabs_starting_a_quiz_share_one_attempt(enrolled, quiz):
    clicks = tabs(enrolled, 4)

    responses = at_once(*(lambda tab=tab: tab.post(f"{quiz.url}start/") for tab in clicks))

    attempt = QuizAttempt.objects.get(user=enrolled, quiz=quiz)
    assert (attempt.number, attempt.is_open) == (1, True)
    for response in responses:
        assert (response.status_code, response["Location"]) == (302, f"{quiz.url}attempt/1/")


def test_a_double_clicked_submit_grades_the_attempt_once(
    enrolled, course, lessons, quiz, renders, completions
):
    for lesson in lessons:
        services.complete_lesson(user=enrolled, lesson=lesson)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    answers = right_answer(attempt)
    clicks = tabs(enrolled, 4)

    responses = at_once(
        *(lambda tab=tab: tab.post(f"{quiz.url}attempt/1/", answers) for tab in clicks)
    )

    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.SUBMITTED
    assert (attempt.score, attempt.max_score, attempt.passed) == (1, 1, True)
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1
    enrolment = Enrolment.objects.get(user=enrolled, course=course)
    assert enrolment.completed_at is not None
    assert completions == [enrolment.pk]
    certificate = Certificate.objects.get(holder=enrolled, kind=Certificate.Kind.COURSE)
    assert renders == [certificate.pk]
    # The first click is graded; a later one finds the attempt closed, before or in the service.
    result_url = f"{quiz.url}attempt/1/result/"
    assert all(response.status_code == 302 for response in responses)
    assert sum(response["Location"] == result_url for response in responses) >= 1
    for response in responses:
        if response["Location"] != result_url:
            assert response["Location"] == quiz.url
            assert messages_of(response, messages.ERROR) == ["Эта попытка уже отправлена."]


def test_an_autosave_racing_the_submit_never_changes_the_graded_attempt(enrolled, quiz):
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    submit, *autosaves = tabs(enrolled, 4)

    responses = at_once(
        lambda: submit.post(f"{quiz.url}attempt/1/", right_answer(attempt)),
        *(
            lambda tab=tab: tab.post(f"{quiz.url}attempt/1/save/", wrong_answer(attempt))
            for tab in autosaves
        ),
    )

    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.SUBMITTED
    assert (attempt.score, attempt.passed, attempt.draft) == (1, True, {})
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1
    assert responses[0]["Location"] == f"{quiz.url}attempt/1/result/"
    for response in responses[1:]:
        # Saved before the submission took the attempt, or refused after it.
        assert (response.status_code, response.json()) in [
            (200, {"saved": True}),
            (409, {"error": "Эта попытка завершена."}),
        ]
