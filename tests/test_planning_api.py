"""The planning endpoints: suggestions for anyone, the proposal and the conflict view for organizers only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from conftest import Organizer, Participant, topic_body

from openspace.events import RoomSpec, SlotSpec, create_event
from openspace.extensions import db
from openspace.models import Interest

FUTURE = date.today() + timedelta(days=60)  # every slot still open whenever the suite runs


def _future_event(app, slug, *, rooms=(("Klein", 2), ("Groß", 10)), slots=2):
    with app.app_context():
        event, secret = create_event(
            name="Planung",
            slug=slug,
            starts_on=FUTURE,
            ends_on=None,
            timezone="Europe/Berlin",
            language="en",
            rooms=[RoomSpec(name, capacity) for name, capacity in rooms],
            slots=[
                SlotSpec(
                    datetime.combine(FUTURE, time(9 + i)), datetime.combine(FUTURE, time(9 + i, 50)), f"Runde {i + 1}"
                )
                for i in range(slots)
            ],
        )
        return event.slug, secret


def _ids(app, slug):
    with app.app_context():
        from openspace.events import event_by_slug

        event = event_by_slug(slug)
        return [r.id for r in event.rooms], [s.id for s in event.slots], event.id


def _mark(app, event_id, topic_id, *people):
    with app.app_context():
        for person in people:
            db.session.add(Interest(topic_id=topic_id, author_hash=person, event_id=event_id))
        db.session.commit()


@pytest.fixture
def planned(app):
    """Two rooms (Klein holds 2, Groß 10) × two slots; three topics: A (4 interested) in Klein/Runde 1, B (3, two
    shared with A) in Groß/Runde 1, C (host of A as co-host? no: own host) unplaced."""
    slug, secret = _future_event(app, "plan")
    rooms, slots, event_id = _ids(app, slug)
    orga = Organizer(app, slug, secret)
    a = orga.post(topic_body("A", host="Ada", room_id=rooms[0], slot_id=slots[0])).get_json()["topic"]["id"]
    b = orga.post(topic_body("B", host="Bo", room_id=rooms[1], slot_id=slots[0])).get_json()["topic"]["id"]
    _mark(app, event_id, a, "p1", "p2", "p3", "p4")
    _mark(app, event_id, b, "p1", "p2", "p5")
    return {"slug": slug, "orga": orga, "rooms": rooms, "slots": slots, "a": a, "b": b, "event_id": event_id}


def test_conflicts_lists_every_clash_by_people(app, planned):
    p = planned
    got = p["orga"].call("get", "conflicts")
    assert got.status_code == 200
    assert got.get_json() == {
        "score": 4,
        "conflicts": [
            {
                "kind": "capacity",
                "slot_id": p["slots"][0],
                "room_id": p["rooms"][0],
                "topics": [p["a"]],
                "people": 2,
                "text": "‘A’ (Runde 1): Klein holds 2, 4 interested",
            },
            {
                "kind": "overlap",
                "slot_id": p["slots"][0],
                "room_id": None,
                "topics": [p["a"], p["b"]],
                "people": 2,
                "text": "2 people are interested in both ‘A’ and ‘B’ (Runde 1)",
            },
        ],
    }


def test_proposal_moves_the_crowded_topic_apart_and_into_the_big_room(app, planned):
    p = planned
    got = p["orga"].call("get", "proposal")
    assert got.status_code == 200
    assert got.get_json() == {
        "revision": 2,
        "moves": [
            {
                "topic_id": p["a"],
                "title": "A",
                "from": {"room_id": p["rooms"][0], "slot_id": p["slots"][0]},
                "to": {"room_id": p["rooms"][1], "slot_id": p["slots"][1]},
                "reasons": [
                    "4 interested: the new room holds 10",
                    "No longer at the same time as ‘B’ (2 people are interested in both)",
                ],
            }
        ],
        "conflicts_before": 4,
        "conflicts_after": 0,
    }


def test_suggestions_rank_every_free_cell_with_reasons(app, planned):
    p = planned
    phone = Participant(app, p["slug"])
    got = phone.call("get", f"suggestions?topic={p['b']}")
    assert got.status_code == 200
    klein, gross = p["rooms"]
    assert got.get_json() == {
        "topic_id": p["b"],
        "suggestions": [
            {"room_id": gross, "slot_id": p["slots"][1], "score": 0, "reasons": ["No clash known"]},
            {"room_id": klein, "slot_id": p["slots"][1], "score": 1, "reasons": ["Room holds 2, 3 interested"]},
        ],
    }
