"""Instructors record skill sign-offs for any member: find them, then skill, date, place, result."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from certification.models import PracticalActivity, Skill, SkillSignOff
from tests.factories import direction, make_coordinator, make_instructor, make_member

pytestmark = pytest.mark.django_db


def form_data(**fields):
    return {
        "skill": Skill.objects.get(slug="cpr-manikin").pk,
        "date": timezone.localdate().isoformat(),
        "place": "Учебный центр, ул. Абая 10",
        "result": SkillSignOff.Result.PASSED,
        "note": "",
        **fields,
    }


@pytest.fixture
def instructor():
    return make_instructor(email="instructor@example.kz")


@pytest.fixture
def member():
    return make_member(branch_slug="shymkent", first_name="Ерлан", last_name="Жумабаев")


@pytest.mark.parametrize("name", ["sign_offs", "sign_off"])
def test_anonymous_visitors_are_sent_to_log_in(client, member, name):
    args = [member.pk] if name == "sign_off" else []
    response = client.get(reverse(f"coordination:{name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["sign_offs", "sign_off"])
def test_members_and_coordinators_without_the_permission_are_refused(client, member, name):
    args = [member.pk] if name == "sign_off" else []
    for user in (make_member().user, make_coordinator(branch_slug="shymkent")):
        client.force_login(user)
        assert client.get(reverse(f"coordination:{name}", args=args)).status_code == 403
        assert (
            client.post(reverse("coordination:sign_off", args=[member.pk]), form_data()).status_code
            == 403
        )
    assert not SkillSignOff.objects.exists()


def test_instructors_find_members_of_any_branch_by_name_or_email(client, instructor, member):
    make_member(branch_slug="almaty", last_name="Другой")
    client.force_login(instructor)

    by_name = client.get(reverse("coordination:sign_offs"), {"q": "Жумаб"}).context["members"]
    by_email = client.get(reverse("coordination:sign_offs"), {"q": member.user.email}).context[
        "members"
    ]

    assert by_name == [member]
    assert by_email == [member]


def test_a_one_letter_search_asks_for_more(client, instructor, member):
    client.force_login(instructor)
    response = client.get(reverse("coordination:sign_offs"), {"q": "Ж"})
    assert response.context["form"].errors["q"]
    assert response.context["members"] == []


def test_an_instructor_records_a_sign_off(client, instructor, member):
    client.force_login(instructor)

    response = client.post(
        reverse("coordination:sign_off", args=[member.pk]), form_data(note="Уверенно")
    )

    assert response.status_code == 302
    sign_off = SkillSignOff.objects.get()
    assert (sign_off.volunteer, sign_off.signed_by, sign_off.result, sign_off.note) == (
        member,
        instructor,
        SkillSignOff.Result.PASSED,
        "Уверенно",
    )
    assert sign_off.place == "Учебный центр, ул. Абая 10"
    page = client.get(reverse("coordination:sign_off", args=[member.pk])).content.decode()
    assert "Учебный центр, ул. Абая 10" in page


def test_a_passed_sign_off_promotes_a_volunteer_who_then_meets_the_requirements(client, instructor):
    member = make_member(level_slug="volunteer", since=timezone.now() - timedelta(days=100))
    PracticalActivity.objects.create(
        volunteer=member,
        date=timezone.localdate() - timedelta(days=3),
        event="Марафон",
        direction=direction("first-aid"),
        hours=20,
        status=PracticalActivity.Status.CONFIRMED,
    )
    client.force_login(instructor)

    client.post(reverse("coordination:sign_off", args=[member.pk]), form_data())

    member.refresh_from_db()
    assert member.level.slug == "senior-volunteer"


def test_a_not_yet_result_is_recorded_without_promotion(client, instructor):
    member = make_member(level_slug="volunteer", since=timezone.now() - timedelta(days=100))
    client.force_login(instructor)
    client.post(
        reverse("coordination:sign_off", args=[member.pk]),
        form_data(result=SkillSignOff.Result.FAILED),
    )
    member.refresh_from_db()
    assert SkillSignOff.objects.get().result == SkillSignOff.Result.FAILED
    assert member.level.slug == "volunteer"


@pytest.mark.parametrize(
    "bad",
    [
        {"date": (timezone.localdate() + timedelta(days=1)).isoformat()},
        {"place": "   "},
        {"result": "maybe"},
        {"skill": "999999"},
        {"date": "вчера"},
    ],
)
def test_bad_input_is_explained_and_records_nothing(client, instructor, member, bad):
    client.force_login(instructor)
    response = client.post(reverse("coordination:sign_off", args=[member.pk]), form_data(**bad))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not SkillSignOff.objects.exists()


def test_nobody_signs_off_their_own_skills(client):
    instructor_member = make_member(level_slug="instructor")
    instructor_member.user.user_permissions.add(Permission.objects.get(codename="sign_off_skills"))
    client.force_login(instructor_member.user)

    response = client.post(
        reverse("coordination:sign_off", args=[instructor_member.pk]), form_data()
    )

    assert response.context["form"].non_field_errors()
    assert not SkillSignOff.objects.exists()


def test_a_coordinator_with_the_permission_signs_off_members_of_any_branch(client, member):
    coordinator = make_coordinator(branch_slug="almaty")
    coordinator.user_permissions.add(Permission.objects.get(codename="sign_off_skills"))
    client.force_login(coordinator)

    client.post(reverse("coordination:sign_off", args=[member.pk]), form_data())

    assert SkillSignOff.objects.get().signed_by == coordinator


def test_an_unknown_member_is_not_found(client, instructor):
    client.force_login(instructor)
    assert client.get(reverse("coordination:sign_off", args=[999999])).status_code == 404
