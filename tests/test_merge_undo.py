"""Merging two topics on one subject, and undoing organizer steps one by one.

Each action: one client acts, a phone watches (exact delta and revision, and the delta applied to the old wall
is the new wall); every refusal changes nothing.
"""

from __future__ import annotations

import pytest
from conftest import Participant, build_event
from test_moderation import app, body_at, cells, orga, received, watch  # noqa: F401  (shared fixtures)

from openspace.wall import apply_change

SLUG = "orga"


def wall_of(client):
    state = client.wall().get_json()
    state.pop("mine")
    return state


def by_id(state):
    return {t["id"]: t for t in state["topics"]}


@pytest.fixture
def pair(app, orga, cells):
    """Two topics on one subject by two hosts, and a phone watching."""
    anna, bert = Participant(app, SLUG), Participant(app, SLUG)
    kept = anna.post({**body_at(cells[0], title="Retouren", host="Anna"), "goal": "Weniger", "context": ""})
    merged = bert.post({**body_at(cells[1], title="Rücksendungen", host="Bert"), "goal": "Kosten", "context": "Q3"})
    phone, _ = watch(Participant(app, SLUG))
    return kept.get_json()["topic"], merged.get_json()["topic"], phone, anna


def test_merge_keeps_one_topic_with_the_others_host_and_texts_in_one_delta(app, orga, pair):
    kept, merged, phone, anna = pair
    before = wall_of(anna)
    response = orga.call("post", f"topics/{merged['id']}/merge", {"into_id": kept["id"]})
    assert response.status_code == 200
    assert (response.get_json()["changed"], response.get_json()["revision"]) == (2, before["revision"] + 1)
    [message] = received(phone, "wall_changed")
    assert message["revision"] == before["revision"] + 1
    change = message["change"]
    assert (change["type"], change["removed"], [t["id"] for t in change["topics"]]) == (
        "topics_updated",
        [merged["id"]],
        [kept["id"]],
    )
    shown = change["topics"][0]
    assert (shown["host"], shown["cohosts"], shown["goal"], shown["context"]) == (
        "Anna",
        ["Bert"],
        "Weniger\n\nRücksendungen (Bert): Kosten",
        "Rücksendungen (Bert): Q3",
    )
    after = wall_of(anna)
    assert apply_change(before, message) == after
    assert list(by_id(after)) == [kept["id"]]
    step = orga.call("get", "log").get_json()["steps"][0]
    assert (step["action"], step["topic_id"], step["after"]["status"], step["after"]["merged_into_id"]) == (
        "merge",
        merged["id"],
        "withdrawn",
        kept["id"],
    )


def test_merge_refusals_change_nothing(app, orga, pair, cells):
    kept, merged, _phone, anna = pair
    before = wall_of(anna)
    other_slug, _ = build_event(app, slug="fremd")
    foreign = Participant(app, other_slug).post(body_at(None, title="Fremd")).get_json()["topic"]
    refusals = [
        (f"topics/{merged['id']}/merge", {"into_id": merged["id"]}, 422, "invalid"),
        (f"topics/{merged['id']}/merge", {"into_id": "x"}, 422, "invalid"),
        (f"topics/{merged['id']}/merge", {}, 422, "invalid"),
        (f"topics/{merged['id']}/merge", {"into_id": 99999}, 404, "not_found"),
        (f"topics/{merged['id']}/merge", {"into_id": foreign["id"]}, 404, "not_found"),
        ("topics/99999/merge", {"into_id": kept["id"]}, 404, "not_found"),
    ]
    for path, body, status, code in refusals:
        response = orga.call("post", path, body)
        assert (response.status_code, response.get_json()["code"]) == (status, code), body
    long = orga.call("patch", f"topics/{kept['id']}", {"goal": "x" * 990})
    assert long.status_code == 200
    before = wall_of(anna)
    too_long = orga.call("post", f"topics/{merged['id']}/merge", {"into_id": kept["id"]})
    assert (too_long.status_code, too_long.get_json()["fields"]) == (
        422,
        {"goal": "The merged text would be longer than 1000 characters."},
    )
    for stranger in (anna, Participant(app, SLUG)):
        forged = stranger.call("post", f"topics/{merged['id']}/merge", {"into_id": kept["id"]})
        assert (forged.status_code, forged.get_json()["code"]) == (403, "forbidden")
    assert wall_of(anna) == before


def test_undo_takes_back_steps_one_by_one_each_in_one_delta(app, orga, pair, cells):
    kept, merged, phone, anna = pair
    start = wall_of(anna)
    assert orga.call("post", f"topics/{kept['id']}/swap", {"other_id": merged["id"]}).status_code == 200
    assert orga.call("post", f"topics/{kept['id']}/pin").status_code == 200
    assert orga.call("post", f"topics/{merged['id']}/merge", {"into_id": kept["id"]}).status_code == 200
    assert orga.call("post", "lock", {"reason": "Pause"}).status_code == 200
    received(phone, "wall_changed")
    expected = [("lock", []), ("merge", [kept["id"], merged["id"]]), ("pin", [kept["id"]]), ("swap", None)]
    for action, topic_ids in expected:
        before = wall_of(anna)
        response = orga.call("post", "undo")
        assert response.status_code == 200, response.get_json()
        undone = response.get_json()["undone"]
        assert undone["action"] == action
        if topic_ids is not None:
            assert undone["topic_ids"] == topic_ids
        [message] = received(phone, "wall_changed")
        assert message["revision"] == before["revision"] + 1
        assert apply_change(before, message) == wall_of(anna)
    end = wall_of(anna)
    assert {i: (t["room_id"], t["slot_id"], t["pinned"], t["cohosts"], t["goal"]) for i, t in by_id(end).items()} == {
        i: (t["room_id"], t["slot_id"], t["pinned"], t["cohosts"], t["goal"]) for i, t in by_id(start).items()
    }
    assert end["event"]["locked"] is False
    nothing = orga.call("post", "undo")
    assert (nothing.status_code, nothing.get_json()["code"]) == (409, "nothing_to_undo")
    assert wall_of(anna)["revision"] == end["revision"]
    actions = [s["action"] for s in orga.call("get", "log").get_json()["steps"][:5]]
    assert actions == ["undo", "undo", "undo", "undo", "undo"]


def test_undo_is_refused_when_a_later_change_made_it_unsafe(app, orga, pair, cells):
    kept, merged, _phone, anna = pair
    assert (
        orga.call("patch", f"topics/{kept['id']}", {"room_id": cells[2][0], "slot_id": cells[2][1]}).status_code == 200
    )
    assert anna.patch(kept["id"], {"title": "Retouren senken"}).status_code == 200  # the host edits it afterwards
    before = wall_of(anna)
    refused = orga.call("post", "undo")
    assert refused.status_code == 409
    assert refused.get_json() == {
        "ok": False,
        "code": "conflict",
        "error": "“Retouren senken” was changed after this step, so the step cannot be undone.",
    }
    assert wall_of(anna) == before
    # A step whose old place was taken since: refused, naming who has it.
    assert orga.call("patch", f"topics/{merged['id']}", {"room_id": None, "slot_id": None}).status_code == 200
    taker = Participant(app, SLUG).post(body_at(cells[1], title="Neu")).get_json()["topic"]
    before = wall_of(anna)
    taken = orga.call("post", "undo")
    assert (taken.status_code, taken.get_json()["error"]) == (
        409,
        "The place of “Rücksendungen” is now taken by “Neu”; nothing was undone.",
    )
    assert wall_of(anna) == before
    assert Participant(app, SLUG).call("post", "undo").status_code == 403
    assert taker["id"] in by_id(before)


def test_undo_of_a_bulk_withdrawal_brings_every_topic_back_in_one_revision(app, orga, pair):
    kept, merged, phone, anna = pair
    start = wall_of(anna)
    assert orga.act("withdraw", {"topic_ids": [kept["id"], merged["id"]]}).get_json()["changed"] == 2
    received(phone, "wall_changed")
    response = orga.call("post", "undo")
    assert (response.status_code, response.get_json()["changed"]) == (200, 2)
    [message] = received(phone, "wall_changed")
    assert message["revision"] == start["revision"] + 2
    assert [(t["id"], t["room_id"]) for t in message["change"]["topics"]] == [
        (t["id"], t["room_id"]) for t in start["topics"]
    ]
