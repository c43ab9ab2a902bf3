"""The betting assets on stored rows: the workbook over one day and over a range of days run at once
(a backfill chunk), the ledger's per-day figures as numbers, and the season view."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from dagster import AssetKey, AssetRecordsFilter, DagsterInstance, MetadataValue, materialize
from dagster._core.definitions.metadata.metadata_value import (
    FloatMetadataValue,
    IntMetadataValue,
    MarkdownMetadataValue,
)
from openpyxl import load_workbook

from hippique_assets.betting.decision_rows import named_runners
from hippique_assets.betting.tables import DECISIONS, RUNNER_ANALYSIS, SETTLEMENTS, TICKETS
from hippique_assets.defs.betting.day_assets import betting_season, betting_workbook, ticket_ledger
from hippique_assets.defs.betting.race_assets import race_identity
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.racing.results import RACE_RESULTS
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.io_manager import PostgresPandasIOManager
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names

pytestmark = pytest.mark.postgres


def _workbook_metadata(postgres: PostgresResource, tmp_path, tags: dict[str, str], partition: str | None):
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [betting_workbook],
        instance=instance,
        partition_key=partition,
        tags=tags,
        resources={"postgres": postgres, "files": FilesResource(base_uri=str(tmp_path / "files"))},
    )
    assert result.success
    [materialization, *_] = result.asset_materializations_for_node("betting_workbook")
    return materialization.metadata


def test_one_day_links_its_files(fresh_pg_url, tmp_path):
    metadata = _workbook_metadata(PostgresResource(url=fresh_pg_url), tmp_path, {}, "2026-03-23")
    assert metadata["workbook"].value.endswith("artifacts/betting/2026-03-23/hippique-2026-03-23.xlsx")
    assert metadata["tickets"].value == 0
    assert (tmp_path / "files/artifacts/betting/2026-03-23/tickets.csv").exists()


def test_a_range_names_every_days_files(fresh_pg_url, tmp_path):
    tags = {
        "dagster/asset_partition_range_start": "2026-03-22",
        "dagster/asset_partition_range_end": "2026-03-24",
    }
    metadata = _workbook_metadata(PostgresResource(url=fresh_pg_url), tmp_path, tags, None)
    assert "workbook" not in metadata
    table = metadata["files"].value
    for day in ("2026-03-22", "2026-03-23", "2026-03-24"):
        assert f"| {day} | " in table
        assert f"artifacts/betting/{day}/hippique-{day}.xlsx" in table
        assert (tmp_path / f"files/artifacts/betting/{day}/tickets.json").exists()


# Two played days whose figures differ, and a third day with one abstention only.
DAYS = (date(2026, 3, 22), date(2026, 3, 23), date(2026, 3, 24))
AT = pd.Timestamp("2026-03-23T13:40Z")
RANGE_TAGS = {
    "dagster/asset_partition_range_start": DAYS[0].isoformat(),
    "dagster/asset_partition_range_end": DAYS[-1].isoformat(),
}
# day, course, abstention reason or (bet type, stake, return); runner 1 always wins.
RACES = (
    (DAYS[0], 1, ("SIMPLE_GAGNANT", 2.0, 7.0)),
    (DAYS[0], 2, "no bet reaches min EV (best EV 0.12)"),
    (DAYS[1], 1, ("SIMPLE_PLACE", 3.0, 0.0)),
    (DAYS[1], 2, ("SIMPLE_GAGNANT", 1.0, 0.0)),
    (DAYS[2], 1, "no edge over the market: 12 races"),
)


def _key(day: date, course: int) -> dict[str, object]:
    return {"race_date": day, "race_key": f"{day.isoformat()}-R1C{course}", "reunion": 1, "course": course}


def _store_played_days(postgres: PostgresResource) -> None:
    rows: dict[Any, list[dict[str, object]]] = {
        spec: [] for spec in (RACE_PLAN, DECISIONS, TICKETS, SETTLEMENTS, RUNNER_ANALYSIS, RACE_RESULTS)
    }
    for day, course, what in RACES:
        key = _key(day, course)
        bet = not isinstance(what, str)
        rows[RACE_PLAN].append(
            {
                **key,
                "hippodrome": "VINCENNES" if course == 1 else "PAU",
                "race_name": f"PRIX {course}",
                "discipline": "ATTELE" if course == 1 else "PLAT",
                "start_paris_time": "14:40",
                "start_utc": AT,
                "start_paris": pd.Timestamp("2026-03-23T14:40"),
                "h30_due_utc": AT,
                "h5_due_utc": AT,
                "result_due_utc": AT,
                "cancelled": False,
                "start_source": "pmu",
                "identity_source": "pmu",
                "planned_at": AT,
            }
        )
        rows[DECISIONS].append(
            {
                **key,
                "abstained": not bet,
                "reason": None if bet else what,
                "n_candidates": 1,
                "n_tickets": int(bet),
                "stake_eur": what[1] if bet else 0.0,
                "expected_return_eur": 0.0,
                "drift_available": True,
                "config_version": "v1",
                "decided_at": AT,
                "h5_captured_at": AT,
                "h30_captured_at": AT,
            }
        )
        for number, p, odds in ((1, 0.6, 1.8), (2, 0.4, 2.6)):
            rows[RUNNER_ANALYSIS].append(
                {
                    **key,
                    "number": number,
                    "odds_h5": odds,
                    "p_market": p,
                    "p_finale": p,
                    "drift_available": True,
                    "method": "factors",
                    "config_version": "v1",
                    "analysed_at": AT,
                    "horse_name": f"HORSE {number}",
                }
            )
        rows[RACE_RESULTS].append(
            {
                **key,
                "arrival_order": [1, 2],
                "arrival_ranks": [1, 2],
                "non_runners": [],
                "official": True,
                "source": "pmu",
                "resulted_at": AT,
            }
        )
        if bet:
            bet_type, stake, returned = what
            ticket = {**key, "bet_type": bet_type, "combination": "1", "stake_eur": stake}
            rows[TICKETS].append(
                {
                    **ticket,
                    "numbers": [1],
                    "probability": 0.6,
                    "payout_estimate": 2.0,
                    "ev": 0.2,
                    "config_version": "v1",
                    "decided_at": AT,
                    "horse_names": "1 HORSE 1",
                }
            )
            rows[SETTLEMENTS].append(
                {
                    **ticket,
                    "outcome": "won" if returned else "lost",
                    "return_eur": returned,
                    "profit_eur": returned - stake,
                    "official": True,
                    "settled_at": AT,
                }
            )
    for spec, frame in rows.items():
        postgres.write_frame(spec, pd.DataFrame(frame).reindex(columns=column_names(spec)))


def _resources(postgres: PostgresResource, tmp_path: Path) -> dict[str, object]:
    return {
        "postgres": postgres,
        "pg_io_manager": PostgresPandasIOManager(postgres=postgres),
        "files": FilesResource(base_uri=str(tmp_path / "files")),
        "clock": ClockResource(),
    }


def _stored(instance: DagsterInstance, asset: str, day: date | None = None) -> dict[str, MetadataValue]:
    partitions = [day.isoformat()] if day is not None else None
    [record] = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey(asset), asset_partitions=partitions), limit=1
    ).records
    materialization = record.asset_materialization
    assert materialization is not None
    return dict(materialization.metadata)


def test_the_ledger_charts_each_days_own_figures_as_numbers(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    _store_played_days(postgres)
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [ticket_ledger], instance=instance, tags=RANGE_TAGS, resources=_resources(postgres, tmp_path)
    )
    assert result.success
    first, second, third = (_stored(instance, "ticket_ledger", day) for day in DAYS)
    # Typed numbers: the Plots tab charts ints and floats over the partitions, never markdown.
    assert isinstance(first["roi"], FloatMetadataValue) and isinstance(first["tickets"], IntMetadataValue)
    values = [{k: v.value for k, v in m.items()} for m in (first, second, third)]
    assert [v["stake_eur"] for v in values] == [2.0, 4.0, 0.0]
    assert [v["return_eur"] for v in values] == [7.0, 0.0, 0.0]
    assert [v["profit_eur"] for v in values] == [5.0, -4.0, 0.0]
    assert [v["tickets"] for v in values] == [1, 2, 0]
    assert values[0]["roi"] == 2.5 and values[1]["roi"] == -1.0 and "roi" not in values[2]
    assert values[0]["abstained_no_bet_reaches_min_ev"] == 1
    assert values[2]["abstained_no_edge_over_the_market"] == 1
    # Runner 1 (p 0.6) wins every race: Brier 2 * 0.4^2, log-loss -ln 0.6, the market's alike.
    assert values[1]["brier"] == pytest.approx(0.32) and values[1]["market_log_loss"] == pytest.approx(
        0.5108, abs=1e-4
    )
    for metadata in (first, third):
        for image in ("cumulative_roi", "calibration"):
            assert isinstance(metadata[image], MarkdownMetadataValue)
            assert metadata[image].value.startswith("![")


def test_the_season_view_over_the_played_days(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    _store_played_days(postgres)
    instance = DagsterInstance.ephemeral()
    resources = _resources(postgres, tmp_path)
    assert materialize([ticket_ledger], instance=instance, tags=RANGE_TAGS, resources=resources).success
    config = {"ops": {"betting_season": {"config": {"last_days": 7}}}}
    result = materialize([betting_season], instance=instance, resources=resources, run_config=config)
    assert result.success
    metadata = _stored(instance, "betting_season")
    values = {k: v.value for k, v in metadata.items()}
    # The range ends on the ledger's last settled day.
    assert values["range"] == "2026-03-18 .. 2026-03-24"
    assert (values["races"], values["races_bet"], values["tickets"]) == (5, 3, 3)
    assert (values["stake_eur"], values["return_eur"], values["profit_eur"]) == (6.0, 7.0, 1.0)
    assert values["max_drawdown_eur"] == 4.0 and values["roi_simple_place"] == -1.0
    assert isinstance(metadata["roi"], FloatMetadataValue) and isinstance(metadata["races"], IntMetadataValue)
    for image in ("cumulative_profit", "roi_by_bet_type", "roi_by_discipline", "calibration_by_odds_band"):
        assert values[image].startswith("![")
    assert "| VINCENNES " in values["table_by_hippodrome"] and "| PLAT " in values["table_by_discipline"]
    report = Path(values["report"])
    assert report.name == "season-2026-03-18-2026-03-24.md" and report.read_text().startswith("# Season")


def test_a_season_without_settled_tickets_says_so_and_succeeds(fresh_pg_url, tmp_path):
    instance = DagsterInstance.ephemeral()
    config = {"ops": {"betting_season": {"config": {"start": "2026-01-01", "end": "2026-01-31"}}}}
    postgres = PostgresResource(url=fresh_pg_url)
    result = materialize(
        [betting_season], instance=instance, resources=_resources(postgres, tmp_path), run_config=config
    )
    assert result.success
    values = {k: v.value for k, v in _stored(instance, "betting_season").items()}
    assert values["empty"] == "no settled race in 2026-01-01 .. 2026-01-31: no settled tickets in the range"
    assert values["tickets"] == 0 and values["profit_eur"] == 0.0 and "roi" not in values
    assert values["summary"] == f"**{values['empty']}**"
    refused = materialize(
        [betting_season],
        instance=instance,
        resources=_resources(postgres, tmp_path),
        run_config={"ops": {"betting_season": {"config": {"start": "2026-02-01", "end": "2026-01-31"}}}},
        raise_on_error=False,
    )
    assert not refused.success


def test_the_workbook_of_a_played_day_has_its_charts(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    _store_played_days(postgres)
    resources = _resources(postgres, tmp_path)
    assert materialize(
        [ticket_ledger], instance=DagsterInstance.ephemeral(), tags=RANGE_TAGS, resources=resources
    ).success
    metadata = _workbook_metadata(postgres, tmp_path, {}, DAYS[1].isoformat())
    book = load_workbook(metadata["workbook"].value)
    line, bars = book["Graphiques"]._charts
    assert line.series[0].val.numRef.f == "'Graphiques'!$C$2:$C$3"
    assert bars.series[0].val.numRef.f == "'Graphiques'!$I$2:$I$3"
    assert book["ROI prévisionnel"]["H2"].value == "1 HORSE 1"


def test_a_race_reads_by_its_venue_name_time_and_horse_names(fresh_pg_url):
    postgres = PostgresResource(url=fresh_pg_url)
    _store_played_days(postgres)
    identity = race_identity(postgres, "2026-03-23-R1C2")
    assert identity == {
        "hippodrome": "PAU",
        "race_name": "PRIX 2",
        "discipline": "PLAT",
        "start_paris": "14:40",
        "race": "R1C2 · 14:40 · PAU · PRIX 2 · PLAT",
    }
    assert race_identity(postgres, "2026-03-23-R9C9") == {}
    assert named_runners([3, 7], {3: "JAZZY"}) == "3 JAZZY, 7"


def test_a_day_with_a_race_whose_result_never_came_still_has_its_ledger(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    _store_played_days(postgres)
    # One analysed race of the first day never got its result (its rapports were refused).
    postgres.execute(
        f"delete from {RACE_RESULTS.fullname} where race_key = "
        f"(select min(race_key) from {RACE_RESULTS.fullname} where race_date = %s)",
        (DAYS[0],),
    )
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [ticket_ledger], instance=instance, tags=RANGE_TAGS, resources=_resources(postgres, tmp_path)
    )
    assert result.success
    assert _stored(instance, "ticket_ledger", DAYS[0])["calibration"].value.startswith("![")


def test_final_odds_come_from_the_latest_runners_answer_kept_with_the_result(tmp_path):
    from hippique_assets.defs.betting.race_assets import final_odds

    files = FilesResource(base_uri=str(tmp_path / "files"))
    key = "2024-01-01-R1C1"
    assert final_odds(files, key) == {}  # no result kept: no CLV, never an invented price
    sample = Path("/work/shared/pmu-samples/pmu/participants_01012024_R1C1.json").read_bytes()
    store = files.store()
    early = json.loads(sample)
    for runner in early["participants"]:
        if runner.get("dernierRapportDirect"):
            runner["dernierRapportDirect"]["rapport"] = 99.0
    store.write_bytes(f"pmu/live/{key}/result/participants-20240101T120000Z.json", json.dumps(early).encode())
    store.write_bytes(f"pmu/live/{key}/result/participants-20240101T130000Z.json", sample)
    odds = final_odds(files, key)
    # The real answer's dernierRapportDirect: 12 at 2.3 (the favourite), 2 at 96; 3 did not run.
    assert odds[12] == 2.3 and odds[2] == 96.0 and 3 not in odds


def test_a_runner_that_cannot_be_read_costs_only_its_own_final_odds(tmp_path):
    from hippique_assets.defs.betting.race_assets import final_odds

    files = FilesResource(base_uri=str(tmp_path / "files"))
    key = "2024-01-01-R1C1"
    answer = json.loads(Path("/work/shared/pmu-samples/pmu/participants_01012024_R1C1.json").read_bytes())
    damaged = next(r for r in answer["participants"] if r["numPmu"] == 2)
    damaged["dernierRapportDirect"]["dateRapport"] = float("nan")
    files.store().write_bytes(
        f"pmu/live/{key}/result/participants-20240101T130000Z.json", json.dumps(answer).encode()
    )
    odds = final_odds(files, key)
    assert 2 not in odds and odds[12] == 2.3
