"""Organizer moderation: caps, lock, pre-moderation, bulk withdraw/restore, blocking a device, the activity log.

Each action is checked with one client acting and others watching (phones see wall changes, organizer pages
the moderation panel), and every refusal with its code and an unchanged wall.
"""

from __future__ import annotations

import pytest
from conftest import Organizer, Participant, build_event, make_app, topic_body

SLUG = "orga"


@pytest.fixture
def app(tmp_path, database_url):
    """Participants here make more changes in a second than a person would: only the limits under test apply."""
    app = make_app(tmp_path, DATABASE_URL=database_url, RATE_LIMIT_WRITES="1000 per minute")
    yield app
    from openspace.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def orga(app, organizer_secret):
    slug, secret = organizer_secret
    return Organizer(app, slug, secret)


@pytest.fixture
def cells(orga):
    """The organizer event's (room_id, slot_id) pairs, row by row."""
    wall = orga.wall().get_json()
    return [(r["id"], s["id"]) for s in wall["slots"] for r in wall["rooms"]]


def body_at(cell, title="Retouren senken", host="Marek"):
    return topic_body(title=title, host=host, room_id=cell[0] if cell else None, slot_id=cell[1] if cell else None)


def watch(participant, slug=SLUG):
    socket = participant.socket()
    ack = socket.emit("join", {"event": slug}, callback=True)
    assert ack["ok"] is True
    socket.get_received()
    return socket, ack


def received(socket, name):
    return [m["args"][0] for m in socket.get_received() if m["name"] == name]


def titles(participant):
    return [t["title"] for t in participant.wall().get_json()["topics"]]


def test_participant_cap_refuses_the_fourth_topic_and_withdrawing_frees_a_place(app, orga, cells):
    anna = Participant(app, SLUG)
    ids = [anna.post(body_at(cells[i], title=f"T{i}")).get_json()["topic"]["id"] for i in range(3)]
    refused = anna.post(body_at(cells[3], title="T3"))
    assert refused.status_code == 422
    assert refused.get_json() == {
        "ok": False,
        "code": "limit",
        "error": "You have pinned 3 topics, the most this event allows per person. Withdraw one to pin another.",
    }
    assert titles(anna) == ["T0", "T1", "T2"]
    assert anna.delete(ids[0]).status_code == 200
    assert anna.post(body_at(cells[3], title="T3")).status_code == 201
    assert titles(anna) == ["T1", "T2", "T3"]
    assert orga.post(body_at(cells[4], title="Für Gäste")).status_code == 201  # organizers post for others


def test_organizer_changes_the_cap_and_bad_settings_change_nothing(app, orga, cells):
    anna = Participant(app, SLUG)
    watcher, _ = watch(Participant(app, SLUG))
    assert orga.act("settings", {"max_topics_per_participant": 1}, "patch").status_code == 200
    [message] = received(watcher, "wall_changed")
    assert message["change"]["type"] == "event_updated"
    assert message["change"]["event"]["max_topics_per_participant"] == 1
    assert anna.post(body_at(cells[0])).status_code == 201
    assert anna.post(body_at(cells[1])).get_json()["code"] == "limit"
    assert [m["change"]["type"] for m in received(watcher, "wall_changed")] == ["topic_posted"]
    for bad in (
        {"max_topics_per_participant": "2"},
        {"max_topics_per_participant": True},
        {"max_topics_per_participant": -1},
        {"max_topics_per_participant": 101},
        {"premoderation": "yes"},
    ):
        response = orga.act("settings", bad, "patch")
        assert (response.status_code, response.get_json()["code"]) == (422, "invalid"), bad
    for bad in ({}, {"locked": True}, [1]):
        assert orga.act("settings", bad, "patch").get_json()["code"] == "bad_request"
    forged = anna.client.patch(
        f"/api/events/{SLUG}/moderation/settings",
        json={"max_topics_per_participant": 50},
        headers={"X-CSRFToken": anna.csrf},
    )
    assert (forged.status_code, forged.get_json()["code"]) == (403, "forbidden")
    assert orga.panel()["settings"]["max_topics_per_participant"] == 1
    assert received(watcher, "wall_changed") == []


def test_locked_wall_refuses_participants_with_the_reason_and_lets_organizers_work(app, orga, cells):
    anna = Participant(app, SLUG)
    topic = anna.post(body_at(cells[0])).get_json()["topic"]
    watcher, _ = watch(Participant(app, SLUG))
    response = orga.act("lock", {"locked": True, "reason": "Der Marktplatz ist vorbei."})
    assert response.status_code == 200
    [message] = received(watcher, "wall_changed")
    assert message["change"]["type"] == "event_updated"
    assert (message["change"]["event"]["locked"], message["change"]["event"]["lock_reason"]) == (
        True,
        "Der Marktplatz ist vorbei.",
    )
    expected = {
        "ok": False,
        "code": "locked",
        "error": "The wall is locked; only the organizers can change it now. Der Marktplatz ist vorbei.",
    }
    for refused in (anna.post(body_at(cells[1])), anna.patch(topic["id"], {"title": "Neu"}), anna.delete(topic["id"])):
        assert (refused.status_code, refused.get_json()) == (423, expected)
    assert titles(anna) == ["Retouren senken"]
    assert orga.patch(topic["id"], {"room_id": cells[2][0], "slot_id": cells[2][1]}).status_code == 200
    assert orga.act("lock", {"locked": False, "reason": "ignored"}).status_code == 200
    assert anna.wall().get_json()["event"]["lock_reason"] is None
    assert anna.post(body_at(cells[1], title="Wieder offen")).status_code == 201
    assert orga.act("lock", {"locked": "yes"}).get_json()["code"] == "invalid"


def test_premoderation_holds_topics_until_approved_and_only_organizers_see_them(app, orga, cells):
    assert orga.act("settings", {"premoderation": True}, "patch").status_code == 200
    anna, bert = Participant(app, SLUG), Participant(app, SLUG)
    phone, _ = watch(bert)
    panel, ack = watch(orga)
    assert ack["moderation"]["pending"] == []
    revision = anna.wall().get_json()["revision"]
    response = anna.post(body_at(cells[0], title="Wartet"))
    assert response.status_code == 202
    topic = response.get_json()["topic"]
    assert (topic["status"], topic["room_id"], topic["slot_id"]) == ("pending", *cells[0])
    assert anna.wall().get_json()["topics"] == []
    assert anna.wall().get_json()["revision"] == revision
    assert received(phone, "wall_changed") == [] and received(phone, "moderation_changed") == []
    [state] = received(panel, "moderation_changed")
    assert [(t["id"], t["title"], t["status"]) for t in state["pending"]] == [(topic["id"], "Wartet", "pending")]
    second = anna.post(body_at(cells[1], title="Auch")).get_json()["topic"]
    orga.post(body_at(cells[1], title="Organisiert"))  # organizers are not held; takes the cell "Auch" asked for
    panel.get_received()
    approved = orga.act("approve", {"topic_ids": [topic["id"], second["id"]]})
    assert approved.get_json()["changed"] == 2
    posted, approval = received(phone, "wall_changed")
    assert (posted["change"]["type"], posted["change"]["topic"]["title"]) == ("topic_posted", "Organisiert")
    assert approval["revision"] == posted["revision"] + 1  # one action, one revision, one delta
    assert approval["change"]["type"] == "topics_updated" and "removed" not in approval["change"]
    assert [(t["title"], t["room_id"]) for t in approval["change"]["topics"]] == [
        ("Wartet", cells[0][0]),
        ("Auch", None),
    ]  # its cell was taken meanwhile: unplaced
    assert received(panel, "moderation_changed")[-1]["pending"] == []
    assert orga.act("approve", {"topic_ids": [topic["id"]]}).get_json()["code"] == "not_found"


def test_rejected_topic_never_reaches_the_wall_and_can_be_restored(app, orga, cells):
    orga.act("settings", {"premoderation": True}, "patch")
    anna = Participant(app, SLUG)
    phone, _ = watch(Participant(app, SLUG))
    topic = anna.post(body_at(cells[0], title="Werbung")).get_json()["topic"]
    assert orga.act("withdraw", {"topic_ids": [topic["id"]]}).get_json()["changed"] == 0
    assert received(phone, "wall_changed") == []
    assert [t["title"] for t in orga.panel()["withdrawn"]] == ["Werbung"]
    orga.act("restore", {"topic_ids": [topic["id"]]})
    [restored] = received(phone, "wall_changed")
    assert [t["title"] for t in restored["change"]["topics"]] == ["Werbung"]


def test_blocking_a_device_withdraws_all_its_topics_and_refuses_it_afterwards(app, orga, cells):
    mallory, anna = Participant(app, SLUG), Participant(app, SLUG)
    kept = anna.post(body_at(cells[0], title="Echt")).get_json()["topic"]
    spam = [mallory.post(body_at(cells[i], title=f"Spam {i}")).get_json()["topic"]["id"] for i in (1, 2, 3)]
    phone, _ = watch(anna)
    before = anna.wall().get_json()["revision"]
    response = orga.act("block", {"topic_id": spam[1]})
    assert response.get_json()["changed"] == 3
    assert received(phone, "wall_changed") == [
        {"revision": before + 1, "change": {"type": "topics_updated", "topics": [], "removed": spam}}
    ]
    assert titles(anna) == ["Echt"]
    blocked = mallory.post(body_at(cells[4], title="Noch mehr"))
    assert (blocked.status_code, blocked.get_json()["code"]) == (403, "blocked")
    assert mallory.patch(spam[0], {"title": "x"}).get_json()["code"] == "not_found"
    assert anna.patch(kept["id"], {"title": "Echt, geändert"}).status_code == 200
    panel = orga.panel()
    assert panel["blocked"] == 1
    assert [(t["id"], t["author_blocked"]) for t in panel["withdrawn"]] == [(i, True) for i in reversed(spam)]
    assert orga.act("unblock", {"topic_id": spam[0]}).status_code == 200
    assert mallory.post(body_at(cells[4], title="Darf wieder")).status_code == 201
    assert orga.act("unblock", {"topic_id": spam[0]}).get_json()["code"] == "not_found"


def test_bulk_withdraw_and_restore_return_topics_to_their_cells_or_the_queue(app, orga, cells):
    anna, bert = Participant(app, SLUG), Participant(app, SLUG)
    a = anna.post(body_at(cells[0], title="A")).get_json()["topic"]
    b = bert.post(body_at(cells[1], title="B")).get_json()["topic"]
    assert orga.act("withdraw", {"topic_ids": [a["id"], str(b["id"]), a["id"]]}).get_json()["changed"] == 2
    assert titles(anna) == []
    c = bert.post(body_at(cells[1], title="C")).get_json()["topic"]
    assert c["id"] > b["id"]  # ids are never reused
    phone, _ = watch(anna)
    assert orga.act("restore", {"topic_ids": [a["id"], b["id"]]}).get_json()["changed"] == 2
    [message] = received(phone, "wall_changed")
    placed = [(t["title"], t["room_id"], t["slot_id"]) for t in message["change"]["topics"]]
    assert placed == [("A", *cells[0]), ("B", None, None)]
    assert anna.wall().get_json()["mine"] == [a["id"]]


def test_bulk_actions_refuse_bad_lists_and_other_events_ids_changing_nothing(app, orga, cells):
    other = Participant(app, "zukunft")
    foreign = other.post(topic_body(title="Fremd")).get_json()["topic"]
    mine = orga.post(body_at(cells[0], title="Eigen")).get_json()["topic"]
    for bad in ([], [0], [True], [1.5], ["²"], list(range(1, 502)), "1", None, [2**31]):
        response = orga.act("withdraw", {"topic_ids": bad})
        assert (response.status_code, response.get_json()["code"]) == (422, "invalid"), bad
    response = orga.act("withdraw", {"topic_ids": [mine["id"], foreign["id"]]})
    assert (response.status_code, response.get_json()["code"]) == (404, "not_found")
    assert titles(orga) == ["Eigen"]
    assert titles(other) == ["Fremd"]
    assert orga.act("block", {"topic_id": foreign["id"]}).get_json()["code"] == "not_found"
    stranger = Participant(app, SLUG)
    response = stranger.client.post(
        f"/api/events/{SLUG}/moderation/withdraw",
        json={"topic_ids": [mine["id"]]},
        headers={"X-CSRFToken": stranger.csrf},
    )
    assert (response.status_code, response.get_json()["code"]) == (403, "forbidden")
    assert stranger.client.get(f"/api/events/{SLUG}/moderation").status_code == 403
    assert titles(orga) == ["Eigen"]


def test_activity_log_names_roles_never_people(app, orga, cells):
    anna = Participant(app, SLUG)
    topic = anna.post(body_at(cells[0], title="A")).get_json()["topic"]
    anna.patch(topic["id"], {"room_id": cells[1][0], "slot_id": cells[1][1]})
    orga.patch(topic["id"], {"title": "A2"})
    anna.delete(topic["id"])
    orga.act("restore", {"topic_ids": [topic["id"]]})
    orga.act("lock", {"locked": True, "reason": "Pause"})
    steps = orga.client.get(f"/api/events/{SLUG}/moderation/log").get_json()["steps"]
    assert [(s["actor"], s["action"], s["topic_id"]) for s in reversed(steps)] == [
        ("participant", "post", topic["id"]),
        ("participant", "move", topic["id"]),
        ("organizer", "edit", topic["id"]),
        ("participant", "withdraw", topic["id"]),
        ("organizer", "restore", topic["id"]),
        ("organizer", "lock", None),
    ]
    assert steps[0]["after"] == {"locked": True, "lock_reason": "Pause"}
    assert (steps[3]["before"]["title"], steps[3]["after"]["title"]) == ("A", "A2")
    assert "author_hash" not in str(steps)
    assert anna.client.get(f"/api/events/{SLUG}/moderation/log").status_code == 403


def test_unplaced_queue_ceiling_refuses_with_a_clear_message(tmp_path):
    app = make_app(tmp_path, UNPLACED_MAX=2)
    slug, _ = build_event(app)
    people = [Participant(app, slug) for _ in range(3)]
    for person in people[:2]:
        assert person.post(topic_body(room_id=None, slot_id=None)).status_code == 201
    refused = people[2].post(topic_body(room_id=None, slot_id=None))
    assert refused.status_code == 422
    assert refused.get_json() == {
        "ok": False,
        "code": "full",
        "error": "The queue of waiting topics is full. Please choose a free place or try again later.",
    }
    assert people[2].post(topic_body()).status_code == 201  # a free cell still works


def swap(orga, topic_id, other_id):
    return orga.client.post(
        f"/api/events/{SLUG}/topics/{topic_id}/swap", json={"other_id": other_id}, headers={"X-CSRFToken": orga.csrf}
    )


def test_swap_exchanges_two_cells_in_one_delta_and_one_revision(app, orga, cells):
    anna, bert = Participant(app, SLUG), Participant(app, SLUG)
    a = anna.post(body_at(cells[0], title="A")).get_json()["topic"]
    b = bert.post(body_at(cells[1], title="B")).get_json()["topic"]
    queued = bert.post(body_at(None, title="Wartet")).get_json()["topic"]
    phone, _ = watch(anna)
    before = anna.wall().get_json()["revision"]
    response = swap(orga, a["id"], b["id"])
    assert response.status_code == 200
    [message] = received(phone, "wall_changed")
    assert message["revision"] == before + 1
    assert message["change"]["type"] == "topics_updated"
    assert [(t["id"], t["room_id"], t["slot_id"]) for t in message["change"]["topics"]] == [
        (a["id"], *cells[1]),
        (b["id"], *cells[0]),
    ]
    placed = {t["title"]: (t["room_id"], t["slot_id"]) for t in anna.wall().get_json()["topics"]}
    assert placed == {"A": cells[1], "B": cells[0], "Wartet": (None, None)}
    assert swap(orga, queued["id"], a["id"]).status_code == 200  # with an unplaced topic: it takes the cell
    placed = {t["title"]: (t["room_id"], t["slot_id"]) for t in anna.wall().get_json()["topics"]}
    assert placed == {"A": (None, None), "B": cells[0], "Wartet": cells[1]}
    steps = orga.client.get(f"/api/events/{SLUG}/log").get_json()["steps"]
    assert [(s["action"], s["topic_id"]) for s in steps[:2]] == [("swap", a["id"]), ("swap", queued["id"])]


def test_swap_refusals_change_nothing(app, orga, cells):
    anna = Participant(app, SLUG)
    a = anna.post(body_at(cells[0], title="A")).get_json()["topic"]
    b = anna.post(body_at(cells[1], title="B")).get_json()["topic"]
    foreign = Participant(app, "zukunft").post(topic_body(title="Fremd")).get_json()["topic"]
    wall = anna.wall().get_json()
    forged = anna.client.post(
        f"/api/events/{SLUG}/topics/{a['id']}/swap", json={"other_id": b["id"]}, headers={"X-CSRFToken": anna.csrf}
    )
    assert (forged.status_code, forged.get_json()["code"]) == (403, "forbidden")
    for other, status, code in (
        (a["id"], 422, "invalid"),
        ("x", 422, "invalid"),
        (None, 422, "invalid"),
        (foreign["id"], 404, "not_found"),
        (2**31, 422, "invalid"),
    ):
        response = swap(orga, a["id"], other)
        assert (response.status_code, response.get_json()["code"]) == (status, code), other
    anna.delete(b["id"])
    assert swap(orga, a["id"], b["id"]).get_json()["code"] == "not_found"  # withdrawn: not on the wall
    assert anna.wall().get_json()["topics"] == [t for t in wall["topics"] if t["id"] != b["id"]]


def test_contract_paths_lock_unlock_restore_and_log(app, orga, cells):
    anna = Participant(app, SLUG)
    topic = anna.post(body_at(cells[0], title="A")).get_json()["topic"]
    headers = {"X-CSRFToken": orga.csrf}
    assert orga.client.post(f"/api/events/{SLUG}/lock", json={"reason": "Pause"}, headers=headers).status_code == 200
    assert anna.wall().get_json()["event"]["lock_reason"] == "Pause"
    assert anna.post(body_at(cells[1])).status_code == 423
    assert orga.client.post(f"/api/events/{SLUG}/unlock", headers=headers).status_code == 200
    assert anna.delete(topic["id"]).status_code == 200
    restored = orga.client.post(f"/api/events/{SLUG}/topics/{topic['id']}/restore", headers=headers)
    assert restored.get_json()["changed"] == 1
    assert [t["room_id"] for t in anna.wall().get_json()["topics"]] == [cells[0][0]]
    for path in ("lock", "unlock", f"topics/{topic['id']}/restore"):
        forged = anna.client.post(f"/api/events/{SLUG}/{path}", headers={"X-CSRFToken": anna.csrf})
        assert (path, forged.status_code) == (path, 403)
    assert anna.client.get(f"/api/events/{SLUG}/log").status_code == 403
    assert [s["action"] for s in orga.client.get(f"/api/events/{SLUG}/log").get_json()["steps"][:3]] == [
        "restore",
        "withdraw",
        "unlock",
    ]


def test_pinned_topic_is_moved_only_by_organizers(app, orga, cells):
    anna = Participant(app, SLUG)
    topic = anna.post(body_at(cells[0], title="Fest")).get_json()["topic"]
    assert topic["pinned"] is False
    phone, _ = watch(anna)
    headers = {"X-CSRFToken": orga.csrf}
    forged = anna.client.post(f"/api/events/{SLUG}/topics/{topic['id']}/pin", headers={"X-CSRFToken": anna.csrf})
    assert (forged.status_code, forged.get_json()["code"]) == (403, "forbidden")
    assert orga.client.post(f"/api/events/{SLUG}/topics/{topic['id']}/pin", headers=headers).status_code == 200
    [message] = received(phone, "wall_changed")
    assert (message["change"]["type"], message["change"]["topic"]["pinned"]) == ("topic_updated", True)
    moved = anna.patch(topic["id"], {"room_id": cells[1][0], "slot_id": cells[1][1]})
    assert moved.status_code == 403
    assert moved.get_json() == {
        "ok": False,
        "code": "forbidden",
        "error": "The organizers pinned this topic to its place; only they move it.",
    }
    assert anna.patch(topic["id"], {"title": "Fest, neu"}).status_code == 200  # the text stays the host's
    assert orga.patch(topic["id"], {"room_id": cells[1][0], "slot_id": cells[1][1]}).status_code == 200
    assert orga.client.post(f"/api/events/{SLUG}/topics/{topic['id']}/unpin", headers=headers).status_code == 200
    assert anna.patch(topic["id"], {"room_id": cells[2][0], "slot_id": cells[2][1]}).status_code == 200
    assert orga.client.post(f"/api/events/{SLUG}/topics/{2**31}/pin", headers=headers).status_code == 404
