"""Shared set-up for bench scripts: Django against a throw-away test database, and timing."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


def median_seconds(action, *, repeat, warmup=3):
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(name, ratio, **details):
    for key, value in details.items():
        print(f"  {key}: {value}")
    print(f"{name}: {ratio:.2f}")
