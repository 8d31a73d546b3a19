"""The activity log: every change to a wall, by whom (organizer or participant, never a person), before and after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from .extensions import db
from .identity import Actor
from .models import LogEntry, Topic
from .snapshot import topic_dict


def logged_topic(topic: Topic) -> dict[str, Any]:
    """What the log keeps of a topic: its public fields, its status and the cell it asked for or had."""
    return {
        **topic_dict(topic),
        "status": topic.status,
        "wanted_room_id": topic.wanted_room_id,
        "wanted_slot_id": topic.wanted_slot_id,
        "merged_into_id": topic.merged_into_id,
    }


def log_step(
    event_id: int,
    *,
    actor: Actor,
    action: str,
    revision: int,
    topic_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record one step in the current write transaction, so the log and the change commit together."""
    db.session.add(
        LogEntry(
            event_id=event_id,
            revision=revision,
            actor="organizer" if actor.is_organizer(event_id) else "participant",
            action=action,
            topic_id=topic_id,
            before=before,
            after=after,
        )
    )


@contextmanager
def logged_change(topic: Topic, *, actor: Actor, action: str, revision: int) -> Iterator[dict[str, Any]]:
    """Around a change to one topic, in its write transaction: log the topic as it was and as it is after.

    The block may still name the step: `step["action"]` (a move or an edit is told only afterwards);
    `step["before"]` is the topic as it was.
    """
    step: dict[str, Any] = {"action": action, "before": logged_topic(topic)}
    yield step
    db.session.flush()
    log_step(
        topic.event_id,
        actor=actor,
        action=step["action"],
        revision=revision,
        topic_id=topic.id,
        before=step["before"],
        after=logged_topic(topic),
    )


def recent_steps(event_id: int, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest steps of an event's log, newest first."""
    rows = db.session.scalars(
        select(LogEntry).where(LogEntry.event_id == event_id).order_by(LogEntry.id.desc()).limit(limit)
    )
    return [
        {
            "id": row.id,
            "at": row.at.isoformat() + "Z",
            "revision": row.revision,
            "actor": row.actor,
            "action": row.action,
            "topic_id": row.topic_id,
            "before": row.before,
            "after": row.after,
            "undone": row.undone,
        }
        for row in rows
    ]
