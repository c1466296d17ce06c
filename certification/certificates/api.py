"""Public JSON API (django-ninja, OpenAPI at /api/v1/docs): certificate verification."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema, Status

from lms.translation import current_language

from . import verification
from .codes import normalise
from .verification import cached_public_record, record_cache_key

api = NinjaAPI(title="Komek API", version="1", urls_namespace="api-v1")


class CertificateOut(Schema):
    code: str
    status: str
    kind: str
    holder_name: str
    holder_name_latin: str
    title: str
    level: str | None = Field(
        description="The level the certificate awards the holder (level certificates, badges)."
    )
    course_level: str | None = Field(
        None,
        description="A course certificate's course level: whom the course is meant for, "
        "not the holder's level.",
    )
    direction: str | None
    branch: str | None
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str | None
    replaced_by: str | None
    renewed_by: str | None = Field(
        None, description="The code of the newer certificate that renewed this one."
    )
    verify_url: str
    n_verifications: int


class Error(Schema):
    detail: str


@api.get(
    "/certificates/{code}",
    response={200: CertificateOut, 404: Error, 429: Error},
    summary="Verify a certificate by its public code",
)
def get_certificate(request, code: str):
    # Limited and counted as the verify page, with the cached record instead of the page.
    canonical = normalise(code)
    key = record_cache_key(canonical, current_language()) if canonical else None
    checked = verification.check(request, key=key, code=canonical)
    if checked.is_limited:
        return Status(429, {"detail": _("Too many requests. Try again in a minute.")})
    record = checked.answer
    if record is None:
        record = cached_public_record(canonical) if canonical else None
    if record is None:
        return Status(404, {"detail": _("No certificate has this code.")})
    if not checked.is_counted:
        verification.record_verification(code=canonical)
    return Status(200, record)
