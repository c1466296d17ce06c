"""Addresses of certification.

`urlpatterns` are printed on paper or encoded in QR codes, so they carry no language prefix:
verification, the public API, the issuer's keys and profile, certificate downloads.
`localized_urlpatterns` go under /<lang>/: a holder's certificates, a member's own pages
(namespace "volunteer") and the coordinators' area (namespace "coordination").
"""

from django.urls import include, path

from .certificates import views as certificates
from .certificates.api import api
from .coordination import views as coordination
from .volunteers import views as volunteers

urlpatterns = [
    path("verify/", certificates.verify_form, name="verify_form"),
    path("verify/<str:code>/", certificates.verify, name="verify"),
    path("api/v1/", api.urls),
    path(".well-known/jwks.json", certificates.jwks, name="jwks"),
    path("issuer/", certificates.issuer, name="issuer"),
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
]

volunteer_urlpatterns = [
    path("join/", volunteers.join, name="join"),
    path("", volunteers.ladder, name="ladder"),
    path("hours/", volunteers.hours, name="hours"),
]

coordination_urlpatterns = [
    path("", coordination.home, name="home"),
    path("volunteers/", coordination.volunteer_list, name="volunteers"),
    path("volunteers/<int:pk>/", coordination.volunteer_detail, name="volunteer"),
    path("hours/", coordination.hours_queue, name="hours"),
    path("hours/confirm/", coordination.confirm_hours, name="confirm_hours"),
    path("hours/<int:pk>/", coordination.review_hours, name="review_hours"),
    path("promotions/", coordination.awards_queue, name="awards"),
    path("promotions/<int:pk>/", coordination.decide_award, name="decide_award"),
    path("letters/", coordination.letters, name="letters"),
    path("sign-offs/", coordination.sign_off_search, name="sign_offs"),
    path("sign-offs/<int:pk>/", coordination.sign_off, name="sign_off"),
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
    path("coordination/", include((coordination_urlpatterns, "coordination"))),
]
