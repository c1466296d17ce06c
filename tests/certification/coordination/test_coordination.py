"""The coordinators' area: who sees what, the queues, the volunteers list and letters."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.coordination import scope as coordination
from certification.models import (
    AppreciationLetter,
    Certificate,
    LevelAward,
    PracticalActivity,
    Skill,
    SkillSignOff,
)
from tests.factories import (
    UserFactory,
    direction,
    level,
    make_coordinator,
    make_course,
    make_instructor,
    make_member,
    make_newcomer_course,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"coordination:{name}", args=args)


def pending(member, hours="4", *, event="Марафон", days_ago=2):
    return PracticalActivity.objects.create(
        volunteer=member,
        date=timezone.localdate() - timedelta(days=days_ago),
        event=event,
        direction=direction("first-aid"),
        hours=Decimal(hours),
    )


def confirmed(member, hours):
    return PracticalActivity.objects.create(
        volunteer=member,
        date=timezone.localdate() - timedelta(days=10),
        event="Дежурство",
        direction=direction("first-aid"),
        hours=Decimal(hours),
        status=PracticalActivity.Status.CONFIRMED,
        reviewed_at=timezone.now(),
    )


def awaiting(member, level_slug="coordinator"):
    return LevelAward.objects.create(
        volunteer=member, level=level(level_slug), status=LevelAward.Status.AWAITING_APPROVAL
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def almaty_coordinator():
    return make_coordinator(branch_slug="almaty", email="coordinator.almaty@example.kz")


@pytest.fixture
def shymkent_coordinator():
    return make_coordinator(branch_slug="shymkent", email="coordinator.shymkent@example.kz")


@pytest.fixture
def hq_coordinator():
    return make_coordinator(branch_slug="astana", email="hq@example.kz")


@pytest.fixture
def almaty_member():
    return make_member(branch_slug="almaty", first_name="Дана", last_name="Алматинская")


@pytest.fixture
def shymkent_member():
    return make_member(branch_slug="shymkent", first_name="Ерлан", last_name="Шымкентский")


# Who may enter -----------------------------------------------------------------------------------

GET_PAGES = [
    ("home", ()),
    ("volunteers", ()),
    ("hours", ()),
    ("awards", ()),
    ("letters", ()),
    ("statistics", ()),
    ("statistics_export", ("levels-by-branch", "csv")),
]


@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, name, args):
    response = client.get(url(name, *args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_plain_members_are_refused(client, name, args):
    client.force_login(make_member().user)
    assert client.get(url(name, *args)).status_code == 403


def test_a_coordinator_without_a_branch_is_refused(client):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="coordinate_branch"))
    client.force_login(user)
    assert client.get(url("volunteers")).status_code == 403


@pytest.mark.parametrize(
    ("name", "args"),
    [("review_hours", (1,)), ("confirm_hours", ()), ("decide_award", (1,)), ("letters", ())],
)
def test_plain_members_cannot_post_decisions(client, name, args):
    member = make_member()
    activity = pending(make_member())
    client.force_login(member.user)
    response = client.post(url(name, *args), {"action": "confirm", "activities": [activity.pk]})
    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.status == PracticalActivity.Status.PENDING


def test_the_scope_rule(almaty_coordinator, hq_coordinator):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    assert coordination.coordination_scope(almaty_coordinator).branch_ids == (
        almaty_coordinator.volunteer.branch_id,
    )
    assert coordination.coordination_scope(hq_coordinator).sees_all
    assert coordination.coordination_scope(superuser).sees_all
    with pytest.raises(coordination.PermissionDenied):
        coordination.coordination_scope(make_instructor())


def test_home_counts_the_branchs_queues(client, almaty_coordinator, almaty_member, shymkent_member):
    pending(almaty_member)
    pending(almaty_member, event="Донорская акция")
    pending(shymkent_member)
    awaiting(shymkent_member)
    client.force_login(almaty_coordinator)

    response = client.get(url("home"))

    assert response.status_code == 200
    assert (response.context["n_pending_hours"], response.context["n_awaiting_awards"]) == (2, 0)


def test_instructors_land_on_the_sign_off_link(client):
    client.force_login(make_instructor())
    response = client.get(url("home"))
    assert response.status_code == 200
    assert url("sign_offs") in response.content.decode()
    assert url("hours") not in response.content.decode()


# Volunteers list ---------------------------------------------------------------------------------


def test_a_coordinator_lists_only_their_branch(
    client, almaty_coordinator, almaty_member, shymkent_member
):
    client.force_login(almaty_coordinator)
    html = client.get(url("volunteers")).content.decode()
    assert "Алматинская" in html
    assert "Шымкентский" not in html


def test_headquarters_see_every_branch_and_can_narrow_to_one(
    client, hq_coordinator, almaty_member, shymkent_member
):
    client.force_login(hq_coordinator)
    everyone = client.get(url("volunteers")).content.decode()
    shymkent = client.get(url("volunteers"), {"branch": "shymkent"}).content.decode()

    assert "Алматинская" in everyone and "Шымкентский" in everyone
    assert "Шымкентский" in shymkent and "Алматинская" not in shymkent


def test_a_branch_coordinator_cannot_widen_the_list_with_a_branch_parameter(
    client, almaty_coordinator, shymkent_member
):
    client.force_login(almaty_coordinator)
    html = client.get(url("volunteers"), {"branch": "shymkent"}).content.decode()
    assert "Шымкентский" not in html


def test_the_list_filters_by_level_direction_and_search(client, almaty_coordinator):
    make_member(level_slug="volunteer", last_name="Волонтёрова", directions=("blood-donation",))
    make_member(level_slug="newcomer", last_name="Новикова", email="novikova@example.kz")
    client.force_login(almaty_coordinator)

    def names(**query):
        page = client.get(url("volunteers"), query).context["page"]
        return {volunteer.user.last_name for volunteer in page.object_list}

    assert names(level="volunteer") == {"Волонтёрова"}
    assert names(direction="blood-donation") == {"Волонтёрова"}
    assert names(q="novikova@") == {"Новикова"}
    assert names(q="новик") == {"Новикова"}


def test_the_list_filters_by_course_status(client, almaty_coordinator):
    from courses import services as learning
    from tests.factories import lessons_of

    course = make_course("Первая помощь", slug="first-aid")
    done = make_member(last_name="Прошла")
    started = make_member(last_name="Начала")
    make_member(last_name="Никогда")
    learning.enrol(user=done.user, course=course)
    learning.complete_lesson(user=done.user, lesson=lessons_of(course)[0])
    learning.enrol(user=started.user, course=course)
    client.force_login(almaty_coordinator)

    def names(**query):
        page = client.get(url("volunteers"), query).context["page"]
        return {volunteer.user.last_name for volunteer in page.object_list}

    assert names(course=course.pk, course_status="completed") == {"Прошла"}
    assert names(course=course.pk, course_status="in_progress") == {"Начала"}
    assert "Прошла" not in names(course=course.pk, course_status="not_enrolled")
    assert "Никогда" in names(course=course.pk, course_status="not_enrolled")

    make_newcomer_course(course)
    assert names(course="newcomer") == {"Прошла"}


def test_a_bad_filter_shows_a_message_and_no_rows(client, almaty_coordinator, almaty_member):
    client.force_login(almaty_coordinator)
    response = client.get(url("volunteers"), {"level": "general"})
    assert response.context["form"].errors["level"]
    assert response.context["page"].paginator.count == 0


def test_the_list_costs_the_same_queries_for_many_volunteers(
    client, almaty_coordinator, django_assert_max_num_queries
):
    for n in range(30):
        member = make_member(email=f"many{n}@example.kz", directions=("first-aid", "mass-events"))
        confirmed(member, 2)
    client.force_login(almaty_coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(url("volunteers"))
    assert response.context["page"].paginator.count == 31  # and the coordinator


def test_the_list_exports_to_csv_and_xlsx_with_the_filtered_rows(
    client, almaty_coordinator, shymkent_member
):
    member = make_member(
        level_slug="volunteer", last_name="=HYPERLINK(1)", phone="+7 701 000 00 00"
    )
    confirmed(member, "3.5")
    client.force_login(almaty_coordinator)

    response = client.get(url("volunteers"), {"level": "volunteer", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    xlsx = client.get(url("volunteers"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))

    assert response["Content-Type"].startswith("text/csv")
    assert len(rows) == 2
    assert rows[1][0] == "'=HYPERLINK(1)"  # not a formula in a spreadsheet program
    assert rows[1][4] == "+7 701 000 00 00"
    assert rows[1][9] == "3.5"
    assert len(values) == 3  # heading, the member and the coordinator; never Shymkent
    assert {row[0] for row in values[1:]} == {"'=HYPERLINK(1)", "Сейітова"}
    assert "attachment" in xlsx["Content-Disposition"]


# One volunteer -----------------------------------------------------------------------------------


def test_the_record_shows_level_progress_hours_sign_offs_and_certificates(
    client, almaty_coordinator, django_assert_max_num_queries
):
    member = make_member(level_slug="volunteer", since=timezone.now() - timedelta(days=120))
    confirmed(member, 12)
    pending(member, 3)
    SkillSignOff.objects.create(
        volunteer=member,
        skill=Skill.objects.get(slug="cpr-manikin"),
        date=timezone.localdate(),
        place="Учебный центр",
        result=SkillSignOff.Result.PASSED,
        signed_by=make_instructor(),
    )
    client.force_login(almaty_coordinator)

    with django_assert_max_num_queries(30):
        response = client.get(url("volunteer", member.pk))

    html = response.content.decode()
    standing = response.context["standing"]
    assert standing.next.level.slug == "senior-volunteer"
    assert standing.next.requirements[0].have == Decimal(12)
    assert "12 / 20" in html
    assert "Учебный центр" in html
    assert response.context["pending_hours"] == Decimal(3)


def test_another_branchs_record_is_not_found(client, almaty_coordinator, shymkent_member):
    client.force_login(almaty_coordinator)
    assert client.get(url("volunteer", shymkent_member.pk)).status_code == 404


def test_headquarters_open_any_record(client, hq_coordinator, shymkent_member):
    client.force_login(hq_coordinator)
    assert client.get(url("volunteer", shymkent_member.pk)).status_code == 200


# Hours queue -------------------------------------------------------------------------------------


def test_the_hours_queue_lists_the_branchs_pending_hours_oldest_first(
    client, almaty_coordinator, almaty_member, shymkent_member
):
    newer = pending(almaty_member, days_ago=1)
    older = pending(almaty_member, days_ago=5)
    pending(shymkent_member)
    confirmed(almaty_member, 2)
    pending(almaty_coordinator.volunteer)  # their own: somebody else confirms it
    client.force_login(almaty_coordinator)

    response = client.get(url("hours"))

    assert list(response.context["page"].object_list) == [older, newer]


def test_the_hours_queue_costs_the_same_queries_for_many_items(
    client, hq_coordinator, django_assert_max_num_queries
):
    for n in range(20):
        pending(make_member(branch_slug="semey" if n % 2 else "aktobe", email=f"q{n}@example.kz"))
    client.force_login(hq_coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(url("hours"))
    assert len(response.context["page"].object_list) == 20


def test_confirming_hours_promotes_a_volunteer_who_then_meets_the_requirements(
    client, almaty_coordinator
):
    member = make_member(level_slug="volunteer", since=timezone.now() - timedelta(days=100))
    confirmed(member, 16)
    SkillSignOff.objects.create(
        volunteer=member,
        skill=Skill.objects.get(slug="cpr-manikin"),
        date=timezone.localdate(),
        place="Учебный центр",
        result=SkillSignOff.Result.PASSED,
        signed_by=make_instructor(),
    )
    activity = pending(member, 4)
    client.force_login(almaty_coordinator)

    response = client.post(url("review_hours", activity.pk), {"action": "confirm"})

    assert response.status_code == 302
    activity.refresh_from_db()
    member.refresh_from_db()
    assert (activity.status, activity.reviewed_by) == (
        PracticalActivity.Status.CONFIRMED,
        almaty_coordinator,
    )
    assert member.level.slug == "senior-volunteer"
    assert Certificate.objects.filter(holder=member.user, kind=Certificate.Kind.LEVEL).exists()


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(
    client, almaty_coordinator, almaty_member
):
    activity = pending(almaty_member)
    client.force_login(almaty_coordinator)

    response = client.post(
        url("review_hours", activity.pk), {"action": "reject", "reason": "  "}, follow=True
    )

    activity.refresh_from_db()
    assert activity.status == PracticalActivity.Status.PENDING
    assert messages_of(response)


def test_rejecting_with_a_reason_records_it(client, almaty_coordinator, almaty_member):
    activity = pending(almaty_member)
    client.force_login(almaty_coordinator)
    client.post(url("review_hours", activity.pk), {"action": "reject", "reason": "Не было смены"})
    activity.refresh_from_db()
    assert (activity.status, activity.rejection_reason) == (
        PracticalActivity.Status.REJECTED,
        "Не было смены",
    )


def test_a_review_returns_to_the_page_it_came_from_but_never_off_site(
    client, almaty_coordinator, almaty_member
):
    first, second = pending(almaty_member), pending(almaty_member)
    client.force_login(almaty_coordinator)
    back = client.post(
        url("review_hours", first.pk), {"action": "confirm", "next": url("hours") + "?page=2"}
    )
    away = client.post(
        url("review_hours", second.pk), {"action": "confirm", "next": "https://evil.example/"}
    )
    assert back["Location"] == url("hours") + "?page=2"
    assert away["Location"] == url("hours")


def test_a_coordinator_cannot_review_another_branchs_hours_by_id(
    client, almaty_coordinator, shymkent_member
):
    activity = pending(shymkent_member)
    client.force_login(almaty_coordinator)

    confirm = client.post(url("review_hours", activity.pk), {"action": "confirm"})
    reject = client.post(url("review_hours", activity.pk), {"action": "reject", "reason": "Нет"})

    assert (confirm.status_code, reject.status_code) == (404, 404)
    activity.refresh_from_db()
    assert activity.status == PracticalActivity.Status.PENDING


def test_a_coordinator_cannot_confirm_their_own_hours(client, almaty_coordinator):
    activity = pending(almaty_coordinator.volunteer)
    client.force_login(almaty_coordinator)
    assert client.post(url("review_hours", activity.pk), {"action": "confirm"}).status_code == 404
    activity.refresh_from_db()
    assert activity.status == PracticalActivity.Status.PENDING


def test_bulk_confirm_confirms_every_ticked_activity(client, almaty_coordinator, almaty_member):
    first, second, untouched = (pending(almaty_member) for _ in range(3))
    client.force_login(almaty_coordinator)

    response = client.post(url("confirm_hours"), {"activities": [first.pk, second.pk]})

    assert response.status_code == 302
    statuses = dict(PracticalActivity.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == PracticalActivity.Status.CONFIRMED
    assert statuses[untouched.pk] == PracticalActivity.Status.PENDING


def test_bulk_confirm_with_another_branchs_id_changes_nothing(
    client, almaty_coordinator, almaty_member, shymkent_member
):
    ours, theirs = pending(almaty_member), pending(shymkent_member)
    client.force_login(almaty_coordinator)

    response = client.post(url("confirm_hours"), {"activities": [ours.pk, theirs.pk]}, follow=True)

    assert messages_of(response)
    assert set(PracticalActivity.objects.values_list("status", flat=True)) == {
        PracticalActivity.Status.PENDING
    }


def test_bulk_confirm_with_nothing_ticked_says_so(client, almaty_coordinator):
    client.force_login(almaty_coordinator)
    response = client.post(url("confirm_hours"), {}, follow=True)
    assert messages_of(response)


def test_headquarters_confirm_hours_in_any_branch(client, hq_coordinator, shymkent_member):
    activity = pending(shymkent_member)
    client.force_login(hq_coordinator)
    client.post(url("review_hours", activity.pk), {"action": "confirm"})
    activity.refresh_from_db()
    assert activity.status == PracticalActivity.Status.CONFIRMED


# Promotions queue --------------------------------------------------------------------------------


def test_the_approval_queue_lists_the_branchs_awaiting_promotions(
    client, almaty_coordinator, shymkent_member
):
    ours = awaiting(make_member(level_slug="senior-volunteer"))
    awaiting(shymkent_member)
    awaiting(almaty_coordinator.volunteer, "instructor")  # never their own
    client.force_login(almaty_coordinator)

    response = client.get(url("awards"))

    assert list(response.context["page"].object_list) == [ours]


def test_approving_promotes_the_volunteer(client, almaty_coordinator):
    member = make_member(level_slug="senior-volunteer")
    award = awaiting(member)
    client.force_login(almaty_coordinator)

    client.post(url("decide_award", award.pk), {"action": "approve"})

    member.refresh_from_db()
    award.refresh_from_db()
    assert member.level.slug == "coordinator"
    assert (award.status, award.decided_by) == (LevelAward.Status.AWARDED, almaty_coordinator)


def test_declining_needs_a_reason(client, almaty_coordinator):
    award = awaiting(make_member(level_slug="senior-volunteer"))
    client.force_login(almaty_coordinator)

    without = client.post(url("decide_award", award.pk), {"action": "decline"}, follow=True)
    award.refresh_from_db()
    assert award.status == LevelAward.Status.AWAITING_APPROVAL
    assert messages_of(without)

    client.post(url("decide_award", award.pk), {"action": "decline", "reason": "Рано"})
    award.refresh_from_db()
    assert (award.status, award.decline_reason) == (LevelAward.Status.DECLINED, "Рано")


def test_a_coordinator_cannot_decide_another_branchs_promotion(
    client, almaty_coordinator, shymkent_member
):
    award = awaiting(shymkent_member)
    client.force_login(almaty_coordinator)
    assert client.post(url("decide_award", award.pk), {"action": "approve"}).status_code == 404
    award.refresh_from_db()
    assert award.status == LevelAward.Status.AWAITING_APPROVAL


def test_a_coordinator_cannot_approve_their_own_promotion(client, almaty_coordinator):
    award = awaiting(almaty_coordinator.volunteer, "instructor")
    client.force_login(almaty_coordinator)
    assert client.post(url("decide_award", award.pk), {"action": "approve"}).status_code == 404


# Letters -----------------------------------------------------------------------------------------


def letter_data(*members, **fields):
    return {
        "event": "Алматы марафон 2026",
        "event_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "text": "Спасибо за дежурство на пунктах первой помощи.",
        "volunteers": [member.pk for member in members],
        **fields,
    }


def test_letters_make_one_certificate_per_chosen_volunteer(client, almaty_coordinator):
    first, second = make_member(), make_member()
    make_member()  # not chosen
    client.force_login(almaty_coordinator)

    response = client.post(url("letters"), letter_data(first, second))

    assert response.status_code == 302
    letter = AppreciationLetter.objects.get()
    assert (letter.branch.slug, letter.issued_by) == ("almaty", almaty_coordinator)
    certificates = Certificate.objects.filter(kind=Certificate.Kind.LETTER)
    assert {c.holder_id for c in certificates} == {first.user_id, second.user_id}
    assert all(c.text == letter.text and c.branch.slug == "almaty" for c in certificates)

    listing = client.get(url("letters"))
    assert listing.context["past_letters"][0].n_recipients == 2


def test_letters_to_another_branchs_volunteer_are_refused(
    client, almaty_coordinator, almaty_member, shymkent_member
):
    client.force_login(almaty_coordinator)

    response = client.post(url("letters"), letter_data(almaty_member, shymkent_member))

    assert response.status_code == 200
    assert response.context["form"].errors["volunteers"]
    assert not AppreciationLetter.objects.exists()
    assert not Certificate.objects.exists()


def test_a_letter_needs_an_event_a_past_date_and_volunteers(client, almaty_coordinator):
    client.force_login(almaty_coordinator)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = client.post(url("letters"), letter_data(event=" ", event_date=tomorrow))

    errors = response.context["form"].errors
    assert set(errors) == {"event", "event_date", "volunteers"}
    assert not AppreciationLetter.objects.exists()


def test_the_letters_page_lists_only_the_branchs_volunteers_and_letters(
    client, almaty_coordinator, almaty_member, shymkent_member, hq_coordinator
):
    from certification.volunteers import services as volunteers

    volunteers.issue_letters(
        branch=shymkent_member.branch,
        event="Шымкентская акция",
        event_date=timezone.localdate(),
        volunteers=[shymkent_member],
        by=hq_coordinator,
    )
    client.force_login(almaty_coordinator)

    response = client.get(url("letters"))

    html = response.content.decode()
    assert "Алматинская" in html and "Шымкентский" not in html
    assert "Шымкентская акция" not in html


def test_headquarters_send_letters_from_a_chosen_branch(client, hq_coordinator, shymkent_member):
    client.force_login(hq_coordinator)

    client.post(url("letters"), letter_data(shymkent_member, branch="shymkent"))

    letter = AppreciationLetter.objects.get()
    assert letter.branch.slug == "shymkent"
    assert Certificate.objects.get(kind=Certificate.Kind.LETTER).holder == shymkent_member.user


def test_a_letter_from_a_branch_cannot_thank_another_branchs_volunteer_even_from_hq(
    client, hq_coordinator, almaty_member
):
    client.force_login(hq_coordinator)
    response = client.post(url("letters"), letter_data(almaty_member, branch="shymkent"))
    assert response.context["form"].non_field_errors()
    assert not AppreciationLetter.objects.exists()
