"""Reads for verification and the holder's certificate list."""

from .codes import normalise
from .models import Certificate


def certificate_by_code(text):
    """The certificate a typed or scanned code names, or None (also for malformed codes)."""
    code = normalise(text or "")
    if code is None:
        return None
    return (
        Certificate.objects.select_related("direction", "level", "replaced_by", "holder")
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
        "branch": None,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "revoked_at": certificate.revoked_at,
        "revoked_reason": certificate.revoked_reason or None,
        "replaced_by": replacement.public_code if replacement else None,
        "verify_url": certificate.verify_url,
        "n_verifications": certificate.n_verifications,
    }
