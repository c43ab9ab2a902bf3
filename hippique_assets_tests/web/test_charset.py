"""Pages are decoded by their declared charset (HTTP header, then meta), UTF-8 otherwise; no guessing."""

from __future__ import annotations

import re
from pathlib import Path

from hippique_assets.web.charset import declared_charset, decode, decode_page
from hippique_assets.web.geny import parse_geny_arrivee

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


def test_no_declaration_means_utf8_until_the_bytes_say_otherwise():
    assert declared_charset(BARE_LATIN) is None
    assert decode(UTF8).charset == "utf-8" and not decode(UTF8).detected
    # Latin-1 bytes without a declaration do not decode as UTF-8: they are read by detection.
    decoded = decode(BARE_LATIN)
    assert decoded.detected and decoded.text == f"<html><body>{WORD}</body></html>"


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


def test_bytes_that_contradict_the_declared_charset_are_decoded_by_detection(html_samples: Path, caplog):
    # A real saved Geny page, its accents restored and saved as ISO-8859-1 under its UTF-8 meta tag.
    page = (html_samples / "geny_arrivee_rapports_2024-09-02_craon.html").read_text(encoding="utf-8")
    # The saved page shows U+FFFD for accents and for the thousands separator of amounts.
    restored = re.sub(r"(?<=\d)\ufffd(?=\d)", "\u00a0", page).replace("\ufffd", "é")
    latin = restored.encode("latin-1")
    assert declared_charset(latin) == "utf-8"
    decoded = decode(latin)
    assert decoded.detected and decoded.declared == "utf-8" and decoded.charset != "utf-8"
    assert "\ufffd" not in decoded.text and "é" in decoded.text
    assert any("detected from the bytes" in r.getMessage() for r in caplog.records)
    # The parser reads it as it reads the same page saved in UTF-8.
    assert (
        parse_geny_arrivee(latin, "saved.html").dividends
        == parse_geny_arrivee(restored.encode("utf-8"), "saved.html").dividends
    )
