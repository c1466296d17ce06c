"""Changes to a volunteer's record book: share links made and revoked, and PDFs asked for.

A PDF is decided here and enqueued after commit; a worker renders it (pipeline.py), and a
periodic sweep sends again any that were committed but never picked up.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.translation import current_language

from ..models import RecordBookPdf, RecordBookShare
from .tasks import render_record_book

logger = logging.getLogger(__name__)

# What a volunteer may choose for a link's lifetime (days); None never expires.
SHARE_LIFETIMES = (30, 90, 365, None)
MAX_ACTIVE_SHARES = 20
# A PDF still pending after this was never picked up (broker down, worker killed).
STALE_PENDING_AFTER = timedelta(minutes=3)


class RecordBookError(Exception):
    """A refused change, with a message to show the volunteer."""


@transaction.atomic
def create_share(*, volunteer, label="", valid_days=None, now=None) -> RecordBookShare:
    """A new link to the volunteer's record book, expiring after `valid_days` (or never)."""
    now = now or timezone.now()
    if valid_days not in SHARE_LIFETIMES:
        raise RecordBookError(_("Choose how long the link works."))
    # Serialises one volunteer's requests, so that the limit below holds under double clicks.
    type(volunteer).objects.select_for_update().filter(pk=volunteer.pk).first()
    active = RecordBookShare.objects.filter(volunteer=volunteer, revoked_at__isnull=True).exclude(
        expires_at__lte=now
    )
    if active.count() >= MAX_ACTIVE_SHARES:
        raise RecordBookError(
            _("You have %(n)d working links already. Revoke one you no longer need first.")
            % {"n": MAX_ACTIVE_SHARES}
        )
    return RecordBookShare.objects.create(
        volunteer=volunteer,
        label=label.strip()[:100],
        created_at=now,
        expires_at=now + timedelta(days=valid_days) if valid_days else None,
    )


def revoke_share(*, share, now=None) -> RecordBookShare:
    """Stop the link working, at once and for good; revoking twice changes nothing."""
    RecordBookShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )
    share.refresh_from_db()
    return share


def record_view(*, share, now=None):
    """Count an opening of the link (the volunteer sees how often it was opened)."""
    RecordBookShare.objects.filter(pk=share.pk).update(
        n_views=F("n_views") + 1, last_viewed_at=now or timezone.now()
    )


@transaction.atomic
def request_pdf(*, volunteer, share=None, language=None, now=None) -> RecordBookPdf:
    """A PDF of the record book as it stands, whose QR code opens `share`; without one, a new
    link that never expires is made for it (the volunteer can revoke it like any other)."""
    now = now or timezone.now()
    if share is None:
        share = create_share(volunteer=volunteer, label=_("PDF"), now=now)
    elif share.volunteer_id != volunteer.pk or not share.is_active:
        raise RecordBookError(_("This link no longer works: choose another one."))
    pdf = RecordBookPdf.objects.create(
        volunteer=volunteer,
        share=share,
        language=(language or current_language())[:10],
        requested_at=now,
    )
    enqueue_rendering(pdf.pk)
    return pdf


def enqueue_rendering(pdf_id):
    """Ask a worker to render once the transaction commits; if the broker is unreachable the
    PDF stays pending and the sweep sends it again."""

    def send():
        try:
            render_record_book.apply_async(args=[pdf_id])
        except Exception:
            logger.exception("Could not enqueue record book PDF %s; the sweep will retry", pdf_id)

    transaction.on_commit(send)


def requeue_stale(*, now=None) -> int:
    """Send again every PDF still pending after a few minutes (a worker gives up after
    pipeline.MAX_RENDER_ATTEMPTS and marks it failed)."""
    now = now or timezone.now()
    ids = list(
        RecordBookPdf.objects.filter(
            status=RecordBookPdf.Status.PENDING, requested_at__lt=now - STALE_PENDING_AFTER
        ).values_list("pk", flat=True)[:1000]
    )
    for pdf_id in ids:
        render_record_book.apply_async(args=[pdf_id])
    return len(ids)
