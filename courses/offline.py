"""Actions queued offline and sent later: applied once per learner and action id.

The browser gives each action an id (crypto.randomUUID) when the learner takes it and sends it
with the request; a repeated send (a lost response, a retry on the next page load, Background
Sync and the page both flushing) gets the first result back and changes nothing.
"""

import logging
import os
import uuid
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import OfflineAction

logger = logging.getLogger(__name__)


class ActionIdError(ValueError):
    """An action id that is not a UUID, or one already used for a different kind of action."""


class NotApplied(Exception):
    """Raised by `perform` to refuse the action: nothing is stored, so a retry is judged anew."""

    def __init__(self, body, status):
        super().__init__(body)
        self.body, self.status = body, status


def parse_action_id(raw) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError, AttributeError):
        raise ActionIdError(_("The action id is not valid: expected a UUID.")) from None


def apply_once(*, user, action_id, kind, perform) -> dict:
    """`perform()` returns the response body (a dict) of a successful action; its first result is
    stored and returned as {"status": 200, "body": ...}, then returned unchanged for the same id.

    A refusal (`NotApplied`) is returned but not stored: the action changed nothing.
    """
    action_id = parse_action_id(action_id)
    try:
        with transaction.atomic():
            previous = OfflineAction.objects.filter(user=user, action_id=action_id).first()
            if previous is None:
                try:
                    # The unique constraint makes a concurrent send with the same id wait for
                    # this one and then fail here, instead of applying the action twice. Only
                    # this insert's failure means that: one inside perform() is its own.
                    with transaction.atomic():
                        action = OfflineAction.objects.create(
                            user=user, action_id=action_id, kind=kind
                        )
                except IntegrityError:
                    previous = OfflineAction.objects.get(user=user, action_id=action_id)
                else:
                    action.result = {"status": 200, "body": perform()}
                    action.save(update_fields=["result"])
                    return action.result
    except NotApplied as refusal:
        return {"status": refusal.status, "body": refusal.body}
    if previous.kind != kind:
        raise ActionIdError(_("This action id was already used for another action."))
    return previous.result


# The lesson page carries a signed note of when the server sent it. A video report queued
# offline says when the player made it; the server believes that moment only between the
# previous report of the video (or, for a video never reported, the time the page was sent) and
# now, so however the moments are forged the credit never exceeds the real time that passed.
# See courses.video.report_moment.
PAGE_CLOCK_SALT = "courses.offline.page-clock"
PAGE_CLOCK_MAX_AGE = 60 * 24 * 3600  # an offline copy is trusted for about two months


def page_clock(*, user, lesson, now=None) -> str:
    now = now or timezone.now()
    return signing.dumps(
        {"u": user.pk, "l": lesson.pk, "t": int(now.timestamp())}, salt=PAGE_CLOCK_SALT
    )


def page_sent_at(token, *, user, lesson):
    """When the server sent the lesson page, from its signed token; None when it does not verify."""
    if not token:
        return None
    try:
        value = signing.loads(str(token), salt=PAGE_CLOCK_SALT, max_age=PAGE_CLOCK_MAX_AGE)
        if value["u"] != user.pk or value["l"] != lesson.pk:
            return None
        return datetime.fromtimestamp(int(value["t"]), tz=UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def played_at_from_millis(value):
    """The player's moment of a queued report (milliseconds since the epoch), or None."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(float(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise ValueError("recorded_at") from None


# The offline copy of a course ----------------------------------------------------------------


class _Assets(HTMLParser):
    """The files a lesson page loads that the copy must hold: its scripts and styles, images,
    posters, captions and each video's small offline file (data-offline-src, with its size in
    data-offline-bytes)."""

    def __init__(self):
        super().__init__()
        self.found = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.found.setdefault(attrs["src"], None)
        elif tag == "link" and attrs.get("rel") in {"stylesheet", "icon"} and attrs.get("href"):
            self.found.setdefault(attrs["href"], None)
        elif tag == "img" and attrs.get("src"):
            self.found.setdefault(attrs["src"], None)
        elif tag == "video" and attrs.get("poster"):
            self.found.setdefault(attrs["poster"], None)
        elif tag == "track" and attrs.get("src"):
            self.found.setdefault(attrs["src"], None)
        elif tag == "figure" and attrs.get("data-offline-src"):
            try:
                size = int(attrs.get("data-offline-bytes") or 0) or None
            except ValueError:
                size = None
            self.found[attrs["data-offline-src"]] = size


def page_assets(html: str) -> dict:
    """{url: size in bytes or None} of the files a page needs offline: the site's own, and
    uploads at the object storage's address (signed URLs; the copy keys them without the
    signature, as the service worker looks them up)."""
    parser = _Assets()
    parser.feed(html)
    return {
        url: size
        for url, size in parser.found.items()
        if (urlsplit(url).path and not urlsplit(url).netloc and url.startswith("/"))
        or storage_name(url) is not None
    }


def storage_name(url):
    """The default storage's name of a file linked at the object storage's address, or None."""
    origin = settings.STORAGE_ORIGIN
    if not origin or not url.startswith(origin + "/"):
        return None
    # The storage's own address of a name, signed or not, tells where names start in a path.
    prefix = urlsplit(default_storage.url("-")).path.removesuffix("-")
    path = unquote(urlsplit(url).path)
    return path.removeprefix(prefix) if path.startswith(prefix) else None


def object_size(name):
    """An object's size at the storage, or 0: the size only informs the learner's choice, and
    object storage clients raise their own errors (botocore's) for a missing object."""
    try:
        return default_storage.size(name)
    except Exception:
        logger.warning("No size for %s at the object storage", name, exc_info=True)
        return 0


def stored_file_size(url):
    """The size of an upload behind a page's address (media file or served document), or 0."""
    from wagtail.documents.models import Document

    path = unquote(urlsplit(url).path)
    try:
        if (name := storage_name(url)) is not None:
            return object_size(name)
        if path.startswith(settings.STATIC_URL):
            name = path.removeprefix(settings.STATIC_URL)
            found = finders.find(name)
            return os.path.getsize(found) if found else staticfiles_storage.size(name)
        if path.startswith(settings.MEDIA_URL):
            return default_storage.size(path.removeprefix(settings.MEDIA_URL))
        parts = path.strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "documents" and parts[1].isdigit():
            return Document.objects.get(pk=int(parts[1])).file.size
    except (OSError, NotImplementedError, ObjectDoesNotExist, ValueError):
        return 0
    return 0
