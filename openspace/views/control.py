"""The organizers' control room over JSON: announcements and the marketplace (documented in docs/api.md)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ..announcements import post_announcement, remove_announcement
from ..broadcast import announce, announce_moderation
from ..counts import counted_marketplace
from ..marketplace import step_marketplace
from ..moderation import moderation_state
from .api import _event, _json_body, write_limits
from .people import current_actor

bp = Blueprint("control", __name__, url_prefix="/api/events/<slug>")


@bp.post("/announcements")
@write_limits
def add_announcement(slug: str) -> tuple[Response, int]:
    """Pin an announcement: {"text": "…", "until": "2026-02-27T10:30" | "10:30" | null}; 201 with it."""
    event = _event(slug)
    shown, change = post_announcement(event, actor=current_actor(), data=_json_body())
    announce(change)
    return jsonify({"ok": True, "announcement": shown, "revision": change.revision}), 201


@bp.delete("/announcements/<id:announcement_id>")
@write_limits
def delete_announcement(slug: str, announcement_id: int) -> Response:
    """Take an announcement down."""
    event = _event(slug)
    change = remove_announcement(event, actor=current_actor(), announcement_id=announcement_id)
    announce(change)
    return jsonify({"ok": True, "revision": change.revision})


@bp.post("/marketplace")
@write_limits
def marketplace(slug: str) -> Response:
    """One marketplace step: {"action": "open" | "next" | "back" | "skip" | "close"}."""
    event = _event(slug)
    body: Any = _json_body()
    change = step_marketplace(event, actor=current_actor(), data=body)
    announce(change)
    if change.event is not None:  # opening unlocked the wall: the moderation panels show it open
        announce_moderation(event.id, moderation_state(event))
    market = counted_marketplace(event.id, change.parts["marketplace"])
    return jsonify({"ok": True, "revision": change.revision, "marketplace": market})
