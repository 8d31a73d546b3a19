"""Language and time zone choice: explicit switch, then the event's language, then the browser."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, get_locale

SUPPORTED = ("de", "en")


def select_locale() -> str:
    """The wall's fixed event language, else the remembered switch, the event's language, or the browser's."""
    forced = getattr(g, "force_language", None)
    if forced in SUPPORTED:
        return forced
    chosen = session.get("lang") if has_request_context() else None
    if chosen in SUPPORTED:
        return chosen
    event_language = getattr(g, "event_language", None)
    if event_language in SUPPORTED:
        return event_language
    if not has_request_context():
        return "en"
    return request.accept_languages.best_match(SUPPORTED) or "de"


def select_timezone() -> str | None:
    """Times are shown in the event's time zone when a page belongs to an event."""
    return getattr(g, "event_timezone", None)


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the selectors above."""
    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "de")
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["day_headings"] = day_headings
    app.jinja_env.add_extension("jinja2.ext.do")


def clock(iso: str) -> str:
    """HH:MM of an ISO timestamp that already carries the event's offset."""
    return iso[11:16]


def dayname(iso: str) -> str:
    """Weekday and date of an ISO timestamp in the current language, e.g. "Freitag, 27. Februar 2026"."""
    return format_date(date.fromisoformat(iso[:10]), format="full", locale=str(get_locale() or "de"))


def day_headings(slots: list[dict]) -> list[str | None]:
    """For each slot, the day heading to put before it: None when the day did not change or all slots share one.

    static/js/render.js dayHeadings() does the same in the browser.
    """
    days = [slot["starts_at"][:10] for slot in slots]
    if len(set(days)) < 2:
        return [None] * len(slots)
    return [dayname(slot["starts_at"]) if i == 0 or days[i] != days[i - 1] else None for i, slot in enumerate(slots)]
