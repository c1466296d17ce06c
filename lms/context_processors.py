from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

CATALOGUE_URL_KEY = "lms:catalogue-url:{language}"


def catalogue_url(language):
    """The course catalogue's address in a language, cached: every page's header links to it."""
    key = CATALOGUE_URL_KEY.format(language=language)
    url = cache.get(key)
    if url is None:
        from courses.models import CataloguePage

        page = CataloguePage.objects.live().filter(locale__language_code=language).first()
        page = page or CataloguePage.objects.live().first()
        url = page.url if page else ""
        cache.set(key, url, 300)
    return url


def forget_catalogue_urls(**kwargs):
    cache.delete_many([CATALOGUE_URL_KEY.format(language=code) for code in ("ru", "kk", "en")])


def navigation(request):
    return {"catalogue_url": SimpleLazyObject(lambda: catalogue_url(request.LANGUAGE_CODE))}
