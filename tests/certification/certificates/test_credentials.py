"""Certificates as Open Badges 3.0 credentials: VC-JWTs that an independent library verifies,
payloads that 1EdTech's JSON Schema accepts, achievements whose ids answer."""

import base64
import hashlib
import io
import json
import re
import stat
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import jwt
import pytest
from django.test import Client
from django.utils import timezone
from joserfc import jwt as joserfc_jwt
from PIL import Image

from certification.certificates import credentials
from certification.models import Branch, Certificate, CertificateSettings, Direction, Level
from lms.settings import development_signing_key
from tests.certification.certificates.keys import new_pem
from tests.factories import UserFactory, make_course

SITE_URL = "https://komek.example.org"
# 1EdTech's JSON Schema for OB 3.0 credentials (the one credentialSchema names), as published at
# purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_achievementcredential_schema.json.
SCHEMA = json.loads(
    (Path(__file__).parent / "ob_v3p0_achievementcredential_schema.json").read_text()
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


def resolve_kid(token):
    """Dereference the header's kid as OB 3.0 §8.2 asks: fetch the address, take the JWK that
    carries that kid."""
    kid = jwt.get_unverified_header(token)["kid"]
    address = urlsplit(kid)
    assert f"{address.scheme}://{address.netloc}" == SITE_URL
    response = Client().get(address.path)
    assert response.status_code == 200
    (jwk,) = [key for key in response.json()["keys"] if key["kid"] == kid]
    return jwk


def schema_errors(payload):
    validator = jsonschema.Draft201909Validator(
        SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    return sorted(validator.iter_errors(payload), key=lambda error: list(error.path))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.django_db
def test_credential_jwt_verifies_with_an_independent_library_against_the_key_its_kid_names(
    certificate,
):
    token = issue(certificate)

    jwk = resolve_kid(token)
    claims = jwt.decode(
        token, key=jwt.PyJWK(jwk).key, algorithms=["EdDSA"], options={"verify_aud": False}
    )
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": jwk["kid"]}
    assert "d" not in jwk
    assert claims["id"] == certificate.verify_url


@pytest.mark.django_db
def test_jwt_payload_is_the_credential_itself_with_claims_mapped_as_ob_3_0_says(certificate):
    vc = pyjwt_decode(issue(certificate))

    assert "vc" not in vc
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        f"{SITE_URL}/credentials/contexts/komek-v1.jsonld",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == f"{SITE_URL}/verify/{certificate.public_code}/"
    assert vc["issuer"]["id"] == f"{SITE_URL}/issuer/"
    assert vc["issuer"]["name"] == "Движение медицинских волонтёров"
    assert vc["iss"] == vc["issuer"]["id"]
    assert vc["jti"] == vc["id"]
    assert vc["nbf"] == int(certificate.issued_at.timestamp())
    assert vc["exp"] == int(certificate.expires_at.timestamp())
    # The subject is identified by a hashed email, not an id: no sub to contradict it.
    assert "id" not in vc["credentialSubject"]
    assert "sub" not in vc
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == "Сейітова Айгерім Бекқызы"
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["achievement"]["achievementType"] == "Certificate"
    assert subject["achievement"]["name"] == "Первая помощь: базовый курс"
    assert subject["achievement"]["criteria"]["narrative"]
    assert vc["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
            "ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["course", "level", "letter"])
def test_payload_of_each_kind_is_valid_under_1edtechs_ob_3_0_json_schema(certificate, kind):
    certificate.kind = kind
    certificate.direction = Direction.objects.get(slug="first-aid")
    certificate.level = Level.objects.get(slug="volunteer")
    certificate.branch = Branch.objects.get(slug="almaty")
    certificate.save()

    payload = pyjwt_decode(issue(certificate))

    assert [error.message for error in schema_errors(payload)] == []
    assert isinstance(payload["credentialStatus"], dict)


@pytest.mark.django_db
def test_a_badge_payload_differs_from_the_ob_3_0_schema_only_by_its_two_status_entries(
    certificate,
):
    """OB 3.0 allows one credentialStatus; a badge carries revocation and suspension, as VCDM 2.0
    and Bitstring Status List allow. Everything else in it is valid under the schema."""
    certificate.kind = "badge"
    certificate.save()

    payload = pyjwt_decode(issue(certificate))

    assert "credentialSchema" not in payload  # it would claim a schema it fails
    errors = schema_errors(payload)
    assert [list(error.path) for error in errors] == [["credentialStatus"]]
    assert [entry["statusPurpose"] for entry in payload["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    single = {**payload, "credentialStatus": payload["credentialStatus"][0]}
    assert schema_errors(single) == []


@pytest.mark.django_db
def test_description_and_criteria_are_in_the_certificates_language(certificate):
    certificate.title_kk = "Алғашқы көмек: негізгі курс"
    certificate.languages = "kk,ru"

    vc = credentials.build_credential(certificate)

    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["inLanguage"] == "kk"
    assert vc["name"] == achievement["name"] == "Алғашқы көмек: негізгі курс"
    assert vc["issuer"]["name"] == "Медициналық волонтерлер қозғалысы"
    kazakh, russian = achievement["description"].split("\n\n")
    assert "Алғашқы көмек: негізгі курс" in kazakh and "курс" in kazakh
    assert "Первая помощь: базовый курс" in russian
    assert "Сертификат" in russian
    assert kazakh != russian
    assert achievement["criteria"]["narrative"].count("\n\n") == 1


@pytest.mark.django_db
def test_komek_terms_come_from_the_extension_context_the_site_serves(certificate, client):
    certificate.direction = Direction.objects.get(slug="first-aid")
    certificate.level = Level.objects.get(slug="newcomer")
    certificate.branch = Branch.objects.get(slug="almaty")

    vc = credentials.build_credential(certificate)
    response = client.get("/credentials/contexts/komek-v1.jsonld")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    terms = response.json()["@context"]
    assert response.content == credentials.EXTENSION_CONTEXT_FILE.read_bytes()
    assert vc["@context"][-1] == f"{SITE_URL}/credentials/contexts/komek-v1.jsonld"
    assert vc["credentialSubject"]["branch"] == certificate.branch.name_ru
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["direction"] == certificate.direction.name_ru
    assert achievement["level"] == certificate.level.name_ru
    for term in ("branch", "direction", "level", "hours"):
        assert terms[term].startswith("komek:")


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

    assert claims["id"] == certificate.verify_url


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
    assert pyjwt_decode(forged, credentials.public_jwks())["id"]  # valid under its own key

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
    assert credentials.verify_jwt(token, check_times=False)["id"] == certificate.verify_url


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
    assert (
        key["kid"] == f"{SITE_URL}/.well-known/jwks.json#{credentials.signing_key().thumbprint()}"
    )
    assert key["alg"] == "EdDSA"
    assert key["use"] == "sig"
    assert '"d"' not in json.dumps(credentials.issuer_profile(CertificateSettings()))


def test_issuer_profile_resolves_the_jwt_key_id_to_the_published_key():
    profile = credentials.issuer_profile(CertificateSettings())

    assert profile["id"] == f"{SITE_URL}/issuer/"
    assert profile["type"] == ["Profile"]
    assert profile["name"] == "Движение медицинских волонтёров"
    assert profile["url"] == SITE_URL
    methods = {method["id"]: method for method in profile["verificationMethod"]}
    # Today's kid, and the one credentials signed before VCDM 2.0 carry.
    assert set(methods) == {credentials.key_id(), f"{SITE_URL}/issuer/#key-1"}
    for method in methods.values():
        assert method["publicKeyJwk"] == credentials.public_jwks()["keys"][0]


@pytest.mark.django_db
def test_a_credential_signed_in_the_old_vc_claim_format_still_verifies(certificate):
    """Issued before VCDM 2.0: the credential in a "vc" claim, kid <issuer>/#key-1."""
    vc = credentials.build_credential(certificate)
    claims = {
        "iss": vc["issuer"]["id"],
        "jti": vc["id"],
        "sub": vc["id"],
        "nbf": int(certificate.issued_at.timestamp()),
        "exp": int(certificate.expires_at.timestamp()),
        "vc": vc,
    }
    header = {"alg": "EdDSA", "typ": "JWT", "kid": f"{SITE_URL}/issuer/#key-1"}
    token = joserfc_jwt.encode(
        header, claims, credentials.signing_key(), registry=credentials.REGISTRY
    )

    assert credentials.verify_jwt(token)["vc"]["id"] == certificate.verify_url


@pytest.mark.django_db
def test_credential_identifies_the_holder_by_salted_email_hash_never_the_email(certificate):
    token = issue(certificate)

    assert "aigerim@example.kz" not in b64url_decode(token.split(".")[1]).decode()
    (identity,) = pyjwt_decode(token)["credentialSubject"]["identifier"]
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


@pytest.mark.django_db
def test_achievement_id_answers_json_ld_to_machines_with_what_the_credential_embeds(
    certificate, client
):
    certificate.kind = "level"
    certificate.level = Level.objects.get(slug="volunteer")
    certificate.direction = Direction.objects.get(slug="first-aid")
    certificate.title_ru = certificate.level.name_ru  # as level certificates are titled
    embedded = credentials.build_credential(certificate)["credentialSubject"]["achievement"]

    response = client.get(
        urlsplit(embedded["id"]).path, {"lang": "ru"}, headers={"accept": "application/ld+json"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert "Accept" in response["Vary"]
    document = response.json()
    assert document["@context"][:2] == credentials.CONTEXT
    for name in ("id", "type", "achievementType", "criteria", "image", "inLanguage", "level"):
        assert document[name] == embedded[name]


@pytest.mark.django_db
def test_achievement_id_answers_a_page_to_people_in_their_language(certificate, client):
    certificate.kind = "level"
    certificate.level = Level.objects.get(slug="volunteer")
    achievement_id = credentials.build_credential(certificate)["credentialSubject"]["achievement"][
        "id"
    ]

    response = client.get(
        urlsplit(achievement_id).path,
        {"lang": "kk"},
        headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert certificate.level.name_kk in html
    assert 'lang="kk"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/achievements/level/first-aid/no-such-level",
        "/achievements/course/not-a-uuid",
        "/achievements/course/6f1e2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6",
        "/achievements/diploma/komek",
        "/achievements/badge/no-such-direction",
    ],
)
def test_an_address_that_names_no_achievement_is_not_found(client, path):
    assert client.get(path, headers={"accept": "application/json"}).status_code == 404


@pytest.mark.django_db
def test_the_course_achievement_answers_under_the_course_translation_key(certificate, client):
    certificate.course = make_course(slug="first-aid")
    embedded = credentials.build_credential(certificate)["credentialSubject"]["achievement"]

    response = client.get(urlsplit(embedded["id"]).path, headers={"accept": "application/json"})

    assert response.status_code == 200
    assert response.json()["hours"] == embedded["hours"] > 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["course", "level", "letter", "badge"])
def test_every_achievement_has_an_image_that_answers_as_a_png(certificate, client, kind):
    certificate.kind = kind
    image = credentials.build_credential(certificate)["credentialSubject"]["achievement"]["image"]

    response = client.get(urlsplit(image["id"]).path)

    assert image["type"] == "Image"
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (400, 400)


def shipped_context_loader(url, options=None):
    """pyld's loader, answering only from the contexts shipped in the code (never the network)."""
    folder = credentials.EXTENSION_CONTEXT_FILE.parent
    index = json.loads((folder / "index.json").read_text())
    index[credentials.extension_context_url()] = credentials.EXTENSION_CONTEXT_FILE.name
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads((folder / index[url]).read_text()),
    }


@pytest.mark.django_db
def test_every_term_of_the_credential_is_defined_by_its_contexts(certificate):
    """Expanded as JSON-LD, nothing falls to VCDM 2.0's catch-all vocabulary for undefined terms:
    Komek's own terms expand to the extension context's IRIs."""
    from pyld import jsonld

    certificate.kind = "badge"
    certificate.direction = Direction.objects.get(slug="first-aid")
    certificate.level = Level.objects.get(slug="volunteer")
    certificate.branch = Branch.objects.get(slug="almaty")
    certificate.save()

    payload = pyjwt_decode(issue(certificate))
    expanded = json.dumps(jsonld.expand(payload, {"documentLoader": shipped_context_loader}))

    assert re.findall(r"issuer-dependent#(\w+)", expanded) == []
    for term in ("branch", "direction", "level"):
        assert f"urn:komek:credentials:v1#{term}" in expanded
