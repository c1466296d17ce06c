from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from . import receivers  # noqa: F401  (connects the course-completion receiver)
        from .certificates.admin import CertificatePermissionPolicy
        from .models import Certificate

        register_permission_policy(Certificate, CertificatePermissionPolicy(Certificate))
