"""Deciding that a certificate is earned, revoked or replaced, and asking a worker to render it.

Decide → enqueue → do: the services here create or change the certificate row in the caller's
transaction and enqueue `tasks.render_certificate` after commit; the worker runs `pipeline.render`,
which never enqueues. Duplicate deliveries, retries and the periodic sweep can never make a second
certificate or change a code (one certificate per earning event, by a unique constraint).
"""

import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Certificate
from ..recertification import services as recertification
from .tasks import render_certificate

logger = logging.getLogger(__name__)

# A pending certificate older than this was never picked up (broker down, worker killed).
STALE_PENDING_AFTER = timedelta(minutes=3)


class CertificateError(Exception):
    """A refused staff action, with a message to show."""


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
    letter=None,
    validity_months=None,
    now=None,
) -> Certificate:
    """The certificate for an earning event: created once, rendered by a worker after commit."""
    now = now or timezone.now()
    existing = (
        Certificate.objects.filter(source_key=source_key)
        .exclude(status=Certificate.Status.REPLACED)
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
                letter=letter,
                issued_at=now,
                expires_at=now + relativedelta(months=validity_months) if validity_months else None,
            )
            recertification.renew(certificate=certificate, now=now)
    except IntegrityError:
        # The same event was issued concurrently: the other transaction's certificate stands.
        return Certificate.objects.exclude(status=Certificate.Status.REPLACED).get(
            source_key=source_key
        )
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
        page.locale.language_code: page.title
        for page in course.get_translations(inclusive=True).select_related("locale")
    }
    language = course.locale.language_code
    return issue(
        kind=Certificate.Kind.COURSE,
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
    """Ask a worker to render once the transaction commits (never before: the worker would look
    for a row that is not there yet). If the broker is unreachable the
    certificate stays pending and the periodic sweep sends it again."""

    def send():
        try:
            render_certificate.apply_async(args=[certificate_id])
        except Exception:
            logger.exception(
                "Could not enqueue certificate %s; the sweep will retry", certificate_id
            )

    transaction.on_commit(send)


def requeue_stale(*, now=None) -> int:
    """Send again every certificate still pending after a few minutes. Nothing is lost."""
    now = now or timezone.now()
    stale = Certificate.objects.filter(
        status=Certificate.Status.PENDING, created_at__lt=now - STALE_PENDING_AFTER
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
    if certificate.status in {Certificate.Status.REVOKED, Certificate.Status.REPLACED}:
        raise CertificateError(_("This certificate is already revoked or replaced."))
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = now or timezone.now()
    certificate.revoked_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
    recertification.undo_renewals_by(certificate=certificate)
    return certificate


@transaction.atomic
def reissue(*, certificate: Certificate, now=None, **changes) -> Certificate:
    """A new certificate (new code, current name) for the same event; the old one points to it.

    `changes` are printed fields that differ on the new one, e.g. the level on a renewed badge.
    """
    old = Certificate.objects.select_for_update().select_related("holder").get(pk=certificate.pk)
    if old.status == Certificate.Status.REPLACED:
        raise CertificateError(_("This certificate has already been replaced."))
    old.status = Certificate.Status.REPLACED
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
        "letter": old.letter,
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
