"""Real Celery worker processes for tests, on the configured broker and the test database."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.processes import stop_group

ROOT = Path(__file__).resolve().parents[1]


def database_url():
    """The test database as a URL a worker process can open."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


# Every task this test run sends goes to its own queue (set in tests/conftest.py), which only
# the workers it starts read: a developer's `make run` worker on the same broker never takes them.
TEST_QUEUE = f"komek-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def new_queue():
    return f"test-{uuid.uuid4().hex}"


@contextmanager
def worker(queue, *, app="lms", concurrency=1, pool="solo", loglevel="INFO", hostname=None):
    """A worker consuming only `queue`, so no other worker on the broker takes the test's tasks.

    Its output goes to a file (a pipe nobody reads would stall a chatty worker); the end of it
    is printed afterwards, for pytest to show when a test fails.
    """
    with tempfile.TemporaryFile(mode="w+") as log:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_TASK_DEFAULT_QUEUE": queue,
        }
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "--app", app, "worker", "--pool", pool,
                "--concurrency", str(concurrency), "--queues", queue, "--loglevel", loglevel,
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                *(["--hostname", hostname] if hostname else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            yield process
        finally:
            stop_group(process)
            log.seek(0)
            print("".join(log.readlines()[-200:]))


def kill(process):
    """SIGKILL the worker and its pool children: a crash, no chance to clean up."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def wait_until(condition, *, timeout=90, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}")
