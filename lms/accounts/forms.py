"""Forms for learners' own accounts: sign-up and profile."""

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm

from .models import User

PROFILE_FIELDS = [
    "last_name",
    "first_name",
    "patronymic",
    "full_name_latin",
    "phone",
    "preferred_language",
]


class SignupForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", *PROFILE_FIELDS]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def _get_validation_exclusions(self):
        # Whether the address is taken is never said on the page (account enumeration):
        # lms.accounts.confirmation writes to the address instead.
        return {*super()._get_validation_exclusions(), "email"}


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = PROFILE_FIELDS
