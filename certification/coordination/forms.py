"""Forms of the coordinators' area: list filters, queue decisions, letters and skill sign-offs.

Choices that name people or branches are limited to the coordinator's scope, so a forged id
fails validation like any other wrong value.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage
from lms.translation import current_language

from ..models import Direction, Level, Skill, SkillSignOff
from ..recertification import selectors as recertification
from . import selectors

DATE_WIDGET = {"type": "date"}
MAX_STATISTICS_DAYS = 366 * 5


def date_input(**attrs):
    return forms.DateInput(attrs={**DATE_WIDGET, **attrs}, format="%Y-%m-%d")


def course_choices():
    """One choice per course, whatever its language versions: the version in the reader's
    language, else the Russian one, else any."""
    language = current_language()
    chosen = {}
    for pk, key, code, title in CoursePage.objects.live().values_list(
        "pk", "translation_key", "locale__language_code", "title"
    ):
        rank = 0 if code == language else 1 if code == "ru" else 2
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, str(pk), title)
    return sorted(((pk, title) for _rank, pk, title in chosen.values()), key=lambda c: c[1])


class BranchChoiceMixin:
    """Adds a branch filter for coordinators who see more than one branch (headquarters)."""

    def add_branch_field(self, scope):
        if scope.sees_all:
            self.fields["branch"] = forms.ModelChoiceField(
                label=_("Branch"),
                queryset=scope.branches().order_by("sort_order", "name_ru"),
                required=False,
                empty_label=_("All branches"),
                to_field_name="slug",
            )

    def narrowed_scope(self, scope):
        if not self.is_bound or not self.is_valid():
            return scope
        return scope.narrowed_to(self.cleaned_data.get("branch"))


class VolunteerFilterForm(BranchChoiceMixin, forms.Form):
    q = forms.CharField(
        label=_("Name, email or phone"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    level = forms.ModelChoiceField(
        label=_("Level"),
        queryset=Level.objects.order_by("rank"),
        required=False,
        empty_label=_("Any level"),
        to_field_name="slug",
    )
    direction = forms.ModelChoiceField(
        label=_("Direction"),
        queryset=Direction.objects.order_by("sort_order", "name_ru"),
        required=False,
        empty_label=_("Any direction"),
        to_field_name="slug",
    )
    course = forms.ChoiceField(label=_("Course"), required=False)
    course_status = forms.ChoiceField(
        label=_("Course status"),
        required=False,
        choices=[
            (selectors.COMPLETED, _("has completed it")),
            (selectors.IN_PROGRESS, _("is enrolled, not finished yet")),
            (selectors.NOT_ENROLLED, _("has not enrolled")),
        ],
    )

    certificates = forms.ChoiceField(
        label=_("Certificates"),
        required=False,
        choices=[
            ("", _("Any certificates")),
            (recertification.LAPSING, _("a certificate expired or expiring")),
            (recertification.EXPIRED, _("a certificate expired")),
        ],
        help_text=_("Certificates of the courses a level asks for."),
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_branch_field(scope)
        self.fields["course"].choices = [
            ("", _("Any course")),
            (selectors.NEWCOMER_COURSE, _("The newcomer course")),
            *course_choices(),
        ]
        self.fields["course"].help_text = _("A course passed in any language counts.")

    def clean_course(self):
        value = self.cleaned_data.get("course")
        if not value or value == selectors.NEWCOMER_COURSE:
            return value or None
        return CoursePage.objects.get(pk=int(value))

    def filters(self):
        """Keyword arguments for selectors.volunteer_list (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"].strip(),
            "level": data["level"],
            "direction": data["direction"],
            "course": data["course"],
            "course_status": data["course_status"] or selectors.COMPLETED,
            "certificates": data["certificates"] or None,
        }


class BranchFilterForm(BranchChoiceMixin, forms.Form):
    """The queues' only filter: which branch, for headquarters."""

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_branch_field(scope)


class ReviewActivityForm(forms.Form):
    CONFIRM = "confirm"
    REJECT = "reject"

    action = forms.ChoiceField(choices=[(CONFIRM, _("Confirm")), (REJECT, _("Reject"))])
    reason = forms.CharField(label=_("Reason for rejecting"), required=False, max_length=1000)


class BulkConfirmForm(forms.Form):
    activities = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the activities to confirm.")},
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = selectors.pending_activities(scope)


class DecideAwardForm(forms.Form):
    APPROVE = "approve"
    DECLINE = "decline"

    action = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (DECLINE, _("Decline"))])
    reason = forms.CharField(label=_("Reason for declining"), required=False, max_length=1000)


class LetterRecipientsFilterForm(BranchChoiceMixin, forms.Form):
    """Narrows the checkboxes on the letters page; never decides who receives a letter."""

    q = VolunteerFilterForm.base_fields["q"]
    level = VolunteerFilterForm.base_fields["level"]
    direction = VolunteerFilterForm.base_fields["direction"]

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_branch_field(scope)

    def filters(self):
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"query": data["q"].strip(), "level": data["level"], "direction": data["direction"]}


class LetterForm(forms.Form):
    event = forms.CharField(
        label=_("Event"),
        max_length=200,
        help_text=_("As it will be printed, e.g. “Almaty marathon 2026, first-aid posts”."),
    )
    event_date = forms.DateField(label=_("Event date"), widget=date_input())
    text = forms.CharField(
        label=_("Words of thanks"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on each letter under the event's name."),
    )
    volunteers = forms.ModelMultipleChoiceField(
        label=_("Volunteers"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one volunteer.")},
    )

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        # Any volunteer of the scope is a valid choice; the page shows a filtered few.
        self.fields["volunteers"].queryset = scope.volunteers().select_related("user", "branch")
        if scope.sees_all:
            self.fields["branch"] = forms.ModelChoiceField(
                label=_("Letter from the branch"),
                queryset=scope.branches().order_by("sort_order", "name_ru"),
                to_field_name="slug",
                initial=scope.own_branch.slug if scope.own_branch else None,
                help_text=_("The headquarters may thank volunteers of any branch."),
            )
        self.fields["event_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_event(self):
        return self.cleaned_data["event"].strip()

    def clean_event_date(self):
        event_date = self.cleaned_data["event_date"]
        if event_date > timezone.localdate():
            raise forms.ValidationError(_("Thank volunteers after the event: the date is ahead."))
        return event_date

    def letter_branch(self):
        return self.cleaned_data.get("branch") or self.scope.own_branch


class MemberSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, email or phone"),
        min_length=2,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class SignOffForm(forms.Form):
    skill = forms.ModelChoiceField(
        label=_("Skill"),
        queryset=Skill.objects.order_by("name_ru"),
        empty_label=_("Choose the skill"),
    )
    date = forms.DateField(label=_("Date"), widget=date_input())
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("E.g. “Training centre, Abay st. 10”.")
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=SkillSignOff.Result.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["date"].initial = today
        self.fields["date"].widget.attrs["max"] = today.isoformat()

    def clean_place(self):
        place = self.cleaned_data["place"].strip()
        if not place:
            raise forms.ValidationError(_("Say where the skill was shown."))
        return place


class StatisticsFilterForm(BranchChoiceMixin, forms.Form):
    start = forms.DateField(label=_("Period from"), required=False, widget=date_input())
    end = forms.DateField(label=_("Period to"), required=False, widget=date_input())

    def __init__(self, *args, scope, default_period, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_branch_field(scope)
        self.default_period = default_period
        self.fields["start"].initial, self.fields["end"].initial = default_period

    def clean(self):
        data = super().clean()
        start = data.get("start") or self.default_period[0]
        end = data.get("end") or self.default_period[1]
        if start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        if (end - start) > datetime.timedelta(days=MAX_STATISTICS_DAYS):
            raise forms.ValidationError(_("Choose a period of at most five years."))
        data["start"], data["end"] = start, end
        return data

    def period(self):
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default_period
