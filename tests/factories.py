"""Factories for test data, one per model that tests create."""

import factory
from django.contrib.auth import get_user_model

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"volunteer{n}@example.kz")
    first_name = "Айгерім"
    last_name = "Сейітова"
    patronymic = "Бекқызы"
    full_name_latin = "Aigerim Seitova"
    preferred_language = "ru"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


# Courses -----------------------------------------------------------------------------------------


def rich(text):
    return f"<p>{text}</p>"


def single_choice_block(
    prompt="Куда звонить при остановке сердца?", right="103", wrong=("102", "104")
):
    choices = [{"text": right, "is_correct": True, "credit": None, "feedback": "Верно"}]
    choices += [{"text": w, "is_correct": False, "credit": None, "feedback": ""} for w in wrong]
    return {
        "type": "single_choice",
        "value": {
            "title": "",
            "prompt": rich(prompt),
            "points": "1",
            "feedback": rich("103"),
            "choices": choices,
        },
    }


def numeric_block():
    return {
        "type": "numeric",
        "value": {
            "title": "",
            "prompt": rich("Темп компрессий в минуту?"),
            "points": "1",
            "feedback": "",
            "answers": [{"value": "110", "tolerance": "10", "credit": None, "feedback": ""}],
            "unit": "в минуту",
        },
    }


def text_block(text="Оцените безопасность места происшествия."):
    return {"type": "text", "value": rich(text)}


def home_page():
    from wagtail.models import Locale, Page, Site

    from lms.models import HomePage

    home = HomePage.objects.filter(locale__language_code="ru").first()
    if home:
        return home
    locale, _ = Locale.objects.get_or_create(language_code="ru")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = root.add_child(instance=HomePage(title="Komek", slug="komek-test", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    return home


def catalogue_page():
    from courses.models import CataloguePage

    catalogue = CataloguePage.objects.filter(locale__language_code="ru").first()
    return catalogue or home_page().add_child(instance=CataloguePage(title="Курсы", slug="courses"))


def make_course(
    title="Первая помощь",
    slug=None,
    *,
    n_lessons=1,
    lesson_body=None,
    quiz=None,
    parent=None,
    **fields,
):
    """A live course with `n_lessons` text lessons and, if `quiz` is given, a quiz after them.

    `quiz` is a dict of QuizPage fields; its "questions" default to one single-choice question.
    """
    from certification.models import Direction, Level
    from courses.blocks import LessonStreamBlock, QuizStreamBlock, stream_from_raw
    from courses.models import CoursePage, LessonPage, QuizPage

    if not Direction.objects.exists():  # browser tests flush the migrations' reference data
        from certification.reference import ensure_reference_data

        ensure_reference_data(Direction, Level)
    fields.setdefault("direction", Direction.objects.get(slug="first-aid"))
    fields.setdefault("target_level", Level.objects.get(slug="newcomer"))
    fields.setdefault("summary", "Базовые навыки первой помощи.")
    course = (parent or catalogue_page()).add_child(
        instance=CoursePage(
            title=title, slug=slug or f"course-{CoursePage.objects.count() + 1}", **fields
        )
    )
    for n in range(1, n_lessons + 1):
        course.add_child(
            instance=LessonPage(
                title=f"Урок {n}",
                slug=f"lesson-{n}",
                body=stream_from_raw(LessonStreamBlock(), lesson_body or [text_block()]),
            )
        )
    if quiz is not None:
        quiz = dict(quiz)
        quiz["questions"] = stream_from_raw(
            QuizStreamBlock(), quiz.get("questions") or [single_choice_block()]
        )
        course.add_child(instance=QuizPage(title="Тест", slug="quiz", **quiz))
    return course


def lessons_of(course):
    from courses.models import LessonPage

    return list(LessonPage.objects.child_of(course).order_by("path"))


def quiz_of(course):
    from courses.models import QuizPage

    return QuizPage.objects.child_of(course).get()


# Certification -----------------------------------------------------------------------------------


def branch(slug="almaty"):
    """A seeded branch (the data migration creates Astana HQ, Almaty, Shymkent, Aktobe, Semey)."""
    from certification.models import Branch

    return Branch.objects.get(slug=slug)


def direction(slug="first-aid"):
    from certification.models import Direction

    return Direction.objects.get(slug=slug)


def level(slug):
    from certification.models import Level

    return Level.objects.get(slug=slug)


def make_member(
    user=None,
    *,
    branch_slug="almaty",
    level_slug="newcomer",
    directions=("first-aid",),
    since=None,
    **user_fields,
):
    """A member of the movement at a level, without running the engine (tests set the stage)."""
    from django.utils import timezone

    from certification.models import Direction, Volunteer

    user = user or UserFactory(**user_fields)
    since = since or timezone.now()
    volunteer = Volunteer.objects.create(
        user=user,
        branch=branch(branch_slug),
        level=level(level_slug),
        level_since=since,
        consent_at=since,
        joined_at=since,
    )
    volunteer.directions.set(Direction.objects.filter(slug__in=directions))
    return volunteer


def make_coordinator(*, branch_slug="almaty", **user_fields):
    """A coordinator of a branch: a member at coordinator level in the Coordinators group."""
    from certification.volunteers import roles

    member = make_member(branch_slug=branch_slug, level_slug="coordinator", **user_fields)
    member.user.groups.add(roles.coordinators_group())
    return member.user


def make_instructor(**user_fields):
    from certification.volunteers import roles

    user = UserFactory(**user_fields)
    user.groups.add(roles.instructors_group())
    return user


def make_newcomer_course(course):
    """Make `course` the newcomer course, as staff (or the demo) do: passing it makes a
    volunteer, with no coordinator's approval."""
    from certification.models import Level, LevelRequirement

    volunteer = Level.objects.get(slug="volunteer")
    LevelRequirement.objects.create(level=volunteer, kind="course", course=course)
    Level.objects.filter(pk=volunteer.pk).update(requires_approval=False)
    return course


def make_event(*, branch_slug="almaty", starts_in=None, hours=4, capacity=10, by=None, **fields):
    """An event of a branch starting `starts_in` from now (a day by default), `hours` long."""
    from datetime import timedelta

    from django.utils import timezone

    from certification.models import Event

    starts_at = timezone.now() + (timedelta(days=1) if starts_in is None else starts_in)
    return Event.objects.create(
        branch=branch(branch_slug),
        title=fields.pop("title", "Алматы марафоны: медициналық кезекшілік"),
        kind=fields.pop("kind", Event.Kind.DUTY_SHIFT),
        direction=direction(fields.pop("direction_slug", "first-aid")),
        place=fields.pop("place", "Медеу, старт"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        created_by=by or UserFactory(),
        **fields,
    )
