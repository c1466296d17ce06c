"""The groups that levels open: Coordinators (their branch's people) and Instructors (authoring).

Made on demand with their permissions, so a volunteer reaching a level in a fresh installation
gets working access without anyone setting groups up first.
"""

from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

COORDINATORS = "Coordinators"
INSTRUCTORS = "Instructors"
GROUP_FOR_LEVEL = {"coordinator": COORDINATORS, "instructor": INSTRUCTORS}


def permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def coordinators_group() -> Group:
    group, _created = Group.objects.get_or_create(name=COORDINATORS)
    group.permissions.add(permission("certification", "coordinate_branch"))
    return group


def instructors_group() -> Group:
    """Instructors author pages in every language tree, use the media libraries and sign off
    volunteers' skills."""
    group, _created = Group.objects.get_or_create(name=INSTRUCTORS)
    group.permissions.add(
        permission("wagtailadmin", "access_admin"),
        permission("certification", "sign_off_skills"),
    )
    for page in Page.objects.filter(depth=2):  # the home page in each language
        for codename in ("add_page", "change_page", "publish_page"):
            GroupPagePermission.objects.get_or_create(
                group=group, page=page, permission=permission("wagtailcore", codename)
            )
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for model in ("image", "document", "media"):
            for action in ("add", "change", "choose"):
                for perm in Permission.objects.filter(codename=f"{action}_{model}"):
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=perm
                    )
    return group


def group_for_level(slug) -> Group | None:
    name = GROUP_FOR_LEVEL.get(slug)
    if name == COORDINATORS:
        return coordinators_group()
    if name == INSTRUCTORS:
        return instructors_group()
    return None
