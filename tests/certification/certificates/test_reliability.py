"""Nothing is lost and nothing is doubled: real workers, killed, duplicated, or unreachable.

Each test ends with exactly one issued certificate for the earning event, with its first code.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from certification.certificates import issuing
from certification.certificates.tasks import render_certificate
from certification.models import Certificate
from lms.celery import app
from tests.certification.conftest import complete_course
from tests.workers import TEST_QUEUE, kill, wait_until, worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def queue():
    """The session's test queue, emptied first: browser tests and others that commit leave
    render tasks there with nobody to take them, and a stalling worker would take those first."""
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(TEST_QUEUE)
    return TEST_QUEUE


def status_of(certificate):
    return Certificate.objects.get(pk=certificate.pk).status


def assert_one_issued(certificate):
    certificates = Certificate.objects.filter(source_key=certificate.source_key)
    assert certificates.count() == 1
    issued = certificates.get()
    assert issued.status == Certificate.Status.ISSUED
    assert issued.public_code == certificate.public_code
    assert issued.pdf and issued.pdf_sha256
    return issued


def test_a_worker_killed_mid_task_leaves_the_certificate_for_the_sweep(holder, queue):
    with worker(queue, app="tests.slow_worker") as doomed:
        complete_course(holder)
        certificate = Certificate.objects.get(holder=holder)
        wait_until(
            lambda: Certificate.objects.get(pk=certificate.pk).n_render_attempts >= 1,
            what="task start",
        )
        kill(doomed)
    assert status_of(certificate) == Certificate.Status.PENDING

    with worker(queue):
        issuing.requeue_stale(now=timezone.now() + timedelta(minutes=5))
        wait_until(
            lambda: status_of(certificate) == Certificate.Status.ISSUED,
            what="issue after the sweep",
        )

    assert_one_issued(certificate)


def test_a_duplicate_delivery_makes_no_second_certificate(holder, queue):
    with mock.patch("certification.certificates.issuing.enqueue_rendering"):
        complete_course(holder)
    certificate = Certificate.objects.get(holder=holder)

    with worker(queue, pool="prefork", concurrency=2):
        results = [render_certificate.apply_async(args=[certificate.pk]) for _ in range(3)]
        for result in results:
            result.get(timeout=120)

    issued = assert_one_issued(certificate)
    pdfs = list((issued.pdf.storage.base_location / "certificates").rglob("*.pdf"))
    assert len(pdfs) == 1


def use_broker(url):
    """Point this process's Celery app at another broker, dropping pooled connections."""
    app.conf.broker_url = url
    app._pool = None  # the old pool is left to the garbage collector, unused
    app.amqp._producer_pool = None


def test_issuing_while_the_broker_is_down_is_caught_up_when_it_returns(holder, queue):
    real_broker = app.conf.broker_url
    use_broker("redis://127.0.0.1:9/0")  # nothing listens there
    try:
        complete_course(holder)  # the learner's request succeeds all the same
    finally:
        use_broker(real_broker)
    certificate = Certificate.objects.get(holder=holder)
    assert holder.enrolments.get().completed_at is not None
    assert status_of(certificate) == Certificate.Status.PENDING

    with worker(queue):
        issuing.requeue_stale(now=timezone.now() + timedelta(minutes=5))
        wait_until(
            lambda: status_of(certificate) == Certificate.Status.ISSUED,
            what="issue after the broker returns",
        )

    assert_one_issued(certificate)
