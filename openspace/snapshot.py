"""What the wall looks like: wall_state(event) is its one shape, kept per revision as data and as JSON text.

Every change to what wall_state shows bumps the event's revision in the same transaction, so a snapshot of
one revision never goes stale: joins, pages and the API between two changes share one snapshot, and a
(re)connecting phone is sent JSON that was encoded once for everyone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_, select

from .events import find_by_slug
from .extensions import db
from .identity import Actor
from .models import Announcement, Event, Room, Slot, Topic, utcnow

MARKET_NEXT_SHOWN = 3  # topics after the current one the marketplace shows
MARKET_CLOSED = {"open": False, "position": 0, "total": 0, "current": None, "next": []}


def _iso(moment: datetime, zone: ZoneInfo) -> str:
    return moment.replace(tzinfo=zone).isoformat()


def topic_dict(topic: Topic) -> dict[str, Any]:
    """Public fields of a topic (never its author hash or request id)."""
    return {
        "id": topic.id,
        "title": topic.title,
        "host": topic.host,
        "goal": topic.goal,
        "context": topic.context,
        "room_id": topic.room_id,
        "slot_id": topic.slot_id,
        "pinned": topic.pinned,
        "cohosts": list(topic.cohosts or ()),
        "result_state": topic.result_state or "missing",  # a quiet mark on walls: missing, draft, documented, reviewed
        "created_at": topic.created_at.replace(tzinfo=UTC).isoformat(),
        "updated_at": topic.updated_at.replace(tzinfo=UTC).isoformat(),
    }


def event_dict(event: Event) -> dict[str, Any]:
    """Public fields of an event."""
    return {
        "slug": event.slug,
        "name": event.name,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "timezone": event.timezone,
        "language": event.language,
        "venue": event.venue,
        "description": event.description or "",
        "locked": event.locked,
        "lock_reason": event.lock_reason,
        "premoderation": event.premoderation,
        "max_topics_per_participant": event.max_topics_per_participant,
        "report_published": event.report_published_at is not None,
    }


def announcement_dict(announcement: Announcement, zone: ZoneInfo) -> dict[str, Any]:
    """Public fields of an announcement; `until` in the event's time zone, or None (shown until removed)."""
    until = announcement.until
    return {
        "id": announcement.id,
        "text": announcement.text,
        "until": until.replace(tzinfo=UTC).astimezone(zone).isoformat() if until else None,
    }


def shown_announcements(event_id: int) -> list[Announcement]:
    """The event's announcements not yet expired, in the order the organizers pinned them."""
    return list(
        db.session.scalars(
            select(Announcement)
            .where(
                Announcement.event_id == event_id,
                or_(Announcement.until.is_(None), Announcement.until > utcnow()),
            )
            .order_by(Announcement.position, Announcement.id)
        )
    )


def _requeued(skipped: list[list[int]]) -> dict[int, tuple[int, int]]:
    return {entry[0]: (entry[1], order) for order, entry in enumerate(skipped)}


def _market_key(topic_id: int, requeued: dict[int, tuple[int, int]]) -> tuple[int, int, int]:
    """A topic's place in the queue: its id, or for a skipped one, after every topic posted before it was skipped."""
    if topic_id in requeued:
        after, order = requeued[topic_id]
        return (after, 1, order)
    return (topic_id, 0, 0)


def market_queue(topics: list[dict[str, Any]], skipped: list[list[int]]) -> list[dict[str, Any]]:
    """The live topics in the order they are presented: posting order, a skipped one put back later."""
    requeued = _requeued(skipped)
    return sorted(topics, key=lambda t: _market_key(t["id"], requeued))


def market_position(queue: list[dict[str, Any]], topic_id: int | None, skipped: list[list[int]]) -> int:
    """Where the queue stands: the current topic's index, or where it was if it left the wall (None: the start).

    Kept as the current topic rather than an index, so a topic withdrawn or merged before it never makes the
    marketplace jump over one.
    """
    if topic_id is None:
        return 0
    requeued = _requeued(skipped)
    key = _market_key(topic_id, requeued)
    return sum(1 for t in queue if _market_key(t["id"], requeued) < key)


def marketplace_dict(event: Event, topics: list[dict[str, Any]]) -> dict[str, Any]:
    """The marketplace part of the wall: open or not, the topic presented now and the next ones."""
    if not event.market_open:
        return dict(MARKET_CLOSED)
    skipped = list(event.market_skipped or ())
    queue = market_queue(topics, skipped)
    position = min(market_position(queue, event.market_topic_id, skipped), len(queue))
    return {
        "open": True,
        "position": position,
        "total": len(queue),
        "current": queue[position] if position < len(queue) else None,
        "next": queue[position + 1 : position + 1 + MARKET_NEXT_SHOWN],
    }


def room_dict(room: Room) -> dict[str, Any]:
    """Public fields of a room."""
    return {"id": room.id, "name": room.name, "capacity": room.capacity, "location": room.location}


def slot_dict(slot: Slot, zone: ZoneInfo) -> dict[str, Any]:
    """Public fields of a slot, its times with the event's offset on that day."""
    return {
        "id": slot.id,
        "starts_at": _iso(slot.starts_at, zone),
        "ends_at": _iso(slot.ends_at, zone),
        "label": slot.label,
        "is_break": slot.is_break,
    }


@dataclass
class Snapshot:
    """The wall of one event at one revision; `state` is shared, so callers copy before changing it."""

    event_id: int
    revision: int
    created_at: datetime  # tells a recreated event (same id in a fresh database) from the old one
    state: dict[str, Any]
    stale_at: datetime | None = None  # naive UTC: when its first announcement expires (then it is built again)
    _json: str | None = field(default=None, repr=False)
    _counted: list[Any] | None = field(default=None, repr=False)

    def json(self) -> str:
        """The state as compact JSON text, encoded on first use."""
        if self._json is None:
            self._json = json.dumps(self.state, separators=(",", ":"), ensure_ascii=False)
        return self._json

    def json_with(self, **fields: Any) -> str:
        """The state's JSON text with more top-level fields, spliced in rather than encoding the wall again."""
        extra = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        return f"{extra[:-1]},{self.json()[1:]}"

    def counted_json(self, interest: dict[int, int], **fields: Any) -> str:
        """The state's JSON text with every topic's current `interest` count and more top-level fields.

        Counts change without a revision: the wall is encoded once per revision with a mark where each topic's
        count goes, and every send only joins the pieces with the counts of the moment.
        """
        if self._counted is None:
            pieces: list[Any] = _COUNT_MARK.split(_encode(_with_counts(self.state, _CountMark)))
            pieces[1::2] = [int(topic_id) for topic_id in pieces[1::2]]
            self._counted = pieces
        pieces = self._counted
        out = [pieces[0]]
        for i in range(1, len(pieces), 2):
            out.append(f'"interest":{interest.get(pieces[i], 0)}')
            out.append(pieces[i + 1])
        text = "".join(out)
        if not fields:
            return text
        extra = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        return f"{extra[:-1]},{text[1:]}"

    def counted_state(self, interest: dict[int, int], **fields: Any) -> dict[str, Any]:
        """A copy of the state with every topic's current `interest` count and more top-level fields."""
        return {**_with_counts(self.state, lambda topic_id: interest.get(topic_id, 0)), **fields}


class _CountMark:
    """Where a topic's count goes in the encoded wall (encoded as a string no user text can produce as a value
    of the key "interest": inside user strings every quote is escaped)."""

    __slots__ = ("topic_id",)

    def __init__(self, topic_id: int) -> None:
        self.topic_id = topic_id


_COUNT_MARK = re.compile(r'"interest":"\\u0000(\d+)"')


def _encode(state: dict[str, Any]) -> str:
    return json.dumps(
        state,
        separators=(",", ":"),
        ensure_ascii=False,
        default=lambda mark: f"\x00{mark.topic_id}",
    )


def _with_counts(state: dict[str, Any], count: Any) -> dict[str, Any]:
    """The state with `interest` added to every topic dict (the list, and the marketplace's copies)."""

    def counted(topic: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if topic is None else {**topic, "interest": count(topic["id"])}

    copy = {**state, "topics": [counted(t) for t in state["topics"]]}
    market = state.get("marketplace")
    if market and market.get("open"):
        copy["marketplace"] = {
            **market,
            "current": counted(market["current"]),
            "next": [counted(t) for t in market["next"]],
        }
    return copy


_snapshots: dict[tuple[str, int], Snapshot] = {}  # (database, event id) -> the newest snapshot built
_EVENT_VERSION = select(Event.id, Event.revision, Event.created_at).where(Event.slug == bindparam("slug"))
_MINE = (
    select(Topic.id)
    .where(
        Topic.event_id == bindparam("event_id"),
        Topic.author_hash == bindparam("author_hash"),
        Topic.status == "live",
    )
    .order_by(Topic.id)
)


def _cached(event_id: int, revision: int, created_at: datetime) -> Snapshot | None:
    snapshot = _snapshots.get((str(db.engine.url), event_id))
    if snapshot is None or snapshot.revision != revision or snapshot.created_at != created_at:
        return None
    if snapshot.stale_at is not None and snapshot.stale_at <= utcnow():
        return None  # an announcement expired: it leaves the wall without a revision of its own
    return snapshot


def snapshot_of(event: Event) -> Snapshot:
    """The event's wall at the event's revision (as loaded with it)."""
    snapshot = _cached(event.id, event.revision, event.created_at)
    if snapshot is None:
        state, stale_at = _build_wall_state(event)
        snapshot = Snapshot(event.id, event.revision, event.created_at, state, stale_at)
        _snapshots[(str(db.engine.url), event.id)] = snapshot
    return snapshot


def wall_state(event: Event) -> dict[str, Any]:
    """The whole wall as plain data: rendered by Jinja, returned by the API, re-rendered by the browser."""
    return snapshot_of(event).state


def snapshot_by_slug(slug: Any) -> Snapshot:
    """The current wall of the event at that address: one small query while nothing changed, else a rebuild."""
    row = find_by_slug(slug, lambda valid: db.session.execute(_EVENT_VERSION, {"slug": valid}).first())
    return _cached(*row) or snapshot_of(db.session.get(Event, row.id))


def _build_wall_state(event: Event) -> tuple[dict[str, Any], datetime | None]:
    zone = ZoneInfo(event.timezone)
    rooms = db.session.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.id))
    slots = db.session.scalars(select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at, Slot.id))
    topics = db.session.scalars(
        select(Topic).where(Topic.event_id == event.id, Topic.status == "live").order_by(Topic.id)
    )
    shown_topics = [topic_dict(t) for t in topics]
    announcements = shown_announcements(event.id)
    state = {
        "event": event_dict(event),
        "rooms": [room_dict(r) for r in rooms],
        "slots": [slot_dict(s, zone) for s in slots],
        "topics": shown_topics,
        "announcements": [announcement_dict(a, zone) for a in announcements],
        "marketplace": marketplace_dict(event, shown_topics),
        "revision": event.revision,
    }
    return state, min((a.until for a in announcements if a.until is not None), default=None)


def my_topic_ids(event_id: int, actor: Actor) -> list[int]:
    """Ids of the actor's own topics in the event (what their phone may edit)."""
    if actor.author_hash is None:
        return []
    return list(db.session.scalars(_MINE, {"event_id": event_id, "author_hash": actor.author_hash}))
