"""Certification: directions, branches, levels and their requirements, the volunteer's record
(practical hours, skill sign-offs, level awards) and the certificates volunteers earn."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from lms.translation import TranslatedName

from .codes import new_code


class PrivateStorage(FileSystemStorage):
    """media/private/: files only a permission-checked view serves, never the media URL."""

    @property
    def base_location(self):
        return Path(settings.MEDIA_ROOT) / "private"

    @property
    def location(self):
        return str(self.base_location.resolve())

    @property
    def base_url(self):
        return None


def certificate_storage():
    return PrivateStorage()


class Direction(TranslatedName):
    """An area of volunteering, e.g. first aid or blood donation."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name_ru"]
        verbose_name = _("direction")
        verbose_name_plural = _("directions")


class Branch(TranslatedName):
    """A regional branch of the movement, e.g. Almaty. Coordinators work within one."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    is_headquarters = models.BooleanField(
        _("headquarters"),
        default=False,
        help_text=_("Coordinators of the headquarters see and manage every branch."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("is_headquarters"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name_ru"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")


class Skill(TranslatedName):
    """A practical skill an instructor signs off, e.g. "CPR on a manikin"."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    direction = models.ForeignKey(
        Direction, verbose_name=_("direction"), null=True, blank=True, on_delete=models.SET_NULL
    )

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("direction"),
    ]

    class Meta:
        ordering = ["name_ru"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")


class Level(ClusterableModel, TranslatedName):
    """A step on the path newcomer → volunteer → senior volunteer → coordinator → instructor.

    What it takes to reach it is the list of its requirements (courses, hours, sign-offs), plus
    time spent at the previous level and, if set, a coordinator's approval.
    """

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("1 is the first level.")
    )
    min_months_at_previous = models.PositiveSmallIntegerField(
        _("months at the previous level"), default=0
    )
    requires_approval = models.BooleanField(
        _("a coordinator must approve"),
        default=False,
        help_text=_("Volunteers who meet every requirement wait in the approval queue."),
    )

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldRowPanel([FieldPanel("slug"), FieldPanel("rank")]),
        MultiFieldPanel(
            [FieldPanel("min_months_at_previous"), FieldPanel("requires_approval")],
            heading=_("Promotion"),
        ),
        InlinePanel("requirements", heading=_("Requirements"), label=_("requirement")),
    ]

    class Meta:
        ordering = ["rank"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")


class LevelRequirement(Orderable):
    """One thing a volunteer needs for a level: a passed course, confirmed hours or a sign-off."""

    COURSE = "course"
    HOURS = "hours"
    SKILL = "skill"
    KIND_CHOICES = [
        (COURSE, _("Course passed")),
        (HOURS, _("Confirmed practical hours")),
        (SKILL, _("Skill signed off")),
    ]

    level = ParentalKey(Level, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("kind"), max_length=10, choices=KIND_CHOICES)
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("A pass in any language version of the course counts."),
    )
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    direction = models.ForeignKey(
        Direction,
        verbose_name=_("in direction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Leave empty to count hours in every direction."),
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), null=True, blank=True, on_delete=models.CASCADE
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("course"),
        FieldRowPanel([FieldPanel("hours"), FieldPanel("direction")]),
        FieldPanel("skill"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="course", course__isnull=False)
                    | Q(kind="hours", hours__gt=0)
                    | Q(kind="skill", skill__isnull=False)
                ),
                name="requirement_names_its_target",
            )
        ]

    def clean(self):
        errors = {}
        if self.kind == self.COURSE and not self.course_id:
            errors["course"] = _("Choose the course to pass.")
        if self.kind == self.HOURS and not self.hours:
            errors["hours"] = _("Give the number of hours.")
        if self.kind == self.SKILL and not self.skill_id:
            errors["skill"] = _("Choose the skill.")
        if errors:
            raise ValidationError(errors)


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

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    STATUS_CHOICES = [
        (PENDING, _("awaiting confirmation")),
        (CONFIRMED, _("confirmed")),
        (REJECTED, _("rejected")),
    ]

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
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=PENDING)
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

    PASSED = "passed"
    FAILED = "failed"
    RESULT_CHOICES = [(PASSED, _("passed")), (FAILED, _("not yet"))]

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="sign_offs"
    )
    skill = models.ForeignKey(Skill, verbose_name=_("skill"), on_delete=models.PROTECT)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    result = models.CharField(_("result"), max_length=10, choices=RESULT_CHOICES)
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

    AWAITING_APPROVAL = "awaiting"
    AWARDED = "awarded"
    DECLINED = "declined"
    STATUS_CHOICES = [
        (AWAITING_APPROVAL, _("awaiting approval")),
        (AWARDED, _("awarded")),
        (DECLINED, _("declined")),
    ]

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="awards"
    )
    level = models.ForeignKey(Level, verbose_name=_("level"), on_delete=models.PROTECT)
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES)
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


@register_setting(icon="doc-full")
class CertificateSettings(BaseSiteSetting):
    """Who issues Komek certificates: printed on every PDF and in every signed credential."""

    organisation_ru = models.CharField(
        _("organisation (Russian)"), max_length=200, default="Движение медицинских волонтёров"
    )
    organisation_kk = models.CharField(
        _("organisation (Kazakh)"), max_length=200, default="Медициналық волонтерлер қозғалысы"
    )
    organisation_en = models.CharField(
        _("organisation (English)"), max_length=200, default="Medical Volunteers Movement"
    )
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)
    signer_title_ru = models.CharField(_("signer's title (Russian)"), max_length=200, blank=True)
    signer_title_kk = models.CharField(_("signer's title (Kazakh)"), max_length=200, blank=True)
    signer_title_en = models.CharField(_("signer's title (English)"), max_length=200, blank=True)
    signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("signature image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A scan of the signature on a transparent or white background."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldPanel("organisation_ru"),
        FieldPanel("organisation_kk"),
        FieldPanel("organisation_en"),
        FieldPanel("logo"),
        FieldPanel("signer_name"),
        FieldPanel("signer_title_ru"),
        FieldPanel("signer_title_kk"),
        FieldPanel("signer_title_en"),
        FieldPanel("signature"),
    ]

    class Meta:
        verbose_name = _("certificate settings")

    def organisation(self, language):
        return getattr(self, f"organisation_{language}", "") or self.organisation_ru

    def signer_title(self, language):
        return getattr(self, f"signer_title_{language}", "") or self.signer_title_ru


class Certificate(models.Model):
    """A certificate as a fact: who earned what, when, and whether it still stands.

    The PDF and the signed credential are renderings of this row, made by a Celery worker.
    """

    COURSE = "course"
    LEVEL = "level"
    LETTER = "letter"
    BADGE = "badge"
    KIND_CHOICES = [
        (COURSE, _("Course certificate")),
        (LEVEL, _("Level certificate")),
        (LETTER, _("Letter of appreciation")),
        (BADGE, _("Volunteer badge")),
    ]

    PENDING = "pending"
    ISSUED = "issued"
    REVOKED = "revoked"
    REPLACED = "replaced"
    STATUS_CHOICES = [
        (PENDING, _("being prepared")),
        (ISSUED, _("issued")),
        (REVOKED, _("revoked")),
        (REPLACED, _("replaced")),
    ]

    kind = models.CharField(_("kind"), max_length=10, choices=KIND_CHOICES)
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=PENDING)
    public_code = models.CharField(
        _("code"), max_length=16, unique=True, default=new_code, editable=False
    )
    # What earned it, e.g. "course:<enrolment id>": one certificate per earning event.
    source_key = models.CharField(max_length=100, editable=False)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # What is printed, frozen at issue: a later change of name or title needs a reissue.
    holder_name = models.CharField(_("holder's name"), max_length=300)
    holder_name_latin = models.CharField(
        _("holder's name in Latin letters"), max_length=300, blank=True
    )
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    languages = models.CharField(
        _("languages"),
        max_length=10,
        default="ru",
        help_text=_("Printed languages, e.g. “ru” or “kk,ru”."),
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    direction = models.ForeignKey(
        Direction, verbose_name=_("direction"), null=True, blank=True, on_delete=models.PROTECT
    )
    level = models.ForeignKey(
        Level, verbose_name=_("level"), null=True, blank=True, on_delete=models.PROTECT
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Printed under the title, e.g. a letter's words of thanks.
    text = models.TextField(_("text"), blank=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    pdf = models.FileField(
        storage=certificate_storage, upload_to="certificates/%Y/%m", blank=True, editable=False
    )
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    credential_jwt = models.TextField(blank=True, editable=False)
    rendered_at = models.DateTimeField(null=True, blank=True, editable=False)
    n_render_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    n_verifications = models.PositiveIntegerField(_("verifications"), default=0, editable=False)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~Q(status="replaced"),
                name="one_certificate_per_event",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["holder", "status"]),
            models.Index(fields=["expires_at"]),
            models.Index(fields=["branch", "issued_at"]),
        ]

    def __str__(self):
        return f"{self.public_code} · {self.title_ru} · {self.holder_name}"

    def title(self, language=None):
        language = (language or get_language() or "ru")[:2]
        return getattr(self, f"title_{language}", "") or self.title_ru

    @property
    def printed_languages(self):
        return [code for code in self.languages.split(",") if code]

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def verification_status(self):
        """What an employer sees: valid, expired, revoked, replaced or pending."""
        if self.status == self.REVOKED:
            return "revoked"
        if self.status == self.REPLACED:
            return "replaced"
        if self.status == self.PENDING:
            return "pending"
        return "expired" if self.is_expired else "valid"

    @property
    def verify_url(self):
        return f"{settings.SITE_URL}/verify/{self.public_code}/"
