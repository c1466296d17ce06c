"""Lapsed level requirements: a course a level asks for whose certificate has expired, or expires
within the reminder window, with nothing newer standing in its place. Shown to the member on My
path and to coordinators on the volunteers list and page."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from courses.models import CoursePage
from courses.selectors import one_version_each

from ..models import Certificate, Level, LevelRequirement
from .services import THRESHOLDS

# How far ahead a certificate counts as expiring: the first reminder's window.
EXPIRING_WITHIN = timedelta(days=max(THRESHOLDS))
EXPIRED = "expired"
EXPIRING = "expiring"
LAPSING = "lapsing"  # a filter: expired or expiring


@dataclass(frozen=True)
class RequiredCourse:
    """A course some level asks for. `keys` are the translation keys whose certificates count
    for it (the course and its refresher); `level_rank` is the lowest level asking for it."""

    course: CoursePage
    keys: frozenset
    level_rank: int


@dataclass(frozen=True)
class Lapse:
    course: CoursePage  # in the reader's language where there is a version
    expires_at: datetime
    is_expired: bool
    refresher: CoursePage | None


def required_courses():
    """Every course a level asks for, once, with the lowest level that asks for it."""
    required = {}
    for requirement in LevelRequirement.objects.filter(
        kind=LevelRequirement.Kind.COURSE, course__isnull=False
    ).select_related("level", "course", "course__refresher_course"):
        course = requirement.course
        refresher = course.refresher_course or course
        keys = frozenset({str(course.translation_key), str(refresher.translation_key)})
        rank = requirement.level.rank
        known = required.get(keys)
        if known is None or rank < known.level_rank:
            required[keys] = RequiredCourse(course=course, keys=keys, level_rank=rank)
    return list(required.values())


def concerns(level_rank, member_rank, ranks):
    """A level concerns the members who hold it and those working towards it: no level lies
    between theirs and it."""
    return not any(member_rank < rank < level_rank for rank in ranks)


def standing(certificates, moment):
    """Certificates that still stand at `moment` (pending ones are about to)."""
    return certificates.filter(
        Q(status=Certificate.Status.PENDING)
        | Q(status=Certificate.Status.ISSUED)
        & (Q(expires_at__isnull=True) | Q(expires_at__gt=moment))
    )


def lapsing(certificates, moment):
    """An issued certificate that ends by `moment`, and none standing past it."""
    return Exists(
        certificates.filter(status=Certificate.Status.ISSUED, expires_at__lte=moment)
    ) & ~Exists(standing(certificates, moment))


def with_recertification(volunteers, *, now=None):
    """Annotate each volunteer with `recertification`: "expired", "expiring" (within 60 days)
    or "" — for a course a level they hold or work towards asks for. Part of the list's one
    query, so it can be filtered on and costs nothing per row."""
    now = now or timezone.now()
    expired, expiring = [], []
    for required in required_courses():
        certificates = Certificate.objects.filter(
            holder_id=OuterRef("user_id"),
            kind=Certificate.Kind.COURSE,
            course__translation_key__in=list(required.keys),
        )
        # As `concerns`, in the query: no level between the volunteer's and the one asking.
        concerned = ~Exists(
            Level.objects.filter(rank__gt=OuterRef("level__rank"), rank__lt=required.level_rank)
        )
        expired.append(When(concerned & lapsing(certificates, now), then=Value(EXPIRED)))
        expiring.append(
            When(concerned & lapsing(certificates, now + EXPIRING_WITHIN), then=Value(EXPIRING))
        )
    if not expired:
        return volunteers.annotate(recertification=Value("", output_field=CharField()))
    # Every "expired" case comes first: one lapsed course outweighs another that only expires.
    return volunteers.annotate(
        recertification=Case(*expired, *expiring, default=Value(""), output_field=CharField())
    )


def lapses_of(volunteer, *, language=None, now=None) -> list[Lapse]:
    """The member's lapsed or lapsing required courses, each with the course to take."""
    now = now or timezone.now()
    horizon = now + EXPIRING_WITHIN
    ranks = list(Level.objects.values_list("rank", flat=True))
    concerned = [
        item
        for item in required_courses()
        if concerns(item.level_rank, volunteer.level.rank, ranks)
    ]
    if not concerned:
        return []
    keys = set().union(*(item.keys for item in concerned))
    certificates = list(
        Certificate.objects.filter(
            holder_id=volunteer.user_id,
            kind=Certificate.Kind.COURSE,
            course__translation_key__in=list(keys),
            status__in=[Certificate.Status.ISSUED, Certificate.Status.PENDING],
        ).values_list("course__translation_key", "status", "expires_at")
    )
    found = []
    for item in concerned:
        mine = [(status, ends) for key, status, ends in certificates if str(key) in item.keys]
        if not mine or any(
            status == Certificate.Status.PENDING or ends is None or ends > horizon
            for status, ends in mine
        ):
            continue
        found.append((item, max(ends for _status, ends in mine)))
    if not found:
        return []
    pages = one_version_each(
        CoursePage.objects.live()
        .filter(translation_key__in=keys)
        .select_related("locale")
        .order_by("path"),
        language=language,
    )
    by_key = {str(page.translation_key): page for page in pages}
    lapses = []
    for item, ends in found:
        refresher = item.course.refresher_course or item.course
        lapses.append(
            Lapse(
                course=by_key.get(str(item.course.translation_key), item.course),
                expires_at=ends,
                is_expired=ends <= now,
                refresher=by_key.get(str(refresher.translation_key)),
            )
        )
    return sorted(lapses, key=lambda lapse: lapse.expires_at)
