"""Taking a quiz: no attempt is spent on blanks without a confirmation, questions are numbered as
the learner counts them, and a passed quiz is not taken again unless the quiz allows it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from courses import services
from courses.models import AttemptAnswer, QuizAttempt
from tests.factories import UserFactory, make_course, quiz_of, single_choice_block

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_questions(enrolled):
    """A case to read, then two questions: pass mark 50%, so one right answer passes."""
    course = make_course(
        slug="two-questions",
        quiz={
            "pass_mark": 50,
            "questions": [
                {"type": "description", "value": {"text": "<p>Марафон, мужчина упал.</p>"}},
                single_choice_block(prompt="Куда звонить?"),
                single_choice_block(prompt="Куда звонить ещё раз?"),
            ],
        },
    )
    services.enrol(user=enrolled, course=course)
    return quiz_of(course)


def right_choice(question):
    return next(choice["id"] for choice in question["choices"] if choice["is_correct"])


def all_right(attempt):
    return {f"q-{q['id']}": [right_choice(q)] for q in attempt.questions}


def first_right(attempt):
    question = attempt.questions[0]
    return {f"q-{question['id']}": [right_choice(question)]}


def passed(user, quiz):
    attempt = services.start_attempt(user=user, quiz=quiz)
    return services.submit_attempt(attempt=attempt, form=all_right(attempt))


# Blank answers ----------------------------------------------------------------------------------


def test_a_submission_with_blanks_is_only_saved_until_the_learner_confirms(enrolled, two_questions):
    attempt = services.start_attempt(user=enrolled, quiz=two_questions)

    attempt = services.submit_attempt(
        attempt=attempt, form=first_right(attempt), ask_if_unanswered=True
    )

    attempt.refresh_from_db()
    assert attempt.is_open
    assert list(attempt.draft) == [attempt.questions[0]["id"]]
    assert not AttemptAnswer.objects.exists()


def test_a_submission_with_blanks_after_the_deadline_is_taken_without_asking(
    enrolled, two_questions
):
    two_questions.time_limit_minutes = 10
    two_questions.save()
    started = timezone.now() - timedelta(minutes=10, seconds=30)  # in the grace period
    attempt = services.start_attempt(user=enrolled, quiz=two_questions, now=started)

    attempt = services.submit_attempt(
        attempt=attempt, form=first_right(attempt), ask_if_unanswered=True
    )

    assert attempt.status == QuizAttempt.Status.SUBMITTED
    assert attempt.passed is True


def test_submitting_with_blanks_warns_with_the_count_and_keeps_the_answers(
    client, enrolled, two_questions
):
    client.force_login(enrolled)
    attempt = services.start_attempt(user=enrolled, quiz=two_questions)
    choice = right_choice(attempt.questions[0])

    response = client.post(f"{two_questions.url}attempt/1/", first_right(attempt))

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 вопрос без ответа." in html
    assert "Всё равно отправить" in html and "Вернуться к вопросам" in html
    assert f'href="#question-{attempt.questions[1]["id"]}"' in html  # the first blank one
    assert re.search(rf'value="{choice}" checked', html)
    attempt.refresh_from_db()
    assert attempt.is_open and not AttemptAnswer.objects.exists()


def test_submit_anyway_spends_the_attempt_with_the_blanks(client, enrolled, two_questions):
    client.force_login(enrolled)
    attempt = services.start_attempt(user=enrolled, quiz=two_questions)

    response = client.post(
        f"{two_questions.url}attempt/1/", {**first_right(attempt), "submit_anyway": "1"}
    )

    assert response["Location"] == f"{two_questions.url}attempt/1/result/"
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.SUBMITTED
    assert attempt.answers.count() == 2 and attempt.percent == 50


def test_a_fully_answered_submission_is_taken_without_asking(client, enrolled, two_questions):
    client.force_login(enrolled)
    attempt = services.start_attempt(user=enrolled, quiz=two_questions)

    response = client.post(f"{two_questions.url}attempt/1/", all_right(attempt))

    assert response["Location"] == f"{two_questions.url}attempt/1/result/"
    attempt.refresh_from_db()
    assert attempt.passed is True


# Numbering --------------------------------------------------------------------------------------


def test_questions_are_numbered_from_one_although_a_case_text_comes_first(
    client, enrolled, two_questions
):
    client.force_login(enrolled)
    services.start_attempt(user=enrolled, quiz=two_questions)

    html = client.get(f"{two_questions.url}attempt/1/").content.decode()

    assert re.findall(r'class="question__number">(\d+)\.<', html) == ["1", "2"]


# A new attempt after a pass ---------------------------------------------------------------------


def test_a_passed_quiz_cannot_be_started_again(enrolled, two_questions):
    passed(enrolled, two_questions)

    with pytest.raises(services.LearningError, match="Вы уже сдали этот тест"):
        services.start_attempt(user=enrolled, quiz=two_questions)
    assert QuizAttempt.objects.filter(user=enrolled).count() == 1


def test_a_quiz_can_allow_a_new_attempt_after_a_pass(enrolled, two_questions):
    two_questions.allows_retake_after_pass = True
    two_questions.save()
    passed(enrolled, two_questions)

    attempt = services.start_attempt(user=enrolled, quiz=two_questions)

    assert attempt.number == 2 and attempt.is_open


def test_starting_by_post_after_a_pass_is_refused_with_a_message(client, enrolled, two_questions):
    client.force_login(enrolled)
    passed(enrolled, two_questions)

    response = client.post(f"{two_questions.url}start/", follow=True)

    assert response.redirect_chain[-1][0] == two_questions.url
    assert "Вы уже сдали этот тест; пройти его заново нельзя." in response.content.decode()
    assert QuizAttempt.objects.filter(user=enrolled).count() == 1


@pytest.mark.parametrize("allows_retake", [False, True])
def test_the_quiz_page_offers_a_new_attempt_after_a_pass_only_when_allowed(
    client, enrolled, two_questions, allows_retake
):
    client.force_login(enrolled)
    two_questions.allows_retake_after_pass = allows_retake
    two_questions.save()
    passed(enrolled, two_questions)

    html = client.get(two_questions.url).content.decode()

    assert "Вы сдали этот тест." in html
    assert (f'action="{two_questions.url}start/"' in html) is allows_retake


@pytest.mark.parametrize("allows_retake", [False, True])
def test_the_result_of_a_pass_offers_a_new_attempt_only_when_allowed(
    client, enrolled, two_questions, allows_retake
):
    client.force_login(enrolled)
    two_questions.allows_retake_after_pass = allows_retake
    two_questions.save()
    passed(enrolled, two_questions)

    html = client.get(f"{two_questions.url}attempt/1/result/").content.decode()

    assert (f'action="{two_questions.url}start/"' in html) is allows_retake


def test_editors_find_the_retake_setting_in_the_quiz_rules(client, two_questions):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    html = client.get(f"/admin/pages/{two_questions.pk}/edit/").content.decode()

    assert 'name="allows_retake_after_pass"' in html


# Cost of a submission ---------------------------------------------------------------------------


def quiz_of_n_questions(n, *, user):
    course = make_course(
        slug=f"questions-{n}",
        quiz={
            "pass_mark": 50,
            "questions": [single_choice_block(prompt=f"Вопрос {i}") for i in range(n)],
        },
    )
    services.enrol(user=user, course=course)
    return quiz_of(course)


def queries_to_submit(user, quiz):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    attempt = services.start_attempt(user=user, quiz=quiz)
    form = all_right(attempt)
    with CaptureQueriesContext(connection) as captured:
        services.submit_attempt(attempt=attempt, form=form)
    return len(captured.captured_queries)


def test_submitting_fifty_answers_takes_as_many_queries_as_five(enrolled):
    # Exam day: hundreds of learners submit at once; writes per answer would multiply the load.
    few = queries_to_submit(enrolled, quiz_of_n_questions(5, user=enrolled))
    many = queries_to_submit(enrolled, quiz_of_n_questions(50, user=enrolled))

    assert many == few
    assert AttemptAnswer.objects.filter(attempt__quiz__slug="quiz", is_correct=True).count() >= 55


def test_a_passing_submission_that_does_not_complete_the_course_stays_within_its_budget(
    enrolled, django_assert_max_num_queries
):
    quiz = quiz_of_n_questions(50, user=enrolled)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    form = all_right(attempt)

    # The attempt locked, the answers inserted, the attempt updated (with the statistics' read,
    # branch and count), the enrolment locked and the course's progress read; and the savepoint
    # and its release around them.
    with django_assert_max_num_queries(10):
        attempt = services.submit_attempt(attempt=attempt, form=form)

    assert attempt.passed
    assert attempt.answers.count() == 50
