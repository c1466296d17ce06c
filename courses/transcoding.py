"""Lesson videos for poor networks: HLS renditions, a small MP4 and a poster made with ffmpeg.

`enqueue_transcode` decides and enqueues (after the upload commits); `transcode_media` is what the
Celery task runs. Outputs go through Django's default storage (the filesystem or S3) under
`video/<media id>/<checksum prefix>/`. HLS follows RFC 8216: a master playlist naming each
rendition's BANDWIDTH and RESOLUTION, fMP4 segments of about SEGMENT_SECONDS starting with a key
frame, so players can switch renditions at any segment boundary.
"""

import hashlib
import logging
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from wagtailmedia.models import get_media_model

from .models import VideoTranscode

logger = logging.getLogger(__name__)

# Short segments: the first frame waits for the first whole segment, and on slow 3G 2 s of 240p
# take about 0.7 s (bench/video_start.py: 0.31 of the original's first frame with 4 s, 0.26 with 2).
SEGMENT_SECONDS = 2
# A task that has said nothing for this long died with its worker: the sweep starts it again.
STALE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Rung:
    """One rendition: its short side in pixels ("360p") and its highest bitrates in bit/s."""

    height: int
    video_bitrate: int
    audio_bitrate: int

    @property
    def name(self):
        return f"{self.height}p"

    @property
    def bandwidth(self):
        return self.video_bitrate + self.audio_bitrate


# About 240p, 360p and 720p: 240p fits a 2G/slow-3G connection, 720p a good one.
LADDER = (Rung(240, 220_000, 48_000), Rung(360, 650_000, 64_000), Rung(720, 2_200_000, 96_000))
CRF = 26
# The file learners download for offline: small before sharp.
DOWNLOAD = Rung(360, 400_000, 48_000)


@dataclass(frozen=True)
class SourceVideo:
    duration: float
    width: int
    height: int
    has_audio: bool

    @property
    def short_side(self):
        return min(self.width, self.height)


class TranscodeError(Exception):
    def __init__(self, error, detail=""):
        super().__init__(detail or error)
        self.error = error
        self.detail = detail


def ffmpeg_exe():
    """A system ffmpeg when there is one, otherwise the binary the imageio-ffmpeg wheel ships."""
    system = shutil.which("ffmpeg")
    if system:
        return system
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


# Probing ------------------------------------------------------------------------------------


def parse_probe(text):
    """What `ffmpeg -i` printed about a file, or TranscodeError when it is not a video."""
    duration = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
    # A cover picture in an audio file is a "Video" stream too, marked attached pic.
    video = re.search(
        r"Stream #\d+:\d+[^\n]*: Video: (?![^\n]*attached pic)[^\n]*?(\d{2,5})x(\d{2,5})", text
    )
    if not duration:
        raise TranscodeError(VideoTranscode.Error.UNREADABLE, text[-2000:])
    if not video:
        raise TranscodeError(VideoTranscode.Error.NO_VIDEO, text[-2000:])
    hours, minutes, seconds = duration.groups()
    seconds = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    width, height = int(video.group(1)), int(video.group(2))
    # Phones record sideways and say so; ffmpeg turns the picture upright, so the sides swap.
    rotation = re.search(r"rotation of (-?\d+(?:\.\d+)?) degrees", text)
    if rotation and round(abs(float(rotation.group(1)))) % 180 == 90:
        width, height = height, width
    if seconds <= 0:
        raise TranscodeError(VideoTranscode.Error.UNREADABLE, text[-2000:])
    has_audio = re.search(r"Stream #\d+:\d+[^\n]*: Audio: ", text) is not None
    return SourceVideo(duration=seconds, width=width, height=height, has_audio=has_audio)


def probe(path):
    result = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        check=False,
    )
    return parse_probe(result.stderr)


# Planning -----------------------------------------------------------------------------------


def plan_renditions(source):
    """The ladder's rungs no taller than the source; one at its own size when below 240p."""
    rungs = [rung for rung in LADDER if rung.height <= source.short_side]
    if not rungs:
        low = LADDER[0]
        rungs = [
            Rung(source.short_side - source.short_side % 2, low.video_bitrate, low.audio_bitrate)
        ]
    return rungs


def scale_filter(source, height):
    # The short side gets the rung's size, so portrait videos are not shrunk to a stamp.
    return f"scale=-2:{height}" if source.width >= source.height else f"scale={height}:-2"


def encode_command(*, source_path, out_dir, source, rungs, download_height):
    """One ffmpeg run that decodes once and writes every rendition and the small MP4."""
    branches = len(rungs) + 1
    filters = [f"[0:v]split={branches}" + "".join(f"[s{i}]" for i in range(branches))]
    for i, rung in enumerate(rungs):
        filters.append(f"[s{i}]{scale_filter(source, rung.height)},format=yuv420p[v{i}]")
    filters.append(f"[s{len(rungs)}]{scale_filter(source, download_height)},format=yuv420p[vd]")
    command = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
        "-progress", "pipe:1", "-nostats",
        "-i", str(source_path),
        "-filter_complex", ";".join(filters),
    ]  # fmt: skip
    for i in range(len(rungs)):
        command += ["-map", f"[v{i}]"]
        if source.has_audio:
            command += ["-map", "0:a:0"]
    # Key frames every segment, never in between on a scene cut: segments of every rendition align.
    command += [
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main",
        "-sc_threshold", "0", "-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_SECONDS})",
    ]  # fmt: skip
    # Capped quality: a simple picture (slides, a talking head) takes far less than the cap.
    for i, rung in enumerate(rungs):
        rate = rung.video_bitrate
        command += [f"-crf:v:{i}", str(CRF), f"-maxrate:v:{i}", str(rate)]
        command += [f"-bufsize:v:{i}", str(rate * 2)]
        if source.has_audio:
            command += [f"-b:a:{i}", str(rung.audio_bitrate)]
    if source.has_audio:
        command += ["-c:a", "aac", "-ac", "2", "-ar", "44100"]
    stream_map = " ".join(
        f"v:{i},a:{i},name:{rung.name}" if source.has_audio else f"v:{i},name:{rung.name}"
        for i, rung in enumerate(rungs)
    )
    command += [
        "-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod",
        "-hls_segment_type", "fmp4", "-hls_flags", "independent_segments",
        "-hls_fmp4_init_filename", "init.mp4",
        "-hls_segment_filename", str(out_dir / "%v" / "%03d.m4s"),
        "-master_pl_name", "master.m3u8", "-var_stream_map", stream_map,
        str(out_dir / "%v" / "index.m3u8"),
    ]  # fmt: skip
    command += ["-map", "[vd]"]
    if source.has_audio:
        command += ["-map", "0:a:0", "-c:a", "aac", "-ac", "1", "-b:a", str(DOWNLOAD.audio_bitrate)]
    command += [
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main",
        "-crf", str(CRF + 2), "-maxrate", str(DOWNLOAD.video_bitrate),
        "-bufsize", str(DOWNLOAD.video_bitrate * 2),
        "-movflags", "+faststart", str(out_dir / "download.mp4"),
    ]  # fmt: skip
    return command


def poster_command(*, source_path, out_path, source):
    at = min(1.0, source.duration / 3)
    height = min(720, source.short_side)
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
        "-ss", f"{at:.2f}", "-i", str(source_path), "-frames:v", "1",
        "-vf", scale_filter(source, height - height % 2), "-q:v", "4", str(out_path),
    ]  # fmt: skip


def progress_share(line, duration):
    """The share done from one `-progress` line (out_time_us=… microseconds), or None."""
    key, _, value = line.strip().partition("=")
    if key not in ("out_time_us", "out_time_ms") or not value.strip().lstrip("-").isdigit():
        return None
    return max(0.0, min(1.0, int(value) / 1_000_000 / duration)) if duration else None


def run_ffmpeg(command, *, duration, on_progress, timeout):
    """Runs ffmpeg, passing `-progress pipe:1` shares done to `on_progress`; raises if it fails."""
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(  # noqa: S603 (our own arguments, no shell)
            command, stdout=subprocess.PIPE, stderr=stderr, text=True, errors="replace"
        )
        started = timezone.now()
        try:
            for line in process.stdout:
                share = progress_share(line, duration)
                if share is not None:
                    on_progress(share)
                if (timezone.now() - started).total_seconds() > timeout:
                    process.kill()
                    break
            returncode = process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        if returncode != 0:
            stderr.seek(0)
            raise TranscodeError(
                VideoTranscode.Error.ENCODING,
                stderr.read().decode(errors="replace")[-2000:]
                or f"ffmpeg exited with {returncode}",
            )


# Storage ------------------------------------------------------------------------------------


def delete_folder(folder):
    """Every file under `folder` in the default storage (listdir works on the filesystem and S3)."""
    try:
        folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")
    for sub in folders:
        delete_folder(f"{folder}/{sub}")


def store_folder(local_dir, folder):
    """Copies every file of `local_dir` to `folder`, keeping names (playlists refer to them)."""
    for path in sorted(Path(local_dir).rglob("*")):
        if not path.is_file():
            continue
        name = f"{folder}/{path.relative_to(local_dir).as_posix()}"
        with path.open("rb") as handle:
            stored = default_storage.save(name, File(handle))
        if stored != name:
            raise TranscodeError(
                VideoTranscode.Error.ENCODING, f"storage renamed {name} to {stored}"
            )


def copy_source(media, target):
    """Copies the upload to a local file (S3 uploads are not files); returns its SHA-256."""
    digest = hashlib.sha256()
    try:
        with media.file.open("rb") as source, open(target, "wb") as out:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                digest.update(chunk)
                out.write(chunk)
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise TranscodeError(VideoTranscode.Error.MISSING, str(exc)) from exc
    return digest.hexdigest()


# The pipeline -------------------------------------------------------------------------------


def _claim(transcode_id, *, checksum, source_name):
    """Marks the transcode running for `checksum`; None when it is done or another run has it.

    The same bytes uploaded again under a new name get back the outcome they had.
    """
    with transaction.atomic():
        transcode = VideoTranscode.objects.select_for_update().get(pk=transcode_id)
        if transcode.source_checksum == checksum:
            has_files = transcode.master_playlist.startswith(f"{transcode.folder}/")
            fresh = timezone.now() - transcode.updated_at < STALE_AFTER
            if transcode.status == VideoTranscode.Status.RUNNING and fresh:
                return None
            if transcode.status != VideoTranscode.Status.RUNNING and (has_files or transcode.error):
                status = VideoTranscode.Status.READY if has_files else VideoTranscode.Status.FAILED
                if (transcode.status, transcode.source_name) != (status, source_name):
                    transcode.status, transcode.source_name = status, source_name
                    transcode.save(update_fields=["status", "source_name", "updated_at"])
                return None
        transcode.status = VideoTranscode.Status.RUNNING
        transcode.progress = 0
        transcode.error = ""
        transcode.error_detail = ""
        transcode.source_checksum = checksum
        transcode.source_name = source_name
        transcode.started_at = timezone.now()
        transcode.finished_at = None
        transcode.save()
        return transcode


def _finish(transcode_id, *, checksum, **fields):
    """Records the outcome, unless the upload was replaced meanwhile (a newer run owns the row)."""
    with transaction.atomic():
        transcode = VideoTranscode.objects.select_for_update().get(pk=transcode_id)
        if transcode.source_checksum != checksum:
            return False, None, transcode
        previous_folder = posixpath.dirname(transcode.master_playlist) or None
        for field, value in fields.items():
            setattr(transcode, field, value)
        transcode.finished_at = timezone.now()
        transcode.save()
        return True, previous_folder, transcode


def _fail(transcode_id, *, checksum, error):
    logger.warning("Video %s could not be prepared: %s", transcode_id, error.detail[-500:])
    _finish(
        transcode_id,
        checksum=checksum,
        status=VideoTranscode.Status.FAILED,
        error=error.error,
        error_detail=error.detail,
        progress=0,
    )


def transcode_media(*, media_id):
    """Makes the renditions of one video upload; does nothing when they exist for this very file.

    Returns the VideoTranscode, or None when the media is gone or not a video.
    """
    media = get_media_model().objects.filter(pk=media_id, type="video").first()
    if media is None:
        return None
    transcode, _ = VideoTranscode.objects.get_or_create(media=media)
    if transcode.is_ready and transcode.source_name == media.file.name:
        return transcode  # same file as last time: nothing to read again
    with tempfile.TemporaryDirectory(prefix="komek-video-") as work:
        work = Path(work)
        source_path = work / ("source" + os.path.splitext(media.file.name)[1].lower()[:8])
        try:
            checksum = copy_source(media, source_path)
        except TranscodeError as error:
            checksum = transcode.source_checksum or "missing"
            # Named after the file it looked for, so the sweep does not send it again and again.
            VideoTranscode.objects.filter(pk=transcode.pk).update(
                source_checksum=checksum, source_name=media.file.name
            )
            _fail(transcode.pk, checksum=checksum, error=error)
            return VideoTranscode.objects.get(pk=transcode.pk)
        claimed = _claim(transcode.pk, checksum=checksum, source_name=media.file.name)
        if claimed is None:
            return VideoTranscode.objects.get(pk=transcode.pk)
        try:
            fields = _encode(claimed, media=media, source_path=source_path, work=work)
        except Exception as failure:
            # Anything else (a probe or poster run that timed out, storage refusing a file) ends
            # the run as failed too, never left running with half its files.
            error = (
                failure
                if isinstance(failure, TranscodeError)
                else TranscodeError(
                    VideoTranscode.Error.ENCODING, f"{type(failure).__name__}: {failure}"
                )
            )
            delete_folder(claimed.folder)
            _fail(claimed.pk, checksum=checksum, error=error)
            return VideoTranscode.objects.get(pk=claimed.pk)
    recorded, previous_folder, result = _finish(claimed.pk, checksum=checksum, **fields)
    if not recorded:
        delete_folder(claimed.folder)  # the upload was replaced while this ran: a newer run owns it
    elif previous_folder and previous_folder != result.folder:
        delete_folder(previous_folder)  # the replaced upload's renditions
    return result


def _encode(transcode, *, media, source_path, work):
    source = probe(source_path)
    rungs = plan_renditions(source)
    download_height = min(DOWNLOAD.height, rungs[-1].height)
    out_dir = work / "out"
    for rung in rungs:
        (out_dir / rung.name).mkdir(parents=True, exist_ok=True)
    last = {"percent": -1}

    def on_progress(share):
        percent = min(95, int(share * 95))
        if percent >= last["percent"] + 2:
            last["percent"] = percent
            VideoTranscode.objects.filter(
                pk=transcode.pk, source_checksum=transcode.source_checksum
            ).update(progress=percent, updated_at=timezone.now())

    command = encode_command(
        source_path=source_path,
        out_dir=out_dir,
        source=source,
        rungs=rungs,
        download_height=download_height,
    )
    run_ffmpeg(
        command,
        duration=source.duration,
        on_progress=on_progress,
        timeout=max(900, source.duration * 20),
    )
    poster = out_dir / "poster.jpg"
    subprocess.run(  # noqa: S603 (our own arguments, no shell)
        poster_command(source_path=source_path, out_path=poster, source=source),
        capture_output=True,
        timeout=120,
        check=False,
    )
    if not (out_dir / "master.m3u8").exists() or not (out_dir / "download.mp4").exists():
        raise TranscodeError(VideoTranscode.Error.ENCODING, "ffmpeg wrote no playlist")
    folder = transcode.folder
    delete_folder(folder)  # what a run that died half-way left
    store_folder(out_dir, folder)
    renditions = [
        {
            "name": rung.name,
            "height": rung.height,
            "bandwidth": rung.bandwidth,
            "playlist": f"{folder}/{rung.name}/index.m3u8",
        }
        for rung in rungs
    ]
    # The server measures watched time against the source's duration, whichever rendition plays.
    updates = {}
    if not media.duration:
        updates["duration"] = round(source.duration, 2)
    if not media.width or not media.height:
        updates.update(width=source.width, height=source.height)
    if updates:
        type(media).objects.filter(pk=media.pk).update(**updates)
    return {
        "status": VideoTranscode.Status.READY,
        "progress": 100,
        "source_duration": source.duration,
        "source_width": source.width,
        "source_height": source.height,
        "renditions": renditions,
        "master_playlist": f"{folder}/master.m3u8",
        "download": f"{folder}/download.mp4",
        "download_bytes": (out_dir / "download.mp4").stat().st_size,
        "poster": f"{folder}/poster.jpg" if poster.exists() else "",
    }


# Deciding and enqueueing --------------------------------------------------------------------


def needs_transcode(media):
    if media.type != "video" or not media.file:
        return False
    transcode = VideoTranscode.objects.filter(media=media).first()
    if transcode is None:
        return True
    if transcode.status in (VideoTranscode.Status.PENDING, VideoTranscode.Status.RUNNING):
        return False  # a task is on its way; it reads the file as it is then
    return transcode.source_name != media.file.name


def enqueue_transcode(media):
    """After the upload commits, asks a worker to prepare it (the task checks the file itself)."""
    from .tasks import transcode_video

    transcode, created = VideoTranscode.objects.get_or_create(media=media)
    if not created and transcode.source_name != media.file.name:
        # Renditions of the replaced file must not play for the new one: the new original plays.
        transcode.status = VideoTranscode.Status.PENDING
        transcode.progress = 0
        transcode.save(update_fields=["status", "progress", "updated_at"])

    def send():
        try:
            transcode_video.delay(media.pk)
        except Exception:
            # The upload is saved; the sweep sends it once the broker answers again.
            logger.exception("Could not enqueue video %s; the sweep will retry", media.pk)

    transaction.on_commit(send)


def untranscoded_media_ids():
    """Video uploads with no renditions for their current file, and runs that died half-way."""
    media_model = get_media_model()
    stale = timezone.now() - STALE_AFTER
    ids = set()
    rows = media_model.objects.filter(type="video").values_list(
        "pk", "file", "transcode__source_name", "transcode__status", "transcode__updated_at"
    )
    for media_id, file_name, source_name, status, updated_at in rows:
        if status is None:
            ids.add(media_id)  # never enqueued
        elif status in (VideoTranscode.Status.PENDING, VideoTranscode.Status.RUNNING):
            if updated_at < stale:
                ids.add(media_id)  # enqueued or started, and then nothing
        elif source_name != file_name:
            ids.add(media_id)  # replaced, and the new file never enqueued
    return sorted(ids)


# Serving ------------------------------------------------------------------------------------

URI_ATTRIBUTE = re.compile(r'URI="([^"]+)"')


def rewrite_playlist(text, url_for):
    """The playlist with every address (segment lines, URI="…" attributes) replaced by
    `url_for(relative address)`: object storage signs each file's URL, so relative ones fail."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            line = URI_ATTRIBUTE.sub(lambda m: f'URI="{url_for(m.group(1))}"', line)
        elif line.strip():
            line = url_for(line.strip())
        lines.append(line)
    return "\n".join(lines) + "\n"
