"""When is a racing day over? The pure logic behind the ledger sensor.

The day's ledger and workbook are built once every race that was not cancelled has its result, or,
when some result never comes (rapports withheld, a failed run), once the last race is long past.
A result stored later moves the day's count on, which makes a new run key: the ledger is rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

# After the last start: H+15, the result's retries while rapports are not final (12 x 1 min), a margin.
RESULTS_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class DayProgress:
    """What the plan and the results table say about one racing day."""

    race_date: date
    races: int
    resulted: int
    last_start: datetime | None

    @property
    def run_key(self) -> str:
        return f"ledger:{self.race_date.isoformat()}:{self.resulted}"


def closed_days(
    days: list[DayProgress], now: datetime, *, wait: timedelta = RESULTS_WAIT
) -> list[DayProgress]:
    """The days whose ledger is due at ``now``: every race resulted, or the last start ``wait`` ago."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    due = []
    for day in days:
        if day.races == 0:
            continue
        all_in = day.resulted >= day.races
        timed_out = day.last_start is not None and now >= day.last_start + wait
        if all_in or timed_out:
            due.append(day)
    return sorted(due, key=lambda d: d.race_date)
