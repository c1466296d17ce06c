"""Project-wide views: language switching and a health check for load balancers."""

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import health as health_checks
from .language_switch import landing_url
from .translation import language_codes


@require_POST
def set_language(request):
    """Switch the interface language and land on a page that exists: the translation of the page
    the visitor was on, or that page with its interface in the new language. The choice is kept
    in the cookie and, for a signed-in user, on the account."""
    came_from = safe_next_url(request)
    language = request.POST.get("language", "")
    if language not in language_codes() or not check_for_language(language):
        return HttpResponseRedirect(came_from)
    response = HttpResponseRedirect(landing_url(request, came_from, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    user = request.user
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return response


def safe_next_url(request):
    """Where the switch was pressed: `next`, else the referring page, on this host only (no open
    redirect); the site root when neither is."""
    for url in (request.POST.get("next"), request.headers.get("referer")):
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return "/"


@never_cache
def health(request):
    """For a load balancer: 200 when the database, cache and broker answer, 503 otherwise.
    Details stay in `manage.py health`; this says only which service is down."""
    results = health_checks.report(health_checks.SERVICES)
    is_up = all(up for up, _detail in results.values())
    body = {"status": "ok" if is_up else "down"}
    body.update({name: "ok" if up else "down" for name, (up, _detail) in results.items()})
    return JsonResponse(body, status=200 if is_up else 503)
