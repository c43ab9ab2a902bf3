"""What an alert holds and how it reads in an e-mail and in the webhook JSON."""

from __future__ import annotations

import json
from datetime import date

import pytest

from hippique_assets.alerts import Alert, dedup_key, run_link
from hippique_assets.alerts.redact import mask_url, redact, url_secrets
from hippique_assets.alerts.render import DISCORD_CONTENT_MAX, email_body, headline, webhook_payload
from hippique_assets_tests.alerts.conftest import RUN_URL


def test_create_derives_the_dedup_key_from_condition_day_and_race(alert: Alert) -> None:
    assert alert.dedup_key == "h5_run_failed:2026-03-23:2026-03-23-R1C4"
    assert alert.day == date(2026, 3, 23)
    assert dedup_key("plan_missing", date(2026, 3, 23)) == "plan_missing:2026-03-23:-"


def test_fields_keep_their_order_and_cannot_be_changed(alert: Alert) -> None:
    assert list(alert.fields) == ["race", "phase", "reason", "step"]
    with pytest.raises(TypeError):
        alert.fields["race"] = "other"  # type: ignore[index]


@pytest.mark.parametrize(
    ("severity", "condition", "title"),
    [("fatal", "h5_run_failed", "t"), ("info", "H5 run failed", "t"), ("info", "h5_run_failed", " ")],
)
def test_unusable_values_are_refused(severity: str, condition: str, title: str) -> None:
    with pytest.raises(ValueError):
        Alert.create(severity, condition, title, day="2026-03-23")  # type: ignore[arg-type]


def test_email_body_has_the_text_the_fields_and_the_run_link(alert: Alert) -> None:
    body = email_body(alert)
    assert headline(alert) == "[CRITICAL] H-5 run failed for R1C4"
    assert body.startswith("The H-5 snapshot of R1C4 failed")
    for line in ("race: 2026-03-23-R1C4", "phase: h5", "reason: run_failed", f"Run: {RUN_URL}"):
        assert line in body.splitlines()
    assert alert.dedup_key in body


def test_webhook_payload_serves_slack_discord_and_plain_receivers(alert: Alert) -> None:
    payload = json.loads(json.dumps(webhook_payload(alert)))
    assert payload["text"].startswith("[CRITICAL] H-5 run failed for R1C4")
    assert payload["content"].startswith("**[CRITICAL] H-5 run failed for R1C4**")
    assert f"<{RUN_URL}>" in payload["content"]
    assert payload["allowed_mentions"] == {"parse": []}
    slack_fields = [f["text"] for b in payload["blocks"] if "fields" in b for f in b["fields"]]
    assert "*phase*\nh5" in slack_fields
    assert payload["alert"]["fields"] == dict(alert.fields)
    assert payload["alert"]["severity"] == "critical"
    assert payload["alert"]["dedup_key"] == alert.dedup_key
    assert payload["alert"]["run_url"] == RUN_URL


def test_a_long_alert_stays_within_the_chat_limits() -> None:
    long = Alert.create(
        "warning",
        "odds_missing",
        "x" * 400,
        day="2026-03-23",
        text=["line " + "y" * 900] * 10,
        fields={f"field{i}": "z" * 3000 for i in range(30)},
    )
    payload = webhook_payload(long)
    assert len(payload["content"]) == DISCORD_CONTENT_MAX
    assert payload["content"].endswith("…")
    assert len(payload["blocks"][0]["text"]["text"]) <= 150
    sections = [b for b in payload["blocks"] if "fields" in b]
    assert all(len(b["fields"]) <= 10 for b in sections)
    assert len(json.dumps(payload)) < 40_000


def test_slack_text_escapes_what_slack_would_read_as_links_or_mentions() -> None:
    odd = Alert.create("info", "note", "a <!channel> & b", day="2026-03-23")
    assert webhook_payload(odd)["text"] == "[INFO] a &lt;!channel&gt; &amp; b"


def test_run_link_points_at_the_run_page() -> None:
    assert run_link("https://ops.example/dagster/", "abc-123") == "https://ops.example/dagster/runs/abc-123"
    assert run_link(None, "abc-123") is None
    assert run_link("  ", "abc-123") is None


def test_webhook_urls_are_shown_as_scheme_and_host_only() -> None:
    url = "https://discord.com/api/webhooks/123456789012345678/tok3n-abcdefghijklmnop?wait=true"
    assert mask_url(url) == "https://discord.com"
    assert mask_url("http://127.0.0.1:8080/hook/secret") == "http://127.0.0.1:8080"
    shown = redact(f"POST {url} failed; token tok3n-abcdefghijklmnop echoed", url_secrets(url))
    assert "tok3n" not in shown
    assert "123456789012345678" not in shown
