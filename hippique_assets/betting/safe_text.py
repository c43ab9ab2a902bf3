"""Source text made safe for the files analysts open: the workbook and the CSV and JSON exports.

Labels come from the PMU API (hippodromes, statuses) and are data, never spreadsheet formulas.
Text that a spreadsheet application would read as a formula starts with one of the characters of
OWASP's CSV-injection list (``=``, ``+``, ``-``, ``@``, tab, carriage return): a worksheet keeps it
as a string cell, a CSV cell gets a leading single quote. Characters an XML worksheet cannot hold
(control characters such as NUL, BEL or ESC, lone surrogates, U+FFFE and U+FFFF) are dropped from
every export, so one odd label never stops the day's files from being written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What a worksheet's XML 1.0 cannot carry: the control characters but tab, line feed and carriage
# return, the non-characters U+FFFE and U+FFFF, and lone surrogates (UTF-8 cannot encode them).
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A plain number ("-2", "+1.5", "-3,5") is read as that number, never evaluated: it needs no quote.
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def clean_text(text: str) -> str:
    """``text`` without the characters a worksheet cannot hold; tab and line breaks are kept."""
    return _NOT_XML_RE.sub("", text)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet application would read ``text`` as a formula rather than as text."""
    return text.startswith(FORMULA_PREFIXES) and _NUMBER_RE.fullmatch(text) is None


def csv_text(text: str) -> str:
    """``text`` for a CSV cell: cleaned, and quoted with a leading ``'`` when formula-like."""
    cleaned = clean_text(text)
    return f"'{cleaned}" if is_formula_like(cleaned) else cleaned


def csv_cell(value: object) -> object:
    """A CSV cell's value: strings through :func:`csv_text`, numbers and the rest unchanged."""
    return csv_text(value) if isinstance(value, str) else value


def json_cell(value: object) -> object:
    """A JSON value: strings cleaned (JSON is read as data, so no quote is added), the rest unchanged."""
    return clean_text(value) if isinstance(value, str) else value


def _text_mapped(frame: pd.DataFrame, cell: Callable[[object], object]) -> pd.DataFrame:
    """``frame`` with ``cell`` applied to the values of its text columns (the others keep their dtype)."""
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            out.isetitem(position, column.map(cell).to_numpy(dtype=object))
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV without its index, every text cell through :func:`csv_cell`.

    Non-numeric fields are double-quoted: a carriage return inside a label then stays inside its
    cell instead of starting a row of its own.
    """
    return _text_mapped(frame, csv_cell).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode()


def json_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a JSON list of records (ISO instants), every string through :func:`json_cell`."""
    return _text_mapped(frame, json_cell).to_json(orient="records", date_format="iso").encode()
