"""The Celery task that renders a certificate: the "do" of decide → enqueue → do.

`issuing` enqueues it after commit; it runs `pipeline.render`, which is idempotent, so it is
acknowledged late and retried with backoff. The periodic sweeps are in certification/tasks.py.
"""

from celery import shared_task

from lms.celery import IDEMPOTENT_RETRIED

from . import pipeline


@shared_task(name="certification.render_certificate", max_retries=8, **IDEMPOTENT_RETRIED)
def render_certificate(self, certificate_id):
    try:
        certificate = pipeline.render(certificate_id=certificate_id)
    except Exception as error:
        pipeline.record_render_failure(certificate_id=certificate_id, error=error)
        raise
    return certificate.status
