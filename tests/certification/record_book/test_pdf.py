"""The record book PDF: the Celery task makes it with the holder's name, the date it was made and
a QR code that scans to the share page; rendering is idempotent and failures end in "failed"."""

from datetime import UTC, datetime, timedelta

import pikepdf
import pypdfium2
import pytest
from django.conf import settings
from django.utils import timezone

from certification.models import RecordBookPdf
from certification.record_book import pipeline, services
from certification.record_book.tasks import render_record_book
from tests.certification.certificates.test_rendering import decoded_qr

from .conftest import HOLDER_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_pdf(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return services.request_pdf(volunteer=member, language="kk")


def pdf_text(content):
    document = pypdfium2.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_the_task_makes_a_pdf_with_the_holders_name_and_a_qr_code_to_the_share_page(
    pending_pdf,
):
    result = render_record_book.apply(args=[pending_pdf.pk])

    pdf = RecordBookPdf.objects.get(pk=pending_pdf.pk)
    content = pdf.pdf.open("rb").read()
    assert result.get() == "ready"
    assert content.startswith(b"%PDF")
    assert HOLDER_NAME in pdf_text(content)
    share_page = f"{settings.SITE_URL}/kk/record-book/{pdf.share.token}/"
    assert decoded_qr(content, scale=3) == share_page
    assert len(pdf.pdf_sha256) == 64


def test_the_pdf_says_the_date_it_was_made(pending_pdf):
    made = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)

    pdf = pipeline.render(pdf_id=pending_pdf.pk, now=made)

    text = pdf_text(pdf.pdf.open("rb").read())
    assert pdf.rendered_at == made
    assert "2026\xa0ж. 30 қараша" in text  # in Kazakh, the language it was asked in


def test_the_pdf_lists_the_record(full_record, pending_pdf):
    pdf = pipeline.render(pdf_id=pending_pdf.pk)

    text = pdf_text(pdf.pdf.open("rb").read())
    assert full_record["certificate"].public_code in text
    assert "Алматы марафоны" in text
    assert "Pending shift" not in text


def test_the_pdf_embeds_the_shipped_fonts(pending_pdf):
    pdf = pipeline.render(pdf_id=pending_pdf.pk)

    with pikepdf.open(pdf.pdf.open("rb")) as document:
        fonts = {
            str(font.BaseFont).split("+")[-1]
            for page in document.pages
            for font in page.Resources.Font.values()
        }
    assert fonts <= {"Komek-Sans", "Komek-Sans-Bold", "Komek-Serif-Bold"}, fonts


def test_rendering_a_ready_pdf_again_changes_nothing(pending_pdf):
    first = pipeline.render(pdf_id=pending_pdf.pk)

    again = pipeline.render(pdf_id=pending_pdf.pk)

    assert (again.pdf.name, again.pdf_sha256, again.n_render_attempts) == (
        first.pdf.name,
        first.pdf_sha256,
        1,
    )


def test_the_last_failed_attempt_marks_the_pdf_failed_and_the_page_says_so(
    pending_pdf, client, member
):
    RecordBookPdf.objects.filter(pk=pending_pdf.pk).update(
        n_render_attempts=pipeline.MAX_RENDER_ATTEMPTS - 1
    )
    pipeline.record_render_failure(pdf_id=pending_pdf.pk, error=RuntimeError("font"))
    assert RecordBookPdf.objects.get(pk=pending_pdf.pk).status == "pending"
    RecordBookPdf.objects.filter(pk=pending_pdf.pk).update(
        n_render_attempts=pipeline.MAX_RENDER_ATTEMPTS
    )

    pipeline.record_render_failure(pdf_id=pending_pdf.pk, error=RuntimeError("font"))

    pdf = RecordBookPdf.objects.get(pk=pending_pdf.pk)
    assert (pdf.status, pdf.last_error) == ("failed", "font")
    client.force_login(member.user)
    page = client.get("/en/volunteer/record-book/").content.decode()
    assert "could not be made" in page


def test_pdfs_left_pending_are_sent_again_by_the_sweep(pending_pdf, monkeypatch):
    sent = []
    monkeypatch.setattr(render_record_book, "apply_async", lambda args: sent.append(args))

    assert services.requeue_stale() == 0
    n = services.requeue_stale(now=timezone.now() + timedelta(minutes=5))

    assert (n, sent) == (1, [[pending_pdf.pk]])
