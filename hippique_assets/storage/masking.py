"""Passwords kept out of what is shown: masked URLs, redacted driver errors, refused strings.

Every message that may quote a connection string (a log line, a driver's error, an exception)
goes through :func:`mask_url` or :func:`redact`; :func:`check_url` refuses a string that libpq
would misread before any driver echoes pieces of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from urllib.parse import quote, unquote

import psycopg2
import psycopg2.extensions

from hippique_assets.errors import first_line

_SECRET_QUERY_KEYS = {"password", "sslpassword", "passfile"}

MASK = "***"

# libpq reads a URI only after its scheme; anything else is a keyword/value string.
_URI_RE = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.-]*://")
# A keyword's value: quoted (backslash escapes; an unclosed quote runs to the end) or up to a space.
_KEYWORD_SECRET_RE = re.compile(
    r"((?:ssl)?password|passfile)(\s*=\s*)('(?:[^'\\]|\\.?)*'?|(?:[^\s\\]|\\.?)+)",
    re.IGNORECASE | re.DOTALL,
)
# In a string libpq cannot parse, where the value ends is a guess: hide all that follows.
_KEYWORD_SECRET_TO_END_RE = re.compile(r"((?:ssl)?password|passfile)(\s*=\s*)(.+)", re.IGNORECASE | re.DOTALL)
# "user:secret@host" without a scheme libpq knows (a mistyped URL): from the first ':' to the last '@'.
_LOOSE_USERINFO_RE = re.compile(r"(?<=:)\S+(?=@)")
_QUERY_PARAM_RE = re.compile(r"[?&]([^?&=]*)=([^&]*)")
_QUOTED_RE = re.compile(r'"([^"]*)"')
# Where libpq may cut a password written unencoded, leaving pieces of it in other fields.
_PIECES_RE = re.compile(r"[@/:?#&=\s]+")


class ConnectionStringError(ConnectionError):
    """A Postgres URL or keyword/value string that libpq cannot read as it is written."""


def _hide(found: list[str]) -> Callable[[str], str]:
    def hide(secret: str) -> str:
        found.append(secret)
        return MASK

    return hide


def _uri_secret_spans(url: str) -> list[tuple[int, int]]:
    """Where a URI's secrets are: from the first ':' after ``//`` to the LAST '@' (a password may
    hold '#', '?', '/' or '@'; hiding too much is the safe side), and each secret parameter's value
    wherever a '?' or '&' starts one. Overlapping spans are merged."""
    start = url.index("://") + 3
    at = url.rfind("@")
    colon = url.find(":", start, at) if at >= start else -1
    spans = [(colon + 1, at)] if 0 <= colon < at - 1 else []
    for match in _QUERY_PARAM_RE.finditer(url, start):
        # libpq decodes the keys too: pass%77ord is a password.
        if match.group(2) and unquote(match.group(1)).strip().lower() in _SECRET_QUERY_KEYS:
            spans.append(match.span(2))
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


def _mask_uri(url: str, hide: Callable[[str], str]) -> str:
    parts, position = [], 0
    for begin, end in _uri_secret_spans(url):
        parts += [url[position:begin], hide(url[begin:end])]
        position = end
    return "".join([*parts, url[position:]])


def _mask(url: str, found: list[str]) -> str:
    hide = _hide(found)
    if _URI_RE.match(url):
        return _mask_uri(url, hide)
    keyword = _KEYWORD_SECRET_RE if _libpq_fields(url) is not None else _KEYWORD_SECRET_TO_END_RE
    masked = keyword.sub(lambda m: f"{m.group(1)}{m.group(2)}{hide(m.group(3))}", url)
    return _LOOSE_USERINFO_RE.sub(lambda m: hide(m.group()), masked)


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, safe to log or show.

    Handles ``postgresql://user:secret@host/db`` whatever the password holds (everything between the
    user's ``:`` and the last ``@`` is hidden), ``?password=secret`` query parameters (keys
    percent-encoded or not) and libpq keyword strings (``host=h password='a secret'``).
    """
    return _mask(url, [])


def _libpq_fields(url: str) -> dict[str, str] | None:
    """The connection string's fields as libpq reads them; None when it cannot."""
    try:
        return psycopg2.extensions.parse_dsn(url)
    except (psycopg2.Error, ValueError):  # ValueError: a NUL or a lone surrogate
        return None


def _libpq_passwords(url: str) -> list[str]:
    """The passwords as libpq reads them (it may cut a password written unencoded elsewhere)."""
    parsed = _libpq_fields(url) or {}
    return [parsed[key] for key in ("password", "sslpassword") if parsed.get(key)]


def _unquoted(value: str) -> str:
    """A keyword/value string's value as libpq reads it: outer quotes off, backslash escapes undone."""
    if value.startswith("'"):
        value = value[1:-1] if len(value) > 1 and value.endswith("'") else value[1:]
    return re.sub(r"\\(.)", r"\1", value, flags=re.DOTALL)


def url_secrets(url: str) -> set[str]:
    """Every form the passwords of ``url`` may take in a message: as written, percent-decoded,
    percent-encoded, unquoted and unescaped (keyword strings), and as libpq reads them."""
    written: list[str] = []
    _mask(url, written)
    forms: set[str] = set()
    for secret in [*written, *_libpq_passwords(url)]:
        for form in (secret, _unquoted(secret)):
            forms |= {form, unquote(form), *_percent_encoded(form), *_percent_encoded(unquote(form))}
    return {form for form in forms if form}


def _percent_encoded(text: str) -> set[str]:
    """``text`` percent-encoded; a string read from the environment keeps bytes that are not UTF-8
    as lone surrogates, encoded back to those bytes when possible."""
    forms = {quote(text, safe="", errors="surrogatepass")}
    with suppress(UnicodeEncodeError):
        forms.add(quote(text, safe="", errors="surrogateescape"))
    return forms


def redact(text: str, url: str) -> str:
    """``text`` (a driver's error message, say) with nothing of ``url``'s passwords: the URL itself
    masked, every form of a password, and every double-quoted token holding a piece of one (libpq
    quotes the host, port or database it read, which may be cut out of an unencoded password),
    replaced by ``***``."""
    secrets = url_secrets(url)
    if not secrets:
        return text
    text = text.replace(url, mask_url(url))
    pieces = {piece for secret in secrets for piece in _PIECES_RE.split(secret) if piece}

    def token(match: re.Match[str]) -> str:
        inner = match.group(1)
        holds = inner and (any(inner in s for s in secrets) or any(p in inner for p in pieces))
        return f'"{MASK}"' if holds else match.group()

    text = _QUOTED_RE.sub(token, text)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _bare_punctuation(match: re.Match[str]) -> str:
    return match.group() if re.fullmatch(r"[^\w\s]?", match.group(1)) else f'"{MASK}"'


def _misread_uri(url: str, parsed: dict[str, str]) -> bool:
    """Whether libpq cut an unencoded '@' or '/' of a URI's password (a host with '@' in it, not a
    socket folder, or a port that is not numbers), or the URI holds spaces, which newer libpq refuses."""
    if not _URI_RE.match(url):
        return False
    host, port = parsed.get("host", ""), parsed.get("port", "")
    misread = ("@" in host and not host.startswith("/")) or re.fullmatch(r"[\d,\s]*", port) is None
    # The ADBC driver's libpq quotes the text around an unencoded space in its refusal.
    return misread or re.search(r"\s", url.strip()) is not None


def check_url(url: str) -> None:
    """Refuse a connection string that libpq cannot read as written, before a driver echoes it.

    libpq quotes what it could not parse (a bad percent-encoding, a value with a space) and reads an
    unencoded '@' or '/' in a URI's password as the end of it, the rest landing in the host or the
    port: its messages would then carry pieces of the password.
    """
    try:
        parsed = psycopg2.extensions.parse_dsn(url)
    except (psycopg2.Error, ValueError) as exc:
        # What libpq quotes is a piece of the string it could not read: only lone punctuation is shown.
        reason = _QUOTED_RE.sub(_bare_punctuation, redact(first_line(exc), url))
        raise ConnectionStringError(
            f"Postgres connection string {mask_url(url)} is not valid: {reason}"
        ) from None
    if _misread_uri(url, parsed):
        raise ConnectionStringError(
            f"Postgres connection string {mask_url(url)} is not valid: its host or port holds text "
            "that is neither, or it holds spaces (percent-encode '@', '/' and spaces in a password)"
        )
