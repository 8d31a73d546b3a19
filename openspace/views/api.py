"""JSON API: the wall state and topic changes (documented in docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from limits import parse
from werkzeug.exceptions import BadRequest

from ..broadcast import announce, announce_moderation
from ..counts import counted_topic, headcounts, interest_counts
from ..errors import DomainError
from ..events import event_by_slug
from ..extensions import db, limiter
from ..models import Event
from ..moderation import moderation_state
from ..probe import record_write
from ..snapshot import my_topic_ids, snapshot_of
from ..wall import post_topic, update_topic, withdraw_topic
from .people import client_address, current_actor

bp = Blueprint("api", __name__, url_prefix="/api")


def _writes_limit() -> str:
    return current_app.config["RATE_LIMIT_WRITES"]


def _address_limit() -> str:
    return current_app.config["RATE_LIMIT_WRITES_PER_ADDRESS"]


def _organizer_limit() -> str:
    return current_app.config["RATE_LIMIT_ORGANIZER_WRITES"]


def _acting_as_organizer() -> bool:
    """True when the caller holds organizer rights (from the server's state) for the event in the URL."""
    slug = (request.view_args or {}).get("slug")
    try:
        event_id = event_by_slug(slug).id
    except DomainError:
        return False
    return current_actor().is_organizer(event_id)


def _acting_as_participant() -> bool:
    return not _acting_as_organizer()


def write_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """Per-participant limit for changes plus a generous ceiling per address; organizers have their own, higher one.

    A facilitator rearranging the wall in the morning makes hundreds of changes; participants' limits would stop them.
    """
    per_participant = limiter.shared_limit(_writes_limit, scope="writes", exempt_when=_acting_as_organizer)
    per_address = limiter.shared_limit(
        _address_limit, scope="writes-address", key_func=client_address, exempt_when=_acting_as_organizer
    )
    per_organizer = limiter.shared_limit(_organizer_limit, scope="organizer-writes", exempt_when=_acting_as_participant)
    return per_participant(per_address(per_organizer(view)))


def _event(slug: str) -> Event:
    event = event_by_slug(slug)
    g.event_language, g.event_timezone = event.language, event.timezone
    return event


def _json_body() -> Any:
    """The parsed JSON body; malformed JSON, bad UTF-8 or NUL bytes are a 400."""
    raw = request.get_data(cache=True)
    if b"\x00" in raw or b"\\u0000" in raw:
        raise DomainError("bad_request", _("The request contains NUL characters."))
    try:
        return request.get_json(force=True)
    except BadRequest:
        raise DomainError("bad_request", _("The request body is not valid JSON.")) from None


@bp.get("/events/<slug>/wall")
def get_wall(slug: str) -> Response:
    """The whole wall with its revision, plus which topics are the caller's own."""
    event = _event(slug)
    snapshot, actor = snapshot_of(event), current_actor()
    text = snapshot.counted_json(
        interest_counts(event.id),
        headcounts=headcounts(event.id, snapshot.state),
        mine=my_topic_ids(event.id, actor),
    )
    return current_app.response_class(text, mimetype="application/json")


def _event_posts_left(event_id: int, *, count: bool) -> None:
    """Participants' new topics per event and minute are capped (a flood stays small enough to clean up)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    limit = parse(current_app.config["RATE_LIMIT_EVENT_POSTS"])
    ok = (
        limiter.limiter.hit(limit, "event-posts", str(event_id))
        if count
        else limiter.limiter.test(limit, "event-posts", str(event_id))
    )
    if not ok:
        raise DomainError(
            "rate_limited", _("Very many topics are being pinned right now. Please try again in a minute.")
        )


@bp.post("/events/<slug>/topics")
@write_limits
def create_topic(slug: str) -> tuple[Response, int]:
    """Pin a topic; 201 when new, 200 when the same request_id was already posted, 202 when it awaits approval."""
    event = _event(slug)
    body = _json_body()
    actor = current_actor()
    participant = not actor.is_organizer(event.id)
    if participant:
        _event_posts_left(event.id, count=False)  # only accepted posts count, so refusals cannot exhaust it
    started = perf_counter()
    topic, change = post_topic(event, actor=actor, data=body, queue_max=current_app.config["UNPLACED_MAX"])
    announce(change)
    record_write(perf_counter() - started)
    if participant and (change is not None or topic.get("status") == "pending"):
        _event_posts_left(event.id, count=True)
    if topic.get("status") == "pending":
        announce_moderation(event.id, moderation_state(event))
        return jsonify({"ok": True, "topic": topic, "pending": True}), 202
    topic = counted_topic(event.id, topic)
    revision = change.revision if change else db.session.get(Event, event.id).revision
    return jsonify({"ok": True, "topic": topic, "revision": revision}), 201 if change else 200


@bp.patch("/events/<slug>/topics/<id:topic_id>")
@write_limits
def patch_topic(slug: str, topic_id: int) -> Response:
    """Edit or move a topic (its host or an organizer)."""
    event = _event(slug)
    topic, change = update_topic(event, actor=current_actor(), topic_id=topic_id, data=_json_body())
    announce(change)
    return jsonify({"ok": True, "topic": counted_topic(event.id, topic), "revision": change.revision})


@bp.delete("/events/<slug>/topics/<id:topic_id>")
@write_limits
def delete_topic(slug: str, topic_id: int) -> Response:
    """Withdraw a topic (its host or an organizer)."""
    event = _event(slug)
    change = withdraw_topic(event, actor=current_actor(), topic_id=topic_id)
    announce(change)
    announce_moderation(event.id, moderation_state(event))
    return jsonify({"ok": True, "revision": change.revision})
