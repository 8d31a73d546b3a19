"""Downloads of the exports: organizers take every file; once the report is published anyone takes the report
and the schedule; anyone takes one topic's calendar entry."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from ..errors import DomainError
from ..events import event_by_slug
from ..exports import DOWNLOADS, ICS_MIMETYPE, export_file, schedule_rows, topic_ics
from ..extensions import limiter
from ..identity import Actor
from ..models import Event
from .pages import address_base, load_event
from .people import client_address, current_actor

bp = Blueprint("exports", __name__)


def _download(body: bytes, mimetype: str, filename: str, *, private: bool) -> Response:
    text = mimetype.startswith("text/") or mimetype in ("application/json", "application/xml")
    response = Response(body, content_type=f"{mimetype}; charset=utf-8" if text else mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


# What a published report makes public: the report without hidden results or photos, and the schedule. The
# topics list, the action items and the whole event (event.json) stay the organizers'.
PUBLIC_ONCE_PUBLISHED = frozenset(
    {"report.md", "report.html", "report.pdf", "schedule.ics", "schedule.json", "schedule.xml"}
)


def is_public(event: Event, name: str) -> bool:
    """Whether anyone may download the export `name`: a published report's report.* and schedule.* files."""
    return event.report_published_at is not None and name in PUBLIC_ONCE_PUBLISHED


def export_allowed(event: Event, name: str, actor: Actor) -> bool:
    """Whether `actor` may download the export `name` of the event: its organizers every file, anyone the public."""
    return actor.is_organizer(event.id) or is_public(event, name)


def _public_limit() -> str:
    return current_app.config["RATE_LIMIT_PUBLIC_EXPORTS"]


def _organizer_here() -> bool:
    try:
        return current_actor().is_organizer(event_by_slug((request.view_args or {}).get("slug")).id)
    except DomainError:  # an unknown event is the view's 404, not the limiter's
        return False


@bp.get("/e/<slug>/export/<name>")
@limiter.limit(_public_limit, key_func=client_address, exempt_when=_organizer_here)
def download(slug: str, name: str) -> Response:
    """One export of the event (report.*, topics.csv, action-items.csv, event.json, schedule.*)."""
    event = load_event(slug)
    organizer = current_actor().is_organizer(event.id)
    if not export_allowed(event, name, current_actor()):
        abort(403)
    export = DOWNLOADS.get(name)
    if export is None:
        abort(404)
    body = export_file(export, event, base_url=address_base())  # a PDF worker's refusal is a 503 (security.py)
    return _download(body, export.mimetype, f"{event.slug}-{export.name}", private=organizer)


@bp.get("/e/<slug>/t/<id:topic_id>.ics")
def topic_calendar(slug: str, topic_id: int) -> Response:
    """One scheduled topic's calendar entry, for anyone; unknown, unplaced or withdrawn topics are 404."""
    event = load_event(slug)
    rows = schedule_rows(event, base_url=address_base())
    topic = rows.topic(topic_id)
    if topic is None or not topic.scheduled:
        abort(404)
    return _download(
        topic_ics(rows, topic).encode("utf-8"), ICS_MIMETYPE, f"{event.slug}-topic-{topic.id}.ics", private=False
    )
