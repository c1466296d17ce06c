"""An uploaded or replaced lesson video gets its renditions made (courses.transcoding)."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtailmedia.models import get_media_model

from . import transcoding


@receiver(post_save, sender=get_media_model(), dispatch_uid="courses.transcode_uploaded_video")
def transcode_uploaded_video(sender, instance, raw=False, **kwargs):
    if not raw and transcoding.needs_transcode(instance):
        transcoding.enqueue_transcode(instance)
