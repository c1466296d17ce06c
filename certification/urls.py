"""Addresses of certification.

`urlpatterns` are printed on paper or encoded in QR codes, so they carry no language prefix:
verification, the public API, the issuer's keys and profile, certificate downloads.
`localized_urlpatterns` go under /<lang>/: a holder's certificates, a member's own pages
(namespace "volunteer"), the coordinators' area (namespace "coordination") and record books
opened by a link their volunteer shared.
"""

from django.urls import include, path

from .certificates import views as certificates
from .certificates.api import api
from .coordination import views as coordination
from .events import views as events
from .record_book import views as record_book
from .volunteers import views as volunteers

urlpatterns = [
    path("verify/", certificates.verify_form, name="verify_form"),
    path("verify/<str:code>/", certificates.verify, name="verify"),
    path("api/v1/", api.urls),
    path(".well-known/jwks.json", certificates.jwks, name="jwks"),
    path(".well-known/did.json", certificates.did_document, name="did_document"),
    path("issuer/", certificates.issuer, name="issuer"),
    path(
        "credentials/status/<str:purpose>/", certificates.status_list, name="credential_status_list"
    ),
    path(
        "credentials/contexts/komek-v1.jsonld",
        certificates.extension_context,
        name="credential_context",
    ),
    path(
        "achievements/images/<str:kind>.png",
        certificates.achievement_image,
        name="achievement_image",
    ),
    path("achievements/<str:kind>/<path:slug>", certificates.achievement, name="achievement"),
    path("certificates/<str:code>/pdf/", certificates.download_pdf, name="certificate_pdf"),
    path(
        "certificates/<str:code>/credential/",
        certificates.download_credential,
        name="certificate_credential",
    ),
    path(
        "certificates/<str:code>/status/",
        certificates.certificate_status,
        name="certificate_status",
    ),
    path(
        "certificates/<str:code>/credential.json",
        certificates.download_data_integrity,
        {"as_attachment": True},
        name="certificate_data_integrity",
    ),
    path(
        "certificates/<str:code>/wallet/",
        certificates.download_data_integrity,
        {"as_attachment": False},
        name="certificate_wallet",
    ),
    path(
        "certificates/<str:code>/wallet/<str:token>/",
        certificates.wallet_link,
        name="certificate_wallet_link",
    ),
    path(
        "certificates/<str:code>/badge.<str:image_format>",
        certificates.download_badge,
        name="certificate_badge",
    ),
    path("check-in/<int:pk>/<str:code>/", events.check_in, name="event_check_in"),
    path("calendar/<str:token>.ics", events.feed, name="event_feed"),
]

event_urlpatterns = [
    path("", events.event_list, name="list"),
    path("calendar/renew/", events.renew_feed, name="renew_feed"),
    path("<int:pk>/", events.event_detail, name="detail"),
    path("<int:pk>/sign-up/", events.sign_up, name="sign_up"),
    path("<int:pk>/cancel/", events.cancel, name="cancel"),
    path("<int:pk>/event.ics", events.event_ics, name="ics"),
]

volunteer_urlpatterns = [
    path("join/", volunteers.join, name="join"),
    path("", volunteers.ladder, name="ladder"),
    path("hours/", volunteers.hours, name="hours"),
    path("record-book/", record_book.my_record_book, name="record_book"),
    path("record-book/record.json", record_book.my_json, name="record_book_json"),
    path("record-book/links/", record_book.create_share, name="record_book_share_new"),
    path(
        "record-book/links/<int:pk>/revoke/",
        record_book.revoke_share,
        name="record_book_share_revoke",
    ),
    path("record-book/pdf/", record_book.request_pdf, name="record_book_pdf_new"),
    path("record-book/pdf/<int:pk>/", record_book.download_pdf, name="record_book_pdf"),
    path(
        "record-book/pdf/<int:pk>/status/",
        record_book.pdf_status,
        name="record_book_pdf_status",
    ),
]

coordination_urlpatterns = [
    path("", coordination.home, name="home"),
    path("volunteers/", coordination.volunteer_list, name="volunteers"),
    path("volunteers/<int:pk>/", coordination.volunteer_detail, name="volunteer"),
    path(
        "volunteers/<int:pk>/record-book/",
        record_book.coordinator_record_book,
        name="volunteer_record_book",
    ),
    path("hours/", coordination.hours_queue, name="hours"),
    path("hours/confirm/", coordination.confirm_hours, name="confirm_hours"),
    path("hours/<int:pk>/", coordination.review_hours, name="review_hours"),
    path("promotions/", coordination.awards_queue, name="awards"),
    path("promotions/<int:pk>/", coordination.decide_award, name="decide_award"),
    path("letters/", coordination.letters, name="letters"),
    path("sign-offs/", coordination.sign_off_search, name="sign_offs"),
    path("sign-offs/<int:pk>/", coordination.sign_off, name="sign_off"),
    path("events/", events.coordination_list, name="events"),
    path("events/new/", events.event_form, name="event_new"),
    path("events/<int:pk>/", events.roster, name="event"),
    path("events/<int:pk>/edit/", events.event_form, name="event_edit"),
    path("events/<int:pk>/check-in/", events.check_in_screen, name="event_check_in"),
    path("events/<int:pk>/check-in/code/", events.check_in_code, name="event_code"),
    path("events/<int:pk>/mark/<int:sign_up_pk>/", events.mark, name="event_mark"),
    path("events/<int:pk>/badge/", events.badge, name="event_badge"),
    path("events/<int:pk>/confirm/", events.confirm_event, name="event_confirm"),
    path("events/<int:pk>/roster.<str:file_format>", events.roster_export, name="event_export"),
    path("statistics/", coordination.statistics_page, name="statistics"),
    path(
        "statistics/<slug:key>.<str:file_format>",
        coordination.statistics_export,
        name="statistics_export",
    ),
]

localized_urlpatterns = [
    path("certificates/", certificates.my_certificates, name="my_certificates"),
    path("volunteer/", include((volunteer_urlpatterns, "volunteer"))),
    path("events/", include((event_urlpatterns, "volunteer_events"))),
    path("coordination/", include((coordination_urlpatterns, "coordination"))),
    # A volunteer's record book, opened by a link they shared (no login).
    path("record-book/<str:token>/", record_book.shared, name="record_book_share"),
    path(
        "record-book/<str:token>/record.json",
        record_book.shared_json,
        name="record_book_share_json",
    ),
]
