"""What two table assets need beyond their endpoint's record.

``participants`` checks the programme's arrival against the runners' finish ranks (it takes
``races``); ``performances`` identifies horses through the day's participants when PMU gives no
``idCheval`` (it takes ``participants``). Any other endpoint needs no hook.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSpec, MetadataValue
from sqlalchemy import Table

from hippique_assets.defs.pmu.parse_days import RowKwargs
from hippique_assets.pmu.schema.participants import PARTICIPANTS
from hippique_assets.quality import arrival_mismatches


@dataclass(frozen=True)
class TableHooks:
    """Upstream tables the asset takes (``inputs``, by asset name), extra arguments of its row
    function per race built from them, and extra checks over its frames."""

    inputs: tuple[str, ...] = ()
    row_kwargs: Callable[[Mapping[str, pd.DataFrame]], RowKwargs] | None = None
    check_specs: Sequence[AssetCheckSpec] = field(default_factory=tuple)
    checks: (
        Callable[[Mapping[str, pd.DataFrame], Mapping[Table, pd.DataFrame]], Iterator[AssetCheckResult]]
        | None
    ) = None


def _arrival_check(
    inputs: Mapping[str, pd.DataFrame], frames: Mapping[Table, pd.DataFrame]
) -> Iterator[AssetCheckResult]:
    problems = arrival_mismatches(inputs["races"], frames[PARTICIPANTS])
    yield AssetCheckResult(
        asset_key="participants",
        check_name="arrival_consistent",
        passed=not problems,
        metadata={"mismatches": len(problems), "examples": MetadataValue.json(problems[:10])},
    )


def _horse_ids(inputs: Mapping[str, pd.DataFrame]) -> RowKwargs:
    """The day's horse ids by race and runner number, from the participants."""
    ids_by_race = {
        str(key): dict(zip(group["number"].astype(int), group["horse_id"].astype(str), strict=True))
        for key, group in inputs["participants"].groupby("race_key")
    }

    def kwargs(race: str) -> dict[str, Any]:
        return {"horse_ids": ids_by_race.get(race)}

    return kwargs


HOOKS: Mapping[str, TableHooks] = {
    "participants": TableHooks(
        inputs=("races",),
        check_specs=(
            AssetCheckSpec(
                "arrival_consistent",
                asset="participants",
                description="The programme's arrival order equals the runners' finish ranks.",
                additional_deps=["races"],
            ),
        ),
        checks=_arrival_check,
    ),
    "performances": TableHooks(inputs=("participants",), row_kwargs=_horse_ids),
}
