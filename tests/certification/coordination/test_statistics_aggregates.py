"""The statistics page's running totals (coordination/aggregates.py): whatever the services do, the
totals equal a full recount of the facts, and the nightly reconciliation repairs any drift."""

import datetime
import logging
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from certification import tasks
from certification.certificates import issuing, pipeline, verification
from certification.coordination import aggregates
from certification.coordination.scope import coordination_scope
from certification.coordination.statistics import statistics
from certification.models import (
    Branch,
    Certificate,
    Direction,
    Level,
    PracticalActivity,
    StatisticsCount,
)
from certification.volunteers import services as volunteers
from courses import services as learning
from tests.factories import (
    UserFactory,
    direction,
    lessons_of,
    level,
    make_coordinator,
    make_course,
    make_member,
    quiz_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_process_counts(monkeypatch):
    """Verifications gather in this process and reach the database only when flushed."""
    monkeypatch.setattr(verification, "_local", verification._LocalCounts())
    monkeypatch.setattr(verification, "LOCAL_FLUSH_SECONDS", 3600)


def assert_totals_match_a_recount():
    assert aggregates.stored() == aggregates.recount()


def answer(attempt, right):
    question = attempt.questions[0]
    choice = next(c["id"] for c in question["choices"] if c["is_correct"] is right)
    return {f"q-{question['id']}": [choice]}


class World:
    """Learners, members and coordinators acting at random through the services."""

    def __init__(self, rng):
        self.rng = rng
        self.coordinator = make_coordinator(branch_slug="astana", email="hq@example.kz")
        self.courses = [
            make_course("Первая помощь", slug="first-aid", quiz={"max_attempts": None}),
            make_course("Донорство", slug="donors", n_lessons=2),
        ]
        self.learners = [UserFactory() for _ in range(4)]
        self.members = [
            make_member(branch_slug=slug, level_slug="volunteer")
            for slug in ("almaty", "shymkent", "almaty")
        ]
        self.learners += [member.user for member in self.members]

    def pick(self, items):
        return self.rng.choice(list(items))

    def enrol(self):
        learning.enrol(user=self.pick(self.learners), course=self.pick(self.courses))

    def complete_lessons(self):
        user, course = self.pick(self.learners), self.pick(self.courses)
        learning.enrol(user=user, course=course)
        for lesson in lessons_of(course):
            learning.complete_lesson(user=user, lesson=lesson)

    def take_quiz(self):
        user, quiz = self.pick(self.learners), quiz_of(self.courses[0])
        learning.enrol(user=user, course=self.courses[0])
        try:
            attempt = learning.start_attempt(user=user, quiz=quiz)
        except learning.LearningError:
            return  # passed already
        learning.submit_attempt(attempt=attempt, form=answer(attempt, self.rng.random() < 0.5))

    def join(self):
        outsiders = [user for user in self.learners if not hasattr(user, "volunteer")]
        if outsiders:
            user = self.pick(outsiders)
            self.members.append(
                volunteers.apply(
                    user=user,
                    branch=self.pick(Branch.objects.all()),
                    directions=Direction.objects.filter(slug="first-aid"),
                )
            )

    def log_and_review_hours(self):
        member = self.pick(self.members)
        activity = volunteers.log_activity(
            volunteer=member,
            date=timezone.localdate() - datetime.timedelta(days=self.rng.randrange(60)),
            event=f"Дежурство {self.rng.randrange(10**6)}",
            direction=direction(self.pick(["first-aid", "blood-donation"])),
            hours=Decimal(self.pick(["1.5", "4", "6.5"])),
        )
        volunteers.review_activity(
            activity=activity, by=self.coordinator, confirm=self.rng.random() < 0.7, reason="Нет"
        )

    def promote(self):
        member = self.pick(self.members)
        member.refresh_from_db()
        higher = Level.objects.filter(rank__gt=member.level.rank).exclude(
            levelaward__volunteer=member
        )
        if higher.exists():
            volunteers.award_level(volunteer=member, level=higher.order_by("rank").first())

    def move_branch(self):
        member = self.pick(self.members)
        member.refresh_from_db()
        member.branch = self.pick(Branch.objects.exclude(pk=member.branch_id))
        member.save()

    def change_directions(self):
        member = self.pick(self.members)
        member.directions.set(self.rng.sample(list(Direction.objects.all()), 2))

    def toggle_account(self):
        user = self.pick(self.learners)
        user.refresh_from_db()
        user.is_active = not user.is_active
        user.save()

    def render_certificates(self):
        for certificate in Certificate.objects.filter(status=Certificate.Status.PENDING)[:2]:
            pipeline.render(certificate_id=certificate.pk)

    def revoke(self):
        issued = list(Certificate.objects.filter(status=Certificate.Status.ISSUED))
        if issued:
            issuing.revoke(certificate=self.pick(issued), reason="Ошибка в имени")

    def verify(self):
        issued = list(Certificate.objects.exclude(status=Certificate.Status.PENDING))
        for certificate in issued[:3]:
            for _ in range(self.rng.randrange(1, 4)):
                verification.count(certificate.public_code)
        tasks.flush_verification_counts.apply()

    def actions(self):
        return [
            self.enrol,
            self.complete_lessons,
            self.take_quiz,
            self.join,
            self.log_and_review_hours,
            self.promote,
            self.move_branch,
            self.change_directions,
            self.toggle_account,
            self.render_certificates,
            self.revoke,
            self.verify,
        ]


def test_totals_kept_by_the_services_equal_a_recount_after_every_change(
    django_capture_on_commit_callbacks,
):
    rng = random.Random(18)
    world = World(rng)
    assert_totals_match_a_recount()
    done = []
    # Every kind of change once, in a random order, then 36 more at random.
    steps = world.actions()
    rng.shuffle(steps)
    steps += [rng.choice(world.actions()) for _ in range(36)]
    for action in steps:
        with django_capture_on_commit_callbacks(execute=False):
            action()
        done.append(action.__name__)
        assert aggregates.stored() == aggregates.recount(), f"after {done}"
    # Something of each kind was counted.
    assert set(StatisticsCount.objects.filter(n__gt=0).values_list("metric", flat=True)) == set(
        StatisticsCount.Metric.values
    )


def test_reconciliation_repairs_and_logs_drift_and_the_page_shows_the_facts_again(caplog):
    almaty = make_coordinator(branch_slug="almaty", email="almaty@example.kz")
    helper = make_member(branch_slug="almaty", level_slug="volunteer")
    course = make_course(slug="first-aid")
    learning.enrol(user=helper.user, course=course)
    PracticalActivity.objects.create(
        volunteer=helper,
        date=timezone.localdate(),
        event="Дежурство",
        direction=direction("first-aid"),
        hours=Decimal("6"),
        status=PracticalActivity.Status.CONFIRMED,
    )
    today = timezone.localdate()
    scope = coordination_scope(almaty)
    right = statistics(scope, start=today, end=today)

    StatisticsCount.objects.filter(metric="volunteers", subject=level("volunteer").pk).update(n=7)
    StatisticsCount.objects.filter(metric="hours").delete()
    StatisticsCount.objects.create(metric="enrolled", day=today, branch_id=0, n=3)
    drifted = statistics(scope, start=today, end=today)
    assert drifted.totals["n_volunteers"] != right.totals["n_volunteers"]

    with caplog.at_level(logging.WARNING, logger="certification.coordination.aggregates"):
        assert tasks.reconcile_statistics.apply().get() == 3
    assert len([r for r in caplog.records if "Statistics drift" in r.getMessage()]) == 3

    assert_totals_match_a_recount()
    repaired = statistics(scope, start=today, end=today)
    assert [table.rows for table in repaired.tables] == [table.rows for table in right.tables]
    assert repaired.totals == right.totals
    assert tasks.reconcile_statistics.apply().get() == 0


def test_a_learner_who_joins_moves_their_learning_into_the_branch(client):
    almaty = make_coordinator(branch_slug="almaty", email="almaty@example.kz")
    learner = UserFactory()
    learning.enrol(user=learner, course=make_course(slug="first-aid"))
    today = timezone.localdate()

    def enrolments_seen():
        result = statistics(coordination_scope(almaty), start=today, end=today)
        return result.table("learning").rows[-1][1]

    assert enrolments_seen() == 0
    volunteers.apply(user=learner, branch=Branch.objects.get(slug="almaty"), directions=[])
    assert enrolments_seen() == 1
    learner.is_active = False
    learner.save()
    assert enrolments_seen() == 0


def test_folding_sums_each_keys_rows_into_one_and_the_page_says_the_same(client):
    almaty = make_coordinator(branch_slug="almaty", email="almaty@example.kz")
    for n in range(4):
        member = make_member(email=f"member{n}@example.kz", branch_slug="almaty")
        learning.enrol(user=member.user, course=make_course(slug=f"course-{n}"))
    today = timezone.localdate()
    before = statistics(coordination_scope(almaty), start=today, end=today)
    n_rows = StatisticsCount.objects.count()

    folded = tasks.fold_statistics.apply().get()

    assert folded > 0 and StatisticsCount.objects.count() == n_rows - folded
    keys = StatisticsCount.objects.values_list(*aggregates.KEY)
    assert len(keys) == len(set(keys))  # one row per key
    after = statistics(coordination_scope(almaty), start=today, end=today)
    assert after.totals == before.totals
    assert [table.rows for table in after.tables] == [table.rows for table in before.tables]
    assert_totals_match_a_recount()
    assert tasks.fold_statistics.apply().get() == 0


@pytest.mark.django_db(transaction=True)
def test_the_nightly_recount_in_its_own_transaction_repairs_lost_totals(movement):
    # As beat runs it: its own transaction (REPEATABLE READ on PostgreSQL, one snapshot of the
    # facts and the totals), whatever else is going on.
    member = make_member(email="night@example.kz", branch_slug="almaty")
    learning.enrol(user=member.user, course=make_course(slug="night"))
    StatisticsCount.objects.all().delete()

    assert aggregates.reconcile() > 0

    assert_totals_match_a_recount()
    assert aggregates.reconcile() == 0
