"""Actions queued offline and sent later: each endpoint applies an action id once per learner, a
repeated send gets the first result and changes nothing; video reports sent in a burst earn no
more than the real time that passed."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from courses import offline, services, video
from courses.blocks import LessonStreamBlock, stream_from_raw
from courses.models import (
    AttemptAnswer,
    LessonCompletion,
    LessonPage,
    OfflineAction,
    QuizAttempt,
    VideoProgress,
)
from tests.factories import UserFactory, single_choice_block, text_block

JSON = {"accept": "application/json"}


@pytest.fixture
def video_lesson(enrolled, course):
    from wagtailmedia.models import Media

    media = Media.objects.create(title="СЛР", type="video", duration=100, file="media/cpr.webm")
    body = [{"type": "video", "value": {"video": media.pk, "captions": [], "poster": None}}]
    return course.add_child(
        instance=LessonPage(
            title="Видео", slug="video", body=stream_from_raw(LessonStreamBlock(), body)
        )
    )


@pytest.fixture
def check_lesson(enrolled, course):
    body = [text_block(), {"type": "knowledge_check", "value": [single_choice_block()]}]
    return course.add_child(
        instance=LessonPage(
            title="Проверка", slug="check", body=stream_from_raw(LessonStreamBlock(), body)
        )
    )


def video_report(client, lesson, action_id, intervals, **extra):
    return client.post(
        lesson.url + "progress/",
        {
            "block_id": lesson.tracked_video_ids[0],
            "duration": 100,
            "intervals": intervals,
            "position": intervals[-1][1] if intervals else 0,
            "action_id": action_id,
            **extra,
        },
        content_type="application/json",
        headers=JSON,
    )


def check_form(lesson):
    block = lesson.body[1]
    question_id = str(block.id)
    right = block.value[0].value["choices"].bound_blocks[0].id
    return f"{lesson.url}check/{block.id}/", {f"q-{question_id}": right}


# Each endpoint --------------------------------------------------------------------------------


def test_a_repeated_video_report_changes_nothing_and_gets_the_same_answer(
    client, enrolled, video_lesson
):
    client.force_login(enrolled)
    action_id = str(uuid.uuid4())
    first = video_report(client, video_lesson, action_id, [[0, 10]])
    recorded = VideoProgress.objects.get()

    again = video_report(client, video_lesson, action_id, [[0, 10], [10, 90]])

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    unchanged = VideoProgress.objects.get()
    assert (unchanged.intervals, unchanged.updated_at) == (recorded.intervals, recorded.updated_at)
    assert OfflineAction.objects.filter(kind="video_progress").count() == 1


def test_a_repeated_knowledge_check_answer_is_recorded_once(client, enrolled, check_lesson):
    client.force_login(enrolled)
    url, form = check_form(check_lesson)
    action_id = str(uuid.uuid4())

    first = client.post(url, {**form, "action_id": action_id})
    again = client.post(url, {**form, "action_id": action_id})

    assert first.status_code == again.status_code == 200
    assert first.json()["is_correct"] is True
    assert again.json() == first.json()
    assert OfflineAction.objects.get().kind == OfflineAction.Kind.KNOWLEDGE_CHECK


def test_a_repeated_mark_done_does_not_act_again(client, enrolled, lessons):
    client.force_login(enrolled)
    lesson = lessons[0]
    action_id = str(uuid.uuid4())
    first = client.post(lesson.url + "complete/", {"action_id": action_id})
    # Were the action applied again, the completion would come back.
    LessonCompletion.objects.all().delete()

    again = client.post(lesson.url + "complete/", {"action_id": action_id})

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() == {"lesson_completed": True}
    assert not LessonCompletion.objects.exists()


def test_a_repeated_quiz_submission_is_graded_once_with_the_same_result(client, enrolled, quiz):
    client.force_login(enrolled)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    question = attempt.questions[0]
    right = next(c["id"] for c in question["choices"] if c["is_correct"])
    form = {f"q-{question['id']}": right, "action_id": str(uuid.uuid4())}
    url = f"{quiz.url}attempt/{attempt.number}/"

    first = client.post(url, form)
    again = client.post(url, form)

    assert first.status_code == again.status_code == 200
    assert first.json()["passed"] is True
    assert first.json()["result_url"] == f"{url}result/"
    assert again.json() == first.json()
    assert AttemptAnswer.objects.count() == 1
    assert QuizAttempt.objects.get().status == QuizAttempt.Status.SUBMITTED


def test_a_quiz_changed_after_the_attempt_started_is_graded_against_the_snapshot(
    client, enrolled, quiz
):
    client.force_login(enrolled)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    question = attempt.questions[0]
    right = next(c["id"] for c in question["choices"] if c["is_correct"])
    quiz.questions = stream_from_raw(
        quiz.questions.stream_block, [single_choice_block(prompt="Новый вопрос", right="112")]
    )
    quiz.save_revision().publish()

    response = client.post(
        f"{quiz.url}attempt/{attempt.number}/",
        {f"q-{question['id']}": right, "action_id": str(uuid.uuid4())},
    )

    assert response.json()["passed"] is True


# Ids ------------------------------------------------------------------------------------------


def test_another_learner_s_action_id_is_their_own(client, enrolled, course, lessons):
    other = UserFactory()
    services.enrol(user=other, course=course)
    action_id = str(uuid.uuid4())
    client.force_login(enrolled)
    client.post(lessons[0].url + "complete/", {"action_id": action_id})

    client.force_login(other)
    response = client.post(lessons[0].url + "complete/", {"action_id": action_id})

    assert response.json() == {"lesson_completed": True}
    assert LessonCompletion.objects.filter(user=other).exists()
    assert OfflineAction.objects.filter(action_id=action_id).count() == 2


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "' OR 1=1 --"])
def test_a_malformed_action_id_is_refused_with_a_clear_error_and_nothing_done(
    client, enrolled, lessons, bad_id
):
    client.force_login(enrolled)

    response = client.post(lessons[0].url + "complete/", {"action_id": bad_id})

    assert response.status_code == 400
    assert response.json()["error"] == "Неверный идентификатор действия: ожидается UUID."
    assert not LessonCompletion.objects.exists()
    assert not OfflineAction.objects.exists()


def test_an_action_id_used_for_another_kind_of_action_is_refused(
    client, enrolled, lessons, check_lesson
):
    client.force_login(enrolled)
    action_id = str(uuid.uuid4())
    client.post(lessons[0].url + "complete/", {"action_id": action_id})
    url, form = check_form(check_lesson)

    response = client.post(url, {**form, "action_id": action_id})

    assert response.status_code == 400
    assert "другого действия" in response.json()["error"]


def test_a_refused_action_is_not_stored_so_a_later_send_is_judged_anew(
    client, enrolled, video_lesson
):
    client.force_login(enrolled)
    action_id = str(uuid.uuid4())

    refused = client.post(video_lesson.url + "complete/", {"action_id": action_id})

    assert refused.status_code == 400
    assert "видео" in refused.json()["error"]
    assert not OfflineAction.objects.exists()


def test_a_learner_not_enrolled_cannot_record_an_action(client, learner, lessons):
    client.force_login(learner)

    response = client.post(lessons[0].url + "complete/", {"action_id": str(uuid.uuid4())})

    assert response.status_code == 302
    assert not OfflineAction.objects.exists()


# Video reports sent later in a burst -------------------------------------------------------


def queued(lesson, user, intervals, *, played_at, now, page_sent_at=None):
    return services.record_video_progress(
        user=user,
        lesson=lesson,
        block_id=lesson.tracked_video_ids[0],
        duration=100,
        intervals=intervals,
        position=0,
        now=now,
        played_at=played_at,
        page_sent_at=page_sent_at,
    )


def test_video_watched_offline_is_credited_when_the_reports_arrive_together(enrolled, video_lesson):
    sent = timezone.now()
    arrival = sent + timedelta(minutes=30)
    for second in range(10, 100, 10):  # reported every 10 s while playing, sent at once
        progress = queued(
            video_lesson,
            enrolled,
            [[0, second]],
            played_at=sent + timedelta(seconds=second),
            now=arrival,
            page_sent_at=sent,
        )

    assert progress.watched_seconds == 90
    assert progress.completed_at == arrival


def test_forged_offline_moments_earn_no_more_than_the_time_that_really_passed(
    enrolled, video_lesson
):
    start = timezone.now()
    queued(video_lesson, enrolled, [[0, 5]], played_at=start, now=start)
    arrival = start + timedelta(seconds=20)  # only 20 s have really passed
    for n in range(1, 30):
        progress = queued(
            video_lesson,
            enrolled,
            [[0, 100]],
            played_at=start + timedelta(minutes=2 * n),  # moments far into the future
            now=arrival,
        )

    assert progress.watched_seconds <= 5 + 20 * video.MAX_PLAYBACK_RATE


def test_a_moment_before_the_previous_report_adds_nothing(enrolled, video_lesson):
    start = timezone.now()
    queued(video_lesson, enrolled, [[0, 5]], played_at=None, now=start)

    progress = queued(
        video_lesson,
        enrolled,
        [[0, 100]],
        played_at=start - timedelta(hours=5),
        now=start,
    )

    assert progress.watched_seconds == 5


def test_a_forged_page_clock_earns_a_first_report_nothing_beyond_the_usual(
    client, enrolled, video_lesson
):
    client.force_login(enrolled)
    now = timezone.now()
    forged = offline.page_clock(user=enrolled, lesson=video_lesson).rsplit(":", 1)[0] + ":x"
    for second in range(10, 100, 10):
        video_report(
            client,
            video_lesson,
            str(uuid.uuid4()),
            [[0, second]],
            recorded_at=(now + timedelta(seconds=second)).timestamp() * 1000,
            page_clock=forged,
        )

    assert VideoProgress.objects.get().watched_seconds <= video.FIRST_REPORT_SECONDS * 2 + 1


def test_the_lesson_page_carries_a_clock_only_its_learner_can_use(client, enrolled, video_lesson):
    client.force_login(enrolled)
    html = client.get(video_lesson.url).content.decode()
    token = re.search(r'data-page-clock="([^"]+)"', html).group(1)

    assert offline.page_sent_at(token, user=enrolled, lesson=video_lesson) is not None
    assert offline.page_sent_at(token, user=UserFactory(), lesson=video_lesson) is None


def test_a_malformed_offline_moment_is_refused(client, enrolled, video_lesson):
    client.force_login(enrolled)

    response = video_report(
        client, video_lesson, str(uuid.uuid4()), [[0, 5]], recorded_at="yesterday"
    )

    assert response.status_code == 400
    assert not VideoProgress.objects.exists()
