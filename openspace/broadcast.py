"""The only module that emits to sockets, and only after the change was committed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .extensions import socketio
from .wall import Change


def event_room(event_id: int) -> str:
    """The Socket.IO room of one event's walls and phones."""
    return f"event-{event_id}"


def organizer_room(event_id: int) -> str:
    """The Socket.IO room of one event's organizer pages (rights checked when they join)."""
    return f"event-{event_id}-organizers"


def announce(change: Change | None) -> None:
    """Send a committed change to every client of its event as `wall_changed`."""
    if change is not None:
        socketio.emit("wall_changed", change.as_message(), to=event_room(change.event_id))


def announce_all(changes: Iterable[Change]) -> None:
    """Send the changes of one action in revision order."""
    for change in changes:
        announce(change)


def announce_moderation(event_id: int, state: dict[str, Any]) -> None:
    """Send the organizers' moderation panel its new state as `moderation_changed`."""
    socketio.emit("moderation_changed", state, to=organizer_room(event_id))
