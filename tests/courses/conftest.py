import pytest

from tests.factories import UserFactory, lessons_of, make_course, quiz_of


@pytest.fixture
def learner(db):
    return UserFactory(email="learner@example.kz")


@pytest.fixture
def course(db):
    return make_course(n_lessons=2, quiz={"pass_mark": 100, "max_attempts": 3})


@pytest.fixture
def enrolled(learner, course):
    from courses.services import enrol

    enrol(user=learner, course=course)
    return learner


@pytest.fixture
def lessons(course):
    return lessons_of(course)


@pytest.fixture
def quiz(course):
    return quiz_of(course)
