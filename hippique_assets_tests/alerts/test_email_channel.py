"""E-mail alerts against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from hippique_assets.alerts import Alert, Delivery, EmailChannel, deliver
from hippique_assets_tests.alerts.conftest import RUN_URL
from hippique_assets_tests.alerts.receivers import refused_port, smtp_server, stalled_port

PASSWORD = "Pa55-w0rd-not-for-logs"


def _channel(port: int, **changes: object) -> EmailChannel:
    values: dict[str, object] = dict(
        host="127.0.0.1",
        port=port,
        starttls=False,
        sender="hippique@example.org",
        recipients=("ops@example.org", "oncall@example.org"),
        timeout_s=2.0,
    )
    return EmailChannel(**{**values, **changes})  # type: ignore[arg-type]


def _no_secret_anywhere(deliveries: list[Delivery], caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    shown = [d.error or "" for d in deliveries] + [r.getMessage() for r in caplog.records]
    shown += [str(r.args) for r in caplog.records]
    for secret in secrets:
        assert not any(secret in text for text in shown), secret


def test_the_mail_arrives_with_severity_title_fields_and_run_link(alert: Alert) -> None:
    with smtp_server() as (inbox, port):
        [delivery] = deliver(alert, [_channel(port)], attempts=2, backoff_s=0.01)
    assert delivery.ok and delivery.attempts == 1 and delivery.error is None
    assert delivery.channel == "email" and delivery.target == f"smtp://127.0.0.1:{port}"
    [mail] = inbox.mails
    assert mail.mail_from == "hippique@example.org"
    assert mail.rcpt_tos == ("ops@example.org", "oncall@example.org")
    subject = mail.message["Subject"]
    assert "CRITICAL" in subject and "H-5 run failed for R1C4" in subject
    assert mail.message["X-Hippique-Alert"] == alert.dedup_key
    body = mail.body
    assert "The H-5 snapshot of R1C4 failed" in body
    assert "race: 2026-03-23-R1C4" in body and "step: odds_h5" in body
    assert RUN_URL in body
    assert mail.login is None


def test_login_over_plain_loopback(alert: Alert, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with smtp_server(user="alerts", password=PASSWORD) as (inbox, port):
        [delivery] = deliver(alert, [_channel(port, username="alerts", password=PASSWORD)], attempts=1)
    assert delivery.ok
    [mail] = inbox.mails
    assert mail.login == "alerts"
    assert inbox.logins[-1] == ("alerts", True)
    _no_secret_anywhere([delivery], caplog, PASSWORD)


def test_a_refused_login_is_a_failed_delivery_without_retry_or_password(
    alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with smtp_server(user="alerts", password="the-right-one") as (inbox, port):
        [delivery] = deliver(
            alert, [_channel(port, username="alerts", password=PASSWORD)], attempts=3, backoff_s=0.01
        )
    assert not delivery.ok
    assert delivery.attempts == 1
    assert delivery.error is not None and delivery.error.startswith("login refused: 535")
    assert inbox.mails == []
    assert inbox.logins and not any(ok for _, ok in inbox.logins)
    _no_secret_anywhere([delivery], caplog, PASSWORD)


def test_starttls_then_login(alert: Alert, tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    from hippique_assets_tests.alerts.tls import loopback_tls

    server_tls, client_tls = loopback_tls(tmp_path)
    with smtp_server(user="alerts", password=PASSWORD, tls_context=server_tls) as (inbox, port):
        channel = _channel(port, starttls=True, username="alerts", password=PASSWORD, tls_context=client_tls)
        [delivery] = deliver(alert, [channel], attempts=1)
    assert delivery.ok, delivery.error
    [mail] = inbox.mails
    assert mail.over_tls and mail.login == "alerts"


def test_starttls_required_but_not_offered_sends_nothing(alert: Alert) -> None:
    with smtp_server(user="alerts", password=PASSWORD) as (inbox, port):
        channel = _channel(port, starttls=True, username="alerts", password=PASSWORD)
        [delivery] = deliver(alert, [channel], attempts=3, backoff_s=0.01)
    assert not delivery.ok and delivery.attempts == 1
    assert delivery.error == "the server does not offer STARTTLS"
    assert inbox.logins == [] and inbox.mails == []


def test_an_unreachable_server_is_retried_then_recorded(
    alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    channel = _channel(refused_port(), username="alerts", password=PASSWORD)
    [delivery] = deliver(alert, [channel], attempts=3, backoff_s=0.01)
    assert not delivery.ok
    assert delivery.attempts == 3
    assert delivery.error == "connection refused (gave up after 3 attempt(s))"
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2
    _no_secret_anywhere([delivery], caplog, PASSWORD)


def test_a_silent_server_is_cut_by_the_budget(alert: Alert) -> None:
    with stalled_port() as port:
        started = time.monotonic()
        [delivery] = deliver(
            alert, [_channel(port, timeout_s=10.0)], attempts=5, backoff_s=0.01, budget_s=1.0
        )
        elapsed = time.monotonic() - started
    assert not delivery.ok
    assert elapsed < 1.8
    assert "no answer" in (delivery.error or "") or "budget" in (delivery.error or "")


def test_the_password_never_travels_in_clear_to_another_host() -> None:
    with pytest.raises(ValueError, match="unencrypted"):
        _channel(25, host="mail.example.org", username="alerts", password=PASSWORD)
    assert PASSWORD not in repr(_channel(25, username="alerts", password=PASSWORD))
