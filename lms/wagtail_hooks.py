"""Wagtail hooks of the project: pages read in the interface language the visitor chose."""

from django.utils import translation
from wagtail import hooks

from .language_switch import chosen_language


@hooks.register("before_serve_page")
def read_in_the_chosen_language(page, request, serve_args, serve_kwargs):
    """The page was found in the tree its address names (/ru/… is the Russian tree); its
    interface is in the language the visitor chose, its content stays in its own language."""
    chosen = chosen_language(request)
    if chosen and chosen != translation.get_language():
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
