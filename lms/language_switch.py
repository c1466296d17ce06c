"""Where the language switch lands, and the notice on a page whose content is in another language.

The interface language and the content language are separate: a course written only in Russian
keeps its /ru/ address, and a visitor who chose Kazakh reads it with a Kazakh interface (the
language cookie, applied to Wagtail pages once they are routed: lms.wagtail_hooks).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page, Site

from courses.models import CoursePage, Enrolment

SERVE_URL_NAME = "wagtail_serve"

COURSE_IS_IN = {
    "ru": _("This course is in Russian."),
    "kk": _("This course is in Kazakh."),
    "en": _("This course is in English."),
}
PAGE_IS_IN = {
    "ru": _("This page is in Russian."),
    "kk": _("This page is in Kazakh."),
    "en": _("This page is in English."),
}
# Keyed by the interface language: the version the reader is offered is in their language.
OPEN_VERSION = {
    "ru": _("Open the Russian version"),
    "kk": _("Open the Kazakh version"),
    "en": _("Open the English version"),
}
NO_VERSION_YET = {
    "ru": _("There is no Russian version yet."),
    "kk": _("There is no Kazakh version yet."),
    "en": _("There is no English version yet."),
}


def chosen_language(request):
    """The interface language the visitor chose with the switch (or at login), if any."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        code = translation.get_supported_language_variant(code)
    except LookupError:
        return None
    return code if translation.check_for_language(code) else None


def home_url(language):
    return f"/{language}/"


def landing_url(request, url, language):
    """Where a visitor who was on `url` and chose `language` goes: a page that exists.

    `url` is resolved in the language of its own prefix, not the chosen one (Django's
    translate_url resolves it in the active language, and a /ru/ address does not resolve
    under /kk/). A Wagtail page goes to its translation; without one, or when the visitor keeps
    the version they learn in, the address stays and the interface changes. Other addresses
    under a prefix keep their path under the new prefix; unprefixed ones stay as they are."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    if not parts.path.startswith("/") or parts.path.startswith(("//", "/\\")):
        # "https://our.host//evil.example/" is on our host, but its path alone is a
        # protocol-relative address of another site.
        return home_url(language)
    source = get_language_from_path(parts.path)
    if source is None:
        return (parts.path or "/") + query
    with translation.override(source):
        try:
            match = resolve(parts.path)
        except Resolver404:
            return home_url(language)
    if match.url_name == SERVE_URL_NAME:
        target = page_landing_path(request, parts.path, match.args[0], source, language)
        return target + query if target else home_url(language)
    with translation.override(language):
        try:
            return reverse(match.view_name, args=match.args, kwargs=match.kwargs) + query
        except NoReverseMatch:
            return home_url(language)


def page_landing_path(request, path, page_path, source, language):
    """The path to land on from the Wagtail page at `path`; None when no page is there."""
    page, is_sub_route = route(request, page_path, source)
    if page is None:
        return None
    if is_sub_route or page.locale.language_code == language:
        # A quiz attempt, a result: they belong to this version of the quiz.
        return path
    translated = live_translation(page, language)
    if translated is None or keeps_version(request.user, page, translated):
        return path
    return translated.get_url(request=request)


def route(request, page_path, language):
    """The live page at `page_path` in `language`'s tree, and whether the path goes beyond it
    (a RoutablePage's sub-route)."""
    site = Site.find_for_request(request)
    if site is None:
        return None, False
    with translation.override(language):
        root = site.root_page.localized.specific
    components = [component for component in page_path.split("/") if component]
    try:
        page, _args, _kwargs = root.route(request, components)
    except Http404:
        return None, False
    own = [component for component in page.url_path[len(root.url_path) :].split("/") if component]
    return page, components != own


def live_translation(page, language):
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None:
        return None
    translated = page.get_translation_or_none(locale)
    return translated.specific if translated is not None and translated.live else None


def keeps_version(user, page, translated):
    """A learner enrolled in this page's course, and not in the translation's, stays with the
    version their progress is in; the notice offers the other one."""
    if not user.is_authenticated:
        return False
    course, other = course_of(page), course_of(translated)
    if course is None or other is None:
        return False
    enrolled = set(
        Enrolment.objects.filter(user=user, course__in=[course, other]).values_list(
            "course_id", flat=True
        )
    )
    return course.pk in enrolled and other.pk not in enrolled


def course_of(page):
    if isinstance(page, CoursePage):
        return page
    get_course = getattr(page, "get_course", None)
    return get_course() if get_course else None


@dataclass(frozen=True)
class ContentNotice:
    """Said above a page whose content is not in the interface language."""

    text: str
    translation: Page | None = None  # the page in the interface language
    open_label: str = ""
    nearest: Page | None = None  # else the nearest ancestor that has one
    missing_text: str = ""


def content_notice(page, interface_language):
    """The notice for `page` read in `interface_language`, or None when they match."""
    content_language = page.locale.language_code
    if content_language == interface_language or interface_language not in OPEN_VERSION:
        return None
    is_course = course_of(page) is not None
    text = (COURSE_IS_IN if is_course else PAGE_IS_IN).get(content_language)
    if text is None:
        return None
    translated = live_translation(page, interface_language)
    if translated is not None:
        return ContentNotice(
            text=text, translation=translated, open_label=OPEN_VERSION[interface_language]
        )
    return ContentNotice(
        text=text,
        nearest=nearest_translated_ancestor(page, interface_language),
        missing_text=NO_VERSION_YET[interface_language],
    )


def nearest_translated_ancestor(page, language):
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None:
        return None
    keys = list(
        page.get_ancestors()
        .filter(depth__gt=1)
        .order_by("-depth")
        .values_list("translation_key", flat=True)
    )
    translations = {
        found.translation_key: found
        for found in Page.objects.live().filter(translation_key__in=keys, locale=locale)
    }
    return next((translations[key] for key in keys if key in translations), None)
