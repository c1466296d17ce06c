"""Celery tasks of certification, found here by Celery's autodiscovery: beat's periodic sweeps.

Each is a thin wrapper over one service. The task that renders a certificate lives beside the
pipeline it runs (certificates/tasks.py) and is registered when `issuing` imports it.
"""

from celery import shared_task

from .certificates import issuing, verification
from .coordination import aggregates
from .events import services as events
from .recertification import services as recertification
from .record_book import services as record_book
from .volunteers import services as volunteers


@shared_task(name="certification.requeue_stale_certificates")
def requeue_stale_certificates():
    return issuing.requeue_stale()


@shared_task(name="certification.remind_expiring_certificates")
def remind_expiring_certificates():
    return recertification.remind_expiring()


@shared_task(name="certification.advance_time_served")
def advance_time_served():
    return volunteers.advance_time_served()


@shared_task(name="certification.flush_verification_counts")
def flush_verification_counts():
    return verification.flush_verification_counts()


@shared_task(name="certification.close_ended_events")
def close_ended_events():
    return events.close_ended()


@shared_task(name="certification.remind_upcoming_events")
def remind_upcoming_events():
    return events.remind_upcoming()


@shared_task(name="certification.requeue_stale_record_books")
def requeue_stale_record_books():
    return record_book.requeue_stale()


@shared_task(
    name="certification.email_event_place",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
)
def email_event_place(sign_up_id):
    return events.email_place(sign_up_id=sign_up_id)


@shared_task(name="certification.requeue_place_emails")
def requeue_place_emails():
    return events.requeue_place_emails()


@shared_task(name="certification.reconcile_statistics")
def reconcile_statistics():
    """Recount the statistics page's running totals from the facts; repairs and logs any drift."""
    return aggregates.reconcile()


@shared_task(name="certification.fold_statistics")
def fold_statistics():
    """Sum the statistics' rows of each key into one, so the page sums few rows."""
    return aggregates.fold()
