"""Breaks are slots that hold no topics: lunch shows on the wall, but nobody can pin into it."""

from __future__ import annotations

from datetime import date, datetime

from conftest import Participant, build_event, topic_body

from openspace.demo import create_demo_event
from openspace.events import SlotSpec, parse_slots
from openspace.extensions import db
from openspace.models import Slot


def test_parse_slots_marks_a_trailing_pause_or_break_as_a_break():
    slots = parse_slots("10:00-11:00 Runde 1\n12:15-13:30 Mittagessen [Pause]\n15:00-15:30 [break]", date(2026, 2, 27))
    assert slots == [
        SlotSpec(datetime(2026, 2, 27, 10), datetime(2026, 2, 27, 11), "Runde 1", False),
        SlotSpec(datetime(2026, 2, 27, 12, 15), datetime(2026, 2, 27, 13, 30), "Mittagessen", True),
        SlotSpec(datetime(2026, 2, 27, 15), datetime(2026, 2, 27, 15, 30), None, True),
    ]


def _break_event(app):
    """The 3 x 3 event with its middle slot made a lunch break; returns (slug, break slot id)."""
    slug, _secret = build_event(app, slug="pause")
    with app.app_context():
        slot = db.session.scalars(db.select(Slot).order_by(Slot.starts_at)).all()[1]
        slot.is_break, slot.label = True, "Mittagessen"
        db.session.commit()
        return slug, slot.id


def test_wall_state_shows_the_break(app):
    slug, break_id = _break_event(app)
    slots = Participant(app, slug).wall().get_json()["slots"]
    assert [(s["id"], s["label"], s["is_break"]) for s in slots] == [
        (break_id - 1, "Runde 1", False),
        (break_id, "Mittagessen", True),
        (break_id + 1, "Runde 3", False),
    ]


def test_posting_into_a_break_is_422_and_posts_nothing(app):
    slug, break_id = _break_event(app)
    alice = Participant(app, slug)
    room_id, _slot = alice.first_cell()
    before = alice.wall().get_json()

    response = alice.post(topic_body(room_id=room_id, slot_id=break_id))

    assert response.status_code == 422
    assert response.get_json() == {
        "ok": False,
        "error": "Please check the marked fields.",
        "code": "invalid",
        "fields": {"slot_id": "This time is a break: no topics are placed there."},
    }
    assert alice.wall().get_json() == before


def test_moving_a_topic_into_a_break_is_422_and_leaves_it_where_it_was(app):
    slug, break_id = _break_event(app)
    alice = Participant(app, slug)
    room_id, slot_id = alice.first_cell()
    topic = alice.post(topic_body(room_id=room_id, slot_id=slot_id)).get_json()["topic"]

    response = alice.patch(topic["id"], {"room_id": room_id, "slot_id": break_id})

    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid"
    assert response.get_json()["fields"] == {"slot_id": "This time is a break: no topics are placed there."}
    assert alice.wall().get_json()["topics"] == [topic]


def test_new_event_form_creates_a_break_from_the_pause_mark(app):
    from test_pages import new_event_form

    client = app.test_client()
    form = new_event_form(client)
    form["slots"] = "09:30-10:15 Runde 1\n12:00-13:00 Mittagessen [Pause]"
    assert client.post("/new", data=form).status_code == 302
    slots = client.get("/api/events/zukunftskonferenz-2026/wall").get_json()["slots"]
    assert [(s["label"], s["is_break"]) for s in slots] == [("Runde 1", False), ("Mittagessen", True)]


def test_demo_event_has_a_lunch_break_with_no_topic_in_it(app):
    with app.app_context():
        event, _secret = create_demo_event(date(2026, 2, 27))
        breaks = [s for s in event.slots if s.is_break]
        assert [(s.label, s.starts_at.time().isoformat()) for s in breaks] == [("Mittagessen", "12:15:00")]
        assert [t.title for t in event.topics if t.slot_id == breaks[0].id] == []
