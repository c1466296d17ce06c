"""Certificates as PDFs: a Django template laid out by WeasyPrint, with a QR code to verify it.

`certificate_context` turns a `Certificate` row into plain data, `render_pdf` turns that into
bytes. Fonts ship in the repository, so a PDF looks the same on every server.
"""

import atexit
import base64
import functools
import io
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import qrcode
import qrcode.constants
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

FONTS_DIR = Path(__file__).resolve().parent / "static" / "certification" / "fonts"
CERTIFICATE_TEMPLATE = "certification/pdf/certificate.html"
BADGE_TEMPLATE = "certification/pdf/badge.html"
IMAGE_KEYS = ("logo_path", "signature_path", "photo_path")
STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)
QR_MASK = 4
QR_MODULE_PX = 4  # sharp edges even where a viewer smooths images despite image-rendering
_render_lock = threading.Lock()

# Family names of our own, so that a system font called "PT Sans" can never stand in for them.
FONT_FACES = """
@font-face {{ font-family: "Komek Sans"; font-weight: 400; src: url("{sans}"); }}
@font-face {{ font-family: "Komek Sans"; font-weight: 700; src: url("{sans_bold}"); }}
@font-face {{ font-family: "Komek Serif"; font-weight: 700; src: url("{serif_bold}"); }}
html {{ font-family: "Komek Sans"; }}
"""


def qr_png(url: str) -> bytes:
    """A QR code for `url` as a small greyscale PNG: error correction M, a two-module quiet zone,
    each module a square of QR_MODULE_PX pixels.

    A fixed mask spares qrcode building and scoring all eight (ISO/IEC 18004 lets the encoder
    choose; decoders read any). An image is one object for WeasyPrint to draw, where the SVG
    path it replaces took a few thousand path commands parsed in Python.
    """
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=QR_MASK
    )
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (n, n), pixels).resize(
        (n * QR_MODULE_PX, n * QR_MODULE_PX), Image.Resampling.NEAREST
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def qr_data_uri(url: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii")


def certificate_context(certificate, *, settings_obj) -> dict:
    """Everything the PDF prints, as plain data: one dict of texts per printed language."""
    code = certificate.public_code
    issued_at = timezone.localtime(certificate.issued_at)
    expires_at = certificate.expires_at and timezone.localtime(certificate.expires_at)
    languages = [
        _texts(certificate, settings_obj, language, issued_at=issued_at, expires_at=expires_at)
        for language in certificate.printed_languages or ["ru"]
    ]
    return {
        "kind": certificate.kind,
        "languages": languages,
        "holder_name": certificate.holder_name,
        "holder_name_latin": certificate.holder_name_latin,
        "initials": _initials(certificate.holder_name),
        "public_code": code,
        "verify_url": certificate.verify_url,
        "verify_page": _without_scheme(certificate.verify_url.removesuffix(f"{code}/")),
        "qr_uri": qr_data_uri(certificate.verify_url),
        "code_label": _joined(texts["code_label"] for texts in languages),
        "verify_label": _joined(texts["verify_label"] for texts in languages),
        "signer_name": settings_obj.signer_name,
        "signer_titles": list(
            dict.fromkeys(t["signer_title"] for t in languages if t["signer_title"])
        ),
        "signature_path": _image_path(settings_obj.signature),
        "logo_path": _image_path(settings_obj.logo),
        "photo_path": _photo_path(certificate) if certificate.kind == certificate.BADGE else None,
        "branch": _joined(texts["branch"] for texts in languages),
        "text": certificate.text,
    }


def _photo_path(certificate):
    """The badge photo the holder gave when joining, if any."""
    volunteer = getattr(certificate.holder, "volunteer", None)
    return volunteer.photo.path if volunteer is not None and volunteer.photo else None


def _texts(certificate, settings_obj, language, *, issued_at, expires_at):
    with translation.override(language):
        kind_labels = {
            certificate.COURSE: gettext("Certificate"),
            certificate.LEVEL: gettext("Certificate"),
            certificate.LETTER: gettext("Letter of appreciation"),
            certificate.BADGE: gettext("Volunteer badge"),
        }
        level = certificate.level.name if certificate.level else ""
        direction = certificate.direction.name if certificate.direction else ""
        if certificate.kind == certificate.COURSE:
            achievement_label, achievement = gettext("has completed the course"), None
        elif certificate.kind in (certificate.LEVEL, certificate.BADGE) and level:
            achievement_label, achievement = gettext("is awarded the level"), level
        elif certificate.kind == certificate.LETTER:
            achievement_label = gettext("is thanked for taking part in")
            achievement = certificate.title(language)
        else:
            achievement_label, achievement = "", None
        return {
            "language": language,
            "kind_label": kind_labels.get(certificate.kind, gettext("Certificate")),
            "organisation": settings_obj.organisation(language),
            "title": certificate.title(language),
            "achievement_label": achievement_label,
            "achievement": achievement or certificate.title(language),
            "level_label": gettext("Level"),
            "level": level,
            "direction_label": gettext("Direction"),
            "direction": direction,
            "branch_label": gettext("Branch"),
            "branch": certificate.branch.name if certificate.branch else "",
            "issued_label": gettext("Issued"),
            "issued_on": date_format(issued_at, "j E Y"),
            "valid_until_label": gettext("Valid until"),
            "valid_until": expires_at and date_format(expires_at, "j E Y"),
            "verify_label": gettext("Verify at"),
            "code_label": gettext("Code"),
            "signer_title": settings_obj.signer_title(language),
        }


def _joined(labels):
    """Labels in every printed language, each once: “Код” rather than “Код / Код”."""
    return " / ".join(dict.fromkeys(label for label in labels if label))


def _initials(name):
    return "".join(word[0] for word in name.split()[:2]).upper()


def _without_scheme(url):
    parts = urlsplit(url)
    return parts.netloc + parts.path


def _image_path(image):
    return image.file.path if image else None


def render_pdf(context: dict) -> bytes:
    """The certificate (or badge) described by `context` as a one-page PDF."""
    template = BADGE_TEMPLATE if context["kind"] == "badge" else CERTIFICATE_TEMPLATE
    uris = {key.replace("_path", "_uri"): _file_uri(context.get(key)) for key in IMAGE_KEYS}
    html = render_to_string(template, {**context, **uris})
    # WeasyPrint would parse the <style> element on every render. The template's never changes,
    # so it is parsed once per process and passed as a stylesheet instead.
    style = STYLE_ELEMENT.search(html)
    css = style.group(1) if style else ""
    html = STYLE_ELEMENT.sub("", html, count=1)
    # Pango and Fontconfig objects are not thread-safe: one render at a time per process.
    with _render_lock:
        document = HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=_fetcher())
        return document.write_pdf(
            stylesheets=[font_stylesheet(), _stylesheet(css)], font_config=font_config()
        )


def _file_uri(path):
    return Path(path).as_uri() if path else None


@functools.cache
def font_config():
    """One font configuration per process: WeasyPrint then loads each font file only once."""
    # Dropped before interpreter shutdown, while WeasyPrint can still delete its font folder.
    atexit.register(_forget_fonts)
    return FontConfiguration()


def _forget_fonts():
    _stylesheet.cache_clear()
    font_stylesheet.cache_clear()
    font_config.cache_clear()


@functools.cache
def font_stylesheet():
    """The shipped PT Sans and PT Serif (ParaType, with every Kazakh letter) as @font-face rules."""
    faces = FONT_FACES.format(
        sans=(FONTS_DIR / "PTSans-Regular.ttf").as_uri(),
        sans_bold=(FONTS_DIR / "PTSans-Bold.ttf").as_uri(),
        serif_bold=(FONTS_DIR / "PTSerif-Bold.ttf").as_uri(),
    )
    return CSS(string=faces, font_config=font_config(), url_fetcher=_fetcher())


@functools.lru_cache(maxsize=8)
def _stylesheet(css):
    return CSS(string=css, font_config=font_config(), url_fetcher=_fetcher())


@functools.cache
def _fetcher():
    """Local files (and the QR code's data: URI) only: a certificate never waits on, or leaks a
    request to, another server."""
    return URLFetcher(allowed_protocols={"file", "data"})
