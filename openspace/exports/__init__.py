"""Exports: one rows query (rows.py) and one pure function per format; HTTP downloads and the CLI share them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .csv_topics import topics_csv
from .frab import schedule_json, schedule_xml
from .ics import schedule_ics, topic_ics
from .rows import ScheduleRows, schedule_rows


@dataclass(frozen=True)
class Format:
    """One export: the file it downloads as, its content type, and the function that writes it."""

    name: str  # the download's name: /e/<slug>/export/<name>
    mimetype: str
    render: Callable[[ScheduleRows], str]


# CLI format -> export. The report formats (md, html, pdf, actions-csv, json) join here with their own rows.
FORMATS: dict[str, Format] = {
    "csv": Format("topics.csv", "text/csv", topics_csv),
    "ics": Format("schedule.ics", "text/calendar", schedule_ics),
    "frab-json": Format("schedule.json", "application/json", schedule_json),
    "frab-xml": Format("schedule.xml", "application/xml", schedule_xml),
}
DOWNLOADS: dict[str, Format] = {f.name: f for f in FORMATS.values()}
ICS_MIMETYPE = FORMATS["ics"].mimetype

__all__ = ["DOWNLOADS", "FORMATS", "ICS_MIMETYPE", "Format", "ScheduleRows", "schedule_rows", "topic_ics"]
