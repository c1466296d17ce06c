"""Uploaded lesson videos become HLS renditions, a small MP4 and a poster (courses.transcoding)."""

import os
import subprocess

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import translation

from courses import transcoding
from courses.models import LessonPage, VideoTranscode
from courses.video_views import playlist_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_video(path, *, width, height, seconds, audio=True):
    """A short test picture (and tone) made by ffmpeg itself."""
    command = [transcoding.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
               "-f", "lavfi", "-i", f"testsrc=size={width}x{height}:rate=25"]  # fmt: skip
    if audio:
        command += ["-f", "lavfi", "-i", "sine=frequency=440"]
    command += ["-t", str(seconds), "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(command, check=True, timeout=120)
    return path


@pytest.fixture(scope="session")
def video_720p(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("v") / "720.mp4", width=1280, height=720, seconds=2)


@pytest.fixture(scope="session")
def video_480p(tmp_path_factory):
    return make_video(
        tmp_path_factory.mktemp("v") / "480.mp4", width=854, height=480, seconds=3, audio=False
    )


def upload(path, title="Урок"):
    from wagtail.models import Collection
    from wagtailmedia.models import Media

    Collection.get_first_root_node() or Collection.add_root(name="Root")
    with open(path, "rb") as handle:
        return Media.objects.create(title=title, type="video", file=File(handle, path.name))


def probed(name):
    """What ffmpeg reads from a stored file (a playlist reads its segments)."""
    return transcoding.probe(default_storage.path(name))


def stored_files(folder):
    found = {}
    folders, files = default_storage.listdir(folder)
    for name in files:
        found[f"{folder}/{name}"] = os.stat(default_storage.path(f"{folder}/{name}")).st_mtime_ns
    for sub in folders:
        found.update(stored_files(f"{folder}/{sub}"))
    return found


@pytest.fixture
def ready_720p(video_720p):
    media = upload(video_720p)
    return transcoding.transcode_media(media_id=media.pk)


def test_a_720p_upload_gets_240p_360p_and_720p_renditions_of_its_length(ready_720p):
    assert ready_720p.status == VideoTranscode.Status.READY
    assert ready_720p.progress == 100
    heights = []
    for rendition in ready_720p.renditions:
        source = probed(rendition["playlist"])
        heights.append(source.height)
        assert source.duration == pytest.approx(2, abs=0.3)
        assert source.has_audio
    assert heights == [240, 360, 720]


def test_a_480p_upload_gets_no_rendition_taller_than_itself(video_480p):
    media = upload(video_480p)

    transcode = transcoding.transcode_media(media_id=media.pk)

    assert [r["height"] for r in transcode.renditions] == [240, 360]
    assert [probed(r["playlist"]).height for r in transcode.renditions] == [240, 360]


def test_the_master_playlist_names_each_renditions_bandwidth_and_resolution(ready_720p):
    with default_storage.open(ready_720p.master_playlist) as handle:
        master = handle.read().decode()

    for size in ("426x240", "640x360", "1280x720"):
        assert f"RESOLUTION={size}" in master
    assert master.count("BANDWIDTH=") >= 3


def test_segments_last_two_seconds(tmp_path):
    longer = make_video(tmp_path / "long.mp4", width=640, height=360, seconds=10, audio=False)
    transcode = transcoding.transcode_media(media_id=upload(longer).pk)

    with default_storage.open(transcode.renditions[0]["playlist"]) as handle:
        lengths = [float(line[8:].rstrip(",")) for line in handle.read().decode().splitlines()
                   if line.startswith("#EXTINF:")]  # fmt: skip
    assert lengths[:2] == [2.0, 2.0]
    assert sum(lengths) == pytest.approx(10, abs=0.1)


def test_the_small_mp4_and_the_poster_are_made(ready_720p):
    small = probed(ready_720p.download.name)

    assert small.height == 360
    assert small.duration == pytest.approx(2, abs=0.3)
    assert ready_720p.download_bytes == default_storage.size(ready_720p.download.name)
    assert ready_720p.download_bytes < 200_000  # small enough to keep offline
    with default_storage.open(ready_720p.poster.name) as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # a JPEG


def test_the_upload_gets_the_duration_the_server_measures_watching_against(ready_720p):
    ready_720p.media.refresh_from_db()

    assert ready_720p.media.duration == pytest.approx(2, abs=0.1)
    assert (ready_720p.media.width, ready_720p.media.height) == (1280, 720)


def test_running_again_on_the_same_file_changes_nothing(ready_720p):
    files = stored_files(ready_720p.folder)
    row = VideoTranscode.objects.filter(pk=ready_720p.pk).values().get()

    again = transcoding.transcode_media(media_id=ready_720p.media_id)

    assert VideoTranscode.objects.filter(pk=ready_720p.pk).values().get() == row
    assert stored_files(again.folder) == files


def test_the_same_bytes_uploaded_again_get_their_renditions_back_without_encoding(
    ready_720p, monkeypatch
):
    media = ready_720p.media
    with default_storage.open(media.file.name) as handle:
        media.file.save("again.mp4", File(handle), save=True)
    monkeypatch.setattr(transcoding, "run_ffmpeg", lambda *a, **k: pytest.fail("encoded again"))

    transcode = transcoding.transcode_media(media_id=media.pk)

    assert transcode.status == VideoTranscode.Status.READY
    assert transcode.source_name == media.file.name


def test_a_corrupt_upload_fails_with_a_clear_message(tmp_path):
    garbage = tmp_path / "broken.mp4"
    garbage.write_bytes(os.urandom(64 * 1024))

    transcode = transcoding.transcode_media(media_id=upload(garbage).pk)

    assert transcode.status == VideoTranscode.Status.FAILED
    assert transcode.error == VideoTranscode.Error.UNREADABLE
    assert transcode.renditions == []
    with translation.override("ru"):
        assert "повреждён" in str(transcode.error_message)
    with translation.override("en"):
        assert "may be damaged" in str(transcode.error_message)


def test_a_probe_that_hangs_ends_the_run_as_failed_not_running(video_480p, monkeypatch):
    def hangs(path):
        raise subprocess.TimeoutExpired("ffmpeg", 120)

    monkeypatch.setattr(transcoding, "probe", hangs)

    transcode = transcoding.transcode_media(media_id=upload(video_480p).pk)

    assert transcode.status == VideoTranscode.Status.FAILED
    assert transcode.error == VideoTranscode.Error.ENCODING
    assert not default_storage.exists(f"{transcode.folder}/master.m3u8")


def test_a_corrupt_upload_run_again_stays_failed_and_unchanged(tmp_path):
    garbage = tmp_path / "broken.mp4"
    garbage.write_bytes(os.urandom(64 * 1024))
    failed = transcoding.transcode_media(media_id=upload(garbage).pk)
    row = VideoTranscode.objects.filter(pk=failed.pk).values().get()

    transcoding.transcode_media(media_id=failed.media_id)

    assert VideoTranscode.objects.filter(pk=failed.pk).values().get() == row


def test_an_upload_with_sound_only_fails_as_having_no_picture(tmp_path):
    sound = tmp_path / "sound.m4a"
    subprocess.run([transcoding.ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "sine",
                    "-t", "2", str(sound)], check=True, timeout=60)  # fmt: skip

    transcode = transcoding.transcode_media(media_id=upload(sound).pk)

    assert transcode.error == VideoTranscode.Error.NO_VIDEO


def test_ffmpeg_progress_lines_give_the_share_done():
    assert transcoding.progress_share("out_time_us=2000000\n", 4.0) == 0.5
    assert transcoding.progress_share("out_time_us=N/A", 4.0) is None
    assert transcoding.progress_share("frame=12", 4.0) is None
    assert transcoding.progress_share("out_time_us=9000000", 4.0) == 1.0


def test_a_phone_video_recorded_upright_keeps_its_short_side_for_the_ladder():
    text = (
        "  Duration: 00:00:10.00, start: 0.000000, bitrate: 9000 kb/s\n"
        "  Stream #0:0[0x1](und): Video: h264 (High), yuv420p, 1920x1080, 30 fps\n"
        "      displaymatrix: rotation of -90.00 degrees\n"
    )

    source = transcoding.parse_probe(text)

    assert (source.width, source.height) == (1080, 1920)
    assert [rung.height for rung in transcoding.plan_renditions(source)] == [240, 360, 720]


def test_a_source_smaller_than_240p_gets_one_rendition_of_its_own_size():
    source = transcoding.SourceVideo(duration=5, width=320, height=180, has_audio=False)

    assert [rung.height for rung in transcoding.plan_renditions(source)] == [180]


# Enqueueing ---------------------------------------------------------------------------------


def test_a_video_upload_is_sent_for_transcoding_once_committed(
    video_480p, monkeypatch, django_capture_on_commit_callbacks
):
    from courses.tasks import transcode_video

    sent = []
    monkeypatch.setattr(transcode_video, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        media = upload(video_480p)
        assert sent == []

    assert sent == [media.pk]
    assert VideoTranscode.objects.get(media=media).status == VideoTranscode.Status.PENDING


def test_saving_a_video_without_changing_its_file_sends_nothing(
    ready_720p, monkeypatch, django_capture_on_commit_callbacks
):
    from courses.tasks import transcode_video

    sent = []
    monkeypatch.setattr(transcode_video, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        ready_720p.media.title = "Новое название"
        ready_720p.media.save()

    assert sent == []


def test_a_replaced_upload_plays_the_original_until_its_renditions_are_ready(
    ready_720p, video_480p, django_capture_on_commit_callbacks, monkeypatch
):
    from courses.tasks import transcode_video

    monkeypatch.setattr(transcode_video, "delay", lambda media_id: None)
    media = ready_720p.media
    with django_capture_on_commit_callbacks(execute=True), open(video_480p, "rb") as handle:
        media.file.save("new.mp4", File(handle), save=True)

    assert VideoTranscode.objects.get(media=media).status == VideoTranscode.Status.PENDING
    new = transcoding.transcode_media(media_id=media.pk)
    assert [r["height"] for r in new.renditions] == [240, 360]
    assert not default_storage.exists(ready_720p.master_playlist)  # the old files are gone


def test_the_sweep_finds_uploads_never_sent_and_runs_that_died(video_480p, ready_720p):
    from django.utils import timezone

    never_sent = upload(video_480p, title="без задачи")  # on_commit never ran in this test
    VideoTranscode.objects.filter(media=never_sent).delete()
    died = upload(video_480p, title="упавший")
    VideoTranscode.objects.filter(media=died).update(
        status=VideoTranscode.Status.RUNNING,
        updated_at=timezone.now() - transcoding.STALE_AFTER * 2,
    )
    queued = upload(video_480p, title="в очереди")  # pending, a worker will take it

    ids = transcoding.untranscoded_media_ids()

    assert ids == sorted([never_sent.pk, died.pk])
    assert queued.pk not in ids and ready_720p.media_id not in ids


# Serving --------------------------------------------------------------------------------------


def lesson_with_video(course, media, slug="video"):
    from courses.blocks import LessonStreamBlock, stream_from_raw

    body = stream_from_raw(
        LessonStreamBlock(), [{"type": "video", "value": {"video": media.pk, "captions": []}}]
    )
    return course.add_child(instance=LessonPage(title="Видео", slug=slug, body=body))


def test_a_ready_video_plays_hls_with_the_small_mp4_for_offline(
    client, enrolled, course, ready_720p
):
    lesson = lesson_with_video(course, ready_720p.media)
    client.force_login(enrolled)

    html = client.get(lesson.url).content.decode()

    token = playlist_token(media_id=ready_720p.media_id, user_id=enrolled.pk)
    assert f'data-hls="/video/{ready_720p.media_id}/master.m3u8?t={token}"' in html
    assert f'data-offline-src="{ready_720p.download_url}"' in html
    assert f'data-offline-bytes="{ready_720p.download_bytes}"' in html
    assert 'preload="none"' in html
    assert "courses/video-player.js" in html


def test_a_video_not_ready_yet_plays_the_original(client, enrolled, course, video_480p):
    media = upload(video_480p)
    lesson = lesson_with_video(course, media)
    client.force_login(enrolled)

    html = client.get(lesson.url).content.decode()

    assert "data-hls=" not in html
    assert f'<source src="{media.url}"' in html
    assert f'data-offline-src="{media.url}" data-offline-bytes="{media.file.size}"' in html


def test_a_learner_with_data_saver_gets_only_the_small_mp4_without_hls(
    client, enrolled, course, ready_720p
):
    enrolled.data_saver = True
    enrolled.save()
    lesson = lesson_with_video(course, ready_720p.media)
    client.force_login(enrolled)

    html = client.get(lesson.url).content.decode()

    assert "data-data-saver" in html
    assert html.count("<source ") == 1
    assert f'<source src="{ready_720p.download_url}" type="video/mp4">' in html


def test_a_lesson_whose_video_is_corrupt_says_so_instead_of_a_broken_player(
    client, enrolled, course, tmp_path
):
    garbage = tmp_path / "broken.mp4"
    garbage.write_bytes(os.urandom(4096))
    media = upload(garbage)
    transcoding.transcode_media(media_id=media.pk)
    lesson = lesson_with_video(course, media)
    client.force_login(enrolled)

    response = client.get(lesson.url, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<video" not in html
    assert "Это видео не удалось подготовить" in html


def playlist_of(client, transcode, rendition, user=None):
    user = user or UserFactory()
    client.force_login(user)
    token = playlist_token(media_id=transcode.media_id, user_id=user.pk)
    return client.get(f"/video/{transcode.media_id}/{rendition}.m3u8?t={token}")


def test_the_master_playlist_points_to_each_rendition_through_komek(client, ready_720p):
    response = playlist_of(client, ready_720p, "master")

    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    body = response.content.decode()
    token = response.wsgi_request.GET["t"]
    for name in ("240p", "360p", "720p"):
        assert f"/video/{ready_720p.media_id}/{name}.m3u8?t={token}" in body


def test_a_rendition_playlist_names_each_segment_by_its_storage_url(client, ready_720p):
    body = playlist_of(client, ready_720p, "240p").content.decode()

    folder = default_storage.url(f"{ready_720p.folder}/240p/")
    assert f'#EXT-X-MAP:URI="{folder}init' in body
    assert f"{folder}000.m4s" in body


def test_playlists_need_a_signed_in_visitor(client, ready_720p):
    response = client.get(f"/video/{ready_720p.media_id}/master.m3u8")

    assert response.status_code == 302


def test_a_playlist_needs_the_address_the_learners_own_lesson_page_gave(client, ready_720p):
    learner, stranger = UserFactory(), UserFactory()
    token = playlist_token(media_id=ready_720p.media_id, user_id=learner.pk)
    client.force_login(stranger)  # signed in, but never shown the lesson

    assert client.get(f"/video/{ready_720p.media_id}/master.m3u8").status_code == 404
    assert client.get(f"/video/{ready_720p.media_id}/master.m3u8?t={token}").status_code == 404
    assert client.get(f"/video/{ready_720p.media_id}/master.m3u8?t=forged").status_code == 404
    other_video = playlist_token(media_id=ready_720p.media_id + 1, user_id=stranger.pk)
    assert (
        client.get(f"/video/{ready_720p.media_id}/master.m3u8?t={other_video}").status_code == 404
    )


def test_a_replaced_video_plays_its_new_original_not_the_old_renditions(
    client, enrolled, course, ready_720p
):
    VideoTranscode.objects.filter(pk=ready_720p.pk).update(source_name="video/old-upload.mp4")
    lesson = lesson_with_video(course, ready_720p.media)
    client.force_login(enrolled)

    html = client.get(lesson.url).content.decode()

    assert "data-hls=" not in html
    assert f'<source src="{ready_720p.media.url}"' in html


def test_a_playlist_of_a_video_not_ready_or_an_unknown_rendition_is_not_found(client, ready_720p):
    VideoTranscode.objects.filter(pk=ready_720p.pk).update(status=VideoTranscode.Status.RUNNING)

    assert playlist_of(client, ready_720p, "master").status_code == 404
    VideoTranscode.objects.filter(pk=ready_720p.pk).update(status=VideoTranscode.Status.READY)
    assert playlist_of(client, ready_720p, "1080p").status_code == 404


def test_the_admin_edit_page_shows_the_renditions_state(admin_client, ready_720p, tmp_path):
    response = admin_client.get(f"/admin/media/edit/{ready_720p.media_id}/")

    assert response.status_code == 200
    assert 'data-video-transcode="ready"' in response.content.decode()
    assert "240p, 360p, 720p" in response.content.decode()


def test_the_admin_edit_page_shows_why_a_video_failed(admin_client, tmp_path):
    garbage = tmp_path / "broken.mp4"
    garbage.write_bytes(os.urandom(4096))
    media = upload(garbage)
    transcoding.transcode_media(media_id=media.pk)

    html = admin_client.get(f"/admin/media/edit/{media.pk}/").content.decode()

    assert 'data-video-transcode="failed"' in html
    assert "may be damaged" in html or "повреждён" in html


def test_a_learner_turns_data_saver_on_in_the_profile(client, volunteer):
    client.force_login(volunteer)
    page = client.get("/ru/accounts/profile/").content.decode()
    assert "Экономия трафика: самое низкое качество видео" in page
    fields = {"first_name": volunteer.first_name, "last_name": volunteer.last_name,
              "preferred_language": "ru", "data_saver": "on"}  # fmt: skip

    client.post("/ru/accounts/profile/", fields)

    volunteer.refresh_from_db()
    assert volunteer.data_saver is True


def test_seeding_the_demo_sends_its_video_for_transcoding(
    monkeypatch, django_capture_on_commit_callbacks
):
    import io

    from django.core.management import call_command
    from wagtailmedia.models import Media

    from courses.tasks import transcode_video

    sent = []
    monkeypatch.setattr(transcode_video, "delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())

    assert sent == list(Media.objects.filter(type="video").values_list("pk", flat=True))


def test_a_lesson_whose_video_cannot_be_prepared_can_still_be_completed(tmp_path, client):
    from courses import services
    from courses.blocks import LessonStreamBlock, stream_from_raw
    from courses.models import LessonCompletion
    from tests.factories import make_course

    garbage = tmp_path / "broken.mp4"
    garbage.write_bytes(os.urandom(64 * 1024))
    broken = upload(garbage)
    course = make_course(slug="broken-video", n_lessons=0)
    body = [{"type": "video", "value": {"video": broken.pk, "captions": []}}]
    lesson = course.add_child(
        instance=LessonPage(
            title="Видео", slug="video", body=stream_from_raw(LessonStreamBlock(), body)
        )
    )
    learner = UserFactory()
    services.enrol(user=learner, course=course)
    client.force_login(learner)
    with pytest.raises(services.LearningError):
        services.complete_lesson(user=learner, lesson=LessonPage.objects.get(pk=lesson.pk))

    transcoding.transcode_media(media_id=broken.pk)
    page = client.get(lesson.url).content.decode()
    response = client.post(lesson.url + "complete/")

    assert "Это видео не удалось подготовить" in page
    assert "когда вы посмотрите видео" not in page
    assert 'action="' + lesson.url + 'complete/"' in page
    assert response.status_code == 302
    assert LessonCompletion.objects.filter(user=learner, lesson=lesson).exists()


def test_the_edit_page_follows_the_preparation_as_it_runs(admin_client, video_480p):
    media = upload(video_480p)
    VideoTranscode.objects.update_or_create(
        media=media, defaults={"status": VideoTranscode.Status.RUNNING, "progress": 40}
    )
    edit = admin_client.get(f"/admin/media/edit/{media.pk}/").content.decode()
    status_url = f"/admin/video-transcode/{media.pk}/"
    assert f'data-status-url="{status_url}"' in edit
    assert "transcode-status.js" in edit

    running = admin_client.get(status_url).content.decode()
    VideoTranscode.objects.filter(media=media).update(progress=85)
    later = admin_client.get(status_url).content.decode()
    transcoding.transcode_media(media_id=media.pk)
    done = admin_client.get(status_url).content.decode()

    assert 'value="40"' in running and 'data-video-transcode="running"' in running
    assert 'value="85"' in later
    assert 'data-video-transcode="ready"' in done and "240p, 360p." in done


def test_only_editors_of_the_video_see_its_preparation(client, video_480p):
    from django.contrib.auth.models import Permission

    media = upload(video_480p)
    url = f"/admin/video-transcode/{media.pk}/"
    learner = UserFactory()
    editor_without_media = UserFactory()
    editor_without_media.user_permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )

    client.force_login(learner)
    learner_sees = client.get(url)
    client.force_login(editor_without_media)
    editor_sees = client.get(url)

    assert learner_sees.status_code == 302 and "/admin/login/" in learner_sees["Location"]
    assert editor_sees.status_code == 403
