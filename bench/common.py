"""Shared set-up for bench scripts: Django against a throw-away test database, and timing."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
# bench/statistics.py (the statistics target's script) would hide the standard library's module
# from every script run from this folder, Django's SQLite functions included: once `common` is
# imported, bench/ leaves the import path.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH]
if getattr(sys.modules.get("statistics"), "__file__", "").startswith(str(BENCH)):
    del sys.modules["statistics"]
import statistics  # noqa: E402


def setup_django():
    """Django with a fresh test database (SQLite by default, PostgreSQL with DATABASE_URL)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    return connection


def sample_seconds(action, *, repeat, warmup=3):
    """The action's times in seconds, `repeat` of them after `warmup` untimed runs, sorted."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return sorted(samples)


def median_seconds(action, *, repeat, warmup=3):
    return statistics.median(sample_seconds(action, repeat=repeat, warmup=warmup))


def report(name, ratio, **details):
    for key, value in details.items():
        print(f"  {key}: {value}")
    print(f"{name}: {ratio:.2f}")
