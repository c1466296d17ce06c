"""Test helpers for the address confirmation: the link an email carries, and a page's text with
what differs between two requests (the typed address, the CSRF token) taken out."""

import re
from urllib.parse import urlsplit


def emailed_path(message):
    """The path and query of the first link in an email, to open with the test client."""
    parts = urlsplit(re.search(r"https?://\S+", message.body).group(0))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_text(response, *, email, shown_as):
    """The page with `email` written as `shown_as` and without its CSRF tokens."""
    text = response.content.decode().replace(email, shown_as)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
