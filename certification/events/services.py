"""Events: saving them, signing up and cancelling (with the waitlist), checking in and out, the
sweep after the end, confirming an event's hours, and the reminders the day before.

Services in the STYLE.md sense: keyword-only arguments, one transaction, return the object.
Everything that counts places locks the event's row first, so two volunteers taking the last
place, or two cancellations at once, each see the other's effect: one place, one promotion.
"""

import logging
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Enrolment

from ..models import (
    Attendance,
    CalendarFeed,
    Certificate,
    Event,
    EventRequirement,
    PracticalActivity,
    SignUp,
    SkillSignOff,
)
from ..models.events import new_feed_token
from ..volunteers import services as volunteers
from . import checkin, eligibility

# Volunteers arrive early to get their vests: check-in opens this long before the start.
CHECK_IN_OPENS = timedelta(hours=1)
# Check-out stays open this long after the end; the sweep closes the event after it.
CHECK_OUT_GRACE = timedelta(hours=1)
# Reminders go out when the event is at most this far away, once each.
REMINDER_AHEAD = timedelta(hours=24)
# A promotion whose email has not gone out after this long is sent again by the sweep.
PLACE_EMAIL_STALE = timedelta(minutes=5)
# A scan this soon after checking in is taken for a double tap, not for leaving.
MIN_STAY = timedelta(minutes=10)
MAX_HOURS = Decimal(24)
MIN_HOURS = Decimal("0.5")

logger = logging.getLogger(__name__)

ACTIVE = (SignUp.Status.SIGNED_UP, SignUp.Status.WAITLISTED)


class EventError(Exception):
    """A refused action, with a message to show."""


# Who may sign up ---------------------------------------------------------------------------------


def qualifications_of(volunteer, *, now=None) -> eligibility.Qualifications:
    now = now or timezone.now()
    passed = Enrolment.objects.filter(
        user_id=volunteer.user_id, completed_at__isnull=False
    ).values_list("course__translation_key", flat=True)
    certified = (
        Certificate.objects.filter(
            holder_id=volunteer.user_id,
            kind=Certificate.Kind.COURSE,
            # Earned and being prepared counts: the PDF follows within seconds.
            status__in=[Certificate.Status.ISSUED, Certificate.Status.PENDING],
            course__isnull=False,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("course__translation_key", flat=True)
    )
    skills = SkillSignOff.objects.filter(
        volunteer=volunteer, result=SkillSignOff.Result.PASSED
    ).values_list("skill__slug", flat=True)
    return eligibility.Qualifications(
        rank=volunteer.level.rank,
        passed_courses=frozenset(str(key) for key in passed),
        certified_courses=frozenset(str(key) for key in certified),
        skills=frozenset(skills),
    )


def needs_of(event) -> list[eligibility.Need]:
    """The event's requirements as plain data, labelled in the reader's language."""
    return [need_of(item) for item in event.requirements.all()]


def need_of(item) -> eligibility.Need:
    kind = item.kind
    if kind == EventRequirement.Kind.LEVEL:
        label = _("needs the level “%(level)s”") % {"level": item.level.name}
        return eligibility.Need(kind=kind, rank=item.level.rank, label=label)
    if kind in (EventRequirement.Kind.COURSE, EventRequirement.Kind.CERTIFICATE):
        title = item.course.localized.title  # the reader's language version, where there is one
        if kind == EventRequirement.Kind.COURSE:
            label = _("needs the course “%(course)s” passed") % {"course": title}
        else:
            label = _("needs a valid certificate of the course “%(course)s”") % {"course": title}
        return eligibility.Need(kind=kind, course=str(item.course.translation_key), label=label)
    label = _("needs the skill “%(skill)s” signed off") % {"skill": item.skill.name}
    return eligibility.Need(kind=kind, skill=item.skill.slug, label=label)


def reasons_not(event, volunteer, *, qualifications=None, now=None) -> list[str]:
    """Why the volunteer may not sign up (empty: they may), in words they can act on."""
    now = now or timezone.now()
    if event.branch_id != volunteer.branch_id:
        return [_("the event is for volunteers of another branch")]
    if event.starts_at <= now:
        return [_("the event has started")]
    qualifications = qualifications or qualifications_of(volunteer, now=now)
    return [need.label for need in eligibility.unmet(needs_of(event), qualifications)]


# Saving an event ---------------------------------------------------------------------------------


@transaction.atomic
def save_event(*, event, formsets=(), by=None) -> Event:
    """Save an event with its roles and requirements (inline formsets bound to it); a change of
    places lets the waitlist in."""
    if event.pk is None:
        event.created_by = by
    event.save()
    for formset in formsets:
        formset.instance = event
        formset.save()
    locked(event)
    fill_places(event)
    return event


# Signing up and cancelling -----------------------------------------------------------------------


def locked(event) -> Event:
    # NO KEY UPDATE: the sign-ups being inserted, which refer to the event, are not kept waiting.
    return Event.objects.select_for_update(no_key=True).get(pk=event.pk)


def has_room(event, role=None) -> bool:
    signed_up = SignUp.objects.filter(event=event, status=SignUp.Status.SIGNED_UP)
    if signed_up.count() >= event.capacity:
        return False
    return role is None or signed_up.filter(role=role).count() < role.capacity


@transaction.atomic
def sign_up(*, event, volunteer, role=None, now=None) -> SignUp:
    """A place at the event, or a turn on its waitlist when it (or the role) is full."""
    now = now or timezone.now()
    event = locked(event)
    reasons = reasons_not(event, volunteer, now=now)
    if reasons:
        raise EventError(_("You cannot sign up: %(reasons)s.") % {"reasons": "; ".join(reasons)})
    roles = list(event.roles.all())
    if roles and role is None:
        raise EventError(_("Choose a role."))
    if role is not None and role.event_id != event.pk:
        raise EventError(_("This role is not at this event."))
    existing = SignUp.objects.filter(event=event, volunteer=volunteer, status__in=ACTIVE).first()
    if existing is not None:
        if existing.status == SignUp.Status.WAITLISTED:
            raise EventError(_("You are already on the waitlist."))
        raise EventError(_("You are already signed up."))
    status = SignUp.Status.SIGNED_UP if has_room(event, role) else SignUp.Status.WAITLISTED
    return SignUp.objects.create(
        event=event, volunteer=volunteer, role=role, status=status, queued_at=now
    )


@transaction.atomic
def cancel(*, sign_up, now=None) -> SignUp:
    """Give the place up; the next person on the waitlist who fits takes it."""
    now = now or timezone.now()
    event = locked(sign_up.event)
    sign_up = SignUp.objects.select_for_update(of=("self",)).get(pk=sign_up.pk)
    if sign_up.status not in ACTIVE:
        raise EventError(_("This sign-up is already cancelled."))
    if event.starts_at <= now:
        raise EventError(_("The event has started: it is too late to cancel."))
    was_signed_up = sign_up.status == SignUp.Status.SIGNED_UP
    sign_up.status = SignUp.Status.CANCELLED
    sign_up.cancelled_at = now
    sign_up.save(update_fields=["status", "cancelled_at"])
    if was_signed_up:
        fill_places(event)
    return sign_up


def fill_places(event) -> list[SignUp]:
    """Promote from the waitlist, first in line first, while there is room; the caller holds the
    event's lock. Each promoted volunteer gets an email."""
    promoted = []
    waiting = SignUp.objects.filter(event=event, status=SignUp.Status.WAITLISTED).select_related(
        "role"
    )
    for candidate in waiting.order_by("queued_at", "pk"):
        if not has_room(event, candidate.role):
            continue
        candidate.status = SignUp.Status.SIGNED_UP
        candidate.promoted_at = timezone.now()
        candidate.save(update_fields=["status", "promoted_at"])
        promoted.append(candidate)
    for candidate in promoted:
        enqueue_place_email(candidate.pk)
    return promoted


def waitlist_position(sign_up) -> int | None:
    """1 for the first in line; None when not waiting."""
    if sign_up.status != SignUp.Status.WAITLISTED:
        return None
    ahead = SignUp.objects.filter(
        event_id=sign_up.event_id, status=SignUp.Status.WAITLISTED
    ).filter(Q(queued_at__lt=sign_up.queued_at) | Q(queued_at=sign_up.queued_at, pk__lt=sign_up.pk))
    return ahead.count() + 1


# Checking in and out -----------------------------------------------------------------------------

TOKEN_MESSAGES = {
    checkin.FORGED: lambda: _(
        "This is not a check-in code. Scan the code on the coordinator's screen."
    ),
    checkin.EXPIRED: lambda: _(
        "This code has expired: it changes every 15 seconds. Scan the code on the screen again."
    ),
    checkin.OTHER_EVENT: lambda: _("This code belongs to another event."),
}


def read_code(*, event, volunteer, token, now=None, at=None) -> checkin.Scan:
    """The QR address was opened: the scan its code stands for, if this volunteer may use it now.
    Changes nothing (the check-in page asks for a press first).

    `at` is the clock the code is read against (seconds since the epoch; tests move it)."""
    now = now or timezone.now()
    try:
        code = checkin.read(token, event_id=event.pk, at=at if at is not None else now.timestamp())
    except checkin.TokenError as error:
        raise EventError(TOKEN_MESSAGES[error.reason]()) from None
    sign_up = (
        SignUp.objects.filter(event=event, volunteer=volunteer)
        .exclude(status=SignUp.Status.CANCELLED)
        .first()
    )
    if sign_up is None or sign_up.status == SignUp.Status.WAITLISTED:
        raise EventError(_("You are not signed up for this event."))
    refuse_out_of_hours(sign_up, Attendance.objects.filter(sign_up=sign_up).first(), now=now)
    return code


def scan(*, event, volunteer, token=None, ticket=None, now=None, at=None) -> Attendance:
    """A volunteer scanned the event's code: the first scan checks in, the next checks out.

    Either the code itself (`token`) or the check-in page's ticket for it (`ticket`)."""
    now = now or timezone.now()
    if ticket is not None:
        try:
            code = checkin.read_ticket(ticket, event_id=event.pk, volunteer_id=volunteer.pk)
        except checkin.TokenError as error:
            raise EventError(TOKEN_MESSAGES[error.reason]()) from None
    else:
        code = read_code(event=event, volunteer=volunteer, token=token, now=now, at=at)
    with transaction.atomic():
        sign_up = signed_up(event, volunteer)
        return record(sign_up=sign_up, method=Attendance.Method.QR, slot=code.slot, now=now)


def signed_up(event, volunteer) -> SignUp:
    sign_up = (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("event", "volunteer")
        .filter(event=event, volunteer=volunteer)
        .exclude(status=SignUp.Status.CANCELLED)
        .first()
    )
    if sign_up is None or sign_up.status == SignUp.Status.WAITLISTED:
        raise EventError(_("You are not signed up for this event."))
    return sign_up


@transaction.atomic
def mark(*, sign_up, by, method=Attendance.Method.BY_HAND, now=None) -> Attendance:
    """A coordinator checks a volunteer in (or, the second time, out): badge scanned or by hand."""
    sign_up = (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("event", "volunteer")
        .get(pk=sign_up.pk)
    )
    if sign_up.status not in (SignUp.Status.SIGNED_UP, SignUp.Status.NO_SHOW):
        raise EventError(_("This volunteer is not signed up for the event."))
    return record(sign_up=sign_up, method=method, by=by, now=now or timezone.now())


def record(*, sign_up, method, now, slot=None, by=None) -> Attendance:
    """Check in or out by the attendance as it stands; the caller holds the sign-up's lock."""
    event = sign_up.event
    attendance = Attendance.objects.filter(sign_up=sign_up).first()
    if by is None:
        refuse_out_of_hours(sign_up, attendance, now=now)
    if attendance is None:
        if now < event.starts_at - CHECK_IN_OPENS:
            raise EventError(_("Check-in opens an hour before the event starts."))
        if sign_up.status == SignUp.Status.NO_SHOW:
            # A coordinator corrects the record: the volunteer came after all.
            sign_up.status = SignUp.Status.SIGNED_UP
            sign_up.save(update_fields=["status"])
        attendance = Attendance.objects.create(
            sign_up=sign_up,
            checked_in_at=min(now, event.ends_at),
            check_in_method=method,
            check_in_slot=slot,
            recorded_by=by,
        )
        if now <= event.ends_at:
            return attendance
        # Ticked after the end (the cameras failed): the volunteer was there for the whole event.
        attendance.checked_in_at = event.starts_at
        now = event.ends_at
    elif attendance.checked_out_at is not None:
        raise EventError(_("Checked out already: the hours are recorded."))
    if slot is not None and slot == attendance.check_in_slot:
        raise EventError(
            _("This code was already used to check in. Scan the next code to check out.")
        )
    if by is None and now - attendance.checked_in_at < MIN_STAY:
        # A second scan straight after the first is a double tap, not leaving.
        raise EventError(_("You are checked in. Scan the code again when you leave."))
    if now > event.ends_at + CHECK_OUT_GRACE:
        now = event.ends_at
    attendance.checked_out_at = now
    attendance.check_out_method = method
    attendance.check_out_slot = slot
    if by is not None:
        attendance.recorded_by = by
    attendance.save()
    attendance.activity = activity_for(attendance)
    attendance.save(update_fields=["activity"])
    return attendance


def refuse_out_of_hours(sign_up, attendance, *, now):
    """A volunteer's own scan is taken only while the event's check-in (or check-out) is open."""
    event = sign_up.event
    if attendance is None:
        if now < event.starts_at - CHECK_IN_OPENS:
            raise EventError(_("Check-in opens an hour before the event starts."))
        if now > event.ends_at:
            raise EventError(_("The event is over: check-in has closed."))
    elif attendance.checked_out_at is not None:
        raise EventError(_("Checked out already: the hours are recorded."))
    elif now > event.ends_at + CHECK_OUT_GRACE:
        raise EventError(_("Check-out has closed: the coordinator records your time."))


def hours_between(start, end) -> Decimal:
    """Hours of the event attended, to the nearest half hour: only the time between the event's
    start and end counts (an early arrival is not a longer shift)."""
    seconds = max((end - start).total_seconds(), 0)
    halves = (Decimal(seconds) / 1800).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(halves / 2, MAX_HOURS)


def activity_for(attendance) -> PracticalActivity | None:
    """The pending practical activity the attendance counts as; none under half an hour."""
    event = attendance.sign_up.event
    start = max(attendance.checked_in_at, event.starts_at)
    end = min(attendance.checked_out_at, event.ends_at)
    hours = hours_between(start, end)
    if hours < MIN_HOURS:
        return None
    return PracticalActivity.objects.create(
        volunteer=attendance.sign_up.volunteer,
        date=timezone.localdate(event.starts_at),
        event=event.title,
        direction=event.direction,
        hours=hours,
    )


# After the event ---------------------------------------------------------------------------------


@transaction.atomic
def close(*, event, now=None) -> Event:
    """The event is over: who is still checked in is checked out at the end, who never came is a
    no-show. Idempotent: a closed event is left as it is."""
    now = now or timezone.now()
    event = locked(event)
    if event.closed_at is not None:
        return event
    # The sign-ups are locked too, as a check-out by hand or by QR locks its own: one of the two
    # closes an attendance, the other sees it closed (never two practical activities).
    sign_ups = (
        event.sign_ups.select_for_update(of=("self",))
        .filter(status=SignUp.Status.SIGNED_UP)
        .select_related("event", "volunteer")
        .order_by("pk")
    )
    for sign_up in sign_ups:
        attendance = Attendance.objects.filter(sign_up=sign_up).first()
        if attendance is None:
            sign_up.status = SignUp.Status.NO_SHOW
            sign_up.save(update_fields=["status"])
        elif attendance.checked_out_at is None:
            attendance.checked_out_at = max(event.ends_at, attendance.checked_in_at)
            attendance.save(update_fields=["checked_out_at"])
            attendance.activity = activity_for(attendance)
            attendance.save(update_fields=["activity"])
    event.closed_at = now
    event.save(update_fields=["closed_at"])
    return event


def close_ended(*, now=None) -> int:
    """Periodic sweep: close every event whose check-out grace has passed."""
    now = now or timezone.now()
    due = Event.objects.filter(closed_at__isnull=True, ends_at__lte=now - CHECK_OUT_GRACE)
    n_closed = 0
    for event in due.order_by("ends_at")[:200]:
        close(event=event, now=now)
        n_closed += 1
    return n_closed


def pending_activities(event):
    return PracticalActivity.objects.filter(
        attendance__sign_up__event=event, status=PracticalActivity.Status.PENDING
    ).select_related("volunteer__user")


def confirm_hours(*, event, by, now=None) -> tuple[int, list[str]]:
    """Confirm every pending activity of the event at once; each through the ladder's own
    service (its own transaction), so promotions follow as when hours are confirmed one by one.

    Returns how many were confirmed and the refusals (the coordinator's own hours)."""
    n_confirmed, refusals = 0, []
    for activity in pending_activities(event):
        try:
            volunteers.review_activity(activity=activity, by=by, confirm=True, now=now)
        except volunteers.VolunteerError as error:
            refusals.append(f"{activity.volunteer.user.get_full_name()}: {error}")
        else:
            n_confirmed += 1
    return n_confirmed, refusals


# Emails ------------------------------------------------------------------------------------------


def email(sign_up, template):
    user = sign_up.volunteer.user
    with translation.override(user.preferred_language):
        context = {
            "sign_up": sign_up,
            "event": sign_up.event,
            "user": user,
            "site": settings.SITE_URL,
        }
        subject = render_to_string(f"certification/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"certification/email/{template}_body.txt", context)
    send_mail(subject, body, None, [user.email])


def enqueue_place_email(sign_up_id):
    """Ask a worker to tell the volunteer they have a place, once the promotion commits. A mail
    server that is down fails the task (retried), never the cancellation that freed the place;
    a broker that is down leaves it to the sweep."""
    from ..tasks import email_event_place

    def send():
        try:
            email_event_place.apply_async(args=[sign_up_id])
        except Exception:
            logger.exception(
                "Could not enqueue the place email %s; the sweep will retry", sign_up_id
            )

    transaction.on_commit(send)


def email_place(*, sign_up_id, now=None) -> bool:
    """Tell a volunteer promoted from the waitlist that they have a place: once, while it still
    matters (signed up, the event not begun). Claimed before sending, so two workers send one
    email; given back if the mail server refuses, so the retry sends it."""
    now = now or timezone.now()
    claimed = SignUp.objects.filter(
        pk=sign_up_id,
        status=SignUp.Status.SIGNED_UP,
        promoted_at__isnull=False,
        place_emailed_at__isnull=True,
        event__starts_at__gt=now,
    ).update(place_emailed_at=now)
    if not claimed:
        return False
    sign_up = SignUp.objects.select_related("event", "volunteer__user").get(pk=sign_up_id)
    try:
        email(sign_up, "event_place")
    except Exception:
        SignUp.objects.filter(pk=sign_up_id).update(place_emailed_at=None)
        raise
    return True


def requeue_place_emails(*, now=None) -> int:
    """Periodic sweep: promotions whose email was never sent (the broker was down, or every
    retry failed) are sent again."""
    now = now or timezone.now()
    due = SignUp.objects.filter(
        status=SignUp.Status.SIGNED_UP,
        promoted_at__lt=now - PLACE_EMAIL_STALE,
        place_emailed_at__isnull=True,
        event__starts_at__gt=now,
    )
    ids = list(due.values_list("pk", flat=True)[:500])
    for sign_up_id in ids:
        enqueue_place_email(sign_up_id)
    return len(ids)


def remind_upcoming(*, now=None) -> int:
    """The day before: email everyone signed up, once each (the sent time is kept, so a restart
    or a second run sends nothing twice)."""
    now = now or timezone.now()
    due = SignUp.objects.filter(
        status=SignUp.Status.SIGNED_UP,
        reminder_sent_at__isnull=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMINDER_AHEAD,
    ).select_related("event", "volunteer__user")
    n_sent = 0
    for sign_up in due[:500]:
        # Claimed before sending: two sweeps at once send one email, not two.
        claimed = SignUp.objects.filter(pk=sign_up.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
        if not claimed:
            continue
        try:
            email(sign_up, "event_reminder")
        except Exception:
            # The mail server refused: given back for the next sweep, and the others still go.
            SignUp.objects.filter(pk=sign_up.pk).update(reminder_sent_at=None)
            logger.exception("Could not send the event reminder %s", sign_up.pk)
            continue
        n_sent += 1
    return n_sent


def calendar_feed(*, volunteer) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(volunteer=volunteer)
    return feed


def renew_calendar_feed(*, volunteer) -> CalendarFeed:
    """A new secret address for the volunteer's feed: the old one stops answering at once (for a
    link shared by mistake, or a phone that was lost)."""
    feed = calendar_feed(volunteer=volunteer)
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    return feed
