"""Resources, picked by one switch: ``HIPPIQUE_ENV=local|prod``.

local: tables in an embedded Postgres under ``.hippique/`` unless ``HIPPIQUE_PG_URL`` is set, files
in a local folder unless ``HIPPIQUE_GCS_BUCKET`` is set, the PMU source at ``HIPPIQUE_PMU_BASE_URL``.
prod: Postgres and the bucket are required, the source defaults to the live API.
"""

from typing import Any

from dagster import ConfigurableResource, EnvVar

from hippique_assets.defs.betting.resources import AnalysisResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.web.resources import WebSourcesResource
from hippique_assets.net.polite import RetryPolicy
from hippique_assets.pmu.client import PmuClient
from hippique_assets.settings import LIVE_PMU_BASE_URL, Settings, load_settings
from hippique_assets.storage.artifacts import FilesIOManager
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.io_manager import PostgresPandasIOManager
from hippique_assets.storage.postgres import PostgresResource

# Steps that call the PMU API take a slot of a Dagster concurrency pool: its limit (dagster.yaml,
# ``concurrency.pools``) caps how many of them run at once across all runs. The daily ingestion
# and backfills share one pool; race-day snapshots and results have their own, because a backfill's
# raw step can hold its slot for half an hour and an H-5 snapshot cannot wait that long.
PMU_API_POOL = "pmu_api"
PMU_LIVE_POOL = "pmu_live"


class PmuApiResource(ConfigurableResource):
    """The PMU turfinfo API (or a replay of it) with its manners: rate limit, retries, concurrency."""

    base_url: str = LIVE_PMU_BASE_URL
    rate_limit_per_s: float = 1.0
    concurrency: int = 4
    timeout_s: float = 20.0
    max_attempts: int = 5
    # First wait before a retry (doubled each time, plus up to as much jitter).
    backoff_s: float = 1.0
    # Total time of one attempt (connect and all reads), beside timeout_s which bounds each read.
    deadline_s: float = 30.0
    # Body size limits in MB by endpoint, over the client's defaults (HIPPIQUE_MAX_BODY_MB).
    max_body_mb: dict[str, float] | None = None

    def client(self) -> PmuClient:
        return PmuClient(
            self.base_url,
            rate_limit_per_s=self.rate_limit_per_s,
            concurrency=self.concurrency,
            timeout_s=self.timeout_s,
            deadline_s=self.deadline_s,
            max_body_mb=self.max_body_mb,
            retry=RetryPolicy(
                max_attempts=self.max_attempts, backoff_initial_s=self.backoff_s, jitter_s=self.backoff_s
            ),
        )


def build_resources(settings: Settings | None = None) -> dict[str, Any]:
    """The resources of the one ``Definitions``, from the environment."""
    settings = settings or load_settings()
    postgres = PostgresResource(
        url=EnvVar("HIPPIQUE_PG_URL") if settings.pg_url_set else None,
        home=str(settings.home),
        migrate=settings.env == "local",
    )
    files = FilesResource(base_uri=settings.files_uri)
    return {
        "postgres": postgres,
        "files": files,
        "pmu": PmuApiResource(
            base_url=settings.pmu_base_url,
            rate_limit_per_s=settings.rate_limit_per_s,
            concurrency=settings.concurrency,
            max_attempts=settings.retry_attempts,
            backoff_s=settings.retry_backoff_s,
            deadline_s=settings.request_deadline_s,
            max_body_mb=dict(settings.max_body_mb) or None,
        ),
        "pg_io_manager": PostgresPandasIOManager(postgres=postgres),
        "files_io_manager": FilesIOManager(files=files),
        "clock": ClockResource(spec=settings.clock),
        "analysis": AnalysisResource(config_path=settings.analysis_config),
        "web": WebSourcesResource(
            zeturf=settings.web_zeturf, geny=settings.web_geny, deadline_s=settings.request_deadline_s
        ),
    }
