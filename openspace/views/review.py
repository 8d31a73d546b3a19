"""After the sessions: the organizers' review page, publishing the report, the report page and the follow-up."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..broadcast import announce
from ..exports.report_rows import report_rows
from ..extensions import db
from ..followup import followup_items, publish_report
from ..models import ACTION_STATUSES, WHO_MAX, Event
from .api import _event, _json_body, write_limits
from .pages import load_event
from .people import current_actor

bp = Blueprint("review", __name__)


@bp.post("/api/events/<slug>/report/publish")
@write_limits
def publish(slug: str) -> Response:
    """Publish the report ({"published": true}) or make it organizers-only again (organizers)."""
    event = _event(slug)
    shown, change = publish_report(event, actor=current_actor(), data=_json_body())
    announce(change)
    return jsonify({"ok": True, "event": shown, "revision": change.revision if change else event.revision})


def _private(page: str) -> Response:
    """An organizer-only page (hidden results, notes): never kept by a browser or proxy cache."""
    response = make_response(page)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/e/<slug>/report")
def report(slug: str) -> Response:
    """The event's report: public once published; before that organizers only (404 for everyone else)."""
    event = load_event(slug)
    organizer = current_actor().is_organizer(event.id)
    if event.report_published_at is None and not organizer:
        page = render_template("error.html", message=_("The report of this event is not published yet."))
        return make_response(page, 404)
    rows = report_rows(event, include_hidden=organizer)
    page = render_template("pages/report.html", event=event, rows=rows, organizer=organizer)
    if organizer:
        return _private(page)
    response = make_response(page)
    response.headers["Cache-Control"] = "no-cache"  # revalidated: unpublishing or hiding reaches every reader
    return response


@bp.get("/e/<slug>/organizer/review")
def review(slug: str) -> Response:
    """The organizers' review of every session's result: states, hiding, action items, publishing."""
    event = load_event(slug)
    if not current_actor().is_organizer(event.id):
        abort(403)
    rows = report_rows(event, include_hidden=True)
    counts = {state: 0 for state in ("missing", "draft", "documented", "reviewed")}
    for session in rows.sessions:
        counts[session.result.state if session.result else "missing"] += 1
    return _private(render_template("organizer/review.html", event=event, rows=rows, counts=counts))


@bp.get("/organizer/follow-up")
def follow_up() -> Response:
    """The action items of every event this browser organizes, filtered by status, owner and event (GET form)."""
    granted = current_actor().organizer_of
    events = list(
        db.session.scalars(select(Event).where(Event.id.in_(granted)).order_by(Event.starts_on, Event.id))
        if granted
        else ()
    )
    status = request.args.get("status", "")
    status = status if status in ACTION_STATUSES else ""
    owner = request.args.get("owner", "")[:WHO_MAX]
    chosen = next((e for e in events if e.slug == request.args.get("event")), None)
    items = followup_items(
        {e.id for e in events}, status=status or None, owner=owner, event_id=chosen.id if chosen else None
    )
    page = render_template(
        "organizer/followup.html",
        events=events,
        items=items,
        status=status,
        owner=owner,
        chosen=chosen.slug if chosen else "",
        statuses=ACTION_STATUSES,
    )
    return _private(page)
