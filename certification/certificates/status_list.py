"""Revocation and suspension that anyone holding a credential can see: W3C Bitstring Status List
v1.0. Every certificate has a random position (`Certificate.status_index`) in two published
lists; its bit in the revocation list is set once it is revoked or replaced, its bit in the
suspension list while it is a badge whose holder's account is deactivated.

Each list is itself a credential (BitstringStatusListCredential) signed as a VC-JWT with the
issuer's key, served at a stable address, kept in Django's cache and rebuilt after every change
of a certificate or of a badge holder's account (certification/receivers.py).
"""

import base64
import gzip
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from ..models import Certificate

# The spec's minimum list length (§"Validate Algorithm": minimumNumberOfEntries), 16 KB of bits.
LIST_SIZE = 131_072
REVOCATION = "revocation"
SUSPENSION = "suspension"
PURPOSES = (REVOCATION, SUSPENSION)
CACHE_KEY = "certification:status-list:{purpose}"
# A list is rebuilt after each change; the lifetime only bounds how long a list built by a
# losing concurrent rebuild can stay.
CACHE_SECONDS = 300


class StatusRangeError(LookupError):
    """A status index outside the list (the spec's RANGE_ERROR)."""


def list_url(purpose) -> str:
    return f"{settings.SITE_URL}/credentials/status/{purpose}/"


def new_status_index() -> int:
    """A free position drawn at random (the spec: indexes SHOULD be assigned randomly)."""
    for _attempt in range(32):
        index = secrets.randbelow(LIST_SIZE)
        if not Certificate.objects.filter(status_index=index).exists():
            return index
    taken = set(
        Certificate.objects.exclude(status_index=None).values_list("status_index", flat=True)
    )
    free = [index for index in range(LIST_SIZE) if index not in taken]
    if not free:
        raise RuntimeError("The status list is full: it needs a second list.")
    return secrets.choice(free)


def entries_for(certificate: Certificate) -> list[dict]:
    """The certificate's BitstringStatusListEntry objects: revocation, and for a badge also
    suspension. None before it has a position."""
    if certificate.status_index is None:
        return []
    purposes = [REVOCATION]
    if certificate.kind == Certificate.Kind.BADGE:
        purposes.append(SUSPENSION)
    index = str(certificate.status_index)
    return [
        {
            "id": f"{list_url(purpose)}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": index,
            "statusListCredential": list_url(purpose),
        }
        for purpose in purposes
    ]


# A certificate in one of these has its bit set in the revocation list.
REVOKING_STATUSES = (Certificate.Status.REVOKED, Certificate.Status.REPLACED)


def changes_a_list(*, kind, status_before, status_after) -> bool:
    """Whether a certificate going from one status to another may set or clear a bit: a change
    to or from revoked (or replaced), or any change of a badge (a paused holder's badges are in
    the suspension list). Issuing a course certificate changes no list."""
    if kind == Certificate.Kind.BADGE:
        return True
    return status_before in REVOKING_STATUSES or status_after in REVOKING_STATUSES


def set_indexes(purpose) -> list[int]:
    """The positions whose bit is set in a list, read from the certificates as they are now."""
    certificates = Certificate.objects.exclude(status_index=None)
    if purpose == REVOCATION:
        # A replaced certificate no longer stands either: its verify page sends to the new one.
        certificates = certificates.filter(status__in=REVOKING_STATUSES)
    else:
        certificates = certificates.filter(
            Q(kind=Certificate.Kind.BADGE) & Q(holder__is_active=False)
        )
    return list(certificates.values_list("status_index", flat=True))


def encode(indexes, *, size=LIST_SIZE) -> str:
    """encodedList: multibase base64url (no padding, prefix "u") of the GZIP of the bitstring,
    index 0 the left-most (most significant) bit of the first byte."""
    bits = bytearray(size // 8)
    for index in indexes:
        if not 0 <= index < size:
            raise StatusRangeError(index)
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits give the same bytes.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def is_set(bitstring: bytes, index: int) -> bool:
    if not 0 <= index < len(bitstring) * 8:
        raise StatusRangeError(index)
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def build_status_list_credential(purpose) -> dict:
    """The unsigned BitstringStatusListCredential for a purpose, as the certificates are now."""
    from .credentials import VC_CONTEXT, _timestamp, issuer_id

    url = list_url(purpose)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": _timestamp(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(set_indexes(purpose)),
            "ttl": CACHE_SECONDS * 1000,
        },
    }


def status_list_jwt(purpose) -> str:
    """The signed list, from the cache when it is there."""
    if purpose not in PURPOSES:
        raise KeyError(purpose)
    token = cache.get(CACHE_KEY.format(purpose=purpose))
    if token is None:
        token = rebuild(purpose)
    return token


def rebuild(purpose) -> str:
    from .credentials import sign_credential

    token = sign_credential(build_status_list_credential(purpose))
    cache.set(CACHE_KEY.format(purpose=purpose), token, CACHE_SECONDS)
    return token


def rebuild_all():
    for purpose in PURPOSES:
        rebuild(purpose)
