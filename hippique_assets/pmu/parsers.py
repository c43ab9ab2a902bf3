"""PMU turfinfo JSON to typed DataFrames of the ``pmu`` tables: the one import for callers.

Pure functions (no I/O): each takes a parsed JSON payload and the race identity it was requested
for, and returns frames whose columns are exactly the declared columns of
:mod:`hippique_assets.pmu.tables`, in order, with the dtypes of
:func:`hippique_assets.pmu.parse_common.pandas_dtype`. Text is kept verbatim.

A value that cannot be read (a missing required key, a wrong type, NaN where an integer or an
instant is needed, a number out of range...) costs the smallest unit holding it: a reunion, a
race, a runner, a past race or a bet. By default the first such unit raises
:class:`PmuParseError` naming the endpoint, the race, the unit and the field, and no other
exception is raised for the payload's values. Given a ``rejected`` list, the frame functions
instead leave those units out (and the rows breaking a column's rule), append a
:class:`~hippique_assets.pmu.validation.Rejection` for each and return the rest. The ``*_rows``
functions behind them, which the table assets feed to a :class:`~hippique_assets.pmu.batch.Batch`,
return the units they left out in ``ParsedRows.rejected``.

=====================  ==================================================  ==========================
function               endpoint                                            tables
=====================  ==================================================  ==========================
parse_programme        ``/programme/DDMMYYYY``                             reunions, races
parse_reunion          ``/programme/DDMMYYYY/R1``                          reunions, races
race_refs              either of the above                                 (plan)
parse_participants     ``/R{n}/C{n}/participants``                         participants, horses
parse_performances     ``/R{n}/C{n}/performances-detaillees/pretty``       performances
parse_rapports         ``/R{n}/C{n}/rapports-definitifs``                  bets, dividends
odds_snapshot          a parsed participants frame                         odds_snapshots
=====================  ==================================================  ==========================
"""

from __future__ import annotations

from hippique_assets.pmu.odds_snapshots import odds_snapshot
from hippique_assets.pmu.parse_common import PmuParseError, empty_frame, frame_problems, pandas_dtype
from hippique_assets.pmu.parse_horses import derived_horse_id, horse_identity, normalise_name
from hippique_assets.pmu.parse_participants import ParticipantsTables, horse_ids_by_number, parse_participants
from hippique_assets.pmu.parse_performances import parse_performances
from hippique_assets.pmu.parse_programme import (
    ProgrammeTables,
    RaceRef,
    parse_programme,
    parse_reunion,
    race_refs,
)
from hippique_assets.pmu.parse_rapports import RapportsTables, parse_combination, parse_rapports
from hippique_assets.pmu.programme_fields import flatten_arrival

__all__ = [
    "ParticipantsTables",
    "PmuParseError",
    "ProgrammeTables",
    "RaceRef",
    "RapportsTables",
    "derived_horse_id",
    "empty_frame",
    "flatten_arrival",
    "frame_problems",
    "horse_identity",
    "horse_ids_by_number",
    "normalise_name",
    "odds_snapshot",
    "pandas_dtype",
    "parse_combination",
    "parse_participants",
    "parse_performances",
    "parse_programme",
    "parse_rapports",
    "parse_reunion",
    "race_refs",
]
