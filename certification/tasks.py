"""Celery tasks of certification: thin, idempotent wrappers over services."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    name="certification.render_certificate",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def render_certificate(self, certificate_id):
    try:
        certificate = services.render(certificate_id=certificate_id)
    except Exception as error:
        services.record_render_failure(certificate_id=certificate_id, error=error)
        raise
    return certificate.status


@shared_task(name="certification.requeue_stale_certificates")
def requeue_stale_certificates():
    return services.requeue_stale()


@shared_task(name="certification.remind_expiring_certificates")
def remind_expiring_certificates():
    return services.remind_expiring()


@shared_task(name="certification.advance_time_served")
def advance_time_served():
    from . import volunteers

    return volunteers.advance_time_served()


@shared_task(name="certification.flush_verification_counts")
def flush_verification_counts():
    return services.flush_verification_counts()
