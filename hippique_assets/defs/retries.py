"""How runs are retried, as tags on the jobs (the instance's ``run_retries`` applies them).

A failed daily run is retried whole (every step, not only the failed one): the raw steps of the
retry then request only what the first attempt missed. A per-race run is not retried at H-30 or
H-5 (the race would have started); the result may be.
"""

DAILY_TAGS = {"dagster/retry_strategy": "ALL_STEPS"}
RACE_TAGS = {
    "h30": {"dagster/max_retries": "0"},
    "h5": {"dagster/max_retries": "0"},
    "result": {"dagster/max_retries": "2"},
}
