"""Truncated or mutated pages either parse or raise WebParseError, never another exception, and a
page that parses never yields an empty race."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hippique_assets.web.errors import WebParseError
from hippique_assets.web.geny import parse_geny_arrivee, parse_geny_partants
from hippique_assets.web.models import GenyArrivee
from hippique_assets.web.zeturf import parse_zeturf_course

PARSERS: dict[str, Callable[[bytes, str], object]] = {
    "zeturf_course_2026-01-18_R5C6.html": parse_zeturf_course,
    "geny_partants_2024-08-26_vincennes_c1514560.html": parse_geny_partants,
    "geny_arrivee_rapports_2024-09-02_craon.html": parse_geny_arrivee,
}
FUZZ = settings(max_examples=50, deadline=None)
NAMES = st.sampled_from(sorted(PARSERS))


@pytest.fixture(scope="module")
def pages(html_samples: Path) -> dict[str, bytes]:
    return {name: (html_samples / name).read_bytes() for name in PARSERS}


def _parse_or_typed_error(name: str, page: bytes) -> None:
    try:
        parsed = PARSERS[name](page, name)
    except WebParseError as exc:
        assert exc.page == name and name in str(exc)
        return
    if isinstance(parsed, GenyArrivee):
        assert parsed.arrival and parsed.dividends
    else:
        assert parsed.runners  # type: ignore[attr-defined]


@FUZZ
@given(name=NAMES, cut=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_pages(pages: dict[str, bytes], name: str, cut: float):
    page = pages[name]
    _parse_or_typed_error(name, page[: int(len(page) * cut)])


@FUZZ
@given(name=NAMES, data=st.data())
def test_mutated_pages(pages: dict[str, bytes], name: str, data: st.DataObject):
    page = bytearray(pages[name])
    for _ in range(data.draw(st.integers(min_value=1, max_value=30), label="mutations")):
        position = data.draw(st.integers(min_value=0, max_value=len(page) - 1), label="position")
        action = data.draw(st.sampled_from(["flip", "delete_tag", "digit"]), label="action")
        if action == "flip":
            page[position] = data.draw(st.integers(min_value=0, max_value=255), label="byte")
        elif action == "digit":
            page[position] = ord(data.draw(st.sampled_from("0123456789-,.x<>\"'"), label="char"))
        else:
            end = page.find(b">", position)
            if end != -1:
                del page[position : end + 1]
    _parse_or_typed_error(name, bytes(page))


def test_tiny_and_empty_inputs_are_typed_errors():
    for name, parser in PARSERS.items():
        for junk in (b"", b"<html></html>", b"\xff\xfe\x00garbage", b"{}"):
            with pytest.raises(WebParseError) as error:
                parser(junk, name)
            assert error.value.page == name
