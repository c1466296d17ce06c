"""Template tags for pages read in a language other than their own."""

from django import template
from wagtail.models import Page

from lms.language_switch import content_notice
from lms.translation import current_language

register = template.Library()


@register.inclusion_tag("includes/content_language_notice.html")
def content_language_notice(page):
    """ "This course is in Russian", with the way to a version in the reader's language."""
    notice = content_notice(page, current_language()) if isinstance(page, Page) else None
    return {"notice": notice}
