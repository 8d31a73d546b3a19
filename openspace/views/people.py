"""Who is making this request: the participant key and organizer rights kept in the signed session."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app, g, request, session
from limits import parse
from sqlalchemy import select

from ..extensions import db, limiter
from ..identity import Actor, hash_secret, new_secret
from ..models import Event


def participant_key() -> str | None:
    """This browser's participant key from the signed session, or None before its first page view."""
    key = session.get("pk")
    return key if isinstance(key, str) else None


def ensure_participant(*, limited: bool = True) -> str | None:
    """The participant key of this browser, created on first contact; None when this address minted too many.

    Every new key may pin a few topics, so a script that drops its cookie to get a fresh one would multiply the
    per-person cap: new keys per address are limited to what a venue's NAT needs (2,000 phones arriving at once).
    """
    if participant_key() is None:
        if limited and not _may_mint_key():
            return None
        session["pk"] = new_secret()
        session.permanent = True
    return session["pk"]


def _may_mint_key() -> bool:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    limit = parse(current_app.config["RATE_LIMIT_NEW_PARTICIPANTS"])
    return limiter.limiter.hit(limit, "new-participants", client_address())


def organizer_grant(event_id: int, organizer_key_hash: str, created_at: datetime) -> str:
    """What the session keeps for organizer rights: a MAC of the event's current organizer key.

    Resetting the key, or a new database whose event has the same id, changes it, so every copy of an older
    session cookie stops granting rights at its next request or socket event.
    """
    message = f"{event_id}:{organizer_key_hash}:{created_at.isoformat()}".encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"organizer-grant:" + message, hashlib.sha256).hexdigest()[:32]


def _granted_events() -> frozenset[int]:
    """The events whose organizer grant in the session still matches the server's organizer key."""
    cached = g.get("_organizer_of")
    if cached is not None:
        return cached
    grants = session.get("org")
    claimed = {}
    if isinstance(grants, list):
        for item in grants:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[0], int) and isinstance(item[1], str):
                claimed[item[0]] = item[1]
    found: frozenset[int] = frozenset()
    if claimed:
        rows = db.session.execute(
            select(Event.id, Event.organizer_key_hash, Event.created_at).where(Event.id.in_(claimed))
        )
        found = frozenset(
            row.id
            for row in rows
            if hmac.compare_digest(claimed[row.id], organizer_grant(row.id, row.organizer_key_hash, row.created_at))
        )
    g._organizer_of = found
    return found


def current_actor() -> Actor:
    """The Actor for this request (a participant without a key cannot own anything)."""
    return Actor(participant_key=participant_key(), organizer_of=_granted_events())


def grant_organizer(event: Event) -> None:
    """Remember in the session that this browser opened the event's organizer link (bound to its current key)."""
    ensure_participant(limited=False)
    grants = session.get("org") if isinstance(session.get("org"), list) else []
    kept = [item for item in grants if isinstance(item, list) and len(item) == 2 and item[0] != event.id]
    grant = organizer_grant(event.id, event.organizer_key_hash, event.created_at)
    session["org"] = [*kept, [event.id, grant]][-20:]
    session.permanent = True
    g.pop("_organizer_of", None)


def rate_limit_key() -> str:
    """Who a rate limit counts against: this participant, or the client address without a session."""
    key = participant_key()
    return "p:" + hash_secret(key)[:32] if key is not None else client_address()


def client_address() -> str:
    """Rate-limit key for the generous per-address ceiling."""
    return "a:" + (request.remote_addr or "unknown")
