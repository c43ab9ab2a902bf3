"""Key columns shared by the daily tables of schema ``pmu``: the racing day and the race's identity
(reunion, race number and race key), declared once so every table describes them alike.

:func:`~hippique_assets.storage.tables.declare_table` gives each table its own copy of a column
that already belongs to another table."""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, Text

from hippique_assets.storage.tables import rule

RACE_DATE = Column("race_date", Date, nullable=False, comment="Racing day requested, Europe/Paris")
REUNION = Column(
    "reunion",
    Integer,
    nullable=False,
    comment="Reunion (race meeting) number of the day, the R of R1C4 (numOfficiel)",
    info=rule(ge=1, le=99),
)
COURSE = Column(
    "course",
    Integer,
    nullable=False,
    comment="Race number within the reunion, the C of R1C4 (numOrdre)",
    info=rule(ge=1, le=99),
)
RACE_KEY = Column(
    "race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"
)
