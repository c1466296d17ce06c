"""Routing below the home page: the same page and sub-route as Wagtail's walk, in two queries."""

import pytest
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import Page

from tests.factories import home_page, lessons_of, make_course, quiz_of

pytestmark = pytest.mark.django_db


def wagtail_walk(home, components):
    """What Wagtail's own Page.route answers, level by level."""
    return Page.route(home, RequestFactory().get("/"), components)


def outcome(route):
    try:
        result = route()
    except Http404:
        return "404"
    page, args, kwargs = result
    view = args[0].__name__ if args else None
    return (page.pk, type(page).__name__, view, args[1:] if args else (), kwargs)


@pytest.fixture
def course():
    course = make_course("Первая помощь", slug="first-aid", n_lessons=2, quiz={})
    draft = make_course("Черновик", slug="draft", n_lessons=1)
    draft.unpublish()
    lessons = lessons_of(course)
    lessons[1].unpublish()
    return course


PATHS = [
    "courses",
    "courses/first-aid",
    "courses/first-aid/enrol",
    "courses/first-aid/lesson-1",
    "courses/first-aid/lesson-1/complete",
    "courses/first-aid/lesson-1/check/q-1",
    "courses/first-aid/lesson-2",  # not live
    "courses/first-aid/quiz",
    "courses/first-aid/quiz/start",
    "courses/first-aid/quiz/attempt/3",
    "courses/first-aid/quiz/attempt/3/save",
    "courses/first-aid/quiz/attempt/3/result",
    "courses/first-aid/quiz/attempt/x",
    "courses/first-aid/nowhere",
    "courses/first-aid/lesson-1/nowhere/deeper",
    "courses/draft",  # not live
    "courses/draft/lesson-1",  # live, below a page that is not
    "nowhere",
    "nowhere/at/all",
]


@pytest.mark.parametrize("path", PATHS)
def test_every_path_routes_as_wagtails_own_walk_does(course, path):
    home = home_page()
    components = path.split("/")
    request = RequestFactory().get("/")
    assert outcome(lambda: home.route(request, components)) == outcome(
        lambda: wagtail_walk(home, components)
    )


def test_a_sub_route_of_a_course_wins_over_a_lesson_with_the_same_slug_as_in_wagtail(course):
    from courses.blocks import LessonStreamBlock, stream_from_raw
    from courses.models import LessonPage
    from tests.factories import text_block

    course.add_child(
        instance=LessonPage(
            title="Урок",
            slug="enrol",
            body=stream_from_raw(LessonStreamBlock(), [text_block()]),
        )
    )
    home = home_page()
    components = ["courses", "first-aid", "enrol"]
    request = RequestFactory().get("/")
    routed = outcome(lambda: home.route(request, components))
    assert routed == outcome(lambda: wagtail_walk(home, components))
    assert routed[1] == "CoursePage"


def test_a_quiz_attempt_four_levels_down_is_found_in_two_queries(course, django_assert_num_queries):
    home = home_page()
    quiz = quiz_of(course)
    request = RequestFactory().get("/")
    with django_assert_num_queries(2):  # the chain of pages, then the quiz's own row
        page, args, _kwargs = home.route(
            request, ["courses", "first-aid", "quiz", "attempt", "1", "result"]
        )
    assert page.pk == quiz.pk
    assert args[0].__name__ == "attempt_result_route"
