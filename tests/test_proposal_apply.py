"""Applying a whole-wall proposal: exactly the moves sent, in one revision, one delta and one undoable step.

Cycles and swaps inside the set work (every cell is freed first); any sign that the wall changed since the
proposal was computed refuses the whole set with 409 and changes nothing, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import pytest
from conftest import Organizer, Participant, topic_body
from test_moderation import app, body_at, cells, orga, received, watch  # noqa: F401  (shared fixtures)

SLUG = "orga"


def cell(pair):
    return {"room_id": pair[0], "slot_id": pair[1]} if pair else {"room_id": None, "slot_id": None}


def move(topic, source, target):
    return {"topic_id": topic["id"], "from": cell(source), "to": cell(target)}


def places(participant):
    return {t["title"]: (t["room_id"], t["slot_id"]) for t in participant.wall().get_json()["topics"]}


@pytest.fixture
def wall(app, orga, cells):
    """A, B, C (a participant's) in the first slot's rooms, D unplaced, E in the second slot's first room; a phone."""
    anna = Participant(app, SLUG)
    placed = [cells[0], cells[1], cells[2], None, cells[3]]
    topics = {
        title: (anna if title in "ABC" else orga).post(body_at(where, title=title)).get_json()["topic"]
        for title, where in zip("ABCDE", placed, strict=True)
    }
    phone, _ack = watch(anna)
    return anna, topics, phone


def test_a_cycle_a_swap_and_an_unplaced_topic_move_in_one_step_and_one_undo(app, orga, cells, wall):
    anna, t, phone = wall
    before = anna.wall().get_json()
    moves = [
        move(t["A"], cells[0], cells[1]),  # A -> B's cell, B -> C's, C -> A's: a cycle
        move(t["B"], cells[1], cells[2]),
        move(t["C"], cells[2], cells[0]),
        {"topic_id": t["D"]["id"], "from": None, "to": cell(cells[4])},  # from the unplaced queue (as GET says it)
    ]
    response = orga.call("post", "proposal", {"moves": moves})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["ok"], body["revision"], body["moved"], body["changed"]) == (
        True,
        before["revision"] + 1,
        [t["A"]["id"], t["B"]["id"], t["C"]["id"], t["D"]["id"]],
        4,
    )
    assert places(anna) == {"A": cells[1], "B": cells[2], "C": cells[0], "D": cells[4], "E": cells[3]}
    [message] = received(phone, "wall_changed")
    assert message["revision"] == before["revision"] + 1
    assert message["change"]["type"] == "topics_updated"
    assert sorted((x["id"], x["room_id"], x["slot_id"]) for x in message["change"]["topics"]) == [
        (t["A"]["id"], *cells[1]),
        (t["B"]["id"], *cells[2]),
        (t["C"]["id"], *cells[0]),
        (t["D"]["id"], *cells[4]),
    ]
    steps = orga.call("get", "log").get_json()["steps"]
    step = [s for s in steps if s["revision"] == body["revision"]]
    assert sorted((s["action"], s["actor"], s["topic_id"]) for s in step) == [
        ("move", "organizer", t[x]["id"]) for x in "ABCD"
    ]

    undo = orga.call("post", "undo")
    assert undo.status_code == 200
    assert undo.get_json()["undone"]["action"] == "move"
    assert sorted(undo.get_json()["undone"]["topic_ids"]) == sorted(t[x]["id"] for x in "ABCD")
    assert places(anna) == {"A": cells[0], "B": cells[1], "C": cells[2], "D": (None, None), "E": cells[3]}
    [undone] = received(phone, "wall_changed")
    assert undone["revision"] == before["revision"] + 2
    after = anna.wall().get_json()
    assert [{**x, "updated_at": None} for x in after["topics"]] == [{**x, "updated_at": None} for x in before["topics"]]


def test_a_plain_swap_and_moving_into_a_cell_another_move_frees(app, orga, cells, wall):
    anna, t, _phone = wall
    swap = [move(t["A"], cells[0], cells[3]), move(t["E"], cells[3], cells[0])]
    assert orga.call("post", "proposal", {"moves": swap}).status_code == 200
    chain = [move(t["B"], cells[1], cells[5]), move(t["C"], cells[2], cells[1])]  # C takes the cell B leaves
    assert orga.call("post", "proposal", {"moves": chain}).status_code == 200
    assert places(anna) == {"A": cells[3], "B": cells[5], "C": cells[1], "D": (None, None), "E": cells[0]}


def refused(orga, moves, status, code):
    response = orga.call("post", "proposal", {"moves": moves})
    assert (response.status_code, response.get_json()["code"]) == (status, code), moves
    return response.get_json()


def test_a_changed_wall_refuses_the_whole_proposal_and_changes_nothing(app, orga, cells, wall):
    anna, t, phone = wall
    assert anna.patch(t["C"]["id"], {"room_id": cells[6][0], "slot_id": cells[6][1]}).status_code == 200
    received(phone, "wall_changed")
    before = anna.wall().get_json()
    log = orga.call("get", "log").get_json()["steps"]
    # C is no longer where the proposal saw it; the first move alone would have been fine
    body = refused(orga, [move(t["A"], cells[0], cells[7]), move(t["C"], cells[2], cells[8])], 409, "changed")
    assert body["error"] == "“C” was moved or taken off the wall since the proposal."
    # a target now held by a topic outside the set (C moved into it)
    body = refused(orga, [move(t["A"], cells[0], cells[6])], 409, "changed")
    assert body["error"] == "A place of the proposal is now held by “C”."
    # a withdrawn topic
    assert orga.delete(t["E"]["id"]).status_code == 200
    received(phone, "wall_changed")
    before = anna.wall().get_json()
    log = orga.call("get", "log").get_json()["steps"]
    refused(orga, [move(t["A"], cells[0], cells[8]), move(t["E"], cells[3], cells[0])], 409, "changed")
    # a pinned topic
    assert orga.call("post", f"topics/{t['B']['id']}/pin").status_code == 200
    received(phone, "wall_changed")
    before = anna.wall().get_json()
    log = orga.call("get", "log").get_json()["steps"]
    body = refused(orga, [move(t["A"], cells[0], cells[8]), move(t["B"], cells[1], cells[7])], 409, "pinned")
    assert body["error"] == "“B” is pinned to its place; unpin it first."
    assert anna.wall().get_json() == before
    assert orga.call("get", "log").get_json()["steps"] == log
    assert received(phone, "wall_changed") == []


def test_bad_shapes_are_400_with_the_field_and_change_nothing(app, orga, cells, wall):
    anna, t, phone = wall
    foreign = Participant(app, "zukunft").post(topic_body(title="Fremd")).get_json()["topic"]
    before = anna.wall().get_json()
    a = t["A"]["id"]
    good = {"topic_id": a, "from": cell(cells[0]), "to": cell(cells[8])}
    for body, field in (
        ([], "moves"),
        ({}, "moves"),
        ({"moves": []}, "moves"),
        ({"moves": "A"}, "moves"),
        ({"moves": [good] * 2}, "moves"),
        ({"moves": [good, {**good, "topic_id": t["B"]["id"], "from": cell(cells[1])}]}, "moves"),
        ({"moves": [good], "extra": 1}, "moves"),
        ({"moves": [1]}, "moves.0"),
        ({"moves": [{**good, "topic_id": "1"}]}, "moves.0.topic_id"),
        ({"moves": [{**good, "topic_id": True}]}, "moves.0.topic_id"),
        ({"moves": [{**good, "topic_id": 2**31}]}, "moves.0.topic_id"),
        ({"moves": [{**good, "from": {"room_id": cells[0][0]}}]}, "moves.0.from"),
        ({"moves": [{**good, "from": {"room_id": cells[0][0], "slot_id": None}}]}, "moves.0.from"),
        ({"moves": [{**good, "to": cell(None)}]}, "moves.0.to"),
        ({"moves": [{**good, "to": cell(cells[0])}]}, "moves.0.to"),
        ({"moves": [{**good, "to": {"room_id": 999, "slot_id": cells[0][1]}}]}, "moves.0.to"),
        ({"moves": [{**good, "to": cell((1, 1))}]}, "moves.0.to"),  # the other event's room 1, slot 1
        ({"moves": [good, {**good, "topic_id": 999, "from": cell(None)}]}, "moves"),
    ):
        response = orga.call("post", "proposal", body)
        assert response.status_code == 400, body
        payload = response.get_json()
        assert payload["code"] == "bad_request"
        assert list(payload["fields"]) == [field], body
    response = orga.call("post", "proposal", {"moves": [{**good, "topic_id": foreign["id"], "from": cell((1, 1))}]})
    assert (response.status_code, response.get_json()["code"]) == (404, "not_found")
    assert anna.wall().get_json() == before
    assert received(phone, "wall_changed") == []


def test_only_organizers_apply_a_proposal(app, orga, cells, wall):
    anna, t, phone = wall
    before = anna.wall().get_json()
    response = anna.call("post", "proposal", {"moves": [move(t["A"], cells[0], cells[8])]})
    assert (response.status_code, response.get_json()["code"]) == (403, "forbidden")
    assert anna.wall().get_json() == before
    assert received(phone, "wall_changed") == []


def test_the_computed_proposal_applies_as_sent_and_then_nothing_is_left_to_improve(app):
    from test_planning_api import _future_event, _ids, _mark

    slug, secret = _future_event(app, "plan", rooms=(("Klein", 2), ("Groß", 10)), slots=2)
    rooms, slots, event_id = _ids(app, slug)
    orga = Organizer(app, slug, secret)
    # A (5 interested) sits in the small room, B in the big one; both in Runde 1 with 3 people wanting both.
    a = orga.post(topic_body("A", host="Ada", room_id=rooms[0], slot_id=slots[0])).get_json()["topic"]["id"]
    b = orga.post(topic_body("B", host="Bo", room_id=rooms[1], slot_id=slots[0])).get_json()["topic"]["id"]
    _mark(app, event_id, a, "p1", "p2", "p3", "p4", "p5")
    _mark(app, event_id, b, "p1", "p2", "p3")
    computed = orga.call("get", "proposal").get_json()
    assert computed["moves"] and computed["conflicts_after"] < computed["conflicts_before"]
    response = orga.call("post", "proposal", {"moves": computed["moves"]})  # verbatim, titles and reasons too
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["revision"] == computed["revision"] + 1
    assert sorted(response.get_json()["moved"]) == sorted(m["topic_id"] for m in computed["moves"])
    placed = {t["id"]: (t["room_id"], t["slot_id"]) for t in orga.wall().get_json()["topics"]}
    assert placed == {m["topic_id"]: (m["to"]["room_id"], m["to"]["slot_id"]) for m in computed["moves"]} | {
        t: placed[t] for t in (a, b) if t not in {m["topic_id"] for m in computed["moves"]}
    }
    again = orga.call("get", "proposal").get_json()
    assert again["moves"] == []
    assert again["conflicts_before"] == computed["conflicts_after"]
    assert orga.call("get", "conflicts").get_json()["score"] == computed["conflicts_after"]
    stale = orga.call("post", "proposal", {"moves": computed["moves"]})  # the same moves once more: stale now
    assert (stale.status_code, stale.get_json()["code"]) == (409, "changed")
    assert orga.call("post", "undo").status_code == 200
    assert orga.call("get", "conflicts").get_json()["score"] == computed["conflicts_before"]


def test_the_conflict_view_is_a_page_for_organizers_only(app, orga):
    page = orga.client.get(f"/e/{SLUG}/organizer/conflicts")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="conflicts-body"' in html and "/static/js/conflicts.js" in html
    assert f'href="/e/{SLUG}/organizer/conflicts"' in orga.client.get(f"/e/{SLUG}/organizer/grid").get_data(
        as_text=True
    )
    assert f'href="/e/{SLUG}/organizer/conflicts"' in orga.client.get(f"/e/{SLUG}/organizer").get_data(as_text=True)
    assert Participant(app, SLUG).client.get(f"/e/{SLUG}/organizer/conflicts").status_code == 403
    assert app.test_client().get(f"/e/{SLUG}/organizer/conflicts").status_code == 403
    assert orga.client.get("/e/nirgends/organizer/conflicts").status_code == 404
