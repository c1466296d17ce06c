"""Statistics for coordinators: a handful of sums over the scope, shaped into tables.

The numbers of learning, volunteers, hours and certificates come from running totals by day and
branch (models.StatisticsCount, kept by coordination/aggregates.py), so the page reads a few
thousand rows however many millions of facts there are; events are counted directly (there are
few). Each table also carries chart-ready shares, so templates draw bars without arithmetic.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DateField, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from lms.formatting import format_month

from ..models import (
    Certificate,
    Direction,
    Event,
    Level,
    PracticalActivity,
    SignUp,
    StatisticsCount,
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: object
    share: float  # 0–100: the bar's length relative to the chart's longest


@dataclass(frozen=True)
class Chart:
    """`bars`: one bar per item; `stacked`: items split into `legend` segments; `columns`: one
    group of columns per item (e.g. month), one column per `legend` series."""

    kind: str
    items: tuple
    legend: tuple = ()
    largest: object = None  # the value of a full-length bar, for a scale


@dataclass(frozen=True)
class ChartItem:
    label: str
    total: object
    parts: tuple[Bar, ...]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headings: tuple
    rows: tuple
    chart: Chart | None = None
    note: str = ""
    n_label_columns: int = 1  # leading columns of words; the rest are numbers


@dataclass
class Statistics:
    start: datetime.date
    end: datetime.date
    tables: list[Table] = field(default_factory=list)
    totals: dict = field(default_factory=dict)

    def table(self, key):
        return next((table for table in self.tables if table.key == key), None)


def default_period(today=None):
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime.date(year, month, 1), today


def share(value, largest):
    if not largest or not value:
        return 0.0
    return round(100 * float(value) / float(largest), 1)


def months_between(start, end):
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def day_bounds(start, end):
    """[start 00:00, the day after end 00:00) in the current time zone."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )


# Queries -----------------------------------------------------------------------------------------


def counted(metric, scope, start=None, end=None):
    """The running totals of one metric within the scope (and the period's days)."""
    rows = StatisticsCount.objects.filter(metric=metric)
    if not scope.sees_all:
        rows = rows.filter(branch_id__in=scope.branch_ids)
    if start is not None:
        rows = rows.filter(day__gte=start, day__lte=end)
    return rows.order_by()


def volunteers_by_branch_and_level(scope):
    """Members whose account can log in, by branch and level."""
    return {
        (row["branch_id"], row["subject"]): row["n"]
        for row in counted(StatisticsCount.Metric.VOLUNTEERS, scope)
        .values("branch_id", "subject")
        .annotate(n=Sum("n"))
        .filter(n__gt=0)
    }


def volunteers_by_direction_and_level(scope):
    """Every member in each of their directions, by level."""
    counts = defaultdict(int)
    for row in (
        counted(StatisticsCount.Metric.DIRECTIONS, scope)
        .values("subject", "second")
        .annotate(n=Sum("n"))
        .filter(n__gt=0)
    ):
        counts[(row["subject"], row["second"])] = row["n"]
    return dict(counts)


def learning_by_month(scope, start, end):
    """Enrolments and completions by month: every learner for an all-branches scope (the whole
    platform), otherwise only members of the scope's branches."""
    enrolled = counts_by_month(scope, StatisticsCount.Metric.ENROLLED, start, end)
    completed = counts_by_month(scope, StatisticsCount.Metric.COMPLETED, start, end)
    return [(month, enrolled[month], completed[month]) for month in months_between(start, end)]


def counts_by_month(scope, metric, start, end):
    """{first day of month: the metric's count in it}: the days' totals, in one query."""
    counts = defaultdict(int)
    for row in counted(metric, scope, start, end).values("day").annotate(n=Sum("n")):
        counts[row["day"].replace(day=1)] += row["n"]
    return {month: counts[month] for month in months_between(start, end)}


def quiz_results(scope, start, end):
    # Finished attempts (submitted or timed out), by the day they were handed in.
    rows = [
        row
        for row in counted(StatisticsCount.Metric.QUIZ, scope, start, end)
        .values(quiz_id=F("subject"))
        .annotate(n=Sum("n"), n_passed=Sum("n_second"))
        if row["n"]
    ]
    quizzes = {
        page.pk: page
        for page in Page.objects.filter(pk__in=[row["quiz_id"] for row in rows]).select_related(
            "locale"
        )
    }
    parent_paths = {page.path[: -Page.steplen] for page in quizzes.values()}
    courses = dict(Page.objects.filter(path__in=parent_paths).values_list("path", "title"))
    results = []
    for row in rows:
        quiz = quizzes.get(row["quiz_id"])
        if quiz is None:
            continue
        results.append(
            {
                "course": courses.get(quiz.path[: -Page.steplen], ""),
                "quiz": quiz.title,
                "language": quiz.locale.language_code,
                "n_attempts": row["n"],
                "n_passed": row["n_passed"],
                "pass_rate": round(100 * row["n_passed"] / row["n"], 1) if row["n"] else None,
            }
        )
    return sorted(results, key=lambda item: (item["course"], item["quiz"], item["language"]))


def confirmed_hours(scope, start, end):
    return {
        (row["branch_id"], row["subject"]): (row["hours"], row["n"])
        for row in counted(StatisticsCount.Metric.HOURS, scope, start, end)
        .values("branch_id", "subject")
        .annotate(hours=Sum("total"), n=Sum("n"))
        if row["n"]
    }


def certificates_issued(scope, start, end):
    """Certificates issued in the period (being prepared ones not yet), by holder's branch.

    A reissue (or a badge swapped on promotion) replaces a certificate: counted once."""
    return {
        (row["branch_id"] or None, row["kind"]): (
            row["n"],
            row["n_verified"],
            int(row["n_verifications"]),
        )
        for row in counted(StatisticsCount.Metric.CERTIFICATES, scope, start, end)
        .values("branch_id", "kind")
        .annotate(n=Sum("n"), n_verified=Sum("n_second"), n_verifications=Sum("total"))
        if row["n"]
    }


@dataclass(frozen=True)
class EventCounts:
    n_events: int = 0
    n_signed_up: int = 0
    n_checked_in: int = 0
    n_no_shows: int = 0
    hours: Decimal = Decimal(0)
    hours_pending: Decimal = Decimal(0)

    def __add__(self, other):
        return EventCounts(
            *(getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__)
        )

    @property
    def attendance_rate(self):
        """Checked in of signed up, in per cent; None when nobody signed up."""
        if not self.n_signed_up:
            return None
        return round(100 * self.n_checked_in / self.n_signed_up, 1)


def events_held(scope, start, end, now=None):
    """{(branch, first day of month, kind): EventCounts} of the events that started in the period
    and are over, in one query (sign-ups, attendance and their activities are one-to-one joins).

    Signed up counts who held a place at the end: the no-shows too, not the waitlist or who
    cancelled in time; checked in is who came of those."""
    since, until = day_bounds(start, end)
    held = scope.events().filter(
        starts_at__gte=since, starts_at__lt=until, ends_at__lte=now or timezone.now()
    )
    placed = Q(sign_ups__status__in=[SignUp.Status.SIGNED_UP, SignUp.Status.NO_SHOW])
    activity = "sign_ups__attendance__activity"
    rows = (
        held.order_by()
        .values("branch_id", "kind", month=TruncMonth("starts_at", output_field=DateField()))
        .annotate(
            n_events=Count("pk", distinct=True),
            n_signed_up=Count("sign_ups", filter=placed),
            n_checked_in=Count("sign_ups__attendance", filter=placed),
            n_no_shows=Count("sign_ups", filter=Q(sign_ups__status=SignUp.Status.NO_SHOW)),
            hours=Sum(
                f"{activity}__hours",
                filter=placed & Q(**{f"{activity}__status": PracticalActivity.Status.CONFIRMED}),
            ),
            hours_pending=Sum(
                f"{activity}__hours",
                filter=placed & Q(**{f"{activity}__status": PracticalActivity.Status.PENDING}),
            ),
        )
    )
    return {
        (row["branch_id"], row["month"], row["kind"]): EventCounts(
            n_events=row["n_events"],
            n_signed_up=row["n_signed_up"],
            n_checked_in=row["n_checked_in"],
            n_no_shows=row["n_no_shows"],
            hours=row["hours"] or Decimal(0),
            hours_pending=row["hours_pending"] or Decimal(0),
        )
        for row in rows
    }


# Tables ------------------------------------------------------------------------------------------


def statistics(scope, *, start, end) -> Statistics:
    branches = list(scope.branches().order_by("sort_order", "name_ru"))
    levels = list(Level.objects.order_by("rank"))
    directions = list(Direction.objects.order_by("sort_order", "name_ru"))
    level_names = tuple(level.name for level in levels)

    by_branch = volunteers_by_branch_and_level(scope)
    by_direction = volunteers_by_direction_and_level(scope)
    hours = confirmed_hours(scope, start, end)
    certificates = certificates_issued(scope, start, end)
    held = events_held(scope, start, end)

    result = Statistics(start=start, end=end)
    result.tables.append(
        level_table(
            "levels-by-branch",
            _("Volunteers by level and branch"),
            _("Branch"),
            [(branch.pk, branch.name) for branch in branches],
            levels,
            by_branch,
        )
    )
    result.tables.append(
        level_table(
            "levels-by-direction",
            _("Volunteers by level and direction"),
            _("Direction"),
            [(direction.pk, direction.name) for direction in directions],
            levels,
            by_direction,
            note=_("A volunteer working in several directions is counted in each of them."),
        )
    )
    result.tables.append(learning_table(learning_by_month(scope, start, end), scope))
    result.tables.append(quiz_table(quiz_results(scope, start, end)))
    result.tables.append(hours_table(hours, directions))
    result.tables.append(certificate_table(certificates))
    result.tables.append(event_table(held, branches))
    result.tables.append(event_kind_table(held))
    if len(branches) > 1:
        result.tables.append(branch_table(branches, by_branch, hours, certificates))
    result.totals = {
        "n_volunteers": sum(by_branch.values()),
        "hours": sum((value[0] for value in hours.values()), Decimal(0)),
        "n_certificates": sum(value[0] for value in certificates.values()),
        "n_verifications": sum(value[2] or 0 for value in certificates.values()),
        "events": sum(held.values(), EventCounts()),
        "level_names": level_names,
    }
    return result


def level_table(key, title, label_heading, groups, levels, counts, note=""):
    rows = []
    items = []
    for group_pk, name in groups:
        values = [counts.get((group_pk, level.pk), 0) for level in levels]
        rows.append((name, *values, sum(values)))
    largest = max((row[-1] for row in rows), default=0)
    for row in rows:
        parts = tuple(
            Bar(level.name, value, share(value, largest))
            for level, value in zip(levels, row[1:-1], strict=True)
        )
        items.append(ChartItem(row[0], row[-1], parts))
    return Table(
        key=key,
        title=title,
        headings=(label_heading, *(level.name for level in levels), _("Total")),
        rows=tuple(rows),
        chart=Chart("stacked", tuple(items), legend=tuple(level.name for level in levels)),
        note=note,
    )


def learning_table(months, scope):
    largest = max((max(enrolled, completed) for _month, enrolled, completed in months), default=0)
    items = tuple(
        ChartItem(
            month_label(month),
            enrolled,
            (
                Bar(_("Enrolments"), enrolled, share(enrolled, largest)),
                Bar(_("Completions"), completed, share(completed, largest)),
            ),
        )
        for month, enrolled, completed in months
    )
    return Table(
        key="learning",
        title=_("Enrolments and completions by month"),
        headings=(_("Month"), _("Enrolments"), _("Courses completed")),
        rows=tuple(
            (month_label(month), enrolled, completed) for month, enrolled, completed in months
        ),
        chart=Chart(
            "columns", items, legend=(_("Enrolments"), _("Courses completed")), largest=largest
        ),
        note=_("All learners of the platform.")
        if scope.sees_all
        else _("Members of the branch only."),
    )


def month_label(month):
    return format_month(month)


def quiz_table(results):
    rows = tuple(
        (
            item["course"],
            item["quiz"],
            item["language"].upper(),
            item["n_attempts"],
            item["n_passed"],
            item["pass_rate"],
        )
        for item in results
    )
    items = tuple(
        ChartItem(
            f"{item['course']} · {item['quiz']} ({item['language'].upper()})",
            item["pass_rate"],
            (Bar(item["quiz"], item["pass_rate"], item["pass_rate"] or 0.0),),
        )
        for item in results
    )
    return Table(
        key="quizzes",
        title=_("Quiz pass rates"),
        headings=(
            _("Course"),
            _("Quiz"),
            _("Language"),
            _("Attempts"),
            _("Passed"),
            _("Pass rate, %"),
        ),
        rows=rows,
        chart=Chart("bars", items),
        note=_("Submitted attempts in the period; the pass rate is passed attempts of all."),
        n_label_columns=3,
    )


def hours_table(hours, directions):
    per_direction = defaultdict(lambda: [Decimal(0), 0])
    for (_branch, direction_pk), (total, n) in hours.items():
        per_direction[direction_pk][0] += total or 0
        per_direction[direction_pk][1] += n
    rows = tuple(
        (direction.name, *per_direction.get(direction.pk, (Decimal(0), 0)))
        for direction in directions
    )
    largest = max((row[1] for row in rows), default=0)
    return Table(
        key="hours",
        title=_("Confirmed practical hours by direction"),
        headings=(_("Direction"), _("Confirmed hours"), _("Activities")),
        rows=rows,
        chart=Chart(
            "bars",
            tuple(
                ChartItem(name, total, (Bar(name, total, share(total, largest)),))
                for name, total, _n in rows
            ),
        ),
    )


def certificate_table(certificates):
    per_kind = defaultdict(lambda: [0, 0, 0])
    for (_branch, kind), (n, n_verified, n_verifications) in certificates.items():
        per_kind[kind][0] += n
        per_kind[kind][1] += n_verified
        per_kind[kind][2] += n_verifications or 0
    rows = tuple(
        (str(label), *per_kind.get(kind, (0, 0, 0))) for kind, label in Certificate.Kind.choices
    )
    largest = max((row[1] for row in rows), default=0)
    return Table(
        key="certificates",
        title=_("Certificates issued and verified"),
        headings=(
            _("Kind"),
            _("Issued"),
            _("Verified at least once"),
            _("Verifications"),
        ),
        rows=rows,
        chart=Chart(
            "stacked",
            tuple(
                ChartItem(
                    name,
                    n,
                    (
                        Bar(_("Verified at least once"), n_verified, share(n_verified, largest)),
                        Bar(_("Not verified yet"), n - n_verified, share(n - n_verified, largest)),
                    ),
                )
                for name, n, n_verified, _n_verifications in rows
            ),
            legend=(_("Verified at least once"), _("Not verified yet")),
        ),
        note=_("Certificates issued in the period, by the holder's branch."),
    )


def branch_table(branches, by_branch, hours, certificates):
    volunteers = defaultdict(int)
    for (branch_pk, _level), n in by_branch.items():
        volunteers[branch_pk] += n
    branch_hours = defaultdict(Decimal)
    for (branch_pk, _direction), (total, _n) in hours.items():
        branch_hours[branch_pk] += total or 0
    issued = defaultdict(int)
    verifications = defaultdict(int)
    for (branch_pk, _kind), (n, _n_verified, n_verifications) in certificates.items():
        issued[branch_pk] += n
        verifications[branch_pk] += n_verifications or 0
    rows = tuple(
        (
            branch.name,
            volunteers[branch.pk],
            branch_hours[branch.pk],
            issued[branch.pk],
            verifications[branch.pk],
        )
        for branch in branches
    )
    largest = max((row[2] for row in rows), default=0)
    return Table(
        key="branches",
        title=_("Branches at a glance"),
        headings=(
            _("Branch"),
            _("Volunteers"),
            _("Confirmed hours"),
            _("Certificates issued"),
            _("Verifications"),
        ),
        rows=rows,
        chart=Chart(
            "bars",
            tuple(
                ChartItem(row[0], row[2], (Bar(row[0], row[2], share(row[2], largest)),))
                for row in rows
            ),
        ),
        note=_("Bars show confirmed hours in the period."),
    )


def event_columns():
    return (
        _("Events held"),
        _("Signed up"),
        _("Checked in"),
        _("No-shows"),
        _("Attendance, %"),
        _("Confirmed hours"),
        _("Hours awaiting confirmation"),
    )


def event_values(counts):
    return (
        counts.n_events,
        counts.n_signed_up,
        counts.n_checked_in,
        counts.n_no_shows,
        counts.attendance_rate,
        counts.hours,
        counts.hours_pending,
    )


def attendance_chart(items):
    """Stacked bars: who came and who did not, of everyone signed up."""
    largest = max((counts.n_signed_up for _label, counts in items), default=0)
    came, absent = _("Checked in"), _("Did not come")
    return Chart(
        "stacked",
        tuple(
            ChartItem(
                label,
                counts.n_signed_up,
                (
                    Bar(came, counts.n_checked_in, share(counts.n_checked_in, largest)),
                    Bar(
                        absent,
                        counts.n_signed_up - counts.n_checked_in,
                        share(counts.n_signed_up - counts.n_checked_in, largest),
                    ),
                ),
            )
            for label, counts in items
        ),
        legend=(came, absent),
    )


def event_table(held, branches):
    """Events held, attendance and hours by branch, month and kind of event."""
    order = {branch.pk: (n, branch.name) for n, branch in enumerate(branches)}
    kinds = list(Event.Kind)
    keys = sorted(
        (key for key in held if key[0] in order),
        key=lambda key: (order[key[0]][0], key[1], kinds.index(key[2])),
    )
    labelled = [
        (order[key[0]][1], month_label(key[1]), Event.Kind(key[2]).label, held[key]) for key in keys
    ]
    return Table(
        key="events",
        title=_("Events by branch and month"),
        headings=(_("Branch"), _("Month"), _("Kind of event"), *event_columns()),
        rows=tuple(
            (branch, month, kind, *event_values(counts)) for branch, month, kind, counts in labelled
        ),
        chart=attendance_chart(
            [(f"{branch} · {month} · {kind}", counts) for branch, month, kind, counts in labelled]
        ),
        note=_(
            "Events that started in the period and are over. Attendance is who checked in of "
            "everyone signed up, no-shows included; the waitlist and cancellations are not counted."
        ),
        n_label_columns=3,
    )


def event_kind_table(held):
    per_kind = defaultdict(EventCounts)
    for (_branch, _month, kind), counts in held.items():
        per_kind[kind] += counts
    rows = tuple(
        (str(kind.label), *event_values(per_kind[kind])) for kind in Event.Kind if kind in per_kind
    )
    largest = max((row[6] + row[7] for row in rows), default=0)
    confirmed, pending = _("Confirmed hours"), _("Hours awaiting confirmation")
    return Table(
        key="event-kinds",
        title=_("Attendance and hours by kind of event"),
        headings=(_("Kind of event"), *event_columns()),
        rows=rows,
        chart=Chart(
            "stacked",
            tuple(
                ChartItem(
                    row[0],
                    row[6] + row[7],
                    (
                        Bar(confirmed, row[6], share(row[6], largest)),
                        Bar(pending, row[7], share(row[7], largest)),
                    ),
                )
                for row in rows
            ),
            legend=(confirmed, pending),
        ),
        note=_("Bars show the hours volunteers spent at the events: confirmed and awaiting."),
    )
