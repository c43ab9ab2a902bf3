"""Webhook alerts against a real HTTP receiver on loopback."""

from __future__ import annotations

import logging
import time

import pytest

from hippique_assets.alerts import Alert, Delivery, WebhookChannel, deliver
from hippique_assets_tests.alerts.conftest import RUN_URL
from hippique_assets_tests.alerts.receivers import Answer, WebhookReceiver, refused_port

TOKEN_PATH = "/services/T0TEST/B0TEST/s3cr3t-t0ken-abcdef123456"
TOKEN = "s3cr3t-t0ken-abcdef123456"


def _channel(receiver: WebhookReceiver, **changes: object) -> WebhookChannel:
    return WebhookChannel(url=receiver.url + TOKEN_PATH, **{"timeout_s": 2.0, **changes})  # type: ignore[arg-type]


def _no_token_anywhere(deliveries: list[Delivery], caplog: pytest.LogCaptureFixture) -> None:
    shown = [d.error or "" for d in deliveries] + [d.target for d in deliveries]
    shown += [r.getMessage() for r in caplog.records]
    assert not any(TOKEN in text or TOKEN_PATH in text for text in shown)


def test_the_json_arrives_with_text_content_and_fields(alert: Alert) -> None:
    with WebhookReceiver() as receiver:
        [delivery] = deliver(alert, [_channel(receiver)], attempts=2, backoff_s=0.01)
    assert delivery == Delivery("webhook", receiver.url, ok=True, attempts=1, elapsed_s=delivery.elapsed_s)
    [post] = receiver.posts
    assert post.path == TOKEN_PATH
    assert post.headers["Content-Type"] == "application/json"
    payload = post.json
    assert "H-5 run failed for R1C4" in payload["text"]
    assert "H-5 run failed for R1C4" in payload["content"] and RUN_URL in payload["content"]
    assert payload["alert"]["fields"] == {
        "race": "2026-03-23-R1C4",
        "phase": "h5",
        "reason": "run_failed",
        "step": "odds_h5",
    }
    assert payload["alert"]["condition"] == "h5_run_failed"


def test_a_receiver_that_fails_once_gets_the_alert_on_retry(
    alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with WebhookReceiver([Answer(500, b"oops"), 204]) as receiver:
        [delivery] = deliver(alert, [_channel(receiver)], attempts=3, backoff_s=0.01)
    assert delivery.ok and delivery.attempts == 2
    assert [p.json["alert"]["dedup_key"] for p in receiver.posts] == [alert.dedup_key] * 2
    assert any("HTTP 500: oops; retrying" in r.getMessage() for r in caplog.records)
    _no_token_anywhere([delivery], caplog)


def test_a_4xx_answer_is_recorded_without_retry(alert: Alert, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # A receiver that echoes the path it does not know, as some do.
    with WebhookReceiver([Answer(404, f"no webhook at {TOKEN_PATH}".encode())]) as receiver:
        [delivery] = deliver(alert, [_channel(receiver)], attempts=3, backoff_s=0.01)
    assert not delivery.ok and delivery.attempts == 1
    assert delivery.error == "HTTP 404: no webhook at ***"
    assert len(receiver.posts) == 1
    _no_token_anywhere([delivery], caplog)


def test_a_5xx_answer_is_retried_until_attempts_run_out(alert: Alert) -> None:
    with WebhookReceiver([503]) as receiver:
        [delivery] = deliver(alert, [_channel(receiver)], attempts=3, backoff_s=0.01)
    assert not delivery.ok and delivery.attempts == 3 and len(receiver.posts) == 3
    assert delivery.error is not None and delivery.error.startswith("HTTP 503")
    assert delivery.error.endswith("(gave up after 3 attempt(s))")


def test_429_waits_as_the_receiver_asks(alert: Alert) -> None:
    with WebhookReceiver([Answer(429, headers={"Retry-After": "0.3"}), 200]) as receiver:
        [delivery] = deliver(alert, [_channel(receiver)], attempts=2, backoff_s=0.01)
    assert delivery.ok and delivery.attempts == 2
    first, second = receiver.posts
    assert second.arrived_at - first.arrived_at >= 0.3


def test_a_slow_receiver_is_cut_by_the_budget(alert: Alert) -> None:
    with WebhookReceiver([Answer(200, delay_s=2.5)]) as receiver:
        started = time.monotonic()
        [delivery] = deliver(alert, [_channel(receiver, timeout_s=10.0)], attempts=3, budget_s=1.0)
        elapsed = time.monotonic() - started
    assert not delivery.ok
    assert elapsed < 1.8
    assert delivery.error is not None and "no answer within" in delivery.error


def test_an_unreachable_receiver_is_a_failed_delivery(alert: Alert, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    channel = WebhookChannel(url=f"http://127.0.0.1:{refused_port()}{TOKEN_PATH}", timeout_s=1.0)
    [delivery] = deliver(alert, [channel], attempts=2, backoff_s=0.01)
    assert not delivery.ok and delivery.attempts == 2
    assert delivery.error == "cannot connect: connection refused (gave up after 2 attempt(s))"
    _no_token_anywhere([delivery], caplog)


def test_one_slow_channel_does_not_hold_up_another(alert: Alert) -> None:
    with WebhookReceiver([Answer(200, delay_s=2.5)]) as slow, WebhookReceiver() as fast:
        started = time.monotonic()
        deliveries = deliver(alert, [_channel(slow), _channel(fast)], attempts=1, budget_s=1.0)
        elapsed = time.monotonic() - started
    assert [d.ok for d in deliveries] == [False, True]
    assert [d.target for d in deliveries] == [slow.url, fast.url]
    assert elapsed < 1.8


def test_the_url_must_be_https_beyond_loopback() -> None:
    with pytest.raises(ValueError, match="https") as raised:
        WebhookChannel(url=f"http://hooks.example.org{TOKEN_PATH}")
    assert TOKEN not in str(raised.value)
    channel = WebhookChannel(url=f"https://hooks.example.org{TOKEN_PATH}")
    assert channel.target == "https://hooks.example.org"
    assert TOKEN not in repr(channel)
