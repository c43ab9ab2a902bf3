"""Replay sources: routing like the live API, recorded folders, generated days behind an LRU."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from hippique_assets.pmu.paths import participants_path, rapports_path, reunion_path
from hippique_replay.day_bodies import EndpointMethods
from hippique_replay.generator import generate_day
from hippique_replay.sources import (
    NO_CONTENT,
    FolderSource,
    GeneratedSource,
    SourceAnswer,
    SourceError,
    route,
)
from hippique_replay_tests.fake_day import ARRIVAL, FINAL_AFTER, RACE_DAY, START, FakeDay, fake_factory

R1C1 = "/programme/23032026/R1/C1"


def test_route_parses_supported_paths_and_answers_the_rest_like_the_live_api() -> None:
    parsed = route(f"{R1C1}/participants?specialisation=INTERNET")
    assert not isinstance(parsed, SourceAnswer)
    assert (parsed.endpoint, parsed.day, parsed.reunion, parsed.course) == ("participants", RACE_DAY, 1, 1)
    for slashed in ("/programme/23032026/", f"{R1C1}/participants/"):
        answer = route(slashed)
        assert isinstance(answer, SourceAnswer) and answer.status == 420
        assert slashed in json.loads(answer.body)["message"]
    for unknown in ("/programme/2303202/", "/", "/programme/23032026/R1/C1/arrivee", "/programme/99999999"):
        answer = route(unknown)
        assert isinstance(answer, SourceAnswer) and answer.status == 404, unknown


@pytest.fixture
def recorded(tmp_path: Path, pmu_samples: Path) -> Path:
    """A folder in the API layout whose files link to real captures (links, not copies)."""
    root = tmp_path / "recorded"
    links = {
        "programme/23032026.json": "programme_23032026.json",
        "programme/01012018/R3/C1/participants.json": "participants_01012018_R3C1.json",
        "programme/01012024/R1.json": "reunion_01012024_R1.json",
        "programme/07072026/R1/C1/rapports-definitifs.json": "trimmed_07072026_rapports_definitifs.json",
    }
    for relative, sample in links.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(pmu_samples / sample)
    return root


def test_folder_source_serves_recorded_files_byte_for_byte(recorded: Path, pmu_samples: Path) -> None:
    source = FolderSource(recorded)
    programme = source.respond("/programme/23032026", None)
    assert programme.status == 200 and programme.content_type == "application/json"
    assert programme.body == (pmu_samples / "programme_23032026.json").read_bytes()
    participants = source.respond("/programme/01012018/R3/C1/participants", None)
    assert [p["ordreArrivee"] for p in json.loads(participants.body)["participants"]] == [6, 4, 5, 2, 3, 1, 7]
    reunion = source.respond("/programme/01012024/R1", None)
    assert json.loads(reunion.body)["numOfficiel"] == 1
    rapports = source.respond("/programme/07072026/R1/C1/rapports-definitifs", None)
    assert isinstance(json.loads(rapports.body), list)


def test_folder_source_answers_missing_files_like_the_live_api(recorded: Path) -> None:
    source = FolderSource(recorded)
    assert source.respond("/programme/24032026", None) == NO_CONTENT
    assert source.respond("/programme/23032026/R9", None) == NO_CONTENT
    assert source.respond(f"{R1C1}/participants", None) == NO_CONTENT
    assert source.respond(f"{R1C1}/performances-detaillees/pretty", None) == NO_CONTENT
    assert source.respond(f"{R1C1}/rapports-definitifs", None).status == 404
    assert source.respond("/programme/23032026/", None).status == 420
    assert source.respond("/programme/23032026/R1/C1/arrivee", None).status == 404


def test_folder_source_file_layout_and_bad_roots(tmp_path: Path) -> None:
    source = FolderSource(tmp_path)
    assert source.file_for(f"{R1C1}/performances-detaillees/pretty?x=1") == (
        tmp_path / "programme/23032026/R1/C1/performances-detaillees/pretty.json"
    )
    with pytest.raises(ValueError, match="not a PMU turfinfo path"):
        source.file_for("/../etc/passwd")
    # A missing root is an empty recording.
    assert FolderSource(tmp_path / "nothing").respond("/programme/23032026", None) == NO_CONTENT
    a_file = tmp_path / "file.json"
    a_file.write_text("{}")
    with pytest.raises(NotADirectoryError, match=r"file\.json"):
        FolderSource(a_file)
    # A directory where a response file should be cannot be read: the error names it.
    (tmp_path / "programme" / "23032026.json").mkdir(parents=True)
    with pytest.raises(SourceError, match=r"23032026\.json"):
        source.respond("/programme/23032026", None)


def test_generated_source_dispatches_every_endpoint_and_maps_none() -> None:
    source = GeneratedSource(seed=5, generate=fake_factory)
    programme = json.loads(source.respond("/programme/23032026", None).body)
    assert programme["programme"]["reunions"][0]["seed"] == 5
    assert json.loads(source.respond("/programme/23032026/R1", None).body)["numOfficiel"] == 1
    assert source.respond("/programme/23032026/R2", None) == NO_CONTENT
    participants = json.loads(source.respond(f"{R1C1}/participants", None).body)["participants"]
    assert [p["ordreArrivee"] for p in participants] == [2, 3, 1]
    assert source.respond(f"{R1C1}/performances-detaillees/pretty", None).status == 200
    assert source.respond("/programme/23032026/R1/C2/participants", None) == NO_CONTENT
    assert source.respond("/programme/23032026/R1/C2/performances-detaillees/pretty", None) == NO_CONTENT
    assert source.respond("/programme/23032026/R1/C2/rapports-definitifs", None).status == 404
    assert source.respond("/programme/24032026", None) == NO_CONTENT
    assert source.respond("/programme/23032026/", None).status == 420


def test_generated_source_answers_depend_on_the_instant() -> None:
    source = GeneratedSource(generate=fake_factory)
    before = START - FINAL_AFTER
    assert all(
        "ordreArrivee" not in p
        for p in json.loads(source.respond(f"{R1C1}/participants", before).body)["participants"]
    )
    assert source.respond(f"{R1C1}/rapports-definitifs", before).status == 404
    after = START + FINAL_AFTER
    rapports = json.loads(source.respond(f"{R1C1}/rapports-definitifs", after).body)
    assert rapports[0]["rapports"][0]["combinaison"] == str(ARRIVAL[0])


def test_generated_source_keeps_a_bounded_lru_of_days() -> None:
    source = GeneratedSource(generate=fake_factory, cache_days=2)
    days = [date(2026, 3, d) for d in (1, 2, 1, 3, 1, 2)]
    for day in days:
        source.day(day)
    # 1, 2 generated; 1 hit (now most recent); 3 evicts 2; 1 hit; 2 generated again.
    assert source.generated_count == 4
    with pytest.raises(ValueError, match="cache_days"):
        GeneratedSource(cache_days=0)


def test_concurrent_first_requests_generate_a_day_once() -> None:
    release = threading.Event()
    calls: list[date] = []

    def slow_factory(day: date, seed: int) -> FakeDay:
        calls.append(day)
        release.wait(5)
        return FakeDay(day, seed)

    source = GeneratedSource(generate=slow_factory)
    answers: list[int] = []
    threads = [
        threading.Thread(target=lambda: answers.append(source.respond("/programme/23032026", None).status))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert answers == [200] * 6
    assert calls == [RACE_DAY]


def test_a_failing_generator_is_reported_with_day_and_seed() -> None:
    def broken(day: date, seed: int) -> FakeDay:
        raise RuntimeError("no horses")

    with pytest.raises(SourceError, match=r"2026-03-23 \(seed 4\) failed: no horses"):
        GeneratedSource(seed=4, generate=broken).respond("/programme/23032026", None)


def test_generated_source_serves_the_real_generator() -> None:
    source = GeneratedSource(seed=3)
    generated = generate_day(RACE_DAY, seed=3)
    races = [race for race in generated.races() if not race.cancelled]
    assert json.loads(source.respond("/programme/23032026", None).body) == generated.programme()
    first = races[0]
    served = source.respond(participants_path(RACE_DAY, first.reunion, first.course), None)
    assert json.loads(served.body) == generated.participants(first.reunion, first.course)
    after_last_reunion = max(race.reunion for race in races) + 1
    assert source.respond(reunion_path(RACE_DAY, after_last_reunion), None) == NO_CONTENT
    rapports = rapports_path(RACE_DAY, first.reunion, first.course)
    assert source.respond(rapports, first.start_utc).status == 404
    assert json.loads(source.respond(rapports, None).body) == generated.rapports(first.reunion, first.course)
    assert source.generated_count == 1


class _RunnersOnly(EndpointMethods):
    """A day that serves only participants (it has no method for the other endpoints)."""

    def __init__(self, day: date, seed: int) -> None:
        self.fake = FakeDay(day, seed)

    def participants(self, reunion: int, course: int, as_of: datetime | None = None) -> dict | None:
        return self.fake.participants(reunion, course, as_of)


def test_an_endpoint_a_day_does_not_serve_answers_no_data_as_its_record_says() -> None:
    source = GeneratedSource(generate=_RunnersOnly)
    assert json.loads(source.respond(f"{R1C1}/participants", None).body)["participants"]
    assert source.respond(f"{R1C1}/performances-detaillees/pretty", None) == NO_CONTENT
    assert source.respond("/programme/23032026", None) == NO_CONTENT
    not_final = source.respond(f"{R1C1}/rapports-definitifs", None)
    assert not_final.status == 404
    assert json.loads(not_final.body)["message"] == f"rapports not final: {R1C1}/rapports-definitifs"
