"""Planning hints over JSON: ranked free cells, the whole-wall proposal and the conflict view (docs/api.md)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from ..errors import DomainError
from ..exports import off_the_loop
from ..exports.pace import pause
from ..extensions import db
from ..fields import valid_id
from ..hints import conflict_text, current_plan, reason_text
from ..models import HOST_MAX
from ..planning import Plan, apply_moves, conflict_score, conflicts, normalise_host, propose, suggest, suggest_new
from ..proposal import apply_proposal
from .api import _event, _json_body, write_limits
from .moderation import _done
from .people import current_actor

bp = Blueprint("planning", __name__, url_prefix="/api/events/<slug>")

_proposals: dict[tuple[str, int], tuple[Plan, dict[str, Any]]] = {}  # the last proposal per event, by its plan


@contextmanager
def _search_beside_the_loop() -> Iterator[None]:
    """While a proposal is computed in the thread pool:

    - the interpreter hands the GIL back every 0.2 ms instead of every 5 ms: each time the server's loop waits
      on I/O the search thread takes the GIL, and the loop's next turn waits for a switch;
    - the cyclic garbage collector pauses: the search builds tens of thousands of small containers, and a full
      collection they trigger walks every object of the server (1,000 connections) holding the GIL for 100 ms
      and more. What the search builds is freed by reference counting when it ends.

    Both are process-wide; they are restored when the last search ends.
    """
    global _searching, _saved
    if _searching == 0:
        _saved = (sys.getswitchinterval(), gc.isenabled())
        sys.setswitchinterval(0.0002)
        gc.disable()
    _searching += 1
    try:
        yield
    finally:
        _searching -= 1
        if _searching == 0:
            sys.setswitchinterval(_saved[0])
            if _saved[1]:
                gc.enable()


_searching = 0
_saved = (0.005, True)


def _texts(items: list[Any], text: Any) -> list[Any]:
    """The translated texts of many items, with a pause for the loop every 50."""
    done = []
    for n, item in enumerate(items):
        done.append(text(item))
        if n % 50 == 49:
            pause()
    return done


def _cell(cell: tuple[int, int] | None) -> dict[str, int] | None:
    return None if cell is None else {"room_id": cell[0], "slot_id": cell[1]}


@bp.get("/suggestions")
def suggestions(slug: str) -> Response:
    """Every free open cell for a topic (?topic=<id>) or a new topic by a host (?host=<name>), best first."""
    event = _event(slug)
    topic, host = request.args.get("topic"), request.args.get("host")
    topic_id = valid_id(topic) if topic is not None else None
    name = normalise_host(host or "")
    if topic is not None and topic_id is None:
        raise DomainError("bad_request", _("The topic is not a valid id."))
    if topic_id is None and (not name or len(name) > HOST_MAX):
        raise DomainError("bad_request", _("Name a topic (topic=<id>) or a host (host=<name>)."))
    plan = current_plan(event)
    if topic_id is not None:
        if all(t.id != topic_id for t in plan.topics):
            raise DomainError("not_found", _("This topic does not exist."))
        ranked = suggest(plan, topic_id)  # about a millisecond even on the largest walls
    else:
        ranked = suggest_new(plan, frozenset({name}))
    return jsonify(
        {
            "topic_id": topic_id,
            "suggestions": _texts(
                ranked,
                lambda s: {
                    "room_id": s.room_id,
                    "slot_id": s.slot_id,
                    "score": s.score,
                    "reasons": [reason_text(r, plan) for r in s.reasons],
                },
            ),
        }
    )


def _organizer_plan(slug: str) -> tuple[int, Plan, int]:
    event = _event(slug)
    current_actor().require_organizer(event.id)
    return event.id, current_plan(event), event.revision


def _computed(plan: Plan) -> dict[str, Any]:
    moves = propose(plan)
    return {"moves": moves, "before": conflict_score(plan), "after": conflict_score(apply_moves(plan, moves))}


@bp.get("/proposal")
def proposal(slug: str) -> Response:
    """Moves that lower the conflict score (organizers), computed off the server's loop."""
    event_id, plan, revision = _organizer_plan(slug)
    key = (str(db.engine.url), event_id)
    cached = _proposals.get(key)
    if cached is not None and (cached[0] is plan or cached[0] == plan):
        found = cached[1]
    else:
        with _search_beside_the_loop():
            found = off_the_loop(_computed, plan)
        _proposals[key] = (plan, found)
    titles = {t.id: t.title for t in plan.topics}
    return jsonify(
        {
            "revision": revision,
            "moves": _texts(
                found["moves"],
                lambda m: {
                    "topic_id": m.topic_id,
                    "title": titles[m.topic_id],
                    "from": _cell(m.source),
                    "to": _cell(m.target),
                    "reasons": [reason_text(r, plan) for r in m.reasons],
                },
            ),
            "conflicts_before": found["before"],
            "conflicts_after": found["after"],
        }
    )


@bp.get("/conflicts")
def conflict_view(slug: str) -> Response:
    """Every clash of the wall, most people hurt first (organizers)."""
    _, plan, _revision = _organizer_plan(slug)
    found, score = off_the_loop(lambda p: (conflicts(p), conflict_score(p)), plan)
    return jsonify(
        {
            "score": score,
            "conflicts": _texts(
                found,
                lambda c: {
                    "kind": c.kind,
                    "slot_id": c.slot_id,
                    "room_id": c.room_id,
                    "topics": list(c.topic_ids),
                    "people": c.people,
                    "text": conflict_text(c, plan),
                },
            ),
        }
    )


@bp.post("/proposal")
@write_limits
def apply_proposal_view(slug: str) -> Response:
    """Apply {"moves": [{"topic_id", "from", "to"}, …]} in one step: one revision, one delta, one undo (organizers)."""
    event = _event(slug)
    change, moved = apply_proposal(event, actor=current_actor(), data=_json_body())
    return _done(event, [change], moved=moved)
