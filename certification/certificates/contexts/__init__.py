"""The JSON-LD contexts Komek's credentials and DID document use, shipped with the code: proofs
are made and checked offline, and nothing is fetched at run time (an unknown URL is an error).

index.json maps each context URL to its file here; a key that is a path ("/credentials/…") is
Komek's own context, at that path under SITE_URL. The test verifier (tests/verifier/) reads the
same map. The other files are the published documents byte for byte (their SHA-256 are pinned in
tests/certification/certificates/test_data_integrity.py): VCDM 2.0's has no @vocab, so a term no
context defines is dropped, and safe-mode verifiers refuse the credential.
"""

import functools
import json
from pathlib import Path

from django.conf import settings
from pyld.jsonld import JsonLdError

FOLDER = Path(__file__).resolve().parent


class UnknownDocument(JsonLdError):
    """A JSON-LD document Komek does not ship: refused, never fetched."""

    def __init__(self, url):
        super().__init__(
            f"{url} is not one of the JSON-LD contexts shipped with Komek.",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )


def files() -> dict[str, Path]:
    """Each shipped context's URL and file."""
    return {
        (f"{settings.SITE_URL}{url}" if url.startswith("/") else url): FOLDER / name
        for url, name in _index().items()
    }


@functools.cache
def _index() -> dict[str, str]:
    return json.loads((FOLDER / "index.json").read_text())


def context(url: str) -> dict:
    """A fresh copy each time: a caller may change what it gets."""
    return json.loads(_text(url))


def _text(url: str) -> str:
    path = files().get(url)
    if path is None:
        raise UnknownDocument(url)
    return _read(path)


@functools.cache
def _read(path: Path) -> str:
    return path.read_text()


def document_loader(url, options=None):
    """A pyld document loader that answers only from the shipped files."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": context(url),
    }
