"""Coordinators' statistics: the numbers on a small dataset, per branch and for headquarters."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.coordination.scope import coordination_scope
from certification.coordination.statistics import default_period, statistics
from certification.models import Certificate, PracticalActivity
from courses.models import Enrolment, QuizAttempt
from tests.factories import (
    UserFactory,
    direction,
    make_coordinator,
    make_course,
    make_member,
    quiz_of,
)

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}
KIND = {kind: str(label) for kind, label in Certificate.Kind.choices}


def moment(day, hour=12):
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def rows_of(table):
    return {row[0]: row[1:] for row in table.rows}


@pytest.fixture
def world():
    """Almaty: a coordinator, a newcomer and a volunteer; Shymkent: a volunteer; Astana (HQ): a
    coordinator; and a learner who is not a member. Things happen in and around Q1 2025."""
    almaty = make_coordinator(branch_slug="almaty", email="almaty@example.kz")
    hq = make_coordinator(branch_slug="astana", email="hq@example.kz")
    newcomer = make_member(branch_slug="almaty", level_slug="newcomer")
    helper = make_member(
        branch_slug="almaty", level_slug="volunteer", directions=("first-aid", "blood-donation")
    )
    far = make_member(branch_slug="shymkent", level_slug="volunteer")
    learner = UserFactory()  # never joined

    course = make_course("Первая помощь", slug="first-aid", quiz={})
    quiz = quiz_of(course)
    for user, enrolled, completed in [
        (newcomer.user, datetime.date(2025, 1, 10), None),
        (helper.user, datetime.date(2025, 1, 20), datetime.date(2025, 2, 5)),
        (far.user, datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)),
        (learner, datetime.date(2025, 3, 3), None),
        (almaty, datetime.date(2024, 12, 31), datetime.date(2025, 1, 2)),  # enrolled before
    ]:
        Enrolment.objects.create(
            user=user,
            course=course,
            enrolled_at=moment(enrolled),
            completed_at=moment(completed) if completed else None,
        )
    for number, (user, passed, day) in enumerate(
        [
            (newcomer.user, False, datetime.date(2025, 1, 11)),
            (helper.user, True, datetime.date(2025, 1, 25)),
            (far.user, True, datetime.date(2025, 2, 2)),
            (learner, False, datetime.date(2025, 3, 4)),
            (helper.user, False, datetime.date(2025, 6, 1)),  # after the period
        ]
    ):
        QuizAttempt.objects.create(
            user=user,
            quiz=quiz,
            number=number + 1,
            status=QuizAttempt.Status.SUBMITTED,
            submitted_at=moment(day),
            passed=passed,
        )
    QuizAttempt.objects.create(user=far.user, quiz=quiz, number=9, status=QuizAttempt.Status.OPEN)

    for member, hours, status, day, slug in [
        (helper, "6", PracticalActivity.Status.CONFIRMED, datetime.date(2025, 2, 10), "first-aid"),
        (
            helper,
            "2.5",
            PracticalActivity.Status.CONFIRMED,
            datetime.date(2025, 3, 10),
            "blood-donation",
        ),
        (newcomer, "4", PracticalActivity.Status.PENDING, datetime.date(2025, 2, 10), "first-aid"),
        (far, "10", PracticalActivity.Status.CONFIRMED, datetime.date(2025, 1, 15), "first-aid"),
        (far, "3", PracticalActivity.Status.CONFIRMED, datetime.date(2024, 12, 1), "first-aid"),
    ]:
        PracticalActivity.objects.create(
            volunteer=member,
            date=day,
            event="Дежурство",
            direction=direction(slug),
            hours=Decimal(hours),
            status=status,
        )

    for n, (holder, kind, status, branch, verifications, day) in enumerate(
        [
            (helper.user, "course", "issued", helper.branch, 3, datetime.date(2025, 2, 5)),
            (helper.user, "letter", "issued", helper.branch, 0, datetime.date(2025, 2, 20)),
            (newcomer.user, "letter", "pending", helper.branch, 0, datetime.date(2025, 2, 20)),
            (far.user, "course", "issued", far.branch, 1, datetime.date(2025, 3, 1)),
            (learner, "course", "revoked", None, 2, datetime.date(2025, 3, 5)),
            (helper.user, "badge", "issued", helper.branch, 5, datetime.date(2024, 11, 1)),
        ]
    ):
        Certificate.objects.create(
            kind=kind,
            status=status,
            source_key=f"test:{n}",
            holder=holder,
            holder_name=str(holder),
            title_ru="Сертификат",
            branch=branch,
            n_verifications=verifications,
            issued_at=moment(day),
        )
    return {"almaty": almaty, "hq": hq}


def test_a_branch_coordinator_counts_their_branch_only(world):
    result = statistics(coordination_scope(world["almaty"]), start=START, end=END)

    levels = rows_of(result.table("levels-by-branch"))
    assert list(levels) == ["Алматы"]
    # newcomer, volunteer, senior, coordinator, instructor, total
    assert levels["Алматы"] == (1, 1, 0, 1, 0, 3)
    directions = rows_of(result.table("levels-by-direction"))
    assert directions["Первая помощь"] == (1, 1, 0, 1, 0, 3)
    assert directions["Донорство крови"] == (0, 1, 0, 0, 0, 1)

    learning = result.table("learning").rows
    assert [row[1:] for row in learning] == [(2, 1), (0, 1), (0, 0)]  # Jan, Feb, Mar

    (quiz,) = result.table("quizzes").rows
    assert quiz[1:] == ("Тест", "RU", 2, 1, 50.0)

    hours = rows_of(result.table("hours"))
    assert hours["Первая помощь"] == (Decimal("6"), 1)
    assert hours["Донорство крови"] == (Decimal("2.5"), 1)

    certificates = rows_of(result.table("certificates"))
    assert certificates[KIND["course"]] == (1, 1, 3)
    assert certificates[KIND["letter"]] == (1, 0, 0)  # the pending one not yet
    assert certificates[KIND["badge"]] == (0, 0, 0)  # issued before the period

    assert result.table("branches") is None
    assert result.totals["n_volunteers"] == 3
    assert result.totals["hours"] == Decimal("8.5")


def test_headquarters_count_every_branch_and_every_learner(world):
    result = statistics(coordination_scope(world["hq"]), start=START, end=END)

    levels = rows_of(result.table("levels-by-branch"))
    assert levels["Алматы"][-1] == 3
    assert levels["Шымкент"] == (0, 1, 0, 0, 0, 1)
    assert levels["Астана (штаб)"] == (0, 0, 0, 1, 0, 1)
    assert [row[1:] for row in result.table("learning").rows] == [(2, 1), (1, 1), (1, 1)]
    (quiz,) = result.table("quizzes").rows
    assert quiz[3:] == (4, 2, 50.0)
    assert rows_of(result.table("hours"))["Первая помощь"] == (Decimal("16"), 2)
    course = rows_of(result.table("certificates"))[KIND["course"]]
    assert course == (3, 3, 6)  # the non-member's revoked one was issued too
    branches = rows_of(result.table("branches"))
    assert branches["Шымкент"] == (1, Decimal("10"), 1, 1)
    assert branches["Алматы"] == (3, Decimal("8.5"), 2, 3)


def test_headquarters_narrow_the_page_to_one_branch(client, world):
    client.force_login(world["hq"])
    response = client.get(reverse("coordination:statistics"), {**PERIOD, "branch": "shymkent"})
    result = response.context["statistics"]
    assert list(rows_of(result.table("levels-by-branch"))) == ["Шымкент"]
    assert rows_of(result.table("hours"))["Первая помощь"] == (Decimal("10"), 1)


def test_the_page_shows_charts_and_tables_in_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["hq"])
    with django_assert_max_num_queries(24):
        response = client.get(reverse("coordination:statistics"), PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="chart ') == 7
    assert html.count("<table") == 7
    assert "Тест" in html


def test_a_branch_coordinator_cannot_see_other_branches_by_asking(client, world):
    client.force_login(world["almaty"])
    response = client.get(reverse("coordination:statistics"), {**PERIOD, "branch": "shymkent"})
    levels = rows_of(response.context["statistics"].table("levels-by-branch"))
    assert list(levels) == ["Алматы"]


def test_each_table_exports_to_csv_and_xlsx(client, world):
    client.force_login(world["almaty"])
    base = reverse("coordination:statistics_export", args=["hours", "csv"])
    response = client.get(base, PERIOD)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    xlsx = client.get(reverse("coordination:statistics_export", args=["learning", "xlsx"]), PERIOD)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))

    assert len(rows) == 1 + 7  # heading and every direction
    assert ["6", "1"] in [row[1:] for row in rows]
    assert ["2.5", "1"] in [row[1:] for row in rows]
    assert len(values) == 4  # heading and three months
    assert [row[1:] for row in values[1:]] == [(2, 1), (0, 1), (0, 0)]
    assert "statistics-learning-20250101-20250331.xlsx" in xlsx["Content-Disposition"]


def test_an_unknown_table_or_format_is_not_found(client, world):
    client.force_login(world["almaty"])
    assert (
        client.get(reverse("coordination:statistics_export", args=["nothing", "csv"])).status_code
        == 404
    )
    assert (
        client.get(reverse("coordination:statistics_export", args=["hours", "pdf"])).status_code
        == 404
    )


def test_a_reversed_period_is_explained_and_the_default_shown(client, world):
    client.force_login(world["almaty"])
    response = client.get(
        reverse("coordination:statistics"), {"start": "2025-03-01", "end": "2025-01-01"}
    )
    assert response.context["form"].non_field_errors()
    result = response.context["statistics"]
    assert (result.start, result.end) == default_period()


def test_the_default_period_is_the_last_twelve_months():
    assert default_period(datetime.date(2026, 11, 23)) == (
        datetime.date(2025, 12, 1),
        datetime.date(2026, 11, 23),
    )
    assert default_period(datetime.date(2026, 1, 5))[0] == datetime.date(2025, 2, 1)
