"""What an alert says: its severity, the condition that raised it, the human text and the details."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Literal, get_args

Severity = Literal["critical", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

# A condition is a short machine name (``h5_run_failed``): it goes into dedup keys and webhook JSON.
_CONDITION = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def dedup_key(condition: str, day: date | str, race_key: str | None = None) -> str:
    """The key under which repeats of one alert are recognised: condition, racing day and race,
    e.g. ``h5_run_failed:2026-03-23:2026-03-23-R1C4`` (``-`` when the alert concerns the whole day)."""
    return f"{condition}:{_as_date(day).isoformat()}:{race_key or '-'}"


@dataclass(frozen=True)
class Alert:
    """One alert, ready for any channel.

    ``text`` holds the human lines, ``fields`` the details in display order (race, phase, reason...).
    Build it with :meth:`create`, which derives ``dedup_key``; the constructor checks the values and
    makes ``fields`` read-only.
    """

    severity: Severity
    condition: str
    title: str
    text: tuple[str, ...]
    fields: Mapping[str, str] = field(hash=False)
    dedup_key: str
    day: date
    race_key: str | None = None
    run_url: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {self.severity!r}")
        if not _CONDITION.match(self.condition):
            raise ValueError(f"condition must be a short snake_case name, got {self.condition!r}")
        if not self.title.strip():
            raise ValueError("an alert needs a title")
        text = self.text.splitlines() if isinstance(self.text, str) else self.text
        object.__setattr__(self, "text", tuple(str(line) for line in text))
        object.__setattr__(
            self, "fields", MappingProxyType({str(k): str(v) for k, v in dict(self.fields).items()})
        )
        object.__setattr__(self, "day", _as_date(self.day))

    @classmethod
    def create(
        cls,
        severity: Severity,
        condition: str,
        title: str,
        *,
        day: date | str,
        race_key: str | None = None,
        text: str | Sequence[str] = (),
        fields: Mapping[str, str] | None = None,
        run_url: str | None = None,
    ) -> Alert:
        """An alert whose dedup key is :func:`dedup_key` of its condition, day and race."""
        lines = text.splitlines() if isinstance(text, str) else tuple(text)
        return cls(
            severity=severity,
            condition=condition,
            title=title,
            text=tuple(lines),
            fields=dict(fields or {}),
            dedup_key=dedup_key(condition, day, race_key),
            day=_as_date(day),
            race_key=race_key,
            run_url=run_url,
        )


def _as_date(day: date | str) -> date:
    if isinstance(day, datetime):
        return day.date()
    return day if isinstance(day, date) else date.fromisoformat(day)
