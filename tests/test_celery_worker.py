"""A real Celery worker process, on whatever broker is configured, consumes and completes a task.

Unset, that is the filesystem broker (a bare machine); in CI it is Redis.
"""

import os

import pytest
from django.conf import settings

from lms.tasks import ping
from tests.workers import new_queue, worker


@pytest.mark.worker
def test_a_worker_process_completes_a_task_sent_through_the_broker():
    queue = new_queue()
    with worker(queue):
        result = ping.apply_async(args=["Сәлем"], queue=queue)

        assert result.get(timeout=90) == "pong: Сәлем"
        assert result.successful()


def test_the_celery_app_uses_the_broker_from_the_environment():
    from lms.celery import app

    expected = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL == expected
