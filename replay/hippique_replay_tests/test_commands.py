"""Where hippique-replay is installed, ``hippique`` has its commands next to the product's."""

from __future__ import annotations

import subprocess

import click

from hippique_assets.cli.main import cli
from hippique_assets.cli.processes import executable
from hippique_replay.cli import replay
from hippique_replay.day import day
from hippique_replay.demo import demo


def test_the_installed_commands_are_the_replay_packages():
    context = click.Context(cli)
    assert cli.get_command(context, "replay") is replay
    assert cli.get_command(context, "demo") is demo
    assert cli.get_command(context, "day") is day


def test_hippique_help_lists_the_replay_commands_and_dev():
    done = subprocess.run(
        [executable("hippique"), "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"replay", "demo", "day", "dev", "ingest"} <= listed


def test_hippique_replay_serve_help_runs_from_the_product_command():
    done = subprocess.run(
        [executable("hippique"), "replay", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: hippique replay serve" in done.stdout
    assert "--faults" in done.stdout
