"""What Komek made of an uploaded lesson video: HLS renditions, a small MP4 and a poster."""

from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext_lazy as _


class VideoTranscode(models.Model):
    """The adaptive renditions of one wagtailmedia video, made from the file `source_checksum`.

    Files live in the default storage under `video/<media id>/<checksum prefix>/`; a replaced upload
    gets a new checksum, so new files never overwrite the ones learners are playing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be prepared")
        RUNNING = "running", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be prepared")

    class Error(models.TextChoices):
        UNREADABLE = "unreadable", _("The file is not a video that can be read: it may be damaged.")
        NO_VIDEO = "no_video", _("The file has no picture, only sound or nothing at all.")
        ENCODING = "encoding", _("Converting the video failed. Try uploading it again.")
        MISSING = "missing", _("The uploaded file could not be found.")

    # Failures after which the original will not play either: learners get a message instead of
    # a player, and the lesson completes without that video.
    UNPLAYABLE = (Error.UNREADABLE, Error.NO_VIDEO, Error.MISSING)

    media = models.OneToOneField(
        "wagtailmedia.Media", on_delete=models.CASCADE, related_name="transcode"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    error = models.CharField(_("error"), max_length=12, choices=Error, blank=True)
    # ffmpeg's last words, for whoever investigates; never shown to learners.
    error_detail = models.TextField(blank=True)
    # The upload's file name when it was last read: a save that keeps the file needs no new work.
    source_name = models.CharField(max_length=255, blank=True)
    source_checksum = models.CharField(max_length=64, blank=True)
    source_duration = models.FloatField(null=True, blank=True)
    source_width = models.PositiveIntegerField(null=True, blank=True)
    source_height = models.PositiveIntegerField(null=True, blank=True)
    # [{"height": 360, "width": 640, "bandwidth": 900000, "playlist": "video/…/360p.m3u8"}, …]
    renditions = models.JSONField(default=list, blank=True)
    master_playlist = models.CharField(max_length=255, blank=True)
    download = models.FileField(max_length=255, blank=True)
    download_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    poster = models.FileField(max_length=255, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("video renditions")
        verbose_name_plural = _("video renditions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="transcode_progress_at_most_100"
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"{self.media} ({self.status})"

    @property
    def is_ready(self):
        return self.status == self.Status.READY

    @property
    def is_failed(self):
        return self.status == self.Status.FAILED

    @property
    def is_unplayable(self):
        return self.is_failed and self.error in self.UNPLAYABLE

    @property
    def error_message(self):
        return self.get_error_display() if self.error else ""

    @property
    def folder(self):
        return f"video/{self.media_id}/{self.source_checksum[:16]}"

    @property
    def lowest_rendition(self):
        return min(self.renditions, key=lambda r: r["height"]) if self.renditions else None

    @property
    def poster_url(self):
        return default_storage.url(self.poster.name) if self.poster else ""

    @property
    def download_url(self):
        return default_storage.url(self.download.name) if self.download else ""
