from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default = True


class KomekUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with the fields a certificate needs (patronymic, Latin name, phone)."""

    user_viewset = "lms.accounts.viewsets.UserViewSet"
