from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from certification import views as certification_views
from certification.api import api

from . import dashboards, views

# Addresses printed on paper or encoded in QR codes stay free of a language prefix.
urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz/", views.health, name="health"),
    path("verify/", certification_views.verify_form, name="verify_form"),
    path("verify/<str:code>/", certification_views.verify, name="verify"),
    path("api/v1/", api.urls),
    path(".well-known/jwks.json", certification_views.jwks, name="jwks"),
    path("issuer/", certification_views.issuer, name="issuer"),
    path("certificates/<str:code>/pdf/", certification_views.download_pdf, name="certificate_pdf"),
    path(
        "certificates/<str:code>/credential/",
        certification_views.download_credential,
        name="certificate_credential",
    ),
    path(
        "certificates/<str:code>/status/",
        certification_views.certificate_status,
        name="certificate_status",
    ),
]

if settings.DEBUG:
    # Only public uploads: certificates live in media/private/ and are served by a checked view.
    for folder in ("original_images", "images", "media", "media_thumbnails"):
        urlpatterns += static(
            f"{settings.MEDIA_URL}{folder}/", document_root=settings.MEDIA_ROOT / folder
        )

urlpatterns += i18n_patterns(
    path("accounts/", include("lms.accounts.urls")),
    path("learning/", dashboards.my_learning, name="my_learning"),
    path("certificates/", certification_views.my_certificates, name="my_certificates"),
    path("volunteer/", include("certification.urls_volunteer")),
    path("coordination/", include("certification.urls_coordination")),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
