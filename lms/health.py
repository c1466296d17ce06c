"""Is this installation working: the database, the cache, the broker, the workers and beat.

`/healthz/` (for a load balancer) asks the first three; `manage.py health` (for an operator or
a monitor) asks all five and exits non-zero when one is down. Beat is alive when it has sent its
heartbeat task lately: the time is written by beat's own process as it publishes (below).
"""

import time
from datetime import timedelta

from celery.signals import beat_init, before_task_publish
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

HEARTBEAT_TASK = "lms.heartbeat"


def heartbeat_stale():
    """Beat is late after three missed heartbeats."""
    return timedelta(seconds=3 * settings.BEAT_HEARTBEAT_SECONDS)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_cache():
    key = f"komek:health:{time.monotonic_ns()}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)
    return "ok"


def check_broker():
    from lms.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
    return "ok"


def check_workers():
    from lms.celery import app

    replies = app.control.ping(timeout=2.0)
    if not replies:
        raise RuntimeError("no worker answered")
    return f"{len(replies)} answered: " + ", ".join(sorted(name for r in replies for name in r))


def check_beat(now=None):
    from .models import Heartbeat

    now = now or timezone.now()
    at = Heartbeat.objects.filter(name="beat").values_list("at", flat=True).first()
    if at is None:
        raise RuntimeError("beat has never run")
    age = now - at
    if age > heartbeat_stale():
        raise RuntimeError(f"beat last ran {int(age.total_seconds())} s ago")
    return f"last ran {int(age.total_seconds())} s ago"


SERVICES = {"database": check_database, "cache": check_cache, "broker": check_broker}
EVERYTHING = {**SERVICES, "workers": check_workers, "beat": check_beat}


def report(checks):
    """{name: (is_up, detail)} for each check."""
    results = {}
    for name, check in checks.items():
        try:
            results[name] = (True, check())
        except Exception as error:  # any failure means "down"
            results[name] = (False, str(error) or error.__class__.__name__)
    return results


def note_beat():
    from .models import Heartbeat

    try:
        Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})
    finally:
        connection.close_if_unusable_or_obsolete()


@beat_init.connect
def note_beat_started(sender=None, **kwargs):
    note_beat()


@before_task_publish.connect
def note_heartbeat(sender=None, **kwargs):
    """Runs in the process that publishes: for the heartbeat task, that is beat."""
    if sender == HEARTBEAT_TASK:
        note_beat()
