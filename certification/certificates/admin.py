"""The certificate register in the Wagtail admin: listing, filters, inspect, and the staff
actions revoke (with a reason) and reissue."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy

from lms.exports import SafeSpreadsheetExport

from ..models import Certificate
from . import issuing

CHANGE = "certification.change_certificate"


def inspect_url(certificate):
    return reverse("certificates:inspect", args=[certificate.pk])


@require_POST
def revoke(request, pk):
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    certificate = get_object_or_404(Certificate, pk=pk)
    try:
        issuing.revoke(certificate=certificate, reason=request.POST.get("reason", ""))
    except issuing.CertificateError as error:
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
        new = issuing.reissue(certificate=certificate)
    except issuing.CertificateError as error:
        messages.error(request, str(error))
        return redirect(inspect_url(certificate))
    messages.success(
        request,
        _("Reissued as %(new)s; %(old)s now points to it.")
        % {"new": new.public_code, "old": certificate.public_code},
    )
    return redirect(inspect_url(new))


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """Certificates change only through services (revoke, reissue), never a generic form."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class CertificateInspectView(InspectView):
    template_name = "certification/admin/inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = self.request.user.has_perm(CHANGE)
        return context


class CertificateIndexView(SafeSpreadsheetExport, IndexView):
    """The register's listing; its CSV and XLSX exports go through Komek's one export path."""


class CertificateViewSet(ModelViewSet):
    model = Certificate
    index_view_class = CertificateIndexView
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Certificates")
    menu_order = 250
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = CertificateInspectView
    inspect_view_fields = [
        "public_code", "kind", "status", "holder_name", "holder_name_latin", "title_ru", "title_kk",
        "title_en", "direction", "level", "issued_at", "expires_at", "revoked_at", "revoked_reason",
        "replaced_by", "n_verifications", "pdf_sha256", "n_render_attempts", "last_error",
    ]  # fmt: skip
    list_display = [
        "public_code",
        "holder_name",
        "title_ru",
        "kind",
        "status",
        "issued_at",
        "expires_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["public_code", "holder_name", "title_ru"]
    list_export = [
        "public_code",
        "holder_name",
        "title_ru",
        "kind",
        "status",
        "issued_at",
        "expires_at",
    ]
    name = "certificates"
    # No add or edit views are reachable (see the permission policy); the form is never shown.
    form_fields = ["revoked_reason"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/revoke/", revoke, name="revoke"),
            path("<int:pk>/reissue/", reissue, name="reissue"),
        ]
