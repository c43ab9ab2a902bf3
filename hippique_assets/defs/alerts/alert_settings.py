"""The alerts' settings: the ``HIPPIQUE_ALERT_*`` variables and ``HIPPIQUE_UI_URL``, one field each.

Read on their own (the notification channels and the watch's thresholds are built from them), with the
bounded types of :mod:`hippique_assets.settings` and its error lines: a bad value raises
:class:`~hippique_assets.settings_errors.SettingsError` naming the variable and what it accepts, never the
value of a secret. The README's configuration table documents every variable.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, model_validator
from pydantic_settings import NoDecode

from hippique_assets.alerts import DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_S, DEFAULT_BUDGET_S
from hippique_assets.racing.watch import Thresholds
from hippique_assets.settings import Count, Rate, Seconds, Switch, VariableSettings, variable

MAX_PORT = 65535
DEFAULT_LIMITS = Thresholds()


def check_port(port: int) -> int:
    if not 1 <= port <= MAX_PORT:
        raise ValueError(f"must be a TCP port (1 to {MAX_PORT})")
    return port


def parse_paris_time(raw: object) -> object:
    """``HH:MM`` as a time of day; other values are left for the type check."""
    if not isinstance(raw, str):
        return raw
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("must be HH:MM (Paris)") from None


def split_addresses(raw: object) -> object:
    """Comma-separated addresses as a tuple, blanks left out."""
    if not isinstance(raw, str):
        return raw
    return tuple(address.strip() for address in raw.split(",") if address.strip())


Port = Annotated[int, AfterValidator(check_port)]
Share = Annotated[float, Field(ge=0, le=1)]
PlanDeadline = Annotated[time, BeforeValidator(parse_paris_time)]
Addresses = Annotated[tuple[str, ...], NoDecode, BeforeValidator(split_addresses)]


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


class AlertSettings(VariableSettings):
    """The notification channels (off while neither the SMTP host nor the webhook is set), their
    delivery, the run links and the operations guide's thresholds. Read with :meth:`load`."""

    SECRET: ClassVar[frozenset[str]] = frozenset(
        {"HIPPIQUE_ALERT_SMTP_USER", "HIPPIQUE_ALERT_SMTP_PASSWORD", "HIPPIQUE_ALERT_WEBHOOK_URL"}
    )

    smtp_host: str | None = variable("HIPPIQUE_ALERT_SMTP_HOST")
    # Unset: 587 with STARTTLS, 25 without.
    smtp_port: Port | None = variable("HIPPIQUE_ALERT_SMTP_PORT")
    smtp_starttls: Switch = variable("HIPPIQUE_ALERT_SMTP_STARTTLS", True)
    smtp_user: SecretStr | None = variable("HIPPIQUE_ALERT_SMTP_USER")
    smtp_password: SecretStr | None = variable("HIPPIQUE_ALERT_SMTP_PASSWORD")
    email_from: str | None = variable("HIPPIQUE_ALERT_EMAIL_FROM")
    email_to: Addresses = variable("HIPPIQUE_ALERT_EMAIL_TO", ())
    # The webhook's URL holds its token.
    webhook_url: SecretStr | None = variable("HIPPIQUE_ALERT_WEBHOOK_URL")
    attempts: Count = variable("HIPPIQUE_ALERT_ATTEMPTS", DEFAULT_ATTEMPTS)
    backoff_s: Rate = variable("HIPPIQUE_ALERT_BACKOFF_S", DEFAULT_BACKOFF_S)
    budget_s: Seconds = variable("HIPPIQUE_ALERT_BUDGET_S", DEFAULT_BUDGET_S)
    ui_url: str | None = variable("HIPPIQUE_UI_URL")

    plan_deadline: PlanDeadline = variable("HIPPIQUE_ALERT_PLAN_DEADLINE", DEFAULT_LIMITS.plan_deadline)
    first_run_grace_min: Rate = variable(
        "HIPPIQUE_ALERT_FIRST_RUN_GRACE_MIN", _minutes(DEFAULT_LIMITS.first_run_grace)
    )
    h5_late_s: Rate = variable("HIPPIQUE_ALERT_H5_LATE_S", DEFAULT_LIMITS.h5_late.total_seconds())
    last_call_late_s: Rate = variable(
        "HIPPIQUE_ALERT_LAST_CALL_LATE_S", DEFAULT_LIMITS.last_call_late.total_seconds()
    )
    failed_analyses_share: Share = variable(
        "HIPPIQUE_ALERT_FAILED_ANALYSES_SHARE", DEFAULT_LIMITS.failed_analyses_share
    )
    queue_depth: Count = variable("HIPPIQUE_ALERT_QUEUE_DEPTH", DEFAULT_LIMITS.queue_depth)
    shrunk_races: Count = variable("HIPPIQUE_ALERT_SHRUNK_RACES", DEFAULT_LIMITS.shrunk_races)
    day_end_wait_min: Rate = variable(
        "HIPPIQUE_ALERT_DAY_END_WAIT_MIN", _minutes(DEFAULT_LIMITS.day_end_wait)
    )
    ledger_deadline_min: Rate = variable(
        "HIPPIQUE_ALERT_LEDGER_DEADLINE_MIN", _minutes(DEFAULT_LIMITS.ledger_deadline)
    )

    @model_validator(mode="before")
    @classmethod
    def _trimmed(cls, values: object) -> object:
        # Values are taken without surrounding spaces, and a variable of spaces only is unset.
        if not isinstance(values, dict):
            return values
        return {
            key: value.strip() if isinstance(value, str) else value
            for key, value in values.items()
            if not (isinstance(value, str) and not value.strip())
        }

    @model_validator(mode="after")
    def _channels_complete(self) -> AlertSettings:
        if (self.smtp_user is None) != (self.smtp_password is None):
            raise ValueError("HIPPIQUE_ALERT_SMTP_USER and HIPPIQUE_ALERT_SMTP_PASSWORD go together")
        if self.smtp_host and not self.email_to:
            raise ValueError("HIPPIQUE_ALERT_SMTP_HOST is set: HIPPIQUE_ALERT_EMAIL_TO needs an address")
        return self

    def thresholds(self) -> Thresholds:
        """The watch's limits."""
        return Thresholds(
            plan_deadline=self.plan_deadline,
            first_run_grace=timedelta(minutes=self.first_run_grace_min),
            h5_late=timedelta(seconds=self.h5_late_s),
            last_call_late=timedelta(seconds=self.last_call_late_s),
            failed_analyses_share=self.failed_analyses_share,
            queue_depth=self.queue_depth,
            shrunk_races=self.shrunk_races,
            day_end_wait=timedelta(minutes=self.day_end_wait_min),
            ledger_deadline=timedelta(minutes=self.ledger_deadline_min),
        )
