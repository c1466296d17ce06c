"""What a worker does to a pending certificate: render the PDF, sign the credential, mark it
issued. Idempotent, and never enqueues anything (that is `issuing`)."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Certificate
from .credentials import credential_jwt_for
from .issuer import issuer_settings
from .rendering import certificate_context, render_pdf


def render(*, certificate_id) -> Certificate:
    """Render the PDF and sign the credential of a pending certificate; a no-op otherwise."""
    certificate = Certificate.objects.select_related("holder", "direction", "level", "course").get(
        pk=certificate_id
    )
    if certificate.status != Certificate.Status.PENDING:
        return certificate
    Certificate.objects.filter(pk=certificate_id).update(
        n_render_attempts=F("n_render_attempts") + 1
    )
    settings_obj = issuer_settings()
    pdf = render_pdf(certificate_context(certificate, settings_obj=settings_obj))
    credential = credential_jwt_for(certificate, settings_obj=settings_obj)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.status != Certificate.Status.PENDING:
            return certificate  # finished by a concurrent delivery, or revoked meanwhile
        certificate.pdf.save(f"{certificate.public_code}.pdf", ContentFile(pdf), save=False)
        certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        certificate.credential_jwt = credential
        certificate.status = Certificate.Status.ISSUED
        certificate.rendered_at = timezone.now()
        certificate.last_error = ""
        certificate.save()
    return certificate


def record_render_failure(*, certificate_id, error):
    Certificate.objects.filter(pk=certificate_id).update(last_error=str(error)[:2000])
