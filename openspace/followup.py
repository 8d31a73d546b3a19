"""Organizers after the sessions: review results, publish the report, and follow up the action items."""

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
from .models import ACTION_STATUSES, NOTE_MAX, WHO_MAX, ActionItem, Event, Result, Topic, utcnow
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
from .snapshot import event_dict
from .wall import Change, bump_revision


def review_result(event: Event, *, actor: Actor, topic_id: Any, data: Any) -> tuple[dict[str, Any], Change]:
    """Mark a documented result reviewed (or back to documented), and hide it from the public report or show it."""
    actor.require_organizer(event.id)
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
    actor.require_organizer(event.id)
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


def publish_report(event: Event, *, actor: Actor, data: Any) -> tuple[dict[str, Any], Change | None]:
    """Make /e/<slug>/report public ({"published": true}) or organizers-only again; None: it already was so."""
    actor.require_organizer(event.id)
    if not isinstance(data, dict) or set(data) - {"published"}:
        raise DomainError("bad_request", _("Expected published."))
    if not isinstance(data.get("published"), bool):
        raise DomainError(
            "invalid", _("Please check the marked fields."), fields={"published": _("Must be true or false.")}
        )
    published = data["published"]
    with write_transaction():
        row = db.session.get(Event, event.id)
        if (row.report_published_at is not None) == published:
            return event_dict(row), None
        revision = bump_revision(event.id)
        before = {"report_published": row.report_published_at is not None}
        row.report_published_at = utcnow() if published else None
        db.session.flush()
        log_step(
            event.id,
            actor=actor,
            action="publish" if published else "unpublish",
            revision=revision,
            before=before,
            after={"report_published": published},
        )
        public = event_dict(row)
    return public, Change(event.id, revision, "event_updated", event=public)


FOLLOWUP_SHOWN = 2000  # action items on one follow-up page at most (filters narrow it down)


def followup_items(
    event_ids: frozenset[int] | set[int], *, status: str | None = None, owner: str = "", event_id: int | None = None
) -> list[dict[str, Any]]:
    """The action items of these events (those a browser organizes), filtered by status, owner text and event.

    Owner matches the follow-up's owner or, while none is set, the who the session named (case-insensitive).
    Ordered by event, then by the due date (undated last), then by session and position.
    """
    ids = set(event_ids) if event_id is None else set(event_ids) & {event_id}
    if not ids:
        return []
    query = (
        select(ActionItem, Topic.id, Topic.title, Event.slug, Event.name)
        .join(Result, Result.id == ActionItem.result_id)
        .join(Topic, Topic.id == Result.topic_id)
        .join(Event, Event.id == ActionItem.event_id)
        .where(ActionItem.event_id.in_(ids), Topic.status == "live")
    )
    if status is not None:
        query = query.where(ActionItem.status == status)
    rows = db.session.execute(
        query.order_by(
            Event.starts_on,
            Event.id,
            ActionItem.due.is_(None),
            ActionItem.due,
            Topic.id,
            ActionItem.position,
            ActionItem.id,
        ).limit(FOLLOWUP_SHOWN)
    ).all()
    wanted = owner.strip().casefold()
    shown = []
    for item, topic_id, title, slug, name in rows:
        responsible = item.owner or item.who
        if wanted and wanted not in responsible.casefold():
            continue
        shown.append(
            {
                **item_dict(item, organizer=True),
                "event_slug": slug,
                "event_name": name,
                "topic_id": topic_id,
                "topic_title": title,
            }
        )
    return shown
