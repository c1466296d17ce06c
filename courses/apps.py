import mimetypes

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        # Caption tracks are served as documents; browsers want WebVTT labelled as such.
        mimetypes.add_type("text/vtt", ".vtt")
        mimetypes.add_type("application/vnd.apple.mpegurl", ".m3u8")
        from . import receivers  # noqa: F401 (connects the upload → transcode receiver)
