"""The workbook's "Graphiques" sheet: native Excel charts (cumulative profit race by race, ROI by
bet type) drawn on the small tables beside them, so they stay live if an analyst edits the figures.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference

from hippique_assets.betting.workbook_cells import MONEY, PERCENT, put_cell, table_block
from hippique_assets.betting.workbook_rows import in_race_order

CHARTS_SHEET = "Graphiques"
PROFIT_HEADERS = ["Course", "Gain", "Gain cumulé"]
BET_TYPE_HEADERS = ["Pari", "Tickets", "Mise", "Retour", "ROI"]
NO_PROFIT = "Aucun pari réglé ce jour : pas de courbe de gain cumulé."
NO_BET_TYPE = "Aucun ticket réglé ce jour : pas de ROI par type de pari."


def _profit_rows(ledger: pd.DataFrame) -> list[list[object]]:
    """Per settled race with a stake, in start order: R·C, its profit and the cumulative profit."""
    if ledger.empty:
        return []
    settled = ledger["settled"].astype(bool) if "settled" in ledger.columns else True
    bets = ledger[(ledger["stake_eur"].astype(float) > 0) & settled]
    rows, cumulative = [], 0.0
    for _, r in in_race_order(bets).iterrows():
        profit = float(r["profit_eur"])
        cumulative = round(cumulative + profit, 2)
        rows.append([f"R{int(r['reunion'])}C{int(r['course'])}", profit, cumulative])
    return rows


def _bet_type_rows(settlements: pd.DataFrame) -> list[list[object]]:
    """Per bet type of the settled tickets: tickets, stake, return and ROI."""
    if settlements.empty:
        return []
    rows: list[list[object]] = []
    for bet_type, part in settlements.groupby("bet_type", sort=True):
        stake = round(float(part["stake_eur"].astype(float).sum()), 2)
        returned = round(float(part["return_eur"].astype(float).sum()), 2)
        rows.append([bet_type, len(part), stake, returned, (returned - stake) / stake if stake else None])
    return rows


def charts_sheet(book: Workbook, ledger: pd.DataFrame, settlements: pd.DataFrame) -> None:
    """The "Graphiques" sheet: the two small tables and a native chart drawn on each (a line of the
    cumulative profit, bars of the ROI by bet type); a table without rows gets a sentence instead."""
    sheet = book.create_sheet(CHARTS_SHEET)
    profit = _profit_rows(ledger)
    table_block(sheet, 1, PROFIT_HEADERS, profit, (None, MONEY, MONEY))
    if profit:
        line = LineChart()
        line.title = "Gain cumulé (€)"
        line.y_axis.title = "€"
        line.x_axis.title = "Course"
        line.height, line.width = 7.5, 16
        line.add_data(Reference(sheet, min_col=3, min_row=1, max_row=len(profit) + 1), titles_from_data=True)
        line.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(profit) + 1))
        sheet.add_chart(line, "J2")
    else:
        put_cell(sheet, 2, 1, NO_PROFIT)
    by_type = _bet_type_rows(settlements)
    table_block(sheet, 5, BET_TYPE_HEADERS, by_type, (None, None, MONEY, MONEY, PERCENT))
    if by_type:
        bars = BarChart()
        bars.type = "bar"
        bars.title = "ROI par type de pari"
        bars.y_axis.number_format = PERCENT
        bars.height, bars.width = 7.5, 16
        bars.add_data(Reference(sheet, min_col=9, min_row=1, max_row=len(by_type) + 1), titles_from_data=True)
        bars.set_categories(Reference(sheet, min_col=5, min_row=2, max_row=len(by_type) + 1))
        sheet.add_chart(bars, "J18")
    else:
        put_cell(sheet, 2, 5, NO_BET_TYPE)
    sheet.freeze_panes = "A2"
