"""Forms for learners' own accounts: sign-up and profile."""

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

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
        fields = [*PROFILE_FIELDS, "data_saver"]


class ConfirmForm(forms.Form):
    """The password chosen when signing up, typed again to confirm the address: the link alone
    proves the address, not who chose the password."""

    password = forms.CharField(
        label=_("The password you chose when signing up"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _(
                    "This is not the password chosen in the latest sign-up with this address. "
                    "Sign up again to choose a new one."
                )
            )
        return password
