"""Verification pages for employers, and certificate downloads for holders and staff."""

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
from . import credentials, verification
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
    response = HttpResponse(certificate.credential_jwt, content_type="application/vc+jwt")
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
        .select_related("direction", "level")
    )
    # The latest verifications are still in the cache until the next flush.
    pending = verification.pending_counts(c.public_code for c in certificates)
    for certificate in certificates:
        certificate.n_verifications += pending.get(certificate.public_code, 0)
    return render(request, "certification/my_certificates.html", {"certificates": certificates})


def jwks(request):
    response = JsonResponse(credentials.public_jwks())
    response["Cache-Control"] = "public, max-age=3600"
    return response


def issuer(request):
    return JsonResponse(
        credentials.issuer_profile(issuer_settings()), content_type="application/ld+json"
    )
