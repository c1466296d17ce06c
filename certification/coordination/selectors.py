"""The lists and queues coordinators work: hours and promotions to decide, the volunteers list
and record, letters and members to sign off. Every read takes the coordinator's scope."""

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from courses.models import CoursePage, Enrolment

from ..models import (
    Certificate,
    Direction,
    Level,
    LevelAward,
    LevelRequirement,
    PracticalActivity,
    SkillSignOff,
    Volunteer,
)
from ..recertification import selectors as recertification

# Course filter on the volunteers list: one of these, for the chosen course.
COMPLETED = "completed"
IN_PROGRESS = "in_progress"
NOT_ENROLLED = "not_enrolled"
# The course choice that means "every course the second level asks for".
NEWCOMER_COURSE = "newcomer"


# Queues ------------------------------------------------------------------------------------------


def pending_activities(scope):
    """Hours waiting for confirmation, oldest first: they have waited longest."""
    return (
        scope.activities()
        .filter(status=PracticalActivity.Status.PENDING)
        .select_related("volunteer__user", "volunteer__branch", "direction")
        .order_by("date", "created_at")
    )


def awaiting_awards(scope):
    return (
        scope.awards()
        .filter(status=LevelAward.Status.AWAITING_APPROVAL)
        .select_related("volunteer__user", "volunteer__branch", "volunteer__level", "level")
        .order_by("requested_at")
    )


def queue_counts(scope):
    return {
        "n_pending_hours": scope.activities()
        .filter(status=PracticalActivity.Status.PENDING)
        .count(),
        "n_awaiting_awards": scope.awards()
        .filter(status=LevelAward.Status.AWAITING_APPROVAL)
        .count(),
    }


# The volunteers list -----------------------------------------------------------------------------


def confirmed_hours_subquery():
    """Each volunteer's confirmed hours, computed per row from the (volunteer, status) index."""
    total = (
        PracticalActivity.objects.filter(
            volunteer=OuterRef("pk"), status=PracticalActivity.Status.CONFIRMED
        )
        .order_by()
        .values("volunteer")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=DecimalField(max_digits=8, decimal_places=1)),
        Value(0, output_field=DecimalField(max_digits=8, decimal_places=1)),
    )


def newcomer_course_keys():
    """Translation keys of the courses the second level asks for: "the newcomer course"."""
    second = Level.objects.order_by("rank")[1:2]
    return list(
        CoursePage.objects.filter(
            pk__in=LevelRequirement.objects.filter(
                level__in=second, kind=LevelRequirement.Kind.COURSE
            ).values("course_id")
        )
        .values_list("translation_key", flat=True)
        .distinct()
    )


def course_enrolments(translation_key, *, completed=None):
    """Enrolments of the scope's row user in any language version of a course."""
    enrolments = Enrolment.objects.filter(
        user_id=OuterRef("user_id"),
        course_id__in=CoursePage.objects.filter(translation_key=translation_key).values("pk"),
    )
    if completed is True:
        enrolments = enrolments.filter(completed_at__isnull=False)
    elif completed is False:
        enrolments = enrolments.filter(completed_at__isnull=True)
    return enrolments


def volunteer_list(
    scope,
    *,
    query="",
    level=None,
    direction=None,
    course=None,
    course_status=COMPLETED,
    certificates=None,
):
    """The scope's volunteers, filtered; `course` is a course page, NEWCOMER_COURSE or None;
    `certificates` is recertification.EXPIRED, LAPSING (expired or expiring) or None. Each row
    carries `recertification`: whether a certificate a level asks for expired or expires soon."""
    volunteers = recertification.with_recertification(scope.volunteers())
    if certificates == recertification.EXPIRED:
        volunteers = volunteers.filter(recertification=recertification.EXPIRED)
    elif certificates == recertification.LAPSING:
        volunteers = volunteers.exclude(recertification="")
    if level is not None:
        volunteers = volunteers.filter(level=level)
    if direction is not None:
        volunteers = volunteers.filter(directions=direction)
    if query:
        volunteers = volunteers.filter(matching(query, prefix="user__"))
    if course == NEWCOMER_COURSE:
        keys = newcomer_course_keys()
        if not keys:
            # Nothing is asked of newcomers: everybody has "completed" it, nobody has not.
            return volunteers if course_status == COMPLETED else volunteers.none()
        volunteers = _by_course_status(volunteers, keys, course_status)
    elif course is not None:
        volunteers = _by_course_status(volunteers, [course.translation_key], course_status)
    return (
        volunteers.select_related("user", "branch", "level")
        .prefetch_related(Prefetch("directions", queryset=Direction.objects.order_by("sort_order")))
        .annotate(confirmed_hours=confirmed_hours_subquery())
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _by_course_status(volunteers, keys, course_status):
    for key in keys:
        if course_status == COMPLETED:
            volunteers = volunteers.filter(Exists(course_enrolments(key, completed=True)))
        elif course_status == IN_PROGRESS:
            # Passed in one language and started again in another is still "completed".
            volunteers = volunteers.filter(Exists(course_enrolments(key, completed=False))).exclude(
                Exists(course_enrolments(key, completed=True))
            )
        else:
            volunteers = volunteers.filter(~Exists(course_enrolments(key)))
    return volunteers


def matching(query, *, prefix=""):
    """Name, email or phone containing every word of the query."""
    condition = Q()
    for word in query.split():
        any_field = Q()
        # SQLite (development) folds only ASCII case: "новик" must still find "Новикова".
        for variant in {word, word.lower(), word.capitalize()}:
            for name in ("last_name", "first_name", "patronymic", "email", "phone"):
                any_field |= Q(**{f"{prefix}{name}__icontains": variant})
        condition &= any_field
    return condition


# One volunteer -----------------------------------------------------------------------------------


def volunteer_record(volunteer):
    """Everything a coordinator looks at on one volunteer's page (queries stay constant)."""
    activities = list(
        volunteer.activities.select_related("direction", "reviewed_by").order_by(
            "-date", "-created_at"
        )[:50]
    )
    totals = {
        row["status"]: row["total"]
        for row in volunteer.activities.order_by().values("status").annotate(total=Sum("hours"))
    }
    return {
        "activities": activities,
        "confirmed_hours": totals.get(PracticalActivity.Status.CONFIRMED, 0),
        "pending_hours": totals.get(PracticalActivity.Status.PENDING, 0),
        "sign_offs": list(
            SkillSignOff.objects.filter(volunteer=volunteer).select_related("skill", "signed_by")
        ),
        "awards": list(
            LevelAward.objects.filter(volunteer=volunteer)
            .select_related("level", "decided_by")
            .order_by("-requested_at")
        ),
        "lapses": recertification.lapses_of(volunteer),
        "certificates": list(
            Certificate.objects.filter(holder_id=volunteer.user_id)
            .exclude(status=Certificate.Status.REPLACED)
            .order_by("-issued_at")
        ),
    }


# Letters and sign-offs ---------------------------------------------------------------------------


def letters_with_counts(letters):
    """Attach `n_recipients` to each letter with one query over the letters' certificates."""
    letters = list(letters)
    counts = dict(
        Certificate.objects.filter(letter__in=letters)
        .exclude(status=Certificate.Status.REPLACED)
        .values("letter")
        .annotate(n=Count("pk"))
        .values_list("letter", "n")
    )
    for letter in letters:
        letter.n_recipients = counts.get(letter.pk, 0)
    return letters


def members_for_sign_off(query, *, limit=20):
    """Members of any branch whose name, email or phone matches: sign-offs are not branch-bound."""
    if len(query.strip()) < 2:
        return Volunteer.objects.none()
    return (
        Volunteer.objects.filter(matching(query, prefix="user__"))
        .select_related("user", "branch", "level")
        .order_by("user__last_name", "user__first_name")[:limit]
    )
