"""Organizer moderation: lock the wall, pre-moderate, withdraw in bulk, block a device, restore.

Every action here is an organizer's, checked against the server's state on each call, and one write
transaction: a refused action changes nothing. Nothing is deleted: withdrawn topics stay for restoring and
the activity log; blocking stores only the hash of a participant key, never who it is.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from .activity import log_step, logged_change, logged_topic
from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .fields import FieldErrors, clean_text, valid_id
from .identity import Actor
from .models import REASON_MAX, TEXT_MAX, BlockedParticipant, Event, Room, Slot, Topic, utcnow
from .snapshot import event_dict, topic_dict
from .wall import Change, bump_revision, market_parts, posted_dict, topics_change, withdraw

BULK_MAX = 500  # topics in one bulk action: a whole flood, in one request of a few kilobytes
CAP_MAX = 100
WITHDRAWN_SHOWN = 100


def clean_topic_ids(value: Any) -> list[int]:
    """A list of 1..BULK_MAX topic ids (JSON integers or ASCII digit strings), duplicates dropped."""
    if not isinstance(value, list) or not 0 < len(value) <= BULK_MAX:
        raise DomainError(
            "invalid", _("Expected a list of 1 to %(max)d topic ids.", max=BULK_MAX), fields={"topic_ids": "list"}
        )
    ids = [valid_id(item) for item in value]
    if None in ids:
        raise DomainError("invalid", _("Expected a list of 1 to %(max)d topic ids.", max=BULK_MAX))
    return list(dict.fromkeys(ids))


def _topics(event_id: int, ids: list[int], statuses: set[str]) -> list[Topic]:
    """The topics of this event with these ids, in that order; refuses the whole action if one is missing."""
    rows = {t.id: t for t in db.session.scalars(select(Topic).where(Topic.id.in_(ids), Topic.event_id == event_id))}
    if any(rows.get(i) is None or rows[i].status not in statuses for i in ids):
        raise DomainError("not_found", _("This topic does not exist (any more)."))
    return [rows[i] for i in ids]


def _free_cell(topic: Topic) -> tuple[int | None, int | None]:
    """The cell a topic asked for or had, if it still exists, is no break and is free; else unplaced."""
    room_id, slot_id = topic.wanted_room_id, topic.wanted_slot_id
    if room_id is None or slot_id is None:
        return None, None
    room, slot = db.session.get(Room, room_id), db.session.get(Slot, slot_id)
    if room is None or slot is None or slot.is_break or room.event_id != topic.event_id:
        return None, None
    holder = db.session.scalar(select(Topic.id).where(Topic.room_id == room_id, Topic.slot_id == slot_id))
    return (None, None) if holder is not None else (room_id, slot_id)


def _make_live(topic: Topic, *, actor: Actor, action: str, revision: int) -> None:
    """In a write transaction: put a pending or withdrawn topic on the wall, into its cell if still free."""
    with logged_change(topic, actor=actor, action=action, revision=revision):
        topic.room_id, topic.slot_id = _free_cell(topic)
        topic.status = "live"
        topic.withdrawn_at = None
        topic.merged_into_id = None
        topic.updated_at = utcnow()


def _bring_back(event: Event, *, actor: Actor, topic_ids: Any, status: str, action: str) -> list[Change]:
    actor.require_organizer(event.id)
    ids = clean_topic_ids(topic_ids)
    with write_transaction():
        topics = _topics(event.id, ids, {status})
        revision = bump_revision(event.id)
        for topic in topics:
            _make_live(topic, actor=actor, action=action, revision=revision)
        return [topics_change(event.id, revision, topics)]


def approve_topics(event: Event, *, actor: Actor, topic_ids: Any) -> list[Change]:
    """Put pending topics on the wall, each into the cell it asked for if still free, else unplaced."""
    return _bring_back(event, actor=actor, topic_ids=topic_ids, status="pending", action="approve")


def restore_topics(event: Event, *, actor: Actor, topic_ids: Any) -> list[Change]:
    """Bring withdrawn topics back: to their cell if it is still free, else to the unplaced queue."""
    return _bring_back(event, actor=actor, topic_ids=topic_ids, status="withdrawn", action="restore")


def withdraw_topics(event: Event, *, actor: Actor, topic_ids: Any) -> list[Change]:
    """Withdraw many live or pending topics at once (a flood, a rejected batch); each can be restored."""
    actor.require_organizer(event.id)
    ids = clean_topic_ids(topic_ids)
    with write_transaction():
        return _withdraw_all(event.id, _topics(event.id, ids, {"live", "pending"}), actor=actor, action="withdraw")


def _withdraw_all(event_id: int, topics: list[Topic], *, actor: Actor, action: str) -> list[Change]:
    """Withdraw topics in one step: one revision and one delta if any was on the wall (pending ones are not).

    A pending topic withdrawn is logged as rejected: it never was on the wall, so undo leaves it to restore.
    """
    live = [t for t in topics if t.status == "live"]
    revision = bump_revision(event_id) if live else db.session.get(Event, event_id).revision
    for topic in topics:
        step = action if topic.status == "live" or action != "withdraw" else "reject"
        withdraw(topic, actor=actor, revision=revision, action=step)
    return [topics_change(event_id, revision, live)] if live else []


def block_author(event: Event, *, actor: Actor, topic_id: Any) -> list[Change]:
    """Withdraw every live or pending topic of the device that posted this one, and block that device here."""
    actor.require_organizer(event.id)
    with write_transaction():
        author_hash = _author_of(event.id, topic_id)
        if db.session.get(BlockedParticipant, (event.id, author_hash)) is None:
            db.session.add(BlockedParticipant(event_id=event.id, author_hash=author_hash))
        topics = db.session.scalars(
            select(Topic)
            .where(Topic.event_id == event.id, Topic.author_hash == author_hash, Topic.status != "withdrawn")
            .order_by(Topic.id)
        ).all()
        return _withdraw_all(event.id, list(topics), actor=actor, action="block")


def unblock_author(event: Event, *, actor: Actor, topic_id: Any) -> None:
    """Let the device that posted this topic change the wall again (its withdrawn topics stay withdrawn)."""
    actor.require_organizer(event.id)
    with write_transaction():
        author_hash = _author_of(event.id, topic_id)
        blocked = db.session.get(BlockedParticipant, (event.id, author_hash))
        if blocked is None:
            raise DomainError("not_found", _("This device is not blocked."))
        db.session.delete(blocked)
        log_step(event.id, actor=actor, action="unblock", revision=event.revision, topic_id=valid_id(topic_id))


def _author_of(event_id: int, topic_id: Any) -> str:
    topic = db.session.get(Topic, topic_id) if valid_id(topic_id) is not None else None
    if topic is None or topic.event_id != event_id:
        raise DomainError("not_found", _("This topic does not exist (any more)."))
    return topic.author_hash


def swap_topics(event: Event, *, actor: Actor, topic_id: Any, other_id: Any) -> Change:
    """Exchange the cells of two live topics (one may be unplaced) in one step: never one topic in two cells."""
    actor.require_organizer(event.id)
    first_id, second_id = valid_id(topic_id), valid_id(other_id)
    if first_id is None or second_id is None or first_id == second_id:
        raise DomainError("invalid", _("Choose two different topics to swap."), fields={"other_id": "id"})
    with write_transaction():
        first, second = _topics(event.id, [first_id, second_id], {"live"})
        revision = bump_revision(event.id)
        before = [logged_topic(first), logged_topic(second)]
        cells = (first.room_id, first.slot_id), (second.room_id, second.slot_id)
        first.room_id = first.slot_id = None  # the unique cell constraint holds at every statement
        db.session.flush()
        second.room_id, second.slot_id = cells[0]
        db.session.flush()
        first.room_id, first.slot_id = cells[1]
        first.updated_at = second.updated_at = utcnow()
        db.session.flush()
        for old, topic in zip(before, (first, second), strict=True):
            log_step(
                event.id,
                actor=actor,
                action="swap",
                revision=revision,
                topic_id=topic.id,
                before=old,
                after=logged_topic(topic),
            )
        shown = [topic_dict(first), topic_dict(second)]
        market = market_parts(event.id)
    return Change(event.id, revision, "topics_updated", topics=shown, parts=market)


def merge_topics(event: Event, *, actor: Actor, topic_id: Any, into_id: Any) -> Change:
    """Merge a topic into another on the same subject: the other stays; this one's host becomes its co-host,
    and this one's title, goal and context are kept in the other's text. This one is withdrawn (restorable,
    and undoable) with a note of where it went."""
    actor.require_organizer(event.id)
    merged_id, kept_id = valid_id(topic_id), valid_id(into_id)
    if merged_id is None or kept_id is None or merged_id == kept_id:
        raise DomainError("invalid", _("Choose two different topics to merge."), fields={"into_id": "id"})
    with write_transaction():
        merged, kept = _topics(event.id, [merged_id, kept_id], {"live"})
        texts = {name: _merged_text(getattr(kept, name), merged, getattr(merged, name)) for name in ("goal", "context")}
        too_long = {
            name: _("The merged text would be longer than %(max)d characters.", max=TEXT_MAX)
            for name, text in texts.items()
            if len(text) > TEXT_MAX
        }
        if too_long:
            raise DomainError("invalid", _("Shorten the goal or context of one topic before merging."), fields=too_long)
        revision = bump_revision(event.id)
        with logged_change(kept, actor=actor, action="merge", revision=revision):
            hosts = [kept.host, *kept.cohosts, merged.host, *merged.cohosts]
            kept.cohosts = [h for h in dict.fromkeys(hosts) if h != kept.host]
            kept.goal, kept.context = texts["goal"], texts["context"]
            kept.updated_at = utcnow()
        withdraw(merged, actor=actor, revision=revision, action="merge", merged_into=kept.id)
        return topics_change(event.id, revision, [kept, merged])


def _merged_text(kept: str, merged: Topic, text: str) -> str:
    """The kept topic's goal or context with the merged topic's after it, under that topic's title."""
    if not text:
        return kept
    addition = f"{merged.title} ({merged.host}): {text}"
    return f"{kept}\n\n{addition}" if kept else addition


def pin_topic(event: Event, *, actor: Actor, topic_id: Any, pinned: bool) -> Change:
    """Pin a live topic to its place (its host may still edit the text, but not move it), or unpin it."""
    actor.require_organizer(event.id)
    with write_transaction():
        [topic] = _topics(event.id, [valid_id(topic_id) or 0], {"live"})
        revision = bump_revision(event.id)
        with logged_change(topic, actor=actor, action="pin" if pinned else "unpin", revision=revision):
            topic.pinned = pinned
            topic.updated_at = utcnow()
        shown = topic_dict(topic)
        market = market_parts(event.id)
    return Change(event.id, revision, "topic_updated", topic=shown, parts=market)


def _flag(errors: FieldErrors, data: dict[str, Any], name: str) -> bool | None:
    value = data.get(name)
    if not isinstance(value, bool):
        errors.add(name, _("Must be true or false."))
        return None
    return value


def set_lock(event: Event, *, actor: Actor, data: Any) -> Change:
    """Lock the wall (only organizers change it, with an optional reason everyone sees) or open it again."""
    actor.require_organizer(event.id)
    if not isinstance(data, dict):
        raise DomainError("bad_request", _("Expected a JSON object."))
    errors = FieldErrors()
    locked = _flag(errors, data, "locked")
    reason = clean_text(errors, data, "reason", max_length=REASON_MAX)
    errors.raise_if_any()
    return _change_event(
        event,
        actor=actor,
        action="lock" if locked else "unlock",
        locked=locked,
        lock_reason=(reason or None) if locked else None,
    )


def update_settings(event: Event, *, actor: Actor, data: Any) -> Change:
    """Change the posting rules: pre-moderation on or off, and the cap on topics per participant (0: none)."""
    actor.require_organizer(event.id)
    if not isinstance(data, dict) or not data or set(data) - {"premoderation", "max_topics_per_participant"}:
        raise DomainError("bad_request", _("Expected premoderation and/or max_topics_per_participant."))
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if "premoderation" in data:
        values["premoderation"] = _flag(errors, data, "premoderation")
    if "max_topics_per_participant" in data:
        cap = data["max_topics_per_participant"]
        if isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= CAP_MAX:
            errors.add("max_topics_per_participant", _("A whole number from 0 to %(max)d.", max=CAP_MAX))
        values["max_topics_per_participant"] = cap
    errors.raise_if_any()
    return _change_event(event, actor=actor, action="settings", **values)


def _change_event(event: Event, *, actor: Actor, action: str, **values: Any) -> Change:
    with write_transaction():
        revision = bump_revision(event.id)
        row = db.session.get(Event, event.id)
        before = {name: getattr(row, name) for name in values}
        for name, value in values.items():
            setattr(row, name, value)
        db.session.flush()
        log_step(event.id, actor=actor, action=action, revision=revision, before=before, after=values)
        public = event_dict(row)
    return Change(event.id, revision, "event_updated", event=public)


def moderation_state(event: Event) -> dict[str, Any]:
    """What the organizers' moderation panel shows: posting rules, topics waiting, withdrawn ones, blocks."""
    row = db.session.get(Event, event.id)
    db.session.refresh(row)
    pending = db.session.scalars(
        select(Topic).where(Topic.event_id == event.id, Topic.status == "pending").order_by(Topic.id)
    )
    withdrawn = db.session.scalars(
        select(Topic)
        .where(Topic.event_id == event.id, Topic.status == "withdrawn")
        .order_by(Topic.withdrawn_at.desc(), Topic.id.desc())
        .limit(WITHDRAWN_SHOWN)
    )
    blocked = set(
        db.session.scalars(select(BlockedParticipant.author_hash).where(BlockedParticipant.event_id == event.id))
    )

    def shown(topic: Topic) -> dict[str, Any]:
        return {**posted_dict(topic), "author_blocked": topic.author_hash in blocked}

    return {
        "settings": {
            "locked": row.locked,
            "lock_reason": row.lock_reason,
            "premoderation": row.premoderation,
            "max_topics_per_participant": row.max_topics_per_participant,
        },
        "pending": [shown(t) for t in pending],
        "withdrawn": [shown(t) for t in withdrawn],
        "blocked": len(blocked),
    }


def log_organizer_step(event: Event, *, actor: Actor, action: str) -> None:
    """Log an organizer action that changes nothing on the wall (a new organizer link)."""
    with write_transaction():
        log_step(event.id, actor=actor, action=action, revision=db.session.get(Event, event.id).revision)
