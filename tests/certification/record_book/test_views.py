"""The record book's pages: the volunteer's own, share links (made, expired, revoked), the public
page and its JSON, PDFs asked for, and who gets a 404."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.models import PracticalActivity, RecordBookPdf, RecordBookShare
from certification.record_book import services
from tests.factories import UserFactory, direction, make_coordinator, make_member

from .conftest import HOLDER_NAME

pytestmark = pytest.mark.django_db


def share_url(share, language="ru"):
    return f"/{language}/record-book/{share.token}/"


@pytest.fixture
def logged_in(client, member):
    client.force_login(member.user)
    return client


def test_my_record_book_lists_courses_certificates_hours_skills_and_levels(logged_in, full_record):
    response = logged_in.get("/ru/volunteer/record-book/")

    page = response.content.decode()
    assert response.status_code == 200
    assert HOLDER_NAME in page
    assert "Алғашқы көмек" in page
    assert full_record["certificate"].public_code in page
    assert reverse("verify", args=[full_record["certificate"].public_code]) in page
    assert "Алматы марафоны" in page
    assert "7,5" in page  # confirmed hours in all, in Russian
    assert "Pending shift" not in page
    assert full_record["skill"].name in page
    assert full_record["other"].name not in page  # "not yet" is not a record
    assert "Нұрланов Дәурен" in page


def test_my_path_links_to_the_record_book(logged_in):
    response = logged_in.get("/ru/volunteer/")

    assert reverse("volunteer:record_book") in response.content.decode()


def test_a_visitor_is_sent_to_log_in():
    response = Client().get("/ru/volunteer/record-book/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_user_who_is_not_a_member_is_offered_to_join(client):
    client.force_login(UserFactory())

    response = client.get("/ru/volunteer/record-book/")

    assert reverse("volunteer:join") in response.content.decode()


def test_a_volunteer_makes_a_share_link_that_opens_the_record_without_logging_in(
    logged_in, full_record, member
):
    response = logged_in.post(
        "/ru/volunteer/record-book/links/", {"label": "КазНМУ", "lifetime": "90"}
    )

    share = RecordBookShare.objects.get(volunteer=member)
    assert response.status_code == 302
    assert len(share.token) == 32
    assert share.expires_at - share.created_at == timedelta(days=90)
    public = Client().get(share_url(share))
    page = public.content.decode()
    assert public.status_code == 200
    assert HOLDER_NAME in page
    assert "Verified by Komek, as of" in Client().get(share_url(share, "en")).content.decode()
    assert full_record["certificate"].public_code in page
    assert "КазНМУ" not in page  # the label is the volunteer's own note
    share.refresh_from_db()
    assert share.n_views == 2


def test_the_page_lists_my_links_with_their_address_to_copy(logged_in, member):
    share = services.create_share(volunteer=member, label="Работодатель", valid_days=30)

    page = logged_in.get("/ru/volunteer/record-book/").content.decode()

    assert "Работодатель" in page
    assert f"/ru/record-book/{share.token}/" in page


def test_a_link_that_never_expires_has_no_expiry(logged_in, member):
    logged_in.post("/ru/volunteer/record-book/links/", {"lifetime": "never"})

    assert RecordBookShare.objects.get(volunteer=member).expires_at is None


def test_a_lifetime_not_offered_is_refused_and_makes_no_link(logged_in, member):
    response = logged_in.post("/ru/volunteer/record-book/links/", {"lifetime": "7"})

    assert response.status_code == 400
    assert "field__error" in response.content.decode()
    assert not RecordBookShare.objects.exists()


def test_an_expired_link_says_so_and_shows_nothing_of_the_record(full_record, member):
    share = services.create_share(
        volunteer=member, valid_days=30, now=timezone.now() - timedelta(days=31)
    )

    response = Client().get(share_url(share, "en"))

    page = response.content.decode()
    assert response.status_code == 410
    assert "LINK EXPIRED" in page
    assert HOLDER_NAME not in page
    assert full_record["certificate"].public_code not in page
    assert Client().get(f"{share_url(share)}record.json").status_code == 410


def test_a_revoked_link_says_so_and_shows_nothing_of_the_record(logged_in, full_record, member):
    share = services.create_share(volunteer=member)

    response = logged_in.post(f"/ru/volunteer/record-book/links/{share.pk}/revoke/")

    assert response.status_code == 302
    public = Client().get(share_url(share, "en"))
    page = public.content.decode()
    assert public.status_code == 410
    assert "LINK REVOKED" in page
    assert HOLDER_NAME not in page
    assert "Алғашқы көмек" not in page
    assert Client().get(f"{share_url(share)}record.json").status_code == 410
    share.refresh_from_db()
    assert share.n_views == 0


def test_a_paused_accounts_link_shows_nothing_of_the_record(full_record, member):
    share = services.create_share(volunteer=member)
    member.user.is_active = False
    member.user.save()

    public = Client().get(share_url(share, "en"))

    page = public.content.decode()
    assert public.status_code == 410
    assert "NOT AVAILABLE" in page
    assert HOLDER_NAME not in page
    assert Client().get(f"{share_url(share)}record.json").status_code == 410


def test_a_tampered_token_finds_nothing_and_changes_nothing(member):
    share = services.create_share(volunteer=member)
    tampered = share.token[:-1] + ("A" if share.token[-1] != "A" else "B")

    response = Client().get(f"/en/record-book/{tampered}/")

    assert response.status_code == 404
    assert "NOT FOUND" in response.content.decode()
    assert HOLDER_NAME not in response.content.decode()
    assert Client().get(f"/en/record-book/{tampered}/record.json").status_code == 404
    assert Client().get("/en/record-book/x' OR 1=1/").status_code == 404
    share.refresh_from_db()
    assert (share.n_views, share.revoked_at) == (0, None)


def test_revoking_by_get_does_nothing(logged_in, member):
    share = services.create_share(volunteer=member)

    response = logged_in.get(f"/ru/volunteer/record-book/links/{share.pk}/revoke/")

    assert response.status_code == 405
    share.refresh_from_db()
    assert share.is_active


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(member):
    share = services.create_share(volunteer=member)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)

    responses = [
        client.post(f"/ru/volunteer/record-book/links/{share.pk}/revoke/"),
        client.post("/ru/volunteer/record-book/links/", {"lifetime": "30"}),
        client.post("/ru/volunteer/record-book/pdf/"),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    share.refresh_from_db()
    assert share.is_active
    assert RecordBookShare.objects.count() == 1
    assert not RecordBookPdf.objects.exists()


def test_another_volunteer_cannot_revoke_my_link(client, member):
    share = services.create_share(volunteer=member)
    client.force_login(make_member().user)

    response = client.post(f"/ru/volunteer/record-book/links/{share.pk}/revoke/")

    assert response.status_code == 404
    share.refresh_from_db()
    assert share.is_active


def test_another_volunteer_gets_404_for_my_pdf_and_its_status(client, member, settings):
    pdf = RecordBookPdf.objects.create(
        volunteer=member, share=services.create_share(volunteer=member)
    )
    client.force_login(make_member().user)

    assert client.get(f"/ru/volunteer/record-book/pdf/{pdf.pk}/").status_code == 404
    assert client.get(f"/ru/volunteer/record-book/pdf/{pdf.pk}/status/").status_code == 404


def test_my_json_export_is_my_own_record(logged_in, full_record, member):
    other = make_member(last_name="Другой")

    response = logged_in.get("/ru/volunteer/record-book/record.json")

    document = json.loads(response.content)
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert document["holder"]["name"] == HOLDER_NAME
    assert other.user.get_full_name() not in response.content.decode()
    assert document["certificates"][0]["code"] == full_record["certificate"].public_code


def test_the_share_page_offers_the_same_json_to_employers(full_record, member):
    share = services.create_share(volunteer=member)

    page = Client().get(share_url(share)).content.decode()
    response = Client().get(f"{share_url(share)}record.json")

    assert f"{share_url(share)}record.json" in page
    document = json.loads(response.content)
    assert document["holder"]["name"] == HOLDER_NAME
    assert document["share_url"].endswith(share_url(share))
    assert document["hours"]["total"] == 7.5


def test_the_share_page_is_rate_limited_per_client(member, settings):
    settings.VERIFY_RATE_LIMIT = "2/m"
    share = services.create_share(volunteer=member)
    client = Client()

    statuses = [client.get(share_url(share)).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert client.get("/en/record-book/" + "A" * 32 + "/").status_code == 429


def test_asking_for_a_pdf_makes_a_new_link_and_the_page_says_it_is_being_prepared(
    logged_in, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = logged_in.post("/ru/volunteer/record-book/pdf/")

    pdf = RecordBookPdf.objects.get(volunteer=member)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the rendering is enqueued after commit
    assert (pdf.status, pdf.language, pdf.share.expires_at) == ("pending", "ru", None)
    page = logged_in.get("/ru/volunteer/record-book/").content.decode()
    assert "data-pending" in page
    status = logged_in.get(f"/ru/volunteer/record-book/pdf/{pdf.pk}/status/").json()
    assert status == {"status": "pending", "pdf_url": None}
    assert logged_in.get(f"/ru/volunteer/record-book/pdf/{pdf.pk}/").status_code == 404


def test_a_pdf_can_use_a_link_the_volunteer_already_has(logged_in, member):
    share = services.create_share(volunteer=member, label="Университет")

    logged_in.post("/ru/volunteer/record-book/pdf/", {"share": share.pk})

    assert RecordBookPdf.objects.get().share == share
    assert RecordBookShare.objects.count() == 1


def test_a_pdf_cannot_use_another_volunteers_or_a_revoked_link(logged_in, member):
    others = services.create_share(volunteer=make_member())
    revoked = services.revoke_share(share=services.create_share(volunteer=member))

    responses = [
        logged_in.post("/ru/volunteer/record-book/pdf/", {"share": share.pk})
        for share in (others, revoked)
    ]

    assert [response.status_code for response in responses] == [400, 400]
    assert not RecordBookPdf.objects.exists()


def test_a_coordinator_of_the_branch_opens_the_volunteers_record_book(client, full_record, member):
    client.force_login(make_coordinator(branch_slug="almaty"))

    response = client.get(f"/ru/coordination/volunteers/{member.pk}/record-book/")
    detail = client.get(f"/ru/coordination/volunteers/{member.pk}/")

    assert response.status_code == 200
    assert full_record["certificate"].public_code in response.content.decode()
    assert f"/ru/coordination/volunteers/{member.pk}/record-book/" in detail.content.decode()


def test_a_coordinator_of_another_branch_gets_404(client, member):
    client.force_login(make_coordinator(branch_slug="shymkent"))

    response = client.get(f"/ru/coordination/volunteers/{member.pk}/record-book/")

    assert response.status_code == 404


def test_a_volunteer_cannot_open_another_volunteers_record_book_as_a_coordinator(client, member):
    client.force_login(make_member().user)

    response = client.get(f"/ru/coordination/volunteers/{member.pk}/record-book/")

    assert response.status_code == 403
    assert HOLDER_NAME not in response.content.decode()


def test_the_share_pages_language_switch_opens_it_under_that_languages_prefix(member):
    share = services.create_share(volunteer=member)

    response = Client().get(f"{share_url(share)}?lang=kk")
    unknown = Client().get(f"{share_url(share)}?lang=xx")

    assert response.status_code == 302
    assert response["Location"] == share_url(share, "kk")
    assert unknown.status_code == 200


def test_the_share_page_takes_the_same_queries_however_long_the_record(
    full_record, member, django_assert_max_num_queries
):
    share = services.create_share(volunteer=member)
    client = Client()
    client.get(share_url(share))  # caches warmed (issuer settings, site)
    PracticalActivity.objects.bulk_create(
        PracticalActivity(
            volunteer=member,
            date=date(2026, 8, day),
            event=f"Дежурство {day}",
            direction=direction("first-aid"),
            hours=Decimal("2"),
            status=PracticalActivity.Status.CONFIRMED,
        )
        for day in range(1, 21)
    )

    with django_assert_max_num_queries(12):
        response = client.get(share_url(share))

    assert "Дежурство 20" in response.content.decode()
