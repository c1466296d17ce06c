"""Middleware of the project."""

from dataclasses import replace

from csp.middleware import CSPMiddleware
from django.conf import settings
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
    "/achievements/",
    "/credentials/",
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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with one policy for Komek's own pages and a wider one for the Wagtail admin,
    whose panels and widgets still carry inline scripts and styles (CONTENT_SECURITY_POLICY and
    ADMIN_CONTENT_SECURITY_POLICY_UPDATE in settings)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith("/admin/"):
            widened = dict(settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE)
            for directive, sources in (parts.update or {}).items():
                widened[directive] = [*widened.get(directive, []), *sources]
            parts = replace(parts, update=widened)
        return parts
