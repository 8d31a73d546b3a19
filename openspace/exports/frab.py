"""The schedule in the frab/c3voc format (`schedule.json`, `schedule.xml`) that conference apps and video teams read.

Giggity, ConfClerk, EventFahrplan and the c3voc tools take this format; both files validate against the c3voc
schemas (voc/schedule: validator/json/schema.json and validator/xsd/schedule.xml.xsd). Each scheduled topic is
an "event" keyed by its stable `guid` (UUIDv5 of the event's slug and the topic id) and its integer id; rooms are
named, days run from their first slot's start to their last slot's end. Unplaced topics and breaks are left out.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta
from typing import Any

from .rows import ScheduleRows, SlotRow, TopicRow

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GENERATOR = "Open Space organizer"
SESSION_TYPE = "discussion"
_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")  # the schema's time_zone_name pattern, as it reads it


def _ascii_slug(text: str, limit: int = 40) -> str:
    text = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-")


def acronym(rows: ScheduleRows) -> str:
    """The event's short name in the schema's spelling: at least 4 of a-z, 0-9 and _ (the slug's - become _)."""
    return rows.slug.replace("-", "_").ljust(4, "_")


def _topic_slug(rows: ScheduleRows, topic: TopicRow) -> str:
    words = _ascii_slug(topic.title)
    if len(words) < 4:
        words = f"topic-{words}" if words else "topic"
    return f"{acronym(rows)}-{topic.id}-{words}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(slot: SlotRow) -> int:
    return int((slot.ends_at - slot.starts_at).total_seconds() // 60)


def _timeslot_duration(rows: ScheduleRows) -> str:
    """The grid the schedule is drawn on: the greatest common divisor of the slot lengths."""
    lengths = [_minutes(s) for s in rows.slots]
    return _hhmm(math.gcd(*lengths) if lengths else 15)


def _days(rows: ScheduleRows) -> list[tuple[date, datetime, datetime, list[TopicRow]]]:
    """Each day of the event (and any day a slot falls on): its start, end and scheduled topics."""
    dates = {rows.starts_on + timedelta(days=n) for n in range((rows.ends_on - rows.starts_on).days + 1)}
    dates |= {s.starts_at.date() for s in rows.slots}
    days = []
    for day in sorted(dates):
        slots = [s for s in rows.slots if s.starts_at.date() == day]
        if slots:
            start, end = min(s.starts_at for s in slots), max(s.ends_at for s in slots)
        else:
            start = datetime.combine(day, time(0), tzinfo=rows.zone)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=rows.zone)
        topics = [t for t in rows.topics if t.scheduled and t.slot.starts_at.date() == day]  # type: ignore[union-attr]
        days.append((day, start, end, topics))
    return days


def _session(rows: ScheduleRows, topic: TopicRow) -> dict[str, Any]:
    slot, room = topic.slot, topic.room
    assert slot is not None and room is not None
    return {
        "guid": topic.guid,
        "id": topic.id,
        "date": slot.starts_at.isoformat(),
        "start": f"{slot.starts_at:%H:%M}",
        "end": slot.ends_at.isoformat(),
        "duration": _hhmm(_minutes(slot)),
        "room": room.name,
        "slug": _topic_slug(rows, topic),
        "url": topic.url,
        "title": topic.title,
        "subtitle": "",
        "track": None,
        "type": SESSION_TYPE,
        "language": rows.language,
        "abstract": topic.goal,
        "description": topic.context,
        "persons": [{"name": name} for name in topic.hosts],
        "links": [],
    }


def _conference(rows: ScheduleRows) -> dict[str, Any]:
    conference: dict[str, Any] = {
        "acronym": acronym(rows),
        "title": rows.name,
        "start": rows.starts_on.isoformat(),
        "end": rows.ends_on.isoformat(),
        "daysCount": 0,
        "timeslot_duration": _timeslot_duration(rows),
        "url": rows.event_url,
    }
    if rows.description:
        conference["description"] = rows.description
    if _ZONE_NAME.search(rows.timezone):
        conference["time_zone_name"] = rows.timezone
    conference["rooms"] = [
        {"name": r.name, "guid": r.guid, "capacity": r.capacity, "description": r.location} for r in rows.rooms
    ]
    days = _days(rows)
    conference["daysCount"] = len(days)
    conference["days"] = [
        {
            "index": index,
            "date": day.isoformat(),
            "day_start": start.isoformat(),
            "day_end": end.isoformat(),
            "rooms": {room.name: [_session(rows, t) for t in topics if t.room == room] for room in rows.rooms},
        }
        for index, (day, start, end, topics) in enumerate(days, start=1)
    ]
    return conference


def schedule_data(rows: ScheduleRows) -> dict[str, Any]:
    """The schedule as the plain data of `schedule.json`."""
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": {"version": str(rows.revision), "conference": _conference(rows)},
    }


def schedule_json(rows: ScheduleRows) -> str:
    """`schedule.json`: indented UTF-8 JSON, keys in the schema's order."""
    return json.dumps(schedule_data(rows), ensure_ascii=False, indent=2) + "\n"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text:
        element.text = text
    return element


_XML_FIELDS = ("date", "start", "duration", "room", "slug", "url", "title", "subtitle", "type", "language")


def schedule_xml(rows: ScheduleRows) -> str:
    """`schedule.xml`: the same schedule as XML (the day and event parts as the XSD names them)."""
    conference = _conference(rows)
    root = ET.Element("schedule")
    _add(root, "generator", name=GENERATOR)
    _add(root, "version", str(rows.revision))
    head = _add(root, "conference")
    for tag in ("title", "acronym", "start", "end"):
        _add(head, tag, conference[tag])
    _add(head, "days", str(conference["daysCount"]))
    _add(head, "timeslot_duration", conference["timeslot_duration"])
    _add(head, "url", conference["url"])
    if "time_zone_name" in conference:
        _add(head, "time_zone_name", conference["time_zone_name"])
    guids = {r.name: r.guid for r in rows.rooms}
    for day in conference["days"]:
        day_element = _add(
            root, "day", index=str(day["index"]), date=day["date"], start=day["day_start"], end=day["day_end"]
        )
        for room_name, sessions in day["rooms"].items():
            room_element = _add(day_element, "room", name=room_name, guid=guids[room_name])
            for session in sessions:
                event = _add(room_element, "event", id=str(session["id"]), guid=session["guid"])
                for tag in _XML_FIELDS:
                    _add(event, tag, session[tag])
                _add(event, "track")
                _add(event, "abstract", session["abstract"])
                _add(event, "description", session["description"])
                persons = _add(event, "persons")
                for person in session["persons"]:
                    _add(persons, "person", person["name"])
                _add(event, "links")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
