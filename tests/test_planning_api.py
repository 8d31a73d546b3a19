"""The planning endpoints: suggestions for anyone, the proposal and the conflict view for organizers only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import Organizer, Participant, topic_body

from openspace.events import RoomSpec, SlotSpec, create_event
from openspace.extensions import db
from openspace.models import Interest, Topic

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
        "current": {
            "room_id": gross,
            "slot_id": p["slots"][0],
            "score": 2,
            "reasons": ["2 people interested in this are also interested in ‘A’ in this slot"],
        },
        "suggestions": [
            {"room_id": gross, "slot_id": p["slots"][1], "score": 0, "reasons": ["No clash known"]},
            {"room_id": klein, "slot_id": p["slots"][1], "score": 1, "reasons": ["Room holds 2, 3 interested"]},
        ],
    }


def test_suggestions_say_what_a_placed_topic_costs_where_it_is(app, planned):
    p = planned
    klein, gross = p["rooms"]
    got = Participant(app, p["slug"]).call("get", f"suggestions?topic={p['a']}")
    assert got.status_code == 200
    assert got.get_json() == {
        "topic_id": p["a"],
        "current": {
            "room_id": klein,
            "slot_id": p["slots"][0],
            "score": 2 + 2,  # 4 interested in a room for 2; p1 and p2 are also in B
            "reasons": [
                "Room holds 2, 4 interested",
                "2 people interested in this are also interested in ‘B’ in this slot",
            ],
        },
        "suggestions": [
            {"room_id": gross, "slot_id": p["slots"][1], "score": 0, "reasons": ["No clash known"]},
            {"room_id": klein, "slot_id": p["slots"][1], "score": 2, "reasons": ["Room holds 2, 4 interested"]},
        ],
    }


def test_an_unplaced_topic_has_no_current_place(app, planned):
    p = planned
    queued = p["orga"].post(topic_body("C", host="Cy", room_id=None, slot_id=None))
    assert queued.status_code == 201
    got = Participant(app, p["slug"]).call("get", f"suggestions?topic={queued.get_json()['topic']['id']}").get_json()
    assert got["current"] is None
    assert [s["score"] for s in got["suggestions"]] == [0, 0]


def test_suggestions_for_a_new_topic_by_a_host(app, planned):
    p = planned
    phone = Participant(app, p["slug"])
    got = phone.call("get", "suggestions?host=%20ADA%20")
    assert got.status_code == 200
    klein, gross = p["rooms"]
    assert got.get_json() == {
        "topic_id": None,
        "current": None,
        "suggestions": [  # expected audience 4 (the mean of 4 and 3, rounded to even), nobody booked in Runde 2
            {"room_id": gross, "slot_id": p["slots"][1], "score": 0, "reasons": ["No clash known"]},
            {"room_id": klein, "slot_id": p["slots"][1], "score": 2, "reasons": ["No clash known"]},
        ],
    }


@pytest.mark.parametrize(
    "query, status, code",
    [
        ("topic=99999", 404, "not_found"),
        ("topic=abc", 400, "bad_request"),
        ("topic=%D9%A1", 400, "bad_request"),
        ("", 400, "bad_request"),
        ("host=%20%20", 400, "bad_request"),
        ("host=" + "x" * 81, 400, "bad_request"),
    ],
)
def test_suggestions_refuse_bad_questions(app, planned, query, status, code):
    got = Participant(app, planned["slug"]).call("get", f"suggestions?{query}")
    assert (got.status_code, got.get_json()["code"]) == (status, code)


def test_another_events_topic_is_unknown_here(app, planned):
    other_slug, other_secret = _future_event(app, "andere")
    rooms, slots, _ = _ids(app, other_slug)
    other = Organizer(app, other_slug, other_secret)
    theirs = other.post(topic_body("Fremd", room_id=rooms[0], slot_id=slots[0])).get_json()["topic"]["id"]
    got = Participant(app, planned["slug"]).call("get", f"suggestions?topic={theirs}")
    assert (got.status_code, got.get_json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("path", ["proposal", "conflicts"])
def test_organizer_views_are_403_for_participants_and_outsiders(app, planned, path):
    phone = Participant(app, planned["slug"])
    got = phone.call("get", path)
    assert (got.status_code, got.get_json()["code"]) == (403, "forbidden")
    got = app.test_client().get(f"/api/events/{planned['slug']}/{path}")
    assert (got.status_code, got.get_json()["code"]) == (403, "forbidden")
    assert app.test_client().get(f"/api/events/nirgends/{path}").status_code == 404


def test_the_proposal_is_empty_when_nothing_helps_and_follows_the_wall(app, planned):
    p = planned
    moved = p["orga"].patch(p["a"], {"room_id": p["rooms"][1], "slot_id": p["slots"][1]})
    assert moved.status_code == 200
    got = p["orga"].call("get", "proposal").get_json()
    assert got == {"revision": 3, "moves": [], "conflicts_before": 0, "conflicts_after": 0}


def test_load_plan_closes_begun_slots_and_drops_the_hosts_own_mark(app, planned):
    from openspace.events import event_by_slug
    from openspace.hints import load_plan

    p = planned
    with app.app_context():
        event = event_by_slug(p["slug"])
        host_hash = db.session.get(Topic, p["a"]).author_hash
        db.session.add(Interest(topic_id=p["a"], author_hash=host_hash, event_id=event.id))
        db.session.commit()
        during_first = datetime.combine(FUTURE, time(9, 30)).replace(tzinfo=ZoneInfo("Europe/Berlin"))
        plan = load_plan(event, now=during_first)
    assert [(s.id, s.name, s.open) for s in plan.slots] == [
        (p["slots"][0], "Runde 1", False),
        (p["slots"][1], "Runde 2", True),
    ]
    assert [(r.id, r.name, r.capacity) for r in plan.rooms] == [
        (p["rooms"][0], "Klein", 2),
        (p["rooms"][1], "Groß", 10),
    ]
    a, b = plan.topics
    assert (a.id, a.cell, a.fixed, a.hosts) == (p["a"], (p["rooms"][0], p["slots"][0]), True, frozenset({"ada"}))
    assert a.interested == frozenset({"p1", "p2", "p3", "p4"})  # the host's own mark is not counted
    assert b.interested == frozenset({"p1", "p2", "p5"})


def test_the_hints_follow_every_mark_and_unmark(app, planned):
    p = planned
    assert p["orga"].call("get", "conflicts").get_json()["score"] == 4
    _mark(app, p["event_id"], p["b"], "p3")  # A and B now share three people
    assert p["orga"].call("get", "conflicts").get_json()["score"] == 5
    with app.app_context():
        db.session.delete(db.session.get(Interest, (p["a"], "p1")))
        db.session.commit()
    assert p["orga"].call("get", "conflicts").get_json()["score"] == 3  # A: 3 interested (1 over), 2 shared


def test_one_person_is_one_person(app, planned):
    p = planned
    _mark(app, p["event_id"], p["b"], "p9")
    with app.app_context():
        db.session.delete(db.session.get(Interest, (p["b"], "p2")))
        db.session.commit()
    texts = [c["text"] for c in p["orga"].call("get", "conflicts").get_json()["conflicts"]]
    assert "1 person is interested in both ‘A’ and ‘B’ (Runde 1)" in texts


def test_a_break_is_no_target(app):
    with app.app_context():
        event, _secret = create_event(
            name="Pause",
            slug="pause",
            starts_on=FUTURE,
            ends_on=None,
            timezone="Europe/Berlin",
            language="en",
            rooms=[RoomSpec("Saal", 30)],
            slots=[
                SlotSpec(datetime.combine(FUTURE, time(9)), datetime.combine(FUTURE, time(10)), "Runde 1"),
                SlotSpec(datetime.combine(FUTURE, time(10)), datetime.combine(FUTURE, time(11)), "Mittag", True),
            ],
        )
        slots = [s.id for s in event.slots]
    got = Participant(app, "pause").call("get", "suggestions?host=Ada").get_json()
    assert [(s["slot_id"], s["score"]) for s in got["suggestions"]] == [(slots[0], 0)]


def test_the_kept_plan_follows_moves_marks_and_withdrawn_marks(app, planned):
    from openspace.events import event_by_slug
    from openspace.hints import current_plan

    p = planned

    def plan():
        with app.app_context():
            found = current_plan(event_by_slug(p["slug"]))
            return {t.id: (t.cell, t.interested) for t in found.topics}

    first = plan()
    assert plan() == first
    with app.app_context():  # a move (a new revision): the cell follows, the marks stay
        topic = db.session.get(Topic, p["b"])
        topic.room_id, topic.slot_id = p["rooms"][1], p["slots"][1]
        event_by_slug(p["slug"]).revision += 1
        db.session.commit()
    moved = plan()
    assert moved[p["b"]] == ((p["rooms"][1], p["slots"][1]), first[p["b"]][1])
    _mark(app, _ids(app, p["slug"])[2], p["b"], "p9")  # a new mark, no new revision
    assert plan()[p["b"]][1] == first[p["b"]][1] | {"p9"}
    with app.app_context():  # a mark taken back
        db.session.query(Interest).filter_by(topic_id=p["b"], author_hash="p1").delete()
        db.session.commit()
    assert plan()[p["b"]][1] == (first[p["b"]][1] | {"p9"}) - {"p1"}
