from __future__ import annotations

import json
import time
import zlib
from datetime import date
from pathlib import Path

import pytest

from hippique_assets.net.polite import DEFAULT_USER_AGENT, RetryPolicy
from hippique_assets.pmu.client import (
    BODY_TRIES,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_BODY_MB,
    FetchResult,
    PmuBodyTooLarge,
    PmuClient,
    PmuError,
    PmuHttpError,
    PmuMalformedResponse,
    PmuRedirectRefused,
    PmuTransportError,
    parse_max_body_mb,
)
from hippique_assets.pmu.landing import land
from hippique_assets.pmu.paths import participants_path, performances_path, programme_path, rapports_path
from hippique_assets.storage.files import FileStore as LocalFileStore
from hippique_assets_tests.net.scripted_server import (
    Reply,
    ScriptedServer,
    SleepRecorder,
    assert_spaced,
    json_reply,
)

DAY = date(2026, 3, 23)
EXACT = RetryPolicy(max_attempts=4, backoff_initial_s=1.0, backoff_max_s=60.0, jitter_s=0.0)
BETS = [{"typePari": "SIMPLE_GAGNANT", "rapports": [{"combinaison": "4", "dividendePourUnEuro": 350}]}]


def make_client(server: ScriptedServer, sleeps: SleepRecorder, **kwargs: object) -> PmuClient:
    kwargs.setdefault("rate_limit_per_s", 0)
    kwargs.setdefault("retry", EXACT)
    kwargs.setdefault("timeout_s", 2.0)
    return PmuClient(server.url + "/rest/client/61/", sleep=sleeps, **kwargs)  # type: ignore[arg-type]


def api(path: str) -> str:
    return "/rest/client/61" + path


def test_programme_of_a_real_capture(
    server: ScriptedServer, sleeps: SleepRecorder, pmu_samples: Path
) -> None:
    body = (pmu_samples / "programme_23032026.json").read_bytes()
    server.script(api("/programme/23032026"), [Reply(200, body, {"Content-Type": "application/json"})])
    with make_client(server, sleeps) as client:
        result = client.programme(DAY)
    assert result.path == "/programme/23032026"
    assert result.url == server.url + "/rest/client/61/programme/23032026"
    assert (result.status, result.attempts, result.no_data, result.not_final) == (200, 1, False, False)
    assert result.content == body
    assert result.payload == json.loads(body)
    assert isinstance(result.payload["programme"]["reunions"], list)
    assert server.requests[0].headers["User-Agent"] == DEFAULT_USER_AGENT


def test_204_is_no_data(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script(api("/programme/01011990"), [204])
    with make_client(server, sleeps) as client:
        result = client.programme(date(1990, 1, 1))
    assert (result.status, result.payload, result.content, result.no_data) == (204, None, b"", True)


def test_performances_reads_the_pretty_endpoint(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    payload = {"participants": [{"numPmu": 1, "coursesCourues": []}]}
    server.script(api("/programme/23032026/R1/C4/performances-detaillees/pretty"), [json_reply(payload)])
    with make_client(server, sleeps) as client:
        result = client.performances(DAY, 1, 4)
    assert result.path == "/programme/23032026/R1/C4/performances-detaillees/pretty"
    assert (result.status, result.payload) == (200, payload)


def test_rapports_404_is_not_final_and_200_is_a_list(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script(api(rapports_path(DAY, 1, 1)), [404])
    server.script(api(rapports_path(DAY, 1, 2)), [json_reply(BETS)])
    with make_client(server, sleeps) as client:
        pending = client.rapports(DAY, 1, 1)
        final = client.rapports(DAY, 1, 2)
    assert (pending.status, pending.payload, pending.not_final, pending.no_data) == (404, None, True, False)
    assert (final.status, final.payload, final.not_final) == (200, BETS, False)
    assert sleeps.delays == []


def test_404_elsewhere_is_an_http_error(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    with make_client(server, sleeps) as client, pytest.raises(PmuHttpError) as caught:
        client.participants(DAY, 9, 9)
    url = server.url + api(participants_path(DAY, 9, 9))
    assert (caught.value.url, caught.value.status, caught.value.attempts) == (url, 404, 1)
    assert url in str(caught.value)
    assert server.hits(api(participants_path(DAY, 9, 9))) == 1


def test_overload_is_retried_with_backoff(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    path = participants_path(DAY, 1, 4)
    server.script(
        api(path), [503, Reply(429, headers={"Retry-After": "3"}), 420, json_reply({"participants": []})]
    )
    with make_client(server, sleeps) as client:
        result = client.participants(DAY, 1, 4)
        stats = client.stats
    assert (result.status, result.attempts, result.payload) == (200, 4, {"participants": []})
    assert sleeps.delays == [1.0, 3.0, 4.0]
    assert (stats.requests, stats.retries) == (4, 3)
    assert stats.statuses == {200: 1, 420: 1, 429: 1, 503: 1}


def test_overload_that_never_ends_is_an_http_error(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script(api(programme_path(DAY)), [502])
    with make_client(server, sleeps) as client, pytest.raises(PmuHttpError) as caught:
        client.programme(DAY)
    assert (caught.value.status, caught.value.attempts) == (502, 4)
    assert sleeps.delays == [1.0, 2.0, 4.0]


def test_truncated_json_is_fetched_again_then_reported(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    path = participants_path(DAY, 2, 1)
    server.script(api(path), [Reply(200, b'{"participants": [{"nom": "ALPHA"')])
    with make_client(server, sleeps) as client, pytest.raises(PmuMalformedResponse) as caught:
        client.participants(DAY, 2, 1)
    url = server.url + api(path)
    assert caught.value.url == url
    assert url in str(caught.value)
    assert "invalid JSON" in caught.value.reason
    assert server.hits(api(path)) == BODY_TRIES == 3
    assert sleeps.delays == [1.0, 2.0]
    assert isinstance(caught.value, PmuError)


def test_truncated_json_once_then_whole(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    path = participants_path(DAY, 2, 2)
    whole = {"participants": [{"nom": "ALPHA", "numPmu": 1}]}
    server.script(api(path), [Reply(200, json.dumps(whole).encode()[:-5]), json_reply(whole)])
    with make_client(server, sleeps) as client:
        result = client.participants(DAY, 2, 2)
        stats = client.stats
    assert (result.payload, result.attempts) == (whole, 2)
    assert (stats.requests, stats.retries) == (2, 1)


def test_empty_200_body_is_malformed(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script(api(programme_path(DAY)), [200])
    with make_client(server, sleeps) as client, pytest.raises(PmuMalformedResponse, match="empty body"):
        client.programme(DAY)


def test_wrong_top_level_type_is_malformed_without_retry(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    server.script(api(rapports_path(DAY, 1, 1)), [json_reply({"typePari": "SIMPLE_GAGNANT"})])
    server.script(api(programme_path(DAY)), [json_reply([1, 2])])
    with make_client(server, sleeps) as client:
        with pytest.raises(PmuMalformedResponse, match="expected a JSON array at top level, got object"):
            client.rapports(DAY, 1, 1)
        with pytest.raises(PmuMalformedResponse, match="expected a JSON object at top level, got array"):
            client.programme(DAY)
    assert server.hits(api(rapports_path(DAY, 1, 1))) == 1
    assert sleeps.delays == []


def test_time_out_retried_then_success(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script(api(programme_path(DAY)), [Reply(200, b"{}", delay_s=0.6), json_reply({"programme": {}})])
    with make_client(server, sleeps, timeout_s=0.2) as client:
        result = client.programme(DAY)
    assert (result.payload, result.attempts) == ({"programme": {}}, 2)
    assert sleeps.delays == [1.0]


def test_time_outs_give_up_with_a_transport_error(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script(api(programme_path(DAY)), [Reply(200, b"{}", delay_s=0.6)])
    retry = RetryPolicy(max_attempts=2, jitter_s=0.0)
    client = make_client(server, sleeps, timeout_s=0.2, retry=retry)
    with client, pytest.raises(PmuTransportError) as caught:
        client.programme(DAY)
    assert caught.value.url == server.url + api(programme_path(DAY))
    assert caught.value.attempts == 2
    assert caught.value.url in str(caught.value)


def test_fetch_many_keeps_input_order(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    paths = [participants_path(DAY, 1, c) for c in range(1, 6)]
    for course, path in enumerate(paths, start=1):
        # The first races answer last, so completion order is the reverse of input order.
        server.script(api(path), [json_reply({"course": course}, delay_s=0.05 * (6 - course))])
    done: list[tuple[int, int]] = []
    with make_client(server, sleeps, concurrency=5) as client:
        results = client.fetch_many(paths, progress=lambda n, total: done.append((n, total)))
    assert [r.path for r in results] == paths
    assert [r.payload for r in results] == [{"course": c} for c in range(1, 6)]
    assert done == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_fetch_many_bounds_concurrency(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    paths = [participants_path(DAY, 3, c) for c in range(1, 10)]
    for path in paths:
        server.script(api(path), [json_reply({"participants": []}, delay_s=0.15)])
    with make_client(server, sleeps, concurrency=3) as client:
        results = client.fetch_many(paths)
    assert len(results) == 9
    assert 2 <= server.max_in_flight <= 3


def test_fetch_many_finishes_the_others_then_raises_with_results(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    paths = [participants_path(DAY, 4, c) for c in range(1, 5)]
    for course, path in enumerate(paths, start=1):
        server.script(api(path), [json_reply({"course": course})])
    server.script(api(paths[1]), [403])
    server.script(api(paths[3]), [Reply(200, b"{not json")])
    with make_client(server, sleeps, concurrency=2) as client, pytest.raises(PmuHttpError) as caught:
        client.fetch_many(paths)
    assert caught.value.status == 403
    outcomes = caught.value.results  # type: ignore[attr-defined]
    assert len(outcomes) == 4
    assert [o.payload for o in outcomes if isinstance(o, FetchResult)] == [{"course": 1}, {"course": 3}]
    assert isinstance(outcomes[1], PmuHttpError)
    assert isinstance(outcomes[3], PmuMalformedResponse)
    assert "2 of 4 PMU requests failed" in caught.value.__notes__[0]
    assert [server.hits(api(p)) for p in paths] == [1, 1, 1, BODY_TRIES]


def test_fetch_many_rapports_not_final_and_lists(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    paths = [rapports_path(DAY, 1, 1), rapports_path(DAY, 1, 2), rapports_path(DAY, 1, 3)]
    server.script(api(paths[0]), [json_reply(BETS)])
    server.script(api(paths[1]), [404])
    server.script(api(paths[2]), [204])
    with make_client(server, sleeps) as client:
        results = client.fetch_many(paths, not_final_on_404=True)
    assert [(r.status, r.not_final, r.no_data) for r in results] == [
        (200, False, False),
        (404, True, False),
        (204, False, True),
    ]
    assert results[0].payload == BETS


def test_fetch_many_of_nothing(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    with make_client(server, sleeps) as client:
        assert client.fetch_many([]) == []
    assert server.requests == []


def test_rate_limit_spaces_requests_whatever_the_concurrency(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    paths = [participants_path(DAY, 5, c) for c in range(1, 7)]
    for path in paths:
        server.script(api(path), [json_reply({"participants": []})])
    with make_client(server, sleeps, rate_limit_per_s=5, concurrency=4) as client:
        results = client.fetch_many(paths)
    assert len(results) == 6
    arrivals = sorted(r.arrived_at for r in server.requests)
    assert len(arrivals) == 6
    assert_spaced(arrivals, 0.2)


def test_paths_and_base_urls_are_checked(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    with make_client(server, sleeps) as client:
        assert client.url_for("/programme/23032026") == server.url + "/rest/client/61/programme/23032026"
        with pytest.raises(ValueError, match="programme/23032026"):
            client.get("programme/23032026")
    with pytest.raises(ValueError, match="ftp://pmu"):
        PmuClient("ftp://pmu")
    with pytest.raises(ValueError, match="concurrency"):
        PmuClient(concurrency=0)
    with PmuClient() as live:
        assert live.base_url == DEFAULT_BASE_URL


# Bounded answers: body size per endpoint, deadline per attempt, redirects within the API's origin.


def gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return packer.compress(bytes(size)) + packer.flush()


def test_default_body_limits_leave_room_over_the_largest_captures(pmu_samples: Path) -> None:
    with PmuClient() as client:
        limits = {
            endpoint: client.body_limit(path)
            for endpoint, path in [
                ("programme", programme_path(DAY)),
                ("reunion", "/programme/23032026/R1"),
                ("participants", participants_path(DAY, 1, 1)),
                ("performances", performances_path(DAY, 1, 1)),
                ("rapports", rapports_path(DAY, 1, 1)),
                ("default", "/somewhere/else"),
            ]
        }
    assert limits == {name: round(mb * 2**20) for name, mb in DEFAULT_MAX_BODY_MB.items()}
    largest = {
        "programme": "programme_*.json",
        "participants": "participants_*.json",
        "reunion": "reunion_*.json",
    }
    for endpoint, pattern in largest.items():
        biggest = max(p.stat().st_size for p in pmu_samples.glob(pattern))
        assert limits[endpoint] >= 10 * biggest, endpoint


def test_oversize_body_is_a_pmu_error_naming_url_and_limit_and_not_retried(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    server.script(api(programme_path(DAY)), [json_reply({"programme": {"pad": "x" * 20_000}})])
    with make_client(server, sleeps, max_body_mb={"programme": 0.01}) as client:
        with pytest.raises(PmuBodyTooLarge) as caught:
            client.programme(DAY)
        assert client.stats.requests == 1
    url = server.url + api(programme_path(DAY))
    error = caught.value
    assert isinstance(error, PmuError)
    assert (error.url, error.limit_bytes, error.attempts) == (url, 10486, 1)
    assert url in str(error) and "exceeded the body limit of 10486 bytes" in str(error)
    assert server.hits(api(programme_path(DAY))) == 1
    assert sleeps.delays == []


def test_gzip_body_is_limited_after_decompression(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    path = participants_path(DAY, 1, 2)
    bomb = gzip_of_zeros(16 * 2**20)
    server.script(
        api(path), [Reply(200, bomb, {"Content-Encoding": "gzip", "Content-Type": "application/json"})]
    )
    with make_client(server, sleeps, max_body_mb=1) as client, pytest.raises(PmuBodyTooLarge) as caught:
        client.participants(DAY, 1, 2)
    assert len(bomb) < 2**20 / 10
    assert 2**20 < caught.value.received <= 2**20 + 64 * 1024
    assert "read" in str(caught.value)


def test_limits_are_per_endpoint(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    body = {"participants": [{"nom": "X" * 5000}]}
    server.script(api(participants_path(DAY, 1, 1)), [json_reply(body)])
    server.script(api(programme_path(DAY)), [json_reply({"programme": {"nom": "X" * 5000}})])
    with make_client(server, sleeps, max_body_mb={"participants": 0.001}) as client:
        assert client.programme(DAY).payload == {"programme": {"nom": "X" * 5000}}
        with pytest.raises(PmuBodyTooLarge):
            client.participants(DAY, 1, 1)


def test_fetch_many_keeps_the_others_when_one_body_is_too_large(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    paths = [participants_path(DAY, 6, c) for c in range(1, 4)]
    for course, path in enumerate(paths, start=1):
        server.script(api(path), [json_reply({"course": course})])
    server.script(api(paths[1]), [json_reply({"pad": "x" * 5000})])
    client = make_client(server, sleeps, max_body_mb={"participants": 0.001})
    with client, pytest.raises(PmuBodyTooLarge) as caught:
        client.fetch_many(paths)
    outcomes = caught.value.results  # type: ignore[attr-defined]
    assert [o.payload if isinstance(o, FetchResult) else type(o) for o in outcomes] == [
        {"course": 1},
        PmuBodyTooLarge,
        {"course": 3},
    ]
    assert [server.hits(api(p)) for p in paths] == [1, 1, 1]


def test_landing_records_an_oversize_body_as_a_failed_request(
    server: ScriptedServer, sleeps: SleepRecorder, tmp_path: Path
) -> None:
    paths = [participants_path(DAY, 7, 1), participants_path(DAY, 7, 2)]
    server.script(api(paths[0]), [json_reply({"participants": []})])
    server.script(api(paths[1]), [json_reply({"participants": [{"nom": "x" * 5000}]})])
    store = LocalFileStore(tmp_path)
    with make_client(server, sleeps, max_body_mb={"participants": 0.001}) as client:
        manifest = land(client, store, "participants", paths, DAY.isoformat())
    assert [r.path for r in manifest.failed] == [paths[1]]
    assert "exceeded the body limit" in (manifest.failed[0].error or "")
    assert [r.path for r in manifest.with_data] == [paths[0]]


def test_dripping_answer_is_cut_at_the_deadline_and_retried(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    server.script(api(programme_path(DAY)), [Reply(200, b'{"programme": {}}' * 10, drip_s=0.05)])
    retry = RetryPolicy(max_attempts=2, jitter_s=0.0)
    started = time.monotonic()
    client = make_client(server, sleeps, retry=retry, deadline_s=0.3)
    with client, pytest.raises(PmuTransportError) as caught:
        client.programme(DAY)
    assert caught.value.attempts == 2 and "deadline of 0.3 s passed" in caught.value.reason
    assert 0.55 <= time.monotonic() - started < 1.5
    assert sleeps.delays == [1.0]


def test_same_origin_redirect_is_followed_and_others_refused(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    moved, away = participants_path(DAY, 8, 1), participants_path(DAY, 8, 2)
    server.script(api(moved), [Reply(301, headers={"Location": "/rest/client/62" + moved})])
    server.script("/rest/client/62" + moved, [json_reply({"participants": []})])
    with ScriptedServer() as other:
        server.script(api(away), [Reply(302, headers={"Location": other.url_for("/x")})])
        with make_client(server, sleeps) as client:
            assert client.participants(DAY, 8, 1).payload == {"participants": []}
            with pytest.raises(PmuRedirectRefused) as caught:
                client.participants(DAY, 8, 2)
        assert other.requests == []
    error = caught.value
    assert (error.url, error.location) == (server.url + api(away), other.url_for("/x"))
    assert server.url + api(away) in str(error) and other.url_for("/x") in str(error)
    assert server.hits(api(away)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("32", dict.fromkeys(DEFAULT_MAX_BODY_MB, 32.0)),
        ("programme=48, performances=64", {"programme": 48.0, "performances": 64.0}),
        ("8,programme=32", {**dict.fromkeys(DEFAULT_MAX_BODY_MB, 8.0), "programme": 32.0}),
        ("0.5", dict.fromkeys(DEFAULT_MAX_BODY_MB, 0.5)),
    ],
)
def test_max_body_mb_one_line_form(text: str, expected: dict[str, float]) -> None:
    assert parse_max_body_mb(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("big", "not MB"),
        ("programme=0", "> 0"),
        ("odds=3", "unknown endpoint"),
        ("-1", "> 0"),
        ("nan", "> 0"),
    ],
)
def test_max_body_mb_one_line_form_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_max_body_mb(text)
