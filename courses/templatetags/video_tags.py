"""What the video block plays: HLS once the renditions are ready, the original until then."""

from dataclasses import dataclass

from django import template
from django.urls import reverse

from courses.models import VideoTranscode
from courses.video_views import playlist_token

register = template.Library()


@dataclass
class VideoPlayer:
    media: object
    transcode: VideoTranscode | None
    data_saver: bool
    user_id: int | None = None

    @property
    def is_ready(self):
        # Renditions of the file now uploaded: a replaced video plays its new original until
        # its own renditions are ready, never the old ones.
        return bool(
            self.transcode
            and self.transcode.is_ready
            and self.transcode.source_name == self.media.file.name
        )

    @property
    def is_unplayable(self):
        return bool(self.transcode and self.transcode.is_unplayable)

    @property
    def hls_url(self):
        if not self.is_ready or self.user_id is None:
            return ""
        address = reverse("video_playlist", args=[self.media.pk, "master"])
        return f"{address}?t={playlist_token(media_id=self.media.pk, user_id=self.user_id)}"

    @property
    def small_mp4_url(self):
        return self.transcode.download_url if self.is_ready else ""

    @property
    def sources(self):
        """<source> elements in the order the browser should try them."""
        small = {"src": self.small_mp4_url, "type": "video/mp4"}
        if self.is_ready and self.data_saver:
            return [small]
        return self.media.sources + ([small] if self.is_ready else [])

    @property
    def duration(self):
        # The source's duration, whichever rendition plays: watched intervals are measured in it.
        return self.media.duration or (self.transcode and self.transcode.source_duration) or 0

    @property
    def offline_src(self):
        return self.small_mp4_url or self.media.url

    @property
    def offline_bytes(self):
        if self.is_ready and self.transcode.download_bytes:
            return self.transcode.download_bytes
        try:
            return self.media.file.size
        except (OSError, ValueError):
            return ""

    @property
    def poster_url(self):
        if self.media.thumbnail:
            return self.media.thumbnail.url
        return self.transcode.poster_url if self.is_ready else ""


@register.simple_tag(takes_context=True)
def video_player(context, media):
    request = context.get("request")
    user = getattr(request, "user", None)
    return VideoPlayer(
        media=media,
        transcode=VideoTranscode.objects.filter(media=media).first() if media else None,
        data_saver=bool(getattr(user, "data_saver", False)),
        user_id=user.pk if user is not None and user.is_authenticated else None,
    )


@register.simple_tag
def video_transcode(media):
    """The renditions row of a media item, for the admin's edit page (None for audio)."""
    if getattr(media, "type", None) != "video":
        return None
    return VideoTranscode.objects.filter(media=media).first()
