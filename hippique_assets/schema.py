"""Imports every module that declares tables, so the registry in
:mod:`hippique_assets.storage.tables` is complete."""

from hippique_assets.betting import tables as betting_tables  # noqa: F401
from hippique_assets.pmu import tables as pmu_tables  # noqa: F401
from hippique_assets.racing import results as racing_results  # noqa: F401
from hippique_assets.racing import tables as racing_tables  # noqa: F401
from hippique_assets.web import tables as web_tables  # noqa: F401
