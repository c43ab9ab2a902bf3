"""Hostile answers over real HTTP on 127.0.0.1: 204, shrunk and mutated JSON, huge and dripping
bodies, redirects off the host and to https, each aimed at one request of one path."""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from hippique_replay.fault_spec import parse_fault_spec
from hippique_replay.faults import DEFAULT_HUGE_BYTES, Burst, FaultPlan
from hippique_replay.hostile_bodies import OVERFLOW_VALUE
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource
from hippique_replay_tests.fake_day import fake_factory

PROGRAMME = "/programme/23032026"
PARTICIPANTS = f"{PROGRAMME}/R1/C3/participants"
RAPPORTS = f"{PROGRAMME}/R1/C3/rapports-definitifs"
NAN_POINTER = "/participants/0/dernierRapportDirect/dateRapport"
SERVER_LOGGER = "hippique_replay.server"


@pytest.fixture(scope="module")
def world() -> GeneratedSource:
    """The generated world, shared so its day is generated once for the module."""
    return GeneratedSource(seed=3)


@pytest.fixture
def fake_source() -> GeneratedSource:
    return GeneratedSource(seed=1, generate=fake_factory)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0, follow_redirects=False) as http:
        yield http


def _races(programme: dict) -> list[tuple[int, int]]:
    return [
        (course["numReunion"], course["numOrdre"])
        for reunion in programme["programme"]["reunions"]
        for course in reunion["courses"]
    ]


def _strict(body: bytes) -> object:
    """Decode as a strict JSON parser does: NaN and Infinity are refused."""

    def refuse(token: str) -> float:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(body, parse_constant=refuse)


def _wait_for(predicate: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_the_2nd_programme_request_answers_204_and_the_1st_r1c3_runners_get_nan(
    world: GeneratedSource, client: httpx.Client
) -> None:
    plan = parse_fault_spec(f"burst=204:1@{PROGRAMME}$,burst=mutate:nan={NAN_POINTER}:0@/R1/C3/participants$")
    with ReplayServer(world, faults=plan) as server:
        programmes = [client.get(server.base_url + PROGRAMME) for _ in range(3)]
        hostile, intact = (client.get(server.base_url + PARTICIPANTS) for _ in range(2))
        other = client.get(server.base_url + PARTICIPANTS.replace("C3", "C2"))
        faults = [r.fault for r in server.request_log]

    assert [r.status_code for r in programmes] == [200, 204, 200]
    assert programmes[1].content == b""
    assert "content-type" not in programmes[1].headers and "content-length" not in programmes[1].headers
    assert programmes[2].json() == programmes[0].json()

    assert hostile.status_code == 200 and b'"dateRapport":NaN' in hostile.content
    with pytest.raises(ValueError, match="non-standard JSON token NaN"):
        _strict(hostile.content)
    mutated = json.loads(hostile.content)
    assert math.isnan(mutated["participants"][0]["dernierRapportDirect"]["dateRapport"])
    mutated["participants"][0]["dernierRapportDirect"]["dateRapport"] = intact.json()["participants"][0][
        "dernierRapportDirect"
    ]["dateRapport"]
    assert mutated == intact.json()  # nothing else changed
    assert other.status_code == 200 and b"NaN" not in other.content
    assert faults == [None, "204", None, "mutate", None, None]


def test_shrink_drops_the_last_race_a_runner_and_a_bet_type(
    world: GeneratedSource, client: httpx.Client
) -> None:
    with ReplayServer(world, faults=parse_fault_spec("burst=shrink:1")) as server:
        answers = {
            path: (client.get(server.base_url + path), client.get(server.base_url + path))
            for path in (PROGRAMME, PARTICIPANTS, RAPPORTS)
        }
        assert [r.fault for r in server.request_log] == [None, "shrink"] * 3

    intact, shrunk = (a.json() for a in answers[PROGRAMME])
    last_reunion = intact["programme"]["reunions"][-1]
    dropped = (last_reunion["numOfficiel"], last_reunion["courses"][-1]["numOrdre"])
    assert len(_races(shrunk)) == len(_races(intact)) - 1
    assert _races(shrunk) == [race for race in _races(intact) if race != dropped]
    # The other races are served as they were: no cancellation status, just one race fewer.
    intact["programme"]["reunions"][-1]["courses"].pop()
    assert shrunk == intact

    intact_runners, shrunk_runners = (a.json()["participants"] for a in answers[PARTICIPANTS])
    assert [p["numPmu"] for p in shrunk_runners] == [p["numPmu"] for p in intact_runners][:-1]

    intact_bets, shrunk_bets = (a.json() for a in answers[RAPPORTS])
    assert answers[RAPPORTS][1].status_code == 200
    assert [b["typePari"] for b in shrunk_bets] == [b["typePari"] for b in intact_bets][:-1]


def test_mutate_puts_each_hostile_value_at_its_target(world: GeneratedSource, client: httpx.Client) -> None:
    plan = parse_fault_spec(
        f"burst=mutate:zero=/programme/reunions/0/courses/2/numOrdre:0@{PROGRAMME}$,"
        f"burst=mutate:overflow:1@{PROGRAMME}$,"
        "burst=mutate:wrong_type=numPmu:0@/R1/C3/participants$,"
        f"burst=mutate:zero=/programme/reunions/99:2@{PROGRAMME}$"
    )
    with ReplayServer(world, faults=plan) as server:
        zero, overflow, missed, intact = (client.get(server.base_url + PROGRAMME) for _ in range(4))
        wrong_type = client.get(server.base_url + PARTICIPANTS)
        records = server.request_log

    assert zero.json()["programme"]["reunions"][0]["courses"][2]["numOrdre"] == 0
    assert intact.json()["programme"]["reunions"][0]["courses"][2]["numOrdre"] == 3
    # Without a target, overflow hits the first heureDepart: the first race's start.
    assert b'"heureDepart":100000000000000000000' in overflow.content
    assert overflow.json()["programme"]["reunions"][0]["courses"][0]["heureDepart"] == OVERFLOW_VALUE
    assert wrong_type.json()["participants"][0]["numPmu"] == "1"
    # A target that is not there leaves the body whole and says why.
    assert missed.content == intact.content
    assert records[2].fault == "mutate"
    assert records[2].error == "mutate not applied: /programme/reunions/99 is not in the body"


def test_huge_bodies_are_padded_valid_json_of_the_configured_size(
    world: GeneratedSource, client: httpx.Client
) -> None:
    plan = FaultPlan(huge_bytes=3_000_000, bursts=(Burst("huge", 1, path_pattern="participants$"),))
    with ReplayServer(world, faults=plan) as server:
        intact, huge = (client.get(server.base_url + PARTICIPANTS) for _ in range(2))
        size = server.request_log[-1].size
    assert huge.status_code == 200 and huge.headers["content-type"] == "application/json"
    assert len(huge.content) == int(huge.headers["content-length"]) == 3_000_000 == size
    assert huge.content.startswith(intact.content)
    assert huge.content[len(intact.content) :].strip(b" ") == b""
    assert huge.json() == intact.json()  # trailing whitespace keeps it valid JSON


def test_a_client_may_stop_reading_a_huge_body_of_the_default_size(
    world: GeneratedSource, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=SERVER_LOGGER)
    with ReplayServer(world, faults=FaultPlan(bursts=(Burst("huge", 0, 2),))) as server:
        url = server.base_url + PROGRAMME
        head = client.head(url)
        assert (head.status_code, int(head.headers["content-length"])) == (200, DEFAULT_HUGE_BYTES)
        with client.stream("GET", url) as streamed:
            assert int(streamed.headers["content-length"]) == DEFAULT_HUGE_BYTES
            first = next(streamed.iter_raw())
            assert first.startswith(b'{"programme":')
        assert _wait_for(lambda: "replay client went away" in caplog.text, timeout_s=10)
        assert client.get(url).status_code == 200  # the server goes on serving


def test_drip_sends_the_whole_body_slowly(fake_source: GeneratedSource) -> None:
    plan = FaultPlan(
        drip_bytes=8, drip_interval_s=0.05, bursts=(Burst("drip", 0, path_pattern="participants$"),)
    )
    with ReplayServer(fake_source, faults=plan) as server:
        url = f"{server.base_url}{PROGRAMME}/R1/C1/participants"
        # Each read waits far less than the whole answer takes: only a total deadline catches a drip.
        with httpx.Client(timeout=httpx.Timeout(5.0, read=1.0)) as http:
            started = time.monotonic()
            dripped = http.get(url)
            elapsed = time.monotonic() - started
            intact = http.get(url)
        faults = [r.fault for r in server.request_log]
    writes = -(-len(intact.content) // 8)
    assert writes >= 10
    assert dripped.status_code == 200 and dripped.content == intact.content
    assert int(dripped.headers["content-length"]) == len(intact.content)
    assert elapsed >= (writes - 1) * 0.05 * 0.9
    assert faults == ["drip", None]


def test_drip_stops_when_the_client_goes_away(
    fake_source: GeneratedSource, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=SERVER_LOGGER)
    plan = FaultPlan(drip_interval_s=0.1, bursts=(Burst("drip", 0),))
    with ReplayServer(fake_source, faults=plan) as server, httpx.Client(timeout=5.0) as http:
        # One byte every 0.1 s: the whole programme would take tens of seconds.
        with http.stream("GET", server.base_url + PROGRAMME) as streamed:
            assert next(streamed.iter_raw()) == b"{"
        hung_up = time.monotonic()
        assert _wait_for(lambda: "replay client went away" in caplog.text, timeout_s=5)
        assert time.monotonic() - hung_up < 2.0


def test_stop_cuts_a_drip_short(fake_source: GeneratedSource) -> None:
    server = ReplayServer(
        fake_source, faults=FaultPlan(drip_interval_s=60, bursts=(Burst("drip", 0),))
    ).start()
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            httpx.get(server.base_url + PROGRAMME, timeout=120)
        except httpx.HTTPError as exc:
            errors.append(exc)

    waiting = threading.Thread(target=fetch)
    waiting.start()
    assert _wait_for(lambda: len(server.request_log) == 1, timeout_s=10)
    server.stop()
    waiting.join(10)
    assert not waiting.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], httpx.RemoteProtocolError)


def test_redirects_off_the_host_and_to_https(fake_source: GeneratedSource, client: httpx.Client) -> None:
    path = f"{PROGRAMME}/R1/C1/participants?specialisation=INTERNET"
    plan = parse_fault_spec("burst=redirect_offhost:0,burst=redirect_scheme:1")
    with ReplayServer(fake_source, faults=plan) as server:
        offhost, scheme, normal = (client.get(server.base_url + path) for _ in range(3))
        port = server.port
    assert (offhost.status_code, offhost.content, offhost.headers["content-length"]) == (302, b"", "0")
    assert offhost.headers["location"] == f"http://127.0.0.2:{port}/rest/client/61{path}"
    assert scheme.status_code == 302
    assert scheme.headers["location"] == f"https://127.0.0.1:{port}/rest/client/61{path}"
    assert normal.status_code == 200

    elsewhere = parse_fault_spec("burst=redirect_offhost:0,redirect_host=127.0.0.3,redirect_port=8062")
    with ReplayServer(fake_source, faults=elsewhere) as server:
        moved = client.get(server.base_url + PROGRAMME)
    assert moved.headers["location"] == f"http://127.0.0.3:8062/rest/client/61{PROGRAMME}"
    ipv6 = FaultPlan(redirect_host="::1", bursts=(Burst("redirect_offhost"),))
    with ReplayServer(fake_source, faults=ipv6) as server:
        moved = client.get(server.base_url + PROGRAMME)
        assert moved.headers["location"] == f"http://[::1]:{server.port}/rest/client/61{PROGRAMME}"
