"""The Postgres tables of schema ``pmu``, filled from the PMU turfinfo API: the registry that
gathers the declarations of :mod:`hippique_assets.pmu.schema`, one module per endpoint.

Daily tables (reunions, races, participants, bets, dividends) are partitioned by ``race_date``,
the racing day that was requested (Europe/Paris), and a materialization replaces the whole day.
``horses`` and ``performances`` are shared by every day and upserted on their key;
``odds_snapshots`` keeps every capture, partitioned by race key.

Units are converted at parse time (see :mod:`hippique_assets.pmu.units`): money in euros,
weights in kilograms, durations in seconds, instants as ``timestamptz``.

How a horse is identified is told in :mod:`hippique_assets.pmu.schema.participants`.
"""

from __future__ import annotations

from sqlalchemy import Table

from hippique_assets.pmu.endpoints import INGESTED
from hippique_assets.pmu.schema.ingest_gaps import INGEST_GAPS
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.pmu.schema.participants import HORSES, PARTICIPANTS
from hippique_assets.pmu.schema.performances import PERFORMANCES
from hippique_assets.pmu.schema.programme import RACES, REUNIONS
from hippique_assets.pmu.schema.rapports import BETS, DIVIDENDS

__all__ = [
    "ALL_TABLES",
    "BETS",
    "DIVIDENDS",
    "HORSES",
    "INGEST_GAPS",
    "ODDS_SNAPSHOTS",
    "PARTICIPANTS",
    "PERFORMANCES",
    "RACES",
    "REUNIONS",
]

# The tables the endpoints' answers are parsed into, in the order the endpoints land, then the race
# clock's odds snapshots. Taken from the endpoint records, so that a new endpoint's table is
# registered (for the migrations, the catalog and the checks) by its record alone. pmu.ingest_gaps
# records what the parsing and the requests could not land, so it is not one of them.
ALL_TABLES: tuple[Table, ...] = (
    *dict.fromkeys(spec.table for endpoint in INGESTED for spec in endpoint.tables),
    ODDS_SNAPSHOTS,
)
