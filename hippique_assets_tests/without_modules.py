"""Python code run in a subprocess where some packages cannot be imported, as in an install that
leaves them out (the production image has neither hippique_replay nor pgserver): a finder placed
first on ``sys.meta_path`` refuses them and records every attempt, even one the importer catches."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping

REFUSING_FINDER = """
import importlib.abc
import sys

REFUSED_PACKAGES = {refused!r}


def importer() -> str:
    # The module whose code asked for the import: the first caller outside importlib.
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "?")
        if name != "importlib" and not name.startswith(("importlib.", "_frozen_importlib")):
            return name
        frame = frame.f_back
    return "?"


class Refuse(importlib.abc.MetaPathFinder):
    refused: list[tuple[str, str]] = []

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in REFUSED_PACKAGES:
            Refuse.refused.append((importer(), name))
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, Refuse())
"""


def run_without(
    packages: Iterable[str], code: str, *, env: Mapping[str, str] | None = None, timeout_s: float = 180.0
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` where ``packages`` (top-level names) cannot be imported; ``Refuse.refused`` in
    that process lists the attempts as (importing module, refused module)."""
    finder = REFUSING_FINDER.format(refused=sorted(set(packages)))
    return subprocess.run(
        [sys.executable, "-c", finder + code],
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else dict(os.environ),
        timeout=timeout_s,
        check=False,
    )
