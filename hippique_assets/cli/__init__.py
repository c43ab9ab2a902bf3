"""The ``hippique`` command line."""

from hippique_assets.cli.main import cli, main

__all__ = ["cli", "main"]
