from pathlib import Path
from typing import Annotated, ClassVar

import pytest
from pydantic import Field

from hippique_assets.settings import (
    LIVE_PMU_BASE_URL,
    Count,
    Switch,
    VariableSettings,
    load_settings,
    variable,
)
from hippique_assets.settings_errors import SettingsError


def test_defaults_are_local_embedded_and_live_source():
    settings = load_settings({})
    assert settings.env == "local"
    assert settings.pg_url_set is False
    assert settings.files_uri == str(Path(".hippique") / "files")
    assert settings.pmu_base_url == LIVE_PMU_BASE_URL
    assert settings.rate_limit_per_s == 1.0
    assert settings.concurrency == 4


def test_bucket_switches_files_to_gcs_with_prefix():
    settings = load_settings({"HIPPIQUE_GCS_BUCKET": "racing", "HIPPIQUE_GCS_PREFIX": "/raw/"})
    assert settings.files_uri == "gs://racing/raw"


def test_replay_source_and_no_rate_limit():
    settings = load_settings(
        {"HIPPIQUE_PMU_BASE_URL": "http://127.0.0.1:8765/rest/client/61/", "HIPPIQUE_RATE_LIMIT": "0"}
    )
    assert settings.pmu_base_url == "http://127.0.0.1:8765/rest/client/61"
    assert settings.rate_limit_per_s == 0.0


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"HIPPIQUE_ENV": "staging"}, "HIPPIQUE_ENV"),
        ({"HIPPIQUE_RATE_LIMIT": "fast"}, "HIPPIQUE_RATE_LIMIT must be a number"),
        ({"HIPPIQUE_RATE_LIMIT": "-1"}, "must be >= 0"),
        ({"HIPPIQUE_PMU_CONCURRENCY": "0"}, "HIPPIQUE_PMU_CONCURRENCY must be >= 1"),
        ({"HIPPIQUE_ENV": "prod", "HIPPIQUE_GCS_BUCKET": "b"}, "needs HIPPIQUE_PG_URL"),
        ({"HIPPIQUE_ENV": "prod", "HIPPIQUE_PG_URL": "postgresql://x"}, "needs HIPPIQUE_GCS_BUCKET"),
        ({"HIPPIQUE_AUTOMATION": "sometimes"}, "HIPPIQUE_AUTOMATION must be on, off or sensors"),
        ({"HIPPIQUE_CLOCK": "tomorrow"}, "HIPPIQUE_CLOCK: unknown clock"),
        (
            {
                "HIPPIQUE_ENV": "prod",
                "HIPPIQUE_PG_URL": "postgresql://x",
                "HIPPIQUE_GCS_BUCKET": "b",
                "HIPPIQUE_CLOCK": "at:2026-03-23T12:00+00:00",
            },
            "runs on the real clock",
        ),
        ({"HIPPIQUE_RACE_CLOCK_INTERVAL_S": "0"}, "HIPPIQUE_RACE_CLOCK_INTERVAL_S must be >= 1"),
        ({"HIPPIQUE_RESULTS_WAIT_MIN": "15"}, "HIPPIQUE_RESULTS_WAIT_MIN must be >= 30"),
        ({"HIPPIQUE_RESULTS_WAIT_MIN": "2000"}, "HIPPIQUE_RESULTS_WAIT_MIN must be <= 1440"),
    ],
)
def test_bad_settings_are_named(environ, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


@pytest.mark.parametrize(
    ("value", "schedules", "sensors"),
    [("", False, False), ("on", True, True), ("off", False, False), ("sensors", False, True)],
)
def test_automation_switch(value, schedules, sensors):
    settings = load_settings({"HIPPIQUE_AUTOMATION": value})
    assert (settings.schedules_on, settings.sensors_on) == (schedules, sensors)


def test_production_automation_is_on_by_default():
    prod = {"HIPPIQUE_ENV": "prod", "HIPPIQUE_PG_URL": "postgresql://x", "HIPPIQUE_GCS_BUCKET": "b"}
    assert load_settings(prod).schedules_on and load_settings(prod).sensors_on


def test_request_bounds_default_to_the_client_defaults():
    settings = load_settings({})
    assert (settings.max_body_mb, settings.request_deadline_s) == ((), 30.0)


def test_request_bounds_reach_the_pmu_client():
    from hippique_assets.defs.resources import build_resources

    settings = load_settings(
        {"HIPPIQUE_MAX_BODY_MB": "8, programme=32", "HIPPIQUE_REQUEST_DEADLINE_S": "12.5"}
    )
    assert dict(settings.max_body_mb)["programme"] == 32.0
    assert dict(settings.max_body_mb)["rapports"] == 8.0
    with build_resources(settings)["pmu"].client() as client:
        assert client.body_limit("/programme/23032026") == 32 * 2**20
        assert client.body_limit("/programme/23032026/R1/C1/rapports-definitifs") == 8 * 2**20
        assert client._http.deadline_s == 12.5
    with build_resources(load_settings({}))["pmu"].client() as client:
        assert client.body_limit("/programme/23032026") == 16 * 2**20


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"HIPPIQUE_MAX_BODY_MB": "lots"}, "HIPPIQUE_MAX_BODY_MB: 'lots' is not MB"),
        ({"HIPPIQUE_MAX_BODY_MB": "odds=3"}, "HIPPIQUE_MAX_BODY_MB: unknown endpoint"),
        ({"HIPPIQUE_MAX_BODY_MB": "programme=0"}, "HIPPIQUE_MAX_BODY_MB: .* must be a number of MB > 0"),
        ({"HIPPIQUE_REQUEST_DEADLINE_S": "0"}, "HIPPIQUE_REQUEST_DEADLINE_S must be a number of seconds > 0"),
        (
            {"HIPPIQUE_REQUEST_DEADLINE_S": "inf"},
            "HIPPIQUE_REQUEST_DEADLINE_S must be a number of seconds > 0",
        ),
        ({"HIPPIQUE_REQUEST_DEADLINE_S": "soon"}, "HIPPIQUE_REQUEST_DEADLINE_S must be a number"),
    ],
)
def test_bad_request_bounds_are_named(environ, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("HIPPIQUE_PMU_CONCURRENCY", "2.5", "must be a whole number"),
        ("HIPPIQUE_RETRY_ATTEMPTS", "0", "must be >= 1"),
        ("HIPPIQUE_RETRY_BACKOFF_S", "-0.5", "must be >= 0"),
        ("HIPPIQUE_RETRY_BACKOFF_S", "soon", "must be a number"),
        ("HIPPIQUE_PLAN_CRON", "0 9 *", "must be a 5-field cron expression"),
        ("HIPPIQUE_REFRESH_CRON", "every 20 minutes", "must be a 5-field cron expression"),
        ("HIPPIQUE_CONSOLIDATION_CRON", "30 7 * * * *", "must be a 5-field cron expression"),
        ("HIPPIQUE_WEB_ZETURF", "maybe", "must be on or off"),
        ("HIPPIQUE_WEB_GENY", "2", "must be on or off"),
        ("HIPPIQUE_ENV", "production", "must be 'local' or 'prod'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable_what_it_accepts_and_the_value(name, value, allowed):
    with pytest.raises(SettingsError) as raised:
        load_settings({name: value})
    message = str(raised.value)
    assert message == f"{name} {allowed}{message.split(allowed, 1)[1]}"
    assert message.endswith(f", got {value!r}")
    assert "\n" not in message


def test_every_bad_value_is_named_on_the_same_line():
    with pytest.raises(SettingsError) as raised:
        load_settings({"HIPPIQUE_RATE_LIMIT": "fast", "HIPPIQUE_RACE_CLOCK_INTERVAL_S": "0"})
    message = str(raised.value)
    assert "HIPPIQUE_RATE_LIMIT must be a number" in message
    assert "HIPPIQUE_RACE_CLOCK_INTERVAL_S must be >= 1" in message
    assert "\n" not in message


def test_an_empty_variable_takes_the_default_but_an_empty_prefix_is_the_bucket_root():
    settings = load_settings(
        {"HIPPIQUE_RATE_LIMIT": "", "HIPPIQUE_AUTOMATION": "", "HIPPIQUE_ENV": "", "HIPPIQUE_GCS_BUCKET": "b"}
    )
    assert (settings.rate_limit_per_s, settings.automation, settings.env) == (1.0, "off", "local")
    assert settings.files_uri == "gs://b/hippique"
    assert load_settings({"HIPPIQUE_GCS_BUCKET": "b", "HIPPIQUE_GCS_PREFIX": ""}).files_uri == "gs://b"


@pytest.mark.parametrize(
    ("value", "expected"), [("ON", True), ("yes", True), ("1", True), ("Off", False), ("no", False)]
)
def test_switches_read_the_documented_spellings(value, expected):
    settings = load_settings({"HIPPIQUE_WEB_ZETURF": value, "HIPPIQUE_WEB_GENY": value})
    assert (settings.web_zeturf, settings.web_geny) == (expected, expected)


def test_the_variables_of_the_mapping_are_read_not_the_process_environment(monkeypatch):
    monkeypatch.setenv("HIPPIQUE_PMU_CONCURRENCY", "0")
    monkeypatch.setenv("HIPPIQUE_RATE_LIMIT", "3")
    assert load_settings({}).rate_limit_per_s == 1.0
    with pytest.raises(SettingsError, match="HIPPIQUE_PMU_CONCURRENCY"):
        load_settings()


def test_the_postgres_url_is_never_repeated_in_an_error():
    secret = "postgresql://bob:s3cret@db/hippique"
    with pytest.raises(SettingsError) as raised:
        load_settings({"HIPPIQUE_ENV": "prod", "HIPPIQUE_PG_URL": secret, "HIPPIQUE_RATE_LIMIT": "x"})
    assert "s3cret" not in str(raised.value) and "HIPPIQUE_GCS_BUCKET" not in str(raised.value)


def test_settings_built_in_code_are_held_to_the_same_bounds(tmp_path):
    from pydantic import ValidationError

    from hippique_assets.settings import Settings

    with pytest.raises(ValidationError, match="concurrency"):
        Settings.replayed(tmp_path, "http://127.0.0.1:1", concurrency=0)
    with pytest.raises(ValidationError, match="plan_cron"):
        Settings.replayed(tmp_path, "http://127.0.0.1:1", plan_cron="daily")


def test_the_command_line_stops_on_a_bad_value_with_one_line_and_no_traceback(tmp_path):
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if not k.startswith("HIPPIQUE_") and k != "DAGSTER_HOME"}
    environ.update(HIPPIQUE_HOME=str(tmp_path), HIPPIQUE_RETRY_ATTEMPTS="many")
    hippique = str(Path(sys.executable).parent / "hippique")
    done = subprocess.run(
        [hippique, "db", "current"], capture_output=True, text=True, timeout=120, env=environ
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: HIPPIQUE_RETRY_ATTEMPTS must be a whole number, got 'many'"


def test_the_repository_of_the_code_links_is_read_and_checked():
    settings = load_settings(
        {"HIPPIQUE_GIT_URL": "https://github.com/example/hippique_assets/", "HIPPIQUE_GIT_BRANCH": "v1.2"}
    )
    assert (settings.git_url, settings.git_branch) == ("https://github.com/example/hippique_assets", "v1.2")
    assert (load_settings({}).git_url, load_settings({}).git_branch) == (None, "main")
    with pytest.raises(
        SettingsError, match=r"^HIPPIQUE_GIT_URL must be the https address of a GitHub or GitLab"
    ):
        load_settings({"HIPPIQUE_GIT_URL": "git@github.com:example/hippique_assets.git"})


class _DomainSettings(VariableSettings):
    """Settings of one domain, read on their own as the alerts' are."""

    SECRET: ClassVar[frozenset[str]] = frozenset({"SAMPLE_TOKEN"})

    workers: Count = variable("SAMPLE_WORKERS", 3)
    share: Annotated[float, Field(ge=0, le=1)] = variable("SAMPLE_SHARE", 0.5)
    loud: Switch = variable("SAMPLE_LOUD", False)
    token: Count | None = variable("SAMPLE_TOKEN")


def test_a_domain_reads_its_own_variables_with_the_same_types_and_error_lines(monkeypatch):
    assert _DomainSettings.variable_of("share") == "SAMPLE_SHARE"
    defaults = _DomainSettings.load({})
    assert (defaults.workers, defaults.share, defaults.loud, defaults.token) == (3, 0.5, False, None)
    read = _DomainSettings.load({"SAMPLE_WORKERS": "8", "SAMPLE_SHARE": "", "SAMPLE_LOUD": "on"})
    assert (read.workers, read.share, read.loud) == (8, 0.5, True)
    # The mapping, not the process environment.
    monkeypatch.setenv("SAMPLE_WORKERS", "0")
    assert _DomainSettings.load({}).workers == 3
    with pytest.raises(SettingsError, match=r"^SAMPLE_WORKERS must be >= 1, got '0'$"):
        _DomainSettings.load()
    with pytest.raises(SettingsError) as raised:
        _DomainSettings.load({"SAMPLE_SHARE": "2", "SAMPLE_LOUD": "maybe", "SAMPLE_TOKEN": "s3cret"})
    assert str(raised.value) == (
        "SAMPLE_SHARE must be <= 1, got '2'; SAMPLE_LOUD must be on or off, got 'maybe'; "
        "SAMPLE_TOKEN must be a whole number"
    )


def test_the_results_wait_is_an_hour_unless_set():
    assert load_settings({}).results_wait_min == 60
    assert load_settings({"HIPPIQUE_RESULTS_WAIT_MIN": "30"}).results_wait_min == 30
