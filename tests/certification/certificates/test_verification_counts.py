"""Verifications are counted in the cache and reach the certificate when beat flushes them; the
rate limit and the counting share one cache round trip (certification/certificates/verification.py)."""

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from certification import tasks
from certification.certificates import verification
from certification.models import Certificate

pytestmark = pytest.mark.django_db

needs_redis = pytest.mark.skipif(
    verification.redis_client() is None, reason="the Redis path needs CACHE_URL=redis://…"
)


@pytest.fixture(autouse=True)
def own_process_counts(monkeypatch):
    """Without Redis, counts gather in the process: a fresh store that flushes only when told."""
    monkeypatch.setattr(verification, "_local", verification._LocalCounts())
    monkeypatch.setattr(verification, "LOCAL_FLUSH_SECONDS", 3600)


def verify(client, certificate, **extra):
    return client.get(
        f"/verify/{certificate.public_code}/", headers={"accept-language": "en"}, **extra
    )


def verify_by_api(client, certificate):
    return client.get(f"/api/v1/certificates/{certificate.public_code}")


def shown_to_holder(client, certificate):
    client.force_login(certificate.holder)
    html = client.get("/en/certificates/").content.decode()
    client.logout()
    return html


def stored_count(certificate):
    return Certificate.objects.get(pk=certificate.pk).n_verifications


def test_verifications_reach_the_certificate_when_the_task_flushes_them(client, issued_certificate):
    for _ in range(3):
        verify(client, issued_certificate)
    for _ in range(2):
        verify_by_api(client, issued_certificate)

    tasks.flush_verification_counts.apply()

    assert stored_count(issued_certificate) == 5
    assert verification.pending_counts([issued_certificate.public_code]) == {}
    assert "Verified 5 times" in shown_to_holder(client, issued_certificate)


def test_the_holder_sees_verifications_before_and_after_the_flush(client, issued_certificate):
    for _ in range(4):
        verify(client, issued_certificate)

    before = shown_to_holder(client, issued_certificate)
    tasks.flush_verification_counts.apply()
    after = shown_to_holder(client, issued_certificate)

    assert "Verified 4 times" in before
    assert "Verified 4 times" in after


def test_flushing_again_adds_nothing_twice(client, issued_certificate):
    for _ in range(2):
        verify(client, issued_certificate)

    tasks.flush_verification_counts.apply()
    tasks.flush_verification_counts.apply()

    assert stored_count(issued_certificate) == 2


def test_verifications_counted_during_a_flush_wait_for_the_next_one(client, issued_certificate):
    from certification.certificates import verification

    verify(client, issued_certificate)
    with verification.counts_to_store() as counts:
        verify(client, issued_certificate)  # arrives while the first count is being stored
        Certificate.objects.filter(public_code__in=counts).update(
            n_verifications=sum(counts.values())
        )

    assert stored_count(issued_certificate) == 1
    assert verification.pending_counts([issued_certificate.public_code]) == {
        issued_certificate.public_code: 1
    }
    verification.flush_verification_counts()
    assert stored_count(issued_certificate) == 2


def test_a_failed_flush_keeps_the_counts(client, issued_certificate):
    verify(client, issued_certificate)

    with pytest.raises(RuntimeError), verification.counts_to_store():
        raise RuntimeError("database went away")

    assert verification.pending_counts([issued_certificate.public_code]) == {
        issued_certificate.public_code: 1
    }


def test_unknown_codes_and_redirects_are_not_counted(client, issued_certificate):
    typed = issued_certificate.public_code.replace("-", "").lower()

    assert client.get(f"/verify/{typed}/").status_code == 302
    assert client.get("/verify/0000-0000-0000-0/").status_code == 404
    tasks.flush_verification_counts.apply()

    assert stored_count(issued_certificate) == 0


def test_a_cached_verification_page_asks_nothing_of_the_database(
    client, issued_certificate, django_assert_num_queries
):
    verify(client, issued_certificate)  # renders and caches the page

    with django_assert_num_queries(0):
        response = verify(client, issued_certificate)

    assert response.status_code == 200 and "VALID" in response.content.decode()


def test_a_rate_limited_client_gets_the_too_many_page_and_is_not_counted(
    client, issued_certificate, settings
):
    settings.VERIFY_RATE_LIMIT = "2/m"

    responses = [verify(client, issued_certificate) for _ in range(4)]
    refused_by_api = verify_by_api(client, issued_certificate)
    tasks.flush_verification_counts.apply()

    assert [r.status_code for r in responses] == [200, 200, 429, 429]
    assert "Too many checks" in responses[-1].content.decode()
    assert responses[-1]["Retry-After"] == "60"
    assert refused_by_api.status_code == 429
    assert stored_count(issued_certificate) == 2


def test_the_limit_follows_the_configured_client_address_header(
    client, issued_certificate, settings
):
    settings.VERIFY_RATE_LIMIT = "1/m"
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"

    first = verify(client, issued_certificate, HTTP_X_REAL_IP="10.0.0.1")
    again = verify(client, issued_certificate, HTTP_X_REAL_IP="10.0.0.1")
    another_client = verify(client, issued_certificate, HTTP_X_REAL_IP="10.0.0.2")

    assert (first.status_code, again.status_code, another_client.status_code) == (200, 429, 200)


def test_a_client_cannot_dodge_the_limit_by_prepending_addresses_to_the_proxy_header(
    client, issued_certificate, settings
):
    settings.VERIFY_RATE_LIMIT = "1/m"
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"

    first = verify(client, issued_certificate, HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.7")
    spoofed = verify(client, issued_certificate, HTTP_X_FORWARDED_FOR="2.2.2.2, 10.0.0.7")

    assert (first.status_code, spoofed.status_code) == (200, 429)


def test_beat_flushes_the_counts_every_minute():
    entries = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "certification.flush_verification_counts"
    ]

    assert len(entries) == 1 and entries[0]["schedule"] <= 60


@pytest.mark.skipif(verification.redis_client() is not None, reason="counts are kept in Redis")
def test_without_redis_each_process_stores_its_counts_every_few_seconds(
    client, issued_certificate, monkeypatch
):
    monkeypatch.setattr(verification, "LOCAL_FLUSH_SECONDS", 0)

    for _ in range(3):
        verify(client, issued_certificate)

    assert stored_count(issued_certificate) == 3


@needs_redis
def test_in_redis_the_limit_is_the_same_counter_the_cache_path_keeps(settings, monkeypatch):
    """One limit per client, whichever path counts: the Lua script's counter is the cache's."""
    settings.VERIFY_RATE_LIMIT = "5/m"
    request = RequestFactory().get("/verify/", REMOTE_ADDR="10.9.8.7")

    in_redis = [verification.check(request).is_limited for _ in range(3)]
    monkeypatch.setattr(verification, "redis_client", lambda: None)
    in_cache = [verification.check(request).is_limited for _ in range(3)]

    assert in_redis == [False, False, False]
    assert in_cache == [False, False, True]


def test_the_limit_is_counted_per_window_and_refuses_only_past_it(settings, monkeypatch):
    settings.VERIFY_RATE_LIMIT = "2/m"
    request = RequestFactory().get("/verify/", REMOTE_ADDR="10.9.8.6")
    now = [1_000_020.0]  # 20 s into a minute
    monkeypatch.setattr(verification.time, "time", lambda: now[0])

    first_window = [verification.check(request).is_limited for _ in range(3)]
    now[0] += 60
    next_window = [verification.check(request).is_limited for _ in range(3)]

    assert first_window == [False, False, True]
    assert next_window == [False, False, True]


def test_ipv6_clients_are_told_apart_by_their_network(settings):
    settings.VERIFY_RATE_LIMIT = "1/m"
    one_host = RequestFactory().get("/verify/", REMOTE_ADDR="2001:db8:1:2::10")
    same_network = RequestFactory().get("/verify/", REMOTE_ADDR="2001:db8:1:2::99")
    other_network = RequestFactory().get("/verify/", REMOTE_ADDR="2001:db8:1:3::10")

    assert not verification.check(one_host).is_limited
    assert verification.check(same_network).is_limited
    assert not verification.check(other_network).is_limited


@needs_redis
def test_in_redis_a_cached_page_is_read_and_counted_in_one_round_trip(client, issued_certificate):
    verify(client, issued_certificate)  # renders and caches the page
    redis = verification.redis_client()
    calls = []
    original = redis.execute_command
    redis.execute_command = lambda *args, **kwargs: (
        calls.append(args[0]) or original(*args, **kwargs)
    )
    try:
        response = verify(client, issued_certificate)
    finally:
        del redis.execute_command

    assert response.status_code == 200
    assert calls == ["EVALSHA"]


def test_rates_read_as_the_other_limits_read_them():
    assert verification.parse_rate("60/m") == (60, 60)
    assert verification.parse_rate("60/min") == (60, 60)
    assert verification.parse_rate("100/5m") == (100, 300)
    assert verification.parse_rate("5/") == (5, 1)


def test_an_ipv4_client_on_a_dual_stack_listener_keeps_its_own_address():
    from lms.network import client_address

    first = RequestFactory().get("/", REMOTE_ADDR="::ffff:10.0.0.1")
    second = RequestFactory().get("/", REMOTE_ADDR="::ffff:10.0.0.2")

    assert (client_address(first), client_address(second)) == ("10.0.0.1", "10.0.0.2")
