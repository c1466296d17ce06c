"""The three interface languages (settings.LANGUAGES) and reference data named in each of them
(directions, levels, branches)."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def language_codes() -> list[str]:
    """The interface languages' codes, in settings order: ["ru", "kk", "en"]."""
    return [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    """The active interface language's two-letter code, the default language when none is active
    (a shell, a Celery task)."""
    return (get_language() or settings.LANGUAGE_CODE)[:2]


class TranslatedName(models.Model):
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the active language, falling back to Russian."""
        return getattr(self, f"name_{current_language()}", "") or self.name_ru
