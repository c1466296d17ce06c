"""The coordinators' area: their branch's volunteers, queues, letters and statistics; and the
instructors' skill sign-offs.

Views are thin: the scope (coordination/scope.py) decides what a coordinator may see, every
object is looked up within it, and every change goes through volunteers/services.py.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.exports import FORMATS as EXPORT_FORMATS
from lms.formatting import format_hours

from ..models import Volunteer
from ..volunteers import services as volunteers
from . import exports, selectors
from . import scope as scopes
from .forms import (
    BranchFilterForm,
    BulkConfirmForm,
    DecideAwardForm,
    LetterForm,
    LetterRecipientsFilterForm,
    MemberSearchForm,
    ReviewActivityForm,
    SignOffForm,
    StatisticsFilterForm,
    VolunteerFilterForm,
)
from .statistics import default_period, statistics

VOLUNTEERS_PER_PAGE = 50
QUEUE_PER_PAGE = 30
LETTERS_PER_PAGE = 20
# The letters page shows this many checkboxes at most; filters narrow the rest.
MAX_RECIPIENTS_SHOWN = 200


def coordinator_view(view):
    """Logged in and coordinating: the view receives the coordinator's scope."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        scope = scopes.coordination_scope(request.user)
        return view(request, scope, *args, **kwargs)

    return wrapper


def sign_off_view(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not scopes.can_sign_off(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@login_required
def home(request):
    can_coordinate = scopes.can_coordinate(request.user)
    can_sign_off = scopes.can_sign_off(request.user)
    if not (can_coordinate or can_sign_off):
        raise PermissionDenied
    context = {"can_coordinate": False, "can_sign_off": can_sign_off}
    if can_coordinate:
        scope = scopes.coordination_scope(request.user)
        context.update(
            can_coordinate=True,
            scope=scope,
            n_volunteers=scope.volunteers().count(),
            **selectors.queue_counts(scope),
        )
    return render(request, "certification/coordination/home.html", context)


# Volunteers --------------------------------------------------------------------------------------


@coordinator_view
def volunteer_list(request, scope):
    form = VolunteerFilterForm(request.GET or None, scope=scope)
    if form.is_bound and not form.is_valid():
        rows = scope.volunteers().none()
    else:
        rows = selectors.volunteer_list(form.narrowed_scope(scope), **form.filters())
    file_format = request.GET.get("export")
    if file_format in EXPORT_FORMATS:
        return exports.volunteers(rows, file_format)
    page = Paginator(rows, VOLUNTEERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/coordination/volunteer_list.html",
        {"form": form, "page": page, "scope": scope, "section": "volunteers"},
    )


@coordinator_view
def volunteer_detail(request, scope, pk):
    volunteer = get_object_or_404(
        scope.volunteers().select_related("user", "branch", "level"), pk=pk
    )
    standing = volunteers.standing_of(volunteer)
    return render(
        request,
        "certification/coordination/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "standing": standing,
            "requirements": requirement_rows(standing),
            "directions": volunteer.directions.order_by("sort_order"),
            "can_sign_off": scopes.can_sign_off(request.user),
            "section": "volunteers",
            **selectors.volunteer_record(volunteer),
        },
    )


def requirement_rows(standing):
    """The next level's requirements with how full each one's bar is."""
    if standing.next is None:
        return []
    rows = []
    for item in standing.next.requirements:
        need = float(item.need or 0)
        percent = 100 if item.is_met or not need else min(100, round(100 * float(item.have) / need))
        rows.append({"item": item, "percent": percent})
    return rows


# Hours -------------------------------------------------------------------------------------------


@coordinator_view
def hours_queue(request, scope):
    branch_form = BranchFilterForm(request.GET or None, scope=scope)
    activities = selectors.pending_activities(branch_form.narrowed_scope(scope))
    page = Paginator(activities, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/coordination/hours_queue.html",
        {
            "branch_form": branch_form,
            "page": page,
            "scope": scope,
            "section": "hours",
            "back": request.get_full_path(),
        },
    )


@require_POST
@coordinator_view
def review_hours(request, scope, pk):
    activity = get_object_or_404(scope.activities().select_related("volunteer__user"), pk=pk)
    form = ReviewActivityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to confirm or reject."))
        return back_to(request, "coordination:hours")
    confirm = form.cleaned_data["action"] == ReviewActivityForm.CONFIRM
    try:
        volunteers.review_activity(
            activity=activity, by=request.user, confirm=confirm, reason=form.cleaned_data["reason"]
        )
    except volunteers.VolunteerError as error:
        messages.error(request, str(error))
        return back_to(request, "coordination:hours")
    name = activity.volunteer.user.get_full_name()
    if confirm:
        messages.success(
            request,
            _("Confirmed %(hours)s h for %(name)s.")
            % {"hours": format_hours(activity.hours), "name": name},
        )
    else:
        messages.success(request, _("Rejected the hours of %(name)s.") % {"name": name})
    return back_to(request, "coordination:hours")


@require_POST
@coordinator_view
def confirm_hours(request, scope):
    """Confirm several activities at once; each through the service, in its own transaction."""
    form = BulkConfirmForm(request.POST, scope=scope)
    if not form.is_valid():
        for error in form.errors.get("activities", []):
            messages.error(request, error)
        return back_to(request, "coordination:hours")
    n_confirmed = 0
    for activity in form.cleaned_data["activities"]:
        try:
            volunteers.review_activity(activity=activity, by=request.user, confirm=True)
        except volunteers.VolunteerError as error:
            messages.error(request, f"{activity.volunteer.user.get_full_name()}: {error}")
        else:
            n_confirmed += 1
    if n_confirmed:
        messages.success(request, _("Confirmed activities: %(n)d.") % {"n": n_confirmed})
    return back_to(request, "coordination:hours")


# Promotions --------------------------------------------------------------------------------------


@coordinator_view
def awards_queue(request, scope):
    branch_form = BranchFilterForm(request.GET or None, scope=scope)
    awards = selectors.awaiting_awards(branch_form.narrowed_scope(scope))
    page = Paginator(awards, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/coordination/awards_queue.html",
        {
            "branch_form": branch_form,
            "page": page,
            "scope": scope,
            "section": "awards",
            "back": request.get_full_path(),
        },
    )


@require_POST
@coordinator_view
def decide_award(request, scope, pk):
    award = get_object_or_404(scope.awards().select_related("volunteer__user", "level"), pk=pk)
    form = DecideAwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to approve or decline."))
        return back_to(request, "coordination:awards")
    values = {"name": award.volunteer.user.get_full_name(), "level": award.level.name}
    try:
        if form.cleaned_data["action"] == DecideAwardForm.APPROVE:
            volunteers.approve_award(award=award, by=request.user)
            messages.success(request, _("%(name)s is now at the level “%(level)s”.") % values)
        else:
            volunteers.decline_award(
                award=award, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Declined the promotion of %(name)s.") % values)
    except volunteers.VolunteerError as error:
        messages.error(request, str(error))
    return back_to(request, "coordination:awards")


# Letters -----------------------------------------------------------------------------------------


@coordinator_view
def letters(request, scope):
    filter_form = LetterRecipientsFilterForm(request.GET or None, scope=scope)
    form = LetterForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            letter = volunteers.issue_letters(
                branch=form.letter_branch(),
                event=form.cleaned_data["event"],
                event_date=form.cleaned_data["event_date"],
                volunteers=form.cleaned_data["volunteers"],
                by=request.user,
                text=form.cleaned_data["text"],
            )
        except volunteers.VolunteerError as error:
            form.add_error(None, str(error))
        else:
            n = len(form.cleaned_data["volunteers"])
            messages.success(
                request,
                _("Letters of appreciation for “%(event)s”: %(n)d certificates are being prepared.")
                % {"event": letter.event, "n": n},
            )
            return redirect(request.get_full_path())
    candidates = selectors.volunteer_list(
        filter_form.narrowed_scope(scope), **filter_form.filters()
    )
    n_candidates = candidates.count()
    chosen = {str(pk) for pk in form["volunteers"].value() or []}
    past = Paginator(
        scope.letters().select_related("branch", "issued_by").order_by("-created_at"),
        LETTERS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/coordination/letters.html",
        {
            "filter_form": filter_form,
            "form": form,
            "candidates": candidates[:MAX_RECIPIENTS_SHOWN],
            "n_candidates": n_candidates,
            "max_shown": MAX_RECIPIENTS_SHOWN,
            "chosen": chosen,
            "past": past,
            "past_letters": selectors.letters_with_counts(past.object_list),
            "scope": scope,
            "section": "letters",
        },
    )


# Skill sign-offs ---------------------------------------------------------------------------------


@sign_off_view
def sign_off_search(request):
    form = MemberSearchForm(request.GET or None)
    members = []
    if form.is_bound and form.is_valid():
        members = list(selectors.members_for_sign_off(form.cleaned_data["q"]))
    return render(
        request,
        "certification/coordination/sign_off_search.html",
        {"form": form, "members": members, "section": "sign_offs"},
    )


@sign_off_view
def sign_off(request, pk):
    member = get_object_or_404(Volunteer.objects.select_related("user", "branch", "level"), pk=pk)
    form = SignOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = volunteers.record_sign_off(
                volunteer=member, by=request.user, **form.cleaned_data
            )
        except volunteers.VolunteerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Recorded: %(skill)s, %(result)s, for %(name)s.")
                % {
                    "skill": record.skill.name,
                    "result": record.get_result_display(),
                    "name": member.user.get_full_name(),
                },
            )
            return redirect("coordination:sign_off", pk=member.pk)
    return render(
        request,
        "certification/coordination/sign_off.html",
        {
            "member": member,
            "form": form,
            "sign_offs": member.sign_offs.select_related("skill", "signed_by"),
            "section": "sign_offs",
        },
    )


# Statistics --------------------------------------------------------------------------------------


def statistics_for(request, scope):
    form = StatisticsFilterForm(request.GET or None, scope=scope, default_period=default_period())
    start, end = form.period()
    return form, statistics(form.narrowed_scope(scope), start=start, end=end)


@coordinator_view
def statistics_page(request, scope):
    form, result = statistics_for(request, scope)
    return render(
        request,
        "certification/coordination/statistics.html",
        {
            "form": form,
            "statistics": result,
            "scope": scope,
            "section": "statistics",
            "query": request.GET.urlencode(),
        },
    )


@coordinator_view
def statistics_export(request, scope, key, file_format):
    if file_format not in EXPORT_FORMATS:
        raise Http404
    _form, result = statistics_for(request, scope)
    table = result.table(key)
    if table is None:
        raise Http404
    return exports.statistics_table(table, result, file_format)


# Helpers -----------------------------------------------------------------------------------------


def back_to(request, fallback):
    """Back to the page the form was on (its filters and page), or to `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse(fallback))
