"""The notification channels as a resource, configured from ``HIPPIQUE_ALERT_*`` (read by
:class:`~hippique_assets.defs.alerts.alert_settings.AlertSettings`); off until configured.

The SMTP login, its password and the webhook URL (which holds the webhook's token) reach the resource
through ``EnvVar``, so the UI and the run logs only ever show the variables' names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from dagster import ConfigurableResource, EnvVar
from pydantic import Field, SecretStr

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
from hippique_assets.defs.alerts.alert_settings import AlertSettings
from hippique_assets.racing.watch import Thresholds
from hippique_assets.settings_errors import SettingsError

logger = logging.getLogger(__name__)

SMTP_PORT_STARTTLS = 587
SMTP_PORT_PLAIN = 25
# The resource's fields that reach it through EnvVar (fields of AlertSettings of the same names).
SECRET_FIELDS = ("smtp_user", "smtp_password", "webhook_url")


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
    :class:`~hippique_assets.settings_errors.SettingsError` naming the variable, never its secret value."""
    settings = AlertSettings.load(environ)
    values: dict[str, Any] = dict(
        smtp_host=settings.smtp_host,
        smtp_port=settings.smtp_port,
        smtp_starttls=settings.smtp_starttls,
        email_from=settings.email_from,
        email_to=list(settings.email_to),
        attempts=settings.attempts,
        backoff_s=settings.backoff_s,
        budget_s=settings.budget_s,
        ui_url=settings.ui_url,
    )
    secrets: dict[str, SecretStr | None] = {field: getattr(settings, field) for field in SECRET_FIELDS}
    # Checked with the real values, then handed over as EnvVar so the values stay out of the config.
    revealed: dict[str, Any] = {field: _revealed(value) for field, value in secrets.items()}
    checked = NotificationsResource(**values, **revealed)
    for name, factory in checked._channel_factories():
        try:
            factory()
        except ValueError as exc:
            raise SettingsError(f"{name} alerts: {exc}") from None
    by_name: dict[str, Any] = {
        field: EnvVar(AlertSettings.variable_of(field)) if value is not None else None
        for field, value in secrets.items()
    }
    return NotificationsResource(**values, **by_name)


def _revealed(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None


def build_thresholds(environ: Mapping[str, str] | None = None) -> Thresholds:
    """The watch's limits from ``HIPPIQUE_ALERT_*`` (defaults: the operations guide's)."""
    return AlertSettings.load(environ).thresholds()
