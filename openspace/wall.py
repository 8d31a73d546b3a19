"""The wall: post, edit, move and withdraw topics (what it looks like: snapshot.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from .activity import log_step, logged_change, logged_topic
from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .fields import FieldErrors, clean_id, clean_request_id, clean_text, valid_id
from .identity import Actor
from .models import HOST_MAX, TEXT_MAX, TITLE_MAX, BlockedParticipant, Event, Room, Slot, Topic, utcnow
from .snapshot import marketplace_dict, topic_dict

TOPIC_FIELDS = ("title", "host", "goal", "context")


# Parts of the wall state a change may carry whole, each replacing the old one (the frame, the event's fields, …).
WHOLE_PARTS = ("event", "rooms", "slots", "announcements", "marketplace")


@dataclass(frozen=True)
class Change:
    """A committed change to one event's wall, as broadcast to its clients: one action, one revision, one delta."""

    event_id: int
    revision: int
    kind: str
    topic: dict[str, Any] | None = None
    topic_id: int | None = None
    event: dict[str, Any] | None = None  # the event's new public fields (lock, settings, name, dates)
    topics: list[dict[str, Any]] | None = None  # every topic one action changed (a swap's two, a bulk approval)
    removed: list[int] | None = None  # topics one action took off the wall (a bulk withdrawal, a merge)
    parts: dict[str, Any] | None = None  # other WHOLE_PARTS: "rooms", "slots", "announcements", "marketplace"

    def as_message(self) -> dict[str, Any]:
        """The `wall_changed` payload: the new revision and the delta."""
        change: dict[str, Any] = {"type": self.kind}
        for name in ("topic", "topic_id", "event", "topics", "removed"):
            value = getattr(self, name)
            if value is not None:
                change[name] = value
        change.update(self.parts or {})
        return {"revision": self.revision, "change": change}

    def topic_count(self) -> int:
        """How many topics this change put on, changed on or took off the wall."""
        single = (self.topic is not None) + (self.topic_id is not None)
        return single + len(self.topics or ()) + len(self.removed or ())


def topics_change(
    event_id: int, revision: int, topics: list[Topic], *, kind: str = "topics_updated", **parts: Any
) -> Change:
    """The one delta of an action that changed several topics: live ones are carried, the others removed.

    Called in the action's write transaction, so a running marketplace's queue is carried as it is now.
    """
    live = [topic_dict(t) for t in topics if t.status == "live"]
    gone = [t.id for t in topics if t.status != "live"]
    event = parts.pop("event", None)
    parts.update(market_parts(event_id) or {})
    return Change(event_id, revision, kind, topics=live, removed=gone or None, event=event, parts=parts or None)


def market_parts(event_id: int) -> dict[str, Any] | None:
    """In a write transaction that changed topics: the marketplace part while it runs (its queue is the live
    topics, so every topic change changes it), else None."""
    if not db.session.scalar(select(Event.market_open).where(Event.id == event_id)):
        return None
    event = db.session.get(Event, event_id)
    topics = db.session.scalars(
        select(Topic).where(Topic.event_id == event_id, Topic.status == "live").order_by(Topic.id)
    )
    return {"marketplace": marketplace_dict(event, [topic_dict(t) for t in topics])}


def apply_change(state: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    """The wall state after one `wall_changed` message (static/js/live.js applyChange is the same step)."""
    change = message["change"]
    applied = {**state, "revision": message["revision"]}
    for part in WHOLE_PARTS:
        if part in change:
            applied[part] = change[part]
    carried = change.get("topics") or ([change["topic"]] if "topic" in change else [])
    gone = {t["id"] for t in carried} | set(change.get("removed") or ())
    if "topic_id" in change:
        gone.add(change["topic_id"])
    if gone:
        topics = [t for t in state["topics"] if t["id"] not in gone] + carried
        applied["topics"] = sorted(topics, key=lambda t: t["id"])
    return applied


_EVENTS = Event.__table__
_BUMP = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("event_id"))
    .values(revision=_EVENTS.c.revision + 1)
    .returning(_EVENTS.c.revision, _EVENTS.c.locked, _EVENTS.c.lock_reason)
)


def _bump_revision(event_id: int, actor: Actor) -> int:
    """Increase the event's revision in the write transaction (row-locking it on PostgreSQL); refuse a locked wall.

    The lock is read in the same statement, so it is as fresh as the revision; a refusal rolls the bump back.
    """
    revision, locked, reason = db.session.execute(_BUMP, {"event_id": event_id}).one()
    if locked and not actor.is_organizer(event_id):
        raise _locked_error(reason)
    return revision


def bump_revision(event_id: int) -> int:
    """The next revision of an event's wall, for an organizer's change (a locked wall does not stop it)."""
    return db.session.execute(_BUMP, {"event_id": event_id}).one()[0]


_POSTING_RULES = (
    select(
        _EVENTS.c.revision,
        _EVENTS.c.locked,
        _EVENTS.c.lock_reason,
        _EVENTS.c.premoderation,
        _EVENTS.c.max_topics_per_participant,
    )
    .where(_EVENTS.c.id == bindparam("event_id"))
    .with_for_update()
)


def _locked_error(reason: str | None) -> DomainError:
    message = _("The wall is locked; only the organizers can change it now.")
    return DomainError("locked", f"{message} {reason}" if reason else message)


def _check_not_blocked(event_id: int, actor: Actor) -> None:
    """Refuse a participant key an organizer blocked on this event."""
    if actor.is_organizer(event_id):
        return
    if db.session.get(BlockedParticipant, (event_id, actor.author_hash)) is not None:
        raise DomainError("blocked", _("The organizers have stopped changes to the wall from this device."))


def _check_cap(event_id: int, actor: Actor, cap: int) -> None:
    """Refuse a participant's topic past the event's per-person cap (0: no cap); organizers post for others."""
    if cap == 0 or actor.is_organizer(event_id):
        return
    held = db.session.scalar(
        select(func.count())
        .select_from(Topic)
        .where(Topic.event_id == event_id, Topic.author_hash == actor.author_hash, Topic.status != "withdrawn")
    )
    if held >= cap:
        raise DomainError(
            "limit",
            _(
                "You have pinned %(count)d topics, the most this event allows per person. Withdraw one to pin another.",
                count=held,
            ),
        )


def _check_queue(event_id: int, *, pending: bool, queue_max: int | None) -> None:
    """Refuse a topic past the ceiling of the unplaced (or the approval) queue."""
    if queue_max is None:
        return
    waiting = Topic.status == "pending" if pending else (Topic.status == "live") & Topic.room_id.is_(None)
    count = db.session.scalar(select(func.count()).select_from(Topic).where(Topic.event_id == event_id, waiting))
    if count >= queue_max:
        raise DomainError(
            "full",
            _("The queue of waiting topics is full. Please choose a free place or try again later."),
        )


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
    from .counts import counted_topic  # counts.py builds on this module: imported when a refusal names a holder

    return DomainError(
        "taken",
        _(
            "This place was just taken by “%(title)s” (%(host)s). Please choose another one.",
            title=holder.title,
            host=holder.host,
        ),
        extra={"holder": counted_topic(holder.event_id, topic_dict(holder))},  # like every topic sent
    )


def _load_holder(event_id: int, room_id: int | None, slot_id: int | None) -> DomainError:
    """After a lost race: the refusal naming whoever holds the cell now."""
    holder = db.session.scalar(
        select(Topic).where(Topic.event_id == event_id, Topic.room_id == room_id, Topic.slot_id == slot_id)
    )
    if holder is None:
        return DomainError("taken", _("This place was just taken. Please choose another one."))
    return _taken(holder)


def post_topic(
    event: Event, *, actor: Actor, data: Any, queue_max: int | None = None
) -> tuple[dict[str, Any], Change | None]:
    """Pin a new topic into a free cell (or the unplaced queue); replays of one request_id return the first topic.

    Under pre-moderation a participant's topic waits, invisible on the wall, for an organizer's approval
    (its `status` is "pending", the cell it asked for kept aside); no wall change is announced for it then.
    """
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
                    return posted_dict(earlier), None
            rules = db.session.execute(_POSTING_RULES, {"event_id": event_id}).one()
            organizer = actor.is_organizer(event_id)
            if rules.locked and not organizer:
                raise _locked_error(rules.lock_reason)
            _check_not_blocked(event_id, actor)
            _check_cap(event_id, actor, rules.max_topics_per_participant)
            _check_cell(event_id, fields["room_id"], fields["slot_id"])
            pending = rules.premoderation and not organizer
            if pending or fields["room_id"] is None:
                _check_queue(event_id, pending=pending, queue_max=queue_max)
            topic = Topic(event_id=event_id, author_hash=actor.author_hash, request_id=request_id, **fields)
            if pending:
                topic.status = "pending"
                topic.wanted_room_id, topic.wanted_slot_id = topic.room_id, topic.slot_id
                topic.room_id = topic.slot_id = None
            revision = None if pending else bump_revision(event_id)
            db.session.add(topic)
            db.session.flush()
            log_step(
                event_id,
                actor=actor,
                action="submit" if pending else "post",
                revision=rules.revision if revision is None else revision,
                topic_id=topic.id,
                after=logged_topic(topic),
            )
            posted = posted_dict(topic)
            market = None if revision is None else market_parts(event_id)
    except IntegrityError:
        earlier = request_id and db.session.scalar(
            select(Topic).where(Topic.event_id == event_id, Topic.request_id == request_id)
        )
        if earlier:
            return posted_dict(earlier), None
        raise _load_holder(event_id, fields["room_id"], fields["slot_id"]) from None
    if revision is None:
        return posted, None
    return posted, Change(event_id, revision, "topic_posted", topic=posted, parts=market)


def posted_dict(topic: Topic) -> dict[str, Any]:
    """What the poster is told: the topic's public fields, and whether it waits for approval (and where)."""
    shown = topic_dict(topic)
    if topic.status != "live":
        shown.update(status=topic.status, room_id=topic.wanted_room_id, slot_id=topic.wanted_slot_id)
    return shown


def _editable_topic(event_id: int, actor: Actor, topic_id: Any) -> Topic:
    topic = db.session.get(Topic, topic_id) if valid_id(topic_id) is not None else None
    if topic is None or topic.event_id != event_id or topic.status != "live":
        raise DomainError("not_found", _("This topic does not exist (any more)."))
    if not (actor.owns(topic.author_hash) or actor.is_organizer(event_id)):
        raise DomainError("forbidden", _("Only the topic's host or the organizers can change it."))
    _check_not_blocked(event_id, actor)
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
                moves = (fields["room_id"], fields["slot_id"]) != (topic.room_id, topic.slot_id)
                if moves and topic.pinned and not actor.is_organizer(event_id):
                    raise DomainError(
                        "forbidden", _("The organizers pinned this topic to its place; only they move it.")
                    )
                _check_cell(event_id, fields["room_id"], fields["slot_id"], moving=topic)
            with logged_change(topic, actor=actor, action="edit", revision=revision) as step:
                for name, value in fields.items():
                    setattr(topic, name, value)
                topic.updated_at = utcnow()
                db.session.flush()
                updated, before = topic_dict(topic), step["before"]
                moved = (before["room_id"], before["slot_id"]) != (topic.room_id, topic.slot_id)
                if moved and all(before[name] == updated[name] for name in TOPIC_FIELDS):
                    step["action"] = "move"
            market = market_parts(event_id)
    except IntegrityError:
        raise _load_holder(event_id, fields.get("room_id"), fields.get("slot_id")) from None
    return updated, Change(event_id, revision, "topic_updated", topic=updated, parts=market)


def withdraw_topic(event: Event, *, actor: Actor, topic_id: Any) -> Change:
    """Take a topic off the wall, freeing its cell; it is kept (withdrawn) so organizers can restore it."""
    event_id = event.id
    with write_transaction():
        topic = _editable_topic(event_id, actor, topic_id)
        revision = _bump_revision(event_id, actor)
        change = withdraw(topic, actor=actor, revision=revision)
        return replace(change, parts=market_parts(event_id))


def withdraw(
    topic: Topic, *, actor: Actor, revision: int, action: str = "withdraw", merged_into: int | None = None
) -> Change:
    """In a write transaction: mark a live or pending topic withdrawn, remembering its cell (and the topic it was
    merged into), and log it."""
    with logged_change(topic, actor=actor, action=action, revision=revision):
        topic.merged_into_id = merged_into
        if topic.status == "live":
            topic.wanted_room_id, topic.wanted_slot_id = topic.room_id, topic.slot_id
        topic.room_id = topic.slot_id = None
        topic.status = "withdrawn"
        topic.withdrawn_at = utcnow()
    return Change(topic.event_id, revision, "topic_withdrawn", topic_id=topic.id)
