"""Organizer moderation over JSON: lock, posting rules, approval queue, bulk withdraw/restore, blocks, log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..activity import recent_steps
from ..broadcast import announce_all, announce_moderation
from ..events import reset_organizer_secret
from ..extensions import db
from ..models import Event
from ..moderation import (
    approve_topics,
    block_author,
    log_organizer_step,
    merge_topics,
    moderation_state,
    pin_topic,
    restore_topics,
    set_lock,
    swap_topics,
    unblock_author,
    update_settings,
    withdraw_topics,
)
from ..undo import undo_last
from ..wall import Change
from .api import _event, _json_body, write_limits
from .pages import public_url
from .people import current_actor, grant_organizer

bp = Blueprint("moderation", __name__, url_prefix="/api/events/<slug>/moderation")


def _organizer_event(slug: str) -> Event:
    event = _event(slug)
    current_actor().require_organizer(event.id)
    return event


def _done(event: Event, changes: list[Change], **extra: Any) -> Response:
    """Announce an action's wall changes and the panel's new state; answer with both."""
    announce_all(changes)
    state = moderation_state(event)
    announce_moderation(event.id, state)
    revision = changes[-1].revision if changes else None
    changed = sum(change.topic_count() for change in changes)
    return jsonify({"ok": True, "changed": changed, "revision": revision, "moderation": state, **extra})


@bp.get("")
def panel(slug: str) -> Response:
    """The moderation panel's state: posting rules, topics waiting for approval, withdrawn topics, blocks."""
    return jsonify({"ok": True, **moderation_state(_organizer_event(slug))})


@bp.get("/log")
def activity(slug: str) -> Response:
    """The newest steps of the activity log (who: organizer or participant, never a person)."""
    event = _organizer_event(slug)
    return jsonify({"ok": True, "steps": recent_steps(event.id)})


def _topic_ids_action(action: Callable[..., list[Change]]) -> Callable[[str], Response]:
    def view(slug: str) -> Response:
        event = _event(slug)
        body = _json_body()
        ids = body.get("topic_ids") if isinstance(body, dict) else None
        return _done(event, action(event, actor=current_actor(), topic_ids=ids))

    return view


for _name, _action in (("approve", approve_topics), ("restore", restore_topics), ("withdraw", withdraw_topics)):
    bp.add_url_rule(f"/{_name}", _name, write_limits(_topic_ids_action(_action)), methods=["POST"])


@bp.post("/lock")
@write_limits
def lock(slug: str) -> Response:
    """Lock the wall with an optional reason ({"locked": true, "reason": "..."}) or open it ({"locked": false})."""
    event = _event(slug)
    return _done(event, [set_lock(event, actor=current_actor(), data=_json_body())])


@bp.patch("/settings")
@write_limits
def settings(slug: str) -> Response:
    """Change pre-moderation and the cap on topics per participant."""
    event = _event(slug)
    return _done(event, [update_settings(event, actor=current_actor(), data=_json_body())])


@bp.post("/block")
@write_limits
def block(slug: str) -> Response:
    """Withdraw every topic of the device that posted {"topic_id": N} and block it on this event."""
    event = _event(slug)
    body: Any = _json_body()
    topic_id = body.get("topic_id") if isinstance(body, dict) else None
    return _done(event, block_author(event, actor=current_actor(), topic_id=topic_id))


@bp.post("/unblock")
@write_limits
def unblock(slug: str) -> Response:
    """Let the device that posted {"topic_id": N} change the wall again."""
    event = _event(slug)
    body: Any = _json_body()
    unblock_author(event, actor=current_actor(), topic_id=body.get("topic_id") if isinstance(body, dict) else None)
    return _done(event, [])


# The organizer actions at the paths of docs/api.md's control-room contract (the same domain calls).
actions = Blueprint("actions", __name__, url_prefix="/api/events/<slug>")


@actions.post("/topics/<id:topic_id>/swap")
@write_limits
def swap(slug: str, topic_id: int) -> Response:
    """Exchange the cells of two topics: {"other_id": N}; one wall_changed delta carries both."""
    event = _event(slug)
    body: Any = _json_body()
    other = body.get("other_id") if isinstance(body, dict) else None
    return _done(event, [swap_topics(event, actor=current_actor(), topic_id=topic_id, other_id=other)])


@actions.post("/topics/<id:topic_id>/restore")
@write_limits
def restore_one(slug: str, topic_id: int) -> Response:
    """Bring one withdrawn topic back (to its cell if still free)."""
    event = _event(slug)
    return _done(event, restore_topics(event, actor=current_actor(), topic_ids=[topic_id]))


@actions.post("/lock")
@write_limits
def lock_wall(slug: str) -> Response:
    """Lock the wall; {"reason": "..."} is optional and shown to everyone."""
    event = _event(slug)
    body: Any = _json_body() if request.content_length else {}
    reason = body.get("reason") if isinstance(body, dict) else body
    return _done(event, [set_lock(event, actor=current_actor(), data={"locked": True, "reason": reason})])


@actions.post("/unlock")
@write_limits
def unlock_wall(slug: str) -> Response:
    """Open the wall again."""
    event = _event(slug)
    return _done(event, [set_lock(event, actor=current_actor(), data={"locked": False})])


@actions.get("/log")
def log(slug: str) -> Response:
    """The activity log, newest first (as GET …/moderation/log)."""
    return activity(slug)


@actions.post("/organizer-link")
@write_limits
def rotate_link(slug: str) -> Response:
    """A new organizer link, shown in this answer only; every browser that had rights through the old one loses
    them at its next request or socket join (grants are bound to the event's current key)."""
    event = _organizer_event(slug)
    secret = reset_organizer_secret(event)
    db.session.refresh(event)
    grant_organizer(event)  # the organizer who rotated keeps the rights
    log_organizer_step(event, actor=current_actor(), action="rotate_link")
    return jsonify({"ok": True, "organizer_link": public_url("organizer.redeem", slug=event.slug, secret=secret)})


@actions.post("/topics/<id:topic_id>/pin")
@write_limits
def pin(slug: str, topic_id: int) -> Response:
    """Pin a topic to its place: only organizers move it from now on."""
    event = _event(slug)
    return _done(event, [pin_topic(event, actor=current_actor(), topic_id=topic_id, pinned=True)])


@actions.post("/topics/<id:topic_id>/unpin")
@write_limits
def unpin(slug: str, topic_id: int) -> Response:
    """Let the topic's host move it again."""
    event = _event(slug)
    return _done(event, [pin_topic(event, actor=current_actor(), topic_id=topic_id, pinned=False)])


@actions.post("/topics/<id:topic_id>/merge")
@write_limits
def merge(slug: str, topic_id: int) -> Response:
    """Merge this topic into {"into_id": N}: N stays, this one's host becomes its co-host, its texts are kept."""
    event = _event(slug)
    body: Any = _json_body()
    into = body.get("into_id") if isinstance(body, dict) else None
    return _done(event, [merge_topics(event, actor=current_actor(), topic_id=topic_id, into_id=into)])


@actions.post("/undo")
@write_limits
def undo(slug: str) -> Response:
    """Take back the newest organizer moderation step not yet undone (409 when it is unsafe or none is left)."""
    event = _event(slug)
    change, undone = undo_last(event, actor=current_actor())
    return _done(event, [change], undone=undone)
