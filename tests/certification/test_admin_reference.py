"""Staff keep branches, skills, levels and members in the Wagtail admin."""

import pytest

from certification.models import Branch, LevelRequirement
from tests.factories import UserFactory, level, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_staff_add_a_branch(staff):
    response = staff.post(
        "/admin/snippets/certification/branch/add/",
        {
            "name_ru": "Караганда",
            "name_kk": "Қарағанды",
            "name_en": "Karaganda",
            "slug": "karaganda",
            "sort_order": "6",
        },
    )
    assert response.status_code == 302
    assert Branch.objects.get(slug="karaganda").name_kk == "Қарағанды"


def test_level_requirements_are_listed_with_the_level(staff):
    response = staff.get(
        f"/admin/snippets/certification/level/edit/{level('senior-volunteer').pk}/"
    )
    assert response.status_code == 200
    assert LevelRequirement.objects.filter(level__slug="senior-volunteer").count() == 2
    assert "requirements-TOTAL_FORMS" in response.content.decode()


def test_members_are_listed_but_never_added_or_deleted_in_the_admin(staff):
    member = make_member(last_name="Тестова")
    listing = staff.get("/admin/snippets/certification/volunteer/")
    assert "Тестова" in listing.content.decode()
    assert staff.get("/admin/snippets/certification/volunteer/add/").status_code in {302, 403}
    assert staff.get(
        f"/admin/snippets/certification/volunteer/delete/{member.pk}/"
    ).status_code in {302, 403}
    assert (
        staff.get(f"/admin/snippets/certification/volunteer/inspect/{member.pk}/").status_code
        == 200
    )
