"""The replay server over real HTTP on 127.0.0.1: statuses, the clock, faults, control endpoints."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hippique_assets.net.backoff import RetryPolicy
from hippique_assets.pmu.client import PmuClient
from hippique_assets.pmu.paths import participants_path, rapports_path
from hippique_assets.racing.clock import FixedClock
from hippique_replay.fault_spec import parse_fault_spec
from hippique_replay.faults import Burst, FaultPlan
from hippique_replay.generator import generate_day
from hippique_replay.server import ReplayBindError, ReplayServer
from hippique_replay.sources import FolderSource, GeneratedSource, SourceAnswer
from hippique_replay_tests.fake_day import ARRIVAL, ARRIVAL_AFTER, FINAL_AFTER, START, fake_factory

R1C1 = "/programme/23032026/R1/C1"


@pytest.fixture
def fake_source() -> GeneratedSource:
    return GeneratedSource(seed=1, generate=fake_factory)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    # No test here is about the client's patience: a first request generates the whole day, which
    # takes seconds on a machine busy with the rest of the suite.
    with httpx.Client(timeout=30.0) as http:
        yield http


def test_serves_under_the_prefix_with_the_live_statuses(
    fake_source: GeneratedSource, client: httpx.Client
) -> None:
    with ReplayServer(fake_source) as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}/rest/client/61"
        programme = client.get(f"{server.base_url}/programme/23032026")
        assert programme.status_code == 200
        assert programme.headers["content-type"] == "application/json"
        assert programme.json()["programme"]["reunions"][0]["courses"][0]["numOrdre"] == 1

        empty = client.get(f"{server.base_url}/programme/23032026/R1/C2/participants")
        assert (empty.status_code, empty.content, "content-type" in empty.headers) == (204, b"", False)
        assert client.get(f"{server.base_url}/programme/24032026").status_code == 204
        assert (
            client.get(f"{server.base_url}/programme/23032026/R1/C2/rapports-definitifs").status_code == 404
        )
        assert client.get(f"{server.base_url}/programme/23032026/").status_code == 420
        assert client.get(f"{server.base_url}/programme/23032026/R1/C1/arrivee").status_code == 404
        assert client.get(f"{server.root_url}/programme/23032026").status_code == 404  # outside the prefix
        query = client.get(f"{server.base_url}{R1C1}/participants?specialisation=INTERNET")
        assert [p["numPmu"] for p in query.json()["participants"]] == [1, 2, 3]
        head = client.head(f"{server.base_url}/programme/23032026")
        assert (head.status_code, head.content) == (200, b"")
        assert int(head.headers["content-length"]) == len(programme.content)

        log = server.request_log
        assert [(r.path, r.status) for r in log[:3]] == [
            ("/programme/23032026", 200),
            ("/programme/23032026/R1/C2/participants", 204),
            ("/programme/24032026", 204),
        ]
        assert (log[6].path, log[6].status) == ("/programme/23032026", 404)  # raw path: outside the prefix
        assert log[7].path == f"{R1C1}/participants?specialisation=INTERNET"
        stats = server.stats
        assert stats.requests == 9
        assert stats.statuses == {200: 3, 204: 2, 404: 3, 420: 1}
        assert stats.bytes_sent == sum(r.size for r in log) > len(programme.content)


def test_recorded_folder_over_http(tmp_path: Path, pmu_samples: Path, client: httpx.Client) -> None:
    (tmp_path / "programme").mkdir()
    (tmp_path / "programme" / "23032026.json").symlink_to(pmu_samples / "programme_23032026.json")
    with ReplayServer(FolderSource(tmp_path), prefix="") as server:
        assert server.base_url == server.root_url
        answer = client.get(f"{server.base_url}/programme/23032026")
        assert answer.content == (pmu_samples / "programme_23032026.json").read_bytes()
        assert client.get(f"{server.base_url}{R1C1}/participants").status_code == 204
        assert client.get(f"{server.base_url}{R1C1}/rapports-definitifs").status_code == 404


def test_answers_follow_the_server_clock(fake_source: GeneratedSource, client: httpx.Client) -> None:
    clock = FixedClock(START - timedelta(minutes=30))
    with ReplayServer(fake_source, clock=clock) as server:
        participants = f"{server.base_url}{R1C1}/participants"
        rapports = f"{server.base_url}{R1C1}/rapports-definitifs"
        assert all("ordreArrivee" not in p for p in client.get(participants).json()["participants"])
        assert client.get(rapports).status_code == 404
        assert client.get(f"{server.root_url}/_replay/clock").json()["now"] == clock.instant.isoformat()

        clock.instant = START + ARRIVAL_AFTER
        ranks = {p["numPmu"]: p["ordreArrivee"] for p in client.get(participants).json()["participants"]}
        assert sorted(ranks, key=ranks.__getitem__) == ARRIVAL
        assert client.get(rapports).status_code == 404  # arrived but not final yet

        clock.instant = START + FINAL_AFTER
        final = client.get(rapports)
        assert final.status_code == 200 and final.json()[0]["rapports"][0]["combinaison"] == str(ARRIVAL[0])
        assert [r.sim_now for r in server.request_log] == [START - timedelta(minutes=30)] * 2 + [
            START + ARRIVAL_AFTER
        ] * 2 + [START + FINAL_AFTER]


def test_control_endpoints_are_not_logged_nor_faulted(
    fake_source: GeneratedSource, client: httpx.Client
) -> None:
    with ReplayServer(fake_source, faults=FaultPlan(server_error=1.0)) as server:
        clock = client.get(f"{server.root_url}/_replay/clock").json()
        assert clock == {"now": None, "epoch_ms": None, "final": True, "clock": "None"}
        health = client.get(f"{server.root_url}/_replay/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert server.request_log == []
        assert client.get(f"{server.base_url}/programme/23032026").status_code in (500, 502, 503)
    at = datetime.fromisoformat("2026-03-23T13:30:00+01:00")
    with ReplayServer(fake_source, clock=FixedClock(at)) as server:
        clock = client.get(f"{server.root_url}/_replay/clock").json()
        assert (clock["now"], clock["epoch_ms"], clock["final"]) == (
            "2026-03-23T12:30:00+00:00",
            int(at.timestamp() * 1000),
            False,
        )


def _statuses(server: ReplayServer, client: httpx.Client, paths: list[str]) -> list[int]:
    return [client.get(server.base_url + path).status_code for path in paths]


def test_same_seed_same_statuses_for_the_same_request_sequence(
    fake_source: GeneratedSource, client: httpx.Client
) -> None:
    paths = [f"{R1C1}/participants", "/programme/23032026", f"{R1C1}/performances-detaillees/pretty"] * 15
    plan = parse_fault_spec("5xx=0.25,420=0.1,429=0.1:0,seed=7")
    runs = []
    for _ in range(2):
        with ReplayServer(fake_source, faults=plan) as server:
            runs.append(_statuses(server, client, paths))
            assert [r.fault is not None for r in server.request_log] == [s != 200 for s in runs[-1]]
    assert runs[0] == runs[1]
    assert set(runs[0]) >= {200, 420, 429} and set(runs[0]) & {500, 502, 503}
    with ReplayServer(fake_source, faults=parse_fault_spec("5xx=0.25,420=0.1,429=0.1:0,seed=8")) as server:
        assert _statuses(server, client, paths) != runs[0]


def test_status_faults_headers_and_path_restriction(
    fake_source: GeneratedSource, client: httpx.Client
) -> None:
    plan = FaultPlan(
        retry_after_s=2, bursts=(Burst("429", 0, 1), Burst("503", 1, 1)), path_pattern="participants$"
    )
    with ReplayServer(fake_source, faults=plan) as server:
        url = f"{server.base_url}{R1C1}/participants"
        throttled = client.get(url)
        assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "2")
        unavailable = client.get(url)
        assert unavailable.status_code == 503 and "retry-after" not in unavailable.headers
        assert client.get(url).status_code == 200
        assert client.get(f"{server.base_url}/programme/23032026").status_code == 200
        assert server.stats.faults == {"429": 1, "503": 1}


def test_truncated_and_invalid_bodies_fail_to_decode(
    fake_source: GeneratedSource, client: httpx.Client
) -> None:
    plan = FaultPlan(bursts=(Burst("truncated", 0, 1), Burst("invalid", 1, 1)))
    with ReplayServer(fake_source, faults=plan) as server:
        url = f"{server.base_url}/programme/23032026"
        truncated, invalid = client.get(url), client.get(url)
        intact = client.get(url)
        for broken in (truncated, invalid):
            assert broken.status_code == 200
            with pytest.raises(json.JSONDecodeError):
                json.loads(broken.content)
        assert intact.json()["programme"]["reunions"]
        assert intact.content.startswith(truncated.content) and len(truncated.content) < len(intact.content)
        # The first request of another path is truncated too, but an answer without a body is left alone.
        empty = client.get(f"{server.base_url}/programme/23032026/R1/C2/participants")
        assert (empty.status_code, empty.content) == (204, b"")
        assert [r.fault for r in server.request_log] == ["truncated", "invalid", None, "truncated"]


def test_slow_answers_arrive_late_but_whole(fake_source: GeneratedSource) -> None:
    plan = FaultPlan(slow_delay_s=0.3, bursts=(Burst("slow", 0, 2),))
    with ReplayServer(fake_source, faults=plan) as server:
        url = f"{server.base_url}/programme/23032026"
        with (
            pytest.raises(httpx.ReadTimeout),
            httpx.Client(timeout=httpx.Timeout(5.0, read=0.05)) as impatient,
        ):
            impatient.get(url)
        with httpx.Client(timeout=5.0) as patient:
            slow = patient.get(url)
            assert slow.status_code == 200 and slow.json()["programme"]["reunions"]
            assert patient.get(url).status_code == 200
        assert [r.fault for r in server.request_log] == ["slow", "slow", None]
        assert server.request_log[1].elapsed_s >= 0.3


def test_timeouts_close_the_connection_without_an_answer(fake_source: GeneratedSource) -> None:
    plan = FaultPlan(timeout_s=0.1, bursts=(Burst("timeout", 0, 1), Burst("timeout", 1, 1)))
    with ReplayServer(fake_source, faults=plan) as server:
        url = f"{server.base_url}/programme/23032026"
        with (
            pytest.raises(httpx.ReadTimeout),
            httpx.Client(timeout=httpx.Timeout(5.0, read=0.02)) as impatient,
        ):
            impatient.get(url)
        with httpx.Client(timeout=5.0) as patient:
            with pytest.raises(httpx.RemoteProtocolError):
                patient.get(url)
            assert patient.get(url).status_code == 200
        records = server.request_log
        assert [(r.status, r.fault) for r in records[-2:]] == [(None, "timeout"), (200, None)]
        assert server.stats.statuses[None] >= 1


def test_stop_cuts_a_pending_timeout_short(fake_source: GeneratedSource) -> None:
    server = ReplayServer(
        fake_source, faults=FaultPlan(timeout_s=120, bursts=(Burst("timeout", 0, 1),))
    ).start()
    errors: list[BaseException] = []

    def hang() -> None:
        try:
            httpx.get(f"{server.base_url}/programme/23032026", timeout=30)
        except httpx.HTTPError as exc:
            errors.append(exc)

    waiting = threading.Thread(target=hang)
    waiting.start()
    for _ in range(200):
        if server._injector is not None and server._injector.requests_of("/programme/23032026"):
            break
        threading.Event().wait(0.01)
    server.stop()
    waiting.join(10)
    assert not waiting.is_alive()
    assert len(errors) == 1


def test_a_failing_source_answers_500_and_is_recorded(client: httpx.Client) -> None:
    class Broken:
        def respond(self, api_path: str, now: datetime | None) -> SourceAnswer:
            raise OSError(f"disk gone while reading {api_path}")

    with ReplayServer(Broken()) as server:
        answer = client.get(f"{server.base_url}/programme/23032026")
        assert answer.status_code == 500
        assert "disk gone while reading /programme/23032026" in answer.json()["message"]
        assert server.request_log[0].error == "OSError: disk gone while reading /programme/23032026"
        assert server.stats.errors == 1


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com", "8.8.8.8"])
def test_refuses_non_loopback_hosts(host: str) -> None:
    with pytest.raises(ReplayBindError, match=r"loopback|not an IP address"):
        ReplayServer(GeneratedSource(generate=fake_factory), host=host)


def test_binds_localhost_and_ipv6_loopback(client: httpx.Client) -> None:
    with ReplayServer(GeneratedSource(generate=fake_factory), host="localhost") as server:
        assert server.root_url.startswith("http://127.0.0.1:")
        assert client.get(f"{server.root_url}/_replay/health").status_code == 200
    if not socket.has_ipv6:
        return
    try:
        ipv6 = ReplayServer(GeneratedSource(generate=fake_factory), host="::1").start()
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with ipv6:
        assert ipv6.base_url.startswith("http://[::1]:")
        assert client.get(f"{ipv6.base_url}/programme/23032026").status_code == 200


def test_life_cycle_errors() -> None:
    server = ReplayServer(GeneratedSource(generate=fake_factory))
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.base_url
    with server, pytest.raises(RuntimeError, match="already started"):
        server.start()
    server.stop()  # stopping twice is harmless
    with pytest.raises(ValueError, match="prefix"):
        ReplayServer(GeneratedSource(generate=fake_factory), prefix="rest/")
    with pytest.raises(ValueError, match="port"):
        ReplayServer(GeneratedSource(generate=fake_factory), port=70000)


def test_each_request_reaches_the_callback(fake_source: GeneratedSource, client: httpx.Client) -> None:
    lines: list[str] = []
    with ReplayServer(
        fake_source, clock=FixedClock(START), on_request=lambda r: lines.append(r.line())
    ) as server:
        client.get(f"{server.base_url}/programme/23032026")
        client.get(f"{server.base_url}{R1C1}/rapports-definitifs")
    assert len(lines) == 2
    assert " 200 /programme/23032026 " in lines[0] and "sim=2026-03-23T12:30:00+00:00" in lines[0]
    assert " 404 /programme/23032026/R1/C1/rapports-definitifs " in lines[1]


def test_parallel_clients_get_consistent_answers(fake_source: GeneratedSource) -> None:
    with ReplayServer(fake_source) as server, httpx.Client(timeout=5.0) as http:
        results: list[int] = []
        lock = threading.Lock()

        def fetch() -> None:
            for day in (date(2026, 3, 23), date(2026, 3, 24)):
                status = http.get(f"{server.base_url}/programme/{day:%d%m%Y}").status_code
                with lock:
                    results.append(status)

        workers = [threading.Thread(target=fetch) for _ in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert sorted(results) == [200] * 8 + [204] * 8
    assert fake_source.generated_count == 2


def test_generated_day_before_and_after_a_race(client: httpx.Client) -> None:
    generated = generate_day(date(2026, 3, 23), seed=3)
    race = next(r for r in generated.races() if not r.cancelled)
    clock = FixedClock(race.start_utc - timedelta(minutes=20))
    with ReplayServer(GeneratedSource(seed=3), clock=clock) as server:
        participants = server.base_url + participants_path(date(2026, 3, 23), race.reunion, race.course)
        rapports = server.base_url + rapports_path(date(2026, 3, 23), race.reunion, race.course)
        before = client.get(participants).json()["participants"]
        assert before and all(p.get("ordreArrivee") is None for p in before)
        assert client.get(rapports).status_code == 404

        clock.advance(timedelta(hours=2))
        after = client.get(participants).json()["participants"]
        ranks = sorted(p["ordreArrivee"] for p in after if p.get("ordreArrivee") is not None)
        assert ranks[:3] == [1, 2, 3]
        final = client.get(rapports)
        assert final.status_code == 200
        assert final.json() == generated.rapports(race.reunion, race.course)


def test_the_pmu_client_rides_through_injected_faults() -> None:
    day = date(2026, 3, 23)
    generated = generate_day(day, seed=3)
    race = next(r for r in generated.races() if not r.cancelled)
    plan = FaultPlan(
        retry_after_s=0, bursts=(Burst("503", 0, 1), Burst("429", 1, 1), Burst("truncated", 2, 1))
    )
    retry = RetryPolicy(max_attempts=4, backoff_initial_s=0.01, backoff_max_s=0.02, jitter_s=0)
    with ReplayServer(GeneratedSource(seed=3), faults=plan) as server:
        pmu = PmuClient(server.base_url, rate_limit_per_s=0, retry=retry, timeout_s=5)
        fetched = pmu.participants(day, race.reunion, race.course)
        assert fetched.payload == generated.participants(race.reunion, race.course)
        assert fetched.attempts == 4
        assert [r.status for r in server.request_log] == [503, 429, 200, 200]
        assert [r.fault for r in server.request_log] == ["503", "429", "truncated", None]
