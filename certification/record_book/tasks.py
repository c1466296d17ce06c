"""The Celery task that renders a record book PDF: the "do" of decide → enqueue → do.

`services.request_pdf` enqueues it after commit; it runs `pipeline.render`, which is idempotent,
so it is acknowledged late and retried with backoff.
"""

from celery import shared_task

from lms.celery import IDEMPOTENT_RETRIED

from . import pipeline


@shared_task(name="certification.render_record_book", max_retries=7, **IDEMPOTENT_RETRIED)
def render_record_book(self, pdf_id):
    try:
        pdf = pipeline.render(pdf_id=pdf_id)
    except Exception as error:
        pipeline.record_render_failure(pdf_id=pdf_id, error=error)
        raise
    return pdf.status
