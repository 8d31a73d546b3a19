"""Undo: organizers take back their own last moderation steps, one by one, from what the activity log kept.

A step is every log entry an organizer action wrote at one revision. Undoing it puts each topic (and the
event's settings) back as the entry's `before` says, in one write transaction with one revision, and marks the
entries undone, so the next undo reaches the step before. An undo is refused, changing nothing, when anything
the step touched was changed since (by anyone) or the place it would return to is gone or taken.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .activity import log_step, logged_topic
from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .identity import Actor
from .models import Event, LogEntry, Room, Slot, Topic, utcnow
from .snapshot import event_dict
from .wall import Change, bump_revision, topics_change

# Organizer steps undo reverts. Frame changes, blocks, rejections and undos themselves are not among them:
# each has its own way back (the frame editor, unblock, restore).
UNDOABLE = (
    "edit",
    "move",
    "swap",
    "merge",
    "pin",
    "unpin",
    "withdraw",
    "restore",
    "approve",
    "lock",
    "unlock",
    "settings",
)
# What a topic's log entry restores (the rest of logged_topic is derived or kept as it is).
_TOPIC_FIELDS = ("title", "host", "goal", "context", "pinned", "cohosts", "status", "merged_into_id")
_CELL_FIELDS = ("room_id", "slot_id", "wanted_room_id", "wanted_slot_id")
# Not compared either: a result is documented apart from moderation (and older entries lack result_state).
_STAMPS = ("created_at", "updated_at", "result_state")


def undo_last(event: Event, *, actor: Actor) -> tuple[Change, dict[str, Any]]:
    """Revert the newest organizer step not yet undone; returns the change and what was undone."""
    actor.require_organizer(event.id)
    try:
        with write_transaction():
            revision = bump_revision(event.id)  # first: on PostgreSQL this locks the event's row for the whole undo
            entries = _last_step(event.id)
            topics, event_changed = _revert(event.id, entries, actor=actor, revision=revision)
            for entry in entries:
                entry.undone = True
            row = db.session.get(Event, event.id)
            extra = {"event": event_dict(row)} if event_changed else {}
            change = topics_change(event.id, revision, topics, **extra)
            undone = {"action": entries[0].action, "revision": entries[0].revision, "topic_ids": [t.id for t in topics]}
    except IntegrityError:
        raise DomainError("taken", _("A place this step would restore was just taken; nothing was undone.")) from None
    return change, undone


def _last_step(event_id: int) -> list[LogEntry]:
    newest = db.session.scalar(
        select(LogEntry.revision)
        .where(
            LogEntry.event_id == event_id,
            LogEntry.actor == "organizer",
            LogEntry.action.in_(UNDOABLE),
            LogEntry.undone.is_(False),
        )
        .order_by(LogEntry.id.desc())
        .limit(1)
    )
    if newest is None:
        raise DomainError("nothing_to_undo", _("There is nothing left to undo."))
    return list(
        db.session.scalars(
            select(LogEntry)
            .where(
                LogEntry.event_id == event_id,
                LogEntry.revision == newest,
                LogEntry.actor == "organizer",
                LogEntry.action.in_(UNDOABLE),
                LogEntry.undone.is_(False),
            )
            .order_by(LogEntry.id)
        )
    )


def _revert(event_id: int, entries: list[LogEntry], *, actor: Actor, revision: int) -> tuple[list[Topic], bool]:
    """Put the step's topics and event settings back; refuse (raise) if any was changed since."""
    topic_entries = [e for e in entries if e.topic_id is not None]
    topics = [_unchanged_topic(event_id, entry) for entry in topic_entries]
    event_entries = [e for e in entries if e.topic_id is None]
    for entry in event_entries:
        _revert_event(event_id, entry, actor=actor, revision=revision)
    befores = [logged_topic(t) for t in topics]
    for topic in topics:  # free every cell first: the unique cell constraint holds at every statement
        topic.room_id = topic.slot_id = None
    db.session.flush()
    for topic, entry in zip(topics, topic_entries, strict=True):
        _check_place(event_id, topic, entry.before)
        for name in (*_TOPIC_FIELDS, *_CELL_FIELDS):
            setattr(topic, name, entry.before.get(name))
        topic.withdrawn_at = utcnow() if topic.status == "withdrawn" else None
        topic.updated_at = utcnow()
    db.session.flush()
    for topic, before in zip(topics, befores, strict=True):
        log_step(
            event_id,
            actor=actor,
            action="undo",
            revision=revision,
            topic_id=topic.id,
            before=before,
            after=logged_topic(topic),
        )
    return topics, bool(event_entries)


def _unchanged_topic(event_id: int, entry: LogEntry) -> Topic:
    topic = db.session.get(Topic, entry.topic_id)
    if topic is None or topic.event_id != event_id:
        raise DomainError("conflict", _("A topic of this step no longer exists; it cannot be undone."))
    now = {k: v for k, v in logged_topic(topic).items() if k not in _STAMPS}
    then = {k: v for k, v in (entry.after or {}).items() if k not in _STAMPS}
    if now != then:
        raise DomainError(
            "conflict",
            _("“%(title)s” was changed after this step, so the step cannot be undone.", title=topic.title),
        )
    return topic


def _check_place(event_id: int, topic: Topic, before: dict[str, Any]) -> None:
    """The cell a topic returns to must still exist, be no break and be free."""
    room_id, slot_id = before.get("room_id"), before.get("slot_id")
    if room_id is None:
        return
    room, slot = db.session.get(Room, room_id), db.session.get(Slot, slot_id)
    if room is None or slot is None or room.event_id != event_id or slot.is_break:
        raise DomainError(
            "conflict", _("The place of “%(title)s” no longer exists; nothing was undone.", title=topic.title)
        )
    holder = db.session.scalar(select(Topic).where(Topic.room_id == room_id, Topic.slot_id == slot_id))
    if holder is not None:
        raise DomainError(
            "taken",
            _(
                "The place of “%(title)s” is now taken by “%(holder)s”; nothing was undone.",
                title=topic.title,
                holder=holder.title,
            ),
        )


def _revert_event(event_id: int, entry: LogEntry, *, actor: Actor, revision: int) -> None:
    row = db.session.get(Event, event_id)
    after, before = entry.after or {}, entry.before or {}
    now = {name: _plain(getattr(row, name)) for name in after}
    if now != {name: _plain(value) for name, value in after.items()}:
        raise DomainError("conflict", _("The wall's settings were changed after this step; it cannot be undone."))
    for name in after:
        setattr(row, name, before.get(name))
    db.session.flush()
    log_step(event_id, actor=actor, action="undo", revision=revision, before=after, after=before)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
