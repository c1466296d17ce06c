"""Deployment checks of our own (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def shared_cache(app_configs, **kwargs):
    """Rate limits on certificate verification count per client across all web processes only
    when the cache is shared."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The cache is local to each process, so verification rate limits are not shared.",
                hint="Set CACHE_URL to a Redis URL, e.g. redis://redis.internal:6379/1.",
                id="komek.W001",
            )
        ]
    return []
