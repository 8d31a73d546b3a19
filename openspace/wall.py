"""The wall: post, edit, move and withdraw topics (what it looks like: snapshot.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .fields import FieldErrors, clean_id, clean_request_id, clean_text, valid_id
from .identity import Actor
from .models import HOST_MAX, TEXT_MAX, TITLE_MAX, Event, Room, Slot, Topic, utcnow
from .snapshot import topic_dict

TOPIC_FIELDS = ("title", "host", "goal", "context")


@dataclass(frozen=True)
class Change:
    """A committed change to one event's wall, as broadcast to its clients."""

    event_id: int
    revision: int
    kind: str
    topic: dict[str, Any] | None = None
    topic_id: int | None = None

    def as_message(self) -> dict[str, Any]:
        """The `wall_changed` payload: the new revision and the delta."""
        change: dict[str, Any] = {"type": self.kind}
        if self.topic is not None:
            change["topic"] = self.topic
        if self.topic_id is not None:
            change["topic_id"] = self.topic_id
        return {"revision": self.revision, "change": change}


_EVENTS = Event.__table__
_BUMP = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("event_id"))
    .values(revision=_EVENTS.c.revision + 1)
    .returning(_EVENTS.c.revision, _EVENTS.c.locked)
)


def _bump_revision(event_id: int, actor: Actor) -> int:
    """Increase the event's revision in the write transaction (row-locking it on PostgreSQL); refuse a locked wall.

    The lock is read in the same statement, so it is as fresh as the revision; a refusal rolls the bump back.
    """
    revision, locked = db.session.execute(_BUMP, {"event_id": event_id}).one()
    if locked and not actor.is_organizer(event_id):
        raise DomainError("locked", _("The wall is locked; only the organizers can change it now."))
    return revision


def _clean_topic(data: Any, *, partial: bool) -> dict[str, Any]:
    """Validate a topic body; with partial=True only the keys present are checked."""
    if not isinstance(data, dict):
        raise DomainError("bad_request", _("Expected a JSON object."))
    errors = FieldErrors()
    limits = {
        "title": (TITLE_MAX, True),
        "host": (HOST_MAX, True),
        "goal": (TEXT_MAX, False),
        "context": (TEXT_MAX, False),
    }
    cleaned: dict[str, Any] = {}
    for name, (max_length, required) in limits.items():
        if partial and name not in data:
            continue
        cleaned[name] = clean_text(
            errors, data, name, max_length=max_length, required=required, multiline=name in {"goal", "context"}
        )
    if not partial or "room_id" in data or "slot_id" in data:
        cleaned["room_id"] = clean_id(errors, data, "room_id")
        cleaned["slot_id"] = clean_id(errors, data, "slot_id")
        if "room_id" not in errors.errors and "slot_id" not in errors.errors:
            if (cleaned["room_id"] is None) != (cleaned["slot_id"] is None):
                errors.add("room_id", _("Choose both a room and a time slot, or neither."))
    errors.raise_if_any()
    return cleaned


def _check_cell(event_id: int, room_id: int | None, slot_id: int | None, *, moving: Topic | None = None) -> None:
    """Refuse a cell of another event, or one that already holds a topic (naming that topic)."""
    if room_id is None:
        return
    room = db.session.get(Room, room_id)
    slot = db.session.get(Slot, slot_id)
    if room is None or room.event_id != event_id or slot is None or slot.event_id != event_id:
        raise DomainError(
            "invalid", _("Please check the marked fields."), fields={"room_id": _("This room or slot does not exist.")}
        )
    if slot.is_break:
        raise DomainError(
            "invalid",
            _("Please check the marked fields."),
            fields={"slot_id": _("This time is a break: no topics are placed there.")},
        )
    holder = db.session.scalar(select(Topic).where(Topic.room_id == room_id, Topic.slot_id == slot_id))
    if holder is not None and holder is not moving:
        raise _taken(holder)


def _taken(holder: Topic) -> DomainError:
    return DomainError(
        "taken",
        _(
            "This place was just taken by “%(title)s” (%(host)s). Please choose another one.",
            title=holder.title,
            host=holder.host,
        ),
        extra={"holder": topic_dict(holder)},
    )


def _load_holder(event_id: int, room_id: int | None, slot_id: int | None) -> DomainError:
    """After a lost race: the refusal naming whoever holds the cell now."""
    holder = db.session.scalar(
        select(Topic).where(Topic.event_id == event_id, Topic.room_id == room_id, Topic.slot_id == slot_id)
    )
    if holder is None:
        return DomainError("taken", _("This place was just taken. Please choose another one."))
    return _taken(holder)


def post_topic(event: Event, *, actor: Actor, data: Any) -> tuple[dict[str, Any], Change | None]:
    """Pin a new topic into a free cell (or the unplaced queue); replays of one request_id return the first topic."""
    if actor.author_hash is None:
        raise DomainError("forbidden", _("Your browser did not send its participant cookie. Please reload the page."))
    fields = _clean_topic(data, partial=False)
    request_id = clean_request_id(data.get("request_id"))
    event_id = event.id
    try:
        with write_transaction():
            if request_id is not None:
                earlier = db.session.scalar(
                    select(Topic).where(Topic.event_id == event_id, Topic.request_id == request_id)
                )
                if earlier is not None:
                    return topic_dict(earlier), None
            revision = _bump_revision(event_id, actor)
            _check_cell(event_id, fields["room_id"], fields["slot_id"])
            topic = Topic(event_id=event_id, author_hash=actor.author_hash, request_id=request_id, **fields)
            db.session.add(topic)
            db.session.flush()
            posted = topic_dict(topic)
    except IntegrityError:
        earlier = request_id and db.session.scalar(
            select(Topic).where(Topic.event_id == event_id, Topic.request_id == request_id)
        )
        if earlier:
            return topic_dict(earlier), None
        raise _load_holder(event_id, fields["room_id"], fields["slot_id"]) from None
    return posted, Change(event_id, revision, "topic_posted", topic=posted)


def _editable_topic(event_id: int, actor: Actor, topic_id: Any) -> Topic:
    topic = db.session.get(Topic, topic_id) if valid_id(topic_id) is not None else None
    if topic is None or topic.event_id != event_id:
        raise DomainError("not_found", _("This topic does not exist (any more)."))
    if not (actor.owns(topic.author_hash) or actor.is_organizer(event_id)):
        raise DomainError("forbidden", _("Only the topic's host or the organizers can change it."))
    return topic


def update_topic(event: Event, *, actor: Actor, topic_id: Any, data: Any) -> tuple[dict[str, Any], Change]:
    """Edit the text of a topic and/or move it to another free cell or the unplaced queue."""
    fields = _clean_topic(data, partial=True)
    if not fields:
        raise DomainError("invalid", _("Nothing to change."))
    event_id = event.id
    try:
        with write_transaction():
            topic = _editable_topic(event_id, actor, topic_id)
            revision = _bump_revision(event_id, actor)
            if "room_id" in fields:
                _check_cell(event_id, fields["room_id"], fields["slot_id"], moving=topic)
            for name, value in fields.items():
                setattr(topic, name, value)
            topic.updated_at = utcnow()
            db.session.flush()
            updated = topic_dict(topic)
    except IntegrityError:
        raise _load_holder(event_id, fields.get("room_id"), fields.get("slot_id")) from None
    return updated, Change(event_id, revision, "topic_updated", topic=updated)


def withdraw_topic(event: Event, *, actor: Actor, topic_id: Any) -> Change:
    """Remove a topic from the wall, freeing its cell."""
    event_id = event.id
    with write_transaction():
        topic = _editable_topic(event_id, actor, topic_id)
        revision = _bump_revision(event_id, actor)
        db.session.delete(topic)
    return Change(event_id, revision, "topic_withdrawn", topic_id=topic_id)


def apply_change(state: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    """Apply one `wall_changed` delta to a wall state (the browser does the same in JS)."""
    change = message["change"]
    topics = [t for t in state["topics"] if t["id"] != change.get("topic_id", change.get("topic", {}).get("id"))]
    if change["type"] in {"topic_posted", "topic_updated"}:
        topics.append(change["topic"])
        topics.sort(key=lambda t: t["id"])
    return {**state, "topics": topics, "revision": message["revision"]}
