"""Decoding a page by its declared charset: the HTTP header first, then the page's own meta tag.

Nothing is guessed from the bytes: an undeclared page is read as UTF-8.
"""

from __future__ import annotations

import codecs
import re

# <meta charset="..."> and <meta http-equiv="Content-Type" content="text/html; charset=...">.
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
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


def decode_page(content: bytes, content_type: str | None = None) -> str:
    """The page's text, decoded by its declared charset (UTF-8 when none is declared).

    Bytes that do not fit the declared charset become U+FFFD rather than an error: saved pages
    already hold such replacement characters, and a parser must still see the rest of the page.
    """
    return content.decode(declared_charset(content, content_type) or "utf-8", errors="replace")
