"""The coordinator's phone camera reads a volunteer's badge QR on the event's roster and checks
the volunteer in. Chromium's fake camera plays a video of the badge's QR code; headless chromium
on Linux has no BarcodeDetector, so this is the vendored jsQR path."""

import subprocess
from datetime import timedelta

import imageio_ffmpeg
import pytest
import qrcode
from playwright.sync_api import expect

from certification.models import Attendance, Certificate
from tests.e2e.conftest import CHROMIUM, PHONE, assert_no_sideways_scroll, screenshot
from tests.e2e.test_events import log_in, movement  # noqa: F401 (a fixture)
from tests.factories import make_coordinator, make_event, make_member

pytestmark = pytest.mark.django_db(transaction=True)


def camera_showing(text, folder):
    """A video file for chromium's fake camera: the QR code of `text`, held still."""
    picture = folder / "badge.png"
    qrcode.make(text, border=4, box_size=8).save(picture)
    video = folder / "badge.y4m"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-loglevel", "error", "-y", "-loop", "1", "-i", str(picture), "-t", "2",
            "-vf", "scale=480:480:flags=neighbor,pad=640:480:80:0:white", "-pix_fmt", "yuv420p",
            str(video),
        ],
        check=True,
    )  # fmt: skip
    return video


@pytest.fixture
def coordinators_phone(browser, tmp_path, request):
    """A phone whose camera sees what the test puts before it (call with the text to show)."""
    opened = []

    def open_with_camera_on(text):
        camera = browser.browser_type.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={camera_showing(text, tmp_path)}",
            ],
        )
        opened.append(camera)
        context = camera.new_context(viewport=PHONE, locale="ru", is_mobile=True)
        context.grant_permissions(["camera"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_with_camera_on
    for camera in opened:
        camera.close()


@pytest.mark.usefixtures("movement")
def test_the_coordinators_camera_reads_a_badge_and_checks_its_holder_in(
    live_server, coordinators_phone, password
):
    base = live_server.url
    coordinator = make_coordinator(branch_slug="almaty", email="coordinator@example.kz")
    member = make_member(level_slug="volunteer", email="dana@example.kz", first_name="Дана")
    event = make_event(by=coordinator, starts_in=-timedelta(minutes=10), hours=4, capacity=3)
    place = event.sign_ups.create(volunteer=member, status="signed_up")
    badge = Certificate.objects.create(
        kind=Certificate.Kind.BADGE,
        status=Certificate.Status.ISSUED,
        source_key=f"badge:{member.pk}",
        holder=member.user,
        holder_name="Дана Ахметова",
        title_ru="Волонтёр",
    )
    phone = coordinators_phone(f"{base}/verify/{badge.public_code}/")

    log_in(phone, base, coordinator.email, password, f"/ru/coordination/events/{event.pk}/")
    phone.get_by_role("button", name="Сканировать камерой").click()
    expect(phone.locator(".message--success")).to_contain_text("Дана")
    screenshot(phone, "event-badge-camera-phone")
    assert_no_sideways_scroll(phone)
    assert Attendance.objects.get(sign_up=place).check_in_method == Attendance.Method.BADGE
