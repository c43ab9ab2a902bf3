"""Fixtures of the alert tests: one realistic alert."""

from __future__ import annotations

import pytest

from hippique_assets.alerts import Alert

RUN_URL = "http://127.0.0.1:3000/runs/0f1e2d3c-aaaa-bbbb-cccc-123456789abc"


@pytest.fixture
def alert() -> Alert:
    return Alert.create(
        "critical",
        "h5_run_failed",
        "H-5 run failed for R1C4",
        day="2026-03-23",
        race_key="2026-03-23-R1C4",
        text=["The H-5 snapshot of R1C4 failed: no ticket will be placed.", "Start 13:50 Paris."],
        fields={"race": "2026-03-23-R1C4", "phase": "h5", "reason": "run_failed", "step": "odds_h5"},
        run_url=RUN_URL,
    )
