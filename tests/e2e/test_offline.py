"""Offline on a phone: the installable app passes chromium's check; a learner downloads a course,
loses the connection, reads, watches, answers and marks done; on reconnect the server records
each action exactly once and grades the quiz answered offline."""

import copy
from pathlib import Path

import pytest
from django.core.files import File
from playwright.sync_api import expect

from courses.models import (
    Enrolment,
    LessonCompletion,
    OfflineAction,
    QuizAttempt,
    VideoProgress,
)
from tests.e2e.conftest import CHROMIUM, PHONE, screenshot
from tests.e2e.test_learning import log_in
from tests.factories import UserFactory, lessons_of, make_course, rich, single_choice_block

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = Path(__file__).resolve().parents[2] / "demo" / "media"


@pytest.fixture
def offline_course(db):
    return build_offline_course()


def build_offline_course():
    from wagtail.documents.models import Document
    from wagtail.models import Collection
    from wagtailmedia.models import Media

    from courses.blocks import LessonStreamBlock, stream_from_raw

    Collection.get_first_root_node() or Collection.add_root(name="Root")
    with open(DEMO / "cpr-rhythm.webm", "rb") as f:
        media = Media.objects.create(
            title="CPR", type="video", duration=27, file=File(f, "cpr.webm")
        )
    with open(DEMO / "cpr-rhythm.ru.vtt", "rb") as f:
        captions = Document.objects.create(title="CPR captions", file=File(f, "cpr.ru.vtt"))
    course = make_course(
        "Первая помощь без сети",
        slug="offline-first-aid",
        n_lessons=2,
        quiz={"pass_mark": 100, "questions": [single_choice_block()]},
    )
    video_lesson = lessons_of(course)[0]
    video_lesson.body = stream_from_raw(
        LessonStreamBlock(),
        [
            {"type": "text", "value": rich("Посмотрите видео.")},
            {
                "type": "video",
                "value": {"video": media.pk, "captions": [{"language": "ru", "file": captions.pk}]},
            },
            {"type": "knowledge_check", "value": [single_choice_block()]},
        ],
    )
    video_lesson.save_revision().publish()
    return course


def test_a_learner_studies_a_downloaded_course_offline_and_it_syncs_once(
    live_server, offline_course, phone, password
):
    learner = UserFactory(email="aigerim@example.kz", preferred_language="ru")
    Enrolment.objects.create(user=learner, course=offline_course)
    base = live_server.url
    course_url = f"{base}/ru/courses/offline-first-aid/"
    log_in(phone, base, "aigerim@example.kz", password)

    phone.goto(course_url)
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.get_by_role("button", name="Скачать для офлайн-доступа").click()
    expect(phone.get_by_text("Офлайн-копия займёт")).to_be_visible()
    screenshot(phone, "offline-download-size-phone")
    phone.get_by_role("button", name="Скачать", exact=True).click()
    expect(phone.get_by_text("Сохранено на устройстве")).to_be_visible(timeout=30_000)
    expect(phone.get_by_role("button", name="Удалить офлайн-копию")).to_be_visible()
    screenshot(phone, "offline-download-stored-phone")

    phone.context.set_offline(True)
    phone.goto(f"{course_url}lesson-1/")
    expect(phone.get_by_text("Нет подключения к интернету.")).to_be_visible()
    phone.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }"
    )
    phone.wait_for_function("() => document.querySelector('video').currentTime > 1")
    phone.evaluate("() => document.querySelector('video').pause()")
    phone.get_by_label("103").check()
    phone.get_by_role("button", name="Проверить").click()
    expect(phone.get_by_text("Ответ сохранён на устройстве")).to_be_visible()
    screenshot(phone, "offline-lesson-phone")

    phone.goto(f"{course_url}lesson-2/")
    phone.get_by_role("button", name="Урок прочитан").click()
    expect(phone.get_by_text("Отмечено как прочитанное на устройстве")).to_be_visible()

    phone.goto(f"{course_url}quiz/")
    phone.get_by_role("link", name="Продолжить попытку").click()
    phone.get_by_label("103").check()
    phone.get_by_role("button", name="Отправить ответы").click()
    expect(phone.get_by_text("Ответы сохранены на этом устройстве")).to_be_visible()
    assert not OfflineAction.objects.exists()
    assert not LessonCompletion.objects.exists()

    phone.context.set_offline(False)
    result = phone.get_by_role("link", name="Посмотреть результат")
    expect(result).to_be_visible(timeout=20_000)
    expect(phone.locator("[data-offline-results]")).to_contain_text("«Тест» проверен: тест сдан.")
    expect(phone.locator("[data-save-status]")).to_have_text("«Тест» проверен: тест сдан.")
    screenshot(phone, "offline-synced-phone")
    result_url = result.get_attribute("href")
    phone.reload()  # a second flush on load finds nothing left to send
    expect(phone.get_by_role("heading", name="Тест")).to_be_visible()

    kinds = list(OfflineAction.objects.values_list("kind", flat=True))
    assert kinds.count("knowledge_check") == 1
    assert kinds.count("lesson_complete") == 1
    assert kinds.count("quiz_submit") == 1
    assert kinds.count("video_progress") >= 1
    lesson_2 = lessons_of(offline_course)[1]
    assert LessonCompletion.objects.filter(user=learner, lesson=lesson_2).count() == 1
    attempt = QuizAttempt.objects.get(user=learner)
    assert attempt.status == QuizAttempt.Status.SUBMITTED and attempt.passed
    assert VideoProgress.objects.get(user=learner).watched_seconds > 0

    phone.goto(base + result_url)
    expect(phone.get_by_role("heading", name="Тест сдан")).to_be_visible()


def test_a_page_never_visited_says_offline_in_the_page_language(live_server, offline_course, phone):
    phone.goto(f"{live_server.url}/kk/offline/")
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.context.set_offline(True)

    phone.goto(f"{live_server.url}/kk/verify/never-seen/")

    expect(phone.get_by_role("heading", name="Байланыс жоқ")).to_be_visible()
    expect(phone.get_by_text("Бұл бет құрылғыда сақталмаған")).to_be_visible()
    screenshot(phone, "offline-fallback-kk-phone")


def test_chromium_finds_the_app_installable(live_server, browser, tmp_path):
    # A profile on disk: chromium never offers to install from an incognito-like context.
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile",
        executable_path=CHROMIUM,
        headless=True,
        viewport=PHONE,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/ru/verify/")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        cdp = context.new_cdp_session(page)

        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        manifest = cdp.send("Page.getAppManifest")
    finally:
        context.close()

    assert errors == []
    assert manifest["url"].endswith("/ru/manifest.webmanifest")
    assert not manifest["errors"]


@pytest.fixture
def uploads_on_object_storage(settings):
    """Uploads on S3-compatible storage at another origin, as on several hosts (issue 13)."""
    from tests.object_storage import BUCKET, KEYS, REGION, s3_server

    pytest.importorskip("moto.server")
    with s3_server() as (endpoint, s3):
        settings.AWS_STORAGE_BUCKET_NAME = BUCKET
        settings.AWS_S3_ENDPOINT_URL = endpoint
        settings.AWS_S3_REGION_NAME = REGION
        settings.AWS_ACCESS_KEY_ID = KEYS["aws_access_key_id"]
        settings.AWS_SECRET_ACCESS_KEY = KEYS["aws_secret_access_key"]
        settings.STORAGE_ORIGIN = endpoint
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        for directive in ("img-src", "media-src", "connect-src"):
            policy["DIRECTIVES"][directive].append(endpoint)
        settings.CONTENT_SECURITY_POLICY = policy
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"location": "public"},
            },
        }
        yield endpoint, s3


def test_a_course_whose_files_are_on_object_storage_plays_offline(
    live_server, uploads_on_object_storage, phone, password
):
    endpoint, s3 = uploads_on_object_storage
    course = build_offline_course()
    stored = [item["Key"] for item in s3.list_objects_v2(Bucket="komek-test")["Contents"]]
    assert any(key.endswith(".webm") for key in stored), stored
    learner = UserFactory(email="aigerim@example.kz", preferred_language="ru")
    Enrolment.objects.create(user=learner, course=course)
    base = live_server.url
    course_url = f"{base}/ru/courses/offline-first-aid/"
    log_in(phone, base, "aigerim@example.kz", password)
    phone.goto(f"{course_url}lesson-1/")
    video_src = phone.locator("[data-offline-src]").get_attribute("data-offline-src")
    assert video_src.startswith(endpoint + "/") and "X-Amz-Signature" in video_src

    phone.goto(course_url)
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.get_by_role("button", name="Скачать для офлайн-доступа").click()
    phone.get_by_role("button", name="Скачать", exact=True).click()
    expect(phone.get_by_text("Сохранено на устройстве")).to_be_visible(timeout=30_000)
    # The page seen since holds newly signed addresses: the copy answers them all the same.
    phone.goto(f"{course_url}lesson-1/")
    # Only the offline copy may answer: not what the browser's own cache kept of the visits.
    phone.context.new_cdp_session(phone).send("Network.clearBrowserCache")
    phone.context.set_offline(True)
    phone.goto(f"{course_url}lesson-1/")

    expect(phone.get_by_text("Нет подключения к интернету.")).to_be_visible()
    phone.evaluate(
        "() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }"
    )
    phone.wait_for_function("() => document.querySelector('video').currentTime > 1")
    captions = phone.evaluate(
        """() => new Promise((resolve) => {
            const track = document.querySelector('track');
            if (track.readyState === 2) return resolve(track.track.cues.length);
            track.track.mode = 'hidden';
            track.addEventListener('load', () => resolve(track.track.cues.length));
            track.addEventListener('error', () => resolve(-1));
        })"""
    )
    assert captions > 0
    screenshot(phone, "offline-object-storage-lesson-phone")
