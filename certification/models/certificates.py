"""Certificates as facts (who earned what, when, whether it still stands), the issuer's settings
printed on them, and the private storage their PDFs and badge photos live in."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from lms.translation import current_language

from ..certificates.codes import new_code
from .reference import Branch, Direction, Level


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
    """Certificate PDFs: under private/ on the object storage when there is one (never a public
    object: the download view streams them), else in media/private/."""
    if settings.USES_OBJECT_STORAGE:
        from storages.backends.s3 import S3Storage

        return S3Storage(location="private", querystring_auth=True, custom_domain=None)
    return PrivateStorage()


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

    # A record, not content: Wagtail's reference index would grow by a row for each link on each
    # certificate (holder, course, level...) and a course's "usage" would list every graduate.
    # The links that matter for deleting are PROTECT foreign keys.
    wagtail_reference_index_ignore = True

    class Kind(models.TextChoices):
        COURSE = "course", _("Course certificate")
        LEVEL = "level", _("Level certificate")
        LETTER = "letter", _("Letter of appreciation")
        BADGE = "badge", _("Volunteer badge")

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        ISSUED = "issued", _("issued")
        REVOKED = "revoked", _("revoked")
        REPLACED = "replaced", _("replaced")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
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
    letter = models.ForeignKey(
        "certification.AppreciationLetter",
        verbose_name=_("letter of appreciation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        help_text=_("The letter this certificate was sent with; its holder is the recipient."),
    )
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
    # The certificate's position in the published status lists (W3C Bitstring Status List):
    # drawn at random, so a position says nothing of when it was issued or how many there are.
    status_index = models.PositiveIntegerField(null=True, blank=True, unique=True, editable=False)
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

    def save(self, *args, **kwargs):
        if self.status_index is None:
            from ..certificates.status_list import new_status_index

            self.status_index = new_status_index()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "status_index"}
        super().save(*args, **kwargs)

    def title(self, language=None):
        language = (language or current_language())[:2]
        return getattr(self, f"title_{language}", "") or self.title_ru

    @property
    def printed_languages(self):
        return [code for code in self.languages.split(",") if code]

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_suspended(self):
        """A badge stands for a member in good standing: it is paused while the holder's account
        is deactivated, and stands again when it is reactivated."""
        return self.kind == self.Kind.BADGE and not self.holder.is_active

    @property
    def verification_status(self):
        """What an employer sees: valid, expired, revoked, replaced, suspended or pending."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        if self.status == self.Status.REPLACED:
            return "replaced"
        if self.status == self.Status.PENDING:
            return "pending"
        if self.is_suspended:
            return "suspended"
        return "expired" if self.is_expired else "valid"

    @property
    def verify_url(self):
        return f"{settings.SITE_URL}/verify/{self.public_code}/"
