"""The Komek user: logs in by email and carries the name exactly as certificates print it."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{6,19}$",
    _("Enter a phone number such as +7 701 123 45 67."),
)
latin_validator = RegexValidator(
    r"^[A-Za-z][A-Za-z .'\-]*$",
    _("Use Latin letters only, as in your passport."),
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    patronymic = models.CharField(
        _("patronymic"), max_length=150, blank=True, help_text=_("Leave blank if you have none.")
    )
    full_name_latin = models.CharField(
        _("full name in Latin letters"),
        max_length=300,
        blank=True,
        validators=[latin_validator],
        help_text=_("As in your passport, for certificates shown abroad."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    data_saver = models.BooleanField(
        _("Data saver: lowest video quality"),
        default=False,
        # Also in the database: rows written by SQL alone (bench data, imports) get it too.
        db_default=False,
        help_text=_("Lesson videos play at the lowest quality, to spend less mobile data."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        """The name as printed on certificates: family name, given name, patronymic."""
        parts = (self.last_name, self.first_name, self.patronymic)
        return " ".join(part.strip() for part in parts if part and part.strip())

    def get_short_name(self):
        return self.first_name
