"""What a worker does to a pending record book PDF: render the record as it stands now, store
the file, mark it ready. Idempotent, and never enqueues anything (that is `services`)."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from ..models import RecordBookPdf
from .rendering import render_pdf
from .selectors import record_book, share_path

MAX_RENDER_ATTEMPTS = 8


def render(*, pdf_id, now=None) -> RecordBookPdf:
    """Render a pending PDF; a no-op for one that is ready or failed."""
    pdf = RecordBookPdf.objects.select_related(
        "share", "volunteer__user", "volunteer__branch", "volunteer__level"
    ).get(pk=pdf_id)
    if pdf.status != RecordBookPdf.Status.PENDING:
        return pdf
    RecordBookPdf.objects.filter(pk=pdf_id).update(n_render_attempts=F("n_render_attempts") + 1)
    now = now or timezone.now()
    with translation.override(pdf.language):
        book = record_book(pdf.volunteer, now=now, language=pdf.language)
        share_url = settings.SITE_URL + share_path(pdf.share, pdf.language)
        content = render_pdf(book, share_url=share_url, language=pdf.language)
    with transaction.atomic():
        pdf = RecordBookPdf.objects.select_for_update().get(pk=pdf_id)
        if pdf.status != RecordBookPdf.Status.PENDING:
            return pdf  # finished by a concurrent delivery
        pdf.pdf.save(f"komek-record-book-{pdf.pk}.pdf", ContentFile(content), save=False)
        pdf.pdf_sha256 = hashlib.sha256(content).hexdigest()
        pdf.status = RecordBookPdf.Status.READY
        pdf.rendered_at = now
        pdf.last_error = ""
        pdf.save()
    return pdf


def record_render_failure(*, pdf_id, error):
    """Note the error; after the last attempt the page says the PDF could not be made."""
    RecordBookPdf.objects.filter(pk=pdf_id).update(last_error=str(error)[:2000])
    RecordBookPdf.objects.filter(
        pk=pdf_id,
        status=RecordBookPdf.Status.PENDING,
        n_render_attempts__gte=MAX_RENDER_ATTEMPTS,
    ).update(status=RecordBookPdf.Status.FAILED)
