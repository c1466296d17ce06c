"""Forms a member fills in: the application to join and the log of practical hours."""

import io
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from lms.accounts.forms import PROFILE_FIELDS, SignupForm
from lms.accounts.models import User

from ..models import Branch, Direction, PracticalActivity

NAME_AND_PHONE = [field for field in PROFILE_FIELDS if field != "preferred_language"]
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# A small file can still hold a huge picture that every badge render would decode.
MAX_PHOTO_PIXELS = 4000 * 4000


class ApplicationForm(forms.Form):
    """What the movement needs to know about a new member, besides the account itself.

    The name and phone fields are the user model's own (labels, help, validators), as on the
    profile page; only the phone becomes required.
    """

    city = forms.CharField(label=_("City or town"), max_length=100)
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.all(),
        empty_label=_("Choose the nearest branch"),
        help_text=_("Its coordinators confirm your hours and approve your promotions."),
    )
    directions = forms.ModelMultipleChoiceField(
        label=_("Directions you are interested in"),
        queryset=Direction.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one direction.")},
    )
    motivation = forms.CharField(
        label=_("Why do you want to volunteer?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photo = forms.ImageField(
        label=_("Photo for the volunteer badge"),
        required=False,
        help_text=_("Optional. A passport-style photo, JPEG or PNG, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree to the processing of my personal data (name, contacts, photo, activity "
            "record) by the movement to keep my volunteer record and issue certificates, as the "
            "Law of the Republic of Kazakhstan “On personal data and their protection” requires."
        ),
        error_messages={"required": _("We cannot keep your record without your consent.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        account_fields = forms.fields_for_model(
            User, fields=NAME_AND_PHONE, widgets=SignupForm.Meta.widgets
        )
        account_fields["phone"].required = True
        # A model's validators run only in a ModelForm; this form checks them itself, so the
        # name and phone are refused here exactly as the profile refuses them.
        for name, field in account_fields.items():
            extra = [v for v in User._meta.get_field(name).validators if v not in field.validators]
            field.validators = [*field.validators, *extra]
        self.fields = {**account_fields, **self.fields}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo is larger than 5 MB."))
        image = getattr(photo, "image", None)
        if image is not None and image.format not in {"JPEG", "PNG"}:
            raise forms.ValidationError(_("Upload a JPEG or PNG photo."))
        if image is not None and image.width * image.height > MAX_PHOTO_PIXELS:
            raise forms.ValidationError(_("The photo is too large: at most 4000 × 4000 pixels."))
        return badge_photo(photo)


def badge_photo(upload):
    """The photo as the badge needs it: upright, at most 800 px, a plain JPEG without the
    camera's metadata (location included)."""
    with Image.open(upload) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    image.thumbnail((800, 800))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


class AccountForm(SignupForm):
    """Email and password for applicants without an account, filled in with the application."""

    class Meta(SignupForm.Meta):
        fields = ["email"]


class ActivityForm(forms.ModelForm):
    class Meta:
        model = PracticalActivity
        fields = ["date", "event", "direction", "hours", "note"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "hours": forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "24"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "event": _("For example: Almaty marathon, first-aid post 3."),
            "hours": _("In half hours, at most 24 a day."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["date"].widget.attrs.update(
            max=today.isoformat(), min=(today - timedelta(days=365)).isoformat()
        )
        self.fields["hours"].min_value = Decimal("0.5")

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and (hours * 2) % 1:
            raise forms.ValidationError(_("Give hours in halves: 1, 1.5, 2…"))
        return hours
