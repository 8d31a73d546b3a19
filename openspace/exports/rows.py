"""The one query behind the schedule exports: an event's frame and topics as plain, immutable rows.

Every format is a pure function of these rows, so HTTP downloads, the CLI and the tests produce the same text,
and nothing here depends on "now": two exports of an unchanged event are identical.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Event, Room, Slot, Topic

# Fixed for good: the frab `guid`s and iCalendar UIDs of every export are derived from it, so calendars and
# conference apps recognise a topic again in the next download.
GUID_NAMESPACE = uuid.UUID("5b0cf4f0-7a1e-5d0c-9a51-0b3c2f6d8e41")


@dataclass(frozen=True)
class RoomRow:
    """A room, in display order."""

    id: int
    name: str
    capacity: int | None
    location: str | None
    guid: str


@dataclass(frozen=True)
class SlotRow:
    """A time window; times are aware, in the event's time zone."""

    id: int
    starts_at: datetime
    ends_at: datetime
    label: str | None
    is_break: bool


@dataclass(frozen=True)
class TopicRow:
    """A topic with its cell (None while unplaced; a withdrawn topic keeps the cell it had)."""

    id: int
    title: str
    host: str
    cohosts: tuple[str, ...]
    goal: str
    context: str
    status: str
    room: RoomRow | None
    slot: SlotRow | None
    url: str
    guid: str
    updated_at: datetime  # aware, UTC

    @property
    def hosts(self) -> tuple[str, ...]:
        """The host first, then the hosts of topics merged into this one."""
        return (self.host, *self.cohosts)

    @property
    def scheduled(self) -> bool:
        """True when the topic is on the wall in a cell, i.e. has a time and a place."""
        return self.status == "live" and self.room is not None and self.slot is not None


@dataclass(frozen=True)
class ScheduleRows:
    """What the schedule exports show of one event."""

    slug: str
    name: str
    description: str
    venue: str | None
    language: str
    timezone: str
    starts_on: date
    ends_on: date
    revision: int
    base_url: str  # scheme, host and port of the links, without a trailing slash
    labels: dict[str, str]  # field names in the event's language, for text meant for people
    rooms: tuple[RoomRow, ...]
    slots: tuple[SlotRow, ...]
    topics: tuple[TopicRow, ...]  # live ones, scheduled first (by time, then room order), then unplaced by id
    withdrawn: tuple[TopicRow, ...]  # by id

    @property
    def zone(self) -> ZoneInfo:
        """The event's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def event_url(self) -> str:
        """The participants' page of the event."""
        return f"{self.base_url}/e/{self.slug}/"

    def topic(self, topic_id: int) -> TopicRow | None:
        """The live topic with that id, if any."""
        return next((t for t in self.topics if t.id == topic_id), None)


def topic_guid(slug: str, topic_id: int) -> str:
    """The stable UUIDv5 of a topic of an event."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{slug}/topic/{topic_id}"))


def room_guid(slug: str, room_id: int) -> str:
    """The stable UUIDv5 of a room of an event."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{slug}/room/{room_id}"))


def _labels(language: str) -> dict[str, str]:
    with force_locale(language):
        return {"host": _("Host"), "goal": _("Goal"), "context": _("Context")}


def schedule_rows(event: Event, *, base_url: str) -> ScheduleRows:
    """Read the event's rooms, slots and live and withdrawn topics once, as rows for every schedule format."""
    zone = ZoneInfo(event.timezone)
    base_url = base_url.rstrip("/")
    rooms = {
        r.id: RoomRow(r.id, r.name, r.capacity, r.location, room_guid(event.slug, r.id))
        for r in db.session.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.id))
    }
    slots = {
        s.id: SlotRow(s.id, s.starts_at.replace(tzinfo=zone), s.ends_at.replace(tzinfo=zone), s.label, s.is_break)
        for s in db.session.scalars(select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at, Slot.id))
    }
    found = db.session.scalars(
        select(Topic).where(Topic.event_id == event.id, Topic.status.in_(("live", "withdrawn"))).order_by(Topic.id)
    )
    topics: list[TopicRow] = []
    for t in found:
        room_id, slot_id = (t.room_id, t.slot_id) if t.status == "live" else (t.wanted_room_id, t.wanted_slot_id)
        topics.append(
            TopicRow(
                id=t.id,
                title=t.title,
                host=t.host,
                cohosts=tuple(t.cohosts or ()),
                goal=t.goal or "",
                context=t.context or "",
                status=t.status,
                room=rooms.get(room_id) if room_id is not None else None,
                slot=slots.get(slot_id) if slot_id is not None else None,
                url=f"{base_url}/e/{event.slug}/t/{t.id}",
                guid=topic_guid(event.slug, t.id),
                updated_at=t.updated_at.replace(tzinfo=UTC),
            )
        )
    room_order = {room_id: n for n, room_id in enumerate(rooms)}
    live = [t for t in topics if t.status == "live"]
    placed = sorted(
        (t for t in live if t.scheduled),
        key=lambda t: (t.slot.starts_at, t.slot.id, room_order[t.room.id]),  # type: ignore[union-attr]
    )
    return ScheduleRows(
        slug=event.slug,
        name=event.name,
        description=event.description or "",
        venue=event.venue,
        language=event.language,
        timezone=event.timezone,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        revision=event.revision,
        base_url=base_url,
        labels=_labels(event.language),
        rooms=tuple(rooms.values()),
        slots=tuple(slots.values()),
        topics=(*placed, *(t for t in live if not t.scheduled)),
        withdrawn=tuple(t for t in topics if t.status == "withdrawn"),
    )
