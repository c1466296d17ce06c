"""Verification pages for employers, and certificate downloads for holders and staff."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lms.translation import current_language

from ..models import Certificate
from . import achievements, baking, credentials, data_integrity, did, sharing, verification
from . import status_list as status_lists
from .codes import normalise
from .issuer import issuer_name, issuer_settings
from .verification import cached_public_record, certificate_by_code, page_cache_key, record_ttl


def too_many(request):
    response = render(request, "certification/too_many.html", status=429)
    response["Retry-After"] = "60"
    return response


@require_GET
def verify_form(request):
    typed = request.GET.get("code", "").strip()
    error = None
    if typed:
        code = normalise(typed)
        if code:
            return redirect("verify", code=code)
        error = _(
            "This is not a certificate code. Check each character: "
            "the code looks like K7QM-4TZP-9XWR-3."
        )
    return render(request, "certification/verify_form.html", {"typed": typed, "error": error})


@require_GET
@never_cache
def verify(request, code):
    """Open to anyone, so limited per client address. A known code's page comes from the cache
    with the rate limit and the count in one round trip (see verification.py)."""
    canonical = normalise(code)
    language = request.GET.get("lang")
    if language not in dict(settings.LANGUAGES):
        language = current_language()
    key = page_cache_key(canonical, language) if canonical == code else None
    checked = verification.check(request, key=key, code=canonical)
    if checked.is_limited:
        return too_many(request)
    if canonical and canonical != code:
        return redirect("verify", code=canonical)
    page = checked.answer
    if page is None:
        with translation.override(language):
            page = verification_page(canonical) if canonical else None
            if page is None:
                html = render_to_string("certification/verify.html", {"code": code, "record": None})
                return HttpResponse(html, status=404)
    if not checked.is_counted:
        verification.record_verification(code=canonical)
    response = HttpResponse(page["html"])
    response["Content-Language"] = language
    return response


def verification_page(code):
    """The rendered page for a canonical code in the active language, cached with its record."""
    key = page_cache_key(code, current_language())
    page = cache.get(key)
    if page is None:
        record = cached_public_record(code)
        if record is None:
            return None
        context = {
            "code": code,
            "record": record,
            "issuer_name": issuer_name(current_language()),
        }
        page = {"pk": record["pk"], "html": render_to_string("certification/verify.html", context)}
        cache.set(key, page, record_ttl(record))
    return page


def holder_or_staff(request, code):
    certificate = certificate_by_code(code)
    if certificate is None:
        raise Http404
    user = request.user
    if certificate.holder_id != user.pk and not (
        user.is_staff or user.has_perm("certification.view_certificate")
    ):
        raise Http404  # not 403: do not confirm the code to strangers
    return certificate


@login_required
def download_pdf(request, code):
    certificate = holder_or_staff(request, code)
    if not certificate.pdf:
        raise Http404
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"komek-{certificate.public_code}.pdf",
        content_type="application/pdf",
    )


@login_required
def download_credential(request, code):
    certificate = holder_or_staff(request, code)
    if not certificate.credential_jwt:
        raise Http404
    # Signed afresh from the certificate: a credential issued before today's format (or before
    # its status entries) downloads as it is now. The content is the same on every download.
    token = credentials.credential_jwt_for(certificate)
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="komek-{certificate.public_code}.jwt"'
    return response


@login_required
@never_cache
def certificate_status(request, code):
    certificate = holder_or_staff(request, code)
    return JsonResponse(
        {
            "code": certificate.public_code,
            "status": certificate.status,
            "pdf_url": reverse("certificate_pdf", args=[certificate.public_code])
            if certificate.pdf
            else None,
        }
    )


@login_required
def my_certificates(request):
    certificates = list(
        Certificate.objects.filter(holder=request.user)
        .exclude(status=Certificate.Status.REPLACED)
        .select_related("direction", "level", "holder")
    )
    # The latest verifications are still in the cache until the next flush.
    pending = verification.pending_counts(c.public_code for c in certificates)
    organisation = issuer_name(current_language())
    for certificate in certificates:
        certificate.n_verifications += pending.get(certificate.public_code, 0)
        certificate.linkedin_url = sharing.linkedin_url(
            certificate, organisation=organisation, language=current_language()
        )
        certificate.wallet_url = request.build_absolute_uri(
            reverse(
                "certificate_wallet_link",
                args=[certificate.public_code, sharing.wallet_token(certificate)],
            )
        )
    return render(request, "certification/my_certificates.html", {"certificates": certificates})


def jwks(request):
    response = JsonResponse(credentials.public_jwks())
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


LINKED_DATA_TYPES = (data_integrity.MEDIA_TYPE, "application/ld+json", "application/json")


@require_GET
def status_list(request, purpose):
    """A W3C Bitstring Status List credential at the address every credential names: a VC-JWT,
    or with a Data Integrity proof for a client that asks for JSON-LD."""
    try:
        token = status_lists.status_list_jwt(purpose)
    except KeyError:
        raise Http404 from None
    if request.get_preferred_type(["application/vc+jwt", *LINKED_DATA_TYPES]) in LINKED_DATA_TYPES:
        # JSON-LD clients (the Digital Credentials Consortium's verifiers) get the same list with
        # a Data Integrity proof, issued by the did:web DID like the credentials of that form.
        document = data_integrity.status_list_credential(purpose)
        response = HttpResponse(json.dumps(document), content_type=data_integrity.MEDIA_TYPE)
    else:
        response = HttpResponse(token, content_type="application/vc+jwt")
    response["Vary"] = "Accept"
    response["Cache-Control"] = "public, max-age=60"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def extension_context(request):
    """The JSON-LD context of Komek's own terms, the file shipped with the code as it is."""
    response = HttpResponse(
        credentials.EXTENSION_CONTEXT_FILE.read_bytes(), content_type="application/ld+json"
    )
    response["Cache-Control"] = "public, max-age=86400"
    response["Access-Control-Allow-Origin"] = "*"
    return response


MACHINE_TYPES = ("application/ld+json", "application/json")


@require_GET
def achievement(request, kind, slug):
    """An Open Badges 3.0 Achievement: a page for people, JSON-LD for machines (by Accept)."""
    earned = achievements.earned_at(kind, slug)
    if earned is None:
        raise Http404
    language = request.GET.get("lang")
    if language not in dict(settings.LANGUAGES):
        language = current_language()
    with translation.override(language):
        document = {
            "@context": credentials.credential_context(),
            **achievements.achievement(earned, languages=[language]),
        }
        if _wants_json(request):
            response = JsonResponse(
                document,
                content_type="application/ld+json",
                json_dumps_params={"ensure_ascii": False},
            )
            response["Access-Control-Allow-Origin"] = "*"
        else:
            response = render(
                request,
                "certification/achievement.html",
                {"achievement": document, "issuer_name": issuer_name(language)},
            )
    response["Vary"] = "Accept"
    response["Content-Language"] = language
    return response


def _wants_json(request):
    """JSON when the client prefers a JSON type to HTML (q-values as the Accept header gives)."""
    preferred = request.get_preferred_type(["text/html", *MACHINE_TYPES])
    return preferred in MACHINE_TYPES


@require_GET
def achievement_image(request, kind):
    if kind not in Certificate.Kind.values:
        raise Http404
    response = HttpResponse(achievements.image_png(kind), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def issuer(request):
    return JsonResponse(
        credentials.issuer_profile(issuer_settings()), content_type="application/ld+json"
    )


# The credential with an embedded Data Integrity proof, the baked badge, the issuer's DID ---------


@login_required
def download_data_integrity(request, code, *, as_attachment):
    """The credential as JSON-LD with its eddsa-rdfc-2022 proof: a download, or (as_attachment
    False) the address a wallet is given, answering with the credential itself."""
    certificate = holder_or_staff(request, code)
    if not certificate.credential_jwt:
        raise Http404  # not issued yet
    credential = data_integrity.credential_with_proof(certificate)
    response = HttpResponse(
        json.dumps(credential, ensure_ascii=False, indent=2), content_type=data_integrity.MEDIA_TYPE
    )
    if as_attachment:
        response["Content-Disposition"] = (
            f'attachment; filename="komek-{certificate.public_code}.json"'
        )
    return response


@never_cache
@require_GET
def wallet_link(request, code, token):
    """What a wallet app fetches from the link My certificates gives: the credential with its
    proof, without a session (the signed address is the permission, for 15 minutes)."""
    if not sharing.wallet_token_allows(token, code=code):
        raise Http404
    certificate = Certificate.objects.filter(public_code=code).first()
    if certificate is None or not certificate.credential_jwt:
        raise Http404
    credential = data_integrity.credential_with_proof(certificate)
    response = HttpResponse(
        json.dumps(credential, ensure_ascii=False, indent=2), content_type=data_integrity.MEDIA_TYPE
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
def download_badge(request, code, image_format):
    """The badge image with the credential baked in (Open Badges 3.0 §5.3)."""
    certificate = holder_or_staff(request, code)
    if not certificate.credential_jwt or image_format not in {"png", "svg"}:
        raise Http404
    credential = data_integrity.credential_with_proof(certificate)
    if image_format == "png":
        image = baking.bake_png(achievements.image_png(certificate.kind), credential)
        content_type = "image/png"
    else:
        svg = baking.badge_svg(certificate.kind, title=certificate.title())
        image = baking.bake_svg(svg, credential).encode()
        content_type = "image/svg+xml"
    response = HttpResponse(image, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="komek-{certificate.public_code}.{image_format}"'
    )
    return response


@require_GET
def did_document(request):
    """did:web resolves to this: the issuer's keys, current and retired."""
    response = HttpResponse(json.dumps(did.did_document()), content_type="application/did+ld+json")
    response["Cache-Control"] = "public, max-age=3600"
    # Verifiers that run in a browser (VerifierPlus) fetch it from another origin.
    response["Access-Control-Allow-Origin"] = "*"
    return response
