"""Organizers after the sessions: review results for the report, and follow up their action items."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from .activity import log_step
from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .fields import FieldErrors, clean_text, valid_id
from .identity import Actor
from .models import ACTION_STATUSES, NOTE_MAX, WHO_MAX, ActionItem, Event, Result
from .results import (
    clean_date,
    item_dict,
    live_topic,
    result_change,
    result_content,
    result_dict,
    result_items,
    result_row,
    state_for,
)
from .wall import Change, bump_revision


def _require_organizer(event_id: int, actor: Actor) -> None:
    if not actor.is_organizer(event_id):
        raise DomainError("forbidden", _("Only the organizers can do this."))


def review_result(event: Event, *, actor: Actor, topic_id: Any, data: Any) -> tuple[dict[str, Any], Change]:
    """Mark a documented result reviewed (or back to documented), and hide it from the public report or show it."""
    _require_organizer(event.id, actor)
    if not isinstance(data, dict):
        raise DomainError("bad_request", _("Expected a JSON object."))
    errors = FieldErrors()
    if data.get("state") not in {"reviewed", "documented"}:
        errors.add("state", _("Either reviewed or documented."))
    if "hidden" in data and not isinstance(data["hidden"], bool):
        errors.add("hidden", _("Must be true or false."))
    errors.raise_if_any()
    with write_transaction():
        revision = bump_revision(event.id)
        topic = live_topic(event.id, topic_id)
        result = result_row(topic)
        content = result_content(result, result_items(result))
        if state_for(content, reviewed=False) != "documented":
            raise DomainError(
                "invalid",
                _("Nothing has been documented for this session yet."),
                fields={"state": _("Document the session first.")},
            )
        before = {"state": result.state, "hidden": result.hidden}
        result.state = state_for(content, reviewed=data["state"] == "reviewed")
        result.hidden = data.get("hidden", result.hidden)
        change = result_change(event.id, revision, topic, result)
        log_step(
            event.id,
            actor=actor,
            action="result_review",
            revision=revision,
            topic_id=topic.id,
            before=before,
            after={"state": result.state, "hidden": result.hidden, "title": topic.title},
        )
        reviewed = result_dict(event.slug, result, organizer=True)
    return reviewed, change


def update_action_item(event: Event, *, actor: Actor, item_id: Any, data: Any) -> dict[str, Any]:
    """Track an action item after the event: its status, owner, due date and a note (organizers only)."""
    _require_organizer(event.id, actor)
    allowed = {"status", "owner", "due", "note"}
    if not isinstance(data, dict) or not data or set(data) - allowed:
        raise DomainError("bad_request", _("Expected status, owner, due and/or note."))
    errors = FieldErrors()
    values: dict[str, Any] = {}
    if "status" in data:
        if data["status"] not in ACTION_STATUSES:
            errors.add("status", _("One of open, in_progress, done, dropped."))
        values["status"] = data["status"]
    if "owner" in data:
        values["owner"] = clean_text(errors, data, "owner", max_length=WHO_MAX)
    if "note" in data:
        values["note"] = clean_text(errors, data, "note", max_length=NOTE_MAX, multiline=True)
    if "due" in data:
        values["due"] = clean_date(errors, data, "due")
    errors.raise_if_any()
    with write_transaction():
        item = db.session.get(ActionItem, item_id) if valid_id(item_id) is not None else None
        if item is None or item.event_id != event.id:
            raise DomainError("not_found", _("This action item does not exist (any more)."))
        before = {"status": item.status}
        for name, value in values.items():
            setattr(item, name, value)
        db.session.flush()
        topic_of = db.session.scalar(select(Result.topic_id).where(Result.id == item.result_id))
        revision = db.session.get(Event, event.id).revision
        log_step(
            event.id,
            actor=actor,
            action="action_item",
            revision=revision,
            topic_id=topic_of,
            before=before,
            after={"status": item.status},
        )
        shown = item_dict(item, organizer=True)
    return shown
