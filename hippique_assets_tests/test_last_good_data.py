"""Last good data wins: an answer that holds less than what is stored (a 204, a programme without one
of its races, participants without a runner, rapports without a bet type) never deletes stored rows
or plan entries; the shrink is named in ``pmu.ingest_gaps`` with its path, the day's check fails and
so does the run; a later answer that is whole again fills the day as before."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance

from hippique_assets.lib.runner import PartitionOutcome, run_job_partitions
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import query_frame
from hippique_replay.server import ReplayServer
from hippique_replay.sources import NO_CONTENT, GeneratedSource, SourceAnswer, json_answer
from hippique_replay.subset import RaceSubsetSource, closest_races

DAY = date(2026, 3, 23)
SEED = 11
RACES = 6
PROGRAMME = f"/programme/{DAY:%d%m%Y}"

pytestmark = pytest.mark.slow


class Damaging:
    """A source whose answer for one path can be replaced while the server runs."""

    def __init__(self, inner: RaceSubsetSource) -> None:
        self.inner = inner
        self.path: str | None = None
        self.damage: Callable[[SourceAnswer], SourceAnswer] | None = None

    def respond(self, api_path: str, now) -> SourceAnswer:
        answer = self.inner.respond(api_path, now)
        if self.damage is None or api_path.split("?")[0] != self.path:
            return answer
        return self.damage(answer)

    def set(self, path: str | None, damage: Callable[[SourceAnswer], SourceAnswer] | None) -> None:
        self.path, self.damage = path, damage


def no_content(answer: SourceAnswer) -> SourceAnswer:
    return NO_CONTENT


def edited(edit: Callable[[dict], None]) -> Callable[[SourceAnswer], SourceAnswer]:
    def damage(answer: SourceAnswer) -> SourceAnswer:
        payload = json.loads(answer.body)
        edit(payload)
        return json_answer(payload)

    return damage


@pytest.fixture(scope="module")
def source() -> Damaging:
    world = GeneratedSource(seed=SEED)
    programme = json.loads(world.respond(PROGRAMME, None).body)
    return Damaging(RaceSubsetSource(world, DAY, closest_races(programme, RACES)))


@pytest.fixture(scope="module")
def served(source: Damaging) -> Iterator[ReplayServer]:
    with ReplayServer(source) as server:
        yield server


@pytest.fixture
def run(
    fresh_pg_url: str, tmp_path: Path, served: ReplayServer, monkeypatch
) -> Callable[[str], PartitionOutcome]:
    monkeypatch.setenv("HIPPIQUE_PG_URL", fresh_pg_url)
    settings = Settings.replayed(tmp_path, served.base_url, retry_backoff_s=0.01, retry_attempts=2)

    def run_job(job: str) -> PartitionOutcome:
        with DagsterInstance.ephemeral() as instance:
            [outcome] = run_job_partitions(job, [DAY.isoformat()], settings, instance)
        return outcome

    return run_job


def _counts(url: str) -> dict[str, int]:
    return {
        table: int(query_frame(url, f"select count(*) as n from {table}")["n"].iloc[0])
        for table in ("pmu.reunions", "pmu.races", "racing.race_plan", "pmu.participants", "pmu.dividends")
    }


def _gaps(url: str) -> list[dict]:
    frame = query_frame(
        url, "select endpoint, kind, path, race_key, runner from pmu.ingest_gaps order by seq"
    )
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_a_204_on_a_plan_refresh_keeps_the_plan_and_fails_loudly(source, run, fresh_pg_url):
    assert run("plan_day").success
    before = _counts(fresh_pg_url)
    assert before["racing.race_plan"] == RACES
    source.set(PROGRAMME, no_content)
    try:
        refresh = run("refresh_plan")
    finally:
        source.set(None, None)
    assert not refresh.success
    assert PROGRAMME in refresh.error and "204" in refresh.error
    assert _counts(fresh_pg_url) == before
    assert _gaps(fresh_pg_url) == [
        {"endpoint": "programme", "kind": "stale", "path": PROGRAMME, "race_key": None, "runner": None}
    ]
    # The source recovers: the next refresh is clean and leaves no gap.
    assert run("refresh_plan").success
    assert _counts(fresh_pg_url) == before and _gaps(fresh_pg_url) == []


def test_a_programme_that_loses_a_race_keeps_it_in_the_tables_and_the_plan(source, run, fresh_pg_url):
    assert run("plan_day").success
    before = _counts(fresh_pg_url)
    plan_before = query_frame(
        fresh_pg_url, "select race_key, start_utc from racing.race_plan order by race_key"
    )

    def drop_last_race(payload: dict) -> None:
        reunion = payload["programme"]["reunions"][-1]
        dropped.append(f"{DAY}-R{reunion['numOfficiel']}C{reunion['courses'][-1]['numOrdre']}")
        reunion["courses"].pop()

    dropped: list[str] = []
    source.set(PROGRAMME, edited(drop_last_race))
    try:
        refresh = run("refresh_plan")
    finally:
        source.set(None, None)
    assert not refresh.success and dropped[0] in refresh.error
    assert _counts(fresh_pg_url) == before
    plan_after = query_frame(
        fresh_pg_url, "select race_key, start_utc from racing.race_plan order by race_key"
    )
    assert plan_after.equals(plan_before)
    assert _gaps(fresh_pg_url) == [
        {"endpoint": "programme", "kind": "shrank", "path": PROGRAMME, "race_key": dropped[0], "runner": None}
    ]


def test_participants_and_rapports_that_shrink_keep_the_stored_rows(source, served, run, fresh_pg_url):
    assert run("ingest_day").success
    before = _counts(fresh_pg_url)
    reunion, course = sorted(source.inner.kept)[0]
    key = f"{DAY}-R{reunion}C{course}"
    participants = f"{PROGRAMME}/R{reunion}/C{course}/participants"
    rapports = f"{PROGRAMME}/R{reunion}/C{course}/rapports-definitifs"

    source.set(participants, no_content)
    try:
        first = run("ingest_day")
    finally:
        source.set(None, None)
    assert not first.success and participants in first.error
    assert _counts(fresh_pg_url) == before
    assert _gaps(fresh_pg_url) == [
        {"endpoint": "participants", "kind": "stale", "path": participants, "race_key": key, "runner": None}
    ]

    dropped: list[str] = []

    def drop_a_bet(payload: list) -> None:
        dropped.append(payload.pop()["typePari"])

    source.set(rapports, edited(drop_a_bet))
    try:
        second = run("ingest_day")
    finally:
        source.set(None, None)
    assert not second.success
    assert _counts(fresh_pg_url) == before
    gaps = _gaps(fresh_pg_url)
    # One gap for the bet type, though both its bet row and its dividends were kept.
    assert [(g["endpoint"], g["kind"], g["path"], g["race_key"]) for g in gaps] == [
        ("rapports", "shrank", rapports, key)
    ], gaps
    assert run("ingest_day").success and _gaps(fresh_pg_url) == []
    assert dropped
