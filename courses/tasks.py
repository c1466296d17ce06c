"""Celery tasks of the courses app: thin wrappers over services."""

from celery import shared_task

from . import services, transcoding


@shared_task(name="courses.close_expired_attempts")
def close_expired_attempts() -> int:
    return services.close_expired_attempts()


@shared_task(name="courses.transcode_video")
def transcode_video(media_id: int) -> str | None:
    """HLS renditions, a small MP4 and a poster for one video upload (nothing if already made)."""
    transcode = transcoding.transcode_media(media_id=media_id)
    return transcode.status if transcode else None


@shared_task(name="courses.transcode_untranscoded_videos")
def transcode_untranscoded_videos() -> int:
    """Beat's sweep: uploads never enqueued (or whose run died) get their task."""
    media_ids = transcoding.untranscoded_media_ids()
    for media_id in media_ids:
        transcode_video.delay(media_id)
    return len(media_ids)
