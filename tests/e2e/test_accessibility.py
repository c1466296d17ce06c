"""Every learner, verify, join and coordinator page, in Russian, Kazakh and English, on a 360 px
phone and a 1366 px laptop: nothing scrolls sideways (WCAG 1.4.10 Reflow) and axe-core finds no
WCAG 2.1 A/AA violation. A screenshot of each lands in test-artifacts/<page>-<lang>-<size>.png.

The pages are walked once per module, with one logged-in browser context per user and size;
each test then judges one page in one language at one size from what the walk saw.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files import File
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone, translation

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    axe_violations,
    new_page,
    screenshot,
    sideways_overflow,
    start_axe,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    level,
    make_coordinator,
    make_course,
    make_member,
    quiz_of,
    rich,
)

# The walk builds its data outside any test; each test only reads what the walk saw (its
# transaction is never used, but it makes pytest-django set the test database up).
pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo" / "media"
LANGUAGES = ["ru", "kk", "en"]
SIZES = {"phone": PHONE, "desktop": DESKTOP}

# (page, who looks at it): the path of each is filled in by `build_movement`.
PAGES = {
    "home-volunteer": "learner",
    "catalogue": "learner",
    "course": "learner",
    "lesson": "learner",
    "quiz": "learner",
    "quiz-attempt": "learner",
    "quiz-result": "learner",
    "my-learning": "learner",
    "my-path": "learner",
    "hours": "learner",
    "certificates": "learner",
    "record-book": "learner",
    "profile": "learner",
    "events": "learner",
    "event": "learner",
    "home": "visitor",
    "login": "visitor",
    "signup": "visitor",
    "confirm-address": "visitor",
    "password-reset": "visitor",
    "password-reset-sent": "visitor",
    "join": "visitor",
    "verify-form": "visitor",
    "verify": "visitor",
    "record-book-shared": "visitor",
    "coordination": "coordinator",
    "coordination-volunteers": "coordinator",
    "coordination-volunteer": "coordinator",
    "coordination-record-book": "coordinator",
    "coordination-hours": "coordinator",
    "coordination-promotions": "coordinator",
    "coordination-letters": "coordinator",
    "coordination-sign-offs": "coordinator",
    "coordination-sign-off": "coordinator",
    "coordination-statistics": "coordinator",
    "coordination-events": "coordinator",
    "coordination-event": "coordinator",
    "coordination-event-form": "coordinator",
    "coordination-check-in": "coordinator",
}
VISITS = [(name, language, size) for size in SIZES for language in LANGUAGES for name in PAGES]


@dataclass
class Visit:
    url: str
    overflow: str
    violations: list
    csp_violations: list


# Demo-like data ----------------------------------------------------------------------------------


def question(kind, prompt, **fields):
    value = {"title": "", "prompt": rich(prompt), "points": "1", "feedback": rich("Смотрите урок.")}
    return {"type": kind, "value": {**value, **fields}}


def every_question_type():
    choice = {"credit": None, "feedback": ""}
    return [
        question("single_choice", "Темп компрессий у взрослого?", choices=[
            {"text": "100–120 в минуту", "is_correct": True, **choice},
            {"text": "60 в минуту", "is_correct": False, **choice}]),
        question("multiple_choice", "Что проверяют до начала СЛР?", scoring="partial", choices=[
            {"text": "Безопасность места", "is_correct": True, **choice},
            {"text": "Дыхание", "is_correct": True, **choice},
            {"text": "Группу крови", "is_correct": False, **choice}]),
        question("true_false", "Компрессии прерывают до приезда скорой.", correct=False,
                 feedback_true="", feedback_false=""),
        question("short_answer", "Прибор, который анализирует ритм сердца?",
                 accepted=[{"text": "дефибриллятор", "credit": None, "feedback": ""}]),
        question("numeric", "Глубина компрессий у взрослого, см?",
                 answers=[{"value": "5.5", "tolerance": "0.5", "credit": None, "feedback": ""}],
                 unit="см"),
        question("matching", "Сопоставьте травму и первое действие.", pairs=[
            {"left": "Ожог кипятком", "right": "Охладить проточной водой 20 минут"},
            {"left": "Сильное кровотечение из раны на предплечье", "right": "Прижать рану"}]),
        question("ordering", "Расположите шаги по порядку.",
                 items=["Безопасность", "Сознание", "Вызов 103", "Компрессии"]),
    ]  # fmt: skip


def video_lesson_body():
    from wagtail.documents.models import Document
    from wagtail.models import Collection
    from wagtailmedia.models import Media

    Collection.get_first_root_node() or Collection.add_root(name="Root")
    with open(DEMO / "cpr-rhythm.webm", "rb") as f:
        video = Media.objects.create(
            title="СЛР: ритм компрессий", type="video", duration=27, file=File(f, "cpr.webm")
        )
    with open(DEMO / "cpr-rhythm.ru.vtt", "rb") as f:
        captions = Document.objects.create(title="Субтитры", file=File(f, "cpr.ru.vtt"))
    check = question("single_choice", "Куда звонить при остановке сердца?", choices=[
        {"text": "103", "is_correct": True, "credit": None, "feedback": "Верно."},
        {"text": "102", "is_correct": False, "credit": None, "feedback": "Это полиция."}])  # fmt: skip
    return [
        {"type": "text", "value": rich("Посмотрите видео до конца: ритм компрессий — 100–120.")},
        {
            "type": "video",
            "value": {"video": video.pk, "captions": [{"language": "ru", "file": captions.pk}]},
        },
        {"type": "safety_note", "value": {"heading": "Безопасность", "text": rich("Сначала оцените, безопасно ли подходить.")}},
        {"type": "knowledge_check", "value": [check]},
    ]  # fmt: skip


def confirmation_path():
    """The page the link in a new account's email opens (it asks for the password again)."""
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from lms.accounts.confirmation import confirmation_token
    from tests.factories import UserFactory

    newcomer = UserFactory(email="new.volunteer@example.kz", is_active=False)
    uid = urlsafe_base64_encode(force_bytes(newcomer.pk))
    return f"/{{lang}}/accounts/confirm/{uid}/{confirmation_token.make_token(newcomer)}/"


def build_events(coordinator, learner, colleague):
    """A marathon shift under way (the learner checked in, a colleague on the waitlist), a donor
    day to come and a past training with a no-show. Returns the marathon."""
    from certification.events import services as events
    from certification.models import Event, EventRequirement, EventRole, Skill

    now = timezone.now()

    def event(title, kind, starts_in, hours, capacity, **fields):
        return Event.objects.create(
            branch=learner.branch,
            title=title,
            kind=kind,
            direction_id=learner.directions.first().pk,
            place="Площадь Республики, медпост №2 у финишной арки",
            starts_at=now + starts_in,
            ends_at=now + starts_in + timedelta(hours=hours),
            capacity=capacity,
            created_by=coordinator,
            **fields,
        )

    marathon = event(
        "Алматинский марафон: медицинское дежурство на трассе",
        Event.Kind.DUTY_SHIFT,
        timedelta(minutes=-30),
        5,
        1,
        description="Вода, охлаждение, первая помощь до приезда бригады скорой помощи.",
    )
    post = EventRole.objects.create(event=marathon, name="Медпост на трассе", capacity=1)
    before = now - timedelta(days=2)
    events.sign_up(event=marathon, volunteer=learner, role=post, now=before)
    events.sign_up(event=marathon, volunteer=colleague, role=post, now=before)
    events.mark(sign_up=learner.sign_ups.get(event=marathon), by=coordinator, now=now)

    donor_day = event("День донора в КазНМУ", Event.Kind.ACTION, timedelta(days=4), 5, 8)
    EventRequirement.objects.create(
        event=donor_day,
        kind=EventRequirement.Kind.SKILL,
        skill=Skill.objects.get(slug="cpr-manikin"),
    )
    lecture = event("Лекция в школе №25: вакцинация", Event.Kind.LECTURE, timedelta(days=9), 2, 3)
    EventRequirement.objects.create(
        event=lecture, kind=EventRequirement.Kind.LEVEL, level=level("senior-volunteer")
    )
    events.sign_up(event=donor_day, volunteer=learner, now=now)
    training = event(
        "Тренинг с врачами скорой помощи: СЛР", Event.Kind.TRAINING, timedelta(days=-3), 4, 6
    )
    for member, came in [(learner, True), (colleague, False)]:
        sign_up = events.sign_up(event=training, volunteer=member, now=now - timedelta(days=5))
        if came:
            events.mark(sign_up=sign_up, by=coordinator, now=training.starts_at)
            events.mark(sign_up=sign_up, by=coordinator, now=training.ends_at)
    events.close(event=training, now=training.ends_at + events.CHECK_OUT_GRACE)
    return marathon


def build_movement():
    """A branch as the demo has it: a volunteer halfway through a video course with a quiz,
    holding a certificate; a colleague waiting for a promotion; a coordinator who also signs
    off skills. Returns the path of every page in PAGES (without the language prefix)."""
    from certification.certificates import pipeline
    from certification.models import (
        Branch,
        Certificate,
        Direction,
        Level,
        LevelAward,
        LevelRequirement,
        Skill,
    )
    from certification.record_book import services as record_book
    from certification.reference import (
        ensure_branches_and_skills,
        ensure_level_rules,
        ensure_reference_data,
    )
    from certification.volunteers import roles
    from certification.volunteers import services as volunteers
    from courses import services as learning
    from tests.certification.conftest import complete_course

    ensure_reference_data(Direction, Level)
    ensure_branches_and_skills(Branch, Skill, Direction)
    ensure_level_rules(Level, LevelRequirement, Direction, Skill)
    now = timezone.now()
    today = timezone.localdate()

    coordinator = make_coordinator(
        email="coordinator@example.kz", first_name="Ерлан", last_name="Жақсылықов"
    )
    coordinator.groups.add(roles.instructors_group())
    learner = make_member(
        email="learner@example.kz",
        phone="+7 701 555 12 34",
        level_slug="volunteer",
        directions=("first-aid", "blood-donation"),
        since=now - timedelta(days=75),
    )
    LevelAward.objects.create(
        volunteer=learner, level=level("volunteer"), status="awarded", awarded_at=now
    )
    colleague = make_member(
        email="dana.akhmetova@example.kz",
        first_name="Дана",
        last_name="Ахметова-Сұлтанбекова",
        patronymic="Нұрланқызы",
        level_slug="volunteer",
        since=now - timedelta(days=200),
    )
    LevelAward.objects.create(
        volunteer=colleague, level=level("senior-volunteer"), status="awaiting"
    )

    course = make_course(
        "Сердечно-лёгочная реанимация",
        slug="cpr-basics",
        n_lessons=2,
        lesson_body=video_lesson_body(),
        quiz={
            "pass_mark": 80,
            "max_attempts": 3,
            "time_limit_minutes": 20,
            "feedback_mode": "correct_answers",
            "questions": every_question_type(),
        },
        estimated_minutes=45,
    )
    learning.enrol(user=learner.user, course=course)
    quiz = quiz_of(course)
    failed = learning.start_attempt(user=learner.user, quiz=quiz)
    learning.submit_attempt(attempt=failed, form={})
    learning.start_attempt(user=learner.user, quiz=quiz)
    complete_course(
        learner.user,
        title="Донорство крови: основы",
        slug="blood-donation",
        certificate_validity_months=24,
    )
    certificate = pipeline.render(certificate_id=Certificate.objects.get(holder=learner.user).pk)

    first_aid, donation = (
        Direction.objects.get(slug="first-aid"),
        Direction.objects.get(slug="blood-donation"),
    )
    for days_ago, event, direction, hours, review in [
        (40, "Алматинский марафон, медпункт №3", first_aid, "6", "confirm"),
        (20, "День донора в КазНМУ", donation, "4.5", "confirm"),
        (9, "Лекция о здоровом образе жизни в школе №12", first_aid, "2", "reject"),
        (3, "Дежурство на городском фестивале «Наурыз»", first_aid, "5", None),
    ]:
        activity = volunteers.log_activity(
            volunteer=learner,
            date=today - timedelta(days=days_ago),
            event=event,
            direction=direction,
            hours=Decimal(hours),
        )
        if review:
            volunteers.review_activity(
                activity=activity,
                by=coordinator,
                confirm=review == "confirm",
                reason="Нет подписи организатора мероприятия в ведомости.",
            )
    volunteers.log_activity(
        volunteer=colleague,
        date=today - timedelta(days=1),
        event="Выездной приём «Добро в село», Талгарский район",
        direction=first_aid,
        hours=Decimal("7.5"),
    )
    volunteers.record_sign_off(
        volunteer=learner,
        skill=Skill.objects.get(slug="cpr-manikin"),
        date=today - timedelta(days=10),
        place="Учебный центр КазНМУ",
        result="passed",
        by=coordinator,
    )
    volunteers.issue_letters(
        branch=learner.branch,
        event="Алматинский марафон",
        event_date=today - timedelta(days=40),
        volunteers=[learner, colleague],
        by=coordinator,
    )
    marathon = build_events(coordinator, learner, colleague)
    share = record_book.create_share(volunteer=learner, label="КазНМУ", valid_days=90)

    return {
        "home-volunteer": "/{lang}/",
        "catalogue": "/{lang}/courses/",
        "course": "/{lang}/courses/cpr-basics/",
        "lesson": "/{lang}/courses/cpr-basics/lesson-1/",
        "quiz": "/{lang}/courses/cpr-basics/quiz/",
        "quiz-attempt": "/{lang}/courses/cpr-basics/quiz/attempt/2/",
        "quiz-result": "/{lang}/courses/cpr-basics/quiz/attempt/1/result/",
        "my-learning": "/{lang}/learning/",
        "my-path": "/{lang}/volunteer/",
        "hours": "/{lang}/volunteer/hours/",
        "certificates": "/{lang}/certificates/",
        "record-book": "/{lang}/volunteer/record-book/",
        "profile": "/{lang}/accounts/profile/",
        "events": "/{lang}/events/",
        "event": f"/{{lang}}/events/{marathon.pk}/",
        "home": "/{lang}/",
        "login": "/{lang}/accounts/login/",
        "signup": "/{lang}/accounts/signup/",
        "confirm-address": confirmation_path(),
        "password-reset": "/{lang}/accounts/password/reset/",
        "password-reset-sent": "/{lang}/accounts/password/reset/sent/",
        "join": "/{lang}/volunteer/join/",
        "verify-form": "/verify/",
        "verify": f"/verify/{certificate.public_code}/",
        "record-book-shared": f"/{{lang}}/record-book/{share.token}/",
        "coordination": "/{lang}/coordination/",
        "coordination-volunteers": "/{lang}/coordination/volunteers/",
        "coordination-volunteer": f"/{{lang}}/coordination/volunteers/{learner.pk}/",
        "coordination-record-book": f"/{{lang}}/coordination/volunteers/{learner.pk}/record-book/",
        "coordination-hours": "/{lang}/coordination/hours/",
        "coordination-promotions": "/{lang}/coordination/promotions/",
        "coordination-letters": "/{lang}/coordination/letters/",
        "coordination-sign-offs": "/{lang}/coordination/sign-offs/?q=Сейітова",
        "coordination-sign-off": f"/{{lang}}/coordination/sign-offs/{learner.pk}/",
        "coordination-statistics": "/{lang}/coordination/statistics/",
        "coordination-events": "/{lang}/coordination/events/",
        "coordination-event": f"/{{lang}}/coordination/events/{marathon.pk}/",
        "coordination-event-form": f"/{{lang}}/coordination/events/{marathon.pk}/edit/",
        "coordination-check-in": f"/{{lang}}/coordination/events/{marathon.pk}/check-in/",
    }


# The walk ----------------------------------------------------------------------------------------

USERS = {"learner": "learner@example.kz", "coordinator": "coordinator@example.kz"}


def logged_in_state(browser, base, email):
    page = new_page(browser, DESKTOP)
    page.goto(f"{base}/ru/accounts/login/")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base}/ru/")
    state = page.context.storage_state()
    page.context.close()
    return state


def visit_everything(browser, base, paths):
    states = {who: logged_in_state(browser, base, email) for who, email in USERS.items()}
    states["visitor"] = None
    visits = {}
    for who, state in states.items():
        pages = {size: new_page(browser, viewport) for size, viewport in SIZES.items()}
        for page in pages.values():
            if state:
                page.context.add_cookies(state["cookies"])
        for language in LANGUAGES:
            for page in pages.values():
                # Addresses without a language prefix (verify) answer in the cookie's language.
                page.context.add_cookies(
                    [{"name": "komek_language", "value": language, "url": base}]
                )
            for name in (name for name, viewer in PAGES.items() if viewer == who):
                url = base + paths[name].format(lang=language)
                # The phone's and the laptop's axe-core run side by side, in two renderers.
                for page in pages.values():
                    page.csp_violations.clear()
                    response = page.goto(url)
                    assert response.ok, f"{url} answered {response.status}"
                    start_axe(page)
                for size, page in pages.items():
                    visits[name, language, size] = Visit(
                        url=url,
                        violations=axe_violations(page),
                        overflow=sideways_overflow(page),
                        csp_violations=list(page.csp_violations),
                    )
                    screenshot(page, f"{name}-{language}-{size}")
        for page in pages.values():
            page.context.close()
    return visits


@pytest.fixture(scope="module")
def walk(request, browser, django_db_setup, django_db_blocker, tmp_path_factory):
    """Builds the data once, walks every page, then empties the database as a transactional
    test does, so the tests after this module start from the same state."""
    # Asked for here, not as an argument: a test whose fixtures name live_server gets a
    # transactional database, flushed after it, and this module's tests need none.
    live_server = request.getfixturevalue("live_server")
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        pytest.MonkeyPatch.context() as patch,
    ):
        from certification.certificates.tasks import render_certificate

        # The course certificate is rendered in-process (build_movement); nothing goes to a broker.
        patch.setattr(render_certificate, "apply_async", lambda args: None)
        live_server._live_server_modified_settings.enable()
        try:
            return visit_everything(browser, live_server.url, build_movement())
        finally:
            live_server._live_server_modified_settings.disable()
            translation.deactivate()
            call_command("flush", interactive=False, verbosity=0)


def visit_id(visit):
    return "-".join(visit)


# The tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", VISITS, ids=map(visit_id, VISITS))
def test_page_does_not_scroll_sideways(walk, key):
    visit = walk[key]
    assert not visit.overflow, f"{visit.url}: {visit.overflow}"


@pytest.mark.parametrize("key", VISITS, ids=map(visit_id, VISITS))
def test_page_has_no_axe_core_violations(walk, key):
    visit = walk[key]
    assert not visit.violations, f"{visit.url}: axe-core found\n" + "\n".join(visit.violations)


@pytest.mark.parametrize("key", VISITS, ids=map(visit_id, VISITS))
def test_page_breaks_no_content_security_policy_rule(walk, key):
    visit = walk[key]
    assert not visit.csp_violations, "\n".join(visit.csp_violations)
