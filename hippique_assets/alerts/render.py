"""An alert as the channels show it: an e-mail subject and body, and one JSON payload that Slack and
Discord incoming webhooks both accept."""

from __future__ import annotations

from typing import Any

from hippique_assets.alerts.alert import Alert

# Discord refuses a ``content`` longer than 2000 characters; Slack limits a header to 150 characters,
# a section text to 3000 and a section to 10 fields of 2000. Values are cut well below, so that a
# payload stays small whatever a caller puts in an alert.
DISCORD_CONTENT_MAX = 2000
SLACK_HEADER_MAX = 150
SLACK_SECTION_MAX = 3000
SLACK_FIELDS_PER_SECTION = 10
FIELD_VALUE_MAX = 500
FIELDS_MAX = 20
ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS


def headline(alert: Alert) -> str:
    """``[CRITICAL] <title>`` on one line: the e-mail subject and the first line of a chat message."""
    title = " ".join(alert.title.split())
    return f"[{alert.severity.upper()}] {title}"


def shown_fields(alert: Alert) -> list[tuple[str, str]]:
    """The fields as displayed: at most :data:`FIELDS_MAX`, each value cut to one short line."""
    return [
        (" ".join(name.split()), truncate(" ".join(value.split()), FIELD_VALUE_MAX))
        for name, value in list(alert.fields.items())[:FIELDS_MAX]
    ]


def footer(alert: Alert) -> str:
    return f"{alert.severity} · {alert.condition} · day {alert.day.isoformat()} · key {alert.dedup_key}"


def email_body(alert: Alert) -> str:
    """The plain-text body: the human lines, the fields, the run link, then the machine details."""
    lines = [*alert.text]
    fields = shown_fields(alert)
    if fields:
        lines += ["", *(f"{name}: {value}" for name, value in fields)]
    if alert.run_url:
        lines += ["", f"Run: {alert.run_url}"]
    lines += ["", "-- ", footer(alert)]
    return "\n".join(lines).lstrip("\n") + "\n"


def webhook_payload(alert: Alert) -> dict[str, Any]:
    """The JSON body of a webhook call.

    ``text`` and ``blocks`` are Slack's (``text`` is also its notification line), ``content`` is
    Discord's (each service ignores the other's keys), ``allowed_mentions`` keeps Discord from pinging
    anyone a value happens to name, and ``alert`` carries the structured alert for any other receiver.
    """
    return {
        "text": _slack_escape(_chat_text(alert)),
        "content": truncate(_discord_content(alert), DISCORD_CONTENT_MAX),
        "allowed_mentions": {"parse": []},
        "blocks": _slack_blocks(alert),
        "alert": {
            "severity": alert.severity,
            "condition": alert.condition,
            "title": alert.title,
            "text": [truncate(line, FIELD_VALUE_MAX) for line in alert.text],
            "fields": dict(shown_fields(alert)),
            "dedup_key": alert.dedup_key,
            "day": alert.day.isoformat(),
            "race_key": alert.race_key,
            "run_url": alert.run_url,
        },
    }


def _chat_text(alert: Alert) -> str:
    lines = [headline(alert), *alert.text]
    lines += [f"{name}: {value}" for name, value in shown_fields(alert)]
    if alert.run_url:
        lines.append(f"Run: {alert.run_url}")
    return truncate("\n".join(lines), DISCORD_CONTENT_MAX)


def _discord_content(alert: Alert) -> str:
    lines = [f"**{headline(alert)}**", *alert.text]
    lines += [f"**{name}**: {value}" for name, value in shown_fields(alert)]
    if alert.run_url:
        # Angle brackets keep Discord from unfurling the link into a preview.
        lines.append(f"Run: <{alert.run_url}>")
    return "\n".join(lines)


def _slack_blocks(alert: Alert) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": truncate(headline(alert), SLACK_HEADER_MAX)},
        }
    ]
    body = truncate(_slack_escape("\n".join(alert.text)), SLACK_SECTION_MAX)
    # Slack refuses a section with blank text.
    if body.strip():
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body}})
    fields = [
        {"type": "mrkdwn", "text": f"*{_slack_escape(name)}*\n{_slack_escape(value)}"}
        for name, value in shown_fields(alert)
    ]
    for start in range(0, len(fields), SLACK_FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[start : start + SLACK_FIELDS_PER_SECTION]})
    if alert.run_url:
        link = f"<{_slack_escape(alert.run_url)}|Open the run in Dagster>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": link}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(footer(alert))}]})
    return blocks


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn reads ``<...>`` as links and mentions: the three control characters are escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
