"""The files of the single-VM deployment, checked without a container engine: the Dockerfile builds
one image whose command picks the role, deploy/compose.yaml wires the roles in order and reads only
variables that deploy/.env.example lists, and the Postgres init script really creates the two
databases (run against the machine's server)."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
import yaml

from hippique_assets.deploy.roles import CODE_SERVER, ROLES, SERVICES, program
from hippique_assets_tests.conftest import ADMIN_PG_URL
from hippique_assets_tests.deployed.stack import ENV_EXAMPLE, REPO

COMPOSE = REPO / "deploy" / "compose.yaml"
INIT_SCRIPT = REPO / "deploy" / "postgres" / "init-databases.sh"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def example_names() -> set[str]:
    return {m.group(1) for m in re.finditer(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M)}


def test_the_dockerfile_builds_one_image_whose_command_picks_the_role():
    text = (REPO / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) == 2
    assert re.search(r"^USER hippique$", text, re.M)
    # No listening UI by default: the command must name the role.
    assert 'CMD ["hippique", "serve", "--help"]' in text
    # The configuration is not the runtime user's to change.
    assert "chown -R hippique" not in text
    assert re.search(r'chmod 0444 "\$DAGSTER_HOME"/dagster.yaml workspace.yaml', text)
    assert re.search(r'^HEALTHCHECK .*CMD \["hippique", "health"\]$', text, re.M)
    assert "STOPSIGNAL SIGINT" in text
    # Every file the final image copies from the context is let in by .dockerignore.
    allowed = {
        line[1:].rstrip("/")
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    for source in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        assert any(source == a or source.startswith(a + "/") for a in allowed), source
        assert (REPO / source).exists(), source


def test_compose_runs_each_role_of_the_image_in_order(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "migrate", *SERVICES, "webserver-read-only", "gcs-emulator"}
    for role in ROLES:
        assert services[role]["command"] == ["hippique", "serve", role]
    assert services["webserver-read-only"]["command"] == ["hippique", "serve", "webserver", "--read-only"]
    for role in SERVICES:
        assert services[role]["healthcheck"]["test"] == ["CMD", "hippique", "health", role]
        assert services[role]["stop_signal"] == "SIGINT"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["code-server"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"}
    }
    for role in ("webserver", "webserver-read-only", "daemon"):
        assert services[role]["depends_on"] == {"code-server": {"condition": "service_healthy"}}
    # The emulator only on demand, and at the version the tests use.
    assert services["gcs-emulator"]["profiles"] == ["emulator"]
    locked = re.search(r'name = "gcp-storage-emulator"\nversion = "([^"]+)"', (REPO / "uv.lock").read_text())
    assert f"gcp-storage-emulator=={locked.group(1)}" in " ".join(services["gcs-emulator"]["command"])
    # The webserver is published on the VM's loopback unless told otherwise.
    assert services["webserver"]["ports"] == [
        "${WEBSERVER_PUBLISH:-127.0.0.1:3000}:${DAGSTER_WEBSERVER_PORT:-3000}"
    ]


def test_compose_reads_only_variables_that_the_example_lists():
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE.read_text()))
    assert used, "no variable found"
    assert sorted(used - example_names()) == []


@pytest.mark.postgres
def test_the_init_script_creates_both_databases_with_their_owners(pg_url):
    suffix = uuid.uuid4().hex[:8]
    names = {
        "DAGSTER_PG_USER": f"hippique_deploy_dagster_{suffix}",
        "DAGSTER_PG_PASSWORD": "it's-a-secret",
        "DAGSTER_PG_DB": f"hippique_deploy_dagster_{suffix}",
        "HIPPIQUE_DB_USER": f"hippique_deploy_tables_{suffix}",
        "HIPPIQUE_DB_PASSWORD": "another",
        "HIPPIQUE_DB_NAME": f"hippique_deploy_tables_{suffix}",
    }
    admin = psycopg2.connect(ADMIN_PG_URL)
    admin.autocommit = True
    from sqlalchemy.engine import make_url

    server = make_url(ADMIN_PG_URL)
    env = {
        **os.environ,
        **names,
        "POSTGRES_USER": server.username or "postgres",
        "PGHOST": server.host or "127.0.0.1",
        "PGPORT": str(server.port or 5432),
    }
    try:
        done = subprocess.run(["sh", str(INIT_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        with admin.cursor() as cur:
            cur.execute(
                "select datname, pg_get_userbyid(datdba) from pg_database where datname in (%s, %s) order by 1",
                (names["DAGSTER_PG_DB"], names["HIPPIQUE_DB_NAME"]),
            )
            assert cur.fetchall() == [
                (names["DAGSTER_PG_DB"], names["DAGSTER_PG_USER"]),
                (names["HIPPIQUE_DB_NAME"], names["HIPPIQUE_DB_USER"]),
            ]
    finally:
        with admin.cursor() as cur:
            for key in ("DAGSTER_PG_DB", "HIPPIQUE_DB_NAME"):
                cur.execute(f'drop database if exists "{names[key]}" with (force)')
            for key in ("DAGSTER_PG_USER", "HIPPIQUE_DB_USER"):
                cur.execute(f'drop role if exists "{names[key]}"')
        admin.close()


def test_the_script_is_executable():
    assert os.access(INIT_SCRIPT, os.X_OK)
    assert Path(INIT_SCRIPT).read_text().startswith("#!/bin/sh\n")


def test_the_helm_values_repeat_the_production_instance_settings():
    values = yaml.safe_load((REPO / "deploy" / "helm" / "values.yaml").read_text())
    instance = yaml.safe_load((REPO / "deploy" / "dagster.yaml").read_text())
    runs = instance["concurrency"]["runs"]
    assert values["concurrency"]["enabled"] is True
    assert values["concurrency"]["pools"] == {
        "defaultLimit": instance["concurrency"]["pools"]["default_limit"]
    }
    assert values["concurrency"]["runs"] == {
        "maxConcurrentRuns": runs["max_concurrent_runs"],
        "tagConcurrencyLimits": runs["tag_concurrency_limits"],
    }
    daemon = values["dagsterDaemon"]
    queued = daemon["runCoordinator"]["config"]["queuedRunCoordinator"]
    coordinator = instance["run_coordinator"]["config"]
    assert queued == {
        "dequeueIntervalSeconds": coordinator["dequeue_interval_seconds"],
        "dequeueUseThreads": coordinator["dequeue_use_threads"],
        "dequeueNumWorkers": coordinator["dequeue_num_workers"],
    }
    monitoring = instance["run_monitoring"]
    assert daemon["runMonitoring"]["enabled"] is True
    assert daemon["runMonitoring"]["maxResumeRunAttempts"] == monitoring["max_resume_run_attempts"]
    assert daemon["runMonitoring"]["maxRuntimeSeconds"] == monitoring["max_runtime_seconds"]
    assert (
        daemon["runMonitoring"]["freeSlotsAfterRunEndSeconds"]
        == monitoring["free_slots_after_run_end_seconds"]
    )
    retries = instance["run_retries"]
    assert daemon["runRetries"] == {
        "enabled": retries["enabled"],
        "maxRetries": retries["max_retries"],
        "retryOnAssetOrOpFailure": retries["retry_on_asset_or_op_failure"],
    }
    for kind in ("sensor", "schedule"):
        assert values["retention"][kind]["purgeAfterDays"] == instance["retention"][kind]["purge_after_days"]
    gcs = values["computeLogManager"]["config"]["gcsComputeLogManager"]
    assert values["computeLogManager"]["type"] == "GCSComputeLogManager"
    assert gcs["uploadInterval"] == instance["compute_logs"]["config"]["upload_interval"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    [deployment] = values["dagster-user-deployments"]["deployments"]
    # The chart starts `dagster code-server start -h 0.0.0.0 -p PORT` with these: the VM's program.
    vm = program(
        CODE_SERVER, {"DAGSTER_CODE_SERVER_PORT": str(deployment["port"]), "HIPPIQUE_LISTEN_HOST": "0.0.0.0"}
    )
    assert ["dagster", "code-server", "start", *deployment["codeServerArgs"]] == [
        a for a in vm if a not in ("-h", "0.0.0.0", "-p", str(deployment["port"]))
    ]
    assert (
        values["postgresql"]["postgresqlScheme"] == instance["storage"]["postgres"]["postgres_db"]["scheme"]
    )
    # Nothing secret in the values: passwords come from Kubernetes secrets.
    assert "postgresqlPassword" not in values["postgresql"]
    assert values["generatePostgresqlPasswordSecret"] is False


def test_each_service_receives_only_the_secrets_of_its_role(compose):
    services = compose["services"]
    for name, service in services.items():
        assert "env_file" not in service, name

    def secrets(name: str) -> set[str]:
        env = services[name].get("environment", {})
        text = " ".join(f"{k}={v}" for k, v in env.items())
        return {
            s
            for s in (
                "POSTGRES_PASSWORD",
                "HIPPIQUE_DB_PASSWORD",
                "HIPPIQUE_PG_URL",
                "DAGSTER_PG_PASSWORD",
                "HIPPIQUE_ALERT_SMTP_PASSWORD",
                "HIPPIQUE_ALERT_WEBHOOK_URL",
            )
            if s in text
        }

    assert secrets("code-server") == {
        "HIPPIQUE_DB_PASSWORD",
        "HIPPIQUE_PG_URL",
        "DAGSTER_PG_PASSWORD",
        "HIPPIQUE_ALERT_SMTP_PASSWORD",
        "HIPPIQUE_ALERT_WEBHOOK_URL",
    }
    assert secrets("migrate") == {"HIPPIQUE_DB_PASSWORD", "HIPPIQUE_PG_URL", "DAGSTER_PG_PASSWORD"}
    for role in ("webserver", "webserver-read-only", "daemon"):
        assert secrets(role) == {"DAGSTER_PG_PASSWORD"}, role
    # The superuser's password is postgres's alone.
    assert [n for n in services if "POSTGRES_PASSWORD" in secrets(n)] == ["postgres"]
    # Listening on all interfaces is the compose file's explicit choice, inside the stack's network.
    for role in ("code-server", "webserver", "webserver-read-only"):
        assert services[role]["environment"]["HIPPIQUE_LISTEN_HOST"] == "0.0.0.0"
    assert services["webserver-read-only"]["ports"] == [
        "${WEBSERVER_READ_ONLY_PUBLISH:-127.0.0.1:3001}:${DAGSTER_WEBSERVER_PORT:-3000}"
    ]


def test_helm_verifies_the_database_server_and_limits_who_reaches_what():
    values = yaml.safe_load((REPO / "deploy" / "helm" / "values.yaml").read_text())
    params = values["postgresql"]["postgresqlParams"]
    assert params["sslmode"] == "verify-full"
    ca = params["sslrootcert"]
    [deployment] = values["dagster-user-deployments"]["deployments"]
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    for pod in (values["dagsterWebserver"], values["dagsterDaemon"], deployment, launcher):
        [mount] = pod["volumeMounts"]
        assert ca.startswith(mount["mountPath"] + "/") and mount["readOnly"] is True
        [volume] = pod["volumes"]
        assert volume["secret"]["secretName"] == "cloudsql-server-ca"
    assert values["dagsterWebserver"]["enableReadOnly"] is True
    policies = {
        doc["metadata"]["name"]: doc["spec"]
        for doc in yaml.safe_load_all((REPO / "deploy" / "helm" / "networkpolicy.yaml").read_text())
    }
    code = policies["hippique-code-server"]
    assert code["podSelector"] == {"matchLabels": deployment["labels"]}
    [rule] = code["ingress"]
    [peer] = rule["from"]
    [expression] = peer["podSelector"]["matchExpressions"]
    assert set(expression["values"]) == {"dagster-webserver", "dagster-webserver-read-only", "dagster-daemon"}
    assert rule["ports"] == [{"protocol": "TCP", "port": deployment["port"]}]
    web = policies["hippique-webservers"]
    [rule] = web["ingress"]
    assert {p["ipBlock"]["cidr"] for p in rule["from"]} == {"35.191.0.0/16", "130.211.0.0/22"}
    assert rule["ports"] == [{"protocol": "TCP", "port": values["dagsterWebserver"]["service"]["port"]}]
    assert policies["hippique-default-deny-ingress"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
