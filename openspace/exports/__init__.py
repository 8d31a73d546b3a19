"""Exports: one rows query per kind and one pure function per format; HTTP downloads and the CLI share them.

The schedule files render the schedule rows (rows.py), the report files the results rows (results_rows.py), and
event.json the whole event (event_json.py), which `flask import` reads back (importer.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..models import Event
from .actions_csv import actions_csv
from .csv_topics import topics_csv
from .event_json import event_json
from .frab import schedule_json, schedule_xml
from .ics import schedule_ics, topic_ics
from .report_html import report_html, report_pdf
from .report_md import report_md
from .results_rows import ResultsRows, results_rows
from .rows import ScheduleRows, schedule_rows


@dataclass(frozen=True)
class Format:
    """One export: its download name, content type, the rows it is made of and the function that writes them."""

    name: str  # the download's name: /e/<slug>/export/<name>
    mimetype: str
    render: Callable[[Any], str | bytes]
    rows: Literal["schedule", "results", "event"] = "schedule"
    include_hidden: bool = False  # results rows only: hidden results and photos too (never in the report)


# CLI format -> export.
FORMATS: dict[str, Format] = {
    "csv": Format("topics.csv", "text/csv", topics_csv),
    "ics": Format("schedule.ics", "text/calendar", schedule_ics),
    "frab-json": Format("schedule.json", "application/json", schedule_json),
    "frab-xml": Format("schedule.xml", "application/xml", schedule_xml),
    "md": Format("report.md", "text/markdown", report_md, "results"),
    "html": Format("report.html", "text/html", report_html, "results"),
    "pdf": Format("report.pdf", "application/pdf", report_pdf, "results"),
    "actions-csv": Format("action-items.csv", "text/csv", actions_csv, "results", include_hidden=True),
    "json": Format("event.json", "application/json", event_json, "event"),
}
DOWNLOADS: dict[str, Format] = {f.name: f for f in FORMATS.values()}
ICS_MIMETYPE = FORMATS["ics"].mimetype


def export_file(export: Format, event: Event, *, base_url: str) -> bytes:
    """The bytes of one export of the event, exactly as downloaded and as the CLI writes them."""
    if export.rows == "event":
        body = export.render(event)
    elif export.rows == "results":
        body = export.render(results_rows(event, base_url=base_url, include_hidden=export.include_hidden))
    else:
        body = export.render(schedule_rows(event, base_url=base_url))
    return body if isinstance(body, bytes) else body.encode("utf-8")


__all__ = [
    "DOWNLOADS",
    "FORMATS",
    "ICS_MIMETYPE",
    "Format",
    "ResultsRows",
    "ScheduleRows",
    "export_file",
    "results_rows",
    "schedule_rows",
    "topic_ics",
]
