"""Page routing in two queries instead of two per level.

Wagtail's `Page.route` walks down one level at a time: the child by slug, then its specific
object, so a quiz attempt four levels below the home page costs eight queries before the view
starts. Every page below the site root has its path stored in `url_path`, so the whole chain of
pages a path names is one query, and only the page that answers needs its specific object.

The result is what Wagtail's walk gives, step for step: a page whose class has its own `route`
(RoutablePageMixin's sub-URLs) answers for the rest of the path when one of its routes matches
it, as Wagtail would ask it first; a missing or non-live page is a 404 exactly where Wagtail's
walk would raise it, because the walk is handed back to Wagtail there.
"""

from django.http import Http404
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page


def _answers_for(page_class, remaining):
    """Whether a page of this class would route `remaining` itself rather than to a child."""
    if page_class is None or page_class.route is Page.route:
        return False
    if not issubclass(page_class, RoutablePageMixin) or page_class.route is not (
        RoutablePageMixin.route
    ):
        return True  # some other routing of its own: let it decide
    path = "/" + "".join(f"{part}/" for part in remaining)
    try:
        page_class.get_resolver().resolve(path)
    except Http404:
        return False
    return True


class ShortcutRoutingMixin:
    """For the site's root page: resolves the pages below it by `url_path` in one query."""

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        prefixes = [
            self.url_path + "".join(f"{part}/" for part in path_components[: n + 1])
            for n in range(len(path_components))
        ]
        found = {
            page.url_path: page
            for page in Page.objects.filter(
                url_path__in=prefixes, path__startswith=self.path, depth__gt=self.depth
            )
        }
        parent = self
        for n, prefix in enumerate(prefixes):
            page = found.get(prefix)
            if page is None or page.depth != parent.depth + 1:
                break
            page._cached_parent_obj = parent  # as Wagtail's walk leaves it (get_parent)
            remaining = path_components[n + 1 :]
            if not remaining or _answers_for(page.specific_class, remaining):
                return page.specific.route(request, remaining)
            parent = page
        # The next slug is not a child of `parent`: Wagtail's own walk says 404 from there.
        if parent is self:
            return super().route(request, path_components)
        return parent.specific.route(request, path_components[parent.depth - self.depth :])
