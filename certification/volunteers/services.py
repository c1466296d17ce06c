"""The volunteer's path: joining, practical hours, skill sign-offs, level awards and letters.

Services in the STYLE.md sense: keyword-only arguments, one transaction, return the object.
Every change that can move a volunteer up re-runs the progression engine (`advance`).
"""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Enrolment
from lms.translation import language_codes

from ..certificates.issuing import issue, reissue
from ..coordination import aggregates
from ..models import (
    AppreciationLetter,
    Branch,
    Certificate,
    Level,
    LevelAward,
    PracticalActivity,
    SkillSignOff,
    Volunteer,
)
from . import progression, roles

MAX_ACTIVITY_AGE = timedelta(days=366)
# The daily sweep looks back this far, so a missed day or two loses nobody.
TIME_SERVED_WINDOW = timedelta(days=7)
BADGE_VALIDITY_MONTHS = 24


class VolunteerError(Exception):
    """A refused action, with a message to show."""


def in_all_languages(make_text):
    """{"ru": ..., "kk": ..., "en": ...} with `make_text()` called in each language."""
    texts = {}
    for language in language_codes():
        with translation.override(language):
            texts[language] = str(make_text())
    return texts


def ladder(*, labelled=True):
    """The levels with their requirements, as the progression engine's plain data.

    Labels (in the reader's language; a course's title takes a query each) are for pages that
    show the ladder; promoting needs none."""
    levels = Level.objects.prefetch_related(
        "requirements__course", "requirements__direction", "requirements__skill"
    )
    return [
        progression.LevelRule(
            rank=level.rank,
            slug=level.slug,
            name=level.name,
            min_months_at_previous=level.min_months_at_previous,
            requires_approval=level.requires_approval,
            requirements=tuple(
                progression.Requirement(
                    kind=item.kind,
                    course=str(item.course.translation_key) if item.course_id else None,
                    hours=Decimal(item.hours) if item.hours else None,
                    direction=item.direction.slug if item.direction_id else None,
                    skill=item.skill.slug if item.skill_id else None,
                    label=requirement_label(item) if labelled else "",
                )
                for item in level.requirements.all()
            ),
        )
        for level in levels
    ]


def requirement_label(item):
    if item.kind == item.Kind.COURSE:
        course = item.course.localized  # the reader's language version, where there is one
        return _("Course “%(course)s” passed") % {"course": course.title}
    if item.kind == item.Kind.SKILL:
        return _("Skill signed off: %(skill)s") % {"skill": item.skill.name}
    if item.direction_id:
        return _("Confirmed practical hours in “%(direction)s”") % {
            "direction": item.direction.name
        }
    return _("Confirmed practical hours")


def record_of(volunteer) -> progression.VolunteerRecord:
    passed = Enrolment.objects.filter(
        user_id=volunteer.user_id, completed_at__isnull=False
    ).values_list("course__translation_key", flat=True)
    hours = (
        PracticalActivity.objects.filter(
            volunteer=volunteer, status=PracticalActivity.Status.CONFIRMED
        )
        .values_list("direction__slug")
        .annotate(total=Sum("hours"))
    )
    skills = SkillSignOff.objects.filter(
        volunteer=volunteer, result=SkillSignOff.Result.PASSED
    ).values_list("skill__slug", flat=True)
    return progression.VolunteerRecord(
        rank=volunteer.level.rank,
        level_since=timezone.localdate(volunteer.level_since),
        passed_courses=frozenset(str(key) for key in passed),
        hours=dict(hours),
        skills=frozenset(skills),
    )


def standing_of(volunteer, *, today=None) -> progression.Standing:
    return progression.standing(record_of(volunteer), ladder(), today=today or timezone.localdate())


def last_evidence_at(volunteer):
    """When the volunteer's record last grew: a decline stands until something new is added."""
    moments = [
        PracticalActivity.objects.filter(
            volunteer=volunteer, status=PracticalActivity.Status.CONFIRMED
        ).aggregate(at=Max("reviewed_at"))["at"],
        SkillSignOff.objects.filter(
            volunteer=volunteer, result=SkillSignOff.Result.PASSED
        ).aggregate(at=Max("created_at"))["at"],
        Enrolment.objects.filter(user_id=volunteer.user_id).aggregate(at=Max("completed_at"))["at"],
    ]
    return max((moment for moment in moments if moment is not None), default=None)


@transaction.atomic
def apply(*, user, branch, directions, city="", motivation="", photo=None, now=None) -> Volunteer:
    """An application to join: the applicant becomes a Newcomer at once."""
    now = now or timezone.now()
    if Volunteer.objects.filter(user=user).exists():
        raise VolunteerError(_("You are already a member of the movement."))
    first = Level.objects.order_by("rank").first()
    volunteer = Volunteer.objects.create(
        user=user,
        branch=branch,
        level=first,
        level_since=now,
        city=city,
        motivation=motivation,
        consent_at=now,
        joined_at=now,
    )
    volunteer.directions.set(directions)
    if photo:
        volunteer.photo.save(photo.name, photo, save=True)
    LevelAward.objects.create(
        volunteer=volunteer,
        level=first,
        status=LevelAward.Status.AWARDED,
        requested_at=now,
        awarded_at=now,
    )
    # A learner who already passed the newcomer course is a volunteer straight away.
    advance(volunteer=volunteer, now=now)
    volunteer.refresh_from_db()
    return volunteer


def advance(*, volunteer, now=None) -> list[LevelAward]:
    """Re-run the engine: promote while every requirement is met, or queue for approval."""
    now = now or timezone.now()
    awards = []
    with transaction.atomic():
        # Only the volunteer's row: locking the level row too (FOR UPDATE on the join) would
        # make every promotion in the country wait for every other one at the same level.
        volunteer = (
            Volunteer.objects.select_for_update(of=("self",))
            .select_related("level", "user", "branch")
            .get(pk=volunteer.pk)
        )
        # Read once: a promotion changes only the level and its date, which the loop carries.
        levels = ladder(labelled=False)
        record = record_of(volunteer)
        while True:
            step = progression.standing(record, levels, today=timezone.localdate(now)).next
            if step is None or not step.is_met:
                break
            level = Level.objects.get(rank=step.level.rank)
            existing = (
                LevelAward.objects.filter(volunteer=volunteer, level=level)
                .exclude(status=LevelAward.Status.DECLINED)
                .first()
            )
            if existing is not None:
                break  # already waiting for a coordinator
            if not step.level.requires_approval:
                awards.append(award_level(volunteer=volunteer, level=level, now=now))
                record = replace(record, rank=level.rank, level_since=timezone.localdate(now))
                continue
            declined = (
                LevelAward.objects.filter(
                    volunteer=volunteer, level=level, status=LevelAward.Status.DECLINED
                )
                .order_by("-awarded_at")
                .values_list("awarded_at", flat=True)
                .first()
            )
            evidence = last_evidence_at(volunteer)
            if declined is not None and (evidence is None or evidence <= declined):
                break
            awards.append(
                LevelAward.objects.create(
                    volunteer=volunteer,
                    level=level,
                    status=LevelAward.Status.AWAITING_APPROVAL,
                    requested_at=now,
                )
            )
            break
    return awards


def award_level(*, volunteer, level, award=None, by=None, now=None) -> LevelAward:
    """Make it so: the volunteer is at `level` from now, with its certificate and badge."""
    now = now or timezone.now()
    if award is None:
        award = LevelAward(volunteer=volunteer, level=level, requested_at=now)
    award.status = LevelAward.Status.AWARDED
    award.awarded_at = now
    award.decided_by = by
    award.save()
    aggregates.level_changed(volunteer=volunteer, level=level)
    Volunteer.objects.filter(pk=volunteer.pk).update(level=level, level_since=now)
    volunteer.level, volunteer.level_since = level, now
    user = volunteer.user
    # Printed after the kind ("Level certificate: Senior volunteer").
    titles = in_all_languages(lambda: level.name)
    issue(
        kind=Certificate.Kind.LEVEL,
        holder=user,
        source_key=f"level:{award.pk}",
        title_ru=titles["ru"],
        title_kk=titles["kk"],
        title_en=titles["en"],
        languages=user.preferred_language,
        direction=volunteer.directions.order_by("sort_order").first(),
        level=level,
        branch=volunteer.branch,
        now=now,
    )
    if level.rank >= 2:
        renew_badge(volunteer=volunteer, now=now)
    group = roles.group_for_level(level.slug)
    if group is not None:
        user.groups.add(group)
    return award


def renew_badge(*, volunteer, now=None) -> Certificate:
    """The volunteer badge shows the current level: a promotion replaces the old card."""
    now = now or timezone.now()
    source_key = f"badge:{volunteer.pk}"
    old = (
        Certificate.objects.select_for_update()
        .filter(source_key=source_key)
        .exclude(status=Certificate.Status.REPLACED)
        .first()
    )
    if old is not None and old.status == Certificate.Status.REVOKED:
        # Staff withdrew the badge on purpose: a promotion does not hand out a new one.
        return old
    user = volunteer.user
    titles = in_all_languages(lambda: volunteer.level.name)
    printed = {
        "title_ru": titles["ru"],
        "title_kk": titles["kk"],
        "title_en": titles["en"],
        "languages": user.preferred_language,
        "direction": volunteer.directions.order_by("sort_order").first(),
        "level": volunteer.level,
        "branch": volunteer.branch,
    }
    if old is not None:
        return reissue(
            certificate=old,
            now=now,
            expires_at=now + relativedelta(months=BADGE_VALIDITY_MONTHS),
            **printed,
        )
    return issue(
        kind=Certificate.Kind.BADGE,
        holder=user,
        source_key=source_key,
        validity_months=BADGE_VALIDITY_MONTHS,
        now=now,
        **printed,
    )


@transaction.atomic
def approve_award(*, award, by, now=None) -> LevelAward:
    award = (
        LevelAward.objects.select_for_update(of=("self", "volunteer"))
        .select_related("volunteer", "level")
        .get(pk=award.pk)
    )
    if award.status != LevelAward.Status.AWAITING_APPROVAL:
        raise VolunteerError(_("This promotion has already been decided."))
    if award.volunteer.user_id == by.pk:
        raise VolunteerError(_("You cannot decide on your own promotion."))
    volunteer = (
        Volunteer.objects.select_for_update().select_related("user").get(pk=award.volunteer_id)
    )
    award_level(volunteer=volunteer, level=award.level, award=award, by=by, now=now)
    transaction.on_commit(lambda: advance(volunteer=volunteer))
    return award


@transaction.atomic
def decline_award(*, award, by, reason, now=None) -> LevelAward:
    reason = (reason or "").strip()
    if not reason:
        raise VolunteerError(_("Give the reason: the volunteer sees it."))
    award = LevelAward.objects.select_for_update().get(pk=award.pk)
    if award.status != LevelAward.Status.AWAITING_APPROVAL:
        raise VolunteerError(_("This promotion has already been decided."))
    if award.volunteer.user_id == by.pk:
        raise VolunteerError(_("You cannot decide on your own promotion."))
    award.status = LevelAward.Status.DECLINED
    # The decision's date: a new request needs evidence newer than this.
    award.awarded_at = now or timezone.now()
    award.decided_by = by
    award.decline_reason = reason
    award.save()
    return award


@transaction.atomic
def log_activity(
    *, volunteer, date, event, direction, hours, note="", now=None
) -> PracticalActivity:
    today = timezone.localdate(now or timezone.now())
    if date > today:
        raise VolunteerError(_("The date cannot be in the future."))
    if date < today - MAX_ACTIVITY_AGE:
        raise VolunteerError(_("Activities older than a year cannot be logged."))
    event = event.strip()
    # A member's logs are written one at a time, so a double tap finds the first one below.
    Volunteer.objects.select_for_update(no_key=True).get(pk=volunteer.pk)
    if PracticalActivity.objects.filter(
        volunteer=volunteer,
        date=date,
        event__iexact=event,
        direction=direction,
        hours=hours,
        status__in=[PracticalActivity.Status.PENDING, PracticalActivity.Status.CONFIRMED],
    ).exists():
        # A second tap on "Log the hours" must not double them.
        raise VolunteerError(_("These hours are already logged."))
    return PracticalActivity.objects.create(
        volunteer=volunteer,
        date=date,
        event=event.strip(),
        direction=direction,
        hours=hours,
        note=note.strip(),
    )


def review_activity(*, activity, by, confirm, reason="", now=None) -> PracticalActivity:
    """Confirm (hours start to count) or reject with a reason the volunteer sees."""
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise VolunteerError(_("Give the reason for rejecting: the volunteer sees it."))
    with transaction.atomic():
        activity = PracticalActivity.objects.select_for_update().get(pk=activity.pk)
        if activity.status != PracticalActivity.Status.PENDING:
            raise VolunteerError(_("This activity has already been reviewed."))
        if activity.volunteer.user_id == by.pk:
            raise VolunteerError(_("You cannot confirm your own hours."))
        activity.status = (
            PracticalActivity.Status.CONFIRMED if confirm else PracticalActivity.Status.REJECTED
        )
        activity.rejection_reason = "" if confirm else reason
        activity.reviewed_by = by
        activity.reviewed_at = now or timezone.now()
        activity.save()
        if confirm:
            advance(volunteer=activity.volunteer, now=now)
    return activity


def record_sign_off(
    *, volunteer, skill, date, place, result, by, note="", now=None
) -> SkillSignOff:
    if date > timezone.localdate(now or timezone.now()):
        raise VolunteerError(_("The date cannot be in the future."))
    if volunteer.user_id == by.pk:
        raise VolunteerError(_("You cannot sign off your own skills."))
    with transaction.atomic():
        sign_off = SkillSignOff.objects.create(
            volunteer=volunteer,
            skill=skill,
            date=date,
            place=place.strip(),
            result=result,
            note=note.strip(),
            signed_by=by,
        )
        if result == SkillSignOff.Result.PASSED:
            advance(volunteer=volunteer, now=now)
    return sign_off


@transaction.atomic
def issue_letters(
    *, branch, event, event_date, volunteers, by, text="", now=None
) -> AppreciationLetter:
    """A letter of appreciation for an event: one certificate for each chosen volunteer."""
    volunteers = list(volunteers)
    if not volunteers:
        raise VolunteerError(_("Choose at least one volunteer."))
    if any(volunteer.branch_id != branch.pk for volunteer in volunteers) and not (
        branch.is_headquarters
    ):
        raise VolunteerError(_("Letters go to volunteers of this branch only."))
    # One branch's letters are written one at a time, so the check below sees a letter sent a
    # moment ago (a double click, two coordinators). NO KEY UPDATE: rows that merely refer to
    # the branch (members joining, certificates) are not kept waiting.
    Branch.objects.select_for_update(no_key=True).get(pk=branch.pk)
    already_thanked = Certificate.objects.filter(
        letter__branch=branch,
        letter__event__iexact=event.strip(),
        letter__event_date=event_date,
        holder__in=[volunteer.user_id for volunteer in volunteers],
    ).exclude(status=Certificate.Status.REPLACED)
    if already_thanked.exists():
        # Sending the form twice must not thank anyone twice for the same event.
        raise VolunteerError(
            _("Some of these volunteers already have a letter for this event: %(names)s.")
            % {"names": ", ".join(sorted({c.holder_name for c in already_thanked}))}
        )
    letter = AppreciationLetter.objects.create(
        branch=branch, event=event.strip(), event_date=event_date, text=text.strip(), issued_by=by
    )
    # The event's name as written, after the kind ("Letter of appreciation: Almaty marathon").
    titles = dict.fromkeys(language_codes(), letter.event)
    for volunteer in volunteers:
        user = volunteer.user
        issue(
            kind=Certificate.Kind.LETTER,
            holder=user,
            source_key=f"letter:{letter.pk}:{user.pk}",
            letter=letter,
            title_ru=titles["ru"],
            title_kk=titles["kk"],
            title_en=titles["en"],
            languages=user.preferred_language,
            level=volunteer.level,
            branch=volunteer.branch,
            text=letter.text,
            now=now,
        )
    return letter


def advance_time_served(*, now=None) -> int:
    """Daily sweep: months at a level are a requirement that nothing else announces.

    Only volunteers whose time at their level ran out in the last few days are looked at.
    """
    now = now or timezone.now()
    levels = list(Level.objects.order_by("rank"))
    n_awards = 0
    for level, next_level in pairwise(levels):
        if not next_level.min_months_at_previous:
            continue
        served_since = now - relativedelta(months=next_level.min_months_at_previous)
        due = Volunteer.objects.filter(
            level=level,
            level_since__lte=served_since,
            level_since__gt=served_since - TIME_SERVED_WINDOW,
        )
        for volunteer in due.iterator():
            n_awards += len(advance(volunteer=volunteer, now=now))
    return n_awards
