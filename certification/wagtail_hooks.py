from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Branch, Direction, Level, Skill, Volunteer


class DirectionViewSet(SnippetViewSet):
    model = Direction
    icon = "site"
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name_ru", "name_kk", "name_en"]


class LevelViewSet(SnippetViewSet):
    model = Level
    icon = "pick"
    list_display = ["rank", "name", "slug"]


class BranchViewSet(SnippetViewSet):
    model = Branch
    icon = "home"
    list_display = ["name", "slug", "is_headquarters", "sort_order"]
    search_fields = ["name_ru", "name_kk", "name_en"]


class SkillViewSet(SnippetViewSet):
    model = Skill
    icon = "tick-inverse"
    list_display = ["name", "slug", "direction"]
    list_filter = ["direction"]
    search_fields = ["name_ru", "name_kk", "name_en"]


class MembersJoinByApplication(ModelPermissionPolicy):
    """Members are made by the application form (consent, first level, award), never added here;
    and removing one would erase their record, so nobody deletes them either."""

    def user_has_permission(self, user, action):
        return action not in {"add", "delete"} and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(Volunteer, MembersJoinByApplication(Volunteer))


class VolunteerViewSet(SnippetViewSet):
    """Members for staff: moved between branches here; levels change only through awards."""

    model = Volunteer
    icon = "group"
    list_display = ["user", "branch", "level", "joined_at"]
    list_filter = ["branch", "level", "directions"]
    search_fields = ["user__last_name", "user__first_name", "user__email"]
    inspect_view_enabled = True
    add_to_admin_menu = False
    panels = [
        FieldPanel("branch"),
        FieldPanel("directions"),
        FieldPanel("city"),
        FieldPanel("motivation"),
    ]

    def get_queryset(self, request):
        return Volunteer.objects.select_related("user", "branch", "level")


class CertificationGroup(SnippetViewSetGroup):
    items = (VolunteerViewSet, BranchViewSet, DirectionViewSet, LevelViewSet, SkillViewSet)
    menu_icon = "success"
    menu_label = _("Certification")
    menu_name = "certification"


register_snippet(CertificationGroup)


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    from .certificates.admin import CertificateViewSet

    return CertificateViewSet()


@hooks.register("before_delete_page")
def keep_courses_that_certificates_name(request, page):
    """A certificate names its course for as long as it stands: such a course is unpublished,
    not deleted (the database would refuse anyway)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from courses.models import CoursePage

    from .models import Certificate

    pages = page.get_descendants(inclusive=True)
    courses = CoursePage.objects.filter(pk__in=pages.values("pk"))
    if Certificate.objects.filter(course__in=courses).exists():
        messages.error(
            request,
            _("Certificates were issued for this course, so it cannot be deleted. Unpublish it."),
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None
