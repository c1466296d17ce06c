"""Certificates as PDFs: Django templates laid out by WeasyPrint, with a QR code to verify them.

`certificate_context` turns a `Certificate` row into plain data, `render_pdf` turns that into
bytes: a layer that holders of the same certificate share, rendered once per process, under the
holder's own layer (name, code, QR code). Fonts ship in the repository, so a PDF looks the same
on every server.
"""

import atexit
import codecs
import functools
import io
import logging
import os
import re
import shutil
import threading
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pikepdf
import qrcode
import qrcode.constants
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image, ImageFont
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from lms.formatting import format_date

APP_DIR = Path(__file__).resolve().parent.parent  # certification/
FONTS_DIR = APP_DIR / "static" / "certification" / "fonts"
PDF_TEMPLATES_DIR = APP_DIR / "templates" / "certification" / "pdf"
IMAGE_KEYS = ("logo_path", "signature_path")
# What differs from one holder of a certificate to the next: printed by the holder's layer only.
HOLDER_KEYS = (
    "holder_name",
    "holder_name_latin",
    "initials",
    "photo_path",
    "public_code",
    "verify_url",
    "qr_png",
)
SHARED_LAYERS_KEPT = 64  # some 30 kB each
QR_URI = "komek:qr.png"  # handed to WeasyPrint from memory
# Wagtail filter specs: no larger than 300 dpi at the largest printed size.
LOGO_RENDITION = "max-360x260"
SIGNATURE_RENDITION = "max-720x180"
BADGE_LOGO_RENDITION = "max-120x90"
SANS_FILE, SERIF_BOLD_FILE = "PTSans-Regular.ttf", "PTSerif-Bold.ttf"
PT_PER_PX, PT_PER_MM = 0.75, 72 / 25.4
QR_MASK = 4
QR_MODULE_PX = 4  # sharp edges even where a viewer smooths images despite image-rendering
_render_lock = threading.Lock()
logger = logging.getLogger(__name__)

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
        "qr_png": qr_png(certificate.verify_url),
        "code_label": _joined(texts["code_label"] for texts in languages),
        "verify_label": _joined(texts["verify_label"] for texts in languages),
        "signer_name": settings_obj.signer_name,
        "signer_titles": list(
            dict.fromkeys(t["signer_title"] for t in languages if t["signer_title"])
        ),
        "signature_path": _printed_image(settings_obj.signature, SIGNATURE_RENDITION),
        "logo_path": _printed_image(
            settings_obj.logo,
            BADGE_LOGO_RENDITION if certificate.kind == certificate.Kind.BADGE else LOGO_RENDITION,
        ),
        "photo_path": _photo_path(certificate)
        if certificate.kind == certificate.Kind.BADGE
        else None,
        "branch": _joined(texts["branch"] for texts in languages),
        "text": certificate.text,
    }


def _photo_path(certificate):
    """The badge photo the holder gave when joining, if any."""
    volunteer = getattr(certificate.holder, "volunteer", None)
    return local_copy(volunteer.photo) if volunteer is not None and volunteer.photo else None


def local_copy(field_file):
    """A file WeasyPrint can open: the file itself on the filesystem storage, or a copy kept
    under var/ from the object storage (names there are never reused: AWS_S3_FILE_OVERWRITE)."""
    try:
        return field_file.path
    except NotImplementedError:
        pass
    target = (
        Path(settings.VAR_DIR) / "storage-copies" / field_file.storage.location / field_file.name
    )
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        draft = target.with_name(f"{target.name}.{os.getpid()}.part")
        with field_file.storage.open(field_file.name, "rb") as source, open(draft, "wb") as out:
            shutil.copyfileobj(source, out)
        os.replace(draft, target)
    return str(target)


def _texts(certificate, settings_obj, language, *, issued_at, expires_at):
    with translation.override(language):
        kind_labels = {
            certificate.Kind.COURSE: gettext("Certificate"),
            certificate.Kind.LEVEL: gettext("Certificate"),
            certificate.Kind.LETTER: gettext("Letter of appreciation"),
            certificate.Kind.BADGE: gettext("Volunteer badge"),
        }
        level = certificate.level.name if certificate.level else ""
        direction = certificate.direction.name if certificate.direction else ""
        if certificate.kind == certificate.Kind.COURSE:
            achievement_label, achievement = gettext("has completed the course"), None
        elif certificate.kind in (certificate.Kind.LEVEL, certificate.Kind.BADGE) and level:
            achievement_label, achievement = gettext("is awarded the level"), level
        elif certificate.kind == certificate.Kind.LETTER:
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
            "issued_on": format_date(issued_at, language),
            "valid_until_label": gettext("Valid until"),
            "valid_until": expires_at and format_date(expires_at, language),
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


def _printed_image(image, rendition):
    """The local file of an organisation's image as the PDF prints it: a Wagtail rendition, made
    once, no larger than 300 dpi at its printed size, so that a large scan does not make every
    certificate's PDF large. An image whose file is gone is left out, not a reason to hold back
    every certificate."""
    if not image:
        return None
    try:
        return local_copy(image.get_rendition(rendition).file)
    except OSError:
        logger.warning("Certificates are printed without image %s: its file is missing", image.pk)
        return None


def render_pdf(context: dict) -> bytes:
    """The certificate (or badge) described by `context` as a one-page PDF.

    The page is two layers. The shared one holds everything that holders of the same certificate
    have in common (organisation, title, dates, signer, logo) and leaves slots for the holder's
    name, code and QR code: it is rendered once per process and kept, as when a course's
    graduates or an event's volunteers get theirs together. Only the holder's layer, a few boxes
    placed over those slots, is rendered for each certificate, then drawn over the shared one.
    """
    design = BADGE if context["kind"] == "badge" else CERTIFICATE
    shared_context = {key: value for key, value in context.items() if key not in HOLDER_KEYS}
    for key in IMAGE_KEYS:
        shared_context[key.replace("_path", "_uri")] = _file_uri(context.get(key))
    shared_html = render_to_string(design.template, shared_context)
    # Pango and Fontconfig objects are not thread-safe: one render at a time per process.
    with _render_lock:
        shared = _shared_layer(shared_html, design.stylesheet)
        size = name_size(
            context["holder_name"],
            context["holder_name_latin"],
            design.name_type,
            shared.slots["name"],
        )
        holder_html = render_to_string(
            design.holder_template,
            {
                **{key: context.get(key) for key in HOLDER_KEYS},
                "photo_uri": _file_uri(context.get("photo_path")),
                "qr_uri": QR_URI,
                "language": context["languages"][0]["language"],
                "kind_label": context["languages"][0]["kind_label"],
                "slots": {
                    name: place(shared.slots[name], shared.height)
                    for name, place in design.slots.items()
                },
                "name_font_size": f"{size:g}pt",
            },
        )
        fetcher = _LocalFetcher({QR_URI: context["qr_png"]})
        holder_pdf = _layout(holder_html, design.stylesheet, fetcher).write_pdf()
    # The holder's PDF keeps its title (with the code) and language.
    return _drawn_over(shared.pdf, holder_pdf)


class _NameType(NamedTuple):
    """How a design prints the holder's name, as its stylesheet does (sizes in pt): the sizes to
    try, largest first, and the Latin spelling in a smaller line below, in the name's line
    height, which it inherits."""

    sizes: tuple
    line_height: float
    latin_size: float
    latin_gap: float
    latin_spacing: float
    latin_uppercase: bool


class _Design:
    def __init__(self, name, slots, name_type):
        self.template = f"certification/pdf/{name}.html"
        self.holder_template = f"certification/pdf/{name}_holder.html"
        self.stylesheet = PDF_TEMPLATES_DIR / f"{name}.css"
        self.slots = slots
        self.name_type = name_type


def _over(slot, page_height):
    """CSS placing a box over a slot, given as its anchor: (left, top, right, bottom) in px."""
    left, top, right, bottom = slot
    return (
        f"left: {left:.3f}px; top: {top:.3f}px; "
        f"width: {right - left:.3f}px; height: {bottom - top:.3f}px"
    )


def _on_bottom_of(slot, page_height):
    """CSS placing a box of its own height on the bottom of a slot, and no taller than the slot."""
    left, top, right, bottom = slot
    return (
        f"left: {left:.3f}px; bottom: {page_height - bottom:.3f}px; "
        f"width: {right - left:.3f}px; max-height: {bottom - top:.3f}px"
    )


# A certificate's name sits on the bottom of its slot, so that it keeps its distance from the
# texts below it; a badge's on the top of its slot, level with the photo.
CERTIFICATE = _Design(
    "certificate",
    slots={"name": _on_bottom_of, "qr": _over, "code": _over},
    name_type=_NameType(
        sizes=(30, 28, 26, 24, 22, 20, 19, 18, 17, 16, 15, 14, 13, 12),
        line_height=1.1,
        latin_size=9,
        latin_gap=1.2 * PT_PER_MM,
        latin_spacing=1.5,
        latin_uppercase=True,
    ),
)
BADGE = _Design(
    "badge",
    slots={"photo": _over, "name": _over, "qr": _over, "code": _over},
    name_type=_NameType(
        sizes=(9, 8.5, 8, 7.5, 7, 6.5, 6, 5.5),
        line_height=1.12,
        latin_size=5,
        latin_gap=0.4 * PT_PER_MM,
        latin_spacing=0.4,
        latin_uppercase=False,
    ),
)


def name_size(holder_name, holder_name_latin, name_type, slot):
    """The largest size (pt) in which the name, wrapped as WeasyPrint wraps it, and the Latin
    spelling below it fit their slot (left, top, right, bottom in px); the smallest for names
    longer than any real one, which the slot then clips."""
    left, top, right, bottom = slot
    width, height = (right - left) * PT_PER_PX, (bottom - top) * PT_PER_PX
    latin_height = 0
    if holder_name_latin:
        latin = holder_name_latin.upper() if name_type.latin_uppercase else holder_name_latin
        n_lines = _n_lines(latin, SANS_FILE, name_type.latin_size, width, name_type.latin_spacing)
        latin_height = name_type.latin_gap + (
            n_lines * name_type.latin_size * name_type.line_height
        )
    for size in name_type.sizes:
        n_lines = _n_lines(holder_name, SERIF_BOLD_FILE, size, width)
        if n_lines * size * name_type.line_height + latin_height <= height:
            return size
    return name_type.sizes[-1]


def _n_lines(text, font_file, size, width, letter_spacing=0.0):
    """How many lines `text` takes in `width` pt, filled greedily and broken at spaces and after
    hyphens, as browsers do; measured with the shipped font, a little short of the width for
    kerning and rounding."""
    face = _measuring_face(font_file)

    def measure(part):
        return face.getlength(part) * size / 1000 + letter_spacing * len(part)

    usable, space = width * 0.97, measure(" ")
    n_lines, line = 1, 0.0
    for match in re.finditer(r"(\s*)([^\s-]+-?|-)", text):
        word = measure(match.group(2))
        gap = space if match.group(1) else 0.0
        if line and line + gap + word > usable:
            n_lines, line = n_lines + 1, word
        else:
            line += (gap if line else 0.0) + word
        while line > usable:  # a word longer than a line breaks anywhere
            n_lines, line = n_lines + 1, line - usable
    return n_lines


@functools.cache
def _measuring_face(font_file):
    return ImageFont.truetype(str(FONTS_DIR / font_file), 1000)


class _SharedLayer(NamedTuple):
    pdf: bytes
    slots: dict  # slot id → (left, top, right, bottom) in CSS px
    height: float  # of the page, in CSS px


@functools.lru_cache(maxsize=SHARED_LAYERS_KEPT)
def _shared_layer(html, stylesheet):
    """The shared layer, rendered once per process for each distinct text: the HTML is the key,
    so any change to what it prints (a title, a date, the signer, a new logo file) is a new one."""
    document = _layout(html, stylesheet)
    page = document.pages[0]
    pdf = _with_other_subset_tags(document.write_pdf())
    return _SharedLayer(pdf=pdf, slots=page.anchors, height=page.height)


def _with_other_subset_tags(pdf):
    """`pdf` with its fonts' subset tags (the `BWTEIS` of `BWTEIS+Komek-Sans`) changed. WeasyPrint
    tags a face's subset by the face alone, so both layers would give their different subsets of
    one face the same name, where "different subsets in the same PDF file shall have different
    tags" (ISO 32000-1, 9.6.4): a printer may take one subset for the other."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for font in document.pages[0].Resources.get("/Font", {}).values():
            for part in (font, *font.get("/DescendantFonts", ())):
                part.BaseFont = _retagged(part.BaseFont)
                if "/FontDescriptor" in part:
                    part.FontDescriptor.FontName = _retagged(part.FontDescriptor.FontName)
        output = io.BytesIO()
        document.save(output)
    return output.getvalue()


def _retagged(name):
    """A subset's font name with another six-letter tag: each letter 13 places on (ROT13)."""
    tag, plus, family = str(name).removeprefix("/").partition("+")
    if not plus or len(tag) != 6:
        return name
    return pikepdf.Name(f"/{codecs.encode(tag, 'rot13')}+{family}")


def _drawn_over(under, pdf):
    """`pdf`'s one page drawn over the page of `under`, as one page (qpdf, through pikepdf: the
    page below becomes a form XObject of the page above)."""
    with pikepdf.open(io.BytesIO(pdf)) as top, pikepdf.open(io.BytesIO(under)) as bottom:
        top.pages[0].add_underlay(bottom.pages[0])
        output = io.BytesIO()
        top.save(output)
    return output.getvalue()


def _layout(html, stylesheet, fetcher=None):
    fetcher = fetcher or _fetcher()
    return HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=fetcher).render(
        stylesheets=[font_stylesheet(), _stylesheet(stylesheet)], font_config=font_config()
    )


def _file_uri(path):
    """A local file's URI, with its modification time so that a file replaced under the same name
    is a new shared layer (WeasyPrint drops the query when it opens the file)."""
    if not path:
        return None
    try:
        version = os.stat(path).st_mtime_ns
    except OSError:
        version = 0  # WeasyPrint reports the missing file and prints the page without it
    return f"{Path(path).as_uri()}?v={version}"


@functools.cache
def font_config():
    """One font configuration per process: WeasyPrint then loads each font file only once."""
    # Dropped before interpreter shutdown, while WeasyPrint can still delete its font folder.
    atexit.register(_forget_fonts)
    return FontConfiguration()


def _forget_fonts():
    _shared_layer.cache_clear()
    _stylesheet.cache_clear()
    font_stylesheet.cache_clear()
    font_config.cache_clear()


@functools.cache
def font_stylesheet():
    """The shipped PT Sans and PT Serif (ParaType, with every Kazakh letter) as @font-face rules."""
    faces = FONT_FACES.format(
        sans=(FONTS_DIR / SANS_FILE).as_uri(),
        sans_bold=(FONTS_DIR / "PTSans-Bold.ttf").as_uri(),
        serif_bold=(FONTS_DIR / SERIF_BOLD_FILE).as_uri(),
    )
    return CSS(string=faces, font_config=font_config(), url_fetcher=_fetcher())


@functools.cache
def _stylesheet(path):
    """A design's stylesheet, parsed once per process."""
    return CSS(filename=str(path), font_config=font_config(), url_fetcher=_fetcher())


@functools.cache
def _fetcher():
    return _LocalFetcher()


class _LocalFetcher(URLFetcher):
    """Local files, and images handed over in memory (the QR code), only: a certificate never
    waits on, or leaks a request to, another server."""

    def __init__(self, images=None):
        super().__init__(allowed_protocols={"file", "komek"})
        self._images = images or {}

    def fetch(self, url, headers=None):
        if url in self._images:
            return URLFetcherResponse(url, self._images[url], {"Content-Type": "image/png"})
        return super().fetch(url, headers)
