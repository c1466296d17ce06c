"""What a holder takes away from My certificates: both credential forms, a link for wallets, badge
images with the credential baked in (Open Badges 3.0 §5.3) and LinkedIn's add-certification link."""

import io
import json
import struct
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from certification.certificates import baking, data_integrity, sharing
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://komek.example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE_URL


def url(certificate, tail):
    return f"/certificates/{certificate.public_code}/{tail}"


def png_chunks(png):
    position, chunks = 8, []
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        chunks.append((kind, png[position + 8 : position + 8 + length]))
        position += 12 + length
    return chunks


def test_the_holder_downloads_the_json_ld_credential_with_its_proof(client, issued_certificate):
    client.force_login(issued_certificate.holder)

    response = client.get(url(issued_certificate, "credential.json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="komek-{issued_certificate.public_code}.json"'
    )
    credential = json.loads(response.content)
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert data_integrity.verify_proof(credential)["id"] == issued_certificate.verify_url


def test_the_wallet_link_answers_with_the_credential_itself(client, issued_certificate):
    client.force_login(issued_certificate.holder)

    response = client.get(url(issued_certificate, "wallet/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert "Content-Disposition" not in response
    assert json.loads(response.content) == data_integrity.credential_with_proof(issued_certificate)


def test_a_wallet_fetches_the_credential_from_the_link_without_a_session(
    client, issued_certificate
):
    token = sharing.wallet_token(issued_certificate)

    response = Client().get(url(issued_certificate, f"wallet/{token}/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert json.loads(response.content) == data_integrity.credential_with_proof(issued_certificate)


def test_a_wallet_link_works_for_fifteen_minutes_and_for_its_own_certificate_only(
    issued_certificate, monkeypatch
):
    import time

    token = sharing.wallet_token(issued_certificate)
    other = issued_certificate.public_code[:-1] + (
        "A" if issued_certificate.public_code[-1] != "A" else "B"
    )
    assert Client().get(f"/certificates/{other}/wallet/{token}/").status_code == 404
    assert Client().get(url(issued_certificate, "wallet/forged/")).status_code == 404
    later = time.time() + sharing.WALLET_LINK_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert Client().get(url(issued_certificate, f"wallet/{token}/")).status_code == 404


@pytest.mark.parametrize("tail", ["credential.json", "wallet/", "badge.png", "badge.svg"])
def test_another_user_gets_not_found_and_a_visitor_is_asked_to_log_in(
    client, issued_certificate, tail
):
    assert client.get(url(issued_certificate, tail)).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url(issued_certificate, tail)).status_code == 404


def test_staff_may_download_a_holders_credential(client, issued_certificate):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(url(issued_certificate, "credential.json")).status_code == 200


def test_a_certificate_still_being_prepared_has_no_credential_yet(client, issued_certificate):
    issued_certificate.credential_jwt = ""
    issued_certificate.save(update_fields=["credential_jwt"])
    client.force_login(issued_certificate.holder)

    assert client.get(url(issued_certificate, "credential.json")).status_code == 404
    assert client.get(url(issued_certificate, "badge.png")).status_code == 404


def test_the_badge_png_carries_the_credential_in_one_uncompressed_itxt_chunk(
    client, issued_certificate
):
    client.force_login(issued_certificate.holder)

    response = client.get(url(issued_certificate, "badge.png"))

    assert response["Content-Type"] == "image/png"
    png = response.content
    Image.open(io.BytesIO(png)).load()  # still a valid image
    chunks = [data for kind, data in png_chunks(png) if kind == b"iTXt"]
    [chunk] = [data for data in chunks if data.startswith(b"openbadgecredential\x00")]
    assert chunk[len(b"openbadgecredential\x00")] == 0  # compression flag: none
    baked = json.loads(baking.extract_png(png))
    assert baked == data_integrity.credential_with_proof(issued_certificate)
    assert data_integrity.verify_proof(baked)


def test_the_badge_svg_carries_the_credential_in_its_openbadges_element(client, issued_certificate):
    client.force_login(issued_certificate.holder)

    response = client.get(url(issued_certificate, "badge.svg"))

    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in svg
    assert svg.count("<openbadges:credential") == 1
    baked = json.loads(baking.extract_svg(svg))
    assert baked == data_integrity.credential_with_proof(issued_certificate)


def test_baking_again_replaces_the_credential_instead_of_adding_one():
    png = baking.bake_png(baking.bake_png(_tiny_png(), {"name": "old"}), "header.payload.sig")
    svg = baking.bake_svg(baking.bake_svg(baking.badge_svg("course", title="T"), {"a": 1}), "h.p.s")

    assert baking.extract_png(png) == "header.payload.sig"
    assert sum(data.startswith(b"openbadgecredential") for _kind, data in png_chunks(png)) == 1
    assert baking.extract_svg(svg) == "h.p.s"
    assert '<openbadges:credential verify="h.p.s"></openbadges:credential>' in svg
    assert svg.count("<openbadges:credential") == 1


def test_a_name_with_a_cdata_end_survives_the_svg():
    credential = {"credentialSubject": {"name": "Ә]]>ә <x> & «y»"}}

    svg = baking.bake_svg(baking.badge_svg("badge", title="Бейдж"), credential)

    assert json.loads(baking.extract_svg(svg)) == credential


def test_an_image_that_is_not_a_png_is_refused():
    with pytest.raises(baking.NotABadge):
        baking.bake_png(b"GIF89a...", "h.p.s")


def test_the_linkedin_link_fills_in_the_certification(issued_certificate):
    issued_certificate.issued_at = timezone.make_aware(datetime(2026, 3, 15, 12, 0))
    issued_certificate.expires_at = timezone.make_aware(datetime(2028, 3, 15, 12, 0))

    link = sharing.linkedin_url(
        issued_certificate, organisation="Медициналық волонтерлер қозғалысы", language="kk"
    )

    parts = urlsplit(link)
    fields = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    assert fields == {
        "startTask": "CERTIFICATION_NAME",
        "name": issued_certificate.title("kk"),
        "organizationName": "Медициналық волонтерлер қозғалысы",
        "issueYear": "2026",
        "issueMonth": "3",
        "expirationYear": "2028",
        "expirationMonth": "3",
        "certUrl": f"{SITE_URL}/verify/{issued_certificate.public_code}/",
        "certId": issued_certificate.public_code,
    }


def test_a_certificate_that_does_not_expire_gives_linkedin_no_expiry(issued_certificate):
    issued_certificate.expires_at = None

    fields = parse_qs(
        urlsplit(sharing.linkedin_url(issued_certificate, organisation="K", language="ru")).query
    )

    assert "expirationYear" not in fields and "expirationMonth" not in fields


def test_my_certificates_offers_both_forms_the_wallet_link_badges_and_linkedin(
    client, issued_certificate
):
    client.force_login(issued_certificate.holder)

    html = client.get("/en/certificates/").content.decode()

    code = issued_certificate.public_code
    for href in [
        f"/certificates/{code}/credential/",
        f"/certificates/{code}/credential.json",
        f"http://testserver/certificates/{code}/wallet/",
        f"/certificates/{code}/badge.png",
        f"/certificates/{code}/badge.svg",
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME",
    ]:
        assert f'href="{href}' in html
    assert "Add to LinkedIn profile" in html


def test_a_revoked_certificate_is_not_offered_to_linkedin(client, issued_certificate):
    from certification.certificates import issuing

    issuing.revoke(certificate=issued_certificate, reason="Ошибка")
    client.force_login(issued_certificate.holder)

    html = client.get("/en/certificates/").content.decode()

    assert "linkedin.com" not in html


def _tiny_png():
    output = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(output, format="PNG")
    return output.getvalue()
