"""Spreadsheet cells that are only ever text: the shared guard of every CSV export against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

# OWASP "CSV Injection": a cell starting with one of these is read as a formula by Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text; one that a spreadsheet would run as a formula gets a leading single quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV file for spreadsheets: UTF-8 byte order mark (Excel), CRLF line ends, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([value if isinstance(value, int) else neutralise(value) for value in row])
    return "\ufeff" + buffer.getvalue()
