#!/usr/bin/env python3
"""``podman`` for Debian 12's podman-compose 1.0.3 with ``network_mode: host`` (test_compose.py).

That podman-compose gives every container its project network (``--net PROJECT_default
--network-alias SERVICE``) even when the service asks for the host's network, and podman refuses the
pair ("cannot set multiple networks without bridge network mode"). For a ``run`` or ``create`` that
asks for ``--network host``, this drops those two options; every other call goes to podman unchanged.
Newer podman-compose releases and Docker Compose need no such help.
"""

from __future__ import annotations

import os
import sys


def without_compose_network(args: list[str]) -> list[str]:
    if not args or args[0] not in ("run", "create") or "host" not in _values(args, "--network"):
        return args
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--net", "--network-alias"):
            skip = True
        else:
            kept.append(arg)
    return kept


def _values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == option]


if __name__ == "__main__":
    os.execvp("podman", ["podman", *without_compose_network(sys.argv[1:])])
