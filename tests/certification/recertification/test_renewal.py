"""Passing the course again, or its refresher course, issues a new certificate that renews the
old one: the old one's verify page and JSON say "renewed by" the new code."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certification.certificates import issuing
from certification.models import Certificate, Renewal
from courses import services as learning
from tests.factories import UserFactory, lessons_of, make_course

from .conftest import certificate_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    return UserFactory(email="aigerim@example.kz")


@pytest.fixture
def course():
    return make_course("Первая помощь", slug="first-aid", certificate_validity_months=24)


@pytest.fixture
def refresher(course):
    refresher = make_course(
        "Первая помощь: повторный курс", slug="first-aid-refresher", certificate_validity_months=24
    )
    course.refresher_course = refresher
    course.save()
    return refresher


def pass_course(user, course):
    learning.enrol(user=user, course=course)
    for lesson in lessons_of(course):
        learning.complete_lesson(user=user, lesson=lesson)
    return Certificate.objects.filter(holder=user, course=course).latest("created_at")


def test_passing_the_refresher_renews_the_expired_certificate(holder, course, refresher, renders):
    old = certificate_of(holder, course, expires_in=timedelta(days=-3))

    new = pass_course(holder, refresher)

    assert new != old
    assert Renewal.objects.get().old == old
    assert Renewal.objects.get().new == new
    assert new.expires_at > timezone.now() + timedelta(days=700)


def test_revoking_the_new_certificate_leaves_the_old_one_unrenewed(
    holder, course, refresher, renders
):
    old = certificate_of(holder, course, expires_in=timedelta(days=-3))
    new = pass_course(holder, refresher)

    issuing.revoke(certificate=new, reason="Выдан по ошибке")

    assert not Renewal.objects.filter(old=old).exists()


def test_passing_the_same_course_again_renews_the_latest_older_certificate(holder, course, renders):
    oldest = certificate_of(
        holder, course, expires_in=timedelta(days=-400), issued_ago=timedelta(days=1100)
    )
    latest = certificate_of(holder, course, expires_in=timedelta(days=20))

    new = issuing.issue(
        kind=Certificate.Kind.COURSE,
        holder=holder,
        source_key="course:again",
        title_ru=course.title,
        course=course,
        validity_months=24,
    )

    assert list(Renewal.objects.values_list("old", "new")) == [(latest.pk, new.pk)]
    assert not Renewal.objects.filter(old=oldest).exists()


def test_a_revoked_certificate_is_not_renewed(holder, course, refresher, renders):
    certificate_of(holder, course, expires_in=timedelta(days=10), status="revoked")

    pass_course(holder, refresher)

    assert not Renewal.objects.exists()


def test_another_course_or_another_holder_renews_nothing(holder, course, renders):
    certificate_of(holder, course, expires_in=timedelta(days=10))
    other_course = make_course("Донорство", slug="donation", certificate_validity_months=12)

    pass_course(holder, other_course)
    pass_course(UserFactory(), course)

    assert not Renewal.objects.exists()


def test_the_old_verify_page_and_api_say_renewed_by_the_new_code(
    client, holder, course, refresher, renders, django_capture_on_commit_callbacks
):
    old = certificate_of(holder, course, expires_in=timedelta(days=-3))
    client.get(f"/verify/{old.public_code}/?lang=ru")  # cached before the renewal
    with django_capture_on_commit_callbacks(execute=True):
        new = pass_course(holder, refresher)
    Certificate.objects.filter(pk=new.pk).update(status=Certificate.Status.ISSUED)

    page = client.get(f"/verify/{old.public_code}/?lang=ru").content.decode()
    api = client.get(f"/api/v1/certificates/{old.public_code}").json()

    assert "СРОК ИСТЁК" in page
    assert f"Продлён сертификатом {new.public_code}" in page
    assert f'href="/verify/{new.public_code}/"' in page
    assert api["status"] == "expired"
    assert api["renewed_by"] == new.public_code


def test_a_certificate_nobody_renewed_says_nothing_of_renewal(client, holder, course):
    certificate = certificate_of(holder, course, expires_in=timedelta(days=30))

    page = client.get(f"/verify/{certificate.public_code}/?lang=ru").content.decode()
    api = client.get(f"/api/v1/certificates/{certificate.public_code}").json()

    assert "Продлён" not in page
    assert api["renewed_by"] is None
