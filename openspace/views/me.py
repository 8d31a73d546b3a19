"""My schedule: a participant's own and interesting topics on the phone, and their personal calendar feed."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from ..exports import ICS_MIMETYPE, personal_ics, schedule_rows
from ..myschedule import feed_owner, feed_secret, interested_topic_ids, plan_topic_ids, reset_feed
from ..snapshot import my_topic_ids, wall_state
from .api import _event, write_limits
from .pages import address_base, load_event
from .people import current_actor, ensure_participant

bp = Blueprint("me", __name__)


def feed_url(slug: str, secret: str) -> str:
    """The personal feed's address (https or http, as the site is reached)."""
    return address_base() + url_for("me.feed", slug=slug, key=secret)


@bp.get("/e/<slug>/me")
def schedule(slug: str) -> str:
    """This participant's plan, now and next first, with the address of their calendar feed."""
    event = load_event(slug)
    ensure_participant()
    actor = current_actor()
    url = feed_url(event.slug, feed_secret(event, actor)) if actor.participant_key else None
    return render_template(
        "pages/me.html",
        event=event,
        state=wall_state(event),
        mine=my_topic_ids(event.id, actor),
        interested=interested_topic_ids(event.id, actor),
        feed=url,
    )


@bp.get("/api/events/<slug>/me")
def mine(slug: str) -> Response:
    """Which topics are this participant's own and which they marked, and their feed's address."""
    event = _event(slug)
    actor = current_actor()
    return jsonify(
        {
            "mine": my_topic_ids(event.id, actor),
            "interested": interested_topic_ids(event.id, actor),
            "feed_url": feed_url(event.slug, feed_secret(event, actor)) if actor.participant_key else None,
        }
    )


@bp.post("/api/events/<slug>/me/feed-key")
@write_limits
def new_feed_key(slug: str) -> Response:
    """A new secret address for the personal feed; the old one is 404 from now on."""
    event = _event(slug)
    return jsonify({"ok": True, "feed_url": feed_url(event.slug, reset_feed(event, current_actor()))})


@bp.get("/e/<slug>/me.ics")
def feed(slug: str) -> Response:
    """The personal calendar feed: the caller's plan wherever its topics are now; unknown or reset keys are 404."""
    event = load_event(slug)
    g.force_language = event.language  # read by a calendar app, not by a person's browser
    owner = feed_owner(event, request.args.get("key"))
    if owner is None:
        abort(404)
    rows = schedule_rows(event, base_url=address_base())
    body = personal_ics(rows, plan_topic_ids(event.id, owner), f"{event.name} – {_('My schedule')}")
    response = Response(body.encode("utf-8"), content_type=f"{ICS_MIMETYPE}; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{event.slug}-my-schedule.ics"'
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
