"""Fault plans: parsing, validation, deterministic decisions per (seed, path, request number)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

import pytest

from hippique_replay.faults import Burst, Fault, FaultInjector, FaultPlan, FaultSpecError

PATH = "/programme/23032026/R1/C4/participants"
EXAMPLE = "5xx=0.1,429=0.05,slow=0.05:2.0,timeout=0.01,truncated=0.02,invalid=0.01,seed=7"


def kinds(plan: FaultPlan, path: str, count: int) -> list[str | None]:
    return [None if (f := plan.decide(path, n)) is None else f.kind for n in range(count)]


def test_parse_the_documented_example() -> None:
    plan = FaultPlan.parse(EXAMPLE)
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
    assert FaultPlan.parse(plan.describe()) == plan
    assert FaultPlan.parse("").active is False and FaultPlan().describe() == "none"


def test_parse_delays_bursts_and_a_path_regex_with_commas() -> None:
    plan = FaultPlan.parse(
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
    assert FaultPlan.parse(plan.describe()) == plan


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
    ],
)
def test_parse_rejects_bad_specs_naming_the_item(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message.replace("(", r"\(").replace(".", r"\.")):
        FaultPlan.parse(spec)


def test_decisions_replay_exactly_and_depend_on_seed_and_path() -> None:
    plan = FaultPlan.parse(EXAMPLE)
    first = kinds(plan, PATH, 300)
    assert kinds(FaultPlan.parse(EXAMPLE), PATH, 300) == first
    assert kinds(FaultPlan.parse(EXAMPLE.replace("seed=7", "seed=8")), PATH, 300) != first
    assert kinds(plan, PATH.replace("C4", "C5"), 300) != first


def test_frequencies_follow_the_probabilities() -> None:
    plan = FaultPlan.parse(EXAMPLE)
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
    plan = FaultPlan.parse(r"burst=503:1:3,path=/participants$")
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
    plan = FaultPlan.parse(EXAMPLE)
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
    plan = FaultPlan.load(str(toml_file))
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
    assert FaultPlan.from_file(json_file) == FaultPlan(seed=3, invalid=0.5, bursts=(Burst("timeout", 4, 1),))

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"server_eror": 0.1}))
    with pytest.raises(FaultSpecError, match=r"bad\.json: unknown key\(s\) server_eror"):
        FaultPlan.from_file(bad)
    bad.write_text(json.dumps({"slow": 2}))
    with pytest.raises(FaultSpecError, match=r"bad\.json: slow: probability 2\.0 is outside"):
        FaultPlan.from_file(bad)
    bad.write_text("{not json")
    with pytest.raises(FaultSpecError, match=r"bad\.json is not valid JSON"):
        FaultPlan.from_file(bad)
    with pytest.raises(FaultSpecError, match=r"cannot read fault plan .*missing\.toml"):
        FaultPlan.load(str(tmp_path / "missing.toml"))
    yaml_file = tmp_path / "plan.yaml"
    yaml_file.write_text("seed: 1")
    with pytest.raises(FaultSpecError, match=r"plan\.yaml must be a \.toml or \.json file"):
        FaultPlan.from_file(yaml_file)
