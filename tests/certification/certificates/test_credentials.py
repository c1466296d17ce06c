"""Certificates as Open Badges 3.0 credentials: VC-JWTs that an independent library verifies."""

import base64
import hashlib
import json
import stat
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from joserfc import jwt as joserfc_jwt

from certification.certificates import credentials
from certification.models import Certificate, CertificateSettings, Direction, Level
from lms.settings import development_signing_key
from tests.factories import UserFactory, make_course

SITE_URL = "https://komek.example.org"


def new_pem():
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


@pytest.fixture(autouse=True)
def issuer(settings):
    settings.SITE_URL = SITE_URL
    settings.CREDENTIAL_SIGNING_KEY = new_pem()
    settings.CREDENTIAL_KEY_ID = "key-1"


@pytest.fixture
def certificate(db):
    return Certificate.objects.create(
        kind="course",
        source_key="course:1",
        holder=UserFactory(email="aigerim@example.kz"),
        holder_name="Сейітова Айгерім Бекқызы",
        title_ru="Первая помощь: базовый курс",
        status="issued",
        expires_at=timezone.now() + timedelta(days=730),
    )


def issue(certificate):
    return credentials.credential_jwt_for(certificate, settings_obj=CertificateSettings())


def pyjwt_decode(token, jwks=None):
    """Verify as an outside verifier would: PyJWT, the key taken from our published JWKS."""
    jwk = (jwks or credentials.public_jwks())["keys"][0]
    return jwt.decode(
        token,
        key=jwt.PyJWK(jwk).key,
        algorithms=["EdDSA"],
        options={"verify_aud": False},
    )


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.django_db
def test_credential_jwt_verifies_with_an_independent_library_against_our_jwks(certificate):
    token = issue(certificate)

    claims = pyjwt_decode(token)
    header = jwt.get_unverified_header(token)
    vc = claims["vc"]
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": f"{SITE_URL}/issuer/#key-1"}
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == f"{SITE_URL}/verify/{certificate.public_code}/"
    assert vc["issuer"]["id"] == f"{SITE_URL}/issuer/"
    assert vc["issuer"]["name"] == "Движение медицинских волонтёров"
    assert claims["iss"] == vc["issuer"]["id"]
    assert claims["jti"] == vc["id"]
    assert claims["sub"] == vc["id"]
    assert claims["nbf"] == int(certificate.issued_at.timestamp())
    assert claims["exp"] == int(certificate.expires_at.timestamp())
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == "Сейітова Айгерім Бекқызы"
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["achievement"]["achievementType"] == "Certificate"
    assert subject["achievement"]["name"] == "Первая помощь: базовый курс"
    assert subject["achievement"]["criteria"]["narrative"]


@pytest.mark.django_db
def test_credential_dates_are_utc_timestamps_and_valid_until_only_when_it_expires(certificate):
    vc = credentials.build_credential(certificate, settings_obj=CertificateSettings())
    assert vc["validFrom"].endswith("Z")
    assert vc["validUntil"].endswith("Z")

    certificate.expires_at = None
    vc = credentials.build_credential(certificate, settings_obj=CertificateSettings())
    claims = pyjwt_decode(credentials.sign_credential(vc))
    assert "validUntil" not in vc
    assert "exp" not in claims


@pytest.mark.django_db
def test_our_verifier_returns_the_claims_of_our_own_credential(certificate):
    claims = credentials.verify_jwt(issue(certificate))

    assert claims["vc"]["id"] == certificate.verify_url


@pytest.mark.django_db
def test_tampered_token_fails_verification(certificate):
    header, payload, signature = issue(certificate).split(".")
    text = b64url_decode(payload).decode()
    assert text.count("Сейітова") == 1
    forged = b64url(text.replace("Сейітова", "Сейітово").encode())
    tampered = f"{header}.{forged}.{signature}"

    with pytest.raises(jwt.InvalidSignatureError):
        pyjwt_decode(tampered)
    with pytest.raises(credentials.InvalidCredential):
        credentials.verify_jwt(tampered)


@pytest.mark.django_db
def test_token_signed_by_another_key_fails_against_our_jwks(certificate, settings):
    our_jwks = credentials.public_jwks()
    settings.CREDENTIAL_SIGNING_KEY = new_pem()
    forged = issue(certificate)
    assert pyjwt_decode(forged, credentials.public_jwks())["vc"]  # valid under its own key

    with pytest.raises(jwt.InvalidSignatureError):
        pyjwt_decode(forged, our_jwks)


@pytest.mark.django_db
def test_our_verifier_rejects_a_token_signed_by_another_key(certificate, settings):
    ours = settings.CREDENTIAL_SIGNING_KEY
    settings.CREDENTIAL_SIGNING_KEY = new_pem()
    forged = issue(certificate)
    settings.CREDENTIAL_SIGNING_KEY = ours

    with pytest.raises(credentials.InvalidCredential):
        credentials.verify_jwt(forged)


@pytest.mark.django_db
def test_our_verifier_rejects_an_expired_credential_unless_asked_to_read_it(certificate):
    certificate.issued_at = timezone.now() - timedelta(days=800)
    certificate.expires_at = timezone.now() - timedelta(days=70)
    token = issue(certificate)

    with pytest.raises(credentials.InvalidCredential):
        credentials.verify_jwt(token)
    assert credentials.verify_jwt(token, check_times=False)["vc"]["id"] == certificate.verify_url


@pytest.mark.django_db
def test_our_verifier_rejects_claims_that_contradict_the_credential(certificate):
    """Signed by us, yet the JWT says one certificate and its credential another."""
    claims = jwt.decode(issue(certificate), options={"verify_signature": False})
    claims["jti"] = f"{SITE_URL}/verify/OTHER/"
    header = {"alg": "EdDSA", "typ": "JWT", "kid": credentials.key_id()}
    token = joserfc_jwt.encode(
        header, claims, credentials.signing_key(), registry=credentials.REGISTRY
    )

    with pytest.raises(credentials.InvalidCredential):
        credentials.verify_jwt(token)


def test_jwks_publishes_the_public_key_only():
    jwks = credentials.public_jwks()

    (key,) = jwks["keys"]
    assert "d" not in key
    assert key["kty"] == "OKP"
    assert key["crv"] == "Ed25519"
    assert key["kid"] == f"{SITE_URL}/issuer/#key-1"
    assert key["alg"] == "EdDSA"
    assert key["use"] == "sig"
    assert '"d"' not in json.dumps(credentials.issuer_profile(CertificateSettings()))


def test_issuer_profile_resolves_the_jwt_key_id_to_the_published_key():
    profile = credentials.issuer_profile(CertificateSettings())

    assert profile["id"] == f"{SITE_URL}/issuer/"
    assert profile["type"] == ["Profile"]
    assert profile["name"] == "Движение медицинских волонтёров"
    assert profile["url"] == SITE_URL
    (method,) = profile["verificationMethod"]
    assert method["id"] == credentials.key_id()
    assert method["publicKeyJwk"] == credentials.public_jwks()["keys"][0]


@pytest.mark.django_db
def test_credential_identifies_the_holder_by_salted_email_hash_never_the_email(certificate):
    token = issue(certificate)

    assert "aigerim@example.kz" not in b64url_decode(token.split(".")[1]).decode()
    (identity,) = pyjwt_decode(token)["vc"]["credentialSubject"]["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True
    assert len(identity["salt"]) >= 16
    expected = hashlib.sha256(("aigerim@example.kz" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"


@pytest.mark.django_db
def test_each_certificate_gets_its_own_salt(certificate):
    other = Certificate.objects.create(
        kind="course",
        source_key="course:2",
        holder=certificate.holder,
        holder_name=certificate.holder_name,
        title_ru=certificate.title_ru,
        status="issued",
    )

    first, second = (
        credentials.build_credential(c, settings_obj=CertificateSettings())["credentialSubject"][
            "identifier"
        ][0]
        for c in (certificate, other)
    )
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "achievement_type"),
    [
        ("course", "Certificate"),
        ("level", "Certificate"),
        ("letter", "Achievement"),
        ("badge", "Badge"),
    ],
)
def test_achievement_type_follows_the_kind_of_certificate(certificate, kind, achievement_type):
    certificate.kind = kind

    vc = credentials.build_credential(certificate, settings_obj=CertificateSettings())

    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == achievement_type
    assert achievement["id"].startswith(f"{SITE_URL}/achievements/{kind}/")


@pytest.mark.django_db
def test_course_achievement_is_named_by_the_course_translation_key(certificate):
    certificate.course = make_course(slug="first-aid")

    vc = credentials.build_credential(certificate, settings_obj=CertificateSettings())

    achievement_id = vc["credentialSubject"]["achievement"]["id"]
    assert achievement_id == f"{SITE_URL}/achievements/course/{certificate.course.translation_key}"


@pytest.mark.django_db
def test_level_achievement_is_the_same_for_everyone_who_reached_it(certificate):
    certificate.kind = "level"
    certificate.level = Level.objects.get(slug="volunteer")
    certificate.direction = Direction.objects.get(slug="first-aid")

    vc = credentials.build_credential(certificate, settings_obj=CertificateSettings())

    achievement_id = vc["credentialSubject"]["achievement"]["id"]
    assert achievement_id == f"{SITE_URL}/achievements/level/first-aid/volunteer"


def test_signing_key_follows_the_setting(settings):
    first = credentials.public_jwks()["keys"][0]["x"]
    settings.CREDENTIAL_SIGNING_KEY = new_pem()

    assert credentials.public_jwks()["keys"][0]["x"] != first


def test_development_key_is_generated_once_and_reused(tmp_path):
    path = tmp_path / "issuer_ed25519.pem"

    first = development_signing_key(path)
    second = development_signing_key(path)

    assert first == second
    assert first.startswith("-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [path]
    assert development_signing_key(tmp_path / "elsewhere.pem") != first


def test_development_key_signs_and_gives_the_same_public_key_each_time(settings, tmp_path):
    path = tmp_path / "issuer_ed25519.pem"
    settings.CREDENTIAL_SIGNING_KEY = development_signing_key(path)
    first = credentials.public_jwks()
    settings.CREDENTIAL_SIGNING_KEY = development_signing_key(path)

    assert credentials.public_jwks() == first
    assert credentials.signing_key().is_private
