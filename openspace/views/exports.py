"""Downloads of the schedule exports: organizers take every file; anyone takes one topic's calendar entry."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from ..exports import DOWNLOADS, ICS_MIMETYPE, export_file, schedule_rows, topic_ics
from ..identity import Actor
from ..models import Event
from .pages import address_base, load_event
from .people import current_actor

bp = Blueprint("exports", __name__)


def _download(body: bytes, mimetype: str, filename: str, *, private: bool) -> Response:
    text = mimetype.startswith("text/") or mimetype in ("application/json", "application/xml")
    response = Response(body, content_type=f"{mimetype}; charset=utf-8" if text else mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def export_allowed(event: Event, name: str, actor: Actor) -> bool:
    """Whether `actor` may download the export `name` of the event: today its organizers only, for every file."""
    return actor.is_organizer(event.id)


@bp.get("/e/<slug>/export/<name>")
def download(slug: str, name: str) -> Response:
    """One export of the event (report.*, topics.csv, action-items.csv, event.json, schedule.*), for its organizers."""
    event = load_event(slug)
    if not export_allowed(event, name, current_actor()):
        abort(403)
    export = DOWNLOADS.get(name)
    if export is None:
        abort(404)
    body = export_file(export, event, base_url=address_base())  # a PDF worker's refusal is a 503 (security.py)
    return _download(body, export.mimetype, f"{event.slug}-{export.name}", private=True)


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
