from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Komek")

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from . import (
            checks,  # noqa: F401  (registers deployment checks)
            health,  # noqa: F401  (beat's heartbeat, noted as it is sent)
        )
        from .context_processors import forget_catalogue_urls
        from .slugs import use_latin_slug_input

        page_published.connect(forget_catalogue_urls, dispatch_uid="lms.catalogue_url_published")
        page_unpublished.connect(
            forget_catalogue_urls, dispatch_uid="lms.catalogue_url_unpublished"
        )
        use_latin_slug_input()
