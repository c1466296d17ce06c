"""Reference data named in all three interface languages (directions, levels, branches)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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
        language = (get_language() or "ru")[:2]
        return getattr(self, f"name_{language}", "") or self.name_ru
