"""Truncated or mutated pages either parse or raise WebParseError, never anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hippique_assets.web.errors import WebParseError
from hippique_assets.web.geny import parse_geny_arrivee, parse_geny_partants
from hippique_assets.web.zeturf import parse_zeturf_course

PARSERS = {
    "zeturf_course_2026-01-18_R5C6.html": parse_zeturf_course,
    "geny_partants_2024-08-26_vincennes_c1514560.html": parse_geny_partants,
    "geny_arrivee_rapports_2024-09-02_craon.html": parse_geny_arrivee,
}
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _parse_or_typed_error(name: str, page: bytes) -> None:
    try:
        PARSERS[name](page, name)
    except WebParseError as exc:
        assert exc.page == name


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(cut=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_pages(html_samples: Path, name: str, cut: float):
    page = (html_samples / name).read_bytes()
    _parse_or_typed_error(name, page[: int(len(page) * cut)])


@pytest.mark.parametrize("name", sorted(PARSERS))
@FUZZ
@given(data=st.data())
def test_mutated_pages(html_samples: Path, name: str, data: st.DataObject):
    page = bytearray((html_samples / name).read_bytes())
    for _ in range(data.draw(st.integers(min_value=1, max_value=20))):
        position = data.draw(st.integers(min_value=0, max_value=len(page) - 1))
        action = data.draw(st.sampled_from(["flip", "delete_tag", "digit"]))
        if action == "flip":
            page[position] = data.draw(st.integers(min_value=0, max_value=255))
        elif action == "digit":
            page[position] = ord(data.draw(st.sampled_from("0123456789-,x")))
        else:
            end = page.find(b">", position)
            if end != -1:
                del page[position : end + 1]
    _parse_or_typed_error(name, bytes(page))
