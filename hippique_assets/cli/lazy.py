"""A command group whose subcommands are imported only when one of them runs.

``hippique --help`` then costs the start of Python and click, not the import of Dagster, pandas
and the analysis (about three seconds): each subcommand is declared by its import path and a
one-line summary, and plugin commands (entry points of other distributions) the same way.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import EntryPoint

import click

from hippique_assets.cli.plugins import load_plugin, plugin_entry_points


@dataclass(frozen=True)
class LazyCommand:
    """Where a subcommand lives (``module:attribute``) and what it does, in one line."""

    target: str
    summary: str


class LazyGroup(click.Group):
    """A click group of :class:`LazyCommand` subcommands, plus the ``hippique.commands`` plugins."""

    def __init__(self, *args: object, lazy: dict[str, LazyCommand], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def _plugins(self) -> dict[str, EntryPoint]:
        return plugin_entry_points(self.lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.lazy, *self._plugins(), *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name].target.partition(":")
            return getattr(importlib.import_module(module), attribute)
        plugin = self._plugins().get(cmd_name)
        if plugin is not None:
            return load_plugin(plugin)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        plugins = self._plugins()
        for name in self.list_commands(ctx):
            if name in self.lazy:
                rows.append((name, self.lazy[name].summary))
            elif name in plugins:
                distribution = getattr(plugins[name], "dist", None)
                origin = getattr(distribution, "name", None) or plugins[name].value.partition(".")[0]
                rows.append((name, f"(from {origin}; hippique {name} --help)"))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
