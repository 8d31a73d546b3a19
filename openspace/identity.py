"""Who is acting: a participant recognised by a cookie, possibly with organizer rights."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _

from .errors import DomainError


def hash_secret(secret: str) -> str:
    """SHA-256 hex digest: what is stored instead of a participant key or organizer secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A URL-safe random secret of 192 bits."""
    return secrets.token_urlsafe(24)


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time check of a presented secret against its stored hash."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)


@dataclass(frozen=True)
class Actor:
    """The person behind a request or socket event."""

    participant_key: str | None = None
    organizer_of: frozenset[int] = field(default_factory=frozenset)

    @property
    def author_hash(self) -> str | None:
        """The hash under which this participant's topics are stored."""
        return hash_secret(self.participant_key) if self.participant_key else None

    def is_organizer(self, event_id: int) -> bool:
        """True when this person opened the organizer link of that event."""
        return event_id in self.organizer_of

    def require_organizer(self, event_id: int) -> None:
        """Refuse (403) an action that only the organizers of that event may take."""
        if not self.is_organizer(event_id):
            raise DomainError("forbidden", _("Only the organizers can do this."))

    def owns(self, author_hash: str) -> bool:
        """True when a topic stored under author_hash was posted by this participant."""
        mine = self.author_hash
        return mine is not None and hmac.compare_digest(mine, author_hash)


NOBODY = Actor()
