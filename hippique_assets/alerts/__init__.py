"""Alerts for the people who run the race day: what an alert says, the channels that carry it (e-mail,
chat webhook) and its delivery with retries within a time budget. Plain Python: the Dagster resource
that configures it lives in :mod:`hippique_assets.defs.alerts`."""

from hippique_assets.alerts.alert import SEVERITIES, Alert, Severity, dedup_key
from hippique_assets.alerts.channel import Channel, SendError
from hippique_assets.alerts.delivery import (
    DEFAULT_ATTEMPTS,
    DEFAULT_BACKOFF_S,
    DEFAULT_BUDGET_S,
    Delivery,
    deliver,
)
from hippique_assets.alerts.email_channel import EmailChannel
from hippique_assets.alerts.links import run_link
from hippique_assets.alerts.webhook_channel import WebhookChannel

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_BACKOFF_S",
    "DEFAULT_BUDGET_S",
    "SEVERITIES",
    "Alert",
    "Channel",
    "Delivery",
    "EmailChannel",
    "SendError",
    "Severity",
    "WebhookChannel",
    "dedup_key",
    "deliver",
    "run_link",
]
