"""Apply a whole-wall proposal: exactly the moves an organizer accepted, in one step, or nothing at all.

The moves come from `GET …/proposal` (computed on one revision of the wall); between computing and applying,
anyone may have changed the wall. So each move names where its topic was (`from`) and where it goes (`to`), and
the whole set is refused (409 `changed`) when a topic is no longer where the proposal found it or a target cell
is now held by a topic outside the set. Moves inside the set may exchange cells or go round in a cycle: every
cell is freed first, so the unique cell constraint holds at every statement, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .activity import log_step, logged_topic
from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .identity import Actor
from .models import Event, Room, Slot, Topic, utcnow
from .moderation import BULK_MAX
from .wall import Change, bump_revision, topics_change

Cell = tuple[int | None, int | None]


def _shape_error(fields: dict[str, str]) -> DomainError:
    return DomainError("bad_request", _("Expected moves as the proposal lists them."), fields=fields)


def _id(value: Any) -> int | None:
    """A JSON integer id (1 .. 2**31-1), else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        return None
    return value


def _cell(value: Any, *, unplaced: bool) -> Cell | None:
    """{"room_id", "slot_id"} as a pair of ids ((None, None) for the unplaced queue if allowed: null or both
    null); None if bad."""
    if unplaced and value is None:
        return None, None
    if not isinstance(value, dict) or set(value) != {"room_id", "slot_id"}:
        return None
    room, slot = value["room_id"], value["slot_id"]
    if unplaced and room is None and slot is None:
        return None, None
    room_id, slot_id = _id(room), _id(slot)
    return None if room_id is None or slot_id is None else (room_id, slot_id)


def clean_moves(data: Any) -> list[tuple[int, Cell, Cell]]:
    """[(topic_id, from, to)] from {"moves": [...]}; a bad shape is a 400 naming the first bad move's field."""
    if not isinstance(data, dict) or set(data) - {"moves", "revision"}:
        raise _shape_error({"moves": _("Expected a JSON object with a list of moves.")})
    moves = data.get("moves")
    if not isinstance(moves, list) or not 0 < len(moves) <= BULK_MAX:
        raise _shape_error({"moves": _("Expected a list of 1 to %(max)d moves.", max=BULK_MAX)})
    cleaned: list[tuple[int, Cell, Cell]] = []
    for index, move in enumerate(moves):
        if not isinstance(move, dict) or set(move) - {"topic_id", "title", "from", "to", "reasons"}:
            raise _shape_error({f"moves.{index}": _("Expected topic_id, from and to.")})
        topic_id = _id(move.get("topic_id"))
        if topic_id is None:
            raise _shape_error({f"moves.{index}.topic_id": _("Expected a topic id.")})
        source = _cell(move.get("from"), unplaced=True)
        if source is None:
            raise _shape_error({f"moves.{index}.from": _("Expected a room_id and a slot_id, or both null.")})
        target = _cell(move.get("to"), unplaced=False)
        if target is None:
            raise _shape_error({f"moves.{index}.to": _("Expected a room_id and a slot_id.")})
        if source == target:
            raise _shape_error({f"moves.{index}.to": _("This move does not change the topic's place.")})
        cleaned.append((topic_id, source, target))
    if len({m[0] for m in cleaned}) != len(cleaned):
        raise _shape_error({"moves": _("A topic is moved more than once.")})
    if len({m[2] for m in cleaned}) != len(cleaned):
        raise _shape_error({"moves": _("Two moves go to the same place.")})
    return cleaned


def _changed(message: str) -> DomainError:
    return DomainError("changed", message)


def _check_targets(event_id: int, moves: list[tuple[int, Cell, Cell]]) -> None:
    """Every target is a cell of this event and no break (else the request was not a proposal: 400)."""
    rooms = {r.id: r for r in db.session.scalars(select(Room).where(Room.event_id == event_id))}
    slots = {s.id: s for s in db.session.scalars(select(Slot).where(Slot.event_id == event_id))}
    for index, (_topic_id, _source, (room_id, slot_id)) in enumerate(moves):
        if room_id not in rooms or slot_id not in slots:
            raise _shape_error({f"moves.{index}.to": _("This room or slot does not exist.")})
        if slots[slot_id].is_break:
            raise _shape_error({f"moves.{index}.to": _("This time is a break: no topics are placed there.")})


def apply_proposal(event: Event, *, actor: Actor, data: Any) -> tuple[Change, list[int]]:
    """Move the topics as listed, in one revision with one delta and one undoable step; returns the change and
    the moved topic ids. Refuses the whole set, changing nothing, if the wall is not as the proposal saw it."""
    actor.require_organizer(event.id)
    moves = clean_moves(data)
    ids = [topic_id for topic_id, _source, _target in moves]
    try:
        with write_transaction():
            revision = bump_revision(event.id)  # first: on PostgreSQL this locks the event's row for the whole step
            _check_targets(event.id, moves)
            rows = {t.id: t for t in db.session.scalars(select(Topic).where(Topic.id.in_(ids)))}
            topics: list[Topic] = []
            for topic_id, source, _target in moves:
                topic = rows.get(topic_id)
                if topic is None or topic.event_id != event.id:
                    raise DomainError("not_found", _("This topic does not exist (any more)."))
                if topic.status != "live" or (topic.room_id, topic.slot_id) != source:
                    raise _changed(
                        _("“%(title)s” was moved or taken off the wall since the proposal.", title=topic.title)
                    )
                if topic.pinned:
                    raise DomainError(
                        "pinned", _("“%(title)s” is pinned to its place; unpin it first.", title=topic.title)
                    )
                topics.append(topic)
            targets = {target for _topic_id, _source, target in moves}
            holders = db.session.execute(
                select(Topic.id, Topic.title, Topic.room_id, Topic.slot_id).where(
                    Topic.event_id == event.id, Topic.room_id.is_not(None), Topic.id.not_in(ids)
                )
            ).all()
            for holder in holders:
                if (holder.room_id, holder.slot_id) in targets:
                    raise _changed(
                        _("A place of the proposal is now held by “%(title)s”.", title=holder.title),
                    )
            befores = [logged_topic(t) for t in topics]
            for topic in topics:  # free every cell first: swaps and cycles inside the set never collide
                topic.room_id = topic.slot_id = None
            db.session.flush()
            now = utcnow()
            for topic, (_topic_id, _source, (room_id, slot_id)) in zip(topics, moves, strict=True):
                topic.room_id, topic.slot_id = room_id, slot_id
                topic.updated_at = now
            db.session.flush()
            for topic, before in zip(topics, befores, strict=True):
                log_step(
                    event.id,
                    actor=actor,
                    action="move",
                    revision=revision,
                    topic_id=topic.id,
                    before=before,
                    after=logged_topic(topic),
                )
            change = topics_change(event.id, revision, topics)
    except IntegrityError:  # a participant took a target cell between our check and our write
        raise _changed(_("A place of the proposal was just taken; nothing was moved.")) from None
    return change, ids
