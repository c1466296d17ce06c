"""Reads for verification and the holder's certificate list."""

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from .codes import normalise
from .models import Certificate

# Verification pages are read far more than certificates change: their public record is cached,
# and every change to a certificate drops it (see receivers.py).
RECORD_TTL_SECONDS = 300
LANGUAGES = ("ru", "kk", "en")


def record_cache_key(code, language):
    return f"certification:record:{code}:{language}"


def page_cache_key(code, language):
    return f"certification:verify-page:{code}:{language}"


def forget_record(code):
    cache.delete_many(
        [record_cache_key(code, language) for language in LANGUAGES]
        + [page_cache_key(code, language) for language in LANGUAGES]
    )


def record_ttl(record):
    """How long a record may be served from the cache: never past the expiry moment."""
    ttl = RECORD_TTL_SECONDS
    expires_at = record["expires_at"]
    if expires_at and expires_at > timezone.now():
        ttl = min(ttl, int((expires_at - timezone.now()).total_seconds()) + 1)
    return ttl


def cached_public_record(code):
    """The public record for a canonical code in the active language, or None when unknown."""
    language = (get_language() or "ru")[:2]
    key = record_cache_key(code, language)
    record = cache.get(key)
    if record is None:
        certificate = (
            Certificate.objects.select_related("direction", "level", "branch", "replaced_by")
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
        Certificate.objects.select_related("direction", "level", "branch", "replaced_by", "holder")
        .filter(public_code=code)
        .first()
    )


def public_record(certificate, language=None):
    """What anyone may learn about a certificate: no email, no phone."""
    replacement = certificate.replaced_by
    return {
        "code": certificate.public_code,
        "status": certificate.verification_status,
        "kind": certificate.kind,
        "holder_name": certificate.holder_name,
        "holder_name_latin": certificate.holder_name_latin,
        "title": certificate.title(language),
        "level": certificate.level.name if certificate.level else None,
        "direction": certificate.direction.name if certificate.direction else None,
        "branch": certificate.branch.name if certificate.branch else None,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "revoked_at": certificate.revoked_at,
        "revoked_reason": certificate.revoked_reason or None,
        "replaced_by": replacement.public_code if replacement else None,
        "verify_url": certificate.verify_url,
        "n_verifications": certificate.n_verifications,
    }
