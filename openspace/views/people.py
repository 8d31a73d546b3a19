"""Who is making this request: the participant key and organizer rights kept in the signed session."""

from __future__ import annotations

from flask import request, session

from ..identity import Actor, hash_secret, new_secret


def participant_key() -> str | None:
    """This browser's participant key from the signed session, or None before its first page view."""
    key = session.get("pk")
    return key if isinstance(key, str) else None


def ensure_participant() -> str:
    """The participant key of this browser, created on first contact."""
    if participant_key() is None:
        session["pk"] = new_secret()
        session.permanent = True
    return session["pk"]


def current_actor() -> Actor:
    """The Actor for this request (a participant without a key cannot own anything)."""
    key = participant_key()
    organizer_of = session.get("org") if isinstance(session.get("org"), list) else []
    return Actor(participant_key=key, organizer_of=frozenset(i for i in organizer_of if isinstance(i, int)))


def grant_organizer(event_id: int) -> None:
    """Remember in the session that this browser opened the event's organizer link."""
    ensure_participant()
    granted = [i for i in session.get("org", []) if isinstance(i, int) and i != event_id]
    session["org"] = [*granted, event_id][-20:]
    session.permanent = True


def rate_limit_key() -> str:
    """Who a rate limit counts against: this participant, or the client address without a session."""
    key = participant_key()
    return "p:" + hash_secret(key)[:32] if key is not None else client_address()


def client_address() -> str:
    """Rate-limit key for the generous per-address ceiling."""
    return "a:" + (request.remote_addr or "unknown")
