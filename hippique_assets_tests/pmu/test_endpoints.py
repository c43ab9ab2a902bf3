"""The endpoint records drive the paths, the client's expectations and limits, and the gaps."""

from __future__ import annotations

from datetime import date

import pytest

from hippique_assets.net.polite import RetryPolicy
from hippique_assets.pmu import gaps
from hippique_assets.pmu.client import (
    DEFAULT_MAX_BODY_MB,
    PmuClient,
    PmuHttpError,
    PmuMalformedResponse,
    parse_max_body_mb,
)
from hippique_assets.pmu.endpoints import BY_NAME, ENDPOINTS, INGESTED, endpoint
from hippique_assets.pmu.paths import ApiPath, api_path, parse_api_path
from hippique_assets_tests.net.scripted_server import ScriptedServer, SleepRecorder, json_reply

DAY = date(2026, 3, 23)
PLACES = {"day": (None, None), "reunion": (3, None), "race": (3, 7)}


def client_of(server: ScriptedServer, sleeps: SleepRecorder) -> PmuClient:
    retry = RetryPolicy(max_attempts=2, backoff_initial_s=1.0, backoff_max_s=1.0, jitter_s=0.0)
    return PmuClient(server.url + "/api", rate_limit_per_s=0, retry=retry, timeout_s=2.0, sleep=sleeps)


@pytest.mark.parametrize("record", ENDPOINTS, ids=lambda e: e.name)
def test_every_path_parses_back_to_its_endpoint(record) -> None:
    reunion, course = PLACES[record.scope]
    path = record.path(DAY, reunion, course)
    assert parse_api_path(path) == ApiPath(record.name, DAY, reunion, course)
    assert api_path(record.name, DAY, reunion, course) == path
    assert parse_api_path(path).record is record
    with pytest.raises(ValueError, match="not a PMU turfinfo path"):
        parse_api_path(path + "/")


def test_a_path_needs_the_places_of_its_scope() -> None:
    with pytest.raises(ValueError, match="participants needs a course"):
        endpoint("participants").path(DAY, 1)
    with pytest.raises(ValueError, match="reunion needs a reunion"):
        endpoint("reunion").path(DAY)
    with pytest.raises(KeyError, match="no PMU endpoint 'cotes'"):
        endpoint("cotes")


def test_records_are_unique_by_name_and_by_path() -> None:
    assert len(BY_NAME) == len(ENDPOINTS)
    assert len({(e.scope, e.tail) for e in ENDPOINTS}) == len(ENDPOINTS)
    tables = [spec.table.fullname for e in ENDPOINTS for spec in e.tables]
    assert len(set(tables)) == len(tables)


def test_body_limits_and_their_overrides_follow_the_records() -> None:
    assert {name: mb for name, mb in DEFAULT_MAX_BODY_MB.items() if name != "default"} == {
        e.name: e.max_body_mb for e in ENDPOINTS
    }
    every = parse_max_body_mb("5")
    assert set(every) == {*BY_NAME, "default"}
    with pytest.raises(ValueError, match="unknown endpoint"):
        parse_max_body_mb("cotes=5")


def test_the_gaps_cover_the_ingested_endpoints() -> None:
    assert tuple(e.name for e in INGESTED) == gaps.ENDPOINTS
    assert tuple(e.name for e in INGESTED if e.scope == "race") == gaps.RACE_ENDPOINTS
    frame = gaps.day_gaps(
        DAY, ["2026-03-23-R1C1", "2026-03-23-R1C2", "2026-03-23-R2C1"], [], dict.fromkeys(gaps.ENDPOINTS)
    )
    by_endpoint = frame.groupby("endpoint").size().to_dict()
    # The races are R1C1, R1C2 and R2C1: one programme, two reunions, three races.
    assert by_endpoint == {e.name: {"day": 1, "reunion": 2, "race": 3}[e.scope] for e in INGESTED}
    assert set(frame["kind"]) == {"not_requested"}


def test_get_takes_the_type_and_the_meaning_of_404_from_the_record(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    rapports = endpoint("rapports").path(DAY, 1, 1)
    participants = endpoint("participants").path(DAY, 1, 1)
    server.script("/api" + rapports, [404, json_reply({"not": "a list"})])
    server.script("/api" + participants, [404])
    with client_of(server, sleeps) as client:
        assert client.get(rapports).not_final
        with pytest.raises(PmuMalformedResponse, match="expected a JSON array"):
            client.get(rapports)
        with pytest.raises(PmuHttpError):
            client.get(participants)


def test_fetch_and_fetch_many_follow_the_record(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    bets = [{"typePari": "SIMPLE_GAGNANT", "rapports": []}]
    paths = [endpoint("rapports").path(DAY, 1, c) for c in (1, 2)]
    server.script("/api" + paths[0], [404])
    server.script("/api" + paths[1], [json_reply(bets)])
    server.script("/api" + endpoint("reunion").path(DAY, 2), [json_reply({"numOfficiel": 2})])
    with client_of(server, sleeps) as client:
        results = client.fetch_many(paths)
        reunion = client.fetch("reunion", DAY, 2)
    assert [(r.status, r.not_final, r.payload) for r in results] == [(404, True, None), (200, False, bets)]
    assert (reunion.path, reunion.payload) == ("/programme/23032026/R2", {"numOfficiel": 2})


def test_every_table_of_the_day_names_the_unit_that_last_good_data_keeps():
    from hippique_assets.pmu import last_good

    for record in INGESTED:
        for spec in record.tables:
            if spec.day_column is None:
                assert last_good.UNITS[spec.table.fullname] == spec.unit
                assert spec.unit[0] == "race_date" and set(spec.unit) <= set(spec.table.c.keys())
            else:
                assert spec.table.fullname not in last_good.UNITS


def test_a_table_of_the_day_without_a_unit_or_with_a_wrong_one_is_refused():
    from hippique_assets.pmu.endpoints import TableSpec
    from hippique_assets.pmu.schema.rapports import BETS

    with pytest.raises(ValueError, match="needs its unit"):
        TableSpec(BETS, "bets")
    with pytest.raises(ValueError, match=r"\['runner'\] are not in the table"):
        TableSpec(BETS, "bets", unit=("race_date", "runner"))
