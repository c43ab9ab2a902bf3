"""Pages are decoded by their declared charset (HTTP header, then meta), UTF-8 otherwise; no guessing."""

from __future__ import annotations

from pathlib import Path

from hippique_assets.web.charset import declared_charset, decode_page

WORD = "Entraîneur à Chantilly"
LATIN = f'<html><head><meta charset="iso-8859-1"></head><body>{WORD}</body></html>'.encode("latin-1")
UTF8 = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head>'
    f"<body>{WORD}</body></html>"
).encode()
BARE_LATIN = f"<html><body>{WORD}</body></html>".encode("latin-1")


def test_meta_charset_and_http_equiv_decide():
    assert declared_charset(LATIN) == "iso8859-1"
    assert declared_charset(UTF8) == "utf-8"
    assert WORD in decode_page(LATIN)
    assert WORD in decode_page(UTF8)


def test_http_header_wins_over_meta():
    assert declared_charset(UTF8, "text/html; charset=ISO-8859-1") == "iso8859-1"
    assert "EntraÃ®neur" in decode_page(UTF8, "text/html; charset=ISO-8859-1")
    assert WORD in decode_page(LATIN, 'text/html; charset="iso-8859-1"')


def test_header_without_charset_or_unknown_charset_falls_back_to_meta():
    assert declared_charset(LATIN, "text/html") == "iso8859-1"
    assert declared_charset(LATIN, "text/html; charset=no-such-charset") == "iso8859-1"


def test_no_declaration_means_utf8_never_a_guess():
    assert declared_charset(BARE_LATIN) is None
    # Latin-1 bytes without a declaration are not sniffed: they become U+FFFD.
    assert decode_page(BARE_LATIN) == "<html><body>Entra\ufffdneur \ufffd Chantilly</body></html>"


def test_meta_in_the_body_is_not_a_declaration():
    body_meta = b"<html><head></head><body><meta charset='iso-8859-1'>caf\xc3\xa9</body></html>"
    assert declared_charset(body_meta) is None
    assert decode_page(body_meta).endswith("café</body></html>")


def test_saved_pages_declare_utf8(html_samples: Path):
    for name in sorted(p.name for p in html_samples.glob("*.html")):
        content = (html_samples / name).read_bytes()
        assert declared_charset(content) == "utf-8", name
    zeturf = decode_page((html_samples / "zeturf_course_2026-01-18_R5C6.html").read_bytes())
    assert "Détail de la course" in zeturf
