"""Printables of the organizer control room: the join poster, door signs, topic sheets; as HTML and as PDF."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, copy_current_request_context, render_template, request, url_for
from flask_babel import gettext as _

from ..errors import DomainError
from ..exports import off_the_loop
from ..i18n import dayname
from ..models import Event
from ..pdf import render_pdf
from ..printables import door_signs, event_days, parse_day, topic_sheets
from ..snapshot import wall_state
from .counts import room_url
from .pages import join_url, load_event, topic_url
from .people import current_actor

bp = Blueprint("printables", __name__, url_prefix="/e/<slug>/print")
SIZES = ("a4", "a3")


def _organizers_event(slug: str) -> Event:
    """The event, when this browser holds its organizer rights (checked on the server's state); else 403."""
    event = load_event(slug)
    if not current_actor().is_organizer(event.id):
        abort(403)
    return event


def _answer(template: str, filename: str, qr_codes: dict[str, str], *, pdf: bool, **context: Any) -> str | Response:
    """The printable as a page, or as a PDF download of the very same page.

    The page's QR images are the qr.svg routes (`qr_codes`: path -> text); the PDF worker draws them itself.
    """
    page = copy_current_request_context(
        lambda _: render_template(
            template, pdf_url=f"{request.path}.pdf", query=request.query_string.decode(), **context
        )
    )
    html = off_the_loop(page, None)  # 300 sheets take the template 40-70 ms: off the loop, the wall keeps going
    if not pdf:
        return html
    response = Response(render_pdf(html, qr_codes), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/poster", defaults={"pdf": False})
@bp.get("/poster.pdf", defaults={"pdf": True})
def poster(slug: str, pdf: bool) -> str | Response:
    """The join poster with its QR code, on A4 (default) or A3."""
    event = _organizers_event(slug)
    size = request.args.get("size", "a4")
    if size not in SIZES:
        raise DomainError("bad_request", _("Unknown paper size: choose a4 or a3."))
    url, qr = join_url(event), url_for("pages.qr_svg", slug=event.slug)
    return _answer(
        "print/poster.html", f"{event.slug}-poster-{size}", {qr: url}, pdf=pdf, event=event, size=size, join_url=url,
        qr=qr,
    )  # fmt: skip


@bp.get("/doors", defaults={"pdf": False})
@bp.get("/doors.pdf", defaults={"pdf": True})
def doors(slug: str, pdf: bool) -> str | Response:
    """One A4 door sign per room: its schedule of one day and the QR code of the room's check-in page."""
    event = _organizers_event(slug)
    state = wall_state(event)
    today = datetime.now(ZoneInfo(event.timezone)).date()
    day = parse_day(request.args.get("day"), state, today)
    if day is None:
        raise DomainError("not_found", _("The event has no slots on that day (use YYYY-MM-DD)."))
    signs = door_signs(state, day)
    for sign in signs:  # each sign's QR opens its room's page: what runs there, one tap to check in
        sign["url"] = room_url(event.slug, sign["room"]["id"])
        sign["qr"] = url_for("counts.room_qr_svg", slug=event.slug, room_id=sign["room"]["id"])
    return _answer(
        "print/doors.html", f"{event.slug}-doors-{day}", {sign["qr"]: sign["url"] for sign in signs}, pdf=pdf,
        event=event, day=day, day_label=dayname(day), days=event_days(state), signs=signs,
    )  # fmt: skip


@bp.get("/topics", defaults={"pdf": False})
@bp.get("/topics.pdf", defaults={"pdf": True})
def topics(slug: str, pdf: bool) -> str | Response:
    """An A3 sheet for every topic on the wall, placed ones first in wall order, then the unplaced."""
    event = _organizers_event(slug)
    return _sheets(event, topic_sheets(wall_state(event)), f"{event.slug}-topics", pdf=pdf)


@bp.get("/topics/<id:topic_id>", defaults={"pdf": False})
@bp.get("/topics/<id:topic_id>.pdf", defaults={"pdf": True})
def topic(slug: str, topic_id: int, pdf: bool) -> str | Response:
    """The A3 sheet of one topic on the wall (404 for another event's or a withdrawn one)."""
    event = _organizers_event(slug)
    sheets = topic_sheets(wall_state(event), [topic_id])
    if not sheets:
        abort(404)
    return _sheets(event, sheets, f"{event.slug}-topic-{topic_id}", pdf=pdf)


def _sheets(event: Event, sheets: list[dict[str, Any]], filename: str, *, pdf: bool) -> str | Response:
    for sheet in sheets:
        sheet["url"] = topic_url(event, sheet["topic"]["id"])
        sheet["qr"] = url_for("pages.topic_qr_svg", slug=event.slug, topic_id=sheet["topic"]["id"])
    qr_codes = {sheet["qr"]: sheet["url"] for sheet in sheets}
    return _answer("print/topics.html", filename, qr_codes, pdf=pdf, event=event, sheets=sheets)
