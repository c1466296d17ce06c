"""The record book's pages: the volunteer's own (record, share links, PDF, JSON), the public
page a share link opens, and a coordinator's read-only view of a volunteer of their scope.

Every object is looked up within what the user may see, so anybody else's gets a 404.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ..certificates import verification
from ..coordination import scope as scopes
from ..models import RecordBookPdf, RecordBookShare, Volunteer
from . import selectors, services
from .forms import PdfForm, ShareForm

MEMBER_RELATED = ("user", "branch", "level")


def membership(user):
    return Volunteer.objects.select_related(*MEMBER_RELATED).filter(user=user).first()


def own_member(request):
    member = membership(request.user)
    if member is None:
        raise Http404
    return member


def active_shares(member):
    return RecordBookShare.objects.filter(volunteer=member, revoked_at__isnull=True).exclude(
        expires_at__lte=timezone.now()
    )


@login_required
@never_cache
@require_GET
def my_record_book(request):
    member = membership(request.user)
    if member is None:
        return render(request, "certification/volunteer/not_member.html")
    return record_book_page(request, member)


def record_book_page(request, member, *, share_form=None, pdf_form=None, status=200):
    """The volunteer's page; a form sent with errors is shown again in it."""
    shares = selectors.shares_of(member)
    for share in shares:
        share.url = settings.SITE_URL + selectors.share_path(share)
    return render(
        request,
        "certification/record_book/mine.html",
        {
            "book": selectors.record_book(member),
            "shares": shares,
            "pdfs": selectors.pdfs_of(member),
            "share_form": share_form or ShareForm(),
            "pdf_form": pdf_form or PdfForm(shares=active_shares(member)),
        },
        status=status,
    )


@login_required
@require_POST
def create_share(request):
    member = own_member(request)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            share = services.create_share(
                volunteer=member, label=form.cleaned_data["label"], valid_days=form.valid_days
            )
        except services.RecordBookError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The link is ready: copy it below and send it."))
            return redirect(f"{reverse('volunteer:record_book')}#share-{share.pk}")
    return record_book_page(request, member, share_form=form, status=400)


@login_required
@require_POST
def revoke_share(request, pk):
    member = own_member(request)
    share = get_object_or_404(RecordBookShare, pk=pk, volunteer=member)
    services.revoke_share(share=share)
    messages.success(request, _("The link no longer works. Whoever has it sees nothing."))
    return redirect(f"{reverse('volunteer:record_book')}#links")


@login_required
@require_POST
def request_pdf(request):
    member = own_member(request)
    form = PdfForm(request.POST, shares=active_shares(member))
    if form.is_valid():
        try:
            services.request_pdf(
                volunteer=member,
                share=form.cleaned_data["share"],
                language=request.LANGUAGE_CODE,
            )
        except services.RecordBookError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The PDF is being prepared. It takes a few seconds."))
            return redirect(f"{reverse('volunteer:record_book')}#pdf")
    return record_book_page(request, member, pdf_form=form, status=400)


@login_required
@never_cache
@require_GET
def pdf_status(request, pk):
    pdf = get_object_or_404(RecordBookPdf, pk=pk, volunteer=own_member(request))
    return JsonResponse(
        {
            "status": pdf.status,
            "pdf_url": reverse("volunteer:record_book_pdf", args=[pdf.pk]) if pdf.pdf else None,
        }
    )


@login_required
@never_cache
@require_GET
def download_pdf(request, pk):
    pdf = get_object_or_404(RecordBookPdf, pk=pk, volunteer=own_member(request))
    if pdf.status != RecordBookPdf.Status.READY or not pdf.pdf:
        raise Http404
    return FileResponse(
        pdf.pdf.open("rb"),
        as_attachment=True,
        filename=f"komek-record-book-{pdf.rendered_at:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )


@login_required
@never_cache
@require_GET
def my_json(request):
    return json_download(selectors.record_book(own_member(request)))


def json_download(book, *, share_url=None):
    body = json.dumps(selectors.as_json(book, share_url=share_url), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="komek-record-book-{timezone.localdate(book.as_of):%Y-%m-%d}.json"'
    )
    return response


# The public page --------------------------------------------------------------------------------


def too_many(request):
    response = render(request, "certification/too_many.html", status=429)
    response["Retry-After"] = "60"
    return response


def shared_record(request, token):
    """The share link `token` names and the answer when it cannot be shown: None and a 404 for
    a token nobody was given (or a client over the limit: 429), the link and a 410 for one
    revoked or expired. Nothing of the record is in either answer."""
    if verification.check(request).is_limited:
        return None, too_many(request)
    share = selectors.share_by_token(token)
    if share is None:
        return None, render(
            request, "certification/record_book/shared_gone.html", {"share": None}, status=404
        )
    # A paused account's record is not shown either, as its badge is suspended.
    if not share.is_active or not share.volunteer.user.is_active:
        return None, render(
            request, "certification/record_book/shared_gone.html", {"share": share}, status=410
        )
    return share, None


def in_language_asked(request, route, token):
    """The page's language switch (verify_base.html) asks with ?lang=: the same page under
    that language's prefix."""
    language = request.GET.get("lang")
    if language not in dict(settings.LANGUAGES):
        return None
    with translation.override(language):
        return redirect(route, token=token)


@never_cache
@require_GET
def shared(request, token):
    """Open to anyone who holds the link, so limited per client address like verification."""
    if switched := in_language_asked(request, "record_book_share", token):
        return switched
    share, refusal = shared_record(request, token)
    if refusal is not None:
        return refusal
    services.record_view(share=share)
    book = selectors.record_book(share.volunteer)
    response = render(
        request,
        "certification/record_book/shared.html",
        {"book": book, "share": share, "token": token},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def shared_json(request, token):
    if switched := in_language_asked(request, "record_book_share_json", token):
        return switched
    share, refusal = shared_record(request, token)
    if refusal is not None:
        return refusal
    services.record_view(share=share)
    share_url = settings.SITE_URL + selectors.share_path(share)
    return json_download(selectors.record_book(share.volunteer), share_url=share_url)


# Coordinators -----------------------------------------------------------------------------------


@login_required
@require_GET
def coordinator_record_book(request, pk):
    scope = scopes.coordination_scope(request.user)
    volunteer = get_object_or_404(scope.volunteers().select_related(*MEMBER_RELATED), pk=pk)
    return render(
        request,
        "certification/record_book/coordinator.html",
        {
            "volunteer": volunteer,
            "book": selectors.record_book(volunteer),
            "section": "volunteers",
        },
    )
