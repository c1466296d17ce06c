"""lms.wsgi.application with one bench-only view, the "minimal Django view" bench/exam_day.py
compares submissions with: the same server, the same middleware, a view that does nothing.

`/healthz/` asks the database, the cache and the broker, so it is not minimal. The product's
URLs stay as they are; only gunicorn started by the bench loads this module.
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from lms.wsgi import application

MINIMAL_PATH = "/exam-day/minimal/"


@never_cache
def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


def with_minimal_view():
    from lms import urls  # once Django is set up, which importing lms.wsgi does

    return [path(MINIMAL_PATH.lstrip("/"), minimal), *urls.urlpatterns]


urlpatterns = with_minimal_view()
settings.ROOT_URLCONF = __name__

__all__ = ["application"]
