"""Downloads of the schedule exports: organizers take every file; anyone takes one topic's calendar entry."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from ..exports import DOWNLOADS, ICS_MIMETYPE, schedule_rows, topic_ics
from .pages import address_base, load_event
from .people import current_actor

bp = Blueprint("exports", __name__)


def _download(body: str, mimetype: str, filename: str, *, private: bool) -> Response:
    response = Response(body.encode("utf-8"), content_type=f"{mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/e/<slug>/export/<name>")
def download(slug: str, name: str) -> Response:
    """One export of the event (topics.csv, schedule.ics, schedule.json, schedule.xml), for its organizers."""
    event = load_event(slug)
    if not current_actor().is_organizer(event.id):
        abort(403)
    export = DOWNLOADS.get(name)
    if export is None:
        abort(404)
    body = export.render(schedule_rows(event, base_url=address_base()))
    return _download(body, export.mimetype, f"{event.slug}-{export.name}", private=True)


@bp.get("/e/<slug>/t/<id:topic_id>.ics")
def topic_calendar(slug: str, topic_id: int) -> Response:
    """One scheduled topic's calendar entry, for anyone; unknown, unplaced or withdrawn topics are 404."""
    event = load_event(slug)
    rows = schedule_rows(event, base_url=address_base())
    topic = rows.topic(topic_id)
    if topic is None or not topic.scheduled:
        abort(404)
    return _download(topic_ics(rows, topic), ICS_MIMETYPE, f"{event.slug}-topic-{topic.id}.ics", private=False)
