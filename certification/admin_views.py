"""Staff actions on certificates in the Wagtail admin: revoke with a reason, reissue."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .models import Certificate

CHANGE = "certification.change_certificate"


def inspect_url(certificate):
    from django.urls import reverse

    return reverse("certificates:inspect", args=[certificate.pk])


@require_POST
def revoke(request, pk):
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    certificate = get_object_or_404(Certificate, pk=pk)
    try:
        services.revoke(certificate=certificate, reason=request.POST.get("reason", ""))
    except services.CertificateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Certificate %(code)s revoked.") % {"code": certificate.public_code}
        )
    return redirect(inspect_url(certificate))


@require_POST
def reissue(request, pk):
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    certificate = get_object_or_404(Certificate, pk=pk)
    try:
        new = services.reissue(certificate=certificate)
    except services.CertificateError as error:
        messages.error(request, str(error))
        return redirect(inspect_url(certificate))
    messages.success(
        request,
        _("Reissued as %(new)s; %(old)s now points to it.")
        % {"new": new.public_code, "old": certificate.public_code},
    )
    return redirect(inspect_url(new))
