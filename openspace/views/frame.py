"""The frame editor over JSON: the event's fields, its rooms and its slots (docs/api.md, "Frame")."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from ..frame import add_room, add_slot, moved_dicts, remove_room, remove_slot, update_event, update_room, update_slot
from ..wall import Change
from .api import _event, _json_body, write_limits
from .moderation import _done
from .people import current_actor

bp = Blueprint("frame", __name__, url_prefix="/api/events/<slug>")


def _framed(event: Any, change: Change, *, created: dict[str, Any] | None = None, name: str = "") -> Response:
    """Announce a frame change; answer with the new frame and the topics it sent to the unplaced queue."""
    extra: dict[str, Any] = {"unplaced": moved_dicts(change), "frame": {"event": change.event, **(change.parts or {})}}
    if created is not None:
        extra[name] = created
    response = _done(event, [change], **extra)
    if created is not None:
        response.status_code = 201
    return response


@bp.patch("")
@write_limits
def patch_event(slug: str) -> Response:
    """Change name, description, starts_on, ends_on, timezone, language or venue."""
    event = _event(slug)
    return _framed(event, update_event(event, actor=current_actor(), data=_json_body()))


@bp.post("/rooms")
@write_limits
def post_room(slug: str) -> Response:
    """Add a room: {"name", "capacity"?, "location"?, "position"?}."""
    event = _event(slug)
    room, change = add_room(event, actor=current_actor(), data=_json_body())
    return _framed(event, change, created=room, name="room")


@bp.patch("/rooms/<id:room_id>")
@write_limits
def patch_room(slug: str, room_id: int) -> Response:
    """Rename, resize, relocate or reorder a room."""
    event = _event(slug)
    return _framed(event, update_room(event, actor=current_actor(), room_id=room_id, data=_json_body()))


@bp.delete("/rooms/<id:room_id>")
@write_limits
def delete_room(slug: str, room_id: int) -> Response:
    """Remove a room; its topics go to the unplaced queue."""
    event = _event(slug)
    return _framed(event, remove_room(event, actor=current_actor(), room_id=room_id))


@bp.post("/slots")
@write_limits
def post_slot(slug: str) -> Response:
    """Add a slot: {"starts_at", "ends_at", "label"?, "is_break"?} in the event's local time."""
    event = _event(slug)
    slot, change = add_slot(event, actor=current_actor(), data=_json_body())
    return _framed(event, change, created=slot, name="slot")


@bp.patch("/slots/<id:slot_id>")
@write_limits
def patch_slot(slug: str, slot_id: int) -> Response:
    """Move a slot in time, relabel it, or make it a break (its topics go to the unplaced queue)."""
    event = _event(slug)
    return _framed(event, update_slot(event, actor=current_actor(), slot_id=slot_id, data=_json_body()))


@bp.delete("/slots/<id:slot_id>")
@write_limits
def delete_slot(slug: str, slot_id: int) -> Response:
    """Remove a slot; its topics go to the unplaced queue."""
    event = _event(slug)
    return _framed(event, remove_slot(event, actor=current_actor(), slot_id=slot_id))
