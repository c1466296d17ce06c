"""Adaptive lesson video in Debian's chromium: on a slow-3G network hls.js starts and stays on a
low rendition, captions show at every quality, and data saver keeps the lowest one."""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.files import File
from playwright.sync_api import expect

from courses import services, transcoding
from tests.e2e.conftest import screenshot
from tests.factories import UserFactory, lessons_of, make_course

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = Path(__file__).resolve().parents[2] / "demo" / "media"
# Chrome DevTools' "Slow 3G" is 400 ms and 400 kbit/s each way (bytes per second here).
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
           "uploadThroughput": 400_000 / 8}  # fmt: skip
H264 = 'video/mp4; codecs="avc1.4d401e,mp4a.40.2"'


@pytest.fixture(scope="module")
def source_720p(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "lesson-720p.mp4"
    subprocess.run(
        [transcoding.ffmpeg_exe(), "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine",
         "-t", "12", "-pix_fmt", "yuv420p", str(path)],
        check=True, timeout=300,
    )  # fmt: skip
    return path


@pytest.fixture
def hls_lesson(source_720p):
    from wagtail.documents.models import Document
    from wagtail.models import Collection
    from wagtailmedia.models import Media

    Collection.get_first_root_node() or Collection.add_root(name="Root")
    with open(source_720p, "rb") as f:
        media = Media.objects.create(title="СЛР", type="video", file=File(f, "cpr-720p.mp4"))
    transcode = transcoding.transcode_media(media_id=media.pk)
    assert transcode.is_ready, transcode.error_detail
    with open(DEMO / "cpr-rhythm.ru.vtt", "rb") as f:
        captions = Document.objects.create(title="Субтитры", file=File(f, "cpr.ru.vtt"))
    course = make_course("Адаптивное видео", slug="adaptive", lesson_body=[{
        "type": "video",
        "value": {"video": media.pk, "captions": [{"language": "ru", "file": captions.pk}]},
    }])  # fmt: skip
    return lessons_of(course)[0]


def log_in(page, base, email, password):
    page.goto(f"{base}/ru/accounts/login/")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(re.escape(base) + r"/\w\w/$"))


def require_h264(page):
    if not page.evaluate(f"() => MediaSource.isTypeSupported('{H264}')"):
        pytest.skip("this chromium has no H.264 in Media Source Extensions (proprietary codecs)")


def open_lesson(page, live_server, lesson, password, *, data_saver=False):
    user = UserFactory(email="aigerim@example.kz", data_saver=data_saver)
    services.enrol(user=user, course=lesson.get_parent().specific)
    log_in(page, live_server.url, user.email, password)
    page.goto(f"{live_server.url}{lesson.url}")
    require_h264(page)
    figure = page.locator("[data-video-block]")
    expect(figure).to_have_attribute("data-player", "hls.js")
    return figure


def play(page):
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 1", timeout=60_000)


def test_on_a_slow_3g_network_the_player_starts_on_a_low_rendition(
    live_server, hls_lesson, phone, password
):
    figure = open_lesson(phone, live_server, hls_lesson, password)
    expect(figure).to_have_attribute("data-hls-levels", "240,360,720")
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)

    play(phone)

    expect(figure).to_have_attribute("data-hls-height", "240")
    screenshot(phone, "video-hls-slow-3g-phone")
    level = phone.evaluate(
        "() => document.querySelector('[data-video-block]').hlsPlayer.currentLevel"
    )
    assert level == 0


def test_captions_show_at_every_quality(live_server, hls_lesson, phone, password):
    figure = open_lesson(phone, live_server, hls_lesson, password)
    play(phone)
    for height, index in ((240, 0), (720, 2)):
        phone.evaluate(
            "i => { document.querySelector('[data-video-block]').hlsPlayer.currentLevel = i; }",
            index,
        )
        expect(figure).to_have_attribute("data-hls-height", str(height))
        track = phone.evaluate(
            "() => { const t = document.querySelector('video').textTracks[0];"
            " return [t.language, t.mode, t.cues ? t.cues.length : 0]; }"
        )
        assert track[0] == "ru" and track[1] == "showing" and track[2] > 0


def test_data_saver_keeps_the_lowest_rendition_on_a_fast_network(
    live_server, hls_lesson, phone, password
):
    figure = open_lesson(phone, live_server, hls_lesson, password, data_saver=True)

    play(phone)

    expect(figure).to_have_attribute("data-hls-height", "240")
    capping = phone.evaluate(
        "() => document.querySelector('[data-video-block]').hlsPlayer.autoLevelCapping"
    )
    assert capping == 0
    phone.goto(f"{live_server.url}/ru/accounts/profile/")
    expect(phone.get_by_label("Экономия трафика: самое низкое качество видео")).to_be_checked()
    screenshot(phone, "profile-data-saver-phone")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_video_that_could_not_be_prepared_shows_a_message_not_a_player(
    live_server, browser, password, tmp_path, language
):
    from wagtail.models import Collection
    from wagtailmedia.models import Media

    from tests.e2e.conftest import DESKTOP, PHONE, close, new_page

    Collection.get_first_root_node() or Collection.add_root(name="Root")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00not a video" * 500)
    with open(broken, "rb") as f:
        media = Media.objects.create(title="Сломанное", type="video", file=File(f, "broken.mp4"))
    transcoding.transcode_media(media_id=media.pk)
    course = make_course("Видео", slug="broken-video", lesson_body=[
        {"type": "video", "value": {"video": media.pk, "captions": []}},
    ])  # fmt: skip
    lesson = lessons_of(course)[0]
    user = UserFactory(email="aigerim@example.kz", preferred_language=language)
    services.enrol(user=user, course=course)
    message = {
        "ru": "Это видео не удалось подготовить",
        "kk": "Бұл бейнені дайындау мүмкін болмады",
    }
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = new_page(browser, viewport, language)
        log_in(page, live_server.url, user.email, password)
        page.goto(f"{live_server.url}/{language}/courses/broken-video/{lesson.slug}/")
        expect(page.get_by_role("status")).to_contain_text(message[language])
        assert page.locator("video").count() == 0
        screenshot(page, f"video-not-prepared-{name}-{language}")
        close(page)


def test_the_admin_sees_the_preparation_advance_without_reloading(
    live_server, desktop, source_720p, password
):
    from wagtail.models import Collection
    from wagtailmedia.models import Media

    from courses.models import VideoTranscode

    Collection.get_first_root_node() or Collection.add_root(name="Root")
    with open(source_720p, "rb") as f:
        media = Media.objects.create(title="СЛР", type="video", file=File(f, "cpr-720p.mp4"))
    VideoTranscode.objects.update_or_create(
        media=media, defaults={"status": VideoTranscode.Status.RUNNING, "progress": 30}
    )
    UserFactory(email="editor@example.kz", is_staff=True, is_superuser=True)
    desktop.goto(f"{live_server.url}/admin/login/")
    desktop.locator("#id_username").fill("editor@example.kz")
    desktop.locator("#id_password").fill(password)
    desktop.locator("#id_password").press("Enter")
    expect(desktop.locator("#id_password")).to_have_count(0)
    desktop.goto(f"{live_server.url}/admin/media/edit/{media.pk}/")
    status = desktop.locator("[data-video-transcode]")
    expect(status).to_contain_text("30")

    transcoding.transcode_media(media_id=media.pk)

    expect(status).to_have_attribute("data-video-transcode", "ready", timeout=15_000)
    expect(status).to_contain_text("240p, 360p, 720p")
    screenshot(desktop, "admin-video-prepared-desktop")
