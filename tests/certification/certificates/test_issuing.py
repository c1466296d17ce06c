"""Certificates are earned once per event, rendered once, revoked and reissued by staff."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from certification.certificates import issuing, pipeline
from certification.models import Certificate
from tests.certification.conftest import complete_course

pytestmark = pytest.mark.django_db


def test_completing_a_course_creates_one_pending_certificate_and_enqueues_it_after_commit(
    holder, django_capture_on_commit_callbacks
):
    """Enqueued after commit: a worker never looks for a row that is not there yet."""
    with mock.patch("certification.certificates.tasks.render_certificate.apply_async") as send:
        with django_capture_on_commit_callbacks(execute=False) as after_commit:
            course = complete_course(holder, certificate_validity_months=12)
        sent_before_commit = send.call_count
        for callback in after_commit:
            callback()

    certificate = Certificate.objects.get()
    assert certificate.status == Certificate.Status.PENDING
    assert certificate.course_id == course.pk
    assert certificate.holder_name == "Сейітова Айгерім Бекқызы"
    assert sent_before_commit == 0
    send.assert_called_once_with(args=[certificate.pk])


def test_a_course_without_certificates_issues_none(holder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        complete_course(holder, issues_certificate=False)

    assert not Certificate.objects.exists()


def test_the_same_event_never_gets_a_second_certificate(holder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        complete_course(holder)
    enrolment = holder.enrolments.get()

    again = issuing.issue_for_course(enrolment=enrolment)

    assert Certificate.objects.count() == 1
    assert again.pk == Certificate.objects.get().pk


def test_validity_comes_from_the_course(holder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        complete_course(holder, certificate_validity_months=24)

    certificate = Certificate.objects.get()
    assert (certificate.expires_at - certificate.issued_at).days in range(730, 732)


def test_a_kazakh_course_prints_kazakh_and_russian(holder, django_capture_on_commit_callbacks):
    from wagtail.models import Locale

    from courses.models import CataloguePage
    from tests.factories import catalogue_page

    kk_catalogue = catalogue_page().copy_for_translation(
        Locale.objects.get_or_create(language_code="kk")[0], copy_parents=True
    )
    kk_catalogue.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=False):
        complete_course(
            holder, title="Донорлық негіздері", parent=CataloguePage.objects.get(pk=kk_catalogue.pk)
        )

    certificate = Certificate.objects.get()
    assert certificate.printed_languages == ["kk", "ru"]
    assert certificate.title_kk == "Донорлық негіздері"


def test_rendering_twice_keeps_one_pdf_and_the_same_code(issued_certificate):
    first = (
        issued_certificate.public_code,
        issued_certificate.pdf.name,
        issued_certificate.pdf_sha256,
    )

    again = pipeline.render(certificate_id=issued_certificate.pk)

    assert (again.public_code, again.pdf.name, again.pdf_sha256) == first
    assert again.status == Certificate.Status.ISSUED
    assert again.credential_jwt.count(".") == 2


def test_revoking_needs_a_reason(issued_certificate):
    with pytest.raises(issuing.CertificateError):
        issuing.revoke(certificate=issued_certificate, reason="   ")

    issued_certificate.refresh_from_db()
    assert issued_certificate.status == Certificate.Status.ISSUED


def test_reissue_gives_a_new_code_and_the_old_one_points_to_it(
    issued_certificate, django_capture_on_commit_callbacks
):
    holder = issued_certificate.holder
    holder.patronymic = ""
    holder.save()

    with django_capture_on_commit_callbacks(execute=False):
        new = issuing.reissue(certificate=issued_certificate)

    old = Certificate.objects.get(pk=issued_certificate.pk)
    assert old.status == Certificate.Status.REPLACED and old.replaced_by == new
    assert new.public_code != old.public_code
    assert new.holder_name == "Сейітова Айгерім"
    assert new.status == Certificate.Status.PENDING
    assert Certificate.objects.exclude(status="replaced").count() == 1


def test_the_sweep_sends_again_certificates_left_pending(
    holder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        complete_course(holder)
    later = timezone.now() + timedelta(minutes=10)

    with (
        mock.patch("certification.certificates.tasks.render_certificate.apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        n = issuing.requeue_stale(now=later)

    assert n == 1
    send.assert_called_once()


def test_an_unreachable_broker_does_not_fail_the_learner(
    holder, django_capture_on_commit_callbacks
):
    with (
        mock.patch(
            "certification.certificates.tasks.render_certificate.apply_async",
            side_effect=OSError("broker down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        complete_course(holder)

    assert Certificate.objects.get().status == Certificate.Status.PENDING
    assert holder.enrolments.get().completed_at is not None
