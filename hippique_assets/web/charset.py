"""Decoding a page by its declared charset: the HTTP header first, then the page's own meta tag."""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


def declared_charset(content: bytes, content_type: str | None = None) -> str | None:
    """The charset named by ``Content-Type`` or, failing that, by a ``<meta>`` in the first 4 KB."""
    for raw in (
        _HEADER.search(content_type or ""),
        _META.search(content[:4096]),
    ):
        if raw is None:
            continue
        name = raw.group(1)
        name = name.decode("ascii") if isinstance(name, bytes) else name
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return None


def decode_page(content: bytes, content_type: str | None = None) -> str:
    """The page's text, decoded by its declared charset (UTF-8 when none is declared).

    Bytes that do not fit the declared charset become U+FFFD rather than an error: some saved pages
    already hold such replacement characters.
    """
    return content.decode(declared_charset(content, content_type) or "utf-8", errors="replace")
