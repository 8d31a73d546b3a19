"""The schedule as iCalendar (RFC 5545): the whole event, or one topic, for people's calendars.

Every scheduled topic is a VEVENT in the event's time zone, with a VTIMEZONE for it. UIDs are stable across
downloads, so importing a newer file updates the entries instead of doubling them. DTSTAMP and LAST-MODIFIED are
the topic's last change (RFC 5545 without METHOD: the last revision of the entry), never the download time, so an
unchanged event exports to the same text. Breaks are left out: they are nobody's session.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from urllib.parse import urlsplit

from icalendar import Calendar
from icalendar import Event as VEvent

from .rows import ScheduleRows, TopicRow


def _uid(rows: ScheduleRows, topic: TopicRow, suffix: str = "") -> str:
    host = urlsplit(rows.base_url).hostname or "localhost"
    return f"topic-{topic.guid}{suffix}@{host}"


def _description(rows: ScheduleRows, topic: TopicRow) -> str:
    labels = rows.labels
    lines = [f"{labels['host']}: {', '.join(topic.hosts)}"]
    if topic.goal:
        lines.append(f"{labels['goal']}: {topic.goal}")
    if topic.context:
        lines.append(f"{labels['context']}: {topic.context}")
    return "\n".join(lines)


def _location(topic: TopicRow) -> str:
    room = topic.room
    assert room is not None
    return f"{room.name} ({room.location})" if room.location else room.name


def _vevent(rows: ScheduleRows, topic: TopicRow, uid_suffix: str = "") -> VEvent:
    slot = topic.slot
    assert slot is not None
    entry = VEvent()
    entry.add("uid", _uid(rows, topic, uid_suffix))
    entry.add("dtstamp", topic.updated_at)
    entry.add("last-modified", topic.updated_at)
    entry.add("dtstart", slot.starts_at)
    entry.add("dtend", slot.ends_at)
    entry.add("summary", topic.title)
    entry.add("description", _description(rows, topic))
    entry.add("location", _location(topic))
    entry.add("url", topic.url)
    return entry


def _calendar(rows: ScheduleRows, topics: Iterable[TopicRow], name: str, uid_suffix: str = "") -> str:
    calendar = Calendar()
    calendar.add("prodid", f"-//Open Space organizer//{rows.slug}//{rows.language.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", rows.timezone)
    for topic in topics:
        calendar.add_component(_vevent(rows, topic, uid_suffix))
    # The transitions of the event's years: enough for every entry, and the same text on every download.
    calendar.add_missing_timezones(
        first_date=date(rows.starts_on.year, 1, 1), last_date=date(rows.ends_on.year + 1, 1, 1)
    )
    return calendar.to_ical().decode("utf-8")


def schedule_ics(rows: ScheduleRows) -> str:
    """Every scheduled topic of the event, by time and room."""
    return _calendar(rows, (t for t in rows.topics if t.scheduled), rows.name)


def topic_ics(rows: ScheduleRows, topic: TopicRow) -> str:
    """One scheduled topic's calendar entry."""
    return _calendar(rows, [topic], f"{rows.name}: {topic.title}")


def personal_ics(rows: ScheduleRows, topic_ids: set[int], name: str) -> str:
    """One participant's plan: the scheduled topics among `topic_ids`, where they are now.

    Its UIDs differ from the event calendar's, so a calendar subscribed to both keeps both entries apart.
    """
    chosen = [t for t in rows.topics if t.scheduled and t.id in topic_ids]
    return _calendar(rows, chosen, name, uid_suffix="-me")
