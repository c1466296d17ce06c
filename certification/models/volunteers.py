"""A member's record: the membership, practical hours, skill sign-offs, level awards and the
letters of appreciation coordinators send."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .certificates import certificate_storage
from .reference import Branch, Direction, Level, Skill


class Volunteer(models.Model):
    """A member of the movement: joined by application, belongs to a branch, climbs the levels."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="volunteer",
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT)
    directions = models.ManyToManyField(
        Direction, verbose_name=_("directions"), related_name="volunteers"
    )
    level = models.ForeignKey(Level, verbose_name=_("level"), on_delete=models.PROTECT)
    level_since = models.DateTimeField(_("at this level since"), default=timezone.now)
    city = models.CharField(_("city or town"), max_length=100, blank=True)
    motivation = models.TextField(_("why I want to volunteer"), blank=True)
    photo = models.ImageField(
        _("photo for the badge"),
        storage=certificate_storage,
        upload_to="volunteers/photos",
        blank=True,
        help_text=_("A passport-style photo, JPEG or PNG, up to 5 MB."),
    )
    consent_at = models.DateTimeField(_("consented to personal data processing"))
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        permissions = [
            ("coordinate_branch", _("Can coordinate the volunteers of their branch")),
            ("sign_off_skills", _("Can sign off volunteers' practical skills")),
        ]
        indexes = [
            models.Index(fields=["branch", "level"]),
            models.Index(fields=["level", "branch"]),
            models.Index(fields=["joined_at"]),
            models.Index(fields=["branch", "user"]),
        ]

    def __str__(self):
        return str(self.user)


class PracticalActivity(models.Model):
    """Hours a volunteer spent at an event, counted once a coordinator of their branch confirms."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")

    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    date = models.DateField(_("date"))
    event = models.CharField(_("event"), max_length=200)
    direction = models.ForeignKey(Direction, verbose_name=_("direction"), on_delete=models.PROTECT)
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("practical activity")
        verbose_name_plural = _("practical activities")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=Decimal("0.5"), hours__lte=24),
                name="activity_hours_in_a_day",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["volunteer", "status"]),
            models.Index(fields=["status", "date"]),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.event} · {self.hours}"


class SkillSignOff(models.Model):
    """An instructor's record that a volunteer showed a skill (or not yet)."""

    class Result(models.TextChoices):
        PASSED = "passed", _("passed")
        FAILED = "failed", _("not yet")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="sign_offs"
    )
    skill = models.ForeignKey(Skill, verbose_name=_("skill"), on_delete=models.PROTECT)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("skill sign-off")
        verbose_name_plural = _("skill sign-offs")
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["volunteer", "result"])]

    def __str__(self):
        return f"{self.volunteer} · {self.skill} · {self.get_result_display()}"


class LevelAward(models.Model):
    """A volunteer reaching a level, dated; waits for approval when the level requires it."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting", _("awaiting approval")
        AWARDED = "awarded", _("awarded")
        DECLINED = "declined", _("declined")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="awards"
    )
    level = models.ForeignKey(Level, verbose_name=_("level"), on_delete=models.PROTECT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    requested_at = models.DateTimeField(_("eligible since"), default=timezone.now)
    awarded_at = models.DateTimeField(_("awarded"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        verbose_name = _("level award")
        verbose_name_plural = _("level awards")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "level"],
                condition=~Q(status="declined"),
                name="one_award_per_level",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self):
        return f"{self.volunteer} → {self.level}"


class AppreciationLetter(models.Model):
    """A coordinator's thanks for an event; each chosen volunteer gets a certificate."""

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT)
    event = models.CharField(_("event"), max_length=200)
    event_date = models.DateField(_("event date"))
    text = models.TextField(
        _("words of thanks"),
        blank=True,
        help_text=_("Printed on the letter under the event's name."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("letter of appreciation")
        verbose_name_plural = _("letters of appreciation")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.event} ({self.event_date})"
