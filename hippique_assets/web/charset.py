"""Decoding a page by its declared charset: the HTTP header first, then the page's own meta tag.

An undeclared page is read as UTF-8. When the bytes contradict the declaration (a page saved as
ISO-8859-1 under a UTF-8 meta tag), the charset is detected from the bytes (charset-normalizer)
instead, and the decision is logged.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_log = logging.getLogger(__name__)
# The sites read are French: detection chooses among the encodings French pages are written in.
WESTERN = ["utf_8", "cp1252", "latin_1", "iso8859_15", "utf_16"]

# <meta charset="..."> and <meta http-equiv="Content-Type" content="text/html; charset=...">.
# A tag ends at the next "<" too, so "<meta <meta <meta..." without ">" is not rescanned from each one.
_META = re.compile(rb"""<meta[^<>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_SCAN_LIMIT = 16_384


def _known(name: str | bytes) -> str | None:
    text = name.decode("ascii", errors="replace") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(text).name
    except LookupError:
        return None


def declared_charset(content: bytes, content_type: str | None = None) -> str | None:
    """The charset named by the ``Content-Type`` header or, failing that, by a ``<meta>`` of the
    page's head (Python codec name, e.g. ``"utf-8"``, ``"iso8859-1"``); None when neither names a
    known charset."""
    header = _HEADER.search(content_type or "")
    if header is not None and (name := _known(header.group(1))) is not None:
        return name
    end = _HEAD_END.search(content, 0, _SCAN_LIMIT)
    meta = _META.search(content, 0, end.start() if end else _SCAN_LIMIT)
    return _known(meta.group(1)) if meta is not None else None


@dataclass(frozen=True)
class Decoded:
    """A page's text and how it was read: ``charset`` used, ``declared`` one, whether ``detected``."""

    text: str
    charset: str
    declared: str | None
    detected: bool


def decode(content: bytes, content_type: str | None = None, *, where: str = "page") -> Decoded:
    """The page decoded by its declared charset, or by detection when the bytes do not fit it.

    When detection finds nothing better either, the declared charset is used and the bytes that do
    not fit become U+FFFD: a parser must still see the rest of the page.
    """
    declared = declared_charset(content, content_type)
    charset = declared or "utf-8"
    try:
        return Decoded(content.decode(charset), charset, declared, False)
    except UnicodeDecodeError as exc:
        problem = f"{exc.reason} at byte {exc.start}"
    best = from_bytes(content, cp_isolation=WESTERN).best()
    if best is not None and best.encoding:
        found = _known(best.encoding) or best.encoding
        _log.warning(
            "%s: bytes are not %s (%s); decoded as %s, detected from the bytes",
            where,
            charset,
            problem,
            found,
        )
        return Decoded(str(best), found, declared, True)
    _log.warning(
        "%s: bytes are not %s (%s) and no charset was detected; undecodable bytes replaced",
        where,
        charset,
        problem,
    )
    return Decoded(content.decode(charset, errors="replace"), charset, declared, False)


def decode_page(content: bytes, content_type: str | None = None, *, where: str = "page") -> str:
    """The page's text (see :func:`decode`); ``where`` names the page in warnings."""
    return decode(content, content_type, where=where).text
