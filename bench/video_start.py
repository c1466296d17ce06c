"""Starting a lesson video on a poor network: HLS (courses.transcoding) against the original upload.

A phone (360 px, device pixel ratio 2) in Debian's chromium opens a video lesson at Chrome's
"Slow 3G" profile (400 ms, 400 kbit/s each way, through the DevTools protocol) and presses play at
once. Time to first frame is from the start of navigation to the first frame the video element
presents (requestVideoFrameCallback), median of BENCH_RUNS (3); the static files (and hls.js) are
in the browser's cache, as from the second lesson on. The cold figure (nothing cached) is printed
too. Then each plays 30 s on a "4G" profile (9 Mbit/s, 170 ms) and the media bytes transferred
are counted.

The original is what a phone records: 720p H.264 + AAC at about 4 Mbit/s, its index (moov) at
the end of the file, 40 s; the demo's own CPR clip (270p VP9 at 32 kbit/s, already tiny) is
measured the same way and printed as a detail.

Prints the details and `video_start: <ratio>` (time to first frame, HLS ÷ original; target ≤ 0.3).
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, report, setup_django

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8,
           "uploadThroughput": 400_000 / 8}  # fmt: skip
FOUR_G = {"offline": False, "latency": 170, "downloadThroughput": 9_000_000 / 8,
          "uploadThroughput": 9_000_000 / 8}  # fmt: skip
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Presses play as soon as the player is ready (for HLS: once hls.js is attached) and notes when
# the first frame is presented, in ms since navigation started.
PRESS_PLAY = """
window.komekBench = {};
document.addEventListener("DOMContentLoaded", () => {
  const figure = document.querySelector("[data-video-block]");
  const video = figure && figure.querySelector("video");
  if (!video) return;
  video.muted = true;
  const start = () => {
    window.komekBench.playAt = performance.now();
    video.requestVideoFrameCallback(() => { window.komekBench.firstFrame = performance.now(); });
    video.play().catch((error) => { window.komekBench.error = String(error); });
  };
  if (!figure.hasAttribute("data-hls") || figure.dataset.player) { start(); return; }
  const watch = new MutationObserver(() => {
    if (figure.dataset.player) { watch.disconnect(); start(); }
  });
  watch.observe(figure, { attributes: true });
});
"""


def phone_recording(path, seconds=40):
    from courses.transcoding import ffmpeg_exe

    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine",
         "-vf", "noise=alls=12:allf=t", "-t", str(seconds),
         "-c:v", "libx264", "-preset", "veryfast", "-b:v", "4M", "-maxrate", "4M",
         "-bufsize", "8M", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", str(path)],
        check=True, timeout=900,
    )  # fmt: skip
    return path


class MediaBytes:
    """Bytes received for uploads, playlists and segments (not pages or static files)."""

    def __init__(self, cdp):
        self.urls = {}
        self.total = 0
        cdp.on("Network.requestWillBeSent", self.sent)
        cdp.on("Network.dataReceived", self.received)

    def sent(self, event):
        self.urls[event["requestId"]] = event["request"]["url"]

    def received(self, event):
        url = self.urls.get(event["requestId"], "")
        if "/media/" in url or "/video/" in url:
            self.total += event["encodedDataLength"] or event["dataLength"]


def open_lesson(browser, base, session, url, *, network, warm):
    context = browser.new_context(**PHONE)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.set_default_timeout(180_000)
    if warm:
        # The lesson's static files and hls.js cached, as after any earlier lesson.
        page.goto(f"{base}/ru/")
        page.evaluate(
            "src => fetch(src).then(r => r.blob())",
            f"{base}/static/courses/vendor/hls/hls.min.js",
        )
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", network)
    counter = MediaBytes(cdp)
    page.add_init_script(PRESS_PLAY)
    page.goto(f"{base}{url}", wait_until="commit")
    return context, page, counter


def first_frame_ms(browser, base, session, url, *, warm=True):
    context, page, _ = open_lesson(browser, base, session, url, network=SLOW_3G, warm=warm)
    try:
        page.wait_for_function("() => window.komekBench && window.komekBench.firstFrame")
        return page.evaluate("() => window.komekBench.firstFrame")
    finally:
        context.close()


def bytes_for_30_seconds(browser, base, session, url):
    context, page, counter = open_lesson(browser, base, session, url, network=FOUR_G, warm=True)
    try:
        page.wait_for_function("() => document.querySelector('video').currentTime >= 30")
        height = page.evaluate(
            "() => document.querySelector('[data-video-block]').dataset.hlsHeight || ''"
        )
        return counter.total, height
    finally:
        context.close()


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    workdir = Path(tempfile.mkdtemp(prefix="komek-video-bench-"))
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    # A file, not SQLite's shared in-memory database: the server answers from several threads.
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(workdir / "bench.sqlite3")
    setup_django()

    # Uploads served by Django itself (lms/urls.py does so under DEBUG), into a throw-away folder.
    settings.DEBUG = True
    settings.MEDIA_ROOT = workdir / "media"
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.files import File
    from django.test import Client
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright
    from wagtail.models import Collection
    from wagtailmedia.models import Media
    from whitenoise import WhiteNoise

    from courses import services, transcoding
    from courses.blocks import LessonStreamBlock, stream_from_raw
    from courses.models import LessonPage, VideoTranscode
    from courses.tasks import transcode_video
    from tests.factories import UserFactory, make_course

    transcode_video.delay = lambda *args, **kwargs: None  # the bench transcodes in-process
    Collection.get_first_root_node() or Collection.add_root(name="Root")
    course = make_course(slug="video-bench", n_lessons=0)

    def lesson(slug, path, *, transcode):
        with open(path, "rb") as handle:
            media = Media.objects.create(title=slug, type="video", file=File(handle, path.name))
        if transcode:
            assert transcoding.transcode_media(media_id=media.pk).is_ready
        else:
            VideoTranscode.objects.filter(media=media).delete()
        body = stream_from_raw(
            LessonStreamBlock(), [{"type": "video", "value": {"video": media.pk, "captions": []}}]
        )
        page = course.add_child(instance=LessonPage(title=slug, slug=slug, body=body))
        return page.url, media

    recording = phone_recording(workdir / "phone-720p.mp4")
    demo = ROOT / "demo" / "media" / "cpr-rhythm.webm"
    hls_url, hls_media = lesson("hls", recording, transcode=True)
    original_url, _ = lesson("original", recording, transcode=False)
    demo_hls_url, _ = lesson("demo-hls", demo, transcode=True)
    demo_original_url, _ = lesson("demo-original", demo, transcode=False)

    learner = UserFactory()
    services.enrol(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    session = client.cookies["sessionid"].value

    def with_media(app):
        # Uploads answered with byte ranges, as the reverse proxy in front of MEDIA_ROOT does
        # (Django's own static view sends whole files: a browser then reads all of an upload
        # whose index is at its end before the first frame).
        return WhiteNoise(
            StaticFilesHandler(app), root=settings.MEDIA_ROOT, prefix="/media/", autorefresh=True
        )

    server = LiveServerThread("127.0.0.1", with_media)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    base = f"http://127.0.0.1:{server.port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )

            def ttff(url, **kwargs):
                return median([first_frame_ms(browser, base, session, url, **kwargs)
                               for _ in range(RUNS)])  # fmt: skip

            hls_ms = ttff(hls_url)
            print(f"  (HLS first frame {hls_ms:.0f} ms)", file=sys.stderr)
            original_ms = ttff(original_url)
            print(f"  (original first frame {original_ms:.0f} ms)", file=sys.stderr)
            hls_cold_ms = first_frame_ms(browser, base, session, hls_url, warm=False)
            original_cold_ms = first_frame_ms(browser, base, session, original_url, warm=False)
            demo_hls_ms, demo_original_ms = ttff(demo_hls_url), ttff(demo_original_url)
            hls_bytes, hls_height = bytes_for_30_seconds(browser, base, session, hls_url)
            original_bytes, _ = bytes_for_30_seconds(browser, base, session, original_url)
            browser.close()
    finally:
        server.terminate()

    transcode = VideoTranscode.objects.get(media=hls_media)
    report(
        "video_start",
        hls_ms / original_ms,
        original=f"{recording.stat().st_size / 1e6:.1f} MB, 720p, 40 s",
        renditions=", ".join(
            f"{r['name']} ≤{r['bandwidth'] // 1000} kbit/s" for r in transcode.renditions
        ),
        small_mp4=f"{transcode.download_bytes / 1e6:.2f} MB",
        first_frame_slow_3g_hls_ms=round(hls_ms),
        first_frame_slow_3g_original_ms=round(original_ms),
        first_frame_slow_3g_cold_cache=f"HLS {hls_cold_ms:.0f}, original {original_cold_ms:.0f} ms",
        demo_clip_first_frame=f"HLS {demo_hls_ms:.0f} ms, original {demo_original_ms:.0f} ms",
        bytes_30s_4g=f"HLS {hls_bytes / 1e6:.2f} MB (rendition {hls_height}p), "
        f"original {original_bytes / 1e6:.2f} MB",
        bytes_30s_ratio=f"{hls_bytes / original_bytes:.2f}",
    )


if __name__ == "__main__":
    main()
