"""The day's Excel workbook: Planning, ROI prévisionnel, ROI observé, Suivi, Graphiques.

This module lays the sheets out (their order, number formats and totals); the rows come from
:mod:`~hippique_assets.betting.workbook_rows`, the cells are written by
:mod:`~hippique_assets.betting.workbook_cells` and the charts drawn by
:mod:`~hippique_assets.betting.workbook_charts`.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook

from hippique_assets.betting.workbook_cells import MONEY, PERCENT, table_sheet
from hippique_assets.betting.workbook_charts import charts_sheet
from hippique_assets.betting.workbook_rows import (
    FOLLOW_HEADERS,
    FORECAST_HEADERS,
    OBSERVED_HEADERS,
    PLANNING_HEADERS,
    column_sum,
    follow_rows,
    forecast_rows,
    names_of,
    observed_rows,
    planning_rows,
    stake_weighted,
)


def build_workbook(
    plan: pd.DataFrame, tickets: pd.DataFrame, settlements: pd.DataFrame, ledger: pd.DataFrame
) -> bytes:
    """The day's workbook as ``.xlsx`` bytes: Planning, ROI prévisionnel, ROI observé, Suivi and
    Graphiques.

    Every table sheet starts with Date, R, C; "ROI observé" and "Suivi" end with a bold totals row,
    the latter with the day's ROI. "Graphiques" charts the cumulative profit and the ROI by bet
    type. Empty inputs still give every sheet with its headers; a chart without data is replaced
    by a sentence saying so.
    """
    book = Workbook()
    book.remove(book.active)

    table_sheet(
        book, "Planning", PLANNING_HEADERS, planning_rows(plan), {"Départ (Paris)": "yyyy-mm-dd hh:mm"}
    )

    forecast = forecast_rows(tickets)
    table_sheet(
        book,
        "ROI prévisionnel",
        FORECAST_HEADERS,
        forecast,
        {
            "Mise": MONEY,
            "Probabilité": PERCENT,
            "Rapport estimé": "0.00",
            "EV": PERCENT,
            "Retour espéré": MONEY,
        },
    )

    observed = observed_rows(settlements, names_of(tickets))
    stake = column_sum(OBSERVED_HEADERS, observed, "Mise")
    returned = column_sum(OBSERVED_HEADERS, observed, "Retour")
    table_sheet(
        book,
        "ROI observé",
        OBSERVED_HEADERS,
        observed,
        {
            "Mise": MONEY,
            "Rapport pour 1 €": "0.00",
            "Retour": MONEY,
            "Gain": MONEY,
            "Cote à la décision": "0.00",
            "Cote finale": "0.00",
            "CLV": PERCENT,
        },
        total={
            "Date": "Total",
            "Mise": stake,
            "Retour": returned,
            "Gain": round(returned - stake, 2),
            "CLV": stake_weighted(OBSERVED_HEADERS, observed, "CLV"),
        },
    )

    follow = follow_rows(ledger)
    stake = column_sum(FOLLOW_HEADERS, follow, "Mise")
    returned = column_sum(FOLLOW_HEADERS, follow, "Retour")
    table_sheet(
        book,
        "Suivi",
        FOLLOW_HEADERS,
        follow,
        {
            "Mise": MONEY,
            "Retour espéré": MONEY,
            "Retour": MONEY,
            "Gain": MONEY,
            "ROI": PERCENT,
            "CLV": PERCENT,
            "Battent la cote finale": PERCENT,
        },
        total={
            "Date": "Total",
            "Tickets": int(column_sum(FOLLOW_HEADERS, follow, "Tickets")),
            "Gagnants": int(column_sum(FOLLOW_HEADERS, follow, "Gagnants")),
            "Mise": stake,
            "Retour espéré": column_sum(FOLLOW_HEADERS, follow, "Retour espéré"),
            "Retour": returned,
            "Gain": round(returned - stake, 2),
            "ROI": (returned - stake) / stake if stake else None,
            "CLV": stake_weighted(FOLLOW_HEADERS, follow, "CLV"),
        },
    )
    charts_sheet(book, ledger, settlements)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
