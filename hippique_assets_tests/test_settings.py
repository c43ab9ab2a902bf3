from pathlib import Path

import pytest

from hippique_assets.settings import LIVE_PMU_BASE_URL, SettingsError, load_settings


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
