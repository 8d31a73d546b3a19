"""Changing an event's frame while it runs: its fields, rooms and slots.

Every change is an organizer's, one write transaction and one revision, announced as one `frame_updated` delta
that carries the event, its rooms and slots whole and every topic the change moved. A room or slot that goes
away (or a slot that becomes a break) never takes a topic with it: its topics go to the unplaced queue, each
logged as `unplace`, and the answer names them.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from .activity import log_step, logged_change
from .database import write_transaction
from .errors import DomainError
from .events import LANGUAGES, MAX_ROOMS, MAX_SLOTS, SlotSpec, _name_key, check_slots_fit, valid_timezone
from .extensions import db
from .fields import FieldErrors, clean_text, valid_id, visible
from .identity import Actor
from .models import (
    DESCRIPTION_MAX,
    LABEL_MAX,
    NAME_MAX,
    ROOM_NAME_MAX,
    VENUE_MAX,
    Event,
    Room,
    Slot,
    Topic,
    utcnow,
)
from .snapshot import event_dict, room_dict, slot_dict
from .wall import Change, bump_revision, topics_change

CAPACITY_MAX = 99999
EVENT_DAYS_MAX = 31
EVENT_FIELDS = ("name", "description", "starts_on", "ends_on", "timezone", "language", "venue")
ROOM_FIELDS = ("name", "capacity", "location", "position")
SLOT_FIELDS = ("starts_at", "ends_at", "label", "is_break")


def _object(data: Any, allowed: tuple[str, ...], *, partial: bool) -> dict[str, Any]:
    """The request body as a dict with only known fields (at least one of them when `partial`)."""
    if not isinstance(data, dict):
        raise DomainError("bad_request", _("Expected a JSON object."))
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise DomainError(
            "invalid",
            _("Please check the marked fields."),
            fields={name[:64]: _("Unknown field.") for name in unknown[:20]},
        )
    if partial and not data:
        raise DomainError("bad_request", _("Nothing to change."))
    return data


def _frame_change(event: Event, revision: int, moved: list[Topic]) -> Change:
    """The one delta of a frame change: the event, rooms and slots whole, and the topics it moved."""
    db.session.flush()
    row = db.session.get(Event, event.id)
    zone = ZoneInfo(row.timezone)
    rooms = db.session.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.id))
    slots = db.session.scalars(select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at, Slot.id))
    return topics_change(
        event.id,
        revision,
        moved,
        kind="frame_updated",
        event=event_dict(row),
        rooms=[room_dict(r) for r in rooms],
        slots=[slot_dict(s, zone) for s in slots],
    )


def moved_dicts(change: Change) -> list[dict[str, Any]]:
    """The topics a frame change sent to the unplaced queue, as the answer names them."""
    return [{"id": t["id"], "title": t["title"], "host": t["host"]} for t in change.topics or ()]


# --- the event's fields ---------------------------------------------------------------------------------------


def _date(errors: FieldErrors, data: dict[str, Any], name: str) -> date | None:
    value = data[name]
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        errors.add(name, _("A date as YYYY-MM-DD."))
        return None


def update_event(event: Event, *, actor: Actor, data: Any) -> Change:
    """Change the event's name, description, days, time zone, language or venue; its slots must still fit."""
    actor.require_organizer(event.id)
    data = _object(data, EVENT_FIELDS, partial=True)
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if "name" in data:
        values["name"] = clean_text(errors, data, "name", max_length=NAME_MAX, required=True)
    if "description" in data:
        values["description"] = clean_text(errors, data, "description", max_length=DESCRIPTION_MAX, multiline=True)
    if "venue" in data:
        values["venue"] = clean_text(errors, data, "venue", max_length=VENUE_MAX) or None
    for name in ("starts_on", "ends_on"):
        if name in data:
            values[name] = _date(errors, data, name)
    if "timezone" in data:
        if not isinstance(data["timezone"], str) or not valid_timezone(data["timezone"]):
            errors.add("timezone", _("Unknown time zone."))
        values["timezone"] = data["timezone"]
    if "language" in data:
        if data["language"] not in LANGUAGES:
            errors.add("language", _("Unsupported language."))
        values["language"] = data["language"]
    errors.raise_if_any()
    with write_transaction():
        row = db.session.get(Event, event.id)
        starts_on = values.get("starts_on", row.starts_on)
        ends_on = values.get("ends_on", row.ends_on)
        if ends_on < starts_on or ends_on - starts_on > timedelta(days=EVENT_DAYS_MAX - 1):
            raise DomainError(
                "invalid",
                _("Please check the marked fields."),
                fields={"ends_on": _("The last day must be on or after the first (at most 31 days).")},
            )
        slots = db.session.scalars(select(Slot).where(Slot.event_id == event.id)).all()
        check_slots_fit(
            [SlotSpec(s.starts_at, s.ends_at, s.label, s.is_break) for s in slots],
            starts_on=starts_on,
            ends_on=ends_on,
            timezone=values.get("timezone", row.timezone),
        )
        revision = bump_revision(event.id)
        before = {name: _plain(getattr(row, name)) for name in values}
        for name, value in values.items():
            setattr(row, name, value)
        log_step(
            event.id,
            actor=actor,
            action="frame",
            revision=revision,
            before={"event": before},
            after={"event": {name: _plain(value) for name, value in values.items()}},
        )
        return _frame_change(event, revision, [])


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


# --- rooms ----------------------------------------------------------------------------------------------------


def _room(event_id: int, room_id: Any) -> Room:
    room = db.session.get(Room, valid_id(room_id) or 0)
    if room is None or room.event_id != event_id:
        raise DomainError("not_found", _("This room does not exist (any more)."))
    return room


def _room_values(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if "name" in data or not partial:
        name = clean_text(errors, data, "name", max_length=ROOM_NAME_MAX, required=True)
        values["name"] = unicodedata.normalize("NFC", name) if name else name
    if "capacity" in data:
        capacity = data["capacity"]
        if capacity is not None and (
            isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= CAPACITY_MAX
        ):
            errors.add("capacity", _("A whole number from 0 to %(max)d, or empty.", max=CAPACITY_MAX))
        values["capacity"] = capacity
    if "location" in data:
        values["location"] = clean_text(errors, data, "location", max_length=NAME_MAX) or None
    if "position" in data:
        position = data["position"]
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < MAX_ROOMS:
            errors.add("position", _("A whole number from 0 to %(max)d.", max=MAX_ROOMS - 1))
        values["position"] = position
    errors.raise_if_any()
    return values


def _check_room_name(event_id: int, name: str, *, room_id: int | None) -> None:
    others = db.session.scalars(select(Room.name).where(Room.event_id == event_id, Room.id != (room_id or 0)))
    if _name_key(name) in {_name_key(other) for other in others}:
        raise DomainError(
            "invalid", _("Please check the marked fields."), fields={"name": _("Another room has this name.")}
        )


def _place_room(event_id: int, room: Room | None = None, position: int | None = None) -> None:
    """Number the event's rooms 0..n-1 in their order, `room` at `position` (the end when None)."""
    rooms = [
        r
        for r in db.session.scalars(select(Room).where(Room.event_id == event_id).order_by(Room.position, Room.id))
        if room is None or r.id != room.id
    ]
    if room is not None:
        rooms.insert(len(rooms) if position is None else min(position, len(rooms)), room)
    for index, each in enumerate(rooms):
        each.position = index


def add_room(event: Event, *, actor: Actor, data: Any) -> tuple[dict[str, Any], Change]:
    """A new room, at `position` or last."""
    actor.require_organizer(event.id)
    values = _room_values(_object(data, ROOM_FIELDS, partial=False), partial=False)
    with write_transaction():
        count = len(db.session.scalars(select(Room.id).where(Room.event_id == event.id)).all())
        if count >= MAX_ROOMS:
            raise DomainError("invalid", _("An event has at most %(max)d rooms.", max=MAX_ROOMS))
        _check_room_name(event.id, values["name"], room_id=None)
        revision = bump_revision(event.id)
        position = values.pop("position", None)
        room = Room(event_id=event.id, **values)
        db.session.add(room)
        db.session.flush()
        _place_room(event.id, room, position)
        db.session.flush()
        log_step(event.id, actor=actor, action="frame", revision=revision, after={"room": room_dict(room)})
        return room_dict(room), _frame_change(event, revision, [])


def update_room(event: Event, *, actor: Actor, room_id: Any, data: Any) -> Change:
    """Rename a room, change its capacity or location, or move it to another position."""
    actor.require_organizer(event.id)
    values = _room_values(_object(data, ROOM_FIELDS, partial=True), partial=True)
    with write_transaction():
        room = _room(event.id, room_id)
        if "name" in values:
            _check_room_name(event.id, values["name"], room_id=room.id)
        revision = bump_revision(event.id)
        before = room_dict(room)
        position = values.pop("position", None)
        for name, value in values.items():
            setattr(room, name, value)
        if position is not None:
            _place_room(event.id, room, position)
        db.session.flush()
        log_step(
            event.id,
            actor=actor,
            action="frame",
            revision=revision,
            before={"room": before},
            after={"room": room_dict(room)},
        )
        return _frame_change(event, revision, [])


def _unplace(event_id: int, topics: list[Topic], *, actor: Actor, revision: int) -> list[Topic]:
    """Send live topics to the unplaced queue, each logged; return them."""
    for topic in topics:
        with logged_change(topic, actor=actor, action="unplace", revision=revision):
            topic.room_id = topic.slot_id = None
            topic.updated_at = utcnow()
    return topics


def _forget_wanted(event_id: int, *, room_id: int | None = None, slot_id: int | None = None) -> None:
    """Pending and withdrawn topics no longer ask for (or remember) a cell of a room or slot that is gone."""
    column, value = (Topic.wanted_room_id, room_id) if room_id is not None else (Topic.wanted_slot_id, slot_id)
    for topic in db.session.scalars(select(Topic).where(Topic.event_id == event_id, column == value)):
        topic.wanted_room_id = topic.wanted_slot_id = None


def _placed(event_id: int, *, room_id: int | None = None, slot_id: int | None = None) -> list[Topic]:
    column, value = (Topic.room_id, room_id) if room_id is not None else (Topic.slot_id, slot_id)
    return list(db.session.scalars(select(Topic).where(Topic.event_id == event_id, column == value).order_by(Topic.id)))


def remove_room(event: Event, *, actor: Actor, room_id: Any) -> Change:
    """Remove a room; its topics go to the unplaced queue (the change carries them)."""
    actor.require_organizer(event.id)
    with write_transaction():
        room = _room(event.id, room_id)
        if len(db.session.scalars(select(Room.id).where(Room.event_id == event.id)).all()) <= 1:
            raise DomainError("invalid", _("An event needs at least one room."))
        revision = bump_revision(event.id)
        moved = _unplace(event.id, _placed(event.id, room_id=room.id), actor=actor, revision=revision)
        _forget_wanted(event.id, room_id=room.id)
        log_step(event.id, actor=actor, action="frame", revision=revision, before={"room": room_dict(room)})
        db.session.flush()
        db.session.delete(room)
        db.session.flush()
        _place_room(event.id)
        return _frame_change(event, revision, moved)


# --- slots ----------------------------------------------------------------------------------------------------


def _slot(event_id: int, slot_id: Any) -> Slot:
    slot = db.session.get(Slot, valid_id(slot_id) or 0)
    if slot is None or slot.event_id != event_id:
        raise DomainError("not_found", _("This slot does not exist (any more)."))
    return slot


def _local_time(errors: FieldErrors, data: dict[str, Any], name: str, zone: ZoneInfo) -> datetime | None:
    """An ISO date and time, as the event's wall-clock time (an offset given is converted to it)."""
    value = data.get(name)
    try:
        if not isinstance(value, str) or not 16 <= len(value) <= 32 or "T" not in value:
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors.add(name, _("A date and time as YYYY-MM-DDTHH:MM."))
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def _slot_values(event: Event, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    zone = ZoneInfo(db.session.get(Event, event.id).timezone)
    errors = FieldErrors()
    values: dict[str, Any] = {}
    for name in ("starts_at", "ends_at"):
        if name in data or not partial:
            values[name] = _local_time(errors, data, name, zone)
    if "label" in data:
        label = clean_text(errors, data, "label", max_length=LABEL_MAX)
        values["label"] = label if label and visible(label) else None
    if "is_break" in data:
        if not isinstance(data["is_break"], bool):
            errors.add("is_break", _("Must be true or false."))
        values["is_break"] = data["is_break"]
    errors.raise_if_any()
    return values


def _check_slots(event: Event, slot: Slot) -> None:
    """The event's slots with `slot` as it is now: in order, on the event's days, never overlapping."""
    if slot.ends_at <= slot.starts_at:
        raise DomainError(
            "invalid", _("Please check the marked fields."), fields={"ends_at": _("The slot must end after it starts.")}
        )
    row = db.session.get(Event, event.id)
    spec = SlotSpec(slot.starts_at, slot.ends_at, slot.label, slot.is_break)
    check_slots_fit([spec], starts_on=row.starts_on, ends_on=row.ends_on, timezone=row.timezone)
    others = db.session.scalars(
        select(Slot).where(Slot.event_id == event.id, Slot.id != (slot.id or 0)).order_by(Slot.starts_at)
    )
    for other in others:
        if other.starts_at < slot.ends_at and slot.starts_at < other.ends_at:
            raise DomainError(
                "invalid",
                _("Please check the marked fields."),
                fields={
                    "starts_at": _(
                        "It overlaps the slot %(slot)s.",
                        slot=f"{other.starts_at:%Y-%m-%d %H:%M}–{other.ends_at:%H:%M}",
                    )
                },
            )


def add_slot(event: Event, *, actor: Actor, data: Any) -> tuple[dict[str, Any], Change]:
    """A new slot (or break) on one of the event's days, overlapping no other."""
    actor.require_organizer(event.id)
    values = _slot_values(event, _object(data, SLOT_FIELDS, partial=False), partial=False)
    with write_transaction():
        if len(db.session.scalars(select(Slot.id).where(Slot.event_id == event.id)).all()) >= MAX_SLOTS:
            raise DomainError("invalid", _("An event has at most %(max)d slots.", max=MAX_SLOTS))
        slot = Slot(event_id=event.id, **{"label": None, "is_break": False, **values})
        _check_slots(event, slot)
        revision = bump_revision(event.id)
        db.session.add(slot)
        db.session.flush()
        zone = ZoneInfo(db.session.get(Event, event.id).timezone)
        log_step(event.id, actor=actor, action="frame", revision=revision, after={"slot": slot_dict(slot, zone)})
        return slot_dict(slot, zone), _frame_change(event, revision, [])


def update_slot(event: Event, *, actor: Actor, slot_id: Any, data: Any) -> Change:
    """Change a slot's times, label or whether it is a break; a slot that becomes a break empties into the queue."""
    actor.require_organizer(event.id)
    values = _slot_values(event, _object(data, SLOT_FIELDS, partial=True), partial=True)
    with write_transaction():
        slot = _slot(event.id, slot_id)
        zone = ZoneInfo(db.session.get(Event, event.id).timezone)
        before = slot_dict(slot, zone)
        with db.session.no_autoflush:
            for name, value in values.items():
                setattr(slot, name, value)
            _check_slots(event, slot)
        revision = bump_revision(event.id)
        moved = []
        if slot.is_break:
            moved = _unplace(event.id, _placed(event.id, slot_id=slot.id), actor=actor, revision=revision)
        db.session.flush()
        log_step(
            event.id,
            actor=actor,
            action="frame",
            revision=revision,
            before={"slot": before},
            after={"slot": slot_dict(slot, zone)},
        )
        return _frame_change(event, revision, moved)


def remove_slot(event: Event, *, actor: Actor, slot_id: Any) -> Change:
    """Remove a slot; its topics go to the unplaced queue (the change carries them)."""
    actor.require_organizer(event.id)
    with write_transaction():
        slot = _slot(event.id, slot_id)
        if len(db.session.scalars(select(Slot.id).where(Slot.event_id == event.id)).all()) <= 1:
            raise DomainError("invalid", _("An event needs at least one slot."))
        zone = ZoneInfo(db.session.get(Event, event.id).timezone)
        revision = bump_revision(event.id)
        moved = _unplace(event.id, _placed(event.id, slot_id=slot.id), actor=actor, revision=revision)
        _forget_wanted(event.id, slot_id=slot.id)
        log_step(event.id, actor=actor, action="frame", revision=revision, before={"slot": slot_dict(slot, zone)})
        db.session.flush()
        db.session.delete(slot)
        return _frame_change(event, revision, moved)


__all__ = [
    "add_room",
    "add_slot",
    "moved_dicts",
    "remove_room",
    "remove_slot",
    "update_event",
    "update_room",
    "update_slot",
]
