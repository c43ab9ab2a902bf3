"""Fault plans: parsing, validation, deterministic decisions per (seed, path, request number)."""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from pathlib import Path

import pytest

from hippique_replay.fault_spec import describe_fault_plan, load_fault_plan, parse_fault_spec, read_fault_plan
from hippique_replay.faults import DEFAULT_HUGE_BYTES, Burst, Fault, FaultInjector, FaultPlan, FaultSpecError
from hippique_replay.hostile_bodies import (
    OVERFLOW_VALUE,
    FaultApplyError,
    format_pointer,
    mutate_body,
    parse_pointer,
    shrink_body,
)

PATH = "/programme/23032026/R1/C4/participants"
EXAMPLE = "5xx=0.1,429=0.05,slow=0.05:2.0,timeout=0.01,truncated=0.02,invalid=0.01,seed=7"


def kinds(plan: FaultPlan, path: str, count: int) -> list[str | None]:
    return [None if (f := plan.decide(path, n)) is None else f.kind for n in range(count)]


def test_parse_the_documented_example() -> None:
    plan = parse_fault_spec(EXAMPLE)
    assert plan == FaultPlan(
        seed=7,
        server_error=0.1,
        too_many=0.05,
        slow=0.05,
        slow_delay_s=2.0,
        timeout=0.01,
        truncated=0.02,
        invalid=0.01,
    )
    assert parse_fault_spec(describe_fault_plan(plan)) == plan
    assert parse_fault_spec("").active is False and describe_fault_plan(FaultPlan()) == "none"


def test_parse_delays_bursts_and_a_path_regex_with_commas() -> None:
    plan = parse_fault_spec(
        r"429=0.2:3,timeout=0.1:0.25,420=0.1,burst=503:0:2,burst=slow:5,path=/R\d{1,2}/C1/"
    )
    assert (plan.too_many, plan.retry_after_s, plan.timeout, plan.timeout_s, plan.throttled) == (
        0.2,
        3.0,
        0.1,
        0.25,
        0.1,
    )
    assert plan.bursts == (Burst("503", 0, 2), Burst("slow", 5, 1))
    assert plan.path_pattern == r"/R\d{1,2}/C1/"
    assert parse_fault_spec(describe_fault_plan(plan)) == plan


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("5xx=0.1,boom=0.2", "unknown fault key 'boom'"),
        ("5xx=1.5", "outside"),
        ("5xx=0.6,429=0.6", "add up to 1.2"),
        ("truncated=0.1:2", "truncated takes no seconds"),
        ("slow=0.1:-1", "negative"),
        ("slow", "is not KEY=VALUE"),
        ("seed=x", "seed 'x' is not an integer"),
        ("burst=teapot:0:1", "unknown fault kind 'teapot'"),
        ("burst=503:0:0", "count >= 1"),
        ("path=(unclosed", "not a valid regex"),
        ("204=0.1", "204 is placed by bursts only"),
        ("burst=mutate:0:1", "needs a mutation among zero, overflow, nan, wrong_type, got '0'"),
        ("burst=mutate:boil=numPmu:0", "got 'boil'"),
        ("burst=mutate:nan", "a mutate burst is mutate:MUTATION[=TARGET]:START[:COUNT]"),
        ("burst=mutate:nan=:0", "target must not be empty"),
        ("burst=shrink:0:1:2", "a burst is KIND:START[:COUNT][@PATH_REGEX]"),
        ("burst=shrink:0@", "path regex after @ is empty"),
        ("burst=204:0@(unclosed", "burst path pattern '(unclosed' is not a valid regex"),
        ("redirect_host=8.8.8.8", "not a loopback address"),
        ("redirect_host=localhost", "not an IP address"),
        ("redirect_port=70000", "not in 1..65535"),
        ("huge_bytes=0", "huge_bytes: 0 is not a positive integer"),
        ("drip_bytes=x", "drip_bytes: 'x' is not an integer"),
        ("drip_interval_s=-1", "negative"),
    ],
)
def test_parse_rejects_bad_specs_naming_the_item(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=re.escape(message)):
        parse_fault_spec(spec)


def test_decisions_replay_exactly_and_depend_on_seed_and_path() -> None:
    plan = parse_fault_spec(EXAMPLE)
    first = kinds(plan, PATH, 300)
    assert kinds(parse_fault_spec(EXAMPLE), PATH, 300) == first
    assert kinds(parse_fault_spec(EXAMPLE.replace("seed=7", "seed=8")), PATH, 300) != first
    assert kinds(plan, PATH.replace("C4", "C5"), 300) != first


def test_frequencies_follow_the_probabilities() -> None:
    plan = parse_fault_spec(EXAMPLE)
    counts = Counter(kinds(plan, PATH, 20_000))
    expected = {"5xx": 0.1, "429": 0.05, "slow": 0.05, "timeout": 0.01, "truncated": 0.02, "invalid": 0.01}
    for kind, probability in expected.items():
        assert abs(counts[kind] / 20_000 - probability) < 0.01, (kind, counts[kind])
    decided = (plan.decide(PATH, n) for n in range(20_000))
    assert {f.status for f in decided if f is not None and f.kind == "5xx"} == {500, 502, 503}


def test_fault_details() -> None:
    plan = FaultPlan(
        retry_after_s=0.5,
        slow_delay_s=0.2,
        timeout_s=0.3,
        bursts=(Burst("429", 0), Burst("slow", 1), Burst("timeout", 2), Burst("420", 3), Burst("502", 4)),
    )
    decided = [plan.decide(PATH, n) for n in range(6)]
    assert decided[0] == Fault("429", status=429, retry_after_s=0.5)
    assert decided[1] == Fault("slow", delay_s=0.2)
    assert decided[2] == Fault("timeout", delay_s=0.3)
    assert (decided[3].status, decided[4].status, decided[5]) == (420, 502, None)


def test_bursts_hit_the_same_request_numbers_of_every_matching_path() -> None:
    plan = parse_fault_spec(r"burst=503:1:3,path=/participants$")
    assert kinds(plan, PATH, 6) == [None, "503", "503", "503", None, None]
    assert kinds(plan, "/programme/23032026", 6) == [None] * 6


def test_truncated_bodies_are_cut_and_no_longer_decode() -> None:
    body = json.dumps({"participants": [{"numPmu": n, "nom": f"CHEVAL {n}"} for n in range(12)]}).encode()
    plan = FaultPlan(truncated=1.0, seed=3)
    cuts = set()
    for n in range(30):
        fault = plan.decide(PATH, n)
        cut = fault.cut(body)
        assert 0 < len(cut) < len(body) and body.startswith(cut)
        with pytest.raises(json.JSONDecodeError):
            json.loads(cut)
        cuts.add(len(cut))
    assert len(cuts) > 5  # the cut point varies from request to request
    assert Fault("truncated").cut(b"{") == b""


def test_injector_sequences_per_path_survive_interleaving_and_threads() -> None:
    plan = parse_fault_spec(EXAMPLE)
    other = "/programme/23032026"
    injector = FaultInjector(plan)
    interleaved: dict[str, list[str | None]] = {PATH: [], other: []}
    for n in range(200):
        for path in (PATH, other) if n % 3 else (other, PATH, other):
            fault = injector.next_fault(path + ("?q=1" if n % 2 else ""))
            interleaved[path].append(None if fault is None else fault.kind)
    assert interleaved[PATH] == kinds(plan, PATH, len(interleaved[PATH]))
    assert interleaved[other] == kinds(plan, other, len(interleaved[other]))
    assert injector.requests_of(PATH) == 200

    threaded = FaultInjector(plan)
    seen: list[str | None] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(100):
            fault = threaded.next_fault(PATH)
            with lock:
                seen.append(None if fault is None else fault.kind)

    workers = [threading.Thread(target=worker) for _ in range(6)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert Counter(seen) == Counter(kinds(plan, PATH, 600))


def test_plans_from_toml_and_json_files(tmp_path: Path) -> None:
    toml_file = tmp_path / "plan.toml"
    toml_file.write_text(
        'seed = 3\nserver_error = 0.2\ntoo_many = 0.1\nretry_after_s = 2\npath_pattern = "participants"\n'
        '[[bursts]]\nkind = "503"\nstart = 0\ncount = 2\n'
    )
    plan = load_fault_plan(str(toml_file))
    assert plan == FaultPlan(
        seed=3,
        server_error=0.2,
        too_many=0.1,
        retry_after_s=2,
        path_pattern="participants",
        bursts=(Burst("503", 0, 2),),
    )
    json_file = tmp_path / "plan.json"
    json_file.write_text(json.dumps({"seed": 3, "invalid": 0.5, "bursts": [{"kind": "timeout", "start": 4}]}))
    assert read_fault_plan(json_file) == FaultPlan(seed=3, invalid=0.5, bursts=(Burst("timeout", 4, 1),))

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"server_eror": 0.1}))
    with pytest.raises(FaultSpecError, match=r"bad\.json: unknown key\(s\) server_eror"):
        read_fault_plan(bad)
    bad.write_text(json.dumps({"slow": 2}))
    with pytest.raises(FaultSpecError, match=r"bad\.json: slow: probability 2\.0 is outside"):
        read_fault_plan(bad)
    bad.write_text("{not json")
    with pytest.raises(FaultSpecError, match=r"bad\.json is not valid JSON"):
        read_fault_plan(bad)
    with pytest.raises(FaultSpecError, match=r"cannot read fault plan .*missing\.toml"):
        load_fault_plan(str(tmp_path / "missing.toml"))
    yaml_file = tmp_path / "plan.yaml"
    yaml_file.write_text("seed: 1")
    with pytest.raises(FaultSpecError, match=r"plan\.yaml must be a \.toml or \.json file"):
        read_fault_plan(yaml_file)


HOSTILE = (
    r"burst=204:1@/programme/23032026$,"
    r"burst=mutate:nan=/participants/0/dernierRapportDirect/dateRapport:0@/R1/C3/participants$,"
    r"burst=mutate:overflow:2:3@/R\d{1,2}/C1$,"
    r"burst=shrink:0@rapports-definitifs,burst=huge:4,burst=drip:5,"
    r"burst=redirect_offhost:6,burst=redirect_scheme:7,"
    r"huge_bytes=1000,drip_bytes=4,drip_interval_s=0.25,redirect_host=127.0.0.3,redirect_port=8062,seed=2"
)


def test_parse_hostile_bursts_with_their_own_paths_and_settings() -> None:
    plan = parse_fault_spec(HOSTILE)
    assert plan.bursts == (
        Burst("204", 1, 1, path_pattern="/programme/23032026$"),
        Burst(
            "mutate",
            0,
            1,
            path_pattern="/R1/C3/participants$",
            mutation="nan",
            target="/participants/0/dernierRapportDirect/dateRapport",
        ),
        # The comma of the regex stays in the burst's path.
        Burst("mutate", 2, 3, path_pattern=r"/R\d{1,2}/C1$", mutation="overflow"),
        Burst("shrink", 0, 1, path_pattern="rapports-definitifs"),
        Burst("huge", 4),
        Burst("drip", 5),
        Burst("redirect_offhost", 6),
        Burst("redirect_scheme", 7),
    )
    assert (plan.huge_bytes, plan.drip_bytes, plan.drip_interval_s) == (1000, 4, 0.25)
    assert (plan.redirect_host, plan.redirect_port, plan.seed) == ("127.0.0.3", 8062, 2)
    assert parse_fault_spec(describe_fault_plan(plan)) == plan
    defaults = FaultPlan(bursts=(Burst("huge"),))
    assert (defaults.huge_bytes, defaults.drip_bytes, defaults.drip_interval_s) == (
        DEFAULT_HUGE_BYTES,
        1,
        2.0,
    )
    assert (defaults.redirect_host, defaults.redirect_port) == ("127.0.0.2", None)
    assert describe_fault_plan(defaults) == "burst=huge:0:1,seed=0"


def test_a_burst_aims_at_one_request_of_one_path() -> None:
    plan = parse_fault_spec(HOSTILE)
    assert kinds(plan, "/programme/23032026", 3) == [None, "204", None]
    assert kinds(plan, "/programme/24032026", 3) == [None, None, None]
    assert kinds(plan, "/programme/23032026/R1/C3/participants", 2) == ["mutate", None]
    assert kinds(plan, "/programme/23032026/R1/C4/participants", 2) == [None, None]
    assert kinds(plan, "/programme/23032026/R12/C1", 5) == [None, None, "mutate", "mutate", "mutate"]
    assert kinds(plan, "/programme/23032026/R2/C5/rapports-definitifs", 2) == ["shrink", None]
    # A burst without a path hits that request number of every path; with path=, only where it matches.
    assert kinds(plan, "/programme/25032026", 8)[4:] == [
        "huge",
        "drip",
        "redirect_offhost",
        "redirect_scheme",
    ]
    restricted = parse_fault_spec("burst=204:0,path=/R1/C1$")
    assert kinds(restricted, "/programme/23032026/R1/C1", 1) == ["204"]
    assert kinds(restricted, "/programme/23032026", 1) == [None]


def test_hostile_fault_details() -> None:
    plan = parse_fault_spec(HOSTILE)
    programme, participants = "/programme/23032026", "/programme/23032026/R1/C3/participants"
    assert plan.decide(programme, 1) == Fault("204", status=204)
    assert plan.decide(participants, 0) == Fault(
        "mutate", mutation="nan", target="/participants/0/dernierRapportDirect/dateRapport"
    )
    # Without a target, the mutation's default key.
    assert plan.decide("/programme/23032026/R3/C1", 2) == Fault(
        "mutate", mutation="overflow", target="heureDepart"
    )
    assert plan.decide(programme, 4) == Fault("huge", size_bytes=1000)
    assert plan.decide(programme, 5) == Fault("drip", delay_s=0.25, chunk_bytes=4)
    assert plan.decide(programme, 6) == Fault(
        "redirect_offhost", status=302, redirect_host="127.0.0.3", redirect_port=8062
    )
    assert plan.decide(programme, 7) == Fault("redirect_scheme", status=302)


def test_hostile_plans_from_toml(tmp_path: Path) -> None:
    toml_file = tmp_path / "hostile.toml"
    toml_file.write_text(
        'drip_interval_s = 0.5\nredirect_host = "::1"\n'
        '[[bursts]]\nkind = "mutate"\nmutation = "nan"\n'
        'target = "/participants/0/dernierRapportDirect/dateRapport"\nstart = 0\n'
        'path_pattern = "/R1/C3/participants$"\n'
        '[[bursts]]\nkind = "204"\nstart = 1\npath_pattern = "/programme/23032026$"\n'
    )
    plan = load_fault_plan(str(toml_file))
    assert plan == parse_fault_spec(
        "burst=mutate:nan=/participants/0/dernierRapportDirect/dateRapport:0@/R1/C3/participants$,"
        "burst=204:1@/programme/23032026$,drip_interval_s=0.5,redirect_host=::1"
    )
    toml_file.write_text('[[bursts]]\nkind = "shrink"\nmutation = "zero"\n')
    with pytest.raises(FaultSpecError, match=r"hostile\.toml: only a mutate burst takes a mutation"):
        read_fault_plan(toml_file)
    toml_file.write_text('huge_bytes = "big"\n')
    with pytest.raises(FaultSpecError, match=r"hostile\.toml: huge_bytes: 'big' is not a positive integer"):
        read_fault_plan(toml_file)


def _programme(*courses_per_reunion: int) -> dict:
    reunions = [
        {"numOfficiel": r, "courses": [{"numReunion": r, "numOrdre": c} for c in range(1, n + 1)]}
        for r, n in enumerate(courses_per_reunion, start=1)
    ]
    return {"programme": {"date": 1774220400000, "reunions": reunions}}


def _dumps(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def test_shrink_removes_one_race_runner_or_bet_type() -> None:
    body, removed = shrink_body(_dumps(_programme(3, 2)))
    reunions = json.loads(body)["programme"]["reunions"]
    assert removed == "/programme/reunions/1/courses/1"
    assert [[c["numOrdre"] for c in r["courses"]] for r in reunions] == [[1, 2, 3], [1]]
    # A last reunion without courses is skipped: the race goes from the last one that has some.
    body, removed = shrink_body(_dumps(_programme(2, 0)))
    assert removed == "/programme/reunions/0/courses/1"

    reunion = {"numOfficiel": 1, "courses": [{"numOrdre": 1}, {"numOrdre": 2}]}
    assert json.loads(shrink_body(_dumps(reunion))[0])["courses"] == [{"numOrdre": 1}]

    participants = {"participants": [{"numPmu": n} for n in (1, 2, 3)], "ecuries": [1, 2, 3, 4, 5]}
    body, removed = shrink_body(_dumps(participants))
    assert (removed, [p["numPmu"] for p in json.loads(body)["participants"]]) == ("/participants/2", [1, 2])

    rapports = [{"typePari": bet} for bet in ("SIMPLE_GAGNANT", "SIMPLE_PLACE", "TRIO")]
    body, removed = shrink_body(_dumps(rapports))
    assert (removed, [r["typePari"] for r in json.loads(body)]) == ("/2", ["SIMPLE_GAGNANT", "SIMPLE_PLACE"])

    other = {"a": [1, 2], "b": {"c": [1, 2, 3]}, "d": [4, 5, 6]}
    body, removed = shrink_body(_dumps(other))
    assert (removed, json.loads(body)["b"]["c"]) == ("/b/c/2", [1, 2])

    with pytest.raises(FaultApplyError, match="no list to shrink"):
        shrink_body(b'{"a": 1, "b": []}')
    with pytest.raises(FaultApplyError, match="not JSON"):
        shrink_body(b"<html>")


def _strict(body: bytes) -> object:
    def refuse(token: str) -> float:
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(body, parse_constant=refuse)


def test_mutate_puts_the_hostile_value_at_the_pointer_or_key() -> None:
    source = _dumps(_programme(2, 3))
    body, pointer = mutate_body(source, "zero", "/programme/reunions/1/courses/2/numOrdre")
    assert pointer == "/programme/reunions/1/courses/2/numOrdre"
    assert json.loads(body)["programme"]["reunions"][1]["courses"][2]["numOrdre"] == 0
    assert json.loads(body)["programme"]["reunions"][1]["courses"][1]["numOrdre"] == 2

    # A key name: its first occurrence in document order.
    body, pointer = mutate_body(source, "overflow", "numOrdre")
    assert pointer == "/programme/reunions/0/courses/0/numOrdre"
    assert b'"numOrdre":100000000000000000000' in body
    assert json.loads(body)["programme"]["reunions"][0]["courses"][0]["numOrdre"] == OVERFLOW_VALUE

    # An object or list at the target: its first number.
    body, pointer = mutate_body(source, "wrong_type", "/programme/reunions/1")
    assert pointer == "/programme/reunions/1/numOfficiel"
    assert json.loads(body)["programme"]["reunions"][1]["numOfficiel"] == "2"
    body, _ = mutate_body(_dumps({"nom": "CHEVAL"}), "wrong_type", "nom")
    assert json.loads(body) == {"nom": {"valeur": "CHEVAL"}}

    runner = {"participants": [{"numPmu": 1, "dernierRapportDirect": {"rapport": 4.2, "dateRapport": 17}}]}
    body, pointer = mutate_body(_dumps(runner), "nan", "/participants/0/dernierRapportDirect/dateRapport")
    assert b'"dateRapport":NaN' in body
    assert math.isnan(json.loads(body)["participants"][0]["dernierRapportDirect"]["dateRapport"])
    with pytest.raises(ValueError, match="non-standard JSON token NaN"):
        _strict(body)


def test_mutate_refuses_targets_that_are_not_there() -> None:
    source = _dumps(_programme(1))
    with pytest.raises(FaultApplyError, match=r"/programme/reunions/4 is not in the body"):
        mutate_body(source, "zero", "/programme/reunions/4/courses/0/numOrdre")
    with pytest.raises(FaultApplyError, match="no key 'dateRapport'"):
        mutate_body(source, "nan", "dateRapport")
    with pytest.raises(FaultApplyError, match="not JSON"):
        mutate_body(b"\xff", "nan", "dateRapport")


def test_json_pointers_escape_slash_and_tilde() -> None:
    assert parse_pointer("/a~1b/~0c/0") == ["a/b", "~c", "0"]
    assert format_pointer(["a/b", "~c", "0"]) == "/a~1b/~0c/0"
    assert parse_pointer("") == []
    with pytest.raises(FaultApplyError, match="does not start with /"):
        parse_pointer("a/b")
    body, _ = mutate_body(_dumps({"a/b": {"~c": [5]}}), "zero", "/a~1b/~0c/0")
    assert json.loads(body) == {"a/b": {"~c": [0]}}
