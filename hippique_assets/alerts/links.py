"""Links from an alert to the Dagster UI."""

from __future__ import annotations

from urllib.parse import quote


def run_link(ui_url: str | None, run_id: str) -> str | None:
    """``{ui_url}/runs/{run_id}``, the page of a run in the Dagster UI; None when no UI address is set.

    ``ui_url`` is where people open the UI, path prefix included (``https://ops.example/dagster``).
    """
    if not ui_url or not ui_url.strip():
        return None
    return f"{ui_url.strip().rstrip('/')}/runs/{quote(run_id, safe='')}"
