"""Revocation and suspension anyone can see: W3C Bitstring Status Lists, signed, that agree with
the verify page and the JSON API. The lists are read here as an outside verifier reads them:
PyJWT against the JWKS the kid names, then base64url, GZIP and the bit, decoded by hand."""

import base64
import gzip
from datetime import timedelta
from urllib.parse import urlsplit

import jwt
import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from certification.certificates import credentials, issuing, status_list
from certification.models import Certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://komek.example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE_URL


def make_certificate(*, kind="course", holder=None, n=1, **fields):
    return Certificate.objects.create(
        kind=kind,
        source_key=f"{kind}:{n}:{holder.pk if holder else 'new'}",
        holder=holder or UserFactory(),
        holder_name="Сейітова Айгерім Бекқызы",
        title_ru="Первая помощь: базовый курс",
        expires_at=timezone.now() + timedelta(days=365),
        **{"status": "issued", **fields},
    )


def fetch(url, **headers):
    address = urlsplit(url)
    assert f"{address.scheme}://{address.netloc}" == SITE_URL
    return Client().get(address.path, headers=headers)


def verified(token):
    """PyJWT, with the key found by dereferencing the header's kid."""
    kid = jwt.get_unverified_header(token)["kid"]
    (jwk,) = [key for key in fetch(kid).json()["keys"] if key["kid"] == kid]
    return jwt.decode(token, key=jwt.PyJWK(jwk).key, algorithms=["EdDSA"])


def status_bit(entry):
    """The bit a verifier finds for a credentialStatus entry (Bitstring Status List §3.2)."""
    response = fetch(entry["statusListCredential"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    status = verified(response.content.decode())
    assert "BitstringStatusListCredential" in status["type"]
    assert status["id"] == entry["statusListCredential"]
    subject = status["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == entry["statusPurpose"]
    encoded = subject["encodedList"]
    assert encoded[0] == "u"  # multibase base64url, no padding
    text = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    assert len(bits) * 8 >= 131_072
    index = int(entry["statusListIndex"])
    if index >= len(bits) * 8:
        raise IndexError("RANGE_ERROR")
    return (bits[index // 8] >> (7 - index % 8)) & 1


def entries(certificate):
    status = credentials.build_credential(certificate)["credentialStatus"]
    return status if isinstance(status, list) else [status]


def api_status(certificate):
    return Client().get(f"/api/v1/certificates/{certificate.public_code}").json()["status"]


def page(certificate):
    return (
        Client()
        .get(f"/verify/{certificate.public_code}/", headers={"accept-language": "en"})
        .content.decode()
    )


def test_each_certificate_gets_its_own_position_drawn_at_random_within_the_list():
    holder = UserFactory()
    indexes = [make_certificate(holder=holder, n=n).status_index for n in range(30)]

    assert len(set(indexes)) == 30
    assert all(0 <= index < 131_072 for index in indexes)
    # In issue order they would be consecutive; drawn at random they are spread over the list.
    assert max(indexes) - min(indexes) > 1000
    assert indexes != sorted(indexes)


def test_a_course_certificate_carries_one_revocation_entry_at_its_position():
    certificate = make_certificate()

    (entry,) = entries(certificate)

    assert entry == {
        "id": f"{SITE_URL}/credentials/status/revocation/#{certificate.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(certificate.status_index),
        "statusListCredential": f"{SITE_URL}/credentials/status/revocation/",
    }


def test_a_badge_carries_a_revocation_and_a_suspension_entry():
    badge = make_certificate(kind="badge")

    purposes = [(entry["statusPurpose"], entry["statusListCredential"]) for entry in entries(badge)]

    assert purposes == [
        ("revocation", f"{SITE_URL}/credentials/status/revocation/"),
        ("suspension", f"{SITE_URL}/credentials/status/suspension/"),
    ]


def test_revoking_flips_the_bit_and_the_verify_page_and_the_api_say_revoked(
    django_capture_on_commit_callbacks,
):
    certificate = make_certificate()
    other = make_certificate(holder=certificate.holder, n=2)
    (entry,) = entries(certificate)
    assert status_bit(entry) == 0
    assert api_status(certificate) == "valid"
    assert "VALID" in page(certificate)

    with django_capture_on_commit_callbacks(execute=True):
        issuing.revoke(certificate=certificate, reason="Документы не подтвердились")

    assert status_bit(entry) == 1
    assert api_status(certificate) == "revoked"
    assert "REVOKED" in page(certificate)
    # The credential downloaded before still carries the same entry: its verifier learns it.
    assert entries(Certificate.objects.get(pk=certificate.pk)) == [entry]
    (untouched,) = entries(other)
    assert status_bit(untouched) == 0
    assert api_status(other) == "valid"


def test_a_replaced_certificate_is_revoked_in_the_list_and_its_replacement_is_not(
    django_capture_on_commit_callbacks,
):
    certificate = make_certificate()

    with django_capture_on_commit_callbacks(execute=True):
        new = issuing.reissue(certificate=certificate)

    assert api_status(certificate) == "replaced"
    assert status_bit(entries(certificate)[0]) == 1
    assert new.status_index != certificate.status_index
    assert status_bit(entries(new)[0]) == 0


def test_a_deactivated_holder_suspends_the_badge_until_the_account_is_reactivated(
    django_capture_on_commit_callbacks,
):
    holder = UserFactory()
    badge = make_certificate(kind="badge", holder=holder)
    course = make_certificate(holder=holder, n=2)
    revocation, suspension = entries(badge)
    assert api_status(badge) == "valid"

    with django_capture_on_commit_callbacks(execute=True):
        holder.is_active = False
        holder.save()

    assert status_bit(suspension) == 1
    assert status_bit(revocation) == 0
    assert api_status(badge) == "suspended"
    assert "SUSPENDED" in page(badge)
    # Only badges stand for membership: what the holder learned stays valid.
    assert api_status(course) == "valid"

    with django_capture_on_commit_callbacks(execute=True):
        holder.is_active = True
        holder.save()

    assert status_bit(suspension) == 0
    assert api_status(badge) == "valid"


def test_a_login_does_not_rebuild_the_suspension_list(django_capture_on_commit_callbacks):
    holder = UserFactory()
    make_certificate(kind="badge", holder=holder)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        holder.last_login = timezone.now()
        holder.save(update_fields=["last_login"])

    assert callbacks == []


def test_issuing_a_course_certificate_leaves_the_lists_as_they_are_and_revoking_it_does_not(
    django_capture_on_commit_callbacks, monkeypatch
):
    # A worker issues a thousand certificates after an exam: none changes a bit, so none re-signs
    # the lists; the revocation that changes one does.
    rebuilt = []
    monkeypatch.setattr(status_list, "rebuild", lambda purpose: rebuilt.append(purpose))
    certificate = make_certificate(status="pending")

    with django_capture_on_commit_callbacks(execute=True):
        certificate.status = Certificate.Status.ISSUED
        certificate.save()
    assert rebuilt == []

    with django_capture_on_commit_callbacks(execute=True):
        issuing.revoke(certificate=certificate, reason="Ошибка в данных")
    assert status_list.REVOCATION in rebuilt


def test_the_status_list_is_served_from_the_cache(django_assert_num_queries):
    (entry,) = entries(make_certificate())
    status_bit(entry)

    with django_assert_num_queries(0):
        response = fetch(entry["statusListCredential"])

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"


def test_an_unknown_status_list_is_not_found():
    assert Client().get("/credentials/status/message/").status_code == 404


def test_an_index_beyond_the_list_is_a_range_error_and_an_unused_one_is_unset():
    (entry,) = entries(make_certificate())
    free = next(index for index in range(131_072) if index != int(entry["statusListIndex"]))

    assert status_bit({**entry, "statusListIndex": str(free)}) == 0
    with pytest.raises(IndexError, match="RANGE_ERROR"):
        status_bit({**entry, "statusListIndex": "131072"})
    with pytest.raises(status_list.StatusRangeError):
        status_list.is_set(status_list.decode(status_list.encode([])), 131_072)
    with pytest.raises(status_list.StatusRangeError):
        status_list.encode([131_072])


def test_the_encoding_puts_index_zero_in_the_leftmost_bit():
    bits = status_list.decode(status_list.encode([0, 9, 131_071]))

    assert bits[0] == 0b1000_0000
    assert bits[1] == 0b0100_0000
    assert bits[-1] == 0b0000_0001
    assert sum(bin(byte).count("1") for byte in bits) == 3


def test_the_migration_gives_existing_certificates_distinct_random_positions():
    from importlib import import_module

    migration = import_module("certification.migrations.0010_credential_status")
    holder = UserFactory()
    certificates = [make_certificate(holder=holder, n=n) for n in range(5)]
    kept = certificates[0].status_index
    Certificate.objects.filter(pk__in=[c.pk for c in certificates[1:]]).update(status_index=None)

    migration.allocate_indexes(apps, None)

    indexes = list(
        Certificate.objects.filter(holder=holder)
        .order_by("pk")
        .values_list("status_index", flat=True)
    )
    assert indexes[0] == kept
    assert None not in indexes
    assert len(set(indexes)) == 5


def test_a_downloaded_credential_carries_its_status_entry(client):
    holder = UserFactory()
    certificate = make_certificate(holder=holder, credential_jwt="signed-before")
    client.force_login(holder)

    response = client.get(f"/certificates/{certificate.public_code}/credential/")

    assert response.status_code == 200
    payload = verified(response.content.decode())
    assert payload["credentialStatus"] == entries(certificate)[0]
