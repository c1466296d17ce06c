"""Project-wide views: language switching and a health check for load balancers."""

from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as django_set_language

from . import health as health_checks


def set_language(request):
    """Django's language switch, which also remembers the choice on a signed-in user's account."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if (
        user.is_authenticated
        and language
        and check_for_language(language)
        and user.preferred_language != language
    ):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return response


@never_cache
def health(request):
    """For a load balancer: 200 when the database, cache and broker answer, 503 otherwise.
    Details stay in `manage.py health`; this says only which service is down."""
    results = health_checks.report(health_checks.SERVICES)
    is_up = all(up for up, _detail in results.values())
    body = {"status": "ok" if is_up else "down"}
    body.update({name: "ok" if up else "down" for name, (up, _detail) in results.items()})
    return JsonResponse(body, status=200 if is_up else 503)
