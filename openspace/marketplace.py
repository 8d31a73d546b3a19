"""The marketplace (pitch round): hosts present their topics one by one while the projector shows each large.

The queue is the wall's live topics in posting order, so topics pinned while it runs join its end. The
facilitator opens it, steps next / back, skips a topic whose host is not there yet (it comes again after
the topics posted so far), and closes it; "next" past the last topic closes it too. Closing keeps its place:
opening again resumes there (after the end, it starts over).

Opening unlocks a locked wall: the marketplace is when everyone pins their topic, so an organizer who opens
it expects posting to be open. Closing does not lock it again; that stays the organizer's own step.
Every step is one write transaction, one revision, one logged step and one `marketplace_updated` delta.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from .activity import log_step
from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .identity import Actor
from .models import Event, Topic
from .snapshot import event_dict, market_position, market_queue, marketplace_dict, topic_dict
from .wall import Change, bump_revision

ACTIONS = ("open", "next", "back", "skip", "close")


def _where(event: Event) -> dict[str, Any]:
    """What the log keeps of the marketplace's state."""
    return {"open": event.market_open, "topic_id": event.market_topic_id, "skipped": list(event.market_skipped)}


def _conflict(message: str) -> DomainError:
    return DomainError("conflict", message)


def step_marketplace(event: Event, *, actor: Actor, data: Any) -> Change:
    """Open, step through or close the marketplace: {"action": "open" | "next" | "back" | "skip" | "close"}."""
    actor.require_organizer(event.id)
    if not isinstance(data, dict):
        raise DomainError("bad_request", _("Expected a JSON object."))
    action = data.get("action")
    if action not in ACTIONS:
        raise DomainError(
            "invalid",
            _("Please check the marked fields."),
            fields={"action": _("One of: open, next, back, skip, close.")},
        )
    with write_transaction():
        revision = bump_revision(event.id)
        row = db.session.get(Event, event.id)
        topics = [
            topic_dict(t)
            for t in db.session.scalars(
                select(Topic).where(Topic.event_id == event.id, Topic.status == "live").order_by(Topic.id)
            )
        ]
        before = {**_where(row), "locked": row.locked, "lock_reason": row.lock_reason}
        if action == "open":
            _open(row, topics)
        elif not row.market_open:
            raise _conflict(_("The marketplace is not open. Open it first."))
        else:
            _STEPS[action](row, topics)
        db.session.flush()
        shown = marketplace_dict(row, topics)
        current = shown["current"]
        after = {**_where(row), "locked": row.locked, "lock_reason": row.lock_reason}
        log_step(
            event.id,
            actor=actor,
            action=f"market_{action}",
            revision=revision,
            topic_id=current["id"] if current else None,
            before=before,
            after=after,
        )
        unlocked = before["locked"] != after["locked"]
        public = event_dict(row) if unlocked else None
    return Change(event.id, revision, "marketplace_updated", event=public, parts={"marketplace": shown})


def _position(row: Event, topics: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    queue = market_queue(topics, row.market_skipped)
    return queue, min(market_position(queue, row.market_topic_id, row.market_skipped), len(queue))


def _open(row: Event, topics: list[dict[str, Any]]) -> None:
    if row.market_open:
        raise _conflict(_("The marketplace is already open."))
    queue, position = _position(row, topics)
    if position >= len(queue):  # never opened, or it ran to its end: start over
        row.market_topic_id, row.market_skipped = None, []
    else:
        row.market_topic_id = queue[position]["id"]
    row.market_open = True
    row.locked, row.lock_reason = False, None


def _next(row: Event, topics: list[dict[str, Any]]) -> None:
    queue, position = _position(row, topics)
    if position + 1 >= len(queue):  # past the last topic: the marketplace is over, the wall shows the grid
        row.market_open, row.market_topic_id, row.market_skipped = False, None, []
    else:
        row.market_topic_id = queue[position + 1]["id"]


def _back(row: Event, topics: list[dict[str, Any]]) -> None:
    queue, position = _position(row, topics)
    if position == 0:
        raise _conflict(_("This is the first topic: there is none before it."))
    row.market_topic_id = queue[position - 1]["id"]


def _skip(row: Event, topics: list[dict[str, Any]]) -> None:
    """Put the current topic back after every topic posted so far (its host may not be here yet)."""
    queue, position = _position(row, topics)
    if position >= len(queue):
        raise _conflict(_("There is no topic to skip."))
    if position == len(queue) - 1:
        raise _conflict(_("This is the last topic: nothing comes after it. “Next topic” ends the marketplace."))
    skipped_id = queue[position]["id"]
    newest = db.session.scalar(select(func.max(Topic.id)).where(Topic.event_id == row.id))
    row.market_skipped = [e for e in row.market_skipped if e[0] != skipped_id] + [[skipped_id, newest]]
    row.market_topic_id = market_queue(topics, row.market_skipped)[position]["id"]


def _close(row: Event, _topics: list[dict[str, Any]]) -> None:
    row.market_open = False  # keeps its place: opening again resumes there


_STEPS = {"next": _next, "back": _back, "skip": _skip, "close": _close}
