"""Socket.IO handlers: validate, call the domain, acknowledge."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_socketio import join_room, leave_room
from limits import parse

from .broadcast import event_room, organizer_room
from .counts import headcounts, interest_counts
from .errors import DomainError
from .extensions import db, limiter, socketio
from .models import Event
from .moderation import moderation_state
from .myschedule import interested_topic_ids
from .packets import Encoded
from .snapshot import my_topic_ids, snapshot_by_slug
from .views.people import current_actor, participant_key, rate_limit_key


def check_join_limit() -> None:
    """Flask-Limiter does not see socket events: count joins against the participant here."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    limit = parse(current_app.config["RATE_LIMIT_JOINS"])
    if not limiter.limiter.hit(limit, "socket", "join", rate_limit_key()):
        raise DomainError("rate_limited", _("Too many requests. Please wait a moment."))


# sid -> the rooms this socket joined (flask_socketio.rooms() scans every room: O(clients) per call).
_joined: dict[str, tuple[str, ...]] = {}


@socketio.on("connect")
def on_connect(_auth: Any = None) -> None:
    """Refuse connections that did not come from one of the event's pages (they hand out the session)."""
    if participant_key() is None:
        raise ConnectionRefusedError("no session: open the event's page first")


@socketio.on("join")
def on_join(*args: Any) -> dict[str, Any]:
    """Subscribe to one event's changes; the ack carries the full wall and the caller's own topic ids (resync path)."""
    try:
        if len(args) != 1:
            raise DomainError("bad_request", _("Expected a JSON object."))
        check_join_limit()
        data = args[0]
        snapshot = snapshot_by_slug(data.get("event") if isinstance(data, dict) else None)
    except DomainError as error:
        return error.as_dict()
    actor = current_actor()
    reply: dict[str, Any] = {"ok": True, "mine": my_topic_ids(snapshot.event_id, actor)}
    rooms: tuple[str, ...] = (event_room(snapshot.event_id),)
    if actor.is_organizer(snapshot.event_id):  # checked on every join: a reset organizer link stops the panel too
        rooms += (organizer_room(snapshot.event_id),)
        reply["moderation"] = moderation_state(db.session.get(Event, snapshot.event_id))
    for previous in set(_joined.get(request.sid, ())) - set(rooms):
        leave_room(previous)
    for room in rooms:
        join_room(room)
    _joined[request.sid] = rooms
    # Counts after joining the room: whatever changes from now on reaches this socket as counts_changed.
    counts = interest_counts(snapshot.event_id)
    heads = headcounts(snapshot.event_id, snapshot.state)
    reply["wall"] = Encoded(snapshot.counted_json(counts, headcounts=heads))
    reply["marked"] = interested_topic_ids(snapshot.event_id, actor)
    return reply


@socketio.on("disconnect")
def on_disconnect(_reason: Any = None) -> None:
    """Forget which event a closed socket had joined."""
    _joined.pop(request.sid, None)
