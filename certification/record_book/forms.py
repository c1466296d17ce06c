"""The volunteer's forms on the record book page: a new share link, and a PDF."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.formatting import format_date

from ..models import RecordBookShare

NEVER = "never"


class ShareForm(forms.Form):
    label = forms.CharField(
        label=_("For whom (only you see this)"),
        max_length=100,
        required=False,
        help_text=_("For example: university admissions, an employer."),
    )
    lifetime = forms.ChoiceField(
        label=_("The link works for"),
        choices=[
            ("30", _("30 days")),
            ("90", _("90 days")),
            ("365", _("a year")),
            (NEVER, _("until I revoke it")),
        ],
        initial="90",
    )

    @property
    def valid_days(self):
        value = self.cleaned_data["lifetime"]
        return None if value == NEVER else int(value)


class PdfForm(forms.Form):
    share = forms.ModelChoiceField(
        label=_("The QR code on the PDF opens"),
        queryset=RecordBookShare.objects.none(),
        required=False,
        empty_label=_("a new link that works until I revoke it"),
    )

    def __init__(self, *args, shares, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share"].queryset = shares
        self.fields["share"].label_from_instance = share_label


def share_label(share):
    created = format_date(share.created_at)
    return f"{share.label} ({created})" if share.label else str(created)
