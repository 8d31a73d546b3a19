"""The one domain error type, mapped once per transport (HTTP status, socket ack)."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A refused change: nothing was written; `message` is safe to show to the user."""

    STATUS: ClassVar[dict[str, int]] = {
        "invalid": 422,
        "taken": 409,
        "conflict": 409,
        "nothing_to_undo": 409,
        "changed": 409,
        "pinned": 409,
        "forbidden": 403,
        "blocked": 403,
        "limit": 422,
        "full": 422,
        "not_found": 404,
        "locked": 423,
        "bad_request": 400,
        "rate_limited": 429,
        "failed": 500,
        "unavailable": 503,
        "too_large": 413,
        "not_live": 409,
        "no_slot_now": 409,
    }

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}

    @property
    def status(self) -> int:
        """HTTP status for this refusal."""
        return self.STATUS.get(self.code, 400)

    def as_dict(self) -> dict[str, Any]:
        """Plain-data form used by the JSON API and socket acknowledgements."""
        body: dict[str, Any] = {"ok": False, "error": self.message, "code": self.code}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body
