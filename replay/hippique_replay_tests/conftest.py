"""Fixtures of the replay tests: the real PMU captures the generated world is checked against."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# shared/pmu-samples beside the checkout, as for the product's tests (read-only real captures).
CAPTURES = Path(
    os.environ.get("HIPPIQUE_SAMPLES_DIR", Path(__file__).resolve().parents[3] / "shared" / "pmu-samples")
)


@pytest.fixture(scope="session")
def pmu_samples() -> Path:
    """The real turfinfo responses under ``<samples>/pmu``."""
    folder = CAPTURES / "pmu"
    if not folder.is_dir():
        pytest.skip(f"real PMU captures not found at {folder} (set HIPPIQUE_SAMPLES_DIR)")
    return folder
