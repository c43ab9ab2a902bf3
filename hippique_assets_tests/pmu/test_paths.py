from datetime import date

import pytest

from hippique_assets.pmu.paths import (
    ApiPath,
    parse_api_path,
    participants_path,
    performances_path,
    programme_path,
    rapports_path,
    raw_file_path,
    reunion_path,
)

DAY = date(2026, 3, 23)


def test_builders_match_the_live_api_layout():
    assert programme_path(DAY) == "/programme/23032026"
    assert reunion_path(DAY, 2) == "/programme/23032026/R2"
    assert participants_path(DAY, 1, 4) == "/programme/23032026/R1/C4/participants"
    assert performances_path(DAY, 1, 4) == "/programme/23032026/R1/C4/performances-detaillees/pretty"
    assert rapports_path(DAY, 1, 4) == "/programme/23032026/R1/C4/rapports-definitifs"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/programme/23032026", ApiPath("programme", DAY)),
        ("/programme/23032026?specialisation=OFFLINE", ApiPath("programme", DAY)),
        ("/programme/23032026/R2", ApiPath("reunion", DAY, 2)),
        ("/programme/23032026/R1/C4/participants", ApiPath("participants", DAY, 1, 4)),
        ("/programme/23032026/R1/C4/performances-detaillees/pretty", ApiPath("performances", DAY, 1, 4)),
        ("/programme/23032026/R10/C12/rapports-definitifs", ApiPath("rapports", DAY, 10, 12)),
    ],
)
def test_parse_api_path(path, expected):
    assert parse_api_path(path) == expected


@pytest.mark.parametrize(
    "bad", ["/programme/23032026/", "/programme/2303202", "/programme/23032026/R1/C4", "/x"]
)
def test_unknown_paths_are_rejected(bad):
    with pytest.raises(ValueError, match="not a PMU turfinfo path"):
        parse_api_path(bad)


def test_raw_file_path_keeps_api_path_under_the_partition():
    assert (
        raw_file_path(performances_path(DAY, 1, 4), "2026-03-23")
        == "pmu/2026-03-23/programme/23032026/R1/C4/performances-detaillees/pretty.json"
    )
