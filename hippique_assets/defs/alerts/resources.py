"""The notification channels as a resource, configured from ``HIPPIQUE_ALERT_*``; off until configured.

The SMTP login, its password and the webhook URL (which holds the webhook's token) reach the resource
through ``EnvVar``, so the UI and the run logs only ever show the variables' names.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import time, timedelta
from typing import Any

from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from hippique_assets.alerts import (
    DEFAULT_ATTEMPTS,
    DEFAULT_BACKOFF_S,
    DEFAULT_BUDGET_S,
    Alert,
    Channel,
    Delivery,
    EmailChannel,
    WebhookChannel,
    deliver,
    run_link,
)
from hippique_assets.racing.watch import Thresholds
from hippique_assets.settings import SettingsError, _float, _int, _switch

logger = logging.getLogger(__name__)

SMTP_PORT_STARTTLS = 587
SMTP_PORT_PLAIN = 25


class NotificationsResource(ConfigurableResource):
    """Sends alerts by e-mail (when ``smtp_host`` is set) and to a chat webhook (when ``webhook_url``
    is set); with neither, :meth:`send` does nothing. Build it with :func:`build_notifications`."""

    smtp_host: str | None = None
    # Unset: 587 with STARTTLS, 25 without.
    smtp_port: int | None = None
    smtp_starttls: bool = True
    smtp_user: str | None = None
    smtp_password: str | None = None
    email_from: str | None = None
    email_to: list[str] = Field(default_factory=list)
    webhook_url: str | None = None
    attempts: int = DEFAULT_ATTEMPTS
    backoff_s: float = DEFAULT_BACKOFF_S
    # Longest time one send() may take, all channels and retries included.
    budget_s: float = DEFAULT_BUDGET_S
    # Per network operation of one attempt (also cut to what is left of the budget).
    timeout_s: float = 10.0
    ui_url: str | None = None

    @property
    def enabled(self) -> bool:
        """Whether any channel is configured."""
        return bool(self.smtp_host or self.webhook_url)

    def run_url(self, run_id: str) -> str | None:
        """The run's page in the Dagster UI (``{ui_url}/runs/{run_id}``), None without ``ui_url``."""
        return run_link(self.ui_url, run_id)

    def channels(self) -> list[Channel]:
        """The configured channels, e-mail first; raises ValueError for an unusable configuration."""
        return [factory() for _, factory in self._channel_factories()]

    def send(self, alert: Alert) -> list[Delivery]:
        """Deliver ``alert`` on every configured channel, within ``budget_s``; one record per channel,
        never an exception. An empty list when alerts are off."""
        deliveries: dict[int, Delivery] = {}
        channels: dict[int, Channel] = {}
        for index, (name, factory) in enumerate(self._channel_factories()):
            try:
                channels[index] = factory()
            except ValueError as exc:
                logger.warning("alert %s: %s channel not usable: %s", alert.dedup_key, name, exc)
                deliveries[index] = Delivery(name, "(misconfigured)", ok=False, attempts=0, error=str(exc))
        if channels:
            try:
                sent = deliver(
                    alert,
                    channels.values(),
                    attempts=self.attempts,
                    backoff_s=self.backoff_s,
                    budget_s=self.budget_s,
                )
            except ValueError as exc:
                sent = [
                    Delivery(
                        channel.name, channel.target, ok=False, attempts=0, error=f"misconfigured: {exc}"
                    )
                    for channel in channels.values()
                ]
            deliveries.update(zip(channels, sent, strict=True))
        return [deliveries[index] for index in sorted(deliveries)]

    def _channel_factories(self) -> list[tuple[str, Callable[[], Channel]]]:
        factories: list[tuple[str, Callable[[], Channel]]] = []
        if self.smtp_host:
            factories.append(("email", self._email))
        if self.webhook_url:
            factories.append(("webhook", self._webhook))
        return factories

    def _email(self) -> EmailChannel:
        if not self.email_from:
            raise ValueError("e-mail alerts need a sender address (HIPPIQUE_ALERT_EMAIL_FROM)")
        default_port = SMTP_PORT_STARTTLS if self.smtp_starttls else SMTP_PORT_PLAIN
        return EmailChannel(
            host=self.smtp_host or "",
            port=self.smtp_port or default_port,
            starttls=self.smtp_starttls,
            username=self.smtp_user or None,
            password=self.smtp_password or None,
            sender=self.email_from,
            recipients=tuple(self.email_to),
            timeout_s=self.timeout_s,
        )

    def _webhook(self) -> WebhookChannel:
        return WebhookChannel(url=self.webhook_url or "", timeout_s=self.timeout_s)


def build_notifications(environ: Mapping[str, str] | None = None) -> NotificationsResource:
    """The resource from the environment (``os.environ`` by default), checked the way
    :func:`hippique_assets.settings.load_settings` checks settings: an unusable combination raises
    :class:`~hippique_assets.settings.SettingsError` naming the variable, never its secret value."""
    env = os.environ if environ is None else environ

    def text(name: str) -> str | None:
        return (env.get(name) or "").strip() or None

    def secret(name: str) -> Any:
        return EnvVar(name) if text(name) else None

    host = text("HIPPIQUE_ALERT_SMTP_HOST")
    recipients = [address.strip() for address in (env.get("HIPPIQUE_ALERT_EMAIL_TO") or "").split(",")]
    values: dict[str, Any] = dict(
        smtp_host=host,
        smtp_port=_port(env),
        smtp_starttls=_switch(env, "HIPPIQUE_ALERT_SMTP_STARTTLS", default=True),
        email_from=text("HIPPIQUE_ALERT_EMAIL_FROM"),
        email_to=[address for address in recipients if address],
        attempts=_int(env, "HIPPIQUE_ALERT_ATTEMPTS", DEFAULT_ATTEMPTS),
        backoff_s=_float(env, "HIPPIQUE_ALERT_BACKOFF_S", DEFAULT_BACKOFF_S),
        budget_s=_float(env, "HIPPIQUE_ALERT_BUDGET_S", DEFAULT_BUDGET_S),
        ui_url=text("HIPPIQUE_UI_URL"),
    )
    if not values["budget_s"] > 0:
        raise SettingsError("HIPPIQUE_ALERT_BUDGET_S must be > 0")
    if bool(text("HIPPIQUE_ALERT_SMTP_USER")) != bool(text("HIPPIQUE_ALERT_SMTP_PASSWORD")):
        raise SettingsError("HIPPIQUE_ALERT_SMTP_USER and HIPPIQUE_ALERT_SMTP_PASSWORD go together")
    if host and not values["email_to"]:
        raise SettingsError("HIPPIQUE_ALERT_SMTP_HOST is set: HIPPIQUE_ALERT_EMAIL_TO needs an address")
    # Checked with the real values, then handed over as EnvVar so the values stay out of the config.
    checked = NotificationsResource(
        **values,
        smtp_user=text("HIPPIQUE_ALERT_SMTP_USER"),
        smtp_password=text("HIPPIQUE_ALERT_SMTP_PASSWORD"),
        webhook_url=text("HIPPIQUE_ALERT_WEBHOOK_URL"),
    )
    for name, factory in checked._channel_factories():
        try:
            factory()
        except ValueError as exc:
            raise SettingsError(f"{name} alerts: {exc}") from None
    return NotificationsResource(
        **values,
        smtp_user=secret("HIPPIQUE_ALERT_SMTP_USER"),
        smtp_password=secret("HIPPIQUE_ALERT_SMTP_PASSWORD"),
        webhook_url=secret("HIPPIQUE_ALERT_WEBHOOK_URL"),
    )


def _port(env: Mapping[str, str]) -> int | None:
    if not (env.get("HIPPIQUE_ALERT_SMTP_PORT") or "").strip():
        return None
    port = _int(env, "HIPPIQUE_ALERT_SMTP_PORT", SMTP_PORT_STARTTLS)
    if port > 65535:
        raise SettingsError(f"HIPPIQUE_ALERT_SMTP_PORT must be a TCP port, got {port}")
    return port


def build_thresholds(environ: Mapping[str, str] | None = None) -> Thresholds:
    """The watch's limits from ``HIPPIQUE_ALERT_*`` (defaults: the operations guide's)."""
    env = os.environ if environ is None else environ
    default = Thresholds()
    deadline = (env.get("HIPPIQUE_ALERT_PLAN_DEADLINE") or "").strip()
    try:
        plan_deadline = time.fromisoformat(deadline) if deadline else default.plan_deadline
    except ValueError:
        raise SettingsError(f"HIPPIQUE_ALERT_PLAN_DEADLINE must be HH:MM (Paris), got {deadline!r}") from None
    share = _float(env, "HIPPIQUE_ALERT_FAILED_ANALYSES_SHARE", default.failed_analyses_share)
    if share > 1:
        raise SettingsError(f"HIPPIQUE_ALERT_FAILED_ANALYSES_SHARE must be between 0 and 1, got {share}")
    return Thresholds(
        plan_deadline=plan_deadline,
        first_run_grace=timedelta(
            minutes=_float(
                env, "HIPPIQUE_ALERT_FIRST_RUN_GRACE_MIN", default.first_run_grace.total_seconds() / 60
            )
        ),
        h5_late=timedelta(seconds=_float(env, "HIPPIQUE_ALERT_H5_LATE_S", default.h5_late.total_seconds())),
        failed_analyses_share=share,
        queue_depth=_int(env, "HIPPIQUE_ALERT_QUEUE_DEPTH", default.queue_depth),
        shrunk_races=_int(env, "HIPPIQUE_ALERT_SHRUNK_RACES", default.shrunk_races),
        day_end_wait=timedelta(
            minutes=_float(env, "HIPPIQUE_ALERT_DAY_END_WAIT_MIN", default.day_end_wait.total_seconds() / 60)
        ),
        ledger_deadline=timedelta(
            minutes=_float(
                env, "HIPPIQUE_ALERT_LEDGER_DEADLINE_MIN", default.ledger_deadline.total_seconds() / 60
            )
        ),
    )
