"""The only module that emits to sockets, and only after the change was committed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .counts import counted_marketplace, counted_topic
from .extensions import socketio
from .wall import Change


def event_room(event_id: int) -> str:
    """The Socket.IO room of one event's walls and phones."""
    return f"event-{event_id}"


def organizer_room(event_id: int) -> str:
    """The Socket.IO room of one event's organizer pages (rights checked when they join)."""
    return f"event-{event_id}-organizers"


def announce(change: Change | None) -> None:
    """Send a committed change to every client of its event as `wall_changed` (its topics with their counts)."""
    if change is not None:
        socketio.emit("wall_changed", _counted(change.as_message(), change.event_id), to=event_room(change.event_id))


def _counted(message: dict[str, Any], event_id: int) -> dict[str, Any]:
    """The message with `interest` in every topic it carries, from the counts this process holds."""
    delta = message["change"]
    if "topic" in delta:
        delta["topic"] = counted_topic(event_id, delta["topic"])
    if "topics" in delta:
        delta["topics"] = [counted_topic(event_id, t) for t in delta["topics"]]
    if "marketplace" in delta:
        delta["marketplace"] = counted_marketplace(event_id, delta["marketplace"])
    return message


def announce_counts(event_id: int, message: dict[str, Any]) -> None:
    """Send changed interest counts and headcounts as `counts_changed` (coalesced in counts.py; no revision)."""
    socketio.emit("counts_changed", message, to=event_room(event_id))


def announce_all(changes: Iterable[Change]) -> None:
    """Send the changes of one action in revision order."""
    for change in changes:
        announce(change)


def announce_moderation(event_id: int, state: dict[str, Any]) -> None:
    """Send the organizers' moderation panel its new state as `moderation_changed`."""
    socketio.emit("moderation_changed", state, to=organizer_room(event_id))
