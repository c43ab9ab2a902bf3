"""Subcommands added by other distributions through the ``hippique.commands`` entry points, read from
real distribution metadata on disk."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from hippique_assets.cli.main import cli

PLUGIN = '''
import click

VALUE = 42


@click.command()
@click.argument("who")
def hello(who):
    """Greets WHO."""
    click.echo(f"hello {who}")
'''

ENTRY_POINTS = """
[hippique.commands]
hello = hippique_fake_plugin:hello
ingest = hippique_fake_plugin:hello
broken = hippique_fake_missing:command
not-a-command = hippique_fake_plugin:VALUE
"""


@pytest.fixture
def fake_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed distribution ``hippique-fake-plugin`` (a module and its dist-info) on sys.path."""
    (tmp_path / "hippique_fake_plugin.py").write_text(PLUGIN)
    info = tmp_path / "hippique_fake_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hippique-fake-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("hippique_fake_plugin", None)


def test_an_installed_command_runs_under_its_entry_point_name(fake_plugin: Path):
    ctx = click.Context(cli)
    assert "hello" in cli.list_commands(ctx)
    result = CliRunner().invoke(cli.get_command(ctx, "hello"), ["world"])
    assert result.exit_code == 0
    assert result.output == "hello world\n"


def test_a_product_command_keeps_its_name(fake_plugin: Path):
    # The fake distribution declares ``ingest`` too, as its ``hello``.
    assert cli.get_command(click.Context(cli), "ingest").name == "ingest"


@pytest.mark.parametrize(
    ("name", "reason"),
    [("broken", "No module named 'hippique_fake_missing'"), ("not-a-command", "42 is not a click command")],
)
def test_a_command_that_cannot_load_fails_alone_in_one_line(fake_plugin: Path, name: str, reason: str):
    ctx = click.Context(cli)
    assert "hello" in cli.list_commands(ctx)
    command = cli.get_command(ctx, name)
    result = CliRunner().invoke(command, [])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert f"'{name}'" in lines[0]
    assert reason in lines[0]
    assert reason in (command.help or "")


def test_help_lists_every_command_without_importing_dagster_or_pandas():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from hippique_assets.cli.main import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='hippique')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('HEAVY', sorted(m for m in ('dagster', 'pandas', 'pyarrow') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for name in ("ingest", "summary", "db", "dev", "model", "backtest", "snapshots", "replay", "demo", "day"):
        assert f"  {name} " in done.stdout, name
    assert "HEAVY []" in done.stdout
