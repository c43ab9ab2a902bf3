"""Subcommands that other installed distributions add to ``hippique``.

A distribution declares click commands in the entry-point group ``hippique.commands``; the name of
the entry point is the name of the subcommand. hippique-replay adds ``replay``, ``demo`` and ``day``
this way, so they exist where it is installed (``make venv``) and nowhere else (the production image).
"""

from __future__ import annotations

from collections.abc import Collection
from importlib.metadata import EntryPoint, entry_points

import click

ENTRY_POINT_GROUP = "hippique.commands"


def _unloadable(entry_point: EntryPoint, error: Exception) -> click.Command:
    """Stands for a command whose distribution is installed but cannot be imported: the other
    commands keep working, and this one says why it cannot run."""
    reason = f"{type(error).__name__}: {error}"

    def fail() -> None:
        raise click.ClickException(f"'{entry_point.name}' ({entry_point.value}) cannot be loaded: {reason}")

    return click.Command(entry_point.name, callback=fail, help=f"(cannot be loaded: {reason})")


def load_plugin(entry_point: EntryPoint) -> click.Command:
    """The click command of one entry point, or one that says why it cannot be loaded."""
    try:
        command = entry_point.load()
    except Exception as exc:  # an import error in a plugin must not take the other commands down
        return _unloadable(entry_point, exc)
    if not isinstance(command, click.Command):
        return _unloadable(entry_point, TypeError(f"{command!r} is not a click command"))
    return command


def plugin_entry_points(taken: Collection[str]) -> dict[str, EntryPoint]:
    """The ``hippique.commands`` entry points by name, sorted, leaving out the names in ``taken``
    (the product's own commands keep theirs) and a name's later duplicates. Nothing is imported."""
    found: dict[str, EntryPoint] = {}
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        if entry_point.name not in taken and entry_point.name not in found:
            found[entry_point.name] = entry_point
    return found
