"""A participant's own plan of one event: the topics they host and the ones they marked "interessiert mich",
and the secret address of their personal calendar feed.

The feed's secret is derived from the participant's own key and a generation number (HMAC-SHA-256), so their
phone can show the address again at any time; the database keeps only its hash. A reset raises the generation:
every older address is then unknown (404), and calendars subscribed to it stop receiving the plan.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask_babel import gettext as _
from sqlalchemy import select

from .errors import DomainError
from .extensions import db
from .identity import Actor, hash_secret
from .models import Event, FeedKey, Interest, Topic

FEED_SECRET_LENGTH = 32  # characters of URL-safe base64: 192 bits


def interested_topic_ids(event_id: int, actor: Actor) -> list[int]:
    """Ids of the topics of the event this participant marked as interesting, in id order."""
    if actor.author_hash is None:
        return []
    query = (
        select(Interest.topic_id)
        .where(Interest.event_id == event_id, Interest.author_hash == actor.author_hash)
        .order_by(Interest.topic_id)
    )
    return list(db.session.scalars(query))


def plan_topic_ids(event_id: int, author_hash: str) -> set[int]:
    """Every topic in one participant's plan: the ones they posted and the ones they are interested in."""
    own = select(Topic.id).where(Topic.event_id == event_id, Topic.author_hash == author_hash)
    marked = select(Interest.topic_id).where(Interest.event_id == event_id, Interest.author_hash == author_hash)
    return set(db.session.scalars(own)) | set(db.session.scalars(marked))


def _derive(participant_key: str, event_id: int, generation: int) -> str:
    mac = hmac.new(participant_key.encode(), f"openspace-feed:{event_id}:{generation}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii")[:FEED_SECRET_LENGTH]


def _participant_key(actor: Actor) -> str:
    if actor.participant_key is None or actor.author_hash is None:
        raise DomainError("forbidden", _("Open the event's page on this device first."))
    return actor.participant_key


def feed_secret(event: Event, actor: Actor) -> str:
    """This participant's current feed secret for the event, creating their feed on first use."""
    key = _participant_key(actor)
    row = db.session.get(FeedKey, (event.id, actor.author_hash))
    if row is None:
        secret = _derive(key, event.id, 1)
        db.session.add(
            FeedKey(event_id=event.id, author_hash=actor.author_hash, generation=1, key_hash=hash_secret(secret))
        )
        db.session.commit()
        return secret
    return _derive(key, event.id, row.generation)


def reset_feed(event: Event, actor: Actor) -> str:
    """Give the participant a new feed secret; the old address stops working at once. Returns the new secret."""
    key = _participant_key(actor)
    row = db.session.get(FeedKey, (event.id, actor.author_hash), with_for_update=True)
    if row is None:
        row = FeedKey(event_id=event.id, author_hash=actor.author_hash, generation=0)
        db.session.add(row)
    row.generation += 1
    secret = _derive(key, event.id, row.generation)
    row.key_hash = hash_secret(secret)
    db.session.commit()
    return secret


def feed_owner(event: Event, secret: object) -> str | None:
    """The author hash whose feed `secret` opens in this event, or None for an unknown, old or malformed one."""
    if not isinstance(secret, str) or len(secret) != FEED_SECRET_LENGTH:
        return None
    query = select(FeedKey.author_hash).where(FeedKey.event_id == event.id, FeedKey.key_hash == hash_secret(secret))
    return db.session.scalar(query)
