"""Imports every module that declares tables, so the registry in
:mod:`hippique_assets.storage.tables` is complete."""

from hippique_assets.pmu import tables as pmu_tables  # noqa: F401
