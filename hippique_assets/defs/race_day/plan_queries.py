"""What the race-day sensors read of ``racing.race_plan``: the races whose phases may be due around
now (the race clock) and each recent day's progress towards its results (the ledger sensor).

A table not created yet reads as nothing; an unreachable Postgres raises
:class:`PostgresUnavailable`, and the sensor skips its tick with that message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from hippique_assets.errors import first_line
from hippique_assets.racing.day_close import DayProgress
from hippique_assets.racing.plan import PARIS
from hippique_assets.racing.race_clock import LOOKAHEAD, LOOKBACK, PlannedRace
from hippique_assets.racing.results import RACE_RESULTS
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.postgres import UNREACHABLE, PostgresResource, TableNotFoundError

PLAN_WINDOW_SQL = (
    f"select race_key, start_utc, cancelled from {RACE_PLAN.fullname} "
    "where start_utc >= %(since)s and start_utc <= %(until)s"
)
DAY_PROGRESS_SQL = f"""
select p.race_date,
       count(*) filter (where not p.cancelled) as races,
       count(r.race_key) filter (where not p.cancelled) as resulted,
       max(p.start_utc) filter (where not p.cancelled) as last_start
from {RACE_PLAN.fullname} p
left join {RACE_RESULTS.fullname} r on r.race_key = p.race_key
where p.race_date >= %(since)s and p.race_date <= %(until)s
group by p.race_date
"""
DAY_PROGRESS_NO_RESULTS_SQL = f"""
select race_date, count(*) filter (where not cancelled) as races, 0 as resulted,
       max(start_utc) filter (where not cancelled) as last_start
from {RACE_PLAN.fullname}
where race_date >= %(since)s and race_date <= %(until)s
group by race_date
"""
# The ledger sensor looks at the days whose races may still be settling.
LEDGER_LOOKBACK = timedelta(days=2)


class PostgresUnavailable(RuntimeError):
    """The tables cannot be read right now: a sensor skips its tick with this message."""


def _read(postgres: PostgresResource, sql: str, params: dict[str, Any]) -> pd.DataFrame | None:
    """A sensor's query; None when a table it reads does not exist yet."""
    try:
        return postgres.query_frame(sql, params)
    except TableNotFoundError:
        return None
    except UNREACHABLE as exc:
        raise PostgresUnavailable(f"Postgres unreachable, tick skipped: {first_line(exc)}") from exc


def read_plan_window(postgres: PostgresResource, now: datetime) -> list[PlannedRace] | None:
    """Races whose phases may be due around ``now``; None when no plan was ever built."""
    frame = _read(
        postgres, PLAN_WINDOW_SQL, {"since": now - LOOKBACK - timedelta(minutes=1), "until": now + LOOKAHEAD}
    )
    if frame is None:
        return None
    return [
        PlannedRace(key, start.to_pydatetime(), bool(cancelled))
        for key, start, cancelled in zip(
            frame["race_key"], frame["start_utc"], frame["cancelled"], strict=True
        )
    ]


def read_day_progress(postgres: PostgresResource, now: datetime) -> list[DayProgress]:
    """Per recent racing day: races in the plan, how many have a stored result, the last start."""
    today = now.astimezone(PARIS).date()
    params = {"since": today - LEDGER_LOOKBACK, "until": today}
    frame = _read(postgres, DAY_PROGRESS_SQL, params)
    if frame is None:
        frame = _read(postgres, DAY_PROGRESS_NO_RESULTS_SQL, params)
    if frame is None:
        return []
    return [
        DayProgress(
            day,
            int(races),
            int(resulted),
            None if pd.isna(last) else last.to_pydatetime(),
        )
        for day, races, resulted, last in zip(
            frame["race_date"], frame["races"], frame["resulted"], frame["last_start"], strict=True
        )
    ]
