"""Who is making this request: the participant key and organizer rights kept in the signed session."""

from __future__ import annotations

from flask import request, session

from ..identity import Actor, hash_secret, new_secret


def ensure_participant() -> str:
    """The participant key of this browser, created on first contact."""
    if not isinstance(session.get("pk"), str):
        session["pk"] = new_secret()
        session.permanent = True
    return session["pk"]


def current_actor() -> Actor:
    """The Actor for this request (a participant without a key cannot own anything)."""
    key = session.get("pk") if isinstance(session.get("pk"), str) else None
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
    key = session.get("pk")
    if isinstance(key, str):
        return "p:" + hash_secret(key)[:32]
    return "a:" + (request.remote_addr or "unknown")


def client_address() -> str:
    """Rate-limit key for the generous per-address ceiling."""
    return "a:" + (request.remote_addr or "unknown")
