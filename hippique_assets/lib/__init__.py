"""Helpers for the Dagster wiring that define nothing for Dagster themselves: table assets and their
checks and types, the tags and records of per-race runs, retry tags, and the in-process runner."""
