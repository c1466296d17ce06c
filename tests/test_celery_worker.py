"""A real Celery worker process, on whatever broker is configured, consumes and completes a task.

Unset, that is the filesystem broker (a bare machine); in CI it is Redis.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from lms.tasks import ping

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def worker_queue():
    """A private queue served by a fresh worker process, so no other worker takes our task."""
    queue = f"test-{uuid.uuid4().hex}"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "--app", "lms", "worker",
            "--pool", "solo", "--queues", queue, "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        yield queue
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        print(output)


@pytest.mark.worker
def test_a_worker_process_completes_a_task_sent_through_the_broker(worker_queue):
    result = ping.apply_async(args=["Сәлем"], queue=worker_queue)

    assert result.get(timeout=90) == "pong: Сәлем"
    assert result.successful()


def test_the_celery_app_uses_the_broker_from_the_environment():
    from lms.celery import app

    expected = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL == expected
