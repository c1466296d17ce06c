"""Emails to holders: a certificate expires within 30 days."""

from datetime import timedelta

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..models import Certificate

EXPIRY_NOTICE = timedelta(days=30)


def remind_expiring(*, now=None) -> int:
    """Email holders whose certificate expires within 30 days, once per certificate."""
    now = now or timezone.now()
    due = Certificate.objects.filter(
        status=Certificate.Status.ISSUED,
        expires_at__gt=now,
        expires_at__lte=now + EXPIRY_NOTICE,
        expiry_reminder_sent_at__isnull=True,
    ).select_related("holder")
    n_sent = 0
    for certificate in due[:500]:
        holder = certificate.holder
        with translation.override(holder.preferred_language):
            context = {"certificate": certificate, "holder": holder, "title": certificate.title()}
            subject = render_to_string("certification/email/expiring_subject.txt", context).strip()
            body = render_to_string("certification/email/expiring_body.txt", context)
        send_mail(subject, body, None, [holder.email])
        Certificate.objects.filter(pk=certificate.pk).update(expiry_reminder_sent_at=now)
        n_sent += 1
    return n_sent
