"""Every setting the platform reads from the environment, in one place.

:class:`Settings` holds the values the code uses, with their types and bounds; :class:`EnvironmentSettings`
declares one field per ``HIPPIQUE_*`` variable (pydantic-settings reads and checks them) and
:func:`load_settings` turns it into :class:`Settings`. A bad value raises
:class:`~hippique_assets.settings_errors.SettingsError` with one line naming the variable and what it
accepts. The README's configuration table documents the same names; keep the two in step.
Credentials (the Postgres URL) are never read here into plain config: Dagster resources receive
them through ``EnvVar`` so they do not appear in the UI or the logs.

Settings of one domain read on their own (the alerts' ``HIPPIQUE_ALERT_*``) subclass
:class:`VariableSettings`, declare their fields with :func:`variable` and the types below, and are
read with :meth:`VariableSettings.load`, which names a bad variable the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

from hippique_assets.settings_errors import named_errors

Environment = Literal["local", "prod"]
Automation = Literal["on", "off", "sensors"]

LIVE_PMU_BASE_URL = "https://online.turfinfo.api.pmu.fr/rest/client/61"

_ON = ("1", "on", "true", "yes")
_OFF = ("0", "off", "false", "no")


def parse_switch(raw: object) -> object:
    """``on``/``off`` (also 1/0, true/false, yes/no, any case) as a bool; other values are left
    for the type check."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip().lower()
    if text in _ON:
        return True
    if text in _OFF:
        return False
    raise ValueError("must be on or off")


def parse_automation(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    text = raw.strip().lower()
    if text == "sensors":
        return "sensors"
    if text in _ON:
        return "on"
    if text in _OFF:
        return "off"
    raise ValueError("must be on, off or sensors")


def check_cron(value: str) -> str:
    value = value.strip()
    if len(value.split()) != 5:
        raise ValueError("must be a 5-field cron expression (Europe/Paris)")
    return value


def check_git_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith("https://") or not any(host in value for host in ("github", "gitlab")):
        raise ValueError("must be the https address of a GitHub or GitLab repository")
    return value


def check_clock(value: str) -> str:
    from hippique_assets.racing.clock import parse_clock

    value = value.strip()
    parse_clock(value)  # its ValueError says what is allowed
    return value


def parse_body_limits(raw: object) -> object:
    """``"32"`` (every endpoint) and/or ``"programme=32,..."``, in MB, as sorted (endpoint, MB) pairs."""
    if not isinstance(raw, str):
        return raw
    from hippique_assets.pmu.client import parse_max_body_mb

    return tuple(sorted(parse_max_body_mb(raw.strip()).items()))


# The types of the settings, with their bounds: declared once, checked for the environment's
# values and for settings built in code alike.
Rate = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=1)]
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Cron = Annotated[str, AfterValidator(check_cron)]
Clock = Annotated[str, AfterValidator(check_clock)]
GitUrl = Annotated[str, AfterValidator(check_git_url)]
Switch = Annotated[bool, BeforeValidator(parse_switch)]
# H+15 and the result's retries while the rapports are not final (12 a minute apart) fit in 30 minutes.
ResultsWait = Annotated[int, Field(ge=30, le=24 * 60)]
AutomationSwitch = Annotated[Automation, BeforeValidator(parse_automation)]
BodyLimits = Annotated[tuple[tuple[str, float], ...], NoDecode, BeforeValidator(parse_body_limits)]


@dataclass(frozen=True)
class Settings:
    env: Environment
    home: Path
    pg_url_set: bool
    files_uri: str
    pmu_base_url: str
    rate_limit_per_s: Rate = 1.0
    concurrency: Count = 4
    retry_attempts: Count = 5
    retry_backoff_s: Rate = 1.0
    plan_cron: Cron = "0 9 * * *"
    refresh_cron: Cron = "*/20 9-23 * * *"
    consolidation_cron: Cron = "30 7 * * *"
    automation: Automation = "off"
    clock: Clock = "real"
    # Every 10 s: the last call (2 minutes before the off) cannot wait for a 30 s tick.
    race_clock_interval_s: Count = 10
    # Minutes after the last start after which the ledger is built without the results that never came.
    results_wait_min: ResultsWait = 60
    # The H-10 odds watcher of each race (minute-by-minute odds before the off).
    odds_watch: bool = True
    analysis_config: str | None = None
    web_zeturf: bool = False
    web_geny: bool = False
    timezone: str = "Europe/Paris"
    max_body_mb: tuple[tuple[str, float], ...] = ()
    request_deadline_s: Seconds = 30.0
    # Where the UI's code links point: the repository and branch (or commit) of the deployed code;
    # without a repository, at the files of the code server.
    git_url: GitUrl | None = None
    git_branch: str = "main"

    @classmethod
    def replayed(cls, home: Path, base_url: str, **changes: Any) -> Settings:
        """Local settings for a replayed PMU source at ``base_url``: tables at ``HIPPIQUE_PG_URL``,
        files under ``home``, no rate limit (tests, benchmarks, replayed days)."""
        values: dict[str, Any] = dict(
            env="local",
            home=home,
            pg_url_set=True,
            files_uri=str(home / "files"),
            pmu_base_url=base_url,
            rate_limit_per_s=0.0,
            concurrency=4,
        )
        return cls(**{**values, **changes})

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


# The variables the next EnvironmentSettings reads (None: the process environment).
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("hippique_environ", default=None)


class _MappingSource(EnvSettingsSource):
    """The variables of a given mapping rather than of the process."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


def variable(name: str, default: Any = None, **bounds: Any) -> Any:
    """A field read from the environment variable ``name`` (``default`` when unset or empty)."""
    return Field(default, validation_alias=name, **bounds)


class VariableSettings(BaseSettings):
    """Settings read from environment variables, one field each (declared with :func:`variable`): an
    unset or empty variable takes the field's default. Read them with :meth:`load`."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    # Fields whose variable, set but empty, is taken as the empty value rather than the default.
    KEEP_EMPTY: ClassVar[frozenset[str]] = frozenset()
    # Variables whose value an error never repeats.
    SECRET: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object, info: ValidationInfo) -> object:
        if value == "" and info.field_name not in cls.KEEP_EMPTY:
            return cls.model_fields[str(info.field_name)].default
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment only: no .env file or secrets directory is read behind the operator's back.
        environ = _ENVIRON.get()
        return (init_settings, env_settings if environ is None else _MappingSource(settings_cls, environ))

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The variables of ``environ`` (default: the process environment); raises pydantic's errors."""
        token = _ENVIRON.set(environ)
        try:
            return cls()
        finally:
            _ENVIRON.reset(token)

    @classmethod
    def variable_of(cls, field: str) -> str:
        """The environment variable a field is read from."""
        return str(cls.model_fields[field].validation_alias)

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The variables of ``environ`` (default: the process environment), checked: a bad value
        raises :class:`SettingsError`, one line naming each variable and what it accepts."""
        with named_errors(cls.SECRET):
            return cls.from_environ(environ)


class EnvironmentSettings(VariableSettings):
    """The ``HIPPIQUE_*`` variables, one field each (an unset or empty variable takes the default;
    ``None`` defers to :class:`Settings`)."""

    KEEP_EMPTY: ClassVar[frozenset[str]] = frozenset({"gcs_prefix"})
    SECRET: ClassVar[frozenset[str]] = frozenset({"HIPPIQUE_PG_URL"})

    env: Environment = variable("HIPPIQUE_ENV", "local")
    home: str = variable("HIPPIQUE_HOME", ".hippique")
    pg_url: SecretStr | None = variable("HIPPIQUE_PG_URL")
    files_dir: str | None = variable("HIPPIQUE_FILES_DIR")
    gcs_bucket: str = variable("HIPPIQUE_GCS_BUCKET", "")
    # Set but empty, the files go to the bucket's root.
    gcs_prefix: str = variable("HIPPIQUE_GCS_PREFIX", "hippique")
    pmu_base_url: str = variable("HIPPIQUE_PMU_BASE_URL", LIVE_PMU_BASE_URL)
    rate_limit_per_s: Rate | None = variable("HIPPIQUE_RATE_LIMIT")
    concurrency: Count | None = variable("HIPPIQUE_PMU_CONCURRENCY")
    retry_attempts: Count | None = variable("HIPPIQUE_RETRY_ATTEMPTS")
    retry_backoff_s: Rate | None = variable("HIPPIQUE_RETRY_BACKOFF_S")
    plan_cron: Cron | None = variable("HIPPIQUE_PLAN_CRON")
    refresh_cron: Cron | None = variable("HIPPIQUE_REFRESH_CRON")
    consolidation_cron: Cron | None = variable("HIPPIQUE_CONSOLIDATION_CRON")
    # Unset: on in production, off elsewhere.
    automation: AutomationSwitch | None = variable("HIPPIQUE_AUTOMATION")
    clock: Clock | None = variable("HIPPIQUE_CLOCK")
    race_clock_interval_s: Count | None = variable("HIPPIQUE_RACE_CLOCK_INTERVAL_S")
    results_wait_min: ResultsWait | None = variable("HIPPIQUE_RESULTS_WAIT_MIN")
    odds_watch: Switch | None = variable("HIPPIQUE_ODDS_WATCH")
    analysis_config: str | None = variable("HIPPIQUE_ANALYSIS_CONFIG")
    web_zeturf: Switch | None = variable("HIPPIQUE_WEB_ZETURF")
    web_geny: Switch | None = variable("HIPPIQUE_WEB_GENY")
    max_body_mb: Annotated[BodyLimits | None, NoDecode] = variable("HIPPIQUE_MAX_BODY_MB")
    request_deadline_s: Seconds | None = variable("HIPPIQUE_REQUEST_DEADLINE_S")
    git_url: GitUrl | None = variable("HIPPIQUE_GIT_URL")
    git_branch: str | None = variable("HIPPIQUE_GIT_BRANCH")

    @model_validator(mode="after")
    def _production_needs(self) -> EnvironmentSettings:
        if self.env == "prod":
            if self.pg_url is None:
                raise ValueError(
                    "HIPPIQUE_ENV=prod needs HIPPIQUE_PG_URL (no embedded Postgres in production)"
                )
            if not self.gcs_bucket:
                raise ValueError(
                    "HIPPIQUE_ENV=prod needs HIPPIQUE_GCS_BUCKET for the raw payloads and artifacts"
                )
            if self.clock not in (None, "real"):
                raise ValueError(
                    f"HIPPIQUE_ENV=prod runs on the real clock, got HIPPIQUE_CLOCK={self.clock!r}"
                )
        return self

    def settings(self) -> Settings:
        home = Path(self.home).expanduser()
        prefix = self.gcs_prefix.strip("/")
        if self.gcs_bucket:
            files_uri = f"gs://{self.gcs_bucket}/{prefix}" if prefix else f"gs://{self.gcs_bucket}"
        else:
            files_uri = self.files_dir or str(home / "files")
        given = {
            name: getattr(self, name)
            for name in (
                "rate_limit_per_s",
                "concurrency",
                "retry_attempts",
                "retry_backoff_s",
                "plan_cron",
                "refresh_cron",
                "consolidation_cron",
                "clock",
                "race_clock_interval_s",
                "results_wait_min",
                "odds_watch",
                "web_zeturf",
                "web_geny",
                "max_body_mb",
                "request_deadline_s",
                "git_url",
                "git_branch",
            )
            if getattr(self, name) is not None
        }
        return Settings(
            env=self.env,
            home=home,
            pg_url_set=self.pg_url is not None,
            files_uri=files_uri,
            pmu_base_url=self.pmu_base_url.rstrip("/"),
            automation=self.automation or ("on" if self.env == "prod" else "off"),
            analysis_config=self.analysis_config,
            **given,
        )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from the environment (``os.environ`` by default)."""
    with named_errors(EnvironmentSettings.SECRET):
        return EnvironmentSettings.from_environ(environ).settings()
