"""The demo's newcomer course in Kazakh: a translation of the Russian one, and a way to the
Volunteer level for a newcomer who reads only Kazakh."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certification.models import Level
from courses import services
from courses.models import CoursePage, LessonPage, QuizPage
from demo.courses import answer_key_form
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def newcomer_course(language):
    return CoursePage.objects.get(slug="first-aid-basics", locale__language_code=language)


def test_the_kazakh_newcomer_course_is_the_translation_of_the_russian_one(demo_site):
    russian, kazakh = newcomer_course("ru"), newcomer_course("kk")

    assert kazakh.title == "Алғашқы көмек: базалық курс"
    assert kazakh.live
    assert kazakh.translation_key == russian.translation_key
    assert kazakh.get_parent().specific.title == "Курстар"


def test_every_lesson_and_the_quiz_of_the_kazakh_course_translate_the_russian_ones(demo_site):
    russian, kazakh = newcomer_course("ru"), newcomer_course("kk")

    pairs = zip(russian.get_children().specific(), kazakh.get_children().specific(), strict=True)

    for original, translated in pairs:
        assert type(translated) is type(original)
        assert translated.translation_key == original.translation_key
        assert translated.slug == original.slug
        assert translated.locale.language_code == "kk"
        assert translated.live


def test_the_kazakh_quiz_asks_as_many_questions_as_the_russian_one(demo_site):
    russian = QuizPage.objects.get(locale__language_code="ru", slug="first-aid-basics-quiz")
    kazakh = QuizPage.objects.get(locale__language_code="kk", slug="first-aid-basics-quiz")

    assert len(kazakh.question_blocks) == len(russian.question_blocks) == 16
    assert kazakh.title == "Қорытынды тест: алғашқы көмек"


def test_the_kazakh_video_lesson_has_kazakh_captions_first(demo_site):
    lesson = LessonPage.objects.get(locale__language_code="kk", slug="cpr")

    (video,) = [block for block in lesson.body if block.block_type == "video"]

    assert [track["language"] for track in video.value["captions"]] == ["kk", "ru"]
    assert video.value["captions"][0]["file"].file.read().decode().startswith("WEBVTT")


def take_the_course(user, course):
    """Every lesson read or watched to the end, the quiz passed, as the learner's browser would
    report them."""
    services.enrol(user=user, course=course)
    start = timezone.now()
    for page in course.get_children().live().specific():
        if isinstance(page, QuizPage):
            attempt = services.start_attempt(user=user, quiz=page)
            services.submit_attempt(attempt=attempt, form=answer_key_form(attempt.questions))
        elif page.tracked_video_ids:
            for block_id in page.tracked_video_ids:
                for seconds, watched in ((0, [[0, 1]]), (60, [[0, 27]])):
                    services.record_video_progress(
                        user=user,
                        lesson=page,
                        block_id=block_id,
                        duration=27,
                        intervals=watched,
                        position=watched[0][1],
                        now=start + timedelta(seconds=seconds),
                    )
        else:
            services.complete_lesson(user=user, lesson=page)


def test_passing_the_kazakh_version_makes_a_newcomer_a_volunteer(demo_site):
    member = make_member(level_slug="newcomer", preferred_language="kk")

    take_the_course(member.user, newcomer_course("kk"))

    member.refresh_from_db()
    assert member.level == Level.objects.get(slug="volunteer")


def test_my_path_names_and_links_the_newcomer_course_in_kazakh(client, demo_site):
    member = make_member(level_slug="newcomer")
    client.force_login(member.user)

    html = client.get("/kk/volunteer/").content.decode()

    assert (
        '<a href="/kk/courses/first-aid-basics/">'
        '«<span lang="kk">Алғашқы көмек: базалық курс</span>» курсы өтілді</a>'
    ) in html


def test_my_path_names_the_course_it_links_where_there_is_no_version_in_the_language(
    client, demo_site
):
    member = make_member(level_slug="newcomer")
    client.force_login(member.user)

    html = client.get("/en/volunteer/").content.decode()

    assert (
        '<a href="/ru/courses/first-aid-basics/">'
        'Course “<span lang="ru">Первая помощь: базовый курс</span>” passed</a>'
    ) in html
