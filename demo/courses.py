"""The demo's courses as Wagtail pages: the catalogue in three languages, the first-aid newcomer
course in Russian with a real captioned video and its Kazakh translation, and a short Kazakh
course on blood donation. Idempotent: existing pages and files are left alone."""

from pathlib import Path

from django.core.files import File
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, Locale
from wagtailmedia.models import Media

from certification.models import Direction, Level
from courses import services, transcoding
from courses.blocks import LessonStreamBlock, QuizStreamBlock, stream_from_raw
from courses.models import CataloguePage, CoursePage, LessonPage, QuizPage

from .blood_donation_course import BLOOD_DONATION_COURSE
from .first_aid_course import FIRST_AID_COURSE
from .first_aid_course_kk import FIRST_AID_COURSE_KK

MEDIA_DIR = Path(__file__).resolve().parent / "media"
VIDEO_SECONDS = 27.0

CATALOGUE_TITLES = {"ru": "Курсы", "kk": "Курстар", "en": "Courses"}
CATALOGUE_INTROS = {
    "ru": "<p>Видеокурсы и тесты для медицинских волонтёров. Начните с базового курса.</p>",
    "kk": "<p>Медициналық волонтерлерге арналған бейнекурстар мен тесттер.</p>",
    "en": "<p>Video courses and quizzes for medical volunteers. Start with the basics.</p>",
}


def publish(page):
    page.save_revision().publish()
    return page


def ensure_catalogues(home):
    catalogue = CataloguePage.objects.child_of(home).first()
    if catalogue is None:
        catalogue = home.add_child(
            instance=CataloguePage(
                title=CATALOGUE_TITLES["ru"], slug="courses", intro=CATALOGUE_INTROS["ru"]
            )
        )
        publish(catalogue)
    catalogues = {"ru": catalogue}
    for code in ("kk", "en"):
        locale = Locale.objects.get(language_code=code)
        translation = catalogue.get_translation_or_none(locale)
        if translation is None:
            translation = catalogue.copy_for_translation(locale)
            translation.title = CATALOGUE_TITLES[code]
            translation.intro = CATALOGUE_INTROS[code]
            publish(translation)
        catalogues[code] = translation.specific
    return catalogues


def ensure_demo_files():
    """The CPR video (with its poster) and its Russian and Kazakh captions, as library items."""
    # Wagtail's migrations create the root collection; a flushed test database has none.
    Collection.get_first_root_node() or Collection.add_root(name="Root")
    title = "СЛР: ритм компрессий"
    poster = Image.objects.filter(title=title).first()
    if poster is None:
        with open(MEDIA_DIR / "cpr-rhythm-poster.png", "rb") as f:
            poster = Image.objects.create(title=title, file=File(f, name="cpr-rhythm-poster.png"))
    video = Media.objects.filter(title=title).first()
    if video is None:
        with (
            open(MEDIA_DIR / "cpr-rhythm.webm", "rb") as f,
            open(MEDIA_DIR / "cpr-rhythm-poster.png", "rb") as p,
        ):
            video = Media.objects.create(
                title=title,
                type="video",
                duration=VIDEO_SECONDS,
                width=480,
                height=270,
                file=File(f, name="cpr-rhythm.webm"),
                thumbnail=File(p, name="cpr-rhythm-poster.png"),
            )
    # `make run`'s worker makes its HLS renditions (a new upload is sent by itself; this catches
    # a database seeded before there were renditions).
    if transcoding.needs_transcode(video):
        transcoding.enqueue_transcode(video)
    captions = Document.objects.filter(title=f"{title} (субтитры)").first()
    if captions is None:
        with open(MEDIA_DIR / "cpr-rhythm.ru.vtt", "rb") as f:
            captions = Document.objects.create(
                title=f"{title} (субтитры)", file=File(f, name="cpr-rhythm.ru.vtt")
            )
    captions_kk = Document.objects.filter(title=f"{title} (қазақша субтитрлер)").first()
    if captions_kk is None:
        with open(MEDIA_DIR / "cpr-rhythm.kk.vtt", "rb") as f:
            captions_kk = Document.objects.create(
                title=f"{title} (қазақша субтитрлер)", file=File(f, name="cpr-rhythm.kk.vtt")
            )
    return {
        "DEMO_VIDEO": video.pk,
        "DEMO_POSTER": poster.pk,
        "DEMO_CAPTIONS_RU": captions.pk,
        "DEMO_CAPTIONS_KK": captions_kk.pk,
    }, poster


def with_ids(value, ids):
    """The stream data with the demo placeholders replaced by the library items' ids."""
    if isinstance(value, dict):
        return {key: with_ids(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [with_ids(item, ids) for item in value]
    return ids.get(value, value) if isinstance(value, str) else value


def ensure_course(catalogue, content, ids, cover=None, translation_of=None):
    """The course in `catalogue` (and its language). With `translation_of`, each page is linked
    to the original's page of the same slug through Wagtail's translation key: the two versions
    are one course, and either counts for prerequisites and levels."""
    course = CoursePage.objects.child_of(catalogue).filter(slug=content["slug"]).first()
    if course is not None:
        return course
    links = {}
    if translation_of is not None:
        links = {page.slug: page.translation_key for page in translation_of.get_children()}
        links[translation_of.slug] = translation_of.translation_key

    def linked(slug):
        if slug not in links:
            return {}
        return {"locale": catalogue.locale, "translation_key": links[slug]}

    course = catalogue.add_child(
        instance=CoursePage(
            **linked(content["slug"]),
            title=content["title"],
            slug=content["slug"],
            summary=content["summary"],
            estimated_minutes=content["estimated_minutes"],
            direction=Direction.objects.get(slug=content["direction"]),
            target_level=Level.objects.get(slug=content["target_level"]),
            cover_image=cover,
            issues_certificate=True,
            certificate_validity_months=24,
        )
    )
    publish(course)
    for lesson in content["lessons"]:
        page = course.add_child(
            instance=LessonPage(
                **linked(lesson["slug"]),
                title=lesson["title"],
                slug=lesson["slug"],
                estimated_minutes=lesson.get("estimated_minutes", 10),
                body=stream_from_raw(LessonStreamBlock(), with_ids(lesson["body"], ids)),
            )
        )
        publish(page)
    quiz = dict(content["quiz"])
    quiz["questions"] = stream_from_raw(QuizStreamBlock(), quiz["questions"])
    publish(course.add_child(instance=QuizPage(**linked(quiz["slug"]), **quiz)))
    return course


def answer_key_form(questions):
    """The form a learner who knows every answer would send: for demo progress only."""
    form = {}
    for question in questions:
        key, kind = f"q-{question['id']}", question["type"]
        if kind in {"single_choice", "multiple_choice"}:
            form[key] = [c["id"] for c in question["choices"] if c["is_correct"]]
        elif kind == "true_false":
            form[key] = ["true" if question["correct"] else "false"]
        elif kind == "short_answer":
            form[key] = [question["accepted"][0]["text"]]
        elif kind == "numeric":
            form[key] = [question["answers"][0]["value"]]
        elif kind == "matching":
            for n, pair in enumerate(question["pairs"], start=1):
                form[f"{key}-{n}"] = [pair["id"]]
        elif kind == "ordering":
            for n, item in enumerate(question["items"], start=1):
                form[f"{key}-{item['id']}"] = [str(n)]
    return form


def complete_for_demo(user, course):
    """Take a text-only course to completion as the learner would, earning its certificate."""
    services.enrol(user=user, course=course)
    for page in course.get_children().live().specific():
        if isinstance(page, LessonPage):
            services.complete_lesson(user=user, lesson=page)
        elif isinstance(page, QuizPage):
            attempt = services.start_attempt(user=user, quiz=page)
            services.submit_attempt(attempt=attempt, form=answer_key_form(attempt.questions))


def seed_courses(home):
    catalogues = ensure_catalogues(home)
    ids, poster = ensure_demo_files()
    first_aid = ensure_course(catalogues["ru"], FIRST_AID_COURSE, ids, cover=poster)
    ensure_course(
        catalogues["kk"], FIRST_AID_COURSE_KK, ids, cover=poster, translation_of=first_aid
    )
    donation = ensure_course(catalogues["kk"], BLOOD_DONATION_COURSE, ids)
    if home.call_to_action_page_id is None:
        home.call_to_action_page = first_aid
        publish(home)
    return first_aid, donation
