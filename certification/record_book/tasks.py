"""The Celery task that renders a record book PDF: the "do" of decide → enqueue → do.

`services.request_pdf` enqueues it after commit; it runs `pipeline.render`, which is idempotent,
so it is acknowledged late and retried with backoff.
"""

from celery import shared_task

from . import pipeline


@shared_task(
    name="certification.render_record_book",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=7,
)
def render_record_book(self, pdf_id):
    try:
        pdf = pipeline.render(pdf_id=pdf_id)
    except Exception as error:
        pipeline.record_render_failure(pdf_id=pdf_id, error=error)
        raise
    return pdf.status
