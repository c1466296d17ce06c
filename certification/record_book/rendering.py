"""The record book as a PDF: a Django template laid out by WeasyPrint in the shipped fonts, with
a QR code to its share page. The fonts, the QR drawing and the local-only fetcher are the
certificates' (certificates/rendering.py), so both kinds of paper look and behave alike."""

from urllib.parse import urlsplit

from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from ..certificates import rendering as certificates
from ..certificates.issuer import issuer_settings

STYLESHEET = certificates.PDF_TEMPLATES_DIR / "record_book.css"


def render_pdf(book, *, share_url, language) -> bytes:
    """`book` (selectors.RecordBook) as an A4 PDF of as many pages as it takes, in the active
    language (the caller overrides it to `language`)."""
    parts = urlsplit(share_url)
    html = render_to_string(
        "certification/pdf/record_book.html",
        {
            "book": book,
            "language": language,
            "organisation": issuer_settings().organisation(language),
            "share_url": share_url,
            "share_page": parts.netloc + parts.path,
            "qr_uri": certificates.QR_URI,
        },
    )
    fetcher = certificates._LocalFetcher({certificates.QR_URI: certificates.qr_png(share_url)})
    # Pango and Fontconfig objects are not thread-safe: one render at a time per process.
    with certificates._render_lock:
        document = HTML(
            string=html, base_url=certificates.FONTS_DIR.as_uri() + "/", url_fetcher=fetcher
        ).render(
            stylesheets=[
                certificates.font_stylesheet(),
                CSS(
                    filename=str(STYLESHEET),
                    font_config=certificates.font_config(),
                    url_fetcher=fetcher,
                ),
            ],
            font_config=certificates.font_config(),
        )
        return document.write_pdf()
