"""The issuer as a did:web DID (W3C CCG did:web method): the DID made from SITE_URL, and the DID
document at /.well-known/did.json listing the issuer's Ed25519 keys, current and retired, as
Multikey verification methods (Controlled Identifiers 1.0) for assertionMethod."""

from urllib.parse import quote, urlsplit

import base58
from django.conf import settings

from .keys import IssuerKey, published_keys

CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
# The multicodec prefix of an Ed25519 public key (0xed as an unsigned varint).
ED25519_PUB_PREFIX = b"\xed\x01"


def issuer_did() -> str:
    """did:web:komek.kz, or did:web:localhost%3A8000 (the port's colon percent-encoded).

    SITE_URL is the site's root, so the DID has no path and its document is at
    /.well-known/did.json.
    """
    host = urlsplit(settings.SITE_URL).netloc.rsplit("@", 1)[-1].lower()
    return f"did:web:{quote(host, safe='')}"


def verification_method_id(key: IssuerKey) -> str:
    return f"{issuer_did()}#{key.key_id}"


def public_key_multibase(key: IssuerKey) -> str:
    """Multibase base58-btc ("z") of the multicodec-prefixed key, as Multikey wants it."""
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + key.public_bytes).decode()


def verification_method(key: IssuerKey) -> dict:
    return {
        "id": verification_method_id(key),
        "type": "Multikey",
        "controller": issuer_did(),
        "publicKeyMultibase": public_key_multibase(key),
    }


def did_document() -> dict:
    methods = [verification_method(key) for key in published_keys()]
    return {
        "@context": CONTEXT,
        "id": issuer_did(),
        "verificationMethod": methods,
        # Retired keys stay here too: they no longer sign, but what they signed still holds.
        "assertionMethod": [method["id"] for method in methods],
    }


def key_from_multibase(text: str) -> bytes:
    """The raw 32-byte Ed25519 public key of a publicKeyMultibase; ValueError otherwise."""
    if not text.startswith("z"):
        raise ValueError("publicKeyMultibase is not base58-btc")
    raw = base58.b58decode(text[1:])
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise ValueError("publicKeyMultibase is not an Ed25519 public key")
    return raw[2:]
