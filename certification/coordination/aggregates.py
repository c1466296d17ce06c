"""The running totals of the statistics page (models.StatisticsCount): kept by every change of
the facts they count, in the change's own transaction, and recounted from the facts every night.

Each fact contributes a few counts to a few keys (an enrolment: one enrolment on its day for its
learner's branch, one completion on the day it was completed). A change adds the difference of its
contribution after and before, as new rows (one per key, in one INSERT): rows are only ever added,
so concurrent changes never wait for each other's rows or deadlock, and add up. The page sums the
rows of each key; `fold` sums them into one row per key every few minutes, and `reconcile`
recounts everything from the facts every night, adding a correcting row wherever they differ.
The receivers below see every save and delete of the facts (a service's, the admin's, a test's);
the few services that write a fact with a bulk UPDATE call `level_changed` or
`verifications_added` themselves.

A learner's branch is the branch of their membership while their account is active (the page
counts members' learning per branch; everyone's for headquarters); 0 is "no branch". When a
membership starts, ends, moves or its account is (de)activated, the learner's counts move too.
"""

import logging
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_save,
    pre_delete,
    pre_save,
)
from django.dispatch import receiver
from django.utils import timezone

from courses.models import Enrolment, QuizAttempt

from ..models import Certificate, PracticalActivity, Volunteer
from ..models.statistics import TIMELESS, StatisticsCount

logger = logging.getLogger(__name__)

Metric = StatisticsCount.Metric
KEY = ("metric", "day", "branch_id", "subject", "second", "kind")
VALUES = ("n", "n_second", "total")
NOT_COUNTED = (Certificate.Status.PENDING, Certificate.Status.REPLACED)
# Not read before a save: the save leaves every counted field as it was.
MISSING = object()


def local_day(moment):
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


# What one fact counts ----------------------------------------------------------------------------


def enrolment_counts(values, branch):
    enrolled_at, completed_at = values
    counts = {}
    if enrolled_at is not None:
        counts[(Metric.ENROLLED, local_day(enrolled_at), branch, 0, 0, "")] = (1, 0, 0)
    if completed_at is not None:
        counts[(Metric.COMPLETED, local_day(completed_at), branch, 0, 0, "")] = (1, 0, 0)
    return counts


def attempt_counts(values, branch):
    submitted_at, quiz_id, passed = values
    if submitted_at is None:
        return {}
    return {
        (Metric.QUIZ, local_day(submitted_at), branch, quiz_id, 0, ""): (1, int(bool(passed)), 0)
    }


def activity_counts(values, branch):
    status, date, direction_id, hours = values
    if status != PracticalActivity.Status.CONFIRMED:
        return {}
    return {(Metric.HOURS, date, branch, direction_id, 0, ""): (1, 0, Decimal(hours))}


def certificate_counts(values):
    status, issued_at, branch_id, kind, n_verifications = values
    if issued_at is None or status in NOT_COUNTED:
        return {}
    key = (Metric.CERTIFICATES, local_day(issued_at), branch_id or 0, 0, 0, kind)
    return {key: (1, int(n_verifications > 0), n_verifications)}


def volunteer_counts(branch_id, level_id, is_active, direction_ids):
    counts = {}
    if is_active:
        counts[(Metric.VOLUNTEERS, TIMELESS, branch_id, level_id, 0, "")] = (1, 0, 0)
    for direction_id in direction_ids:
        counts[(Metric.DIRECTIONS, TIMELESS, branch_id, direction_id, level_id, "")] = (1, 0, 0)
    return counts


# Adding differences ------------------------------------------------------------------------------


def difference(after, before):
    change = defaultdict(lambda: [0, 0, 0])
    for sign, counts in ((1, after), (-1, before)):
        for key, values in counts.items():
            for n, value in enumerate(values):
                change[key][n] += sign * value
    return {key: values for key, values in change.items() if any(values)}


def add(change):
    """Add {key: (n, n_second, total)} to the running totals: one new row per key, inserted in
    one statement. Rows are only ever added (folded together later by `fold`), so concurrent
    changes never wait for each other's rows, whatever keys and order they touch."""
    if not change:
        return
    StatisticsCount.objects.bulk_create(
        [
            StatisticsCount(
                **dict(zip(KEY + VALUES, (*key, *values[:2], Decimal(values[2])), strict=True))
            )
            for key, values in change.items()
        ]
    )


def learner_branch(user_id):
    branch = (
        Volunteer.objects.filter(user_id=user_id, user__is_active=True)
        .values_list("branch_id", flat=True)
        .first()
    )
    return branch or 0


def move_learner(user_id, from_branch, to_branch):
    """A learner's enrolments and attempts now count for another branch (0: none)."""
    if from_branch == to_branch:
        return
    before, after = {}, {}
    for values in Enrolment.objects.filter(user_id=user_id).values_list(
        "enrolled_at", "completed_at"
    ):
        merge(before, enrolment_counts(values, from_branch))
        merge(after, enrolment_counts(values, to_branch))
    for values in QuizAttempt.objects.filter(
        user_id=user_id, submitted_at__isnull=False
    ).values_list("submitted_at", "quiz_id", "passed"):
        merge(before, attempt_counts(values, from_branch))
        merge(after, attempt_counts(values, to_branch))
    add(difference(after, before))


def move_activities(volunteer_id, from_branch, to_branch):
    if from_branch == to_branch:
        return
    before, after = {}, {}
    for values in PracticalActivity.objects.filter(
        volunteer_id=volunteer_id, status=PracticalActivity.Status.CONFIRMED
    ).values_list("status", "date", "direction_id", "hours"):
        merge(before, activity_counts(values, from_branch))
        merge(after, activity_counts(values, to_branch))
    add(difference(after, before))


def merge(into, counts):
    for key, values in counts.items():
        into[key] = tuple(a + b for a, b in zip(into.get(key, (0, 0, 0)), values, strict=True))


# Facts saved and deleted -------------------------------------------------------------------------

# The fields each fact's counts depend on, as `values_list` names them.
FIELDS = {
    Enrolment: ("enrolled_at", "completed_at"),
    QuizAttempt: ("submitted_at", "quiz_id", "passed"),
    PracticalActivity: ("status", "date", "direction_id", "hours"),
    Certificate: ("status", "issued_at", "branch_id", "kind", "n_verifications"),
}


def names(fields):
    """The names `save(update_fields=…)` may give the fields by."""
    return frozenset(fields) | {name.removesuffix("_id") for name in fields}


def current(instance):
    return tuple(getattr(instance, name) for name in FIELDS[type(instance)])


def branch_of(instance):
    """The branch a fact counts for, besides a certificate's own (looked up once per change)."""
    model = type(instance)
    if model is Certificate:
        return None
    if model is PracticalActivity:
        return activity_branch(instance)
    return learner_branch(instance.user_id)


def counts_of(instance, values, branch):
    model = type(instance)
    if not values:
        return {}
    if model is Certificate:
        return certificate_counts(values)
    if model is PracticalActivity:
        return activity_counts(values, branch)
    counter = enrolment_counts if model is Enrolment else attempt_counts
    return counter(values, branch)


def activity_branch(activity):
    volunteer = activity._state.fields_cache.get("volunteer")
    if volunteer is not None:
        return volunteer.branch_id
    return Volunteer.objects.filter(pk=activity.volunteer_id).values_list("branch_id", flat=True)[0]


def before_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """What was counted is what the database holds now: read it (the row is the service's to
    change, usually locked already), unless the save cannot touch a counted field."""
    instance._counted = MISSING
    if raw or instance._state.adding:
        instance._counted = None
        return
    if update_fields is not None and not names(FIELDS[sender]) & set(update_fields):
        return  # a draft, a render attempt, a reminder sent: nothing counted changes
    instance._counted = sender.objects.filter(pk=instance.pk).values_list(*FIELDS[sender]).first()


def saved(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_counted", MISSING)
    if raw or before is MISSING:
        return
    now = current(instance)
    if before == now:
        return
    branch = branch_of(instance)
    add(difference(counts_of(instance, now, branch), counts_of(instance, before, branch)))


def deleted(sender, instance, **kwargs):
    add(difference({}, counts_of(instance, current(instance), branch_of(instance))))


for model in FIELDS:
    label = model._meta.label_lower
    pre_save.connect(before_saving, sender=model, dispatch_uid=f"statistics.before.{label}")
    post_save.connect(saved, sender=model, dispatch_uid=f"statistics.saved.{label}")
    post_delete.connect(deleted, sender=model, dispatch_uid=f"statistics.deleted.{label}")


# Memberships -------------------------------------------------------------------------------------


def is_active(volunteer):
    user = volunteer._state.fields_cache.get("user")
    if user is not None:
        return user.is_active
    return get_user_model().objects.filter(pk=volunteer.user_id, is_active=True).exists()


def direction_ids(volunteer_id):
    through = Volunteer.directions.through.objects
    return list(through.filter(volunteer_id=volunteer_id).values_list("direction_id", flat=True))


MEMBERSHIP = names(("branch_id", "level_id"))


@receiver(pre_save, sender=Volunteer, dispatch_uid="statistics.before.volunteer")
def membership_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._counted = MISSING
    if raw or instance._state.adding:
        instance._counted = None
    elif update_fields is None or MEMBERSHIP & set(update_fields):
        instance._counted = (
            Volunteer.objects.filter(pk=instance.pk).values_list("branch_id", "level_id").first()
        )


@receiver(post_save, sender=Volunteer, dispatch_uid="statistics.saved.volunteer")
def membership_saved(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_counted", MISSING)
    now = (instance.branch_id, instance.level_id)
    if raw or before is MISSING or before == now:
        return
    active = is_active(instance)
    directions = [] if created else direction_ids(instance.pk)
    after_counts = volunteer_counts(*now, active, directions)
    before_counts = volunteer_counts(*before, active, directions) if before else {}
    add(difference(after_counts, before_counts))
    old_branch = before[0] if before else 0
    if active:
        move_learner(instance.user_id, old_branch, instance.branch_id)
    if before:
        move_activities(instance.pk, old_branch, instance.branch_id)


@receiver(pre_delete, sender=Volunteer, dispatch_uid="statistics.leaving.volunteer")
def membership_ending(sender, instance, **kwargs):
    # The directions are gone by post_delete (a bulk delete of the through rows).
    instance._leaving = (is_active(instance), direction_ids(instance.pk))


@receiver(post_delete, sender=Volunteer, dispatch_uid="statistics.deleted.volunteer")
def membership_ended(sender, instance, **kwargs):
    active, directions = getattr(instance, "_leaving", (is_active(instance), []))
    add(difference({}, volunteer_counts(instance.branch_id, instance.level_id, active, directions)))
    if active:
        move_learner(instance.user_id, instance.branch_id, 0)


def level_changed(*, volunteer, level):
    """Call before a bulk UPDATE of the volunteer's level (volunteers.services.award_level)."""
    row = Volunteer.objects.filter(pk=volunteer.pk).values_list("branch_id", "level_id").get()
    if row[1] == level.pk:
        return
    active, directions = is_active(volunteer), direction_ids(volunteer.pk)
    add(
        difference(
            volunteer_counts(row[0], level.pk, active, directions),
            volunteer_counts(*row, active, directions),
        )
    )


@receiver(m2m_changed, sender=Volunteer.directions.through, dispatch_uid="statistics.directions")
def directions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in ("pre_remove", "pre_clear"):
        # What is really there to remove (a removal may name directions the member lacks).
        through = sender.objects.all()
        if reverse:
            through = through.filter(direction_id=instance.pk)
            if pk_set is not None:
                through = through.filter(volunteer_id__in=pk_set)
        else:
            through = through.filter(volunteer_id=instance.pk)
            if pk_set is not None:
                through = through.filter(direction_id__in=pk_set)
        instance._leaving_directions = list(through.values_list("volunteer_id", "direction_id"))
        return
    if action == "post_add" and pk_set:
        pairs = [(pk, instance.pk) if reverse else (instance.pk, pk) for pk in pk_set]
        sign = 1
    elif action in ("post_remove", "post_clear"):
        pairs = getattr(instance, "_leaving_directions", [])
        sign = -1
    else:
        return
    members = dict(
        (pk, (branch, level))
        for pk, branch, level in Volunteer.objects.filter(
            pk__in={volunteer_id for volunteer_id, _ in pairs}
        ).values_list("pk", "branch_id", "level_id")
    )
    change = {}
    for volunteer_id, direction_id in pairs:
        branch, level = members[volunteer_id]
        merge(
            change, {(Metric.DIRECTIONS, TIMELESS, branch, direction_id, level, ""): (sign, 0, 0)}
        )
    add(change)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="statistics.before.user")
def account_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._counted_active = None
    if raw or instance._state.adding:
        return
    if update_fields is None or "is_active" in update_fields:
        instance._counted_active = (
            sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
        )


@receiver(post_save, sender=get_user_model(), dispatch_uid="statistics.saved.user")
def account_saved(sender, instance, created, raw=False, **kwargs):
    was_active = getattr(instance, "_counted_active", None)
    if raw or was_active is None or was_active == instance.is_active:
        return
    membership = Volunteer.objects.filter(user_id=instance.pk).values_list("branch_id", "level_id")
    if not membership:
        return
    branch, level = membership[0]
    sign = 1 if instance.is_active else -1
    add({(Metric.VOLUNTEERS, TIMELESS, branch, level, 0, ""): (sign, 0, 0)})
    if instance.is_active:
        move_learner(instance.pk, 0, branch)
    else:
        move_learner(instance.pk, branch, 0)


def verifications_added(*, public_code, n):
    """Call after adding `n` to a certificate's n_verifications with a bulk UPDATE."""
    values = Certificate.objects.filter(public_code=public_code).values_list(*FIELDS[Certificate])
    for status, issued_at, branch_id, kind, n_verifications in values:
        add(
            difference(
                certificate_counts((status, issued_at, branch_id, kind, n_verifications)),
                certificate_counts((status, issued_at, branch_id, kind, n_verifications - n)),
            )
        )


# Recounting --------------------------------------------------------------------------------------


def recount(apps=None):
    """{key: (n, n_second, total)} counted from the facts, as the running totals should be."""
    get = apps.get_model if apps else None
    volunteer = get("certification", "Volunteer") if get else Volunteer
    through = volunteer.directions.through
    enrolment = get("courses", "Enrolment") if get else Enrolment
    attempt = get("courses", "QuizAttempt") if get else QuizAttempt
    activity = get("certification", "PracticalActivity") if get else PracticalActivity
    certificate = get("certification", "Certificate") if get else Certificate
    zone = timezone.get_default_timezone()
    # The learner's branch while their account is active (a LEFT JOIN each, no row by row).
    branch = Case(
        When(
            user__is_active=True,
            user__volunteer__isnull=False,
            then=F("user__volunteer__branch_id"),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    counts = {}

    def collect(rows, key, values):
        for row in rows:
            merge(counts, {key(row): values(row)})

    collect(
        volunteer.objects.filter(user__is_active=True)
        .order_by()
        .values("branch_id", "level_id")
        .annotate(n=Count("*")),
        lambda row: (Metric.VOLUNTEERS, TIMELESS, row["branch_id"], row["level_id"], 0, ""),
        lambda row: (row["n"], 0, 0),
    )
    collect(
        through.objects.order_by()
        .values("volunteer__branch_id", "direction_id", "volunteer__level_id")
        .annotate(n=Count("*")),
        lambda row: (
            Metric.DIRECTIONS,
            TIMELESS,
            row["volunteer__branch_id"],
            row["direction_id"],
            row["volunteer__level_id"],
            "",
        ),
        lambda row: (row["n"], 0, 0),
    )
    for metric, field in ((Metric.ENROLLED, "enrolled_at"), (Metric.COMPLETED, "completed_at")):
        collect(
            enrolment.objects.filter(**{f"{field}__isnull": False})
            .order_by()
            .values(day=TruncDate(field, tzinfo=zone), branch=branch)
            .annotate(n=Count("*")),
            lambda row, metric=metric: (metric, row["day"], row["branch"], 0, 0, ""),
            lambda row: (row["n"], 0, 0),
        )
    collect(
        attempt.objects.filter(submitted_at__isnull=False)
        .order_by()
        .values("quiz_id", day=TruncDate("submitted_at", tzinfo=zone), branch=branch)
        .annotate(n=Count("*"), n_passed=Count("pk", filter=Q(passed=True))),
        lambda row: (Metric.QUIZ, row["day"], row["branch"], row["quiz_id"], 0, ""),
        lambda row: (row["n"], row["n_passed"], 0),
    )
    collect(
        activity.objects.filter(status=PracticalActivity.Status.CONFIRMED)
        .order_by()
        .values("date", "volunteer__branch_id", "direction_id")
        .annotate(n=Count("*"), hours=Sum("hours")),
        lambda row: (
            Metric.HOURS,
            row["date"],
            row["volunteer__branch_id"],
            row["direction_id"],
            0,
            "",
        ),
        lambda row: (row["n"], 0, row["hours"]),
    )
    collect(
        certificate.objects.filter(issued_at__isnull=False)
        .exclude(status__in=NOT_COUNTED)
        .order_by()
        .values(
            "kind",
            day=TruncDate("issued_at", tzinfo=zone),
            holder_branch=Coalesce("branch_id", Value(0), output_field=IntegerField()),
        )
        .annotate(
            n=Count("*"),
            n_verified=Count("pk", filter=Q(n_verifications__gt=0)),
            verifications=Sum("n_verifications"),
        ),
        lambda row: (Metric.CERTIFICATES, row["day"], row["holder_branch"], 0, 0, row["kind"]),
        lambda row: (row["n"], row["n_verified"], row["verifications"]),
    )
    return {key: values for key, values in counts.items() if any(values)}


def stored(model=StatisticsCount):
    """{key: (n, n_second, total)}: the stored rows summed per key, those that count anything."""
    return {
        tuple(row[name] for name in KEY): values
        for row in model.objects.order_by()
        .values(*KEY)
        .annotate(n_sum=Sum("n"), n_second_sum=Sum("n_second"), total_sum=Sum("total"))
        if any(values := (row["n_sum"], row["n_second_sum"], row["total_sum"]))
    }


# Drift is logged key by key up to this many (a first backfill is all "drift").
LOGGED = 100


def same(a, b):
    return all(Decimal(x) == Decimal(y) for x, y in zip(a, b, strict=True))


def reconcile(apps=None) -> int:
    """Recount every total from the facts and add a correcting row where the stored ones differ
    (logged); returns how many keys were wrong. On PostgreSQL the recount and the stored sums
    are read from one snapshot (REPEATABLE READ), so changes going on meanwhile neither wait nor
    count twice: each adds its own rows, after the snapshot."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # Only a transaction of its own can choose its isolation (a migration's or a test's
        # has run queries already).
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _reconcile(apps)


def _reconcile(apps):
    model = apps.get_model("certification", "StatisticsCount") if apps else StatisticsCount
    expected = recount(apps)
    found = stored(model)
    wrong = sorted(
        (
            key
            for key in expected.keys() | found.keys()
            if not same(expected.get(key, (0, 0, 0)), found.get(key, (0, 0, 0)))
        ),
        key=lambda key: tuple(map(str, key)),
    )
    for key in wrong[:LOGGED]:
        logger.warning(
            "Statistics drift at %s: stored %s, counted %s",
            key,
            found.get(key, (0, 0, 0)),
            expected.get(key, (0, 0, 0)),
        )
    if len(wrong) > LOGGED:
        logger.warning("Statistics drift at %s more keys", len(wrong) - LOGGED)
    corrections = []
    for key in wrong:
        should, has = expected.get(key, (0, 0, 0)), found.get(key, (0, 0, 0))
        values = [Decimal(a) - Decimal(b) for a, b in zip(should, has, strict=True)]
        corrections.append(
            model(
                **dict(
                    zip(
                        KEY + VALUES, (*key, int(values[0]), int(values[1]), values[2]), strict=True
                    )
                )
            )
        )
    model.objects.bulk_create(corrections, batch_size=1000)
    return len(wrong)


# Rows of one key folded into one, so the page sums few rows: every few minutes (beat).
FOLD_BATCH = 5000


def fold() -> int:
    """Sum the rows of each key that has several into one row; returns how many rows went. Rows
    added meanwhile are left for the next fold. Two folds at once cannot both fold the same rows:
    the second finds them deleted and rolls back."""
    folded = 0
    with transaction.atomic():
        keys = list(
            StatisticsCount.objects.order_by()
            .values(*KEY)
            .annotate(rows=Count("pk"))
            .filter(rows__gt=1)[:FOLD_BATCH]
        )
        for row in keys:
            key = {name: row[name] for name in KEY}
            rows = list(StatisticsCount.objects.filter(**key).values_list("pk", *VALUES))
            ids = [pk for pk, *_ in rows]
            if StatisticsCount.objects.filter(pk__in=ids).delete()[0] != len(ids):
                raise transaction.TransactionManagementError("statistics folded twice at once")
            sums = [sum(Decimal(values[n]) for _, *values in rows) for n in range(3)]
            if any(sums):
                StatisticsCount.objects.create(
                    **key, n=int(sums[0]), n_second=int(sums[1]), total=sums[2]
                )
            folded += len(ids) - (1 if any(sums) else 0)
    return folded
