"""Abstention reasons counted by their stable part, shared by the backtest and the daily ledger."""

from __future__ import annotations


def reason_category(reason: str | None) -> str:
    """The stable part of an abstention reason (before the figures), for counting."""
    if not reason:
        return "-"
    return reason.split(":")[0].split(" (")[0].strip()
