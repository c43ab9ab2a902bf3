"""What the definitions take from the settings they are built with, not from the environment at
import: the analysis config's version as the code version of the assets that apply it; and the code
references on every asset, for the UI's links to the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dagster import AssetKey, LocalFileCodeReference, UrlCodeReference

from hippique_assets.analysis.config import load_config
from hippique_assets.definitions import build_definitions
from hippique_assets.settings import Settings

PACKAGED = Path(__file__).resolve().parents[2] / "hippique_assets" / "analysis" / "gpi.toml"
CONFIG_VERSIONED = ("gpi_model", "backtest_report", "race_analysis_h5", "race_decision", "race_tickets")
REPO = Path(__file__).resolve().parents[2]


def _config_with_version(path: Path, version: str) -> Path:
    text, count = re.subn(r'(?m)^version = ".*"$', f'version = "{version}"', PACKAGED.read_text())
    assert count == 1
    path.write_text(text)
    return path


def _settings(tmp_path: Path, **changes: object) -> Settings:
    return Settings.replayed(tmp_path, "http://127.0.0.1:1", **changes)


def _code_versions(settings: Settings) -> dict[str, str | None]:
    graph = build_definitions(settings).get_repository_def().asset_graph
    return {name: graph.get(AssetKey(name)).code_version for name in CONFIG_VERSIONED}


def test_the_model_assets_carry_the_version_of_the_config_the_definitions_are_built_with(
    tmp_path, monkeypatch
):
    # The process environment names a third config: it must not leak into either build.
    monkeypatch.setenv(
        "HIPPIQUE_ANALYSIS_CONFIG", str(_config_with_version(tmp_path / "env.toml", "from-env"))
    )
    first = _config_with_version(tmp_path / "a.toml", "test-a")
    second = _config_with_version(tmp_path / "b.toml", "test-b")
    assert load_config(first).version == "test-a"
    versions_a = _code_versions(_settings(tmp_path, analysis_config=str(first)))
    versions_b = _code_versions(_settings(tmp_path, analysis_config=str(second)))
    assert set(versions_a.values()) == {"test-a"}
    assert set(versions_b.values()) == {"test-b"}


def test_without_a_config_the_packaged_one_gives_the_version(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "HIPPIQUE_ANALYSIS_CONFIG", str(_config_with_version(tmp_path / "env.toml", "from-env"))
    )
    assert set(_code_versions(_settings(tmp_path)).values()) == {load_config(PACKAGED).version}


def test_an_unreadable_config_does_not_stop_the_definitions_from_loading(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("version = [")
    assert set(_code_versions(_settings(tmp_path, analysis_config=str(broken))).values()) == {
        "invalid-config"
    }


def _references(settings: Settings) -> dict[AssetKey, list[LocalFileCodeReference | UrlCodeReference]]:
    """The code references of every asset that runs code (a declared-only asset has no function)."""
    graph = build_definitions(settings).get_repository_def().asset_graph
    return {
        node.key: node.metadata["dagster/code_references"].code_references
        for node in graph.asset_nodes
        if node.is_executable
    }


def _function_at(source: Path, line: int) -> str | None:
    """The name of the function whose definition (decorators included) starts at ``line``."""
    lines = source.read_text().splitlines()[line - 1 :]
    if not lines or not lines[0].lstrip().startswith(("@", "def ")):
        return None
    first = next(text.strip() for text in lines if text.strip().startswith("def "))
    return first.removeprefix("def ").split("(")[0]


def test_every_asset_points_at_the_function_that_computes_it(tmp_path):
    references = _references(_settings(tmp_path))
    assert len(references) > 20
    for key, [reference] in references.items():
        assert isinstance(reference, LocalFileCodeReference), key
        source = Path(reference.file_path)
        assert source.is_file() and source.is_relative_to(REPO / "hippique_assets"), key
        assert reference.line_number is not None
        assert _function_at(source, reference.line_number), key
    model = references[AssetKey("gpi_model")][0]
    assert isinstance(model, LocalFileCodeReference) and model.line_number is not None
    assert Path(model.file_path) == REPO / "hippique_assets" / "defs" / "betting" / "model.py"
    assert _function_at(Path(model.file_path), model.line_number) == "gpi_model"


def test_with_a_repository_the_references_are_links_to_its_files(tmp_path):
    settings = _settings(tmp_path, git_url="https://github.com/example/hippique_assets", git_branch="v1.2")
    references = _references(settings)
    model = references[AssetKey("gpi_model")][0]
    assert isinstance(model, UrlCodeReference)
    prefix = "https://github.com/example/hippique_assets/tree/v1.2/hippique_assets/defs/betting/model.py#L"
    assert model.url.startswith(prefix)
    line = int(model.url.removeprefix(prefix))
    assert _function_at(REPO / "hippique_assets/defs/betting/model.py", line) == "gpi_model"
    assert all(isinstance(ref, UrlCodeReference) for refs in references.values() for ref in refs)


@pytest.mark.parametrize("url", ["http://github.com/example/repo", "https://example.org/repo"])
def test_a_repository_address_the_ui_cannot_link_is_refused(tmp_path, url):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="GitHub or GitLab"):
        _settings(tmp_path, git_url=url)
