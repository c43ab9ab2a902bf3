"""Database passwords never leave: mask_url hides any password, and every error path that names a
connection string (the resource, the bulk loader, the command line, the deploy roles, run failure
tags) shows it masked, even when the driver's own message quotes pieces of it."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import traceback
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import psycopg2
import pytest
from dagster import (
    DagsterInstance,
    EnvVar,
    asset,
    build_run_status_sensor_context,
    materialize,
    serialize_value,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.race_day.run_failures import build_run_failure_sensor
from hippique_assets.settings import load_settings
from hippique_assets.storage.errors import BulkWriteError
from hippique_assets.storage.postgres import (
    ConnectionStringError,
    PostgresResource,
    check_url,
    mask_url,
    redact,
)
from hippique_assets_tests.conftest import ADMIN_PG_URL
from hippique_assets_tests.deployed.stack import PROD_INSTANCE_CONFIG, PROD_WORKSPACE, base_env
from hippique_assets_tests.storage.sample_tables import created, runners_frame, runners_spec

HIPPIQUE = str(Path(sys.executable).parent / "hippique")
DAY = date(2026, 3, 23)

# Each holds a character that cuts a URL somewhere (or a quote, a space, a non-ASCII letter) between
# markers that no message holds otherwise, so that any piece of a password is easy to find.
MARKERS = ("Zq9", "Xk7")
HOSTILE_PASSWORDS = [
    "Zq9#Xk7",
    "Zq9?sslmode=Xk7",
    "Zq9/Xk7",
    "Zq9@Xk7",
    "Zq9%zzXk7",
    "Zq9%23Xk7",
    "Zq9:Xk7",
    "Zq9 Xk7",
    "Zq9'Xk7",
    'Zq9"Xk7',
    "Zq9üXk7",
    "Zq9&password=Xk7",
    "Zq9\\Xk7",
]
# One password holding all of them, for the slower paths (a subprocess each).
WORST = "Zq9#?/@%:& 'ü\"Xk7"


def _assert_hidden(text: str, password: str) -> None:
    """Neither ``password`` (as written or percent-encoded) nor any piece of it is in ``text``."""
    forms = {
        password,
        quote(password, safe=""),
        quote(password),
        quote(password, safe="").replace("%20", "+"),
    }
    assert [form for form in forms | set(MARKERS) if form in text] == [], text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _everything(exc: BaseException) -> str:
    """What a log or a UI could show of ``exc``: its text, repr and the whole chained traceback."""
    return f"{exc}\n{exc!r}\n{''.join(traceback.format_exception(exc))}"


# ---------------------------------------------------------------------------------------------
# mask_url


def _like_a_password_parameter(written: str) -> bool:
    """A password written with ``&password=`` in it: masked as a parameter too, with all that follows."""
    keys = re.findall(r"[?&]([^?&=]*)=", written)
    return any(unquote(key).strip().lower() in ("password", "sslpassword", "passfile") for key in keys)


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
def test_mask_url_hides_a_hostile_password_as_written_or_percent_encoded(password: str) -> None:
    for written in (password, quote(password, safe="")):
        url = f"postgresql://hippique:{written}@db.internal:5432/prod?sslmode=require"
        masked = mask_url(url)
        _assert_hidden(masked, password)
        if _like_a_password_parameter(written):
            assert masked == "postgresql://hippique:***"
        else:
            assert masked == "postgresql://hippique:***@db.internal:5432/prod?sslmode=require"


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
def test_mask_url_hides_a_hostile_password_in_the_query(password: str) -> None:
    url = f"postgresql://db.internal/prod?user=hippique&password={quote(password, safe='')}&sslmode=require"
    assert mask_url(url) == "postgresql://db.internal/prod?user=hippique&password=***&sslmode=require"
    if "&" not in password:  # as written: libpq itself ends the value at '&'
        raw = mask_url(f"postgresql://db.internal/prod?sslmode=require&password={password}")
        assert raw == "postgresql://db.internal/prod?sslmode=require&password=***"


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
def test_mask_url_hides_a_hostile_password_of_a_keyword_string(password: str) -> None:
    quoted = password.replace("\\", "\\\\").replace("'", "\\'")
    url = f"host=db.internal user=hippique password='{quoted}' dbname=prod"
    assert psycopg2.extensions.parse_dsn(url)["password"] == password  # libpq reads it so
    assert mask_url(url) == "host=db.internal user=hippique password=*** dbname=prod"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://u:pa#ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:pa?ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:pa/ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://h/db?password=Zq9@x", "postgresql://h/db?password=***"),
        ("postgresql://h/db?PASS%57ORD=Zq9", "postgresql://h/db?PASS%57ORD=***"),
        (
            "postgresql://h/db?sslpassword=Zq9&sslmode=verify-full",
            "postgresql://h/db?sslpassword=***&sslmode=verify-full",
        ),
        ("host=h password=Zq9\\ x dbname=d", "host=h password=*** dbname=d"),
        ("host=h password = 'unclosed Zq9", "host=h password = ***"),
        # libpq cannot read it: where the password ends is a guess, everything after it is hidden.
        ("host=h password=Zq9 secret dbname=d", "host=h password=***"),
        ("postgresql+psycopg2://u:Zq9@h/db", "postgresql+psycopg2://u:***@h/db"),
        ("postgresql:/u:Zq9@h/db", "postgresql:***@h/db"),
        ("postgresql://u@h/db?application_name=a@b", "postgresql://u@h/db?application_name=a@b"),
    ],
)
def test_mask_url_edge_cases(url: str, masked: str) -> None:
    assert mask_url(url) == masked


SKELETON = "postgresql://hippique:***@db.internal:5432/prod"
SKELETONS = {
    SKELETON,
    "postgresql://db.internal/prod?sslmode=require&password=***",
    "host=db.internal user=hippique password=*** dbname=prod",
}


@settings(max_examples=300, deadline=None)
@given(password=st.text(min_size=1, max_size=40))
def test_no_password_text_survives_mask_url(password: str) -> None:
    encoded = quote(password, safe="")
    assume(not any(password in s or encoded in s for s in SKELETONS))
    userinfo = "postgresql://hippique:***" if _like_a_password_parameter(password) else SKELETON
    urls = {
        f"postgresql://hippique:{password}@db.internal:5432/prod": userinfo,
        f"postgresql://hippique:{encoded}@db.internal:5432/prod": SKELETON,
        f"postgresql://db.internal/prod?sslmode=require&password={encoded}": (
            "postgresql://db.internal/prod?sslmode=require&password=***"
        ),
    }
    if "&" not in password:
        urls[f"postgresql://db.internal/prod?sslmode=require&password={password}"] = (
            "postgresql://db.internal/prod?sslmode=require&password=***"
        )
    for url, masked in urls.items():
        assert mask_url(url) == masked
    quoted = password.replace("\\", "\\\\").replace("'", "\\'")
    keyword = mask_url(f"host=db.internal user=hippique password='{quoted}' dbname=prod")
    assert keyword.startswith("host=db.internal user=hippique password=***")
    assert password not in keyword and encoded not in keyword


@settings(max_examples=200, deadline=None)
@given(password=st.text(st.characters(exclude_characters="*"), min_size=3, max_size=30))
def test_no_password_text_survives_redact(password: str) -> None:
    assume(not any(0xD800 <= ord(c) <= 0xDFFF for c in password))  # a URL carries UTF-8 bytes
    url = f"postgresql://hippique:{quote(password, safe='')}@db.internal:5432/prod"
    message = f'cannot use {url}: password "{password}" and {password} rejected'
    shape = 'cannot use postgresql://hippique:***@db.internal:5432/prod: password "***" and *** rejected'
    assume(password not in shape and quote(password, safe="") not in shape)
    redacted = redact(message, url)
    assert password not in redacted and quote(password, safe="") not in redacted


def test_redact_hides_the_pieces_libpq_cuts_out_of_an_unencoded_password() -> None:
    url = "postgresql://u:Zq9/left@Zq9right@127.0.0.1:5432/db"
    message = 'could not translate host name "Zq9right@127.0.0.1" to address; port "Zq9/left"'
    assert redact(message, url) == 'could not translate host name "***" to address; port "***"'


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:Zq9%zzbad@127.0.0.1/db",
        "postgresql://u:Zq9/cut@127.0.0.1/db",
        "postgresql://u:Zq9@cut@127.0.0.1/db",
        "host=127.0.0.1 password=Zq9 with spaces",
        "postgresql://u:Zq9%00nul@127.0.0.1/db",
    ],
)
def test_a_connection_string_libpq_would_misread_is_refused_masked(url: str) -> None:
    with pytest.raises(ConnectionStringError) as caught:
        check_url(url)
    _assert_hidden(_everything(caught.value), "Zq9")
    assert str(caught.value).startswith(f"Postgres connection string {mask_url(url)} is not valid: ")


# ---------------------------------------------------------------------------------------------
# Errors of the resource and of the bulk loader


def _urls(password: str, port: int, database: str = "db", host: str = "127.0.0.1") -> list[str]:
    """``password`` as a URL carries it percent-encoded and as written, and in a keyword string
    quoted and as written (libpq cannot read some of these as meant: they are refused)."""
    quoted = password.replace("\\", "\\\\").replace("'", "\\'")
    return [
        f"postgresql://postgres:{quote(password, safe='')}@{host}:{port}/{database}",
        f"postgresql://postgres:{password}@{host}:{port}/{database}",
        f"host={host} port={port} user=postgres password='{quoted}' dbname={database}",
        f"host={host} port={port} user=postgres password={password} dbname={database}",
    ]


def _read_as_meant(url: str, password: str) -> bool:
    """Whether ``url`` is accepted and libpq reads ``password`` from it."""
    try:
        check_url(url)
    except ConnectionStringError:
        return False
    return psycopg2.extensions.parse_dsn(url).get("password") == password


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
def test_an_unreachable_server_never_shows_the_password(password: str) -> None:
    for url in _urls(password, _closed_port()):
        with pytest.raises(ConnectionError) as caught:
            PostgresResource(url=url).query_frame("SELECT 1")
        _assert_hidden(_everything(caught.value), password)
        assert caught.value.__cause__ is None


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
def test_an_unreachable_server_never_shows_the_password_to_the_bulk_loader(password: str) -> None:
    spec = runners_spec("masking")
    for url in _urls(password, _closed_port()):
        with pytest.raises(ConnectionError) as caught:
            PostgresResource(url=url).write_frame(spec, runners_frame(DAY, n=2))
        _assert_hidden(_everything(caught.value), password)


def _server() -> tuple[str, int]:
    parts = urlsplit(ADMIN_PG_URL)
    return parts.hostname or "127.0.0.1", parts.port or 5432


@pytest.mark.postgres
@pytest.mark.parametrize("password", [WORST, "Zq9#Xk7", "Zq9 Xk7"])
def test_a_missing_database_never_shows_the_password(password: str) -> None:
    host, port = _server()
    missing = f"hippique_missing_{uuid.uuid4().hex[:8]}"
    urls = [url for url in _urls(password, port, missing, host) if _read_as_meant(url, password)]
    assert len(urls) >= 2
    for url in urls:
        resource = PostgresResource(url=url)
        with pytest.raises(ConnectionError) as caught:
            resource.query_frame("SELECT 1")
        assert "does not exist" in str(caught.value)
        _assert_hidden(_everything(caught.value), password)
        with pytest.raises(ConnectionError) as caught:
            resource.write_frame(runners_spec("masking"), runners_frame(DAY, n=2))
        assert "does not exist" in str(caught.value)
        _assert_hidden(_everything(caught.value), password)


@pytest.fixture
def role_without_rights(pg_url: str) -> Iterator[str]:
    """A login role with no right on any table (trust authentication: any password is accepted)."""
    role = f"hippique_masking_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(pg_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE ROLE "{role}" LOGIN')
        yield role
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
            cur.execute(f'DROP ROLE "{role}"')
    finally:
        admin.close()


@pytest.mark.postgres
def test_a_refused_bulk_write_names_the_url_masked(
    pg_url: str, schema: str, role_without_rights: str
) -> None:
    spec = created(pg_url, runners_spec(schema))
    parts = urlsplit(pg_url)
    host = parts.netloc.rpartition("@")[2]
    url = f"{parts.scheme}://{role_without_rights}:{quote(WORST, safe='')}@{host}{parts.path}"
    with pytest.raises(BulkWriteError) as caught:
        PostgresResource(url=url).write_frame(spec, runners_frame(DAY, n=2))
    message = str(caught.value)
    assert "permission denied" in message
    assert f"{role_without_rights}:***@{host}{parts.path}" in message  # the error names the URL
    _assert_hidden(_everything(caught.value), WORST)


# ---------------------------------------------------------------------------------------------
# The command line and the deploy roles, run as the image runs them


def _hippique(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {**base_env(), "HIPPIQUE_HOME": str(tmp_path / "home"), **env}
    return subprocess.run(
        [HIPPIQUE, *args], capture_output=True, text=True, timeout=180, env=environ, stdin=subprocess.DEVNULL
    )


def _one_error_line(done: subprocess.CompletedProcess, password: str) -> str:
    _assert_hidden(done.stdout + done.stderr, password)
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    return line


@pytest.mark.parametrize("args", [["db", "current"], ["db", "upgrade"], ["summary", "--date", "2026-03-23"]])
def test_the_command_line_on_an_unreachable_server_shows_the_url_masked(
    args: list[str], tmp_path: Path
) -> None:
    port = _closed_port()
    url = f"postgresql://postgres:{quote(WORST, safe='')}@127.0.0.1:{port}/hippique"
    done = _hippique(args, tmp_path, HIPPIQUE_PG_URL=url)
    assert done.returncode == 1
    line = _one_error_line(done, WORST)
    assert line.startswith(
        f"Error: cannot connect to Postgres at postgresql://postgres:***@127.0.0.1:{port}/hippique: "
    )


def test_hippique_db_current_hides_a_password_written_with_hash_and_question_mark(tmp_path: Path) -> None:
    port = _closed_port()
    done = _hippique(
        ["db", "current"], tmp_path, HIPPIQUE_PG_URL=f"postgresql://u:Zq9#Xk7?y@127.0.0.1:{port}/db"
    )
    assert done.returncode == 1
    assert _one_error_line(done, "Zq9#Xk7?y").startswith(
        f"Error: cannot connect to Postgres at postgresql://u:***@127.0.0.1:{port}/db"
    )


@pytest.mark.postgres
@pytest.mark.parametrize("password", [WORST, "Zq9#Xk7?y"])
def test_a_migration_of_a_missing_database_shows_the_url_masked(password: str, tmp_path: Path) -> None:
    host, port = _server()
    url = f"postgresql://postgres:{password}@{host}:{port}/hippique_missing_{uuid.uuid4().hex[:8]}"
    if "/" in password or "@" in password:
        url = url.replace(password, quote(password, safe=""))
    done = _hippique(["db", "upgrade"], tmp_path, HIPPIQUE_PG_URL=url)
    assert done.returncode == 1
    line = _one_error_line(done, password)
    assert (
        line.startswith("Error: cannot connect to Postgres at postgresql://postgres:***@")
        and "does not exist" in line
    )


def _prod_env(tmp_path: Path, url: str) -> dict[str, str]:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text(PROD_INSTANCE_CONFIG.read_text())
    return {
        "DAGSTER_HOME": str(home),
        "DAGSTER_WORKSPACE": str(PROD_WORKSPACE),
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(_closed_port()),
        "DAGSTER_PG_USER": "dagster",
        "DAGSTER_PG_PASSWORD": WORST,
        "DAGSTER_PG_DB": "dagster",
        "DAGSTER_COMPUTE_LOGS_BUCKET": "bucket",
        "DAGSTER_COMPUTE_LOGS_PREFIX": "dagster/compute-logs",
        "DAGSTER_CODE_SERVER_HOST": "127.0.0.1",
        "DAGSTER_CODE_SERVER_PORT": str(_closed_port()),
        "DAGSTER_WEBSERVER_PORT": str(_closed_port()),
        "HIPPIQUE_ENV": "prod",
        "HIPPIQUE_PG_URL": url,
        "HIPPIQUE_GCS_BUCKET": "bucket",
        "HIPPIQUE_ROLE_FILE": str(tmp_path / "role"),
    }


@pytest.mark.postgres
def test_serve_migrate_on_a_missing_database_shows_the_url_masked(tmp_path: Path) -> None:
    host, port = _server()
    url = (
        f"postgresql://postgres:{quote(WORST, safe='')}@{host}:{port}/hippique_missing_{uuid.uuid4().hex[:8]}"
    )
    done = _hippique(["serve", "migrate"], tmp_path, **_prod_env(tmp_path, url))
    assert done.returncode == 2
    line = _one_error_line(done, WORST)
    assert line.startswith("hippique serve migrate: tables' migrations on postgresql://postgres:***@")
    assert "does not exist" in line


def test_health_checks_never_show_the_passwords(tmp_path: Path) -> None:
    url = f"postgresql://postgres:{quote(WORST, safe='')}@127.0.0.1:{_closed_port()}/hippique"
    env = _prod_env(tmp_path, url)
    done = _hippique(["health"], tmp_path, **env)
    assert done.returncode == 2 and "no role recorded" in _one_error_line(done, WORST)
    done = _hippique(["health", "webserver"], tmp_path, **env)
    assert done.returncode == 1
    _assert_hidden(done.stdout + done.stderr, WORST)


@pytest.mark.slow
def test_the_daemon_health_check_on_an_unreachable_instance_never_shows_the_password(tmp_path: Path) -> None:
    url = f"postgresql://postgres:{quote(WORST, safe='')}@127.0.0.1:{_closed_port()}/hippique"
    done = _hippique(["health", "daemon"], tmp_path, **_prod_env(tmp_path, url))
    assert done.returncode != 0
    _assert_hidden(done.stdout + done.stderr, WORST)


# ---------------------------------------------------------------------------------------------
# Run failure tags


@asset
def reads_the_tables(postgres: PostgresResource) -> None:
    """Fails: the server does not answer."""
    postgres.query_frame("SELECT 1")


def test_a_failed_run_is_tagged_with_the_url_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    port = _closed_port()
    monkeypatch.setenv(
        "HIPPIQUE_PG_URL", f"postgresql://postgres:{quote(WORST, safe='')}@127.0.0.1:{port}/db"
    )
    postgres = PostgresResource(url=EnvVar("HIPPIQUE_PG_URL"))  # as the definitions build it
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [reads_the_tables], instance=instance, resources={"postgres": postgres}, raise_on_error=False
    )
    assert not result.success
    now = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
    sensor = build_run_failure_sensor(load_settings({}))
    context = build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"postgres": postgres, "clock": ClockResource(spec=f"at:{now.isoformat()}")},
    ).for_run_failure()
    sensor(context)
    run = instance.get_run_by_id(result.dagster_run.run_id)
    assert run is not None
    assert run.tags["hippique/failed_step"] == "reads_the_tables"
    assert (
        f"cannot connect to Postgres at postgresql://postgres:***@127.0.0.1:{port}/db"
        in run.tags["hippique/failure"]
    )
    _assert_hidden(serialize_value(run), WORST)
    events = instance.all_logs(run.run_id)
    assert any(e.dagster_event and e.dagster_event.is_step_failure for e in events)
    _assert_hidden("\n".join(serialize_value(e) for e in events), WORST)
