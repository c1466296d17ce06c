"""Certification reference data: the directions volunteers work in and the levels they climb."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from lms.translation import TranslatedName


class Direction(TranslatedName):
    """An area of volunteering, e.g. first aid or blood donation."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name_ru"]
        verbose_name = _("direction")
        verbose_name_plural = _("directions")


class Level(TranslatedName):
    """A step on the path newcomer → volunteer → senior volunteer → coordinator → instructor."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("1 is the first level.")
    )

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("rank"),
    ]

    class Meta:
        ordering = ["rank"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
