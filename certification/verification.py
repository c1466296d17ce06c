"""The hot path of public verification: the client's rate limit, the cached answer and the count.

Employers scan far more often than certificates change, so a check must cost next to nothing.
With the Redis cache all three steps are one Lua script run in Redis: one round trip, on a client
kept per process (Django's RedisCache builds a client on every call). Counts gather in a Redis
hash until `services.flush_verification_counts` (Celery beat, every minute) adds them to
`Certificate.n_verifications`. Without Redis (development, tests) the rate limit is
django-ratelimit on Django's cache, and counts gather in this process for a few seconds.
"""

import functools
import pickle
import threading
import time
from collections import Counter
from contextlib import contextmanager
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django_ratelimit import ALL
from django_ratelimit.core import (
    EXPIRATION_FUDGE,
    _get_ip,
    _get_window,
    _make_cache_key,
    _split_rate,
    is_ratelimited,
)

RATE_GROUP = "certification.verify"
COUNTS_KEY = "certification:verification-counts"
FLUSH_LOCK_KEY = "certification:verification-counts:flushing"
FLUSH_LOCK_SECONDS = 50  # less than the beat interval: a crashed flush never blocks the next
LOCAL_FLUSH_SECONDS = 2

# KEYS: the client's rate-limit counter, then optionally the cached answer and the counts hash.
# ARGV: the limit, the counter's lifetime in seconds, the code to count when the answer is cached.
# The counter is django-ratelimit's own key and value (add 1 with a lifetime, then INCR), so
# both paths count towards the same limit.
CHECK_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return {1, false} end
if #KEYS < 2 then return {0, false} end
local answer = redis.call('GET', KEYS[2])
if answer then redis.call('HINCRBY', KEYS[3], ARGV[3], 1) end
return {0, answer}
"""

# Subtracts what a flush stored, so verifications counted meanwhile stay for the next flush.
SUBTRACT_SCRIPT = """
for i = 1, #ARGV, 2 do
    if redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1])) <= 0 then
        redis.call('HDEL', KEYS[1], ARGV[i])
    end
end
"""


class Check(NamedTuple):
    is_limited: bool
    answer: Any  # what the cache holds under the key asked for, or None
    is_counted: bool  # the verification has already been counted


def check(request, *, key=None, code=None) -> Check:
    """Count the client against VERIFY_RATE_LIMIT and, unless limited, read `key` from the cache;
    when it is there, count a verification of `code` (a canonical code)."""
    client = redis_client()
    if client is not None:
        return _check_in_redis(client, request, key, code)
    if is_ratelimited(
        request, group=RATE_GROUP, key="ip", rate=settings.VERIFY_RATE_LIMIT, increment=True
    ):
        return Check(True, None, False)
    return Check(False, cache.get(key) if key else None, False)


def count(code) -> bool:
    """Count one verification of the certificate with this canonical code. True when this
    process's own counts (no Redis) are due to be stored."""
    client = redis_client()
    if client is not None:
        client.hincrby(cache.make_key(COUNTS_KEY), code, 1)
        return False
    return _local.add(code)


def pending_counts(codes) -> dict[str, int]:
    """Verifications of these codes counted but not yet in the database."""
    codes = list(codes)
    client = redis_client()
    if client is None:
        return _local.pending(codes)
    if not codes:
        return {}
    values = client.hmget(cache.make_key(COUNTS_KEY), codes)
    return {code: int(value) for code, value in zip(codes, values, strict=True) if value}


@contextmanager
def counts_to_store():
    """The counts to add to the database, {code: n}; forgotten once the block succeeds.

    With Redis one flush runs at a time; another one meanwhile gets nothing to store.
    """
    client = redis_client()
    if client is None:
        with _local.taken() as counts:
            yield counts
        return
    lock = cache.make_key(FLUSH_LOCK_KEY)
    if not client.set(lock, 1, nx=True, ex=FLUSH_LOCK_SECONDS):
        yield {}
        return
    try:
        key = cache.make_key(COUNTS_KEY)
        counts = {code.decode(): int(n) for code, n in client.hgetall(key).items()}
        yield counts
        if counts:
            _scripts(client)["subtract"](
                keys=[key], args=[x for item in counts.items() for x in item]
            )
    finally:
        client.delete(lock)


def redis_client():
    """The Redis that holds the cache, through one connection pool per process; None when the
    cache is not Redis."""
    config = settings.CACHES["default"]
    if not config["BACKEND"].endswith(".RedisCache"):
        return None
    return _client(config["LOCATION"])


@functools.cache
def _client(location):
    import redis

    # Django's RedisCache writes to the first of several servers; so does this.
    servers = location.split(",") if isinstance(location, str) else location
    return redis.Redis.from_url(servers[0])


@functools.cache
def _scripts(client):
    return {
        "check": client.register_script(CHECK_SCRIPT),
        "subtract": client.register_script(SUBTRACT_SCRIPT),
    }


def _check_in_redis(client, request, key, code):
    rate = settings.VERIFY_RATE_LIMIT
    limit, period = _split_rate(rate)
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        limit = 2**62
    client_address = _get_ip(request)
    window = _get_window(client_address, period)
    keys = [cache.make_key(_make_cache_key(RATE_GROUP, window, rate, client_address, ALL))]
    if key:
        keys += [cache.make_key(key), cache.make_key(COUNTS_KEY)]
    is_limited, answer = _scripts(client)["check"](
        keys=keys, args=[limit, period + EXPIRATION_FUDGE, code or ""]
    )
    if is_limited:
        return Check(True, None, False)
    if answer is None:
        return Check(False, None, False)
    return Check(False, _loads(answer), True)


def _loads(data):
    """As Django's RedisSerializer: integers are stored as they are, everything else pickled."""
    try:
        return int(data)
    except ValueError:
        return pickle.loads(data)  # noqa: S301 - our own cache, written by Django


class _LocalCounts:
    """Counts of this process, without Redis: stored at most every LOCAL_FLUSH_SECONDS."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = Counter()
        self._since = time.monotonic()

    def add(self, code):
        with self._lock:
            self._counts[code] += 1
            return time.monotonic() - self._since >= LOCAL_FLUSH_SECONDS

    def pending(self, codes):
        with self._lock:
            return {code: self._counts[code] for code in codes if self._counts[code]}

    @contextmanager
    def taken(self):
        with self._lock:
            counts, self._counts = dict(self._counts), Counter()
            self._since = time.monotonic()
        try:
            yield counts
        except BaseException:
            with self._lock:
                self._counts.update(counts)
            raise


_local = _LocalCounts()
