"""Reminders scheduled by beat, run by a real worker process that is stopped and replaced: each
reminder is sent exactly once (the claims are rows in the database, not the worker's memory)."""

from datetime import timedelta

import pytest

from certification.models import Certificate, ExpiryReminder
from certification.tasks import remind_expiring_certificates
from tests.factories import UserFactory, make_course
from tests.mail_files import sent
from tests.workers import new_queue, worker

from .conftest import certificate_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def run_beat_task(queue):
    return remind_expiring_certificates.apply_async(queue=queue).get(timeout=120)


def test_reminders_across_a_worker_restart_are_sent_exactly_once(movement, tmp_path, monkeypatch):
    mailbox = tmp_path / "mail"
    # The worker is another process: its mail goes to files this test reads.
    monkeypatch.setenv("EMAIL_BACKEND", "tests.mail_files.EmailBackend")
    monkeypatch.setenv("KOMEK_TEST_MAIL_DIR", str(mailbox))
    course = make_course(slug="first-aid", certificate_validity_months=24)
    expiring = {
        days: certificate_of(
            UserFactory(email=f"holder{days}@example.kz"), course, expires_in=timedelta(days=days)
        )
        for days in (5, 20, 50, 100)
    }
    queue = new_queue()

    with worker(queue):
        first = [run_beat_task(queue), run_beat_task(queue)]
    # Meanwhile time passes for one of them: 25 days left, its 30-day reminder is now due.
    Certificate.objects.filter(pk=expiring[50].pk).update(
        expires_at=expiring[50].expires_at - timedelta(days=25)
    )
    with worker(queue):
        second = [run_beat_task(queue), run_beat_task(queue)]

    assert first == [3, 0]
    assert second == [1, 0]
    reminders = sorted(
        ExpiryReminder.objects.values_list("certificate__holder__email", "days_before")
    )
    assert reminders == [
        ("holder20@example.kz", 30),
        ("holder50@example.kz", 30),
        ("holder50@example.kz", 60),
        ("holder5@example.kz", 7),
    ]
    recipients = sorted(message["To"] for message in sent(mailbox))
    assert recipients == [
        "holder20@example.kz",
        "holder50@example.kz",
        "holder50@example.kz",
        "holder5@example.kz",
    ]
