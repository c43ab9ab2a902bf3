"""Pages are decoded by their declared charset, header first."""

from __future__ import annotations

from hippique_assets.web.charset import declared_charset, decode_page

LATIN = '<html><head><meta charset="iso-8859-1"></head><body>Entraîneur</body></html>'.encode("latin-1")
UTF8 = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>Entraîneur</body></html>'.encode()


def test_meta_charset_decides():
    assert declared_charset(LATIN) == "iso8859-1"
    assert "Entraîneur" in decode_page(LATIN)
    assert "Entraîneur" in decode_page(UTF8)


def test_http_header_wins_over_meta():
    assert declared_charset(UTF8, "text/html; charset=ISO-8859-1") == "iso8859-1"
    assert "EntraÃ®neur" in decode_page(UTF8, "text/html; charset=ISO-8859-1")


def test_no_declaration_means_utf8_and_bad_bytes_do_not_raise():
    assert declared_charset(b"<html>plain</html>") is None
    assert decode_page(b"caf\xe9") == "caf\ufffd"
