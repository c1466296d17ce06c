"""Instructors author courses in the Wagtail admin; the demo course shows every question type."""

import pytest
from django.contrib.auth import get_user_model

from courses.blocks import QUESTION_TYPES
from courses.models import CataloguePage, CoursePage, LessonPage, QuizPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor_client(client, demo_site):
    client.force_login(get_user_model().objects.get(email="instructor@komek.local"))
    return client


@pytest.mark.parametrize("model", [CataloguePage, CoursePage, LessonPage, QuizPage])
def test_instructors_can_open_every_course_page_in_the_editor(instructor_client, model):
    page = model.objects.filter(locale__language_code="ru").first() or model.objects.first()

    response = instructor_client.get(f"/admin/pages/{page.pk}/edit/")

    assert response.status_code == 200


def test_instructors_can_add_a_lesson_to_a_course(instructor_client):
    course = CoursePage.objects.get(slug="first-aid-basics", locale__language_code="ru")

    response = instructor_client.get(f"/admin/pages/add/courses/lessonpage/{course.pk}/")

    assert response.status_code == 200


def test_lessons_cannot_be_created_outside_a_course(instructor_client):
    catalogue = CataloguePage.objects.filter(locale__language_code="ru").get()

    response = instructor_client.get(
        f"/admin/pages/add/courses/lessonpage/{catalogue.pk}/", follow=True
    )

    assert response.status_code == 200
    assert not LessonPage.objects.child_of(catalogue).exists()
    assert "edit" not in response.redirect_chain[-1][0]
    assert [str(m) for m in response.context["messages"]]  # Wagtail explains the refusal


def test_the_demo_quiz_uses_every_question_type(demo_site):
    quiz = QuizPage.objects.get(slug="first-aid-basics-quiz", locale__language_code="ru")

    types = {block.block_type for block in quiz.question_blocks}

    assert types == QUESTION_TYPES
    assert len(quiz.question_blocks) >= 10


def test_the_demo_video_lesson_has_russian_captions(demo_site, client):
    lesson = LessonPage.objects.get(slug="cpr", locale__language_code="ru")
    video = next(block for block in lesson.body if block.block_type == "video")

    captions = video.value["captions"]

    assert [track["language"] for track in captions] == ["ru"]
    assert client.get(captions[0]["file"].url).status_code == 200
    assert video.value["video"].duration == 27


def test_the_kazakh_demo_course_is_in_the_kazakh_catalogue(demo_site, client):
    html = client.get("/kk/courses/").content.decode()

    assert "Донорлық негіздері" in html
    # The newcomer course has a Kazakh version: it is listed instead of the Russian one.
    assert "Алғашқы көмек: базалық курс" in html
    assert "Первая помощь: базовый курс" not in html
