"""Interest marks, check-ins and the room page a door sign's QR code opens (documented in docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template

from .. import counts as tallies
from ..counts import check_in, headcounts, interest_counts, mark_interest, state_slot_id
from ..extensions import db, limiter
from ..models import Room
from ..snapshot import snapshot_of
from .api import _event
from .pages import _qr_response, load_event, public_url
from .people import client_address, current_actor, ensure_participant

bp = Blueprint("counts", __name__)


def _taps_limit() -> str:
    return current_app.config["RATE_LIMIT_TAPS"]


def _taps_address_limit() -> str:
    return current_app.config["RATE_LIMIT_TAPS_PER_ADDRESS"]


def tap_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """Per participant, like posts (their own budget, so marking topics never uses up posting), plus a ceiling per
    address that a venue's phones behind one NAT stay under."""
    per_participant = limiter.shared_limit(_taps_limit, scope="taps")
    per_address = limiter.shared_limit(_taps_address_limit, scope="taps-address", key_func=client_address)
    return per_participant(per_address(view))


@bp.post("/api/events/<slug>/topics/<id:topic_id>/interest")
@tap_limits
def add_interest(slug: str, topic_id: int) -> Response:
    """Mark the caller's interest in a topic (idempotent)."""
    return jsonify(mark_interest(_event(slug), actor=current_actor(), topic_id=topic_id, interested=True))


@bp.delete("/api/events/<slug>/topics/<id:topic_id>/interest")
@tap_limits
def remove_interest(slug: str, topic_id: int) -> Response:
    """Take the caller's interest mark back (idempotent)."""
    return jsonify(mark_interest(_event(slug), actor=current_actor(), topic_id=topic_id, interested=False))


@bp.post("/api/events/<slug>/rooms/<id:room_id>/checkin")
@tap_limits
def room_checkin(slug: str, room_id: int) -> Response:
    """Check the caller into a room for the current slot (moving them out of any other room)."""
    return jsonify(check_in(_event(slug), actor=current_actor(), room_id=room_id))


def room_url(slug: str, room_id: int) -> str:
    """The address of a room's page, as its door sign's QR code opens it."""
    return public_url("counts.room_page", slug=slug, room_id=str(room_id))


@bp.get("/e/<slug>/r/<id:room_id>/qr.svg")
def room_qr_svg(slug: str, room_id: int) -> Response:
    """The QR code of a room's page, as its door sign shows it."""
    event = load_event(slug)
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        abort(404)
    return _qr_response(room_url(slug, room_id))


@bp.get("/e/<slug>/r/<id:room_id>")
def room_page(slug: str, room_id: int) -> str:
    """A room's page on the phone: what runs there now and next, one tap to check in, the live headcount."""
    event = load_event(slug)
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != event.id:
        abort(404)
    ensure_participant()
    snapshot = snapshot_of(event)
    state = snapshot.counted_state(interest_counts(event.id), headcounts=headcounts(event.id, snapshot.state))
    room = next(r for r in state["rooms"] if r["id"] == room_id)
    return render_template("pages/room.html", event=event, state=state, room=room, runs=room_runs(state, room_id))


def room_runs(state: dict[str, Any], room_id: int) -> list[dict[str, Any]]:
    """What runs in the room now and next: the check-in slot (which may start within minutes: then it is "next"
    too) and the one after it, as [{"now": bool, "slot", "topic" or None}]."""
    current = state_slot_id(state)
    now = tallies.now_utc()
    by_slot = {t["slot_id"]: t for t in state["topics"] if t["room_id"] == room_id}
    slots = [s for s in state["slots"] if not s["is_break"]]
    shown = [s for s in slots if s["id"] == current][:1]
    shown += [s for s in slots if s["id"] != current and datetime.fromisoformat(s["starts_at"]) > now][:1]
    return [
        {
            "now": s["id"] == current and datetime.fromisoformat(s["starts_at"]) <= now,
            "slot": s,
            "topic": by_slot.get(s["id"]),
        }
        for s in shown
    ]
