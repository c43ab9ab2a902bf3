"""A small client of the Dagster webserver's GraphQL API, as the UI uses it."""

from __future__ import annotations

import time
from typing import Any

import httpx

LOCATION = "hippique_assets"
REPOSITORY = "__repository__"
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}


class DagsterUi:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/graphql"

    def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = httpx.post(self.url, json={"query": query, "variables": variables or {}}, timeout=30)
        answer.raise_for_status()
        body = answer.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def location_status(self) -> tuple[str, str]:
        data = self.query(
            "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus "
            "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
        )
        [entry] = [e for e in data["workspaceOrError"]["locationEntries"] if e["name"] == LOCATION]
        return entry["loadStatus"], entry["locationOrLoadError"]["__typename"]

    def launch_backfill(self, job: str, partitions: list[str]) -> str:
        data = self.query(
            "mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) { "
            "__typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }",
            {
                "p": {
                    "selector": {
                        "partitionSetName": f"{job}_partition_set",
                        "repositorySelector": {
                            "repositoryLocationName": LOCATION,
                            "repositoryName": REPOSITORY,
                        },
                    },
                    "partitionNames": partitions,
                }
            },
        )
        result = data["launchPartitionBackfill"]
        assert result["__typename"] == "LaunchBackfillSuccess", result
        return result["backfillId"]

    def add_dynamic_partition(self, name: str, key: str) -> None:
        data = self.query(
            "mutation($s: RepositorySelector!, $n: String!, $k: String!) { addDynamicPartition("
            "repositorySelector: $s, partitionsDefName: $n, partitionKey: $k) { __typename } }",
            {"s": {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY}, "n": name, "k": key},
        )
        assert data["addDynamicPartition"]["__typename"] == "AddDynamicPartitionSuccess", data

    def launch_run(self, job: str, tags: dict[str, str]) -> str:
        data = self.query(
            "mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename "
            "... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }",
            {
                "p": {
                    "selector": {
                        "repositoryLocationName": LOCATION,
                        "repositoryName": REPOSITORY,
                        "jobName": job,
                    },
                    "runConfigData": {},
                    "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
                }
            },
        )
        result = data["launchRun"]
        assert result["__typename"] == "LaunchRunSuccess", result
        return result["run"]["runId"]

    def runs(self, job: str | None = None) -> list[dict[str, Any]]:
        data = self.query(
            "query($f: RunsFilter) { runsOrError(filter: $f) { ... on Runs { results { runId jobName status "
            "startTime endTime tags { key value } } } } }",
            {"f": {"pipelineName": job} if job else {}},
        )
        runs = data["runsOrError"]["results"]
        for run in runs:
            run["tags"] = {t["key"]: t["value"] for t in run["tags"]}
        return runs

    def run(self, run_id: str) -> dict[str, Any]:
        [found] = [r for r in self.runs() if r["runId"] == run_id]
        return found

    def run_events(self, run_id: str) -> list[dict[str, Any]]:
        """The run's event log: ``__typename``, ``message`` and ``stepKey`` of every event."""
        events: list[dict[str, Any]] = []
        cursor = None
        while True:
            data = self.query(
                "query($id: ID!, $c: String) { logsForRun(runId: $id, afterCursor: $c) { __typename "
                "... on EventConnection { cursor hasMore events { __typename "
                "... on MessageEvent { message stepKey } } } } }",
                {"id": run_id, "c": cursor},
            )
            page = data["logsForRun"]
            assert page["__typename"] == "EventConnection", page
            events += page["events"]
            if not page["hasMore"]:
                return events
            cursor = page["cursor"]

    def pool_holders(self, pool: str) -> list[str]:
        """Ids of the runs holding a slot of ``pool``."""
        data = self.query(
            "query($k: String!) { instance { concurrencyLimit(concurrencyKey: $k) { activeRunIds } } }",
            {"k": pool},
        )
        return data["instance"]["concurrencyLimit"]["activeRunIds"]

    def wait_for_runs(self, predicate, timeout_s: float, poll_s: float = 1.0) -> list[dict[str, Any]]:
        """Poll the runs until ``predicate(runs)`` holds; the runs seen last on time-out in the error."""
        deadline = time.monotonic() + timeout_s
        runs: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            runs = self.runs()
            if predicate(runs):
                return runs
            time.sleep(poll_s)
        raise AssertionError(f"runs did not reach the expected state in {timeout_s:.0f} s: {runs}")
