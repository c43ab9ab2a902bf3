"""Analysis settings for tests that exercise the betting mechanics rather than the betting policy."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from hippique_assets.analysis.config import default_config, load_config


def mechanics_config(path: Path, version: str = "test-mechanics-1", **replacements: str) -> Path:
    """The packaged ``gpi.toml`` with the edge rule off, every bet type and the factor weights of
    gpi-2026.11.1, so a generated day makes tickets to settle. ``replacements``: more text swaps."""
    text = resources.files("hippique_assets.analysis").joinpath("gpi.toml").read_text(encoding="utf-8")
    swaps = {
        f'version = "{default_config().version}"': f'version = "{version}"',
        'types = ["SIMPLE_GAGNANT"]': 'types = ["SIMPLE_GAGNANT", "SIMPLE_PLACE", "COUPLE_GAGNANT", "TRIO"]',
        "require_edge = true": "require_edge = false",
        "jockey = 0.0": "jockey = 0.4",
        "trainer = 0.0": "trainer = 0.3",
        "form = 0.0": "form = 0.3",
        "chrono = 0.0": "chrono = 0.2",
        "drift = 0.0": "drift = 0.5",
        **replacements,
    }
    for old, new in swaps.items():
        if old not in text:
            raise AssertionError(f"gpi.toml no longer contains {old!r}: update the test settings")
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    assert config.version == version and not config.edge.require_edge
    return path
