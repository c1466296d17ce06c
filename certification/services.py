"""Issuing, rendering, revoking and reissuing certificates.

A certificate row is created (pending) in the same transaction as the event that earns it;
rendering runs in a Celery worker after commit and is idempotent, so duplicate deliveries,
retries and the periodic sweep can never make a second certificate or change a code.
"""

import calendar
import hashlib
import logging
from datetime import timedelta

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from . import verification
from .models import Certificate, CertificateSettings

logger = logging.getLogger(__name__)

# A pending certificate older than this was never picked up (broker down, worker killed).
STALE_PENDING_AFTER = timedelta(minutes=3)
EXPIRY_NOTICE = timedelta(days=30)


class CertificateError(Exception):
    """A refused staff action, with a message to show."""


def issuer_settings():
    site = Site.objects.filter(is_default_site=True).first()
    return CertificateSettings.for_site(site) if site else CertificateSettings()


ISSUER_NAME_KEY = "certification:issuer-name:{language}"


def issuer_name(language):
    """The organisation's name, cached: it is on every verification page."""
    key = ISSUER_NAME_KEY.format(language=language)
    name = cache.get(key)
    if name is None:
        name = issuer_settings().organisation(language)
        cache.set(key, name, 300)
    return name


def forget_issuer_name():
    cache.delete_many([ISSUER_NAME_KEY.format(language=code) for code in ("ru", "kk", "en")])


def add_months(moment, months):
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def issue(
    *,
    kind,
    holder,
    source_key,
    title_ru,
    title_kk="",
    title_en="",
    languages="ru",
    course=None,
    direction=None,
    level=None,
    branch=None,
    text="",
    validity_months=None,
    now=None,
) -> Certificate:
    """The certificate for an earning event: created once, rendered by a worker after commit."""
    now = now or timezone.now()
    existing = (
        Certificate.objects.filter(source_key=source_key)
        .exclude(status=Certificate.REPLACED)
        .first()
    )
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                kind=kind,
                holder=holder,
                source_key=source_key,
                holder_name=holder.get_full_name() or holder.email,
                holder_name_latin=holder.full_name_latin,
                title_ru=title_ru,
                title_kk=title_kk,
                title_en=title_en,
                languages=languages,
                course=course,
                direction=direction,
                level=level,
                branch=branch,
                text=text,
                issued_at=now,
                expires_at=add_months(now, validity_months) if validity_months else None,
            )
    except IntegrityError:
        # The same event was issued concurrently: the other transaction's certificate stands.
        return Certificate.objects.exclude(status=Certificate.REPLACED).get(source_key=source_key)
    enqueue_rendering(certificate.pk)
    return certificate


def volunteer_branch(user):
    """The branch printed on a member's certificates; None for learners who never joined."""
    volunteer = getattr(user, "volunteer", None)  # a missing profile raises AttributeError
    return volunteer.branch if volunteer is not None else None


def issue_for_course(*, enrolment) -> Certificate | None:
    course = enrolment.course.specific
    if not course.issues_certificate:
        return None
    translations = {
        page.locale.language_code: page.title for page in course.get_translations(inclusive=True)
    }
    language = course.locale.language_code
    return issue(
        kind=Certificate.COURSE,
        holder=enrolment.user,
        source_key=f"course:{enrolment.pk}",
        title_ru=translations.get("ru", course.title),
        title_kk=translations.get("kk", ""),
        title_en=translations.get("en", ""),
        languages="kk,ru" if language == "kk" else language,
        course=course,
        direction=course.direction,
        level=course.target_level,
        branch=volunteer_branch(enrolment.user),
        validity_months=course.certificate_validity_months,
        now=enrolment.completed_at,
    )


def enqueue_rendering(certificate_id):
    """Ask a worker to render once the transaction commits. If the broker is unreachable the
    certificate stays pending and the periodic sweep sends it again."""

    def send():
        from .tasks import render_certificate

        try:
            render_certificate.apply_async(args=[certificate_id])
        except Exception:
            logger.exception(
                "Could not enqueue certificate %s; the sweep will retry", certificate_id
            )

    transaction.on_commit(send)


def render(*, certificate_id) -> Certificate:
    """Render the PDF and sign the credential of a pending certificate; a no-op otherwise."""
    from .credentials import credential_jwt_for
    from .rendering import certificate_context, render_pdf

    certificate = Certificate.objects.select_related("holder", "direction", "level", "course").get(
        pk=certificate_id
    )
    if certificate.status != Certificate.PENDING:
        return certificate
    Certificate.objects.filter(pk=certificate_id).update(
        n_render_attempts=F("n_render_attempts") + 1
    )
    settings_obj = issuer_settings()
    pdf = render_pdf(certificate_context(certificate, settings_obj=settings_obj))
    credential = credential_jwt_for(certificate, settings_obj=settings_obj)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.status != Certificate.PENDING:
            return certificate  # finished by a concurrent delivery, or revoked meanwhile
        certificate.pdf.save(f"{certificate.public_code}.pdf", ContentFile(pdf), save=False)
        certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        certificate.credential_jwt = credential
        certificate.status = Certificate.ISSUED
        certificate.rendered_at = timezone.now()
        certificate.last_error = ""
        certificate.save()
    return certificate


def record_render_failure(*, certificate_id, error):
    Certificate.objects.filter(pk=certificate_id).update(last_error=str(error)[:2000])


def requeue_stale(*, now=None) -> int:
    """Send again every certificate still pending after a few minutes. Nothing is lost."""
    now = now or timezone.now()
    stale = Certificate.objects.filter(
        status=Certificate.PENDING, created_at__lt=now - STALE_PENDING_AFTER
    )
    ids = list(stale.values_list("pk", flat=True)[:1000])
    for certificate_id in ids:
        enqueue_rendering(certificate_id)
    return len(ids)


@transaction.atomic
def revoke(*, certificate: Certificate, reason: str, now=None) -> Certificate:
    reason = reason.strip()
    if not reason:
        raise CertificateError(_("Give the reason for revoking: the verification page shows it."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status in {Certificate.REVOKED, Certificate.REPLACED}:
        raise CertificateError(_("This certificate is already revoked or replaced."))
    certificate.status = Certificate.REVOKED
    certificate.revoked_at = now or timezone.now()
    certificate.revoked_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
    return certificate


@transaction.atomic
def reissue(*, certificate: Certificate, now=None, **changes) -> Certificate:
    """A new certificate (new code, current name) for the same event; the old one points to it.

    `changes` are printed fields that differ on the new one, e.g. the level on a renewed badge.
    """
    old = Certificate.objects.select_for_update().select_related("holder").get(pk=certificate.pk)
    if old.status == Certificate.REPLACED:
        raise CertificateError(_("This certificate has already been replaced."))
    old.status = Certificate.REPLACED
    old.save(update_fields=["status"])
    holder = old.holder
    fields = {
        "title_ru": old.title_ru,
        "title_kk": old.title_kk,
        "title_en": old.title_en,
        "languages": old.languages,
        "course": old.course,
        "direction": old.direction,
        "level": old.level,
        "branch": old.branch,
        "text": old.text,
        "expires_at": old.expires_at,
    }
    new = Certificate.objects.create(
        kind=old.kind,
        holder=holder,
        source_key=old.source_key,
        holder_name=holder.get_full_name() or holder.email,
        holder_name_latin=holder.full_name_latin,
        issued_at=now or timezone.now(),
        **{**fields, **changes},
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    enqueue_rendering(new.pk)
    return new


def record_verification(*, code):
    """Count one verification of the certificate with this canonical code. Counts reach
    `n_verifications` in batches (flush_verification_counts): verification stays one cache
    round trip, with no database write."""
    if verification.count(code):
        flush_verification_counts()


def flush_verification_counts() -> int:
    """Add the verifications counted since the last flush to each certificate's n_verifications;
    returns how many were added."""
    with verification.counts_to_store() as counts, transaction.atomic():
        for code, n in sorted(counts.items()):
            Certificate.objects.filter(public_code=code).update(
                n_verifications=F("n_verifications") + n
            )
    return sum(counts.values())


def remind_expiring(*, now=None) -> int:
    """Email holders whose certificate expires within 30 days, once per certificate."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    now = now or timezone.now()
    due = Certificate.objects.filter(
        status=Certificate.ISSUED,
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
