"""Planning hints over JSON: ranked free cells, the whole-wall proposal and the conflict view (docs/api.md)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from ..errors import DomainError
from ..exports.pace import pause
from ..extensions import db
from ..fields import valid_id
from ..hints import conflict_text, current_plan, reason_text
from ..models import HOST_MAX
from ..planning import (
    Plan,
    Reason,
    Suggestion,
    apply_moves,
    conflict_score,
    conflicts,
    normalise_host,
    place_and_suggestions,
    propose,
    suggest_new,
)
from ..proposal import apply_proposal
from .api import _event, _json_body, write_limits
from .moderation import _done
from .people import current_actor

bp = Blueprint("planning", __name__, url_prefix="/api/events/<slug>")

_proposals: dict[tuple[str, int], tuple[Plan, dict[str, Any]]] = {}  # the last proposal per event, by its plan


@contextmanager
def _collector_paused() -> Iterator[None]:
    """While a proposal is searched, the cyclic garbage collector waits: the search builds hundreds of thousands
    of small containers, and a full collection they trigger walks every object of the server (1,000
    connections) in one go, 100 ms and more. What it builds is freed by reference counting as it goes.
    Process-wide; the collector runs again when the last search ends. (Pausing it for the other planning
    answers too made their stalls longer: the collections waited and came together.)"""
    global _searching, _collecting
    if _searching == 0:
        _collecting = gc.isenabled()
        gc.disable()
    _searching += 1
    try:
        yield
    finally:
        _searching -= 1
        if _searching == 0 and _collecting:
            gc.enable()


_searching = 0
_collecting = True


def _reason_texts(plan: Plan) -> Any:
    """reason_text for one answer, each distinct reason put into words once: the free cells of one slot share
    their overlap reasons, and an answer names hundreds of them."""
    said: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}

    def text(reason: Reason) -> str:
        key = (reason.code, tuple(sorted(reason.params.items())))
        found = said.get(key)
        if found is None:
            found = said[key] = reason_text(reason, plan)
        return found

    return text


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
    """Every free open cell for a topic (?topic=<id>) or a new topic by a host (?host=<name>), best first, and
    what a placed topic costs where it is now (to compare with)."""
    event = _event(slug)
    topic, host = request.args.get("topic"), request.args.get("host")
    topic_id = valid_id(topic) if topic is not None else None
    name = normalise_host(host or "")
    if topic is not None and topic_id is None:
        raise DomainError("bad_request", _("The topic is not a valid id."))
    if topic_id is None and (not name or len(name) > HOST_MAX):
        raise DomainError("bad_request", _("Name a topic (topic=<id>) or a host (host=<name>)."))
    plan = current_plan(event)
    here = None
    if topic_id is not None:
        if all(t.id != topic_id for t in plan.topics):
            raise DomainError("not_found", _("This topic does not exist."))
        here, ranked = place_and_suggestions(plan, topic_id)  # about a millisecond even on the largest walls
    else:
        ranked = suggest_new(plan, frozenset({name}))
    said = _reason_texts(plan)

    def shown(s: Suggestion) -> dict[str, Any]:
        return {"room_id": s.room_id, "slot_id": s.slot_id, "score": s.score, "reasons": [said(r) for r in s.reasons]}

    return jsonify(
        {
            "topic_id": topic_id,
            "current": shown(here) if here is not None else None,
            "suggestions": _texts(ranked, shown),
        }
    )


def _organizer_plan(slug: str) -> tuple[int, Plan, int]:
    event = _event(slug)
    current_actor().require_organizer(event.id)
    return event.id, current_plan(event), event.revision


def _computed(plan: Plan) -> dict[str, Any]:
    """The proposal, searched on the server's loop in slices of a few milliseconds (`pause` between them): a
    thread beside the loop took the interpreter's lock from it at every system call, 30–60 ms stalls with
    1,000 connections."""
    moves = propose(plan, pause=pause)
    before = conflict_score(plan)
    pause()
    return {"moves": moves, "before": before, "after": conflict_score(apply_moves(plan, moves))}


@bp.get("/proposal")
@_collector_paused()
def proposal(slug: str) -> Response:
    """Moves that lower the conflict score (organizers), computed off the server's loop."""
    event_id, plan, revision = _organizer_plan(slug)
    key = (str(db.engine.url), event_id)
    cached = _proposals.get(key)
    if cached is not None and (cached[0] is plan or cached[0] == plan):
        found = cached[1]
    else:
        found = _computed(plan)
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
    found = conflicts(plan)  # a few milliseconds each, on the loop: a thread beside it would cost it more
    pause()
    score = conflict_score(plan)
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
