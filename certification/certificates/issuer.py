"""Who issues Komek certificates: the site's certificate settings and the organisation's name."""

from django.core.cache import cache
from wagtail.models import Site

from lms.translation import language_codes

from ..models import CertificateSettings


def issuer_settings():
    site = Site.objects.filter(is_default_site=True).first()
    return CertificateSettings.for_site(site) if site else CertificateSettings()


ISSUER_NAME_KEY = "certification:issuer-name:{language}"


def issuer_name(language):
    """The organisation's name, cached: it is on every verification page."""
    key = ISSUER_NAME_KEY.format(language=language)
    name = cache.get(key)
    if name is None:
        name = issuer_settings().organisation(language)
        cache.set(key, name, 300)
    return name


def forget_issuer_name():
    cache.delete_many([ISSUER_NAME_KEY.format(language=code) for code in language_codes()])
