"""Applying a whole-wall proposal over JSON (computing one is GET …/proposal)."""

from __future__ import annotations

from flask import Blueprint, Response

from ..proposal import apply_proposal
from .api import _event, _json_body, write_limits
from .moderation import _done
from .people import current_actor

bp = Blueprint("proposal", __name__, url_prefix="/api/events/<slug>")


@bp.post("/proposal")
@write_limits
def apply(slug: str) -> Response:
    """Apply {"moves": [{"topic_id", "from", "to"}, …]} in one step: one revision, one delta, one undo."""
    event = _event(slug)
    change, moved = apply_proposal(event, actor=current_actor(), data=_json_body())
    return _done(event, [change], moved=moved)
