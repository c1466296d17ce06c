import json
from datetime import timedelta

import pytest
from django.utils import timezone

from courses import grading, services
from courses.blocks import LessonStreamBlock, stream_from_raw
from courses.models import (
    AttemptAnswer,
    Enrolment,
    LessonCompletion,
    QuizAttempt,
    QuizPage,
    VideoProgress,
)
from courses.signals import course_completed
from tests.factories import lessons_of, make_course, numeric_block, single_choice_block, text_block

pytestmark = pytest.mark.django_db


def right_answer(attempt):
    question = attempt.questions[0]
    right = next(choice["id"] for choice in question["choices"] if choice["is_correct"])
    return {f"q-{question['id']}": [right]}


def wrong_answer(attempt):
    question = attempt.questions[0]
    wrong = next(choice["id"] for choice in question["choices"] if not choice["is_correct"])
    return {f"q-{question['id']}": [wrong]}


def finish_lessons(user, lessons):
    for lesson in lessons:
        services.complete_lesson(user=user, lesson=lesson)


# Enrolment and prerequisites -------------------------------------------------------------------


def test_enrolment_is_refused_until_prerequisites_are_completed(learner):
    basics = make_course("Основы", slug="basics")
    advanced = make_course("Продвинутый курс", slug="advanced")
    advanced.prerequisites.add(basics)
    advanced.save()

    with pytest.raises(services.LearningError, match="Основы"):
        services.enrol(user=learner, course=advanced)
    assert not Enrolment.objects.filter(course=advanced).exists()

    services.enrol(user=learner, course=basics)
    finish_lessons(learner, lessons_of(basics))
    assert services.enrol(user=learner, course=advanced).course_id == advanced.pk


def test_enrolling_twice_keeps_one_enrolment(learner, course):
    services.enrol(user=learner, course=course)
    services.enrol(user=learner, course=course)

    assert Enrolment.objects.filter(user=learner, course=course).count() == 1


def test_lessons_cannot_be_completed_without_enrolment(learner, lessons):
    with pytest.raises(services.LearningError):
        services.complete_lesson(user=learner, lesson=lessons[0])


# Course completion -----------------------------------------------------------------------------


def test_course_completes_once_when_lessons_are_done_and_the_quiz_is_passed(
    enrolled, course, lessons, quiz
):
    received = []

    def receiver(sender, enrolment, **kwargs):
        received.append(enrolment.pk)

    course_completed.connect(receiver)
    try:
        finish_lessons(enrolled, lessons)
        assert Enrolment.objects.get(user=enrolled).completed_at is None

        attempt = services.start_attempt(user=enrolled, quiz=quiz)
        services.submit_attempt(attempt=attempt, form=right_answer(attempt))
        services.check_course_completion(user=enrolled, course=course)
        services.complete_lesson(user=enrolled, lesson=lessons[0])
    finally:
        course_completed.disconnect(receiver)

    enrolment = Enrolment.objects.get(user=enrolled)
    assert enrolment.completed_at is not None
    assert received == [enrolment.pk]


def test_a_failed_quiz_leaves_the_course_incomplete(enrolled, lessons, quiz):
    finish_lessons(enrolled, lessons)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)

    attempt = services.submit_attempt(attempt=attempt, form=wrong_answer(attempt))

    assert attempt.passed is False
    assert Enrolment.objects.get(user=enrolled).completed_at is None


def test_completion_receivers_run_inside_the_completing_transaction(
    enrolled, course, lessons, quiz
):
    """A receiver that fails rolls the completion back: certificates and completions agree."""

    def failing_receiver(sender, enrolment, **kwargs):
        raise RuntimeError("certificate could not be recorded")

    finish_lessons(enrolled, lessons)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    course_completed.connect(failing_receiver)
    try:
        with pytest.raises(RuntimeError):
            services.submit_attempt(attempt=attempt, form=right_answer(attempt))
    finally:
        course_completed.disconnect(failing_receiver)

    assert Enrolment.objects.get(user=enrolled).completed_at is None
    assert QuizAttempt.objects.get(pk=attempt.pk).is_open


# Quiz attempts ---------------------------------------------------------------------------------


def test_starting_twice_returns_the_same_open_attempt(enrolled, quiz):
    first = services.start_attempt(user=enrolled, quiz=quiz)
    second = services.start_attempt(user=enrolled, quiz=quiz)

    assert first.pk == second.pk
    assert QuizAttempt.objects.filter(user=enrolled, quiz=quiz).count() == 1


def test_attempts_beyond_the_maximum_are_refused(enrolled, quiz):
    for _ in range(3):
        attempt = services.start_attempt(user=enrolled, quiz=quiz)
        services.submit_attempt(attempt=attempt, form=wrong_answer(attempt))

    with pytest.raises(services.LearningError, match="всего: 3"):
        services.start_attempt(user=enrolled, quiz=quiz)
    assert QuizAttempt.objects.filter(user=enrolled, quiz=quiz).count() == 3


def test_a_tampered_submission_is_rejected_and_stores_nothing(enrolled, quiz):
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    question_id = attempt.questions[0]["id"]

    with pytest.raises(grading.AnswerError):
        services.submit_attempt(attempt=attempt, form={f"q-{question_id}": ["not-a-choice"]})
    with pytest.raises(grading.AnswerError):
        services.submit_attempt(attempt=attempt, form={"q-invented-question": ["x"]})

    attempt.refresh_from_db()
    assert attempt.is_open
    assert attempt.score is None
    assert not AttemptAnswer.objects.exists()


def test_a_submitted_attempt_cannot_be_submitted_again(enrolled, quiz):
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    services.submit_attempt(attempt=attempt, form=wrong_answer(attempt))

    with pytest.raises(services.LearningError):
        services.submit_attempt(attempt=attempt, form=right_answer(attempt))
    assert QuizAttempt.objects.get(pk=attempt.pk).passed is False


def test_answers_arriving_after_the_time_limit_are_not_accepted(enrolled, course):
    timed = make_course(slug="timed", quiz={"pass_mark": 50, "time_limit_minutes": 10})
    services.enrol(user=enrolled, course=timed)
    quiz = QuizPage.objects.child_of(timed).get()
    started = timezone.now() - timedelta(minutes=30)
    attempt = services.start_attempt(user=enrolled, quiz=quiz, now=started)
    services.save_draft(
        attempt=attempt, form=wrong_answer(attempt), now=started + timedelta(minutes=5)
    )

    attempt = services.submit_attempt(attempt=attempt, form=right_answer(attempt))

    assert attempt.status == QuizAttempt.Status.EXPIRED
    assert attempt.passed is False  # graded from the answer saved in time, not the late one


def test_the_beat_task_closes_attempts_whose_time_ran_out(enrolled):
    timed = make_course(slug="timed", quiz={"pass_mark": 50, "time_limit_minutes": 5})
    services.enrol(user=enrolled, course=timed)
    quiz = QuizPage.objects.child_of(timed).get()
    started = timezone.now() - timedelta(hours=1)
    attempt = services.start_attempt(user=enrolled, quiz=quiz, now=started)
    services.save_draft(
        attempt=attempt, form=right_answer(attempt), now=started + timedelta(minutes=1)
    )

    assert services.close_expired_attempts() == 1

    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.EXPIRED
    assert attempt.passed is True


def test_drawing_questions_takes_n_from_the_pool_without_answer_keys_in_the_layout(enrolled):
    pool = [single_choice_block(prompt=f"Вопрос {n}") for n in range(8)]
    drawn = make_course(slug="drawn", quiz={"questions": pool, "questions_per_attempt": 3})
    services.enrol(user=enrolled, course=drawn)
    attempt = services.start_attempt(user=enrolled, quiz=QuizPage.objects.child_of(drawn).get())

    assert len(attempt.questions) == len(attempt.layout) == 3
    assert "is_correct" not in json.dumps(attempt.layout)


def test_a_changed_quiz_does_not_change_a_started_attempt(enrolled, quiz):
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    quiz.questions = json.dumps([numeric_block()])
    quiz.save()

    attempt = services.submit_attempt(attempt=attempt, form=right_answer(attempt))

    assert attempt.passed is True


# Video progress --------------------------------------------------------------------------------


@pytest.fixture
def video_lesson(enrolled, course):
    from wagtailmedia.models import Media

    from courses.models import LessonPage

    media = Media.objects.create(title="СЛР", type="video", duration=100, file="media/cpr.webm")
    body = [
        text_block(),
        {"type": "video", "value": {"video": media.pk, "captions": [], "poster": None}},
    ]
    lesson = course.add_child(
        instance=LessonPage(
            title="Видео", slug="video", body=stream_from_raw(LessonStreamBlock(), body)
        )
    )
    return lesson


def report(lesson, user, intervals, *, position=0, at, duration=100):
    return services.record_video_progress(
        user=user,
        lesson=lesson,
        block_id=lesson.tracked_video_ids[0],
        duration=duration,
        intervals=intervals,
        position=position,
        now=at,
    )


def test_seeking_to_the_end_does_not_complete_a_video(enrolled, video_lesson):
    now = timezone.now()
    report(video_lesson, enrolled, [], at=now)

    progress = report(
        video_lesson, enrolled, [[0, 3], [97, 100]], position=100, at=now + timedelta(seconds=5)
    )

    assert progress.watched_seconds == 6
    assert progress.completed_at is None
    assert not LessonCompletion.objects.filter(lesson=video_lesson).exists()


def test_a_forged_report_cannot_claim_more_than_real_time_allows(enrolled, video_lesson):
    now = timezone.now()
    report(video_lesson, enrolled, [], at=now)

    progress = report(video_lesson, enrolled, [[0, 100]], at=now + timedelta(seconds=10))

    assert progress.watched_seconds == pytest.approx(20)  # 10 s at double speed
    assert progress.completed_at is None


def test_rapid_reports_never_add_up_to_more_than_twice_the_time_that_passed(enrolled, video_lesson):
    """The probe: a 1-hour video "watched" by 214 reports in 18 s."""
    start = timezone.now()
    for n in range(214):
        progress = report(
            video_lesson, enrolled, [[0, 100]], at=start + timedelta(seconds=18 * n / 213)
        )

    # The first report may cover the 10 s the player plays before it sends anything.
    assert progress.watched_seconds <= 2 * 18 + 2 * 15
    assert progress.completed_at is None


def test_watching_ninety_percent_completes_the_video_and_the_lesson(enrolled, video_lesson):
    start = timezone.now()
    report(video_lesson, enrolled, [], at=start)
    for second in range(10, 100, 10):
        progress = report(
            video_lesson,
            enrolled,
            [[0, second]],
            position=second,
            at=start + timedelta(seconds=second),
        )

    assert progress.watched_share == pytest.approx(0.9)
    assert progress.completed_at is not None
    assert LessonCompletion.objects.filter(user=enrolled, lesson=video_lesson).exists()


def test_the_media_library_duration_wins_over_the_players(enrolled, video_lesson):
    now = timezone.now()

    progress = report(video_lesson, enrolled, [[0, 5]], at=now, duration=5)

    assert progress.duration == 100
    assert progress.completed_at is None


def test_a_video_lesson_cannot_be_marked_done_by_hand(enrolled, video_lesson):
    with pytest.raises(services.LearningError, match="досмотрите видео"):
        services.complete_lesson(user=enrolled, lesson=video_lesson)


def test_the_last_position_is_kept_for_resuming(enrolled, video_lesson):
    now = timezone.now()
    report(video_lesson, enrolled, [[0, 12]], position=12.5, at=now)

    assert VideoProgress.objects.get(user=enrolled).position == 12.5


def test_a_report_for_a_video_not_in_the_lesson_is_refused(enrolled, video_lesson):
    with pytest.raises(services.LearningError):
        services.record_video_progress(
            user=enrolled,
            lesson=video_lesson,
            block_id="nope",
            duration=10,
            intervals=[],
            position=0,
        )
    assert not VideoProgress.objects.exists()
