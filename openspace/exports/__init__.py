"""Exports: one rows query per kind and one pure function per format; HTTP downloads and the CLI share them.

The schedule files render the schedule rows (rows.py), the report files the results rows (results_rows.py), and
event.json the whole event (event_json.py), which `flask import` reads back (importer.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from gevent import get_hub, monkey

from ..models import Event
from .actions_csv import actions_csv
from .csv_topics import topics_csv
from .event_json import event_dump, event_text
from .frab import schedule_json, schedule_xml
from .ics import personal_ics, schedule_ics, topic_ics
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
    "json": Format("event.json", "application/json", event_text, "event"),
}
PHOTO_BYTES = ("report.html", "report.pdf")  # the others only link photos, or leave them out
DOWNLOADS: dict[str, Format] = {f.name: f for f in FORMATS.values()}
ICS_MIMETYPE = FORMATS["ics"].mimetype


def off_the_loop(render: Callable[[Any], Any], rows: Any) -> Any:
    """Under gevent, run a pure render in the hub's thread pool: the Python interpreter hands the other thread
    the GIL every few milliseconds, so live connections keep being served while a big file is written."""
    if not monkey.is_module_patched("threading"):
        return render(rows)
    return get_hub().threadpool.apply(render, (rows,))


def export_rows(export: Format, event: Event, *, base_url: str) -> Any:
    """Read what one export is made of (on the server's loop: the database session lives there)."""
    if export.rows == "event":
        return event_dump(event)
    if export.rows == "results":
        return results_rows(
            event, base_url=base_url, include_hidden=export.include_hidden, photo_bytes=export.name in PHOTO_BYTES
        )
    return schedule_rows(event, base_url=base_url)


def export_file(export: Format, event: Event, *, base_url: str) -> bytes:
    """The bytes of one export of the event, exactly as downloaded and as the CLI writes them."""
    rows = export_rows(export, event, base_url=base_url)
    # The PDF's worker process is started from the loop (it needs the app); it makes its HTML off the loop itself.
    body = export.render(rows) if export.name == "report.pdf" else off_the_loop(_encoded(export.render), rows)
    return body if isinstance(body, bytes) else body.encode("utf-8")


def _encoded(render: Callable[[Any], str | bytes]) -> Callable[[Any], bytes]:
    def encoded(rows: Any) -> bytes:
        body = render(rows)
        return body if isinstance(body, bytes) else body.encode("utf-8")

    return encoded


__all__ = [
    "DOWNLOADS",
    "FORMATS",
    "ICS_MIMETYPE",
    "Format",
    "ResultsRows",
    "ScheduleRows",
    "export_file",
    "export_rows",
    "off_the_loop",
    "personal_ics",
    "results_rows",
    "schedule_rows",
    "topic_ics",
]
