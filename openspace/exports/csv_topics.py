"""The topics as a spreadsheet: one row per topic, live ones in schedule order, then the withdrawn ones."""

from __future__ import annotations

from .cells import csv_text
from .rows import ScheduleRows, TopicRow

HEADER = ("id", "title", "host", "cohosts", "goal", "context", "room", "day", "start", "end", "status")


def _row(topic: TopicRow) -> tuple[object, ...]:
    room, slot = topic.room, topic.slot
    return (
        topic.id,
        topic.title,
        topic.host,
        "; ".join(topic.cohosts),
        topic.goal,
        topic.context,
        room.name if room else "",
        slot.starts_at.date().isoformat() if slot else "",
        f"{slot.starts_at:%H:%M}" if slot else "",
        f"{slot.ends_at:%H:%M}" if slot else "",
        topic.status,
    )


def topics_csv(rows: ScheduleRows) -> str:
    """The topics CSV (UTF-8 with BOM, CRLF, header row); a withdrawn topic shows the cell it had."""
    return csv_text(HEADER, (_row(t) for t in (*rows.topics, *rows.withdrawn)))
