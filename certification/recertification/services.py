"""Recertification's changes of state: reminding holders before their certificate expires, and
recording that a new certificate renews an older one."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation

from courses.models import CoursePage
from courses.selectors import one_version_each

from ..certificates import verification
from ..models import Certificate, ExpiryReminder, Renewal

logger = logging.getLogger(__name__)

# Days before expiry a holder is reminded, once each.
THRESHOLDS = tuple(sorted(ExpiryReminder.DaysBefore.values, reverse=True))  # (60, 30, 7)
# One sweep sends at most this many; the next sweep (beat, every few hours) takes the rest.
BATCH = 500


def due_reminders(now):
    """Issued certificates inside a reminder window whose current reminder is not yet sent,
    annotated with `threshold`: the smallest of 60, 30, 7 days that the time left fits in. A
    certificate first seen 20 days before expiry gets the 30-day reminder only: never two at
    once, and a missed one is not sent late."""
    threshold = Case(
        *(
            When(expires_at__lte=now + timedelta(days=days), then=Value(days))
            for days in sorted(THRESHOLDS)
        ),
        output_field=IntegerField(),
    )
    sent = ExpiryReminder.objects.filter(
        certificate=OuterRef("pk"), days_before=OuterRef("threshold")
    )
    return (
        Certificate.objects.filter(
            status=Certificate.Status.ISSUED,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=max(THRESHOLDS)),
            holder__is_active=True,
            renewal__isnull=True,  # already renewed: nothing to remind of
        )
        .annotate(threshold=threshold)
        .filter(~Exists(sent))
        .select_related("holder", "course")
        .order_by("expires_at", "pk")
    )


def remind_expiring(*, now=None) -> int:
    """Email holders 60, 30 and 7 days before their certificate expires, once each; returns how
    many were sent.

    Each reminder is claimed by writing its row first: the unique (certificate, days before)
    lets one sweep send it, whatever restarts or workers running at once. A mail server that
    refuses gives the claim back, so the next sweep tries again.
    """
    now = now or timezone.now()
    n_sent = 0
    for certificate in due_reminders(now)[:BATCH]:
        try:
            with transaction.atomic():
                reminder = ExpiryReminder.objects.create(
                    certificate=certificate, days_before=certificate.threshold, sent_at=now
                )
        except IntegrityError:
            continue  # another sweep claimed it
        try:
            email_reminder(certificate, now=now)
        except Exception:
            ExpiryReminder.objects.filter(pk=reminder.pk).delete()
            logger.exception("Could not send the expiry reminder of certificate %s", certificate.pk)
            continue
        n_sent += 1
    return n_sent


def refresher_of(course, *, language):
    """The course that renews a certificate of `course`: its refresher course, or the course
    itself when none is named; the live version in `language` where there is one."""
    if course is None:
        return None
    target = course.refresher_course or course
    versions = (
        CoursePage.objects.live()
        .filter(translation_key=target.translation_key)
        .select_related("locale")
        .order_by("path")
    )
    chosen = one_version_each(versions, language=language)
    return chosen[0] if chosen else None


def absolute_url(page):
    url = page.get_url()
    return f"{settings.SITE_URL}{url}" if url and url.startswith("/") else url


def email_reminder(certificate, *, now):
    holder = certificate.holder
    language = holder.preferred_language
    refresher = refresher_of(certificate.course, language=language)
    with translation.override(language):
        context = {
            "certificate": certificate,
            "holder": holder,
            "title": certificate.title(language),
            "days_left": max(
                1, (timezone.localdate(certificate.expires_at) - timezone.localdate(now)).days
            ),
            "refresher": refresher,
            "refresher_url": absolute_url(refresher) if refresher else None,
        }
        subject = render_to_string("certification/email/expiring_subject.txt", context).strip()
        body = render_to_string("certification/email/expiring_body.txt", context)
    send_mail(subject, body, None, [holder.email])


def renewable_by(certificate):
    """The holder's certificates a new one renews: those of the same course (any language
    version) or of a course whose refresher this one is, still issued (valid or expired)."""
    key = certificate.course.translation_key
    return (
        Certificate.objects.filter(
            holder_id=certificate.holder_id,
            kind=Certificate.Kind.COURSE,
            status=Certificate.Status.ISSUED,
            issued_at__lte=certificate.issued_at,
        )
        .filter(Q(course__translation_key=key) | Q(course__refresher_course__translation_key=key))
        .exclude(pk=certificate.pk)
    )


def renew(*, certificate, now=None) -> Renewal | None:
    """A new course certificate renews the holder's latest older one of the same course or of
    the course it refreshes: that one's verify page then says "renewed by" the new code.
    Called when a certificate is issued, in its transaction; None when it renews nothing."""
    if certificate.kind != Certificate.Kind.COURSE or certificate.course_id is None:
        return None
    old = renewable_by(certificate).order_by("-issued_at", "-pk").first()
    if old is None or Renewal.objects.filter(old=old).exists():
        return None
    try:
        with transaction.atomic():
            renewal = Renewal.objects.create(
                old=old, new=certificate, renewed_at=now or timezone.now()
            )
    except IntegrityError:
        return None  # renewed concurrently by another certificate
    transaction.on_commit(lambda: verification.forget_record(old.public_code))
    return renewal


def undo_renewals_by(*, certificate) -> int:
    """`certificate` was revoked: what it renewed stands unrenewed again (its verify page stops
    saying "renewed by", and its reminders go on)."""
    renewals = list(Renewal.objects.filter(new=certificate).select_related("old"))
    for renewal in renewals:
        code = renewal.old.public_code
        transaction.on_commit(lambda code=code: verification.forget_record(code))
    Renewal.objects.filter(pk__in=[renewal.pk for renewal in renewals]).delete()
    return len(renewals)
