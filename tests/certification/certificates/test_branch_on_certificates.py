"""A member's branch is printed on their certificates and shown to whoever verifies them."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certification.certificates import issuer
from certification.certificates.rendering import certificate_context
from certification.models import Certificate
from certification.volunteers import services as volunteers
from tests.factories import UserFactory, branch, direction, make_coordinator, make_member

pytestmark = pytest.mark.django_db


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), "#397").save(buffer, "JPEG")
    return SimpleUploadedFile("me.jpg", buffer.getvalue(), "image/jpeg")


def test_the_badge_prints_photo_branch_and_level(django_capture_on_commit_callbacks):
    member = volunteers.apply(
        user=UserFactory(), branch=branch("aktobe"), directions=[direction()], photo=jpeg()
    )
    badge = volunteers.renew_badge(volunteer=member)
    context = certificate_context(badge, settings_obj=issuer.issuer_settings())
    assert context["photo_path"] == member.photo.path
    assert context["branch"] == "Актобе"
    assert context["languages"][0]["level"] == "Новичок"


def test_verify_page_and_api_name_the_branch(client):
    member = make_member(branch_slug="semey")
    volunteers.issue_letters(
        branch=branch("semey"),
        event="Семей марафон",
        event_date=date(2026, 9, 1),
        text="Спасибо!",
        volunteers=[member],
        by=make_coordinator(branch_slug="semey"),
    )
    letter = Certificate.objects.get(kind=Certificate.Kind.LETTER)
    Certificate.objects.filter(pk=letter.pk).update(status=Certificate.Status.ISSUED)
    page = client.get(f"/verify/{letter.public_code}/?lang=ru").content.decode()
    assert "Отделение" in page and "Семей" in page
    assert "Благодарственное письмо: Семей марафон" in page
    api = client.get(f"/api/v1/certificates/{letter.public_code}").json()
    assert api["branch"] == "Семей"
