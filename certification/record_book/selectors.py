"""Reads of the record book: one volunteer's verified record as plain data, the same for the
page, the PDF, the public share page and the JSON export; and share links by token."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from courses.models import CoursePage, Enrolment, QuizAttempt
from lms.translation import current_language

from ..models import (
    Certificate,
    LevelAward,
    PracticalActivity,
    RecordBookPdf,
    RecordBookShare,
    SkillSignOff,
)

# The JSON export's shape: bump the number on any change that is not a new optional key.
JSON_FORMAT = "komek-record-book/1"
# secrets.token_urlsafe(24) gives 32 of these; anything else is not worth a query.
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class CourseEntry:
    title: str
    language: str
    completed_at: datetime
    score_percent: Decimal | None  # the mean of the course's quizzes' best passing scores


@dataclass(frozen=True)
class CertificateEntry:
    code: str
    kind: str
    kind_label: str
    title: str
    status: str  # valid, expired or revoked (as the verify page says)
    issued_at: datetime
    expires_at: datetime | None
    verify_url: str


@dataclass(frozen=True)
class ActivityEntry:
    date: date
    event: str
    event_kind: str  # an Event's kind when the hours came from its attendance, else ""
    event_kind_label: str
    direction: str
    direction_slug: str
    hours: Decimal


@dataclass(frozen=True)
class DirectionHours:
    direction: str
    direction_slug: str
    hours: Decimal


@dataclass(frozen=True)
class SkillEntry:
    skill: str
    skill_slug: str
    date: date
    place: str
    signed_by: str


@dataclass(frozen=True)
class LevelEntry:
    level: str
    level_slug: str
    rank: int
    awarded_at: datetime


@dataclass(frozen=True)
class RecordBook:
    """A volunteer's verified record at `as_of`: only what Komek itself confirmed."""

    holder_name: str
    branch: str
    level: str
    member_since: datetime
    as_of: datetime
    courses: list = field(default_factory=list)
    certificates: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    hours_by_direction: list = field(default_factory=list)
    skills: list = field(default_factory=list)
    levels: list = field(default_factory=list)

    @property
    def total_hours(self):
        return sum((row.hours for row in self.hours_by_direction), Decimal(0))

    @property
    def is_empty(self):
        return not (self.courses or self.certificates or self.activities or self.skills)


def holder_name(user):
    return user.get_full_name() or user.email


def record_book(volunteer, *, now=None, language=None) -> RecordBook:
    """The record of `volunteer` (with user, branch and level selected) in `language`'s words."""
    language = language or current_language()
    return RecordBook(
        holder_name=holder_name(volunteer.user),
        branch=volunteer.branch.name,
        level=volunteer.level.name,
        member_since=volunteer.joined_at,
        as_of=now or timezone.now(),
        courses=_courses(volunteer.user_id, language),
        certificates=_certificates(volunteer.user_id, language),
        activities=(activities := _activities(volunteer)),
        hours_by_direction=_hours_by_direction(activities),
        skills=_skills(volunteer),
        levels=_levels(volunteer),
    )


def _courses(user_id, language):
    """Courses passed, each once whatever the language versions taken: the earliest pass, in the
    reader's language where the volunteer passed that version."""
    enrolments = (
        Enrolment.objects.filter(user_id=user_id, completed_at__isnull=False)
        .select_related("course__locale")
        .order_by("completed_at")
    )
    chosen = {}
    for enrolment in enrolments:
        key = enrolment.course.translation_key
        if key not in chosen or enrolment.course.locale.language_code == language:
            first = chosen[key].completed_at if key in chosen else enrolment.completed_at
            chosen[key] = _Pass(enrolment.course, min(first, enrolment.completed_at))
    scores = _scores(user_id, [item.course for item in chosen.values()])
    entries = [
        CourseEntry(
            title=item.course.title,
            language=item.course.locale.language_code,
            completed_at=item.completed_at,
            score_percent=scores.get(item.course.pk),
        )
        for item in chosen.values()
    ]
    return sorted(entries, key=lambda entry: entry.completed_at, reverse=True)


@dataclass(frozen=True)
class _Pass:
    course: CoursePage
    completed_at: datetime


def _scores(user_id, courses):
    """Each course's score: the mean over its quizzes of the best passing percent (one query)."""
    if not courses:
        return {}
    best = (
        QuizAttempt.objects.filter(user_id=user_id, passed=True, percent__isnull=False)
        .values("quiz__path")
        .annotate(best=Max("percent"))
    )
    by_course = defaultdict(list)
    for row in best:
        for course in courses:
            if row["quiz__path"].startswith(course.path):
                by_course[course.pk].append(row["best"])
    return {
        pk: (sum(values) / len(values)).quantize(Decimal("0.1")) for pk, values in by_course.items()
    }


def _certificates(user_id, language):
    """Certificates that were issued (revoked ones too: an employer sees the truth); not the
    ones still being prepared, nor the ones replaced by a reissue."""
    certificates = (
        Certificate.objects.filter(
            holder_id=user_id,
            status__in=[Certificate.Status.ISSUED, Certificate.Status.REVOKED],
        )
        .select_related("holder")
        .order_by("-issued_at")
    )  # a badge's standing is its holder's
    return [
        CertificateEntry(
            code=certificate.public_code,
            kind=certificate.kind,
            kind_label=certificate.get_kind_display(),
            title=certificate.title(language),
            status=certificate.verification_status,
            issued_at=certificate.issued_at,
            expires_at=certificate.expires_at,
            verify_url=certificate.verify_url,
        )
        for certificate in certificates
    ]


def _activities(volunteer):
    activities = (
        PracticalActivity.objects.filter(
            volunteer=volunteer, status=PracticalActivity.Status.CONFIRMED
        )
        .select_related("direction", "attendance__sign_up__event")
        .order_by("-date", "-created_at")
    )
    entries = []
    for activity in activities:
        attendance = getattr(activity, "attendance", None)
        event = attendance.sign_up.event if attendance is not None else None
        entries.append(
            ActivityEntry(
                date=activity.date,
                event=event.title if event else activity.event,
                event_kind=event.kind if event else "",
                event_kind_label=event.get_kind_display() if event else "",
                direction=activity.direction.name,
                direction_slug=activity.direction.slug,
                hours=activity.hours,
            )
        )
    return entries


def _hours_by_direction(activities):
    totals, names = defaultdict(Decimal), {}
    for activity in activities:
        totals[activity.direction_slug] += activity.hours
        names[activity.direction_slug] = activity.direction
    return [
        DirectionHours(direction=names[slug], direction_slug=slug, hours=hours)
        for slug, hours in sorted(totals.items(), key=lambda item: (-item[1], names[item[0]]))
    ]


def _skills(volunteer):
    """Skills shown and signed off ("not yet" results are a step in training, not a record)."""
    sign_offs = SkillSignOff.objects.filter(
        volunteer=volunteer, result=SkillSignOff.Result.PASSED
    ).select_related("skill", "signed_by")
    return [
        SkillEntry(
            skill=sign_off.skill.name,
            skill_slug=sign_off.skill.slug,
            date=sign_off.date,
            place=sign_off.place,
            signed_by=holder_name(sign_off.signed_by),
        )
        for sign_off in sign_offs
    ]


def _levels(volunteer):
    awards = (
        LevelAward.objects.filter(
            volunteer=volunteer, status=LevelAward.Status.AWARDED, awarded_at__isnull=False
        )
        .select_related("level")
        .order_by("level__rank")
    )
    return [
        LevelEntry(
            level=award.level.name,
            level_slug=award.level.slug,
            rank=award.level.rank,
            awarded_at=award.awarded_at,
        )
        for award in awards
    ]


def as_json(book: RecordBook, *, share_url=None) -> dict:
    """The record as JSON (format JSON_FORMAT, documented in README): ISO 8601 dates and
    times in UTC, hours and scores as numbers, names in the language asked for, slugs stable."""
    return {
        "format": JSON_FORMAT,
        "issuer": "Komek",
        "as_of": _iso(book.as_of),
        "share_url": share_url,
        "holder": {
            "name": book.holder_name,
            "branch": book.branch,
            "level": book.level,
            "member_since": _iso(book.member_since),
        },
        "courses": [
            {
                "title": entry.title,
                "language": entry.language,
                "completed_at": _iso(entry.completed_at),
                "score_percent": _number(entry.score_percent),
            }
            for entry in book.courses
        ],
        "certificates": [
            {
                "code": entry.code,
                "kind": entry.kind,
                "title": entry.title,
                "status": entry.status,
                "issued_at": _iso(entry.issued_at),
                "expires_at": _iso(entry.expires_at),
                "verify_url": entry.verify_url,
            }
            for entry in book.certificates
        ],
        "hours": {
            "total": _number(book.total_hours),
            "by_direction": [
                {
                    "direction": row.direction_slug,
                    "name": row.direction,
                    "hours": _number(row.hours),
                }
                for row in book.hours_by_direction
            ],
            "activities": [
                {
                    "date": entry.date.isoformat(),
                    "event": entry.event,
                    "event_kind": entry.event_kind or None,
                    "direction": entry.direction_slug,
                    "hours": _number(entry.hours),
                }
                for entry in book.activities
            ],
        },
        "skills": [
            {
                "skill": entry.skill_slug,
                "name": entry.skill,
                "date": entry.date.isoformat(),
                "place": entry.place,
                "signed_off_by": entry.signed_by,
            }
            for entry in book.skills
        ],
        "levels": [
            {
                "level": entry.level_slug,
                "name": entry.level,
                "rank": entry.rank,
                "awarded_at": _iso(entry.awarded_at),
            }
            for entry in book.levels
        ],
    }


def _iso(value):
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


# Share links and PDFs ---------------------------------------------------------------------------


def share_by_token(token):
    """The share link `token` names, revoked or expired ones included (their page says so), or
    None for a token nobody was given."""
    if not TOKEN.fullmatch(token or ""):
        return None
    return (
        RecordBookShare.objects.select_related(
            "volunteer__user", "volunteer__branch", "volunteer__level"
        )
        .filter(token=token)
        .first()
    )


def share_path(share, language=None):
    with translation.override(language or current_language()):
        return reverse("record_book_share", args=[share.token])


def shares_of(volunteer):
    return list(RecordBookShare.objects.filter(volunteer=volunteer))


def pdfs_of(volunteer, *, limit=5):
    return list(RecordBookPdf.objects.filter(volunteer=volunteer).select_related("share")[:limit])
