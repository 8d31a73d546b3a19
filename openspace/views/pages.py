"""Participant pages (phone view, poster, QR) and the projector wall."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from ..counts import counted_topic, headcounts, interest_counts
from ..errors import DomainError
from ..events import event_by_slug
from ..extensions import db
from ..i18n import SUPPORTED
from ..models import Event, Topic
from ..myschedule import interested_topic_ids
from ..pdfworker import qr_svg as draw_qr
from ..printables import hosts, place_of
from ..results import get_result
from ..snapshot import my_topic_ids, snapshot_of, wall_state
from .people import current_actor, ensure_participant

bp = Blueprint("pages", __name__)


def load_event(slug: str) -> Event:
    """The page's event, with its language and time zone chosen for rendering."""
    try:
        event = event_by_slug(slug)
    except DomainError:
        abort(404)
    g.event_language, g.event_timezone = event.language, event.timezone
    return event


def public_url(endpoint: str, **values: str) -> str:
    """An absolute link on PUBLIC_URL when it is set (what phones reach), else on the request's address."""
    base = current_app.config.get("PUBLIC_URL") or _lan_base()
    if base:
        return f"{base}{url_for(endpoint, **values)}"
    g.built_from_host = True  # security.py: a response naming the request's Host header is never cached
    return url_for(endpoint, **values, _external=True)


def _lan_base() -> str | None:
    """Listening on every interface but opened as 127.0.0.1 on the laptop: links name its LAN address instead."""
    if current_app.config["HOST"] not in {"0.0.0.0", "::"} or not phones_cannot_reach(request.host_url):
        return None
    lan = lan_address()
    if lan is None:
        return None
    g.built_from_host = True  # the port and scheme still come from this request
    return f"{request.scheme}://{lan}:{urlsplit(request.host_url).port or current_app.config['PORT']}"


def address_base() -> str:
    """Scheme, host and port that links to this site start with (PUBLIC_URL, else the request's)."""
    return public_url("pages.index").removesuffix("/")


def lan_address() -> str | None:
    """This machine's address on its local network (what phones on the venue Wi-Fi could reach), if it has one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # a documentation address: connecting a UDP socket sends nothing
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def phones_cannot_reach(url: str) -> bool:
    """True when `url` points at this computer only (127.0.0.1, localhost): no phone can open it."""
    host = (urlsplit(url).hostname or "").lower()
    return host in {"localhost", "::1"} or host.startswith("127.")


def join_url(event: Event) -> str:
    """The address participants open by scanning the QR code."""
    return public_url("pages.phone", slug=event.slug)


def same_site_path(target: str) -> str:
    """`target` when it is a path on this site, else "/": parsed, never prefix-checked.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so "/\t/evil.example" and
    "/\\evil.example" would leave the site; any control character, backslash, scheme or host is refused.
    """
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return target


@bp.get("/")
def index() -> str:
    """What this is, and the way to create an event."""
    return render_template("pages/index.html")


@bp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    """Remember an explicit language choice and go back."""
    if code in SUPPORTED:
        session["lang"] = code
    return redirect(same_site_path(request.args.get("next", "/")))


@bp.get("/e/<slug>/")
def phone(slug: str) -> str:
    """The phone view: the wall as a list by slot, with the form to post an Anliegen."""
    event = load_event(slug)
    if ensure_participant() is None:
        flash(_("Very many new devices are joining from this network right now. Please reload in a minute."), "error")
    snapshot = snapshot_of(event)
    state = snapshot.counted_state(interest_counts(event.id), headcounts=headcounts(event.id, snapshot.state))
    return render_template(
        "pages/phone.html",
        event=event,
        state=state,
        mine=my_topic_ids(event.id, current_actor()),
        marked=interested_topic_ids(event.id, current_actor()),
        organizer=current_actor().is_organizer(event.id),
        join_url=join_url(event),
    )


@bp.get("/e/<slug>/wall")
def projector(slug: str) -> str:
    """The projector wall: the full grid, live, with the join QR code."""
    event = load_event(slug)
    g.force_language = event.language  # the wall speaks the event's language, whoever's laptop shows it
    ensure_participant()
    snapshot, url = snapshot_of(event), join_url(event)
    key = (snapshot.revision, snapshot.created_at, snapshot.stale_at, url, event.language)
    place = (str(db.engine.url), event.id)
    cached = _walls.get(place)
    if cached is None or cached[0] != key:
        # The wall is the same page for every viewer of one revision (no CSRF token, no one's messages):
        # rendered once per revision, like the snapshot it shows.
        html = render_template(
            "pages/projector.html", event=event, state=snapshot.state, join_url=url, shared_page=True
        )
        cached = _walls[place] = (key, html)
    return cached[1]


_walls: dict[tuple[str, int], tuple[tuple[Any, ...], str]] = {}  # (database, event id) -> (version, page)


@bp.get("/e/<slug>/poster")
def poster(slug: str) -> str:
    """A printable A4 poster with the join QR code."""
    event = load_event(slug)
    url = join_url(event)
    return render_template(
        "pages/poster.html", event=event, join_url=url, unreachable=phones_cannot_reach(url), lan=lan_address()
    )


def topic_url(event: Event, topic_id: int) -> str:
    """The address of one topic's page, as its printed sheet's QR code opens it."""
    return public_url("pages.topic", slug=event.slug, topic_id=str(topic_id))


@bp.get("/e/<slug>/t/<id:topic_id>")
def topic(slug: str, topic_id: int) -> tuple[str, int]:
    """One topic's page: what it is, who hosts it, where and when; live, editable by its host and organizers."""
    event = load_event(slug)
    found = db.session.get(Topic, topic_id)
    if found is None or found.event_id != event.id or found.status == "pending":
        abort(404)
    ensure_participant()
    actor = current_actor()
    state = wall_state(event)
    live = counted_topic(event.id, next((t for t in state["topics"] if t["id"] == topic_id), None))
    organizer = actor.is_organizer(event.id)
    result = get_result(event, topic_id=topic_id, actor=actor) if live else None
    return render_template(
        "pages/topic.html",
        result=result,
        event=event,
        state=state,
        topic=live,
        topic_id=topic_id,
        hosts=hosts(live) if live else [],
        place=place_of(state, live) if live else None,
        mine=actor.owns(found.author_hash),
        organizer=organizer,
    ), 200 if live else 410


RESULT_STATES = ("missing", "draft", "documented", "reviewed")


def board_rows(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Every placed topic with its room and slot, by time then room: what the results board lists."""
    rooms = {room["id"]: n for n, room in enumerate(state["rooms"])}
    slots = {slot["id"]: n for n, slot in enumerate(state["slots"])}
    placed = [t for t in state["topics"] if t["room_id"] is not None]
    placed.sort(key=lambda t: (slots[t["slot_id"]], rooms[t["room_id"]]))
    return [{"topic": t, "place": place_of(state, t), "hosts": hosts(t)} for t in placed]


@bp.get("/e/<slug>/results")
def results_board(slug: str) -> str:
    """The results board: every placed session with its result's state (never its text), live."""
    event = load_event(slug)
    ensure_participant()
    state = wall_state(event)
    rows = board_rows(state)
    counts = {name: sum(1 for r in rows if r["topic"]["result_state"] == name) for name in RESULT_STATES}
    return render_template(
        "pages/results.html",
        event=event,
        state=state,
        rows=rows,
        counts=counts,
        organizer=current_actor().is_organizer(event.id),
    )


@bp.get("/e/<slug>/t/<id:topic_id>/qr.svg")
def topic_qr_svg(slug: str, topic_id: int) -> Response:
    """The QR code of a topic's page, as its printed sheet shows it."""
    event = load_event(slug)
    found = db.session.get(Topic, topic_id)
    if found is None or found.event_id != event.id or found.status == "pending":
        abort(404)
    return _qr_response(topic_url(event, topic_id))


@bp.get("/e/<slug>/qr.svg")
def qr_svg(slug: str) -> Response:
    """The join QR code as SVG (no Pillow needed)."""
    event = load_event(slug)
    return _qr_response(join_url(event))


def _qr_response(text: str) -> Response:
    response = Response(draw_qr(text), mimetype="image/svg+xml")
    if current_app.config.get("PUBLIC_URL"):  # built from the configured address only: the same for everyone
        response.headers["Cache-Control"] = "public, max-age=300"
    return response
