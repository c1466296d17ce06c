"""The site's home page: what Komek is and where a newcomer starts."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from .routing import ShortcutRoutingMixin
from .slugs import LatinSlugMixin


class HomePage(LatinSlugMixin, ShortcutRoutingMixin, Page):
    lead = models.TextField(
        _("lead"), blank=True, help_text=_("One or two sentences under the title.")
    )
    body = RichTextField(_("body"), blank=True)
    call_to_action_text = models.CharField(_("button text"), max_length=80, blank=True)
    call_to_action_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("button leads to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        MultiFieldPanel(
            [FieldPanel("call_to_action_text"), FieldPanel("call_to_action_page")],
            heading=_("Call to action"),
        ),
        FieldPanel("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CataloguePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class Heartbeat(models.Model):
    """When a background process last showed it was alive (beat, see lms.health)."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name}: {self.at:%Y-%m-%d %H:%M:%S}"
