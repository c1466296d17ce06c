"""Events and duty shifts a branch runs: who may sign up, who signed up or waits for a place,
who came (checked in and out) and the practical hours their attendance became."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reference import Branch, Direction, Level, Skill
from .volunteers import PracticalActivity, Volunteer


class Event(models.Model):
    """A duty shift, training, action, lecture or hospice visit of one branch."""

    class Kind(models.TextChoices):
        DUTY_SHIFT = "duty", _("Duty shift")
        TRAINING = "training", _("Training")
        ACTION = "action", _("Action")
        LECTURE = "lecture", _("Lecture")
        HOSPICE_VISIT = "hospice", _("Hospice visit")

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="events"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    direction = models.ForeignKey(Direction, verbose_name=_("direction"), on_delete=models.PROTECT)
    place = models.CharField(_("place"), max_length=300)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(
        _("places"), help_text=_("How many volunteers the event needs in all.")
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The sweep after the end: open check-ins closed at the end, no-shows recorded.
    closed_at = models.DateTimeField(_("attendance closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="event_has_places"),
        ]
        indexes = [
            models.Index(fields=["branch", "starts_at"]),
            models.Index(fields=["closed_at", "ends_at"]),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d})"


class EventRole(models.Model):
    """A post at an event with its own places, e.g. two first-aid posts and six stewards."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(_("role"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("places"))

    class Meta:
        verbose_name = _("role at an event")
        verbose_name_plural = _("roles at an event")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="one_role_name_per_event"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="event_role_has_places"),
        ]

    def __str__(self):
        return self.name


class EventRequirement(models.Model):
    """What a volunteer needs to sign up: the same kinds of things the ladder asks for."""

    class Kind(models.TextChoices):
        LEVEL = "level", _("Level reached")
        COURSE = "course", _("Course passed")
        CERTIFICATE = "certificate", _("Valid course certificate")
        SKILL = "skill", _("Skill signed off")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    level = models.ForeignKey(
        Level, verbose_name=_("level"), null=True, blank=True, on_delete=models.PROTECT
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A pass (or certificate) in any language version of the course counts."),
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("requirement to sign up")
        verbose_name_plural = _("requirements to sign up")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="level", level__isnull=False)
                    | Q(kind__in=["course", "certificate"], course__isnull=False)
                    | Q(kind="skill", skill__isnull=False)
                ),
                name="event_requirement_names_its_target",
            )
        ]

    def __str__(self):
        return f"{self.event} · {self.get_kind_display()}"


class SignUp(models.Model):
    """A volunteer's place at an event, or their turn on its waitlist."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("signed up")
        WAITLISTED = "waitlisted", _("on the waitlist")
        CANCELLED = "cancelled", _("cancelled")
        NO_SHOW = "no_show", _("did not come")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sign_ups")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="sign_ups"
    )
    role = models.ForeignKey(
        EventRole, verbose_name=_("role"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # The waitlist's order: when the volunteer joined it (promotion keeps the first in line).
    queued_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Taken off the waitlist by a freed place, and when the email saying so went out.
    promoted_at = models.DateTimeField(null=True, blank=True)
    place_emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "volunteer"],
                condition=~Q(status="cancelled"),
                name="one_sign_up_per_event",
            )
        ]
        indexes = [
            models.Index(fields=["event", "status", "queued_at"]),
            models.Index(fields=["volunteer", "status"]),
            models.Index(fields=["status", "reminder_sent_at"]),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.event} · {self.get_status_display()}"


class Attendance(models.Model):
    """A signed-up volunteer at the event: when they checked in and out, and how; the hours it
    became (pending until a coordinator confirms the event)."""

    class Method(models.TextChoices):
        QR = "qr", _("scanned the event's code")
        BADGE = "badge", _("badge scanned")
        BY_HAND = "hand", _("ticked by hand")

    sign_up = models.OneToOneField(SignUp, on_delete=models.CASCADE, related_name="attendance")
    checked_in_at = models.DateTimeField(_("checked in"))
    check_in_method = models.CharField(max_length=5, choices=Method.choices)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    check_out_method = models.CharField(max_length=5, choices=Method.choices, blank=True)
    # The code's time slot each direction was scanned with: the same code twice is a replay.
    check_in_slot = models.BigIntegerField(null=True, blank=True)
    check_out_slot = models.BigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The coordinator who scanned a badge or ticked the name; empty for a scan."),
    )
    activity = models.OneToOneField(
        PracticalActivity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attendance",
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
                name="check_out_after_check_in",
            )
        ]

    def __str__(self):
        return f"{self.sign_up} · {timezone.localtime(self.checked_in_at):%H:%M}"


def new_feed_token():
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A volunteer's personal iCalendar address: a secret token a calendar app subscribes to."""

    volunteer = models.OneToOneField(Volunteer, on_delete=models.CASCADE, related_name="calendar")
    token = models.CharField(max_length=40, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.volunteer)
