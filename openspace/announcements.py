"""Announcements: short notices the organizers pin above the projector's wall and every phone.

An announcement may carry an `until` time; past it, it is no longer shown (the wall state filters it on read
and browsers hide it at that moment), so an expiry needs no change of its own. Each pin or removal is one
organizer action: one write transaction, one revision, one logged step and one `announcements_updated` delta
carrying the whole `announcements` part.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func, select

from .activity import log_step
from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .fields import FieldErrors, clean_text, valid_id
from .identity import Actor
from .models import ANNOUNCEMENT_MAX, Announcement, Event, utcnow
from .snapshot import announcement_dict, shown_announcements
from .wall import Change, bump_revision

SHOWN_MAX = 5  # announcements shown at once: more would push the wall off the projector


def parse_until(errors: FieldErrors, value: Any, zone: ZoneInfo, *, now: datetime) -> datetime | None:
    """An ISO date and time ("2026-02-27T10:30", local to the event unless it has an offset) or a time of today
    in the event's time zone ("10:30"), as naive UTC; None when absent. It must lie in the future."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        errors.add("until", _("Expected a date and time such as 2026-02-27T10:30, or a time such as 10:30."))
        return None
    try:
        if "T" in value or " " in value.strip():
            moment = datetime.fromisoformat(value.strip())
        else:
            today = now.replace(tzinfo=UTC).astimezone(zone).date()
            moment = datetime.combine(today, time.fromisoformat(value.strip()))
        local = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
        until = local.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        errors.add("until", _("Expected a date and time such as 2026-02-27T10:30, or a time such as 10:30."))
        return None
    if until <= now:
        errors.add("until", _("This time has already passed."))
        return None
    return until


def _shown_part(event_id: int, zone: ZoneInfo) -> list[dict[str, Any]]:
    return [announcement_dict(a, zone) for a in shown_announcements(event_id)]


def post_announcement(event: Event, *, actor: Actor, data: Any) -> tuple[dict[str, Any], Change]:
    """Pin an announcement (after the others) for everyone, optionally until a time; at most SHOWN_MAX at once."""
    actor.require_organizer(event.id)
    if not isinstance(data, dict):
        raise DomainError("bad_request", _("Expected a JSON object."))
    zone = ZoneInfo(event.timezone)
    errors = FieldErrors()
    text = clean_text(errors, data, "text", max_length=ANNOUNCEMENT_MAX, required=True)
    until = parse_until(errors, data.get("until"), zone, now=utcnow())
    errors.raise_if_any()
    with write_transaction():
        revision = bump_revision(event.id)
        if len(shown_announcements(event.id)) >= SHOWN_MAX:
            raise DomainError(
                "limit", _("At most %(max)d announcements are shown at once. Remove one first.", max=SHOWN_MAX)
            )
        last = db.session.scalar(select(func.max(Announcement.position)).where(Announcement.event_id == event.id))
        announcement = Announcement(event_id=event.id, text=text, until=until, position=(last or 0) + 1)
        db.session.add(announcement)
        db.session.flush()
        shown = announcement_dict(announcement, zone)
        log_step(event.id, actor=actor, action="announce", revision=revision, after=shown)
        part = _shown_part(event.id, zone)
    return shown, Change(event.id, revision, "announcements_updated", parts={"announcements": part})


def remove_announcement(event: Event, *, actor: Actor, announcement_id: Any) -> Change:
    """Take an announcement down before its time (one that expired already is gone: 404)."""
    actor.require_organizer(event.id)
    zone = ZoneInfo(event.timezone)
    with write_transaction():
        found = db.session.get(Announcement, announcement_id) if valid_id(announcement_id) is not None else None
        if found is None or found.event_id != event.id or (found.until is not None and found.until <= utcnow()):
            raise DomainError("not_found", _("This announcement does not exist (any more)."))
        revision = bump_revision(event.id)
        before = announcement_dict(found, zone)
        db.session.delete(found)
        db.session.flush()
        log_step(event.id, actor=actor, action="unannounce", revision=revision, before=before)
        part = _shown_part(event.id, zone)
    return Change(event.id, revision, "announcements_updated", parts={"announcements": part})
