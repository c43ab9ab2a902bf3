"""``hippique serve ROLE`` and ``hippique health``: what each role needs, the program it becomes, and
the one-line failure when a variable is missing (run as the image runs them: a subprocess)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from hippique_assets.cli.processes import free_port
from hippique_assets.deploy.roles import (
    CODE_SERVER,
    DAEMON,
    MIGRATE,
    ROLES,
    WEBSERVER,
    RoleError,
    check_role,
    env_references,
    program,
    requirements,
)
from hippique_assets_tests.deployed.stack import (
    ENV_EXAMPLE,
    PROD_INSTANCE_CONFIG,
    PROD_WORKSPACE,
    REPO,
    base_env,
    hippique,
)

# Read by `hippique serve` / `hippique health` themselves (all optional, with defaults).
SERVE_OPTIONS = [
    "DAGSTER_WORKSPACE",
    "DAGSTER_WEBSERVER_PORT",
    "DAGSTER_WEBSERVER_PATH_PREFIX",
    "HIPPIQUE_LISTEN_HOST",
    "HIPPIQUE_ROLE_FILE",
]


STRONG = "3f9c0e7d1a2b4c5d6e7f8091a2b3c4d5"


@pytest.fixture
def complete_env(tmp_path: Path) -> dict[str, str]:
    """Everything every role needs, with the production instance configuration in DAGSTER_HOME."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(PROD_INSTANCE_CONFIG.read_text())
    return {
        "DAGSTER_HOME": str(home),
        "DAGSTER_WORKSPACE": str(PROD_WORKSPACE),
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": "5432",
        "DAGSTER_PG_USER": "dagster",
        "DAGSTER_PG_PASSWORD": STRONG,
        "DAGSTER_PG_DB": "dagster",
        "DAGSTER_COMPUTE_LOGS_BUCKET": "bucket",
        "DAGSTER_COMPUTE_LOGS_PREFIX": "dagster/compute-logs",
        "DAGSTER_CODE_SERVER_HOST": "code-server",
        "DAGSTER_CODE_SERVER_PORT": "4000",
        "HIPPIQUE_ENV": "prod",
        "HIPPIQUE_PG_URL": "postgresql://hippique@127.0.0.1:5432/hippique",
        "HIPPIQUE_GCS_BUCKET": "bucket",
        "HIPPIQUE_ROLE_FILE": str(tmp_path / "role"),
    }


def run_hippique(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return hippique(args, {**base_env(), **env}, timeout_s=120)


def test_the_instance_config_and_workspace_read_these_variables():
    instance = list(env_references(yaml.safe_load(PROD_INSTANCE_CONFIG.read_text())))
    assert instance == [
        "DAGSTER_PG_HOST",
        "DAGSTER_PG_PORT",
        "DAGSTER_PG_USER",
        "DAGSTER_PG_PASSWORD",
        "DAGSTER_PG_DB",
        "DAGSTER_COMPUTE_LOGS_BUCKET",
        "DAGSTER_COMPUTE_LOGS_PREFIX",
    ]
    workspace = list(env_references(yaml.safe_load(PROD_WORKSPACE.read_text())))
    assert workspace == ["DAGSTER_CODE_SERVER_HOST", "DAGSTER_CODE_SERVER_PORT"]


def test_a_complete_environment_passes_every_role(complete_env):
    for role in ROLES:
        check_role(role, complete_env)


@pytest.mark.parametrize(
    ("role", "missing"),
    [
        (CODE_SERVER, "HIPPIQUE_PG_URL"),
        (CODE_SERVER, "HIPPIQUE_GCS_BUCKET"),
        (CODE_SERVER, "DAGSTER_COMPUTE_LOGS_BUCKET"),
        (WEBSERVER, "DAGSTER_CODE_SERVER_HOST"),
        (WEBSERVER, "DAGSTER_PG_PASSWORD"),
        (DAEMON, "DAGSTER_PG_DB"),
        (DAEMON, "DAGSTER_CODE_SERVER_PORT"),
        (MIGRATE, "HIPPIQUE_PG_URL"),
        (MIGRATE, "DAGSTER_PG_HOST"),
    ],
)
def test_a_missing_or_empty_variable_is_named(complete_env, role, missing):
    for environ in ({k: v for k, v in complete_env.items() if k != missing}, {**complete_env, missing: " "}):
        with pytest.raises(RoleError, match=rf"^{missing} is not set"):
            check_role(role, environ)


def test_the_webserver_and_daemon_do_not_need_the_tables(complete_env):
    names = {r.name for r in requirements(DAEMON, complete_env)} | {
        r.name for r in requirements(WEBSERVER, complete_env)
    }
    assert "HIPPIQUE_PG_URL" not in names and "HIPPIQUE_GCS_BUCKET" not in names


def test_a_bad_setting_of_the_code_is_one_line(complete_env):
    with pytest.raises(RoleError, match="HIPPIQUE_RATE_LIMIT must be a number"):
        check_role(CODE_SERVER, {**complete_env, "HIPPIQUE_RATE_LIMIT": "fast"})


def test_each_role_becomes_its_dagster_program(complete_env):
    env = {
        **complete_env,
        "DAGSTER_WEBSERVER_PORT": "3100",
        "DAGSTER_WEBSERVER_PATH_PREFIX": "/dagster",
        "HIPPIQUE_LISTEN_HOST": "0.0.0.0",
    }
    assert program(CODE_SERVER, env) == [
        "dagster",
        "code-server",
        "start",
        "-m",
        "hippique_assets.definitions",
        "--location-name",
        "hippique_assets",
        "-h",
        "0.0.0.0",
        "-p",
        "4000",
    ]
    assert program(WEBSERVER, env) == [
        "dagster-webserver",
        "-h",
        "0.0.0.0",
        "-p",
        "3100",
        "-w",
        str(PROD_WORKSPACE),
        "--path-prefix",
        "/dagster",
    ]
    assert program(WEBSERVER, env, read_only=True)[-1] == "--read-only"
    assert program(DAEMON, env) == ["dagster-daemon", "run", "-w", str(PROD_WORKSPACE)]
    assert program(MIGRATE, env) == ["dagster", "instance", "migrate"]
    with pytest.raises(RoleError, match="DAGSTER_CODE_SERVER_PORT must be a port number"):
        program(CODE_SERVER, {**env, "DAGSTER_CODE_SERVER_PORT": "70000"})


@pytest.mark.parametrize(
    ("role", "missing"),
    [(DAEMON, "DAGSTER_PG_HOST"), (CODE_SERVER, "HIPPIQUE_PG_URL"), (WEBSERVER, "DAGSTER_HOME")],
)
def test_serve_stops_at_once_with_one_line_naming_the_variable(complete_env, role, missing):
    env = {k: v for k, v in complete_env.items() if k != missing}
    done = run_hippique(["serve", role], env)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"hippique serve {role}: {missing} ")
    assert "Traceback" not in done.stderr


def test_serve_migrate_on_a_server_that_does_not_answer_is_one_line(complete_env):
    url = f"postgresql://hippique:{STRONG}@127.0.0.1:{free_port()}/hippique"
    done = run_hippique(["serve", MIGRATE], {**complete_env, "HIPPIQUE_PG_URL": url})
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("hippique serve migrate: tables' migrations on ") and "failed: " in line
    assert STRONG not in done.stderr and "Traceback" not in done.stderr


def test_health_without_a_recorded_role_says_so_in_one_line(complete_env):
    done = run_hippique(["health"], complete_env)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "no role recorded" in line


def test_health_of_a_webserver_that_does_not_answer_fails(complete_env):
    Path(complete_env["HIPPIQUE_ROLE_FILE"]).write_text('{"role": "webserver"}')
    done = run_hippique(["health"], {**complete_env, "DAGSTER_WEBSERVER_PORT": str(free_port())})
    assert done.returncode == 1
    assert "/server_info" in done.stderr and "Traceback" not in done.stderr


def test_every_variable_of_the_production_stack_is_documented(complete_env):
    names = {r.name for role in ROLES for r in requirements(role, complete_env)} | set(SERVE_OPTIONS)
    names |= {"DAGSTER_HOME", "STORAGE_EMULATOR_HOST", "HIPPIQUE_ENV"}
    # And every setting the product's code reads by name.
    for path in (REPO / "hippique_assets").rglob("*.py"):
        names |= set(re.findall(r'"((?:HIPPIQUE|DAGSTER)_[A-Z_]+)"', path.read_text()))
    names -= {"HIPPIQUE_NUMERIC_FLOAT"}  # a psycopg2 type name, not a variable
    readme = (REPO / "README.md").read_text()
    example = ENV_EXAMPLE.read_text()
    assert sorted(n for n in names if f"| `{n}` |" not in readme) == []
    assert sorted(n for n in names if n not in example) == []


def test_without_an_explicit_address_the_services_listen_on_loopback_only(complete_env):
    assert program(CODE_SERVER, complete_env)[-4:-2] == ["-h", "127.0.0.1"]
    assert program(WEBSERVER, complete_env)[1:3] == ["-h", "127.0.0.1"]


def test_read_only_is_for_the_webserver_alone(complete_env):
    with pytest.raises(RoleError, match="--read-only is for the webserver"):
        program(DAEMON, complete_env, read_only=True)
    done = run_hippique(["serve", DAEMON, "--read-only"], complete_env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "hippique serve daemon: --read-only is for the webserver, not the daemon"


@pytest.mark.parametrize(
    ("role", "name", "value", "why"),
    [
        (DAEMON, "DAGSTER_PG_PASSWORD", "change-me-dagster", "placeholder"),
        (WEBSERVER, "DAGSTER_PG_PASSWORD", "postgres", "well-known"),
        (WEBSERVER, "DAGSTER_PG_PASSWORD", "Short1!", "shorter than 12"),
        (
            CODE_SERVER,
            "HIPPIQUE_PG_URL",
            "postgresql://hippique:change-me-hippique@db:5432/hippique",
            "placeholder",
        ),
        (MIGRATE, "HIPPIQUE_PG_URL", "postgresql://hippique:@db:5432/hippique", "empty"),
        (CODE_SERVER, "HIPPIQUE_ALERT_SMTP_PASSWORD", "changeme", "placeholder"),
    ],
)
def test_a_placeholder_empty_or_weak_password_is_refused_naming_the_variable(
    complete_env, role, name, value, why
):
    with pytest.raises(RoleError, match=rf"{name} .*{why}"):
        check_role(role, {**complete_env, name: value})


def test_a_database_url_without_a_password_is_accepted(complete_env):
    # Certificate or IAM authentication: no password to judge.
    check_role(CODE_SERVER, {**complete_env, "HIPPIQUE_PG_URL": "postgresql://hippique@db:5432/hippique"})


def test_serve_refuses_the_example_placeholder_in_one_line_without_the_value(complete_env):
    done = run_hippique(["serve", DAEMON], {**complete_env, "DAGSTER_PG_PASSWORD": "change-me-dagster"})
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("hippique serve daemon: DAGSTER_PG_PASSWORD is still the placeholder")
    assert "change-me-dagster" not in line
