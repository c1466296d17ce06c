"""Certificates as Open Badges 3.0 OpenBadgeCredentials, secured as VC-JWTs signed with Ed25519.

Follows 1EdTech Open Badges 3.0 (data model, and §"JSON Web Token Proof Format" for the JWT).
The credential is built only from the certificate's frozen fields, so a rebuild says the same.
"""

import functools
import hashlib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac
from joserfc import jwt
from joserfc.errors import InvalidClaimError, JoseError
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry

from ..models import Certificate

ALGORITHM = "EdDSA"
CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ACHIEVEMENT_TYPES = {
    Certificate.Kind.COURSE: "Certificate",
    Certificate.Kind.LEVEL: "Certificate",
    Certificate.Kind.LETTER: "Achievement",
    Certificate.Kind.BADGE: "Badge",
}
# Frozen at issue like the title, so the text is in Russian, the language every certificate has.
DESCRIPTIONS = {
    Certificate.Kind.COURSE: "Сертификат о прохождении курса «{title}».",
    Certificate.Kind.LEVEL: "Сертификат о присвоении уровня «{title}».",
    Certificate.Kind.LETTER: "Благодарственное письмо: {title}.",
    Certificate.Kind.BADGE: "Бейдж волонтёра: {title}.",
}
CRITERIA = {
    Certificate.Kind.COURSE: "Пройти все уроки курса «{title}» и сдать итоговый тест.",
    Certificate.Kind.LEVEL: (
        "Выполнить требования уровня «{title}»: обучение и подтверждённая практика."
    ),
    Certificate.Kind.LETTER: "Вручается по решению координатора за вклад в работу движения.",
    Certificate.Kind.BADGE: (
        "Заполнить анкету, пройти собеседование или вводный курс и выбрать направление."
    ),
}


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


def key_id() -> str:
    return f"{issuer_id()}#{settings.CREDENTIAL_KEY_ID}"


def public_jwk() -> dict:
    return signing_key().as_dict(private=False, kid=key_id(), alg=ALGORITHM, use="sig")


def public_jwks() -> dict:
    return {"keys": [public_jwk()]}


def issuer_profile(settings_obj) -> dict:
    """The document behind issuer_id(); it also resolves the JWT header's kid to the public key."""
    return {
        "@context": CONTEXT,
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings_obj.organisation_ru,
        "url": settings.SITE_URL,
        "verificationMethod": [
            {
                "id": key_id(),
                "type": "JsonWebKey",
                "controller": issuer_id(),
                "publicKeyJwk": public_jwk(),
            }
        ],
    }


def build_credential(certificate: Certificate, *, settings_obj) -> dict:
    """The OpenBadgeCredential (Open Badges 3.0) for a certificate, unsigned."""
    title = certificate.title("ru")
    credential = {
        "@context": CONTEXT,
        "id": certificate.verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": settings_obj.organisation_ru},
        "validFrom": _timestamp(certificate.issued_at),
        "name": title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [_email_identity(certificate)],
            "achievement": {
                "id": _achievement_id(certificate),
                "type": ["Achievement"],
                "achievementType": ACHIEVEMENT_TYPES[certificate.kind],
                "name": title,
                "description": DESCRIPTIONS[certificate.kind].format(title=title),
                "criteria": {"narrative": CRITERIA[certificate.kind].format(title=title)},
            },
            "name": certificate.holder_name,
        },
    }
    if certificate.expires_at:
        credential["validUntil"] = _timestamp(certificate.expires_at)
    return credential


def sign_credential(credential: dict) -> str:
    """A VC-JWT: the credential in the "vc" claim, the registered claims mirroring it."""
    claims = {**_registered_claims(credential), "iat": int(time.time()), "vc": credential}
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": key_id()}
    return jwt.encode(header, claims, signing_key(), registry=REGISTRY)


def credential_jwt_for(certificate: Certificate, *, settings_obj) -> str:
    return sign_credential(build_credential(certificate, settings_obj=settings_obj))


def verify_jwt(token: str, *, check_times: bool = True) -> dict:
    """The claims of a VC-JWT we signed, checked as Open Badges 3.0 verifiers check them.

    check_times=False reads an expired credential, e.g. to report it as expired.
    Raises InvalidCredential.
    """
    try:
        decoded = jwt.decode(token, signing_key(), registry=REGISTRY)
        claims = decoded.claims
        if check_times:
            jwt.JWTClaimsRegistry(leeway=60, nbf={"essential": True}).validate(claims)
        for name, value in _registered_claims(claims["vc"]).items():
            if claims.get(name) != value:
                raise InvalidClaimError(name)
    except (JoseError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidCredential(str(error) or type(error).__name__) from error
    return claims


def _registered_claims(credential: dict) -> dict:
    """The JWT claims that mirror the credential, as Open Badges 3.0 maps them."""
    issuer = credential["issuer"]
    claims = {
        "iss": issuer if isinstance(issuer, str) else issuer["id"],
        "jti": credential["id"],
        # Our subjects carry a hashed email, not an id; the credential id stands in for it.
        "sub": credential["credentialSubject"].get("id", credential["id"]),
        "nbf": _unix(credential["validFrom"]),
    }
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


def _achievement_id(certificate: Certificate) -> str:
    """One id per thing earned, shared by everyone who earned it."""
    if certificate.kind == Certificate.Kind.COURSE and certificate.course_id:
        # The translation key is the same for every language version of the course.
        slug = str(certificate.course.translation_key)
    elif certificate.kind == Certificate.Kind.LEVEL and certificate.level_id:
        slug = certificate.level.slug
        if certificate.direction_id:
            slug = f"{certificate.direction.slug}/{slug}"
    elif certificate.direction_id:
        slug = certificate.direction.slug
    else:
        slug = "komek"
    return f"{settings.SITE_URL}/achievements/{certificate.kind}/{slug}"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unix(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp).timestamp())
