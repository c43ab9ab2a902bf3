"""Every setting the platform reads from the environment, in one place.

The README's configuration table documents the same names; keep the two in step. Credentials (the
Postgres URL) are never read here into plain config: Dagster resources receive them through
``EnvVar`` so they do not appear in the UI or the logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Environment = Literal["local", "prod"]
Automation = Literal["on", "off", "sensors"]

LIVE_PMU_BASE_URL = "https://online.turfinfo.api.pmu.fr/rest/client/61"


class SettingsError(ValueError):
    """A setting has a value the platform cannot use."""


@dataclass(frozen=True)
class Settings:
    env: Environment
    home: Path
    pg_url_set: bool
    files_uri: str
    pmu_base_url: str
    rate_limit_per_s: float
    concurrency: int
    retry_attempts: int = 5
    retry_backoff_s: float = 1.0
    plan_cron: str = "0 9 * * *"
    refresh_cron: str = "*/20 9-23 * * *"
    consolidation_cron: str = "30 7 * * *"
    automation: Automation = "off"
    clock: str = "real"
    race_clock_interval_s: int = 30
    analysis_config: str | None = None
    web_zeturf: bool = False
    web_geny: bool = False
    timezone: str = "Europe/Paris"
    max_body_mb: tuple[tuple[str, float], ...] = ()
    request_deadline_s: float = 30.0

    @classmethod
    def replayed(cls, home: Path, base_url: str, **changes: object) -> Settings:
        """Local settings for a replayed PMU source at ``base_url``: tables at ``HIPPIQUE_PG_URL``,
        files under ``home``, no rate limit (tests, benchmarks, replayed days)."""
        values = dict(
            env="local",
            home=home,
            pg_url_set=True,
            files_uri=str(home / "files"),
            pmu_base_url=base_url,
            rate_limit_per_s=0.0,
            concurrency=4,
        )
        return cls(**{**values, **changes})  # type: ignore[arg-type]

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def dagster_home(self) -> Path:
        """The local Dagster instance of the CLI, ``make dev`` and ``hippique day``."""
        return (self.home / "dagster_home").resolve()

    @property
    def schedules_on(self) -> bool:
        return self.automation == "on"

    @property
    def sensors_on(self) -> bool:
        return self.automation in ("on", "sensors")


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must be >= 0, got {raw!r}")
    return value


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 1:
        raise SettingsError(f"{name} must be >= 1, got {raw!r}")
    return value


def _cron(environ: Mapping[str, str], name: str, default: str) -> str:
    raw = (environ.get(name) or default).strip()
    if len(raw.split()) != 5:
        raise SettingsError(f"{name} must be a 5-field cron expression (Europe/Paris), got {raw!r}")
    return raw


def _switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "on", "true", "yes"):
        return True
    if raw in ("0", "off", "false", "no"):
        return False
    raise SettingsError(f"{name} must be on or off, got {raw!r}")


def _automation(environ: Mapping[str, str], default: Automation) -> Automation:
    raw = (environ.get("HIPPIQUE_AUTOMATION") or "").strip().lower()
    if not raw:
        return default
    if raw == "sensors":
        return "sensors"
    if raw in ("1", "on", "true", "yes"):
        return "on"
    if raw in ("0", "off", "false", "no"):
        return "off"
    raise SettingsError(f"HIPPIQUE_AUTOMATION must be on, off or sensors, got {raw!r}")


def _max_body_mb(environ: Mapping[str, str]) -> tuple[tuple[str, float], ...]:
    """HIPPIQUE_MAX_BODY_MB: ``"32"`` (every endpoint) and/or ``"programme=32,..."``, in MB."""
    raw = (environ.get("HIPPIQUE_MAX_BODY_MB") or "").strip()
    if not raw:
        return ()
    from hippique_assets.pmu.client import parse_max_body_mb

    try:
        return tuple(sorted(parse_max_body_mb(raw).items()))
    except ValueError as exc:
        raise SettingsError(f"HIPPIQUE_MAX_BODY_MB: {exc}") from None


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    value = _float(environ, name, default)
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name} must be a number of seconds > 0, got {environ.get(name)!r}")
    return value


def _clock(environ: Mapping[str, str], env: str) -> str:
    from hippique_assets.racing.clock import parse_clock

    raw = (environ.get("HIPPIQUE_CLOCK") or "real").strip()
    try:
        parse_clock(raw)
    except ValueError as exc:
        raise SettingsError(f"HIPPIQUE_CLOCK: {exc}") from None
    if env == "prod" and raw != "real":
        raise SettingsError(f"HIPPIQUE_ENV=prod runs on the real clock, got HIPPIQUE_CLOCK={raw!r}")
    return raw


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from the environment (``os.environ`` by default)."""
    env_vars = os.environ if environ is None else environ
    env = env_vars.get("HIPPIQUE_ENV", "local") or "local"
    if env not in ("local", "prod"):
        raise SettingsError(f"HIPPIQUE_ENV must be 'local' or 'prod', got {env!r}")
    home = Path(env_vars.get("HIPPIQUE_HOME") or ".hippique").expanduser()
    pg_url_set = bool(env_vars.get("HIPPIQUE_PG_URL"))
    bucket = env_vars.get("HIPPIQUE_GCS_BUCKET", "")
    prefix = env_vars.get("HIPPIQUE_GCS_PREFIX", "hippique").strip("/")
    if bucket:
        files_uri = f"gs://{bucket}/{prefix}" if prefix else f"gs://{bucket}"
    else:
        files_uri = env_vars.get("HIPPIQUE_FILES_DIR") or str(home / "files")
    if env == "prod":
        if not pg_url_set:
            raise SettingsError(
                "HIPPIQUE_ENV=prod needs HIPPIQUE_PG_URL (no embedded Postgres in production)"
            )
        if not bucket:
            raise SettingsError(
                "HIPPIQUE_ENV=prod needs HIPPIQUE_GCS_BUCKET for the raw payloads and artifacts"
            )
    default_base = LIVE_PMU_BASE_URL
    base_url = (env_vars.get("HIPPIQUE_PMU_BASE_URL") or default_base).rstrip("/")
    return Settings(
        env=env,  # type: ignore[arg-type]
        home=home,
        pg_url_set=pg_url_set,
        files_uri=files_uri,
        pmu_base_url=base_url,
        rate_limit_per_s=_float(env_vars, "HIPPIQUE_RATE_LIMIT", 1.0),
        concurrency=_int(env_vars, "HIPPIQUE_PMU_CONCURRENCY", 4),
        retry_attempts=_int(env_vars, "HIPPIQUE_RETRY_ATTEMPTS", Settings.retry_attempts),
        retry_backoff_s=_float(env_vars, "HIPPIQUE_RETRY_BACKOFF_S", Settings.retry_backoff_s),
        plan_cron=_cron(env_vars, "HIPPIQUE_PLAN_CRON", Settings.plan_cron),
        refresh_cron=_cron(env_vars, "HIPPIQUE_REFRESH_CRON", Settings.refresh_cron),
        consolidation_cron=_cron(env_vars, "HIPPIQUE_CONSOLIDATION_CRON", Settings.consolidation_cron),
        analysis_config=env_vars.get("HIPPIQUE_ANALYSIS_CONFIG") or None,
        web_zeturf=_switch(env_vars, "HIPPIQUE_WEB_ZETURF", default=False),
        web_geny=_switch(env_vars, "HIPPIQUE_WEB_GENY", default=False),
        automation=_automation(env_vars, default="on" if env == "prod" else "off"),
        clock=_clock(env_vars, env),
        race_clock_interval_s=_int(
            env_vars, "HIPPIQUE_RACE_CLOCK_INTERVAL_S", Settings.race_clock_interval_s
        ),
        max_body_mb=_max_body_mb(env_vars),
        request_deadline_s=_seconds(env_vars, "HIPPIQUE_REQUEST_DEADLINE_S", Settings.request_deadline_s),
    )
