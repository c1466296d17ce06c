"""Recertification: the reminders sent before a certificate expires, and which certificate renewed
which (passing the course again, or its refresher course)."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .certificates import Certificate


class ExpiryReminder(models.Model):
    """One reminder to a holder, `days_before` days before their certificate expires.

    The row is written before the email is sent, so the unique constraint lets one sweep send it,
    whatever restarts or concurrent workers; it is deleted again if the mail server refuses.
    """

    class DaysBefore(models.IntegerChoices):
        SIXTY = 60, _("60 days before")
        THIRTY = 30, _("30 days before")
        SEVEN = 7, _("7 days before")

    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        on_delete=models.CASCADE,
        related_name="expiry_reminders",
    )
    days_before = models.PositiveSmallIntegerField(_("days before expiry"), choices=DaysBefore)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="one_expiry_reminder_per_threshold"
            ),
            models.CheckConstraint(
                condition=Q(days_before__in=[60, 30, 7]), name="expiry_reminder_known_threshold"
            ),
        ]

    def __str__(self):
        return f"{self.certificate.public_code} · {self.days_before}"


class Renewal(models.Model):
    """An older certificate renewed by a newer one of the same course (or its refresher course):
    the old one's verify page points to the new one."""

    old = models.OneToOneField(
        Certificate,
        verbose_name=_("renewed certificate"),
        on_delete=models.CASCADE,
        related_name="renewal",
    )
    new = models.ForeignKey(
        Certificate,
        verbose_name=_("renewed by"),
        on_delete=models.CASCADE,
        related_name="renews",
    )
    renewed_at = models.DateTimeField(_("renewed"), default=timezone.now)

    class Meta:
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")
        constraints = [
            models.CheckConstraint(condition=~Q(old=F("new")), name="renewal_not_by_itself"),
        ]

    def __str__(self):
        return f"{self.old.public_code} → {self.new.public_code}"
