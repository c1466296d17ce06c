from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from certification import urls as certification_urls
from courses import video_views

from . import dashboards, pwa, views

# Addresses printed on paper or encoded in QR codes stay free of a language prefix.
urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz/", views.health, name="health"),
    # The service worker's scope is the folder it is served from: the whole site.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path(
        "video/<int:media_id>/<slug:rendition>.m3u8",
        video_views.playlist,
        name="video_playlist",
    ),
    path("", include(certification_urls)),
]

if settings.DEBUG:
    # Only public uploads: certificates live in media/private/ and are served by a checked view.
    for folder in ("original_images", "images", "media", "media_thumbnails", "video"):
        urlpatterns += static(
            f"{settings.MEDIA_URL}{folder}/", document_root=settings.MEDIA_ROOT / folder
        )

urlpatterns += i18n_patterns(
    path("accounts/", include("lms.accounts.urls")),
    path("learning/", dashboards.my_learning, name="my_learning"),
    path("manifest.webmanifest", pwa.manifest, name="web_manifest"),
    path("offline/", pwa.offline, name="offline"),
    path("", include(certification_urls.localized_urlpatterns)),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
