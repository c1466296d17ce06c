"""The installable web app: a manifest per language, the service worker and its offline page.

Web App Manifest (W3C) and Service Workers (W3C); the worker itself is lms/templates/lms/sw.js.
"""

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .translation import language_codes

# Colours of lms/static/lms/komek.css: --brand for the title bar, --wash behind the splash.
THEME_COLOUR = "#0b7a75"
BACKGROUND_COLOUR = "#f3f6f8"

# What the worker stores when it installs, so any page can be drawn offline.
SHELL_FILES = [
    "lms/komek.css",
    "lms/komek.js",
    "lms/offline-queue.js",
    "lms/favicon.svg",
    "lms/icons/komek-192.png",
]
# Addresses the worker never stores nor answers from its caches: the admin, accounts (forms with
# one-time tokens), certificate, credential and record-book downloads (someone else's, shared by
# link, included), private media, event check-in (a signed code valid once), private calendar
# feeds, health, the worker itself.
NEVER_CACHED = [
    r"^/admin/",
    r"^/documents/(?!\d+/[^/]+\.vtt$)",
    r"^/(?:[a-z]{2}/)?certificates/",
    r"^/(?:[a-z]{2}/)?record-book/",
    r"^/[a-z]{2}/volunteer/record-book/",
    r"^/credentials/",
    r"^/\.well-known/",
    r"^/media/private/",
    r"^/check-in/",
    r"^/calendar/",
    r"^/healthz/",
    r"^/video/",
    r"^/i18n/",
    r"^/api/",
    r"^/sw\.js$",
    r"^/[a-z]{2}/accounts/",
    r"^/[a-z]{2}/coordination/",
    r"^/[a-z]{2}/events/",
]


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    language = get_language()
    response = JsonResponse(
        {
            "id": "/",
            "name": "Komek",
            "short_name": "Komek",
            "description": _("Learning and certification for medical volunteers"),
            "lang": language,
            "dir": "ltr",
            "start_url": f"/{language}/",
            "scope": "/",
            "display": "standalone",
            "orientation": "any",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            "icons": [
                {
                    "src": static(f"lms/icons/komek-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any",
                }
                for size in (192, 512)
            ]
            + [
                {
                    "src": static(f"lms/icons/komek-maskable-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "maskable",
                }
                for size in (192, 512)
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    return response


@lru_cache(maxsize=1)
def static_version():
    """A short hash that changes with every deploy that changes a static file: of the hashed
    names' manifest (production) or of the shell files and the worker's own template."""
    digest = hashlib.sha256()
    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    if manifest_name and staticfiles_storage.exists(manifest_name):
        with staticfiles_storage.open(manifest_name) as f:
            digest.update(f.read())
    else:
        for name in SHELL_FILES:
            path = finders.find(name)
            if path:
                with open(path, "rb") as f:
                    digest.update(f.read())
    digest.update(get_template("lms/sw.js").template.source.encode())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request):
    config = {
        "version": static_version(),
        "staticUrl": settings.STATIC_URL,
        "shell": [static(name) for name in SHELL_FILES],
        "offlinePages": {code: f"/{code}/offline/" for code in language_codes()},
        "defaultLanguage": settings.LANGUAGE_CODE,
        "neverCached": NEVER_CACHED,
        "queueScript": static("lms/offline-queue.js"),
        # Uploads at the object storage's address: their offline copies are kept without the
        # URL's signature, which every page visit renews.
        "storageOrigin": settings.STORAGE_ORIGIN,
    }
    body = get_template("lms/sw.js").render({"config": json.dumps(config)})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    # A new deploy reaches every browser at its next visit; the worker's scope is the whole site.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    """What the worker shows for a page never visited when there is no connection."""
    return TemplateResponse(request, "lms/offline.html", {"is_offline_page": True})
