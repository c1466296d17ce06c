"""Forms of events: the coordinator's event with its roles and requirements, a volunteer's
choice of role, and the badge code a coordinator scans or types."""

from urllib.parse import urlsplit

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage

from ..certificates import codes
from ..coordination.forms import course_choices
from ..models import Event, EventRequirement, EventRole

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "branch",
            "title",
            "kind",
            "direction",
            "place",
            "starts_at",
            "ends_at",
            "capacity",
            "description",
        ]
        widgets = {
            "starts_at": datetime_input(),
            "ends_at": datetime_input(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT]
        self.fields["capacity"].widget.attrs["min"] = 1
        if scope.sees_all:
            self.fields["branch"].queryset = scope.branches()
        else:
            # A branch's coordinator creates events of their own branch only.
            del self.fields["branch"]
            self.instance.branch = scope.own_branch

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity < 1:
            raise forms.ValidationError(_("An event needs at least one place."))
        return capacity

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return cleaned


class RoleForm(forms.ModelForm):
    class Meta:
        model = EventRole
        fields = ["name", "capacity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].widget.attrs["min"] = 1

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity is not None and capacity < 1:
            raise forms.ValidationError(_("A role needs at least one place."))
        return capacity


class RequirementForm(forms.ModelForm):
    class Meta:
        model = EventRequirement
        fields = ["kind", "level", "course", "skill"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One choice per course, whatever its language versions.
        self.fields["course"].queryset = CoursePage.objects.filter(
            pk__in=[pk for pk, _title in course_choices()]
        )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        target = {
            EventRequirement.Kind.LEVEL: "level",
            EventRequirement.Kind.COURSE: "course",
            EventRequirement.Kind.CERTIFICATE: "course",
            EventRequirement.Kind.SKILL: "skill",
        }.get(kind)
        if target and not cleaned.get(target):
            messages = {
                "level": _("Choose the level."),
                "course": _("Choose the course."),
                "skill": _("Choose the skill."),
            }
            self.add_error(target, messages[target])
        return cleaned


class BaseRoleFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            role = form.instance
            if role.pk and role.signup_set.exists():
                # Sign-ups keep their role, cancelled ones too: the record says who stood where.
                raise forms.ValidationError(
                    _("Volunteers signed up for the role “%(role)s”: it cannot be removed.")
                    % {"role": role.name}
                )


RoleFormSet = inlineformset_factory(
    Event,
    EventRole,
    form=RoleForm,
    formset=BaseRoleFormSet,
    extra=2,
    can_delete=True,
    max_num=20,
)
RequirementFormSet = inlineformset_factory(
    Event, EventRequirement, form=RequirementForm, extra=1, can_delete=True, max_num=10
)


def roles_fit(form, roles):
    """The roles' places add up to no more than the event's; an error on the form if not."""
    capacity = form.cleaned_data.get("capacity")
    total = sum(
        item.cleaned_data.get("capacity") or 0
        for item in roles.forms
        if item.cleaned_data and not item.cleaned_data.get("DELETE")
    )
    if capacity and total > capacity:
        form.add_error(
            "capacity",
            _("The roles have %(roles)d places in all, more than the event's %(places)d.")
            % {"roles": total, "places": capacity},
        )
        return False
    return True


class SignUpForm(forms.Form):
    role = forms.ModelChoiceField(
        label=_("Role"),
        queryset=EventRole.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        roles = event.roles.all()
        if roles:
            self.fields["role"].queryset = roles
        else:
            del self.fields["role"]


class BadgeForm(forms.Form):
    code = forms.CharField(
        label=_("Badge code"),
        max_length=200,
        help_text=_(
            "Scan the badge's QR code with the camera or a scanner, or type the code printed on it."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self):
        # A scanner (or the camera) reads the whole verification address; the code is the last
        # part of its path.
        path = urlsplit(self.cleaned_data["code"].strip()).path
        code = codes.normalise(path.rstrip("/").rsplit("/", 1)[-1])
        if code is None:
            raise forms.ValidationError(_("This is not a badge code."))
        return code
