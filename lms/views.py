"""Project-wide views: language switching and a health check for load balancers."""

from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as django_set_language


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
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
