"""Certificates as Open Badges 3.0 OpenBadgeCredentials, secured as VC-JWTs signed with Ed25519.

Follows 1EdTech Open Badges 3.0 (3.0.3: data model, and §8.2 "JSON Web Token Proof Format") on
W3C VCDM 2.0: the JWT payload is the credential itself, with iss/jti/nbf/exp mirroring
issuer.id/id/validFrom/validUntil. The credential is built only from the certificate's frozen
fields and its status-list position, so a rebuild says the same.
"""

import base64
import functools
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac
from joserfc import jwt
from joserfc.errors import InvalidClaimError, JoseError
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry

from ..models import Certificate
from . import achievements, status_list

ALGORITHM = "EdDSA"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT = [VC_CONTEXT, OB_CONTEXT]
# Defines 1EdTechJsonSchemaValidator2019, the credentialSchema type OB 3.0 asks for.
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
# 1EdTech's JSON Schema for OB 3.0 credentials, as OB 3.0 §"credentialSchema" names it.
OB_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
# Komek's own terms (branch, direction, level, hours), served as it is at extension_context_url().
EXTENSION_CONTEXT_FILE = Path(__file__).resolve().parent / "contexts" / "komek-v1.jsonld"


class _EdDSA(EdDSAAlgorithm):
    # RFC 9864 renames "EdDSA" to "Ed25519", but Open Badges verifiers and PyJWT know only "EdDSA".
    security_warning = None


class _Registry(JWSRegistry):
    algorithms = {**JWSRegistry.algorithms, ALGORITHM: _EdDSA()}


REGISTRY = _Registry(algorithms=[ALGORITHM])


class InvalidCredential(Exception):
    """A VC-JWT that is malformed, not signed by our key, expired, or inconsistent with itself."""


def signing_key() -> OKPKey:
    return _load_key(settings.CREDENTIAL_SIGNING_KEY)


@functools.lru_cache(maxsize=4)
def _load_key(pem: str) -> OKPKey:
    # Keyed on the PEM itself, so a test that overrides the setting gets its own key.
    try:
        key = OKPKey.import_key(pem)
    except (JoseError, ValueError, TypeError) as error:
        raise ImproperlyConfigured("CREDENTIAL_SIGNING_KEY is not a valid PEM key.") from error
    if key.curve_name != "Ed25519" or not key.is_private:
        raise ImproperlyConfigured("CREDENTIAL_SIGNING_KEY must be an Ed25519 private key.")
    return key


def issuer_id() -> str:
    return f"{settings.SITE_URL}/issuer/"


def jwks_url() -> str:
    return f"{settings.SITE_URL}/.well-known/jwks.json"


def key_id(key: OKPKey | None = None) -> str:
    """The JWT header's kid: the JWKS address with the key's RFC 7638 thumbprint, so it
    dereferences to the JWKS entry that carries the same kid (OB 3.0 §8.2 "kid")."""
    return f"{jwks_url()}#{(key or signing_key()).thumbprint()}"


def public_jwk(key: OKPKey | None = None) -> dict:
    key = key or signing_key()
    return key.as_dict(private=False, kid=key_id(key), alg=ALGORITHM, use="sig")


def published_keys() -> list[OKPKey]:
    """The current key first, then retired ones that stay published (certificates/keys.py)."""
    return list(_keys_by_legacy_id().values())


def _keys_by_legacy_id() -> dict[str, OKPKey]:
    """Published keys under the kid credentials signed before today's format carry
    (`<issuer>/#key-1`), so those keep resolving and verifying."""
    from . import keys

    current = signing_key()
    published = {f"{issuer_id()}#{settings.CREDENTIAL_KEY_ID}": current}
    for retired in keys.retired_keys():
        key = OKPKey.import_key(retired.public_jwk())
        if key.thumbprint() != current.thumbprint():
            published.setdefault(f"{issuer_id()}#{retired.key_id}", key)
    return published


def public_jwks() -> dict:
    return {"keys": [public_jwk(key) for key in published_keys()]}


def issuer_profile(settings_obj, language="ru") -> dict:
    """The document behind issuer_id(); it also resolves the JWT header's kid to the public key."""
    return {
        "@context": CONTEXT,
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings_obj.organisation(language),
        "url": settings.SITE_URL,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "JsonWebKey",
                "controller": issuer_id(),
                "publicKeyJwk": public_jwk(key),
            }
            for key in published_keys()
            for method_id in (key_id(key), *_legacy_ids(key))
        ],
    }


def extension_context_url() -> str:
    return f"{settings.SITE_URL}/credentials/contexts/komek-v1.jsonld"


def extension_context() -> dict:
    return json.loads(EXTENSION_CONTEXT_FILE.read_text())


def credential_context() -> list[str]:
    return [*CONTEXT, OB_EXTENSIONS_CONTEXT, extension_context_url()]


def build_credential(certificate: Certificate, *, settings_obj=None) -> dict:
    """The OpenBadgeCredential (Open Badges 3.0, VCDM 2.0) for a certificate, unsigned.

    Texts are in the certificate's printed languages, the first one leading (`inLanguage`).
    """
    if settings_obj is None:
        from .issuer import issuer_settings

        settings_obj = issuer_settings()
    languages = certificate.printed_languages or ["ru"]
    language = languages[0]
    title = certificate.title(language)
    earned = achievements.earned_by(certificate)
    subject = {
        "type": ["AchievementSubject"],
        # No subject id: the holder is identified by a salted hash of the email, so the JWT
        # has no `sub` (OB 3.0 verifiers then match the identifier, not an id).
        "identifier": [_email_identity(certificate)],
        "name": certificate.holder_name,
        "achievement": achievements.achievement(
            earned,
            languages=languages,
            names={code: certificate.title(code) for code in languages},
        ),
    }
    if certificate.branch_id:
        subject["branch"] = getattr(certificate.branch, f"name_{language}", "") or (
            certificate.branch.name_ru
        )
    credential = {
        "@context": credential_context(),
        "id": certificate.verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": settings_obj.organisation(language),
            "url": settings.SITE_URL,
        },
        "validFrom": _timestamp(certificate.issued_at),
        "awardedDate": _timestamp(certificate.issued_at),
        "name": title,
        "credentialSubject": subject,
        "credentialSchema": [dict(OB_SCHEMA)],
    }
    if certificate.expires_at:
        credential["validUntil"] = _timestamp(certificate.expires_at)
    entries = status_list.entries_for(certificate)
    if entries:
        # OB 3.0 allows one credentialStatus; a badge also carries its suspension entry
        # (VCDM 2.0 and Bitstring Status List allow several).
        credential["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    if len(entries) > 1:
        # ...which 1EdTech's schema does not: a badge does not claim a schema it would fail.
        del credential["credentialSchema"]
    return credential


def sign_credential(credential: dict) -> str:
    """A VC-JWT: the credential is the payload, the registered claims mirroring it."""
    claims = {**credential, **_registered_claims(credential)}
    # Issued when the credential says it was, not at each download: Ed25519 is deterministic,
    # so the same credential gives the same bytes however often it is signed.
    claims["iat"] = claims["nbf"]
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": key_id()}
    return jwt.encode(header, claims, signing_key(), registry=REGISTRY)


def credential_jwt_for(certificate: Certificate, *, settings_obj=None) -> str:
    return sign_credential(build_credential(certificate, settings_obj=settings_obj))


def verify_jwt(token: str, *, check_times: bool = True) -> dict:
    """The payload (the credential and its claims) of a VC-JWT we signed, checked as Open
    Badges 3.0 verifiers check it. Credentials signed by a retired key still verify.

    check_times=False reads an expired credential, e.g. to report it as expired.
    Raises InvalidCredential.
    """
    try:
        header = json.loads(_b64url_decode(token.split(".")[0]))
        key = _published_key(header.get("kid"))
        decoded = jwt.decode(token, key, registry=REGISTRY)
        claims = decoded.claims
        if check_times:
            jwt.JWTClaimsRegistry(leeway=60, nbf={"essential": True}).validate(claims)
        # A credential signed before VCDM 2.0 carries itself in a "vc" claim (VCDM 1.1).
        expected = _registered_claims(claims.get("vc", claims))
        for name in ("iss", "jti", "nbf", "exp"):
            if claims.get(name) != expected.get(name):
                raise InvalidClaimError(name)
        if "vc" not in claims and claims.get("sub") != expected.get("sub"):
            raise InvalidClaimError("sub")
    except (JoseError, KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise InvalidCredential(str(error) or type(error).__name__) from error
    return claims


def _published_key(kid) -> OKPKey:
    by_legacy_id = _keys_by_legacy_id()
    if kid in by_legacy_id:
        return by_legacy_id[kid]
    for key in by_legacy_id.values():
        if key_id(key) == kid:
            return key
    raise InvalidClaimError("kid")


def _legacy_ids(key) -> list[str]:
    thumbprint = key.thumbprint()
    return [
        legacy
        for legacy, published in _keys_by_legacy_id().items()
        if published.thumbprint() == thumbprint
    ]


def _registered_claims(credential: dict) -> dict:
    """The JWT claims that mirror the credential, as OB 3.0 §8.2 maps them."""
    issuer = credential["issuer"]
    claims = {
        "iss": issuer if isinstance(issuer, str) else issuer["id"],
        "jti": credential["id"],
        "nbf": _unix(credential["validFrom"]),
    }
    subject = credential["credentialSubject"]
    if isinstance(subject, dict) and "id" in subject:
        claims["sub"] = subject["id"]
    if "validUntil" in credential:
        claims["exp"] = _unix(credential["validUntil"])
    return claims


def _email_identity(certificate: Certificate) -> dict:
    """An IdentityObject with the salted hash of the email, never the address itself."""
    email = certificate.holder.email.strip().lower()
    # Unique per certificate, so equal hashes never link one person's credentials together.
    salt = salted_hmac("certification.credentials.salt", certificate.public_code).hexdigest()[:32]
    digest = hashlib.sha256((email + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unix(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp).timestamp())


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
