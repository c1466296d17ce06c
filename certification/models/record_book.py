"""The volunteer's record book (like DOBRO.RU's «личная книжка волонтёра»): the links a volunteer
shares it by, and the dated PDF snapshots a worker renders of it."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .certificates import certificate_storage
from .volunteers import Volunteer


def new_share_token():
    # 192 random bits: unguessable, so the token itself is the permission (like a calendar feed).
    # Kept as is, not hashed: the volunteer copies the link again later and the PDF prints it.
    return secrets.token_urlsafe(24)


class RecordBookShare(models.Model):
    """A link to a volunteer's record book that anyone holding it may open, until the volunteer
    revokes it or it expires."""

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="record_book_shares",
    )
    token = models.CharField(max_length=40, unique=True, default=new_share_token, editable=False)
    label = models.CharField(
        _("for whom"),
        max_length=100,
        blank=True,
        help_text=_("Only you see this, e.g. “University admissions”."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    n_views = models.PositiveIntegerField(_("views"), default=0, editable=False)
    last_viewed_at = models.DateTimeField(_("last opened"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("record book link")
        verbose_name_plural = _("record book links")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("created_at")),
                name="record_book_share_expires_after_creation",
            )
        ]
        indexes = [models.Index(fields=["volunteer", "revoked_at"])]

    def __str__(self):
        return f"{self.volunteer} · {self.label or f'{self.created_at:%Y-%m-%d}'}"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self):
        return not self.is_revoked and not self.is_expired


class RecordBookPdf(models.Model):
    """A PDF of the record book as it stood when it was made; its QR opens one share link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be made")

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="record_book_pdfs",
    )
    share = models.ForeignKey(
        RecordBookShare,
        verbose_name=_("link in the QR code"),
        on_delete=models.CASCADE,
        related_name="pdfs",
    )
    language = models.CharField(_("language"), max_length=10, default="ru")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    pdf = models.FileField(
        storage=certificate_storage, upload_to="record_books/%Y/%m", blank=True, editable=False
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    rendered_at = models.DateTimeField(_("made"), null=True, blank=True, editable=False)
    n_render_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("record book PDF")
        verbose_name_plural = _("record book PDFs")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["volunteer", "requested_at"]),
            models.Index(fields=["status", "requested_at"]),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.requested_at:%Y-%m-%d} · {self.get_status_display()}"
