"""Baked badges: a certificate's badge image (PNG or SVG) carrying its own credential, as Open
Badges 3.0 §5.3 "Baked Badge" describes, so a downloaded image can be verified with nothing else.

A PNG gets one uncompressed iTXt chunk with the keyword `openbadgecredential`; an SVG gets one
`<openbadges:credential>` element right after `<svg>`. Either holds the VC-JWT (in the SVG as its
`verify` attribute) or the JSON of a credential with an embedded proof (in the SVG as CDATA).
"""

import json
import re
import struct
import zlib
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from .achievements import COLOURS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


class NotABadge(ValueError):
    """An image that is not a PNG or SVG we can bake into or read from."""


def credential_text(credential: str | dict) -> str:
    """A VC-JWT as it is, a credential with an embedded proof as compact JSON."""
    if isinstance(credential, str):
        return credential
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


# PNG ------------------------------------------------------------------------------------------


def bake_png(png: bytes, credential: str | dict) -> bytes:
    """The PNG with the credential in its only `openbadgecredential` chunk, right after IHDR
    (readers may stop at the first one); a credential already baked in is replaced."""
    chunks = [chunk for chunk in _png_chunks(png) if not _is_credential_chunk(chunk)]
    text = credential_text(credential).encode()
    # iTXt: keyword, NUL, compression flag 0 and method 0 (OB 3.0: no compression), empty
    # language tag and translated keyword, each NUL-terminated, then the UTF-8 text.
    itxt = (b"iTXt", PNG_KEYWORD + b"\x00\x00\x00" + b"\x00" + b"\x00" + text)
    return PNG_SIGNATURE + b"".join(_png_chunk(*chunk) for chunk in [chunks[0], itxt, *chunks[1:]])


def extract_png(png: bytes) -> str | None:
    """The text of the first `openbadgecredential` iTXt chunk, or None."""
    for kind, data in _png_chunks(png):
        if _is_credential_chunk((kind, data)):
            _keyword, rest = data.split(b"\x00", 1)
            compressed, _method = rest[0], rest[1]
            _language, rest = rest[2:].split(b"\x00", 1)
            _translated, text = rest.split(b"\x00", 1)
            return (zlib.decompress(text) if compressed else text).decode()
        if kind == b"IEND":
            break
    return None


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise NotABadge("Not a PNG image.")
    chunks, position = [], len(PNG_SIGNATURE)
    while position + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        data = png[position + 8 : position + 8 + length]
        if len(data) != length:
            raise NotABadge("A truncated PNG image.")
        chunks.append((kind, data))
        position += 12 + length
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR":
        raise NotABadge("A PNG image without its header.")
    return chunks


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _is_credential_chunk(chunk) -> bool:
    kind, data = chunk
    return kind == b"iTXt" and data.split(b"\x00", 1)[0] == PNG_KEYWORD


# SVG ------------------------------------------------------------------------------------------

SVG_TAG = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)
CREDENTIAL_ELEMENT = re.compile(
    r"<openbadges:credential\b[^>]*?(/>|>.*?</openbadges:credential>)\s*", re.DOTALL
)


def bake_svg(svg: str, credential: str | dict) -> str:
    """The SVG with one `<openbadges:credential>` right after its `<svg>` tag."""
    svg = CREDENTIAL_ELEMENT.sub("", svg)
    tag = SVG_TAG.search(svg)
    if tag is None:
        raise NotABadge("Not an SVG image.")
    opening = tag.group(0)
    if "xmlns:openbadges" not in opening:
        end = -2 if opening.endswith("/>") else -1
        opening = f'{opening[:end]} xmlns:openbadges="{OB_NAMESPACE}"{opening[end:]}'
    if isinstance(credential, str):
        element = f"<openbadges:credential verify={quoteattr(credential)}></openbadges:credential>"
    else:
        # "]]>" inside the JSON (a name could hold it) would end the CDATA section early.
        text = credential_text(credential).replace("]]>", "]]]]><![CDATA[>")
        element = f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>"
    return svg[: tag.start()] + opening + element + svg[tag.end() :]


def extract_svg(svg: str) -> str | None:
    """The VC-JWT (`verify`) or the credential JSON of the first `<openbadges:credential>`."""
    try:
        root = ElementTree.fromstring(svg)  # noqa: S314 (expat expands no external entities)
    except ElementTree.ParseError as error:
        raise NotABadge("Not an SVG image.") from error
    element = root.find(f".//{{{OB_NAMESPACE}}}credential")
    if element is None:
        return None
    return element.get("verify") or (element.text or "").strip()


# The SVG badge ----------------------------------------------------------------------------------


def badge_svg(kind: str, *, title: str) -> str:
    """The achievement's medal (achievements.image_png) drawn as SVG: the kind's colour, a white
    ring and Komek's cross; the title is the image's accessible name."""
    red, green, blue = COLOURS[kind]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="{SVG_NAMESPACE}" viewBox="0 0 400 400" width="400" height="400" '
        f'role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>"
        f'<circle cx="200" cy="200" r="188" fill="rgb({red},{green},{blue})"/>'
        '<circle cx="200" cy="200" r="151" fill="none" stroke="#fff" stroke-width="10"/>'
        '<rect x="174" y="130" width="52" height="140" fill="#fff"/>'
        '<rect x="130" y="174" width="140" height="52" fill="#fff"/>'
        "</svg>\n"
    )
