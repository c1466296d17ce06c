"""Middleware of the project."""

from django.middleware.locale import LocaleMiddleware

# Addresses printed on paper, in QR codes or used by programs: never redirected to /ru/…
UNPREFIXED = (
    "/verify/",
    "/api/",
    "/certificates/",
    "/admin/",
    "/documents/",
    "/issuer/",
    "/.well-known/",
    "/healthz/",
)


class KomekLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware redirects any 404 to its language-prefixed twin when that path
    resolves; Wagtail's catch-all page route resolves everything, so a missing certificate would
    become a redirect instead of "not found". Unprefixed areas keep their 404."""

    def process_response(self, request, response):
        if response.status_code == 404 and request.path_info.startswith(UNPREFIXED):
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
        return super().process_response(request, response)
