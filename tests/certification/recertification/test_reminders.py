"""Holders are reminded 60, 30 and 7 days before their certificate expires: once each, in their
language, naming the course that renews it."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from certification.models import ExpiryReminder, Renewal
from certification.recertification import services as recertification
from certification.tasks import remind_expiring_certificates
from lms.formatting import format_date
from tests.concurrency import at_once, postgresql_only
from tests.factories import UserFactory, make_course

from .conftest import certificate_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return make_course("Первая помощь", slug="first-aid", certificate_validity_months=24)


@pytest.fixture
def holder():
    return UserFactory(email="aigerim@example.kz", preferred_language="ru")


def sweep_at(moment):
    return recertification.remind_expiring(now=moment)


def test_a_certificate_gets_the_60_30_and_7_day_reminders_once_each(holder, course):
    certificate = certificate_of(holder, course, expires_in=timedelta(days=90))
    now = timezone.now()

    sent = [
        sweep_at(now + timedelta(days=days)) for days in (20, 31, 31, 45, 60, 61, 75, 83, 84, 89)
    ]

    # 90 days ahead: 60 left on day 30 (first sweep after it: day 31), 30 left on day 60,
    # 7 left on day 83; the sweeps in between send nothing.
    assert sent == [0, 1, 0, 0, 1, 0, 0, 1, 0, 0]
    assert sorted(
        ExpiryReminder.objects.filter(certificate=certificate).values_list("days_before", flat=True)
    ) == [7, 30, 60]
    assert len(mail.outbox) == 3


def test_a_sweep_first_run_20_days_before_sends_only_the_30_day_reminder(holder, course):
    certificate = certificate_of(holder, course, expires_in=timedelta(days=20))

    assert recertification.remind_expiring() == 1
    assert recertification.remind_expiring() == 0

    assert list(certificate.expiry_reminders.values_list("days_before", flat=True)) == [30]
    assert len(mail.outbox) == 1


def test_a_skipped_60_day_reminder_is_never_sent_late(holder, course):
    certificate = certificate_of(holder, course, expires_in=timedelta(days=25))
    now = timezone.now()

    sweep_at(now)
    sweep_at(now + timedelta(days=19))  # 6 days left: the 7-day reminder

    assert sorted(certificate.expiry_reminders.values_list("days_before", flat=True)) == [7, 30]


def test_certificates_far_from_expiry_expired_or_without_expiry_get_no_reminder(holder, course):
    certificate_of(holder, course, expires_in=timedelta(days=61))
    certificate_of(holder, course, expires_in=timedelta(days=-1))
    certificate_of(holder, course, expires_in=None)

    assert recertification.remind_expiring() == 0
    assert mail.outbox == []


def test_revoked_and_renewed_certificates_get_no_reminder(holder, course):
    certificate_of(holder, course, expires_in=timedelta(days=5), status="revoked")
    renewed = certificate_of(holder, course, expires_in=timedelta(days=5))
    newer = certificate_of(holder, course, expires_in=timedelta(days=700), issued_ago=timedelta())
    Renewal.objects.create(old=renewed, new=newer)

    assert recertification.remind_expiring() == 0


def test_the_reminder_is_in_the_holders_language_and_names_the_refresher_with_a_link(
    holder, course, settings
):
    refresher = make_course(
        "Первая помощь: повторный курс", slug="first-aid-refresher", certificate_validity_months=24
    )
    course.refresher_course = refresher
    course.save()
    holder.preferred_language = "kk"
    holder.save()
    certificate = certificate_of(holder, course, expires_in=timedelta(days=6, hours=12))

    recertification.remind_expiring()

    [message] = mail.outbox
    assert message.to == ["aigerim@example.kz"]
    assert format_date(certificate.expires_at, "kk") in message.subject
    assert "Сәлеметсіз бе, Айгерім!" in message.body
    assert "Первая помощь: повторный курс" in message.body
    assert f"{settings.SITE_URL}{refresher.get_url()}" in message.body
    assert certificate.verify_url in message.body


def test_without_a_named_refresher_the_reminder_links_the_course_itself(holder, course, settings):
    certificate_of(holder, course, expires_in=timedelta(days=40))

    recertification.remind_expiring()

    assert f"{settings.SITE_URL}{course.get_url()}" in mail.outbox[0].body


def test_a_mail_server_failure_gives_the_claim_back_for_the_next_sweep(holder, course):
    certificate = certificate_of(holder, course, expires_in=timedelta(days=20))
    other = certificate_of(
        UserFactory(email="dana@example.kz"), course, expires_in=timedelta(days=21)
    )
    real_send = recertification.send_mail

    def refuse_aigerim(subject, body, sender, to):
        if to == ["aigerim@example.kz"]:
            raise OSError("mail server down")
        return real_send(subject, body, sender, to)

    with mock.patch.object(recertification, "send_mail", side_effect=refuse_aigerim):
        assert recertification.remind_expiring() == 1

    assert not certificate.expiry_reminders.exists()
    assert other.expiry_reminders.count() == 1
    assert recertification.remind_expiring() == 1
    assert certificate.expiry_reminders.count() == 1
    assert [message.to for message in mail.outbox] == [["dana@example.kz"], ["aigerim@example.kz"]]


def test_the_beat_task_sends_the_reminders(holder, course):
    certificate_of(holder, course, expires_in=timedelta(days=3))

    assert remind_expiring_certificates.apply().get() == 1
    assert len(mail.outbox) == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once(holder, course):
    certificates = [
        certificate_of(UserFactory(), course, expires_in=timedelta(days=days))
        for days in (3, 10, 20, 40, 50)
    ]
    now = timezone.now()

    results = at_once(lambda: sweep_at(now), lambda: sweep_at(now))

    assert sum(results) == len(certificates)
    assert len(mail.outbox) == len(certificates)
    assert ExpiryReminder.objects.count() == len(certificates)
