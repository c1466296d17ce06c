"""Reads for course pages and dashboards; query counts stay flat as courses grow."""

import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Avg, Count, Exists, Max, OuterRef, Prefetch, Q
from django.utils.functional import SimpleLazyObject
from django.utils.html import strip_tags
from django.utils.translation import get_language
from wagtail.images import get_image_model

from certification.models import Direction, Level

from .models import (
    AttemptAnswer,
    CoursePage,
    Enrolment,
    LessonCompletion,
    LessonPage,
    QuizAttempt,
    QuizPage,
)


@dataclass
class OutlineItem:
    page: object
    kind: str  # "lesson" or "quiz"
    is_done: bool = False
    is_current: bool = False


@dataclass
class CourseProgress:
    items: list = field(default_factory=list)

    @property
    def n_items(self):
        return len(self.items)

    @property
    def n_done(self):
        return sum(1 for item in self.items if item.is_done)

    @property
    def percent(self):
        return round(100 * self.n_done / self.n_items) if self.items else 0

    @property
    def is_complete(self):
        return bool(self.items) and self.n_done == self.n_items

    @property
    def next_item(self):
        return next((item for item in self.items if not item.is_done), None)


# The outline is the same for every learner: kept until one of the course's pages changes
# (courses/receivers.py forgets it), at most a day.
OUTLINE_SECONDS = 24 * 3600


def outline_key(course):
    # The translation key too: ids are reused after a rolled-back transaction (tests, SQLite).
    return f"course-outline:{course.pk}:{course.translation_key}"


def forget_now_and_on_commit(forget):
    """Forget a cached read now, and again once the change is committed: a reader between the
    two read the rows as they were and may have cached them again."""
    forget()
    transaction.on_commit(forget)


def forget_outline(course):
    key = outline_key(course)
    forget_now_and_on_commit(lambda: cache.delete(key))


def course_items(course):
    """The live lessons and quizzes of a course, in authoring order, without their bodies."""
    key = outline_key(course)
    items = cache.get(key)
    if items is None:
        items = list(course.get_children().live().type(LessonPage, QuizPage).specific(defer=True))
        cache.set(key, items, OUTLINE_SECONDS)
    return items


def done_item_ids(*, user, items, course=None):
    """The ids of the items the learner has done (lessons completed, quizzes passed), and with a
    `course`, its id too when the learner is enrolled in it: in one query."""
    ids = [page.pk for page in items]
    reads = [
        LessonCompletion.objects.filter(user=user, lesson_id__in=ids).values_list("lesson_id"),
        QuizAttempt.objects.filter(user=user, quiz_id__in=ids, passed=True).values_list("quiz_id"),
    ]
    if course is not None:
        # The course's id is never one of its items' (all are pages): no mix-up in the set.
        reads.append(Enrolment.objects.filter(user=user, course=course).values_list("course_id"))
    elif not ids:
        return set()
    first, *others = [read.order_by() for read in reads]
    return {pk for (pk,) in first.union(*others, all=True)}


def course_progress(*, user, course, items=None, current=None, done=None):
    """The outline with what the learner did; `done` the ids from `done_item_ids` if read."""
    items = course_items(course) if items is None else items
    if done is None:
        done = done_item_ids(user=user, items=items) if user.is_authenticated else set()
    progress = CourseProgress()
    for page in items:
        kind = "quiz" if isinstance(page, QuizPage) else "lesson"
        progress.items.append(
            OutlineItem(page, kind, page.pk in done, current is not None and page.pk == current.pk)
        )
    return progress


def course_is_complete(*, user, course):
    """`course_progress(...).is_complete` in one query: asked on every passed quiz and lesson."""
    is_done = Exists(LessonCompletion.objects.filter(user=user, lesson_id=OuterRef("pk"))) | Exists(
        QuizAttempt.objects.filter(user=user, quiz_id=OuterRef("pk"), passed=True)
    )
    counts = (
        course.get_children()
        .live()
        .type(LessonPage, QuizPage)
        .aggregate(n_items=Count("pk"), n_done=Count("pk", filter=is_done))
    )
    return 0 < counts["n_items"] == counts["n_done"]


def completed_translation_keys(user):
    """Courses count as completed in any of their translations."""
    return set(
        Enrolment.objects.filter(user=user, completed_at__isnull=False).values_list(
            "course__translation_key", flat=True
        )
    )


def missing_prerequisites(*, user, course):
    prerequisites = list(course.prerequisites.all())
    if not prerequisites:
        return []
    done = completed_translation_keys(user) if user.is_authenticated else set()
    return [page for page in prerequisites if page.translation_key not in done]


def course_overview(*, user, course):
    enrolment = None
    if user.is_authenticated:
        enrolment = Enrolment.objects.filter(user=user, course=course).first()
    return {
        "enrolment": enrolment,
        "progress": course_progress(user=user, course=course),
        "missing_prerequisites": missing_prerequisites(user=user, course=course),
    }


def one_version_each(courses, *, language=None):
    """One page per course (translation key), in `language` where that version exists."""
    language = language or get_language()
    chosen = {}
    for course in courses:
        key = course.translation_key
        if key not in chosen or course.locale.language_code == language:
            chosen[key] = course
    return list(chosen.values())


CATALOGUE_PAGE_SIZE = 24
COVER_RENDITION = "fill-480x270"  # the catalogue card's {% image %} filter


def preferred_versions(courses, *, language):
    """The courses one version each, as `one_version_each` chooses but in the database (so the
    catalogue can count and page them): the `language` version, else the Russian, else any."""
    order = list(dict.fromkeys([language, settings.LANGUAGE_CODE, *dict(settings.LANGUAGES)]))
    versions = (
        CoursePage.objects.live().public().filter(translation_key=OuterRef("translation_key"))
    )
    chosen = Q()
    for n, code in enumerate(order):
        version = Q(locale__language_code=code)
        for better in order[:n]:
            version &= ~Exists(versions.filter(locale__language_code=better))
        chosen |= version
    return courses.filter(chosen)


# What the catalogue lists is everyone's alike: its rendered list is cached per language, filters
# and page, until a course, a catalogue, a direction, a level or an image changes (then the
# version below moves on: courses/receivers.py), at most this long.
CATALOGUE_SECONDS = 300
MAX_CACHED_PAGE = 100
CATALOGUE_VERSION_KEY = "course-catalogue:version"


def catalogue_version():
    version = cache.get(CATALOGUE_VERSION_KEY)
    if version is None:
        # A new start each time the key is lost, never an earlier version's cached lists.
        version = secrets.token_hex(4)
        cache.add(CATALOGUE_VERSION_KEY, version, None)
        version = cache.get(CATALOGUE_VERSION_KEY, version)
    return version


def forget_catalogue():
    forget_now_and_on_commit(lambda: cache.set(CATALOGUE_VERSION_KEY, secrets.token_hex(4), None))


def catalogue_courses(*, request, catalogue):
    """Live courses in all languages, one version of each: the visitor's language if any. A page
    of them at a time, in a fixed number of queries however many courses there are; read only
    when the template's cached list is missing (the page of courses is lazy)."""
    params = request.GET
    filters = {
        "direction": params.get("direction", ""),
        "level": params.get("level", ""),
        "language": params.get("language", ""),
        "q": params.get("q", "").strip()[:100],
    }
    directions = SimpleLazyObject(lambda: list(Direction.objects.all()))
    levels = SimpleLazyObject(lambda: list(Level.objects.all()))
    page = SimpleLazyObject(lambda: page_of_courses(params, filters))
    number = params.get("page", "1") or "1"
    # Cached only for what the form offers (a bounded set of lists); a search, an unknown filter
    # or an odd page number is read for its visitor alone, so nobody fills the cache with them.
    cacheable = (
        not filters["q"]
        and number.isdigit()
        and 0 < int(number) <= MAX_CACHED_PAGE
        and filters["language"] in ("", *dict(settings.LANGUAGES))
        and (not filters["direction"] or filters["direction"] in {d.slug for d in directions})
        and (not filters["level"] or filters["level"] in {level.slug for level in levels})
    )
    return {
        "courses": SimpleLazyObject(lambda: page.object_list),
        "page_of_courses": page,
        "page_number": int(number) if cacheable else 0,
        "catalogue_version": catalogue_version(),
        "catalogue_seconds": CATALOGUE_SECONDS if cacheable else 0,
        "directions": directions,
        "levels": levels,
        "filters": filters,
        # The pages' links carry the filters only (not whatever else the address held).
        "filters_query": urlencode({name: value for name, value in filters.items() if value}),
        "is_filtered": any(filters.values()),
    }


def page_of_courses(params, filters):
    language = get_language()
    courses = CoursePage.objects.live().public()
    if filters["direction"]:
        courses = courses.filter(direction__slug=filters["direction"])
    if filters["level"]:
        courses = courses.filter(target_level__slug=filters["level"])
    if filters["language"]:
        courses = courses.filter(locale__language_code=filters["language"])
    shown = courses if filters["language"] else preferred_versions(courses, language=language)
    shown = shown.select_related("direction", "target_level", "locale", "cover_image")
    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=COVER_RENDITION)
    shown = shown.prefetch_related(Prefetch("cover_image__renditions", queryset=renditions))
    if filters["q"]:
        # A course is found when any of its versions is, and shown in the visitor's language.
        keys = []
        if words := search_words(filters["q"]):
            found = courses.only("translation_key").search(" ".join(words), operator="and")
            keys = list(dict.fromkeys(page.translation_key for page in found))
        page = Paginator(keys, CATALOGUE_PAGE_SIZE).get_page(params.get("page"))
        by_key = {
            course.translation_key: course
            for course in shown.filter(translation_key__in=page.object_list)
        }
        page.object_list = [by_key[key] for key in page.object_list if key in by_key]
    else:
        page = Paginator(shown.order_by("path"), CATALOGUE_PAGE_SIZE).get_page(params.get("page"))
        page.object_list = list(page.object_list)
    return page


def search_words(query):
    """The words of a typed query, without the punctuation full-text engines read as syntax
    (SQLite FTS5 refuses a lone quote; a NUL byte breaks PostgreSQL): letters and digits only,
    in any script."""
    return re.findall(r"\w+", query.replace("_", " "))


def learner_dashboard(*, user):
    """Enrolled courses with their progress and next step, and the learner's quiz attempts."""
    enrolments = list(
        Enrolment.objects.filter(user=user)
        .select_related("course", "course__direction", "course__locale")
        .order_by("completed_at", "-enrolled_at")
    )
    rows = []
    for enrolment in enrolments:
        course = enrolment.course.specific
        rows.append(
            {
                "enrolment": enrolment,
                "course": course,
                "progress": course_progress(user=user, course=course),
            }
        )
    attempts = (
        QuizAttempt.objects.filter(user=user)
        .exclude(status=QuizAttempt.Status.OPEN)
        .select_related("quiz")
        .order_by("-submitted_at")[:20]
    )
    return {"rows": rows, "attempts": attempts}


def quiz_results(*, quiz):
    """Per-quiz statistics for instructors: attempts, pass rate, mean score, per question."""
    finished = QuizAttempt.objects.filter(quiz=quiz).exclude(status=QuizAttempt.Status.OPEN)
    totals = finished.aggregate(
        n_attempts=Count("id"),
        n_passed=Count("id", filter=Q(passed=True)),
        n_learners=Count("user", distinct=True),
        last=Max("submitted_at"),
    )
    totals["mean_percent"] = finished.aggregate(mean=Avg("percent"))["mean"]
    totals["pass_rate"] = (
        100 * totals["n_passed"] / totals["n_attempts"] if totals["n_attempts"] else None
    )
    per_question = {
        row["question_id"]: row
        for row in AttemptAnswer.objects.filter(attempt__in=finished)
        .values("question_id")
        .annotate(n=Count("id"), n_correct=Count("id", filter=Q(is_correct=True)))
    }
    questions = []
    for block in quiz.question_blocks:
        row = per_question.get(str(block.id), {"n": 0, "n_correct": 0})
        questions.append(
            {
                "id": str(block.id),
                "type": block.block.meta.label,
                "title": block.value.get("title") or _plain_text(block.value["prompt"]),
                "n_answers": row["n"],
                "share_correct": 100 * row["n_correct"] / row["n"] if row["n"] else None,
            }
        )
    return {"totals": totals, "questions": questions}


def _plain_text(rich_text, limit=120):
    text = strip_tags(str(getattr(rich_text, "source", rich_text))).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
