"""Results of sessions: what each one found and agreed, every saved version kept (photos: photos.py).

Anyone with the event's page may document a session (its host, any participant, an organizer): a save names the
version it was based on, and a stale one is refused with the current result, so nobody's text is silently
overwritten. A locked wall does not stop results: the lock is about the schedule, and results are written after
the sessions. Organizers review results and track the action items afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from .activity import log_step
from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .fields import FieldErrors, clean_text, valid_id
from .identity import Actor
from .models import (
    ATTENDEES_MAX,
    LINK_MAX,
    LINKS_MAX,
    RESULT_TEXT_MAX,
    WHAT_MAX,
    WHO_MAX,
    ActionItem,
    BlockedParticipant,
    Event,
    Photo,
    Result,
    ResultVersion,
    Topic,
    utcnow,
)
from .snapshot import topic_dict
from .wall import Change, bump_revision

ACTION_ITEMS_MAX = 30
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_URL_UNSAFE = set('<>"`\\{}|^')


def _iso(moment: datetime | None) -> str | None:
    return moment.replace(tzinfo=UTC).isoformat() if moment is not None else None


def live_topic(event_id: int, topic_id: Any) -> Topic:
    """The event's topic on the wall with that id, or a not_found refusal (unknown, another event's, withdrawn)."""
    topic = db.session.get(Topic, topic_id) if valid_id(topic_id) is not None else None
    if topic is None or topic.event_id != event_id or topic.status != "live":
        raise DomainError("not_found", _("This topic does not exist (any more)."))
    return topic


def result_row(topic: Topic) -> Result:
    """In a write transaction: the topic's result, created empty (version 0) on first use."""
    result = db.session.scalar(select(Result).where(Result.topic_id == topic.id))
    if result is None:
        result = Result(topic_id=topic.id, event_id=topic.event_id, summary="", insights="", links=[], version=0)
        result.state, result.hidden = "missing", False
        db.session.add(result)
        db.session.flush()
    return result


def photo_urls(slug: str, photo_id: int) -> dict[str, Any]:
    """A photo as the result lists it: its id and the addresses of the photo and its thumbnail."""
    return {
        "id": photo_id,
        "url": f"/e/{slug}/photos/{photo_id}.jpg",
        "thumb_url": f"/e/{slug}/photos/{photo_id}/thumb.jpg",
    }


def item_dict(item: ActionItem, *, organizer: bool = False) -> dict[str, Any]:
    """An action item as results show it; organizers also see the follow-up's owner and note."""
    shown = {
        "id": item.id,
        "what": item.what,
        "who": item.who,
        "due": item.due.isoformat() if item.due else None,
        "status": item.status,
    }
    if organizer:
        shown.update(owner=item.owner, note=item.note)
    return shown


def result_items(result: Result | None) -> list[ActionItem]:
    if result is None or result.id is None:
        return []
    return list(
        db.session.scalars(
            select(ActionItem).where(ActionItem.result_id == result.id).order_by(ActionItem.position, ActionItem.id)
        )
    )


def result_dict(slug: str, result: Result | None, *, organizer: bool = False) -> dict[str, Any]:
    """The result's one shape (docs/api.md); organizers also see what is hidden from the public report."""
    photos = []
    if result is not None:
        rows = db.session.execute(
            select(Photo.id, Photo.hidden).where(Photo.result_id == result.id).order_by(Photo.id)
        ).all()
        for row in rows:
            if organizer:
                photos.append({**photo_urls(slug, row.id), "hidden": row.hidden})
            elif not row.hidden:
                photos.append(photo_urls(slug, row.id))
    shown: dict[str, Any] = {
        "summary": result.summary if result else "",
        "insights": result.insights if result else "",
        "action_items": [item_dict(i, organizer=organizer) for i in result_items(result)],
        "attendees": result.attendees if result else None,
        "links": list(result.links or []) if result else [],
        "photos": photos,
        "state": result.state if result else "missing",
        "version": result.version if result else 0,
        "updated_at": _iso(result.updated_at) if result else None,
    }
    if organizer:
        shown["hidden"] = result.hidden if result else False
    return shown


def get_result(event: Event, *, topic_id: Any, actor: Actor) -> dict[str, Any]:
    """A session's result (empty, version 0, before its first save)."""
    topic = live_topic(event.id, topic_id)
    result = db.session.scalar(select(Result).where(Result.topic_id == topic.id))
    return result_dict(event.slug, result, organizer=actor.is_organizer(event.id))


def clean_date(errors: FieldErrors, data: dict[str, Any], name: str) -> date | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, str) and _DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    errors.add(name, _("A date like 2026-03-31."))
    return None


def _clean_attendees(errors: FieldErrors, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= ATTENDEES_MAX:
        errors.add("attendees", _("A whole number from 0 to %(max)d.", max=ATTENDEES_MAX))
        return None
    return value


def _link_problem(value: Any) -> str | None:
    """Why a link cannot be kept, or None: only http(s) addresses with a host, no spaces or markup."""
    value = value.strip() if isinstance(value, str) else ""
    try:
        parts = urlsplit(value)
        web = parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        web = False
    if not web:
        return _("An address starting with http:// or https://.")
    if len(value) > LINK_MAX:
        return _("At most %(max)d characters (you have %(n)d).", max=LINK_MAX, n=len(value))
    if any(ch.isspace() or ch in _URL_UNSAFE or unicodedata.category(ch)[0] == "C" for ch in value):
        return _('An address cannot contain spaces or the characters < > " ` \\ { } | ^.')
    return None


def _clean_links(errors: FieldErrors, value: Any) -> list[str] | None:
    if not isinstance(value, list) or len(value) > LINKS_MAX:
        errors.add("links", _("A list of at most %(max)d addresses.", max=LINKS_MAX))
        return None
    problems = {f"links.{index}": _link_problem(link) for index, link in enumerate(value)}
    for name, problem in problems.items():
        if problem:
            errors.add(name, problem)
    return None if any(problems.values()) else [link.strip() for link in value]


def _clean_items(errors: FieldErrors, value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list) or len(value) > ACTION_ITEMS_MAX:
        errors.add("action_items", _("A list of at most %(max)d action items.", max=ACTION_ITEMS_MAX))
        return None
    items: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        key = f"action_items.{index}"
        if not isinstance(item, dict):
            errors.add(key, _("An action item has what, who and due."))
            continue
        own = FieldErrors()
        item_id = None
        if item.get("id") is not None:
            item_id = valid_id(item["id"])
            if item_id is None or item_id in {i["id"] for i in items}:
                own.add("id", _("Not a valid choice."))
        cleaned = {
            "id": item_id,
            "what": clean_text(own, item, "what", max_length=WHAT_MAX, required=True),
            "who": clean_text(own, item, "who", max_length=WHO_MAX),
            "due": clean_date(own, item, "due"),
        }
        for name, message in own.errors.items():
            errors.add(f"{key}.{name}", message)
        items.append(cleaned)
    return items


def _clean_result(data: Any) -> tuple[int, dict[str, Any]]:
    """The version a save was based on and the fields it sets (fields left out keep their value)."""
    if not isinstance(data, dict):
        raise DomainError("bad_request", _("Expected a JSON object."))
    errors = FieldErrors()
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        errors.add("version", _("Send the version your text is based on."))
    fields: dict[str, Any] = {}
    for name in ("summary", "insights"):
        if name in data:
            fields[name] = clean_text(errors, data, name, max_length=RESULT_TEXT_MAX, multiline=True)
    if "attendees" in data:
        fields["attendees"] = _clean_attendees(errors, data["attendees"])
    if "links" in data:
        fields["links"] = _clean_links(errors, data["links"])
    if "action_items" in data:
        fields["action_items"] = _clean_items(errors, data["action_items"])
    errors.raise_if_any()
    return version, fields


def contributor_role(event_id: int, actor: Actor, topic: Topic) -> str:
    """Who saves, as results remember it (never a person); participants without a key or blocked are refused."""
    if actor.is_organizer(event_id):
        return "organizer"
    if actor.author_hash is None:
        raise DomainError("forbidden", _("Your browser did not send its participant cookie. Please reload the page."))
    if db.session.get(BlockedParticipant, (event_id, actor.author_hash)) is not None:
        raise DomainError("blocked", _("The organizers have stopped changes to the wall from this device."))
    return "host" if actor.owns(topic.author_hash) else "participant"


def result_content(result: Result, items: list[ActionItem]) -> dict[str, Any]:
    """What a version keeps of a result."""
    return {
        "summary": result.summary,
        "insights": result.insights,
        "attendees": result.attendees,
        "links": list(result.links or []),
        "action_items": [
            {"id": i.id, "what": i.what, "who": i.who, "due": i.due.isoformat() if i.due else None} for i in items
        ],
    }


def _replace_items(result: Result, current: list[ActionItem], sent: list[dict[str, Any]]) -> None:
    """Make the result's action items the list sent: items named by id are kept (with their follow-up), others go."""
    by_id = {item.id: item for item in current}
    missing = _("This action item does not exist (any more).")
    unknown = {f"action_items.{n}.id": missing for n, s in enumerate(sent) if s["id"] not in (None, *by_id)}
    if unknown:
        raise DomainError("invalid", _("Please check the marked fields."), fields=unknown)
    kept = {s["id"] for s in sent if s["id"] is not None}
    for item in current:
        if item.id not in kept:
            db.session.delete(item)
    for position, given in enumerate(sent):
        item = by_id.get(given["id"]) if given["id"] is not None else None
        if item is None:
            item = ActionItem(result_id=result.id, event_id=result.event_id, status="open", owner="", note="")
            db.session.add(item)
        item.position, item.what, item.who, item.due = position, given["what"], given["who"], given["due"]
    db.session.flush()


def state_for(content: dict[str, Any], *, reviewed: bool) -> str:
    """A result's state from its content: documented (or reviewed) once it says something, else a draft."""
    if content["summary"] or content["insights"] or content["action_items"]:
        return "reviewed" if reviewed else "documented"
    return "draft"


class _Unchanged(Exception):
    """A save that changes nothing: rolled back, answered with the current result."""


def result_change(event_id: int, revision: int, topic: Topic, result: Result) -> Change:
    """The one delta of a result's new state: the topic with its quiet mark, and the result's state and version."""
    topic.result_state = result.state
    db.session.flush()
    mark = {"topic_id": topic.id, "state": result.state, "version": result.version}
    return Change(event_id, revision, "result_changed", topic=topic_dict(topic), parts={"result": mark})


def save_result(event: Event, *, actor: Actor, topic_id: Any, data: Any) -> tuple[dict[str, Any], Change | None]:
    """Save a new version of a session's result; refused (409, with the current result) when it is not the newest."""
    version, fields = _clean_result(data)
    event_id = event.id
    organizer = actor.is_organizer(event_id)
    try:
        with write_transaction():
            revision = bump_revision(event_id)  # first: on PostgreSQL it locks the event, so saves take turns
            topic = live_topic(event_id, topic_id)
            role = contributor_role(event_id, actor, topic)
            result = result_row(topic)
            if version != result.version:
                raise DomainError(
                    "conflict",
                    _("Someone saved this result meanwhile. Compare their text with yours, then save again."),
                    extra={"current": result_dict(event.slug, result, organizer=organizer)},
                )
            items = result_items(result)
            before, before_state = result_content(result, items), result.state
            for name in ("summary", "insights", "attendees", "links"):
                if name in fields:
                    setattr(result, name, fields[name])
            if "action_items" in fields:
                _replace_items(result, items, fields["action_items"])
                items = result_items(result)
            after = result_content(result, items)
            if after == before and result.version > 0:
                raise _Unchanged
            result.state = state_for(after, reviewed=before_state == "reviewed" and role == "organizer")
            result.version += 1
            result.updated_at, result.updated_by = utcnow(), role
            db.session.add(
                ResultVersion(result_id=result.id, version=result.version, state=result.state, role=role, **after)
            )
            change = result_change(event_id, revision, topic, result)
            log_step(
                event_id,
                actor=actor,
                action="result",
                revision=revision,
                topic_id=topic.id,
                before={"version": result.version - 1, "state": before_state},
                after={"version": result.version, "state": result.state, "title": topic.title},
            )
            saved = result_dict(event.slug, result, organizer=organizer)
    except _Unchanged:
        return get_result(event, topic_id=topic_id, actor=actor), None
    return saved, change


def history(event: Event, *, topic_id: Any) -> list[dict[str, Any]]:
    """Every saved version of a session's result, newest first, with who (host, participant, organizer) and when."""
    topic = live_topic(event.id, topic_id)
    rows = db.session.scalars(
        select(ResultVersion)
        .join(Result, Result.id == ResultVersion.result_id)
        .where(Result.topic_id == topic.id)
        .order_by(ResultVersion.version.desc())
    )
    return [
        {
            "version": row.version,
            "summary": row.summary,
            "insights": row.insights,
            "action_items": row.action_items,
            "attendees": row.attendees,
            "links": row.links,
            "state": row.state,
            "role": row.role,
            "at": _iso(row.at),
        }
        for row in rows
    ]
