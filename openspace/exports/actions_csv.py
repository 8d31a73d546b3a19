"""The action items as a spreadsheet for tracking after the event: one row per item, sessions in schedule order."""

from __future__ import annotations

from .cells import csv_text
from .results_rows import ResultsRows

HEADER = ("event", "session", "what", "who", "due", "status", "owner", "note")


def actions_csv(rows: ResultsRows) -> str:
    """The action items CSV (UTF-8 with BOM, CRLF, every cell neutralised against formulas)."""
    name = rows.schedule.name
    return csv_text(
        HEADER,
        (
            (name, s.topic.title, i.what, i.who, i.due.isoformat() if i.due else "", i.status, i.owner, i.note)
            for s in rows.sessions
            for i in s.items
        ),
    )
