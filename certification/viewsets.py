"""The certificate register in the Wagtail admin: listing, filters, inspect, revoke, reissue."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import ModelPermissionPolicy

from . import admin_views
from .models import Certificate


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
        context["can_change"] = self.request.user.has_perm(admin_views.CHANGE)
        return context


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full-inverse"
    menu_label = _("Certificates")
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
            path("<int:pk>/revoke/", admin_views.revoke, name="revoke"),
            path("<int:pk>/reissue/", admin_views.reissue, name="reissue"),
        ]
