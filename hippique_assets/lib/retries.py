"""How runs are retried and how long they may last, as tags on the jobs (the instance's ``run_retries`` applies them).

A failed daily run is retried whole (every step, not only the failed one): the raw steps of the
retry then request only what the first attempt missed. A per-race run is not retried at H-30 or
H-5 (the race would have started); the result may be.
"""

DAILY_TAGS = {"dagster/retry_strategy": "ALL_STEPS"}
# Run monitoring fails a run still going after dagster/max_runtime seconds (deploy/dagster.yaml):
# a snapshot is worthless a quarter of an hour late, and the result waits at most 12 x 60 s for the
# rapports to be final. This catches a run whose worker went down with its code server.
RACE_TAGS = {
    "h30": {"dagster/max_retries": "0", "dagster/max_runtime": "900"},
    "h5": {"dagster/max_retries": "0", "dagster/max_runtime": "900"},
    "result": {"dagster/max_retries": "2", "dagster/max_runtime": "3600"},
}
