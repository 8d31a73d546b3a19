"""Organizer pages: create an event, redeem the organizer link, the organizer's overview."""

from __future__ import annotations

import hmac
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from ..counts import interest_counts
from ..errors import DomainError
from ..events import (
    create_event,
    issue_reveal_token,
    parse_rooms,
    parse_slots,
    redeem_reveal_token,
    valid_timezone,
)
from ..extensions import limiter
from ..forms import EventForm
from ..identity import secret_matches
from ..moderation import moderation_state
from ..snapshot import my_topic_ids, snapshot_of, wall_state
from .pages import address_base, join_url, lan_address, load_event, phones_cannot_reach, public_url
from .people import client_address, current_actor, grant_organizer

bp = Blueprint("organizer", __name__)


def organizer_url(slug: str, secret: str) -> str:
    """The secret link that grants organizer rights for one event."""
    return public_url("organizer.redeem", slug=slug, secret=secret)


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATE_LIMIT_NEW_EVENTS"], methods=["POST"], key_func=client_address)
def new_event() -> str | Response:
    """Create an event with rooms and slots; shows the organizer link once."""
    form = EventForm()
    if form.is_submitted():
        # Every field is checked before anything is created, so the organizer sees all problems at once.
        valid = form.validate()
        rooms = slots = None
        if form.rooms.data:
            try:
                rooms = parse_rooms(form.rooms.data)
            except ValueError as error:
                form.rooms.errors = [*form.rooms.errors, str(error)]
        if form.slots.data:
            try:
                slots = parse_slots(form.slots.data, form.starts_on.data or date.today())
            except ValueError as error:
                form.slots.errors = [*form.slots.errors, str(error)]
        required = current_app.config["EVENT_CREATION_PASSWORD"]
        if required and not hmac.compare_digest((form.password.data or "").encode(), required.encode()):
            form.password.errors = [_("Wrong password: ask whoever runs this server for it.")]
        tz = (form.timezone.data or "").strip()
        if tz and not valid_timezone(tz):
            form.timezone.errors = [*form.timezone.errors, _("Unknown time zone.")]
        if valid and rooms and slots and not form.timezone.errors and not form.password.errors:
            try:
                event, _unshown = create_event(
                    name=form.name.data,
                    slug=form.slug.data or None,
                    venue=form.venue.data or None,
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                    timezone=form.timezone.data.strip(),
                    language=form.language.data,
                    rooms=rooms,
                    slots=slots,
                    max_topics_per_participant=current_app.config["MAX_TOPICS_PER_PARTICIPANT"],
                )
            except DomainError as error:
                for name, message in error.fields.items():
                    getattr(form, name, form.name).errors.append(message)
            else:
                grant_organizer(event)
                # Post/redirect/get: a reload shows the page again instead of creating a second event. The session
                # carries a one-time token, never the secret: /created makes the organizer secret it shows.
                session["created"] = {"event_id": event.id, "token": issue_reveal_token(event)}
                return redirect(url_for("organizer.created", slug=event.slug))
    status = 403 if form.password.errors else 422 if form.errors else 200
    return render_template(
        "organizer/new.html",
        form=form,
        address_base=address_base(),
        ask_password=bool(current_app.config["EVENT_CREATION_PASSWORD"]),
    ), status


@bp.get("/e/<slug>/created")
def created(slug: str) -> str | Response:
    """The links of a just-created event; the organizer link is shown this one time only."""
    event = load_event(slug)
    just_created = session.get("created")
    if not isinstance(just_created, dict) or just_created.get("event_id") != event.id:
        return redirect(url_for("organizer.overview", slug=slug))
    session.pop("created")
    secret = redeem_reveal_token(event, just_created.get("token"))
    if secret is None:  # shown before (an old copy of the cookie): the link is not shown again
        return redirect(url_for("organizer.overview", slug=slug))
    grant_organizer(event)  # the new secret changed the organizer key: this browser keeps its rights
    return render_template(
        "organizer/created.html",
        event=event,
        organizer_link=organizer_url(event.slug, secret),
        unreachable=phones_cannot_reach(join_url(event)),
        lan=lan_address(),
        join_url=join_url(event),
        wall_url=public_url("pages.projector", slug=event.slug),
    )


@bp.get("/e/<slug>/organize/<secret>")
def redeem(slug: str, secret: str) -> Response:
    """Grant organizer rights to this browser when the secret matches."""
    event = load_event(slug)
    if len(secret) > 128 or not secret_matches(secret, event.organizer_key_hash):
        abort(404)
    grant_organizer(event)
    flash(_("You are now an organizer of this event on this device."), "info")
    return redirect(url_for("organizer.overview", slug=slug))


@bp.get("/e/<slug>/organizer")
def overview(slug: str) -> str:
    """The organizer's overview: links, QR code, and the wall with moderation rights."""
    event = load_event(slug)
    if not current_actor().is_organizer(event.id):
        abort(403)
    return render_template(
        "organizer/overview.html",
        event=event,
        state=wall_state(event),
        mine=my_topic_ids(event.id, current_actor()),
        join_url=join_url(event),
        unreachable=phones_cannot_reach(join_url(event)),
        lan=lan_address(),
    )


@bp.get("/e/<slug>/organizer/grid")
def grid(slug: str) -> str:
    """The moderation grid for a laptop: the whole wall, topics dragged or moved from a menu, the unplaced tray."""
    event = load_event(slug)
    if not current_actor().is_organizer(event.id):
        abort(403)
    state = snapshot_of(event).counted_state(interest_counts(event.id))
    return render_template(
        "organizer/grid.html",
        event=event,
        state=state,
        withdrawn=moderation_state(event)["withdrawn"],
    )


@bp.get("/e/<slug>/organizer/conflicts")
def conflicts(slug: str) -> str:
    """Every clash on the wall, ranked by how many people it hurts; live (static/js/conflicts.js)."""
    event = load_event(slug)
    if not current_actor().is_organizer(event.id):
        abort(403)
    return render_template("organizer/conflicts.html", event=event, state=wall_state(event))
