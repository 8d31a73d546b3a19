"""The only module that emits to sockets, and only after the change was committed."""

from __future__ import annotations

from .extensions import socketio
from .wall import Change


def event_room(event_id: int) -> str:
    """The Socket.IO room of one event's walls and phones."""
    return f"event-{event_id}"


def announce(change: Change | None) -> None:
    """Send a committed change to every client of its event as `wall_changed`."""
    if change is not None:
        socketio.emit("wall_changed", change.as_message(), to=event_room(change.event_id))
