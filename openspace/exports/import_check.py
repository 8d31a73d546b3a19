"""Checking an event file (event_json.py) before anything is written: every field, type, length and reference.

`check_file` turns the whole file into unsaved rows that still carry the file's ids; an ImportProblem names the
first thing wrong and where, e.g. `topics[3].room_id: no room with the id 9 in the file`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..events import valid_timezone
from ..models import (
    ACTION_STATUSES,
    RESULT_ROLES,
    RESULT_STATES,
    TOPIC_STATUSES,
    ActionItem,
    Announcement,
    Event,
    LogEntry,
    Photo,
    Result,
    ResultVersion,
    Room,
    Slot,
    Topic,
)
from .event_json import FORMAT, FORMAT_VERSION

IMPORTED_AUTHOR = ""  # no participant key hashes to this: nobody owns an imported topic
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class ImportProblem(Exception):
    """Why a file cannot be imported: where in it, and what is wrong."""


class _Check:
    """Typed access to one object of the file; every refusal names its place, e.g. `topics[3].title`."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise ImportProblem(f"{where}: must be an object")
        self.data, self.where = data, where

    def _get(self, key: str, kinds: tuple[type, ...], nullable: bool) -> Any:
        if key not in self.data:
            raise ImportProblem(f"{self.where}.{key}: missing")
        value = self.data[key]
        if value is None and nullable:
            return None
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise ImportProblem(f"{self.where}.{key}: must be {' or '.join(k.__name__ for k in kinds)}")
        return value

    def text(self, key: str, max_length: int | None = None, *, nullable: bool = False, required: bool = False) -> Any:
        value = self._get(key, (str,), nullable)
        if value is not None and max_length is not None and len(value) > max_length:
            raise ImportProblem(f"{self.where}.{key}: longer than {max_length} characters")
        if required and not value:
            raise ImportProblem(f"{self.where}.{key}: must not be empty")
        return value

    def integer(self, key: str, *, nullable: bool = False, minimum: int | None = 0) -> Any:
        value = self._get(key, (int,), nullable)
        if value is not None and minimum is not None and value < minimum:
            raise ImportProblem(f"{self.where}.{key}: must be at least {minimum}")
        return value

    def flag(self, key: str) -> bool:
        return self._get(key, (bool,), False)

    def choice(self, key: str, choices: tuple[str, ...], *, nullable: bool = False) -> Any:
        value = self._get(key, (str,), nullable)
        if value is not None and value not in choices:
            raise ImportProblem(f"{self.where}.{key}: must be one of {', '.join(choices)}")
        return value

    def items(self, key: str) -> list[Any]:
        return self._get(key, (list,), False)

    def obj(self, key: str) -> Any:
        return self._get(key, (dict,), True)

    def moment(self, key: str, *, nullable: bool = False) -> datetime | None:
        value = self.text(key, nullable=nullable)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ImportProblem(f"{self.where}.{key}: not a date and time") from None
        if parsed.tzinfo is not None:
            raise ImportProblem(f"{self.where}.{key}: must be without a time zone offset")
        return parsed

    def day(self, key: str, *, nullable: bool = False) -> date | None:
        value = self.text(key, nullable=nullable)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ImportProblem(f"{self.where}.{key}: not a date") from None

    def blob(self, key: str) -> bytes:
        try:
            return base64.b64decode(self.text(key), validate=True)
        except (binascii.Error, ValueError):
            raise ImportProblem(f"{self.where}.{key}: not base64") from None

    def ref(self, key: str, known: dict[int, Any], what: str) -> int | None:
        value = self.integer(key, nullable=True, minimum=None)
        if value is not None and value not in known:
            raise ImportProblem(f"{self.where}.{key}: no {what} with the id {value} in the file")
        return value


def _unique_id(check: _Check, seen: dict[int, Any], value: Any) -> int:
    old = check.integer("id", minimum=None)
    if old in seen:
        raise ImportProblem(f"{check.where}.id: {old} appears twice")
    seen[old] = value
    return old


def _parse(text: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise ImportProblem(f"not a JSON file (or cut off): {error}") from None
    top = _Check(data, "file")
    if data.get("format") != FORMAT:
        raise ImportProblem(f"file.format: not an event file (expected “{FORMAT}”)")
    if data.get("version") != FORMAT_VERSION:
        raise ImportProblem(
            f"file.version: {data.get('version')!r} is not supported (this server reads {FORMAT_VERSION})"
        )
    for key in ("rooms", "slots", "topics", "results", "announcements", "log"):
        top.items(key)
    top.obj("event")
    return data


def _event_row(data: dict[str, Any], slug: str | None) -> Event:
    e = _Check(data["event"], "event")
    slug = e.text("slug", 64, required=True) if slug is None else slug
    if not _SLUG.fullmatch(slug) or len(slug) > 64:
        raise ImportProblem(f"slug “{slug}”: only lower-case letters, digits and single dashes (at most 64)")
    timezone = e.text("timezone", 64, required=True)
    if not valid_timezone(timezone):
        raise ImportProblem(f"event.timezone: unknown time zone {timezone!r}")
    starts_on, ends_on = e.day("starts_on"), e.day("ends_on")
    if ends_on < starts_on:  # type: ignore[operator]
        raise ImportProblem("event.ends_on: before starts_on")
    skipped = e.items("market_skipped")
    if not all(isinstance(p, list) and len(p) == 2 and all(type(n) is int for n in p) for p in skipped):
        raise ImportProblem("event.market_skipped: must be a list of [topic id, topic id] pairs")
    return Event(
        slug=slug,
        name=e.text("name", 120, required=True),
        description=e.text("description", 2000),
        venue=e.text("venue", 120, nullable=True),
        language=e.choice("language", ("de", "en")),
        timezone=timezone,
        starts_on=starts_on,
        ends_on=ends_on,
        revision=e.integer("revision"),
        locked=e.flag("locked"),
        lock_reason=e.text("lock_reason", 200, nullable=True),
        max_topics_per_participant=e.integer("max_topics_per_participant"),
        premoderation=e.flag("premoderation"),
        created_at=e.moment("created_at"),
        market_open=e.flag("market_open"),
        market_topic_id=e.integer("market_topic_id", nullable=True, minimum=None),
        market_skipped=skipped,
    )


@dataclass
class Plan:
    """The whole file checked and turned into rows; ids still the file's, references resolved on writing."""

    event: Event
    rooms: list[tuple[int, Room]]
    slots: list[tuple[int, Slot]]
    topics: list[tuple[int, Topic, dict[str, Any]]]
    results: list[tuple[Result, int, list[ResultVersion], list[tuple[int, ActionItem]], list[Photo]]]
    announcements: list[Announcement]
    log: list[LogEntry]


def _rooms_slots(data: dict[str, Any]) -> tuple[list[tuple[int, Room]], list[tuple[int, Slot]]]:
    rooms: dict[int, Room] = {}
    for n, raw in enumerate(data["rooms"]):
        r = _Check(raw, f"rooms[{n}]")
        room = Room(
            name=r.text("name", 80, required=True),
            capacity=r.integer("capacity", nullable=True),
            location=r.text("location", 120, nullable=True),
            position=r.integer("position"),
        )
        _unique_id(r, rooms, room)
    slots: dict[int, Slot] = {}
    for n, raw in enumerate(data["slots"]):
        s = _Check(raw, f"slots[{n}]")
        slot = Slot(
            starts_at=s.moment("starts_at"),
            ends_at=s.moment("ends_at"),
            label=s.text("label", 80, nullable=True),
            is_break=s.flag("is_break"),
        )
        if slot.ends_at <= slot.starts_at:
            raise ImportProblem(f"slots[{n}].ends_at: not after starts_at")
        _unique_id(s, slots, slot)
    return list(rooms.items()), list(slots.items())


INTERESTED_MAX = 100_000  # participant numbers on one topic


def _interested(raw: dict[str, Any], n: int) -> list[int]:
    """A topic's interest marks as participant numbers (files from before interest marks have none)."""
    numbers = raw.get("interested", [])
    if (
        not isinstance(numbers, list)
        or len(numbers) > INTERESTED_MAX
        or not all(type(k) is int and 1 <= k <= INTERESTED_MAX for k in numbers)
        or len(set(numbers)) != len(numbers)
    ):
        raise ImportProblem(f"topics[{n}].interested: must be a list of different participant numbers 1–100000")
    return numbers


def _topics(data: dict[str, Any], rooms: dict[int, Room], slots: dict[int, Slot]) -> list[Any]:
    topics: dict[int, Any] = {}
    for n, raw in enumerate(data["topics"]):
        t = _Check(raw, f"topics[{n}]")
        cohosts = t.items("cohosts")
        if not all(isinstance(c, str) and len(c) <= 80 for c in cohosts):
            raise ImportProblem(f"topics[{n}].cohosts: must be a list of names")
        status = t.choice("status", TOPIC_STATUSES)
        refs = {
            "room_id": t.ref("room_id", rooms, "room"),
            "slot_id": t.ref("slot_id", slots, "slot"),
            "wanted_room_id": t.ref("wanted_room_id", rooms, "room"),
            "wanted_slot_id": t.ref("wanted_slot_id", slots, "slot"),
            "merged_into_id": t.integer("merged_into_id", nullable=True, minimum=None),
            "interested": _interested(raw, n),
        }
        if (refs["room_id"] is None) != (refs["slot_id"] is None) or (status != "live" and refs["room_id"]):
            raise ImportProblem(f"topics[{n}]: a cell needs a room and a slot, and only live topics hold one")
        topic = Topic(
            title=t.text("title", 120, required=True),
            host=t.text("host", 80, required=True),
            goal=t.text("goal", 1000),
            context=t.text("context", 1000),
            status=status,
            author_hash=IMPORTED_AUTHOR,
            pinned=t.flag("pinned"),
            cohosts=cohosts,
            result_state=t.choice("result_state", RESULT_STATES),
            created_at=t.moment("created_at"),
            updated_at=t.moment("updated_at"),
            withdrawn_at=t.moment("withdrawn_at", nullable=True),
        )
        _unique_id(t, topics, (topic, refs))
    cells = [(refs["room_id"], refs["slot_id"]) for _topic, refs in topics.values() if refs["room_id"] is not None]
    if len(cells) != len(set(cells)):
        raise ImportProblem("topics: two topics in the same cell")
    for n, (_topic, refs) in enumerate(topics.values()):
        if refs["merged_into_id"] is not None and refs["merged_into_id"] not in topics:
            raise ImportProblem(f"topics[{n}].merged_into_id: no topic with the id {refs['merged_into_id']}")
    return [(old, topic, refs) for old, (topic, refs) in topics.items()]


def _result(raw: Any, n: int, topics: dict[int, Any], seen: dict[int, Any]) -> tuple[Any, ...]:
    r = _Check(raw, f"results[{n}]")
    topic_id = r.ref("topic_id", topics, "topic")
    if topic_id is None or topic_id in seen:
        raise ImportProblem(f"results[{n}].topic_id: missing, or a second result of one topic")
    seen[topic_id] = True
    links = r.items("links")
    if not all(isinstance(link, str) and len(link) <= 500 for link in links):
        raise ImportProblem(f"results[{n}].links: must be a list of addresses")
    result = Result(
        summary=r.text("summary", 4000),
        insights=r.text("insights", 4000),
        attendees=r.integer("attendees", nullable=True),
        links=links,
        state=r.choice("state", RESULT_STATES),
        hidden=r.flag("hidden"),
        version=r.integer("version"),
        updated_at=r.moment("updated_at", nullable=True),
        updated_by=r.choice("updated_by", RESULT_ROLES, nullable=True),
    )
    versions = []
    for m, raw_version in enumerate(r.items("versions")):
        v = _Check(raw_version, f"results[{n}].versions[{m}]")
        saved_items = v.items("action_items")
        if not all(isinstance(i, dict) for i in saved_items):
            raise ImportProblem(f"results[{n}].versions[{m}].action_items: must be a list of objects")
        versions.append(
            ResultVersion(
                version=v.integer("version"),
                summary=v.text("summary", 4000),
                insights=v.text("insights", 4000),
                attendees=v.integer("attendees", nullable=True),
                links=v.items("links"),
                action_items=saved_items,
                state=v.choice("state", RESULT_STATES),
                role=v.choice("role", RESULT_ROLES),
                at=v.moment("at"),
            )
        )
    if len({v.version for v in versions}) != len(versions):
        raise ImportProblem(f"results[{n}].versions: a version number appears twice")
    items = []
    for m, raw_item in enumerate(r.items("action_items")):
        i = _Check(raw_item, f"results[{n}].action_items[{m}]")
        item = ActionItem(
            position=m,
            what=i.text("what", 300, required=True),
            who=i.text("who", 120),
            due=i.day("due", nullable=True),
            status=i.choice("status", ACTION_STATUSES),
            owner=i.text("owner", 120),
            note=i.text("note", 1000),
        )
        items.append((i.integer("id", minimum=None), item))
    photos = []
    for m, raw_photo in enumerate(r.items("photos")):
        p = _Check(raw_photo, f"results[{n}].photos[{m}]")
        photos.append(
            Photo(
                content_type=p.choice("content_type", PHOTO_TYPES),
                width=p.integer("width"),
                height=p.integer("height"),
                hidden=p.flag("hidden"),
                created_at=p.moment("created_at"),
                image=p.blob("image"),
                thumb=p.blob("thumb"),
            )
        )
    return result, topic_id, versions, items, photos


def _others(data: dict[str, Any]) -> tuple[list[Announcement], list[LogEntry]]:
    notices = []
    for n, raw in enumerate(data["announcements"]):
        a = _Check(raw, f"announcements[{n}]")
        notices.append(
            Announcement(
                text=a.text("text", 200, required=True),
                until=a.moment("until", nullable=True),
                position=a.integer("position", minimum=None),
                created_at=a.moment("created_at"),
            )
        )
    log = []
    for n, raw in enumerate(data["log"]):
        entry = _Check(raw, f"log[{n}]")
        log.append(
            LogEntry(
                at=entry.moment("at"),
                revision=entry.integer("revision"),
                actor=entry.choice("actor", ("organizer", "participant", "system")),
                action=entry.text("action", 32, required=True),
                topic_id=entry.integer("topic_id", nullable=True, minimum=None),
                before=entry.obj("before"),
                after=entry.obj("after"),
                undone=entry.flag("undone"),
            )
        )
    return notices, log


def check_file(text: str | bytes, *, slug: str | None = None) -> Plan:
    """Check the whole file and turn it into rows; an ImportProblem names the first thing wrong."""
    data = _parse(text)
    event = _event_row(data, slug)
    rooms, slots = _rooms_slots(data)
    topics = _topics(data, dict(rooms), dict(slots))
    known_topics = {old: topic for old, topic, _refs in topics}
    seen: dict[int, Any] = {}
    results = [_result(raw, n, known_topics, seen) for n, raw in enumerate(data["results"])]
    notices, log = _others(data)
    return Plan(event, rooms, slots, topics, results, notices, log)  # type: ignore[arg-type]
