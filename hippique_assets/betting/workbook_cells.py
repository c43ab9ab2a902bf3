"""How the day's workbook writes its cells: values Excel can hold, text that stays text, number
formats, bold headers and totals, column widths and frozen header rows.

Text from the source is written as string cells, never as formulas (see
:mod:`hippique_assets.betting.safe_text`); a missing value (None, NaN, NaT, NA) is an empty cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hippique_assets.betting.safe_text import clean_text, is_formula_like

MONEY = '0.00 "€"'
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"


def missing(value: object) -> bool:
    """None, NaN, NaT or NA: a cell left empty."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float | np.floating | np.datetime64) and bool(
        np.isnat(value) if isinstance(value, np.datetime64) else np.isnan(value)
    )


def cell_value(value: object) -> object:
    """``value`` as openpyxl writes it: cleaned text, plain Python numbers, None for missing."""
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, (bool, int, date)):
        return value
    if isinstance(value, float):
        return None if pd.isna(value) else value
    if missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return float(value) if isinstance(value, Decimal) else value  # numeric columns arrive as Decimal


def append_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """Append a row; its strings are string cells, so text starting with ``=`` stays text."""
    sheet.append([cell_value(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if is_formula_like(cell.value):
                # Excel's own mark for typed-in text: editing the cell does not make it a formula.
                cell.quotePrefix = True


def put_cell(sheet: Worksheet, row: int, column: int, value: object, fmt: str | None = None) -> None:
    """One cell, written like :func:`append_row` writes a row: text stays text."""
    cell = sheet.cell(row=row, column=column, value=cell_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
        cell.quotePrefix = is_formula_like(cell.value)
    if fmt:
        cell.number_format = fmt


def table_sheet(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: dict[str, str],
    total: dict[str, object] | None = None,
) -> None:
    """A sheet holding one table: a bold header row kept in view, the rows, an optional bold totals
    row (``total`` by header), columns as wide as their longest value (10 to 60 characters) and
    each column's number format from ``formats`` (a "Date" column as a day by default)."""
    sheet = book.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    if total is not None:
        append_row(sheet, [total.get(header) for header in headers])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for position, header in enumerate(headers, start=1):
        letter = get_column_letter(position)
        longest = max(
            [len(header)] + [len(str(r[position - 1])) for r in rows if r[position - 1] is not None]
        )
        sheet.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        fmt = formats.get(header, DATE if header == "Date" else None)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = fmt


def table_block(
    sheet: Worksheet,
    column: int,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: Sequence[str | None],
) -> None:
    """A small table from the first row of ``sheet`` at ``column``, beside others on the same sheet:
    bold headers, then the rows with each column's number format (``formats``, by position)."""
    for offset, header in enumerate(headers):
        put_cell(sheet, 1, column + offset, header)
        sheet.cell(row=1, column=column + offset).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column + offset)].width = max(12, len(header) + 2)
    for index, row in enumerate(rows, start=2):
        for offset, value in enumerate(row):
            put_cell(sheet, index, column + offset, value, formats[offset])
