"""The marketplace (pitch round): the facilitator steps through the live topics, the wall shows each one large.

Each step: one client acts over HTTP, a phone watches its socket (exactly one delta, one revision, the delta
applied to the old wall is the new wall); refusals answer their status and change nothing.
"""

from __future__ import annotations

import pytest
from conftest import Organizer, Participant, build_event
from test_moderation import app, body_at, cells, orga, received, watch  # noqa: F401  (shared fixtures)

from openspace.wall import apply_change

SLUG = "orga"
CLOSED = {"open": False, "position": 0, "total": 0, "current": None, "next": []}


def wall_of(client):
    state = client.wall().get_json()
    state.pop("mine")
    return state


def step(orga, action):
    return orga.call("post", "marketplace", {"action": action})


def titles(part):
    return (part["current"] and part["current"]["title"], [t["title"] for t in part["next"]])


@pytest.fixture
def pitched(app, orga, cells):
    """Five topics by one participant and the organizer (posting order A..E), and a phone watching."""
    anna = Participant(app, SLUG)
    topics = [anna.post(body_at(cells[i], title=t, host="Anna")).get_json()["topic"] for i, t in enumerate("AB")]
    topics += [orga.post(body_at(cells[i + 2], title=t)).get_json()["topic"] for i, t in enumerate("CDE")]
    phone, _ = watch(Participant(app, SLUG))
    return topics, phone, anna


def acted(orga, phone, action):
    """One step: its answer, and the phone's only delta checked against the wall before and after."""
    before = wall_of(orga)
    response = step(orga, action)
    assert response.status_code == 200, response.get_json()
    [message] = received(phone, "wall_changed")
    after = wall_of(orga)
    assert message["revision"] == before["revision"] + 1 == after["revision"]
    assert message["change"]["type"] == "marketplace_updated"
    assert apply_change(before, message) == after
    assert response.get_json() == {"ok": True, "revision": after["revision"], "marketplace": after["marketplace"]}
    return after["marketplace"]


def test_open_next_back_and_past_the_end_closes(orga, pitched):
    topics, phone, _anna = pitched
    part = acted(orga, phone, "open")
    assert part == {"open": True, "position": 0, "total": 5, "current": topics[0], "next": topics[1:4]}
    assert titles(acted(orga, phone, "next")) == ("B", ["C", "D", "E"])
    assert titles(acted(orga, phone, "back")) == ("A", ["B", "C", "D"])
    for expected in ("B", "C", "D"):
        assert titles(acted(orga, phone, "next"))[0] == expected
    last = acted(orga, phone, "next")
    assert (last["position"], titles(last)) == (4, ("E", []))
    assert acted(orga, phone, "next") == CLOSED  # past the last topic: the wall shows the grid again
    again = acted(orga, phone, "open")  # after the end it starts over
    assert (again["position"], titles(again)[0]) == (0, "A")
    steps = [s["action"] for s in orga.call("get", "log").get_json()["steps"][:3]]
    assert steps == ["market_open", "market_next", "market_next"]


def test_close_keeps_the_place_and_open_resumes_there(orga, pitched):
    _topics, phone, _anna = pitched
    acted(orga, phone, "open")
    acted(orga, phone, "next")
    assert acted(orga, phone, "close") == CLOSED
    resumed = acted(orga, phone, "open")
    assert (resumed["position"], titles(resumed)[0]) == (1, "B")
    log = orga.call("get", "log").get_json()["steps"]
    assert (log[1]["action"], log[1]["before"]["open"], log[1]["after"]["open"]) == ("market_close", True, False)


def test_skip_puts_the_topic_after_those_posted_so_far(orga, pitched, cells):
    topics, phone, _anna = pitched
    acted(orga, phone, "open")
    skipped = acted(orga, phone, "skip")
    assert (skipped["position"], skipped["total"], titles(skipped)) == (0, 5, ("B", ["C", "D", "E"]))
    late = orga.post(body_at(cells[5], title="F")).get_json()["topic"]
    [message] = received(phone, "wall_changed")
    assert message["change"]["marketplace"]["next"][-1]["title"] == "E"
    queue = wall_of(orga)["marketplace"]
    assert queue["total"] == 6
    for expected in ("C", "D", "E", "A", "F"):
        assert titles(acted(orga, phone, "next"))[0] == expected
    assert late["title"] == "F"
    assert topics[0]["title"] == "A"


def test_topics_posted_edited_or_withdrawn_while_open_change_the_queue_live(app, orga, pitched, cells):
    topics, phone, anna = pitched
    acted(orga, phone, "open")
    acted(orga, phone, "next")  # B now
    before = wall_of(orga)
    posted = anna.post(body_at(None, title="Neu"))  # Anna's third topic, unplaced
    assert posted.status_code == 201
    [message] = received(phone, "wall_changed")
    after = wall_of(orga)
    assert message["change"]["type"] == "topic_posted"
    assert apply_change(before, message) == after
    assert (after["marketplace"]["total"], titles(after["marketplace"])) == (6, ("B", ["C", "D", "E"]))

    before = after
    assert anna.patch(topics[1]["id"], {"title": "B neu"}).status_code == 200
    [message] = received(phone, "wall_changed")
    after = wall_of(orga)
    assert apply_change(before, message) == after
    assert after["marketplace"]["current"]["title"] == "B neu"

    before = after
    assert orga.act("withdraw", {"topic_ids": [topics[0]["id"]]}).status_code == 200  # one already presented
    [message] = received(phone, "wall_changed")
    after = wall_of(orga)
    assert apply_change(before, message) == after
    assert (after["marketplace"]["position"], titles(after["marketplace"])[0]) == (0, "B neu")  # B stays current

    before = after
    assert anna.delete(topics[1]["id"]).status_code == 200  # the current one leaves: the next one takes its place
    [message] = received(phone, "wall_changed")
    after = wall_of(orga)
    assert apply_change(before, message) == after
    assert titles(after["marketplace"]) == ("C", ["D", "E", "Neu"])


def test_opening_unlocks_the_wall_and_says_so_in_the_same_delta(app, orga, pitched, cells):
    _topics, phone, _anna = pitched
    assert orga.call("post", "lock", {"reason": "Pause"}).status_code == 200
    received(phone, "wall_changed")
    before = wall_of(orga)
    assert step(orga, "open").status_code == 200
    [message] = received(phone, "wall_changed")
    assert (message["change"]["event"]["locked"], message["change"]["event"]["lock_reason"]) == (False, None)
    assert apply_change(before, message) == wall_of(orga)
    assert Participant(app, SLUG).post(body_at(cells[6], title="Jetzt offen")).status_code == 201
    closed = step(orga, "close")
    assert closed.status_code == 200
    assert wall_of(orga)["event"]["locked"] is False  # closing does not lock again


def test_steps_that_do_not_fit_are_409_and_change_nothing(orga, pitched):
    _topics, phone, _anna = pitched
    for action in ("next", "back", "skip", "close"):
        before = wall_of(orga)
        response = step(orga, action)
        assert (response.status_code, response.get_json()["error"]) == (
            409,
            "The marketplace is not open. Open it first.",
        ), action
        assert wall_of(orga) == before
    acted(orga, phone, "open")
    refusals = [
        ("open", "The marketplace is already open."),
        ("back", "This is the first topic: there is none before it."),
    ]
    for action, error in refusals:
        before = wall_of(orga)
        response = step(orga, action)
        assert (response.status_code, response.get_json()) == (409, {"ok": False, "code": "conflict", "error": error})
        assert wall_of(orga) == before
    for _ in range(4):
        acted(orga, phone, "next")
    before = wall_of(orga)
    last = step(orga, "skip")
    assert (last.status_code, last.get_json()["error"]) == (
        409,
        "This is the last topic: nothing comes after it. “Next” ends the marketplace.",
    )
    assert wall_of(orga) == before
    assert received(phone, "wall_changed") == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 422, "invalid"),
        ({"action": "jump"}, 422, "invalid"),
        ({"action": 1}, 422, "invalid"),
        ([1], 400, "bad_request"),
    ],
)
def test_bad_bodies_are_refused(orga, pitched, body, status, code):
    before = wall_of(orga)
    response = orga.call("post", "marketplace", body)
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    assert wall_of(orga) == before


def test_an_empty_queue_opens_and_the_first_topic_posted_becomes_current(app, orga, cells):
    phone, _ = watch(Participant(app, SLUG))
    part = acted(orga, phone, "open")
    assert part == {"open": True, "position": 0, "total": 0, "current": None, "next": []}
    topic = Participant(app, SLUG).post(body_at(cells[0], title="Erstes")).get_json()["topic"]
    assert wall_of(orga)["marketplace"]["current"] == topic
    received(phone, "wall_changed")
    assert acted(orga, phone, "next") == CLOSED


@pytest.mark.parametrize("action", ["open", "next", "back", "skip", "close"])
def test_participants_and_outsiders_may_not_step(app, orga, pitched, action):
    _topics, phone, anna = pitched
    if action != "open":
        acted(orga, phone, "open")
        acted(orga, phone, "next")
    build_event(app, slug="fremd")
    outsider = Participant(app, "fremd")
    other_slug, other_secret = build_event(app, slug="andere")
    other_organizer = Organizer(app, other_slug, other_secret)
    before = wall_of(orga)
    for client in (anna, outsider, other_organizer):
        response = client.client.post(
            f"/api/events/{SLUG}/marketplace", json={"action": action}, headers={"X-CSRFToken": client.csrf}
        )
        assert (response.status_code, response.get_json()["code"]) == (403, "forbidden")
    assert wall_of(orga) == before
    assert received(phone, "wall_changed") == []


def test_a_locked_wall_refuses_participants_edits_and_withdrawals_with_423(app, orga, cells):
    anna = Participant(app, SLUG)
    topic = anna.post(body_at(cells[0])).get_json()["topic"]
    assert orga.call("post", "lock", {"reason": "Die Sessions laufen."}).status_code == 200
    before = wall_of(orga)
    expected = {
        "ok": False,
        "code": "locked",
        "error": "The wall is locked; only the organizers can change it now. Die Sessions laufen.",
    }
    for response in (anna.post(body_at(cells[1])), anna.patch(topic["id"], {"title": "Neu"}), anna.delete(topic["id"])):
        assert (response.status_code, response.get_json()) == (423, expected)
    assert wall_of(orga) == before


def test_a_frame_change_while_open_carries_the_queue_in_its_one_delta(orga, pitched, cells):
    _topics, phone, _anna = pitched
    acted(orga, phone, "open")
    before = wall_of(orga)
    assert orga.call("delete", f"rooms/{cells[0][0]}").status_code == 200  # its topics go to the unplaced queue
    [message] = received(phone, "wall_changed")
    after = wall_of(orga)
    assert message["change"]["type"] == "frame_updated"
    assert message["change"]["marketplace"] == after["marketplace"]
    assert after["marketplace"]["current"]["room_id"] is None
    assert apply_change(before, message) == after
