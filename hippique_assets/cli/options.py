"""Option types shared by the commands."""

from __future__ import annotations

from datetime import date, timedelta

import click


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)


DATE = DateType()


def day_range(start: date, end: date | None) -> list[date]:
    """Every day from start to end inclusive; a clear error when the range is backwards."""
    end = end or start
    if end < start:
        raise click.BadParameter(f"--to {end} is before --date {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
