"""The issuer's Ed25519 keys: the one that signs now (CREDENTIAL_SIGNING_KEY) and the retired ones
(CREDENTIAL_RETIRED_KEYS) that stay published so credentials they signed keep verifying.

A retired key is a public JWK with its old key id, e.g.
`[{"kty": "OKP", "crv": "Ed25519", "x": "…", "kid": "key-1"}]`; `retirement_entry()` prints the
current key in that form before it is replaced. A key that leaked is removed, never retired.
"""

import base64
import functools
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class IssuerKey:
    key_id: str  # the fragment: "key-1" in did:web:komek.kz#key-1
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None

    @property
    def public_bytes(self) -> bytes:
        return self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def public_jwk(self) -> dict:
        """RFC 8037 OKP key, without the kid (each publisher names keys its own way)."""
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(self.public_bytes)}


def current_key() -> IssuerKey:
    return _current_key(settings.CREDENTIAL_SIGNING_KEY, settings.CREDENTIAL_KEY_ID)


def retired_keys() -> list[IssuerKey]:
    return list(_retired_keys(settings.CREDENTIAL_RETIRED_KEYS or ""))


def published_keys() -> list[IssuerKey]:
    """Every key a verifier may meet: the current one first, then the retired ones."""
    current = current_key()
    return [current] + [key for key in retired_keys() if key.key_id != current.key_id]


def retirement_entry() -> str:
    """The current key as CREDENTIAL_RETIRED_KEYS lists it, to keep before it is replaced."""
    key = current_key()
    return json.dumps({**key.public_jwk(), "kid": key.key_id})


@functools.lru_cache(maxsize=4)
def _current_key(pem: str, key_id: str) -> IssuerKey:
    # Keyed on the PEM itself, so a test that overrides the setting gets its own key.
    try:
        private_key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured("CREDENTIAL_SIGNING_KEY is not a valid PEM key.") from error
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ImproperlyConfigured("CREDENTIAL_SIGNING_KEY must be an Ed25519 private key.")
    return IssuerKey(key_id, private_key.public_key(), private_key)


@functools.lru_cache(maxsize=4)
def _retired_keys(text: str) -> tuple[IssuerKey, ...]:
    if not text.strip():
        return ()
    try:
        entries = json.loads(text)
        if not isinstance(entries, list):
            raise ValueError("not a list")
        keys = tuple(_from_jwk(entry) for entry in entries)
    except (ValueError, TypeError, KeyError) as error:
        raise ImproperlyConfigured(
            "CREDENTIAL_RETIRED_KEYS must be a JSON list of Ed25519 public JWKs, each with "
            f'its old key id as "kid" ({error}).'
        ) from error
    if len({key.key_id for key in keys}) != len(keys):
        raise ImproperlyConfigured("CREDENTIAL_RETIRED_KEYS lists a key id twice.")
    return keys


def _from_jwk(entry: dict) -> IssuerKey:
    if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
        raise ValueError("a key is not an Ed25519 JWK")
    if not isinstance(entry["kid"], str) or not entry["kid"]:
        raise ValueError("a key has no kid")
    # A JWK's kid may be a full URL (…/issuer/#key-1); the key id is its fragment.
    key_id = entry["kid"].rsplit("#", 1)[-1]
    raw = base64.urlsafe_b64decode(entry["x"] + "=" * (-len(entry["x"]) % 4))
    return IssuerKey(key_id, Ed25519PublicKey.from_public_bytes(raw))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
