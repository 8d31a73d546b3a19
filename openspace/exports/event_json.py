"""The complete event as JSON, re-importable with `flask import` (importer.py) to restore or move it.

Everything is in it — frame, every topic (pending and withdrawn too), results with all their versions, action
items, photos (bytes as base64), announcements, the activity log and the revision — except who people are: the
participant keys' hashes (who posted what, blocked devices) and the organizer secret stay behind, so an imported
event has a new organizer link, and nobody's "my topics" carries over. Interest marks travel as anonymous
participant numbers per topic ("interested": [1, 4, …], numbered afresh in every file), so who shares an interest
with whom — what the planning hints need — survives the move while no key hash leaves. A host's mark on their own
topic (never counted) and check-ins (they expire with their slot) stay behind.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..extensions import db
from ..models import (
    ActionItem,
    Announcement,
    Event,
    Interest,
    LogEntry,
    Photo,
    Result,
    ResultVersion,
    Room,
    Slot,
    Topic,
)
from .pace import in_batches

FORMAT = "openspace-event"
FORMAT_VERSION = 1


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None  # naive: UTC, or the event's wall clock for slots


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _event(e: Event) -> dict[str, Any]:
    return {
        "slug": e.slug,
        "name": e.name,
        "description": e.description or "",
        "venue": e.venue,
        "language": e.language,
        "timezone": e.timezone,
        "starts_on": _day(e.starts_on),
        "ends_on": _day(e.ends_on),
        "revision": e.revision,
        "locked": e.locked,
        "lock_reason": e.lock_reason,
        "max_topics_per_participant": e.max_topics_per_participant,
        "premoderation": e.premoderation,
        "created_at": _moment(e.created_at),
        "market_open": e.market_open,
        "market_topic_id": e.market_topic_id,
        "market_skipped": [list(pair) for pair in (e.market_skipped or [])],
    }


def _topic(t: Topic, interested: list[int]) -> dict[str, Any]:
    return {
        "id": t.id,
        "title": t.title,
        "host": t.host,
        "goal": t.goal or "",
        "context": t.context or "",
        "status": t.status,
        "room_id": t.room_id,
        "slot_id": t.slot_id,
        "wanted_room_id": t.wanted_room_id,
        "wanted_slot_id": t.wanted_slot_id,
        "pinned": t.pinned,
        "cohosts": list(t.cohosts or []),
        "merged_into_id": t.merged_into_id,
        "result_state": t.result_state,
        "created_at": _moment(t.created_at),
        "updated_at": _moment(t.updated_at),
        "withdrawn_at": _moment(t.withdrawn_at),
        "interested": interested,
    }


def _interest_numbers(event_id: int) -> dict[int, list[int]]:
    """Each topic's counted interest marks as participant numbers 1, 2, … (by key hash order: stable, anonymous)."""
    marks = db.session.execute(
        select(Interest.topic_id, Interest.author_hash)
        .join(Topic, Topic.id == Interest.topic_id)
        .where(Interest.event_id == event_id, Interest.author_hash != Topic.author_hash)
        .order_by(Interest.author_hash, Interest.topic_id)
    ).all()
    numbers: dict[str, int] = {}
    by_topic: dict[int, list[int]] = {}
    for topic_id, author_hash in marks:
        by_topic.setdefault(topic_id, []).append(numbers.setdefault(author_hash, len(numbers) + 1))
    return {topic_id: sorted(found) for topic_id, found in by_topic.items()}


def _result(r: Result, versions: list[ResultVersion], items: list[ActionItem], photos: list[Photo]) -> dict[str, Any]:
    return {
        "id": r.id,
        "topic_id": r.topic_id,
        "summary": r.summary or "",
        "insights": r.insights or "",
        "attendees": r.attendees,
        "links": list(r.links or []),
        "state": r.state,
        "hidden": r.hidden,
        "version": r.version,
        "updated_at": _moment(r.updated_at),
        "updated_by": r.updated_by,
        "versions": [
            {
                "version": v.version,
                "summary": v.summary,
                "insights": v.insights,
                "attendees": v.attendees,
                "links": list(v.links or []),
                "action_items": [dict(item) for item in (v.action_items or [])],
                "state": v.state,
                "role": v.role,
                "at": _moment(v.at),
            }
            for v in versions
        ],
        "action_items": [
            {
                "id": i.id,
                "what": i.what,
                "who": i.who or "",
                "due": _day(i.due),
                "status": i.status,
                "owner": i.owner or "",
                "note": i.note or "",
            }
            for i in items
        ],
        "photos": [
            {
                "id": p.id,
                "content_type": p.content_type,
                "width": p.width,
                "height": p.height,
                "hidden": p.hidden,
                "created_at": _moment(p.created_at),
                "image": bytes(p.image),  # base64 when written (event_text), off the loop
                "thumb": bytes(p.thumb),
            }
            for p in photos
        ],
    }


def _grouped(query: Any, key: str) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in in_batches(query, scalars=True):
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def event_dump(event: Event) -> dict[str, Any]:
    """The whole event as plain data, ids as stored (the importer gives new ones and remaps every reference)."""
    eid = event.id
    where = {"event_id": eid}
    results = list(in_batches(select(Result).filter_by(**where).order_by(Result.id), scalars=True))
    versions = _grouped(
        select(ResultVersion)
        .join(Result, Result.id == ResultVersion.result_id)
        .where(Result.event_id == eid)
        .order_by(ResultVersion.result_id, ResultVersion.version),
        "result_id",
    )
    items = _grouped(select(ActionItem).filter_by(**where).order_by(ActionItem.position, ActionItem.id), "result_id")
    photos = _grouped(
        select(Photo).filter_by(**where).options(undefer(Photo.image), undefer(Photo.thumb)).order_by(Photo.id),
        "result_id",
    )
    rooms = db.session.scalars(select(Room).filter_by(**where).order_by(Room.position, Room.id))
    slots = db.session.scalars(select(Slot).filter_by(**where).order_by(Slot.starts_at, Slot.id))
    topics = list(in_batches(select(Topic).filter_by(**where).order_by(Topic.id), scalars=True))
    interested = _interest_numbers(eid)
    notices = db.session.scalars(
        select(Announcement).filter_by(**where).order_by(Announcement.position, Announcement.id)
    )
    log = list(in_batches(select(LogEntry).filter_by(**where).order_by(LogEntry.id), scalars=True))
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "event": _event(event),
        "rooms": [
            {"id": r.id, "name": r.name, "capacity": r.capacity, "location": r.location, "position": r.position}
            for r in rooms
        ],
        "slots": [
            {
                "id": s.id,
                "starts_at": _moment(s.starts_at),
                "ends_at": _moment(s.ends_at),
                "label": s.label,
                "is_break": s.is_break,
            }
            for s in slots
        ],
        "topics": [_topic(t, interested.get(t.id, [])) for t in topics],
        "results": [_result(r, versions.get(r.id, []), items.get(r.id, []), photos.get(r.id, [])) for r in results],
        "announcements": [
            {"text": a.text, "until": _moment(a.until), "position": a.position, "created_at": _moment(a.created_at)}
            for a in notices
        ],
        "log": [
            {
                "at": _moment(entry.at),
                "revision": entry.revision,
                "actor": entry.actor,
                "action": entry.action,
                "topic_id": entry.topic_id,
                "before": entry.before,
                "after": entry.after,
                "undone": entry.undone,
            }
            for entry in log
        ],
    }


def _encoded(value: Any) -> Any:
    """Photo bytes as base64 text, for JSON."""
    if isinstance(value, bytes):
        return _b64(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def event_text(dump: dict[str, Any]) -> str:
    """The event file: indented UTF-8 JSON with keys in a fixed order, so unchanged events export identically."""
    return json.dumps(dump, ensure_ascii=False, indent=1, default=_encoded) + "\n"
