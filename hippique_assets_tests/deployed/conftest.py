"""The production image, shared by the container tests (test_image.py, test_compose.py)."""

from __future__ import annotations

import pytest

from hippique_assets_tests.deployed.image import BuiltImage, built_image


@pytest.fixture(scope="session")
def image() -> BuiltImage:
    """Built once per session (and once across pytest workers, under a file lock), or skipped."""
    built = built_image()
    how = "reused (inputs unchanged)" if built.reused else f"built in {built.build_s:.0f} s"
    print(f"image {built.tag} {built.image_id[:12]}: {how}, {built.size_bytes / 1e9:.2f} GB")
    return built
