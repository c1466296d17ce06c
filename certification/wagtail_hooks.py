from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Direction, Level


class DirectionViewSet(SnippetViewSet):
    model = Direction
    icon = "site"
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name_ru", "name_kk", "name_en"]


class LevelViewSet(SnippetViewSet):
    model = Level
    icon = "pick"
    list_display = ["rank", "name", "slug"]


class CertificationGroup(SnippetViewSetGroup):
    items = (DirectionViewSet, LevelViewSet)
    menu_icon = "success"
    menu_label = _("Certification")
    menu_name = "certification"


register_snippet(CertificationGroup)


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    from .viewsets import CertificateViewSet

    return CertificateViewSet()
