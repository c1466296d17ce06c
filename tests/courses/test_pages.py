"""Course, lesson and quiz pages as learners and instructors use them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import services
from courses.models import AttemptAnswer, QuizAttempt, VideoProgress
from tests.factories import UserFactory, lessons_of, make_course, quiz_of, rich

pytestmark = pytest.mark.django_db


def raw_body(data):
    from courses.blocks import LessonStreamBlock, stream_from_raw

    return stream_from_raw(LessonStreamBlock(), data)


def every_question_type():
    def q(kind, **fields):
        return {"type": kind, "value": {"title": "", "prompt": rich(f"Вопрос {kind}"), "points": "1",
                                        "feedback": rich("ОБЩИЙ-ОТЗЫВ"), **fields}}  # fmt: skip

    choice = {"credit": None, "feedback": "ОТЗЫВ-ВАРИАНТА"}
    return [
        q("single_choice", choices=[{"text": "103", "is_correct": True, **choice},
                                    {"text": "102", "is_correct": False, **choice}]),
        q("multiple_choice", scoring="partial", choices=[{"text": "Пульс", "is_correct": True, **choice},
                                                          {"text": "Дыхание", "is_correct": True, **choice},
                                                          {"text": "Рост", "is_correct": False, **choice}]),
        q("true_false", correct=True, feedback_true="ОТЗЫВ-ДА", feedback_false="ОТЗЫВ-НЕТ"),
        q("short_answer", accepted=[{"text": "дефибриллятор", "credit": None, "feedback": ""}]),
        q("numeric", answers=[{"value": "117.5", "tolerance": "3", "credit": None, "feedback": ""}], unit="раз"),
        q("matching", pairs=[{"left": "Ожог", "right": "Охладить водой"},
                             {"left": "Кровотечение", "right": "Прижать рану"}]),
        q("ordering", items=["Безопасность", "Сознание", "Вызов 103", "Компрессии"]),
    ]  # fmt: skip


@pytest.fixture
def big_quiz_course(enrolled):
    course = make_course(
        slug="all-types", quiz={"questions": every_question_type(), "pass_mark": 50}
    )
    services.enrol(user=enrolled, course=course)
    return course


# Catalogue --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ['"', "\x00", 'донорство"', "основы*", "(", "AND OR NOT", "'; DROP", "%", "_", "--"]
)
def test_any_search_text_gives_results_or_none_never_an_error(client, query):
    course = make_course("Донорство: основы", slug="donation")
    catalogue = course.get_parent()

    response = client.get(catalogue.url, {"q": query})

    assert response.status_code == 200
    found = "Донорство: основы" in response.content.decode()
    assert found == (query in {'донорство"', "основы*"})


def test_catalogue_filters_by_direction_level_language_and_search(client):
    from wagtail.models import Locale

    from certification.models import Direction

    first_aid = make_course("Первая помощь для школьников", slug="school")
    donation = make_course(
        "Донорство: основы", slug="donation", direction=Direction.objects.get(slug="blood-donation")
    )
    kk = first_aid.copy_for_translation(
        Locale.objects.get_or_create(language_code="kk")[0], copy_parents=True
    )
    kk.title = "Алғашқы көмек"
    kk.save_revision().publish()
    catalogue = first_aid.get_parent()

    def titles(**params):
        html = client.get(catalogue.url, params).content.decode()
        return set(re.findall(r'course-card__title"><a href="[^"]+">([^<]+)<', html))

    assert titles() == {"Первая помощь для школьников", "Донорство: основы"}
    assert titles(direction="blood-donation") == {"Донорство: основы"}
    assert titles(language="kk") == {"Алғашқы көмек"}
    assert titles(q="донорство") == {"Донорство: основы"}
    assert titles(level="instructor") == set()
    assert donation.live


def test_catalogue_shows_the_kazakh_version_of_a_course_to_kazakh_visitors(client):
    from wagtail.models import Locale

    course = make_course("Первая помощь", slug="fa")
    kk = course.copy_for_translation(
        Locale.objects.get_or_create(language_code="kk")[0], copy_parents=True
    )
    kk.title = "Алғашқы көмек"
    kk.save_revision().publish()

    html = client.get(course.get_parent().url.replace("/ru/", "/kk/", 1)).content.decode()

    assert "Алғашқы көмек" in html
    assert "Первая помощь" not in re.sub(r"<option[^>]*>[^<]*</option>", "", html)


# Access -----------------------------------------------------------------------------------------


def test_visitors_must_log_in_and_enrol_before_opening_a_lesson(client, learner, course, lessons):
    response = client.get(lessons[0].url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

    client.force_login(learner)
    response = client.get(lessons[0].url)
    assert response.status_code == 302
    assert response["Location"] == course.url


def test_enrolling_from_the_course_page_leads_to_the_first_lesson(client, learner, course, lessons):
    client.force_login(learner)

    response = client.post(course.url + "enrol/")

    assert response["Location"] == lessons[0].url
    assert client.get(lessons[0].url).status_code == 200


def test_learners_cannot_open_someone_elses_attempt(client, enrolled, quiz):
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    other = UserFactory()
    services.enrol(user=other, course=quiz.get_course())
    client.force_login(other)

    assert client.get(f"{quiz.url}attempt/{attempt.number}/").status_code == 404


# Quiz pages -------------------------------------------------------------------------------------


def test_the_attempt_page_sends_no_answer_keys_to_the_browser(client, enrolled, big_quiz_course):
    client.force_login(enrolled)
    quiz = quiz_of(big_quiz_course)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)

    html = client.get(f"{quiz.url}attempt/{attempt.number}/").content.decode()

    for secret in (
        "is_correct",
        "дефибриллятор",
        "117.5",  # a dot never occurs in the page's UUIDs
        "ОБЩИЙ-ОТЗЫВ",
        "ОТЗЫВ-ВАРИАНТА",
        "ОТЗЫВ-ДА",
    ):
        assert secret not in html
    matching = next(q for q in attempt.questions if q["type"] == "matching")
    pair_ids = [pair["id"] for pair in matching["pairs"]]
    for left_field in re.findall(rf'name="q-{matching["id"]}-([^"]+)"', html):
        assert left_field not in pair_ids  # a shared id would give the match away
    ordering = next(q for q in attempt.questions if q["type"] == "ordering")
    shown = re.findall(r"<span>(Безопасность|Сознание|Вызов 103|Компрессии)</span>", html)
    assert shown != [item["text"] for item in ordering["items"]]


def test_a_tampered_submission_shows_an_error_and_stores_nothing(client, enrolled, quiz):
    client.force_login(enrolled)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    question_id = attempt.questions[0]["id"]

    response = client.post(f"{quiz.url}attempt/1/", {f"q-{question_id}": ["forged-choice-id"]})

    assert response.status_code == 400
    assert "Такого варианта ответа нет." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.is_open and not AttemptAnswer.objects.exists()


def test_the_result_page_follows_the_feedback_setting(client, enrolled, big_quiz_course):
    client.force_login(enrolled)
    quiz = quiz_of(big_quiz_course)

    def result_html(mode):
        quiz.feedback_mode = mode
        quiz.max_attempts = None
        quiz.save()
        attempt = services.start_attempt(user=enrolled, quiz=quiz)
        services.submit_attempt(attempt=attempt, form={})
        return client.get(f"{quiz.url}attempt/{attempt.number}/result/").content.decode()

    score_only = result_html("score")
    per_question = result_html("per_question")
    with_answers = result_html("correct_answers")

    assert "0\u00a0%" in score_only and "ОБЩИЙ-ОТЗЫВ" not in score_only
    assert "ОБЩИЙ-ОТЗЫВ" in per_question and "дефибриллятор" not in per_question
    assert "дефибриллятор" in with_answers and "117.5 ± 3 раз" in with_answers


def test_autosave_keeps_answers_that_come_back_when_the_page_reloads(client, enrolled, quiz):
    client.force_login(enrolled)
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    question = attempt.questions[0]
    choice = question["choices"][1]["id"]

    response = client.post(f"{quiz.url}attempt/1/save/", {f"q-{question['id']}": choice})

    assert response.json() == {"saved": True}
    html = client.get(f"{quiz.url}attempt/1/").content.decode()
    assert re.search(rf'value="{choice}" checked', html)


# Video progress and knowledge checks ------------------------------------------------------------


def test_the_video_progress_endpoint_rejects_malformed_reports(client, enrolled, course):
    from wagtailmedia.models import Media

    from courses.models import LessonPage

    media = Media.objects.create(title="v", type="video", duration=60, file="media/v.webm")
    body = [{"type": "video", "value": {"video": media.pk, "captions": []}}]
    lesson = course.add_child(instance=LessonPage(title="Видео", slug="v", body=raw_body(body)))
    client.force_login(enrolled)
    url = lesson.url + "progress/"
    block_id = lesson.tracked_video_ids[0]

    bad = client.post(url, "not json", content_type="application/json")
    forged = client.post(
        url, {"block_id": block_id, "duration": "x"}, content_type="application/json"
    )
    good = client.post(url, {"block_id": block_id, "duration": 60, "intervals": [[0, 8]], "position": 8},
                       content_type="application/json")  # fmt: skip

    assert bad.status_code == forged.status_code == 400
    assert good.json() == {"watched": pytest.approx(8 / 60, abs=1e-3), "video_completed": False,
                           "lesson_completed": False}  # fmt: skip
    assert VideoProgress.objects.get().watched_seconds == 8


def test_a_knowledge_check_gives_instant_feedback_without_storing_anything(
    client, enrolled, course
):
    from courses.models import LessonPage

    check = {"type": "knowledge_check", "value": [every_question_type()[0]]}
    lesson = course.add_child(
        instance=LessonPage(title="Проверка", slug="check", body=raw_body([check]))
    )
    client.force_login(enrolled)
    page_html = client.get(lesson.url).content.decode()
    print(page_html[page_html.find("<main") :][:3000])
    question_id = re.search(r'name="q-([0-9a-f-]+)"', page_html).group(1)
    assert "is_correct" not in page_html and "ОТЗЫВ-ВАРИАНТА" not in page_html
    right = lesson.body[0].value[0].value["choices"].bound_blocks[0].id

    response = client.post(f"{lesson.url}check/{question_id}/", {f"q-{question_id}": right},
                           headers={"accept": "application/json"})  # fmt: skip

    assert response.json()["is_correct"] is True
    assert "ОТЗЫВ-ВАРИАНТА" in response.json()["feedback"]
    assert "ОБЩИЙ-ОТЗЫВ" in response.json()["general_feedback_html"]
    assert not QuizAttempt.objects.exists()


# Dashboard --------------------------------------------------------------------------------------


def test_my_learning_shows_progress_and_the_next_step(client, enrolled, course, lessons):
    services.complete_lesson(user=enrolled, lesson=lessons[0])
    client.force_login(enrolled)

    html = client.get("/en/learning/").content.decode()

    assert course.title in html
    assert 'aria-valuenow="33"' in html
    assert f'href="{lessons[1].url}"' in html


# Query counts -----------------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page_kind", ["course", "lesson", "quiz", "attempt"])
def test_page_queries_do_not_grow_with_lessons_or_questions(client, learner, page_kind):
    client.force_login(learner)

    def url_for(n):
        course = make_course(slug=f"size-{n}", n_lessons=n, quiz={
            "questions": [q for _ in range(n // 5) for q in every_question_type()[:5]]})  # fmt: skip
        services.enrol(user=learner, course=course)
        lesson, quiz = lessons_of(course)[-1], quiz_of(course)
        if page_kind == "attempt":
            attempt = services.start_attempt(user=learner, quiz=quiz)
            return f"{quiz.url}attempt/{attempt.number}/"
        return {"course": course.url, "lesson": lesson.url, "quiz": quiz.url}[page_kind]

    small, large = url_for(5), url_for(50)
    count_queries(client, small)  # warm caches that are per process, not per page
    count_queries(client, large)

    assert count_queries(client, large) == count_queries(client, small)


# The outline every learner sees alike -----------------------------------------------------------


def outline_titles(client, url):
    html = client.get(url).content.decode()
    outline = html[html.index('class="outline') :]
    return re.findall(r'<(?:a|span) [^>]*lang="ru"[^>]*>(Урок[^<]*|Тест[^<]*)</', outline)


@pytest.fixture
def studying(client, learner):
    course = make_course(slug="outline", n_lessons=2)
    services.enrol(user=learner, course=course)
    client.force_login(learner)
    return course, lessons_of(course)[0].url


def test_a_lesson_published_later_is_in_the_outline_learners_already_saw(client, studying):
    from courses.blocks import LessonStreamBlock, stream_from_raw
    from courses.models import LessonPage
    from tests.factories import text_block

    course, url = studying
    assert outline_titles(client, url) == ["Урок 1", "Урок 2"]

    lesson = course.add_child(
        instance=LessonPage(
            title="Урок 3", slug="lesson-3", live=False,
            body=stream_from_raw(LessonStreamBlock(), [text_block()]),
        )
    )  # fmt: skip
    assert outline_titles(client, url) == ["Урок 1", "Урок 2"]  # a draft is nobody's yet
    lesson.save_revision().publish()

    assert outline_titles(client, url) == ["Урок 1", "Урок 2", "Урок 3"]


def test_a_retitled_unpublished_or_moved_lesson_changes_the_outline_at_once(client, studying):
    course, url = studying
    first, second = lessons_of(course)
    assert outline_titles(client, url) == ["Урок 1", "Урок 2"]

    second.title = "Урок 2: кровотечения"
    second.save_revision().publish()
    assert outline_titles(client, url) == ["Урок 1", "Урок 2: кровотечения"]

    second.move(first, pos="left")
    assert outline_titles(client, url) == ["Урок 2: кровотечения", "Урок 1"]

    second.refresh_from_db()
    second.unpublish()
    assert outline_titles(client, url) == ["Урок 1"]


def test_a_lesson_reads_the_learners_progress_in_two_queries(client, studying):
    _course, url = studying
    client.get(url)  # the outline is read once for everyone
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    learner_reads = [
        query["sql"]
        for query in queries
        if any(
            f'"{table}"' in query["sql"]
            for table in ("courses_enrolment", "courses_lessoncompletion", "courses_videoprogress")
        )
    ]

    # The enrolment, lessons done and quizzes passed together; the videos' progress.
    assert len(learner_reads) == 2
    assert not any('"wagtailcore_page"."path" >' in sql for sql in learner_reads)


def test_a_lesson_unpublished_as_a_plain_page_leaves_the_outline(client, studying):
    # Wagtail's scheduled expiry and the admin's bulk unpublish handle plain Page objects.
    from wagtail.models import Page

    course, url = studying
    assert outline_titles(client, url) == ["Урок 1", "Урок 2"]

    Page.objects.get(pk=lessons_of(course)[1].pk).unpublish()

    assert outline_titles(client, url) == ["Урок 1"]
