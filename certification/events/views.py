"""Events' pages: the volunteer's list, detail, sign-up, calendar files and the check-in address
the QR code encodes; the coordinator's list, form, roster and check-in screen.

Views are thin: coordinators see events within their scope (coordination/scope.py), members the
events of their own branch; another branch's event is simply not found. Changes go through
events/services.py.
"""

from datetime import timedelta
from functools import wraps

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lms.exports import FORMATS as EXPORT_FORMATS
from lms.exports import spreadsheet
from lms.formatting import format_hours

from ..coordination import scope as scopes
from ..models import Attendance, CalendarFeed, Certificate, Event, SignUp, Volunteer
from . import calendar, checkin
from . import services as events
from .forms import BadgeForm, EventForm, RequirementFormSet, RoleFormSet, SignUpForm, roles_fit

# The coordinator's list shows events that ended this long ago, for confirming their hours.
RECENT_DAYS = 30


def coordinator_view(view):
    """Logged in and coordinating: the view receives the coordinator's scope."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, scopes.coordination_scope(request.user), *args, **kwargs)

    return wrapper


def member_view(view):
    """Logged in and a member: the view receives the membership (or shows how to join)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        member = (
            Volunteer.objects.select_related("branch", "level", "user")
            .filter(user=request.user)
            .first()
        )
        if member is None:
            return render(request, "certification/volunteer/not_member.html")
        return view(request, member, *args, **kwargs)

    return wrapper


def event_url(event):
    return reverse("volunteer_events:detail", args=[event.pk])


# The volunteer's pages ---------------------------------------------------------------------------


def members_events(member):
    return Event.objects.filter(branch=member.branch).select_related("direction", "branch")


@member_view
def event_list(request, member):
    """Upcoming events of the member's branch: joined, waiting, or why not."""
    now = timezone.now()
    upcoming = (
        members_events(member)
        .filter(ends_at__gt=now)
        .prefetch_related("requirements__level", "requirements__course", "requirements__skill")
        .annotate(n_signed_up=Count("sign_ups", filter=Q(sign_ups__status=SignUp.Status.SIGNED_UP)))
        .order_by("starts_at")[:100]
    )
    mine = {
        sign_up.event_id: sign_up
        for sign_up in SignUp.objects.filter(volunteer=member, status__in=events.ACTIVE)
    }
    qualifications = events.qualifications_of(member, now=now)
    rows = [
        {
            "event": event,
            "sign_up": mine.get(event.pk),
            "reasons": events.reasons_not(event, member, qualifications=qualifications, now=now),
            "is_full": event.n_signed_up >= event.capacity,
        }
        for event in upcoming
    ]
    feed = events.calendar_feed(volunteer=member)
    return render(
        request,
        "certification/events/list.html",
        {
            "rows": rows,
            "member": member,
            "feed_url": request.build_absolute_uri(reverse("event_feed", args=[feed.token])),
        },
    )


@member_view
def event_detail(request, member, pk):
    event = get_object_or_404(members_events(member), pk=pk)
    sign_up = (
        SignUp.objects.filter(event=event, volunteer=member, status__in=[*events.ACTIVE, "no_show"])
        .select_related("role")
        .first()
    )
    attendance = Attendance.objects.filter(sign_up=sign_up).first() if sign_up else None
    roles = list(
        event.roles.annotate(
            n_taken=Count("signup", filter=Q(signup__status=SignUp.Status.SIGNED_UP))
        )
    )
    return render(
        request,
        "certification/events/detail.html",
        {
            "event": event,
            "sign_up": sign_up,
            "attendance": attendance,
            "position": events.waitlist_position(sign_up) if sign_up else None,
            "reasons": [] if sign_up else events.reasons_not(event, member),
            "form": SignUpForm(event=event),
            "roles": roles,
            "n_signed_up": event.sign_ups.filter(status=SignUp.Status.SIGNED_UP).count(),
            "has_started": event.starts_at <= timezone.now(),
        },
    )


@require_POST
@member_view
def sign_up(request, member, pk):
    event = get_object_or_404(members_events(member), pk=pk)
    form = SignUpForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect(event_url(event))
    try:
        result = events.sign_up(event=event, volunteer=member, role=form.cleaned_data.get("role"))
    except events.EventError as error:
        messages.error(request, str(error))
    else:
        if result.status == SignUp.Status.SIGNED_UP:
            messages.success(request, _("You are signed up. See you there!"))
        else:
            messages.info(
                request,
                _(
                    "The event is full: you are number %(n)d on the waitlist. "
                    "If a place frees up, you get it and an email."
                )
                % {"n": events.waitlist_position(result)},
            )
    return redirect(event_url(event))


@require_POST
@member_view
def renew_feed(request, member):
    events.renew_calendar_feed(volunteer=member)
    messages.success(
        request,
        _(
            "Your calendar has a new address. Add it to your calendar again: "
            "the old one no longer works."
        ),
    )
    return redirect("volunteer_events:list")


@require_POST
@member_view
def cancel(request, member, pk):
    event = get_object_or_404(members_events(member), pk=pk)
    mine = SignUp.objects.filter(event=event, volunteer=member, status__in=events.ACTIVE).first()
    if mine is None:
        messages.error(request, _("This sign-up is already cancelled."))
        return redirect(event_url(event))
    try:
        events.cancel(sign_up=mine)
    except events.EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Cancelled. Thank you for letting us know in time."))
    return redirect(event_url(event))


def ics_response(text, filename):
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@member_view
def event_ics(request, member, pk):
    event = get_object_or_404(members_events(member), pk=pk)
    text = calendar.calendar(
        [event], url_of=lambda item: request.build_absolute_uri(event_url(item))
    )
    return ics_response(text, f"event-{event.pk}.ics")


@never_cache
def feed(request, token):
    """A volunteer's personal feed: the events they signed up for. The token is the secret; a
    calendar app fetches it without logging in."""
    subscription = get_object_or_404(CalendarFeed.objects.select_related("volunteer"), token=token)
    since = timezone.now() - timedelta(days=90)
    signed_up = (
        Event.objects.filter(
            sign_ups__volunteer=subscription.volunteer,
            sign_ups__status=SignUp.Status.SIGNED_UP,
            ends_at__gte=since,
        )
        .distinct()
        .order_by("starts_at")
    )
    text = calendar.calendar(
        signed_up,
        name="Komek",
        url_of=lambda item: request.build_absolute_uri(event_url(item)),
    )
    return ics_response(text, "komek.ics")


@never_cache
@member_view
def check_in(request, member, pk, code):
    """The address the QR code encodes. Opening it shows what a press will do (check in, or out
    the second time); the press is a POST with a ticket for the scanned code, so a link preview
    or a prefetch changes nothing. Logging in on the way comes back here (login_required keeps
    the address)."""
    event = get_object_or_404(members_events(member), pk=pk)  # another branch's: not found
    context = {"event": event, "member": member, "error": ""}
    try:
        if request.method == "POST":
            context["attendance"] = events.scan(
                event=event, volunteer=member, ticket=request.POST.get("ticket", "")
            )
            return render(request, "certification/events/check_in.html", context)
        scanned = events.read_code(event=event, volunteer=member, token=code)
    except events.EventError as refusal:
        context["error"] = str(refusal)
        return render(request, "certification/events/check_in.html", context, status=400)
    context["ticket"] = checkin.ticket_for(scanned, volunteer_id=member.pk)
    context["checked_in"] = Attendance.objects.filter(
        sign_up__event=event, sign_up__volunteer=member, checked_out_at__isnull=True
    ).exists()
    return render(request, "certification/events/check_in.html", context)


# The coordinator's pages -------------------------------------------------------------------------


def scoped_event(scope, pk):
    return get_object_or_404(scope.events().select_related("branch", "direction"), pk=pk)


@coordinator_view
def coordination_list(request, scope):
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    rows = (
        scope.events()
        .filter(ends_at__gte=since)
        .select_related("branch", "direction")
        .annotate(
            n_signed_up=Count(
                "sign_ups",
                filter=Q(sign_ups__status__in=[SignUp.Status.SIGNED_UP, SignUp.Status.NO_SHOW]),
            ),
            n_waitlisted=Count("sign_ups", filter=Q(sign_ups__status=SignUp.Status.WAITLISTED)),
            n_checked_in=Count("sign_ups__attendance"),
        )
        .order_by("starts_at")
    )
    now = timezone.now()
    return render(
        request,
        "certification/coordination/events/list.html",
        {
            "upcoming": [event for event in rows if event.ends_at > now],
            "past": [event for event in rows if event.ends_at <= now][::-1],
            "scope": scope,
            "section": "events",
        },
    )


@coordinator_view
def event_form(request, scope, pk=None):
    event = scoped_event(scope, pk) if pk else Event()
    data = request.POST if request.method == "POST" else None
    form = EventForm(data, instance=event, scope=scope)
    roles = RoleFormSet(data, instance=event, prefix="roles")
    requirements = RequirementFormSet(data, instance=event, prefix="requirements")
    if (
        request.method == "POST"
        and form.is_valid()
        and roles.is_valid()
        and requirements.is_valid()
        and roles_fit(form, roles)
    ):
        saved = events.save_event(
            event=form.save(commit=False), formsets=[roles, requirements], by=request.user
        )
        messages.success(request, _("The event “%(title)s” is saved.") % {"title": saved.title})
        return redirect("coordination:event", pk=saved.pk)
    return render(
        request,
        "certification/coordination/events/form.html",
        {
            "form": form,
            "roles": roles,
            "requirements": requirements,
            "event": event if pk else None,
            "scope": scope,
            "section": "events",
        },
    )


def roster_of(event):
    sign_ups = (
        event.sign_ups.exclude(status=SignUp.Status.CANCELLED)
        .select_related("volunteer__user", "volunteer__level", "role", "attendance__activity")
        .order_by("queued_at", "pk")
    )
    groups = {"signed_up": [], "waitlisted": [], "no_show": []}
    for item in sign_ups:
        groups[item.status].append(item)
    return groups


@coordinator_view
def roster(request, scope, pk):
    event = scoped_event(scope, pk)
    groups = roster_of(event)
    n_checked_in = sum(hasattr(item, "attendance") for item in groups["signed_up"])
    return render(
        request,
        "certification/coordination/events/roster.html",
        {
            "event": event,
            "signed_up": groups["signed_up"],
            "waitlisted": groups["waitlisted"],
            "no_shows": groups["no_show"],
            "n_checked_in": n_checked_in,
            "n_cancelled": event.sign_ups.filter(status=SignUp.Status.CANCELLED).count(),
            "n_pending": events.pending_activities(event).count(),
            "roles": event.roles.all(),
            "badge_form": BadgeForm(),
            "is_open": event.starts_at - events.CHECK_IN_OPENS
            <= timezone.now()
            <= event.ends_at + events.CHECK_OUT_GRACE,
            "scope": scope,
            "section": "events",
        },
    )


def attendance_message(attendance):
    name = attendance.sign_up.volunteer.user.get_full_name()
    if attendance.checked_out_at is None:
        return _("%(name)s is checked in.") % {"name": name}
    if attendance.activity is None:
        return _("%(name)s is checked out (less than half an hour).") % {"name": name}
    return _("%(name)s is checked out: %(hours)s h wait for confirmation.") % {
        "name": name,
        "hours": format_hours(attendance.activity.hours),
    }


@require_POST
@coordinator_view
def mark(request, scope, pk, sign_up_pk):
    event = scoped_event(scope, pk)
    item = get_object_or_404(event.sign_ups, pk=sign_up_pk)
    return marked(request, event, item)


def marked(request, event, item, **how):
    """Mark a volunteer present or gone by hand or by badge, and say what happened."""
    try:
        attendance = events.mark(sign_up=item, by=request.user, **how)
    except events.EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, attendance_message(attendance))
    return redirect("coordination:event", pk=event.pk)


@require_POST
@coordinator_view
def badge(request, scope, pk):
    """A volunteer's badge scanned (its QR holds the verification address) or its code typed."""
    event = scoped_event(scope, pk)
    form = BadgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("code", [])))
        return redirect("coordination:event", pk=event.pk)
    holder = (
        Certificate.objects.filter(
            public_code=form.cleaned_data["code"],
            kind=Certificate.Kind.BADGE,
            holder__is_active=True,  # a suspended badge checks nobody in
        )
        .exclude(status__in=[Certificate.Status.REVOKED, Certificate.Status.REPLACED])
        .values_list("holder_id", flat=True)
        .first()
    )
    item = event.sign_ups.filter(volunteer__user_id=holder).exclude(
        status__in=[SignUp.Status.CANCELLED, SignUp.Status.WAITLISTED]
    )
    item = item.first() if holder else None
    if item is None:
        messages.error(request, _("No volunteer signed up for this event has this badge."))
        return redirect("coordination:event", pk=event.pk)
    return marked(request, event, item, method=Attendance.Method.BADGE)


@require_POST
@coordinator_view
def confirm_event(request, scope, pk):
    event = scoped_event(scope, pk)
    n_confirmed, refusals = events.confirm_hours(event=event, by=request.user)
    for refusal in refusals:
        messages.error(request, refusal)
    if n_confirmed:
        messages.success(request, _("Confirmed activities: %(n)d.") % {"n": n_confirmed})
    elif not refusals:
        messages.info(request, _("No hours of this event wait for confirmation."))
    return redirect("coordination:event", pk=event.pk)


@coordinator_view
def check_in_screen(request, scope, pk):
    event = scoped_event(scope, pk)
    return render(
        request,
        "certification/coordination/events/check_in_screen.html",
        {
            "event": event,
            "code": code_for(request, event),
            "scope": scope,
            "section": "events",
        },
    )


def code_for(request, event):
    """The current check-in address of the event and its QR code as inline SVG."""
    token = checkin.token_for(event.pk)
    url = request.build_absolute_uri(reverse("event_check_in", args=[event.pk, token]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return {"url": url, "svg": svg, "seconds_left": round(checkin.seconds_left(), 1)}


@never_cache
@coordinator_view
def check_in_code(request, scope, pk):
    """The next code for the screen's script, every 15 seconds."""
    event = scoped_event(scope, pk)
    return JsonResponse(code_for(request, event))


@coordinator_view
def roster_export(request, scope, pk, file_format):
    if file_format not in EXPORT_FORMATS:
        raise Http404
    event = scoped_event(scope, pk)
    headings = [
        _("Last name"),
        _("First name"),
        _("Email"),
        _("Phone"),
        _("Role"),
        _("Status"),
        _("Checked in"),
        _("Checked out"),
        _("Hours"),
    ]
    sign_ups = (
        event.sign_ups.exclude(status=SignUp.Status.CANCELLED)
        .select_related("volunteer__user", "role", "attendance__activity")
        .order_by("status", "queued_at")
    )
    rows = []
    for item in sign_ups:
        attendance = getattr(item, "attendance", None)
        user = item.volunteer.user
        rows.append(
            [
                user.last_name,
                user.first_name,
                user.email,
                user.phone,
                item.role.name if item.role else "",
                item.get_status_display(),
                attendance.checked_in_at if attendance else None,
                attendance.checked_out_at if attendance else None,
                attendance.activity.hours if attendance and attendance.activity else None,
            ]
        )
    filename = f"event-{event.pk}-{timezone.localdate(event.starts_at):%Y-%m-%d}"
    return spreadsheet(file_format, filename=filename, headings=headings, rows=rows)
