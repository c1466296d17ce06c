"""Public verification: what anyone may learn about a certificate, and its hot path.

Employers scan far more often than certificates change, so a check must cost next to nothing:
the client's rate limit, the cached answer and the count. With the Redis cache all three steps
are one Lua script run in Redis: one round trip, on a client kept per process (Django's
RedisCache builds a client on every call). Counts gather in a Redis hash until
`flush_verification_counts` (Celery beat, every minute) adds them to `Certificate.n_verifications`.
Without Redis (development, tests) the limit is counted in Django's cache, and counts gather in
this process for a few seconds.
"""

import functools
import pickle
import re
import threading
import time
from collections import Counter
from contextlib import contextmanager
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lms.network import client_address
from lms.translation import current_language, language_codes

from ..coordination import aggregates
from ..models import Certificate
from .codes import normalise

# Verification pages are read far more than certificates change: their public record is cached,
# and every change to a certificate drops it (see certification/receivers.py).
RECORD_TTL_SECONDS = 300


def record_cache_key(code, language):
    return f"certification:record:{code}:{language}"


def page_cache_key(code, language):
    return f"certification:verify-page:{code}:{language}"


def forget_record(code):
    cache.delete_many(
        [record_cache_key(code, language) for language in language_codes()]
        + [page_cache_key(code, language) for language in language_codes()]
    )


def record_ttl(record):
    """How long a record may be served from the cache: never past the expiry moment. Rounded
    down, since caches count whole seconds: a certificate expiring within the second is not
    cached at all (0 stores nothing), rather than shown valid for a moment after it expired."""
    ttl = RECORD_TTL_SECONDS
    expires_at = record["expires_at"]
    if expires_at and expires_at > (now := timezone.now()):
        ttl = min(ttl, int((expires_at - now).total_seconds()))
    return ttl


def cached_public_record(code):
    """The public record for a canonical code in the active language, or None when unknown."""
    language = current_language()
    key = record_cache_key(code, language)
    record = cache.get(key)
    if record is None:
        certificate = (
            Certificate.objects.select_related(
                "direction", "level", "branch", "replaced_by", "holder", "renewal__new"
            )
            .filter(public_code=code)
            .first()
        )
        if certificate is None:
            return None
        record = public_record(certificate, language)
        record["pk"] = certificate.pk
        record["kind_label"] = str(certificate.get_kind_display())
        cache.set(key, record, record_ttl(record))
    return record


def certificate_by_code(text):
    """The certificate a typed or scanned code names, or None (also for malformed codes)."""
    code = normalise(text or "")
    if code is None:
        return None
    return (
        Certificate.objects.select_related(
            "direction", "level", "branch", "replaced_by", "holder", "renewal__new"
        )
        .filter(public_code=code)
        .first()
    )


def public_record(certificate, language=None):
    """What anyone may learn about a certificate: no email, no phone.

    `level` is the level the certificate awards (level certificates, badges); a course
    certificate's level is the course's target level, `course_level`, which says nothing of the
    holder's own level.
    """
    replacement = certificate.replaced_by
    level = certificate.level.name if certificate.level else None
    is_course = certificate.kind == certificate.Kind.COURSE
    return {
        "code": certificate.public_code,
        "status": certificate.verification_status,
        "kind": certificate.kind,
        "holder_name": certificate.holder_name,
        "holder_name_latin": certificate.holder_name_latin,
        "title": certificate.title(language),
        "level": None if is_course else level,
        "course_level": level if is_course else None,
        "direction": certificate.direction.name if certificate.direction else None,
        "branch": certificate.branch.name if certificate.branch else None,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "revoked_at": certificate.revoked_at,
        "revoked_reason": certificate.revoked_reason or None,
        "replaced_by": replacement.public_code if replacement else None,
        "renewed_by": renewed_by(certificate),
        "verify_url": certificate.verify_url,
        "n_verifications": certificate.n_verifications,
    }


def renewed_by(certificate):
    """The code of the certificate that renewed this one (recertification), or None."""
    try:
        return certificate.renewal.new.public_code
    except ObjectDoesNotExist:
        return None


# The hot path ---------------------------------------------------------------------------------

RATE = re.compile(r"(\d+)/(\d*)([smhd])?", re.IGNORECASE)
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
WINDOW_GRACE_SECONDS = 5  # a counter outlives its window a little, never a window less
RATE_KEY = "certification:verify-rate:{address}:{window}"
COUNTS_KEY = "certification:verification-counts"
FLUSH_LOCK_KEY = "certification:verification-counts:flushing"
FLUSH_LOCK_SECONDS = 50  # less than the beat interval: a crashed flush never blocks the next
LOCAL_FLUSH_SECONDS = 2

# KEYS: the client's rate-limit counter, then optionally the cached answer and the counts hash.
# ARGV: the limit, the counter's lifetime in seconds, the code to count when the answer is cached.
# The counter is the same key and value as the cache path's (an integer with a lifetime, then
# INCR), so both paths count towards the same limit.
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
    counter, limit, lifetime = rate_counter(request)
    client = redis_client()
    if client is not None:
        return _check_in_redis(client, counter, limit, lifetime, key, code)
    # Fixed-window counter on Django's cache: add the key with its lifetime, then increment.
    cache.add(counter, 0, lifetime)
    try:
        n = cache.incr(counter)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.add(counter, 1, lifetime)
        n = 1
    if n > limit:
        return Check(True, None, False)
    return Check(False, cache.get(key) if key else None, False)


def rate_counter(request):
    """The client's counter for the current window: (key, limit, lifetime in seconds).

    A fixed-window counter, as django-ratelimit keeps for the join form: VERIFY_RATE_LIMIT is
    "N/period" (s, m, h, d, optionally with a multiple: "100/5m"); a window starts at a multiple
    of the period, so a client gets at most N checks per window. Clients are told apart by
    address (lms.network.client_address).
    """
    limit, period = parse_rate(settings.VERIFY_RATE_LIMIT)
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        limit = 2**62
    window = int(time.time()) // period
    counter = RATE_KEY.format(address=client_address(request), window=window)
    return counter, limit, period + WINDOW_GRACE_SECONDS


@functools.cache  # read on every check: parse each configured rate once
def parse_rate(rate: str) -> tuple[int, int]:
    """'60/m' → (60, 60); '100/5m' → (100, 300)."""
    # As django-ratelimit reads the other limits: "60/min" is 60/m, "5/" is 5 a second.
    match = RATE.match(rate.strip())
    if match is None:
        raise ImproperlyConfigured(f"VERIFY_RATE_LIMIT must look like 60/m, not {rate!r}")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * PERIOD_SECONDS[(unit or "s").lower()]


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


def _check_in_redis(client, counter, limit, lifetime, key, code):
    keys = [cache.make_key(counter)]
    if key:
        keys += [cache.make_key(key), cache.make_key(COUNTS_KEY)]
    is_limited, answer = _scripts(client)["check"](keys=keys, args=[limit, lifetime, code or ""])
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


def record_verification(*, code):
    """Count one verification of the certificate with this canonical code. Counts reach
    `n_verifications` in batches (flush_verification_counts): verification stays one cache
    round trip, with no database write."""
    if count(code):
        flush_verification_counts()


def flush_verification_counts() -> int:
    """Add the verifications counted since the last flush to each certificate's n_verifications;
    returns how many were added."""
    with counts_to_store() as counts, transaction.atomic():
        for code, n in sorted(counts.items()):
            Certificate.objects.filter(public_code=code).update(
                n_verifications=F("n_verifications") + n
            )
            aggregates.verifications_added(public_code=code, n=n)
    return sum(counts.values())
