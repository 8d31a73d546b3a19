"""Socket.IO: one client acts, another watches and receives exactly the change and revision."""

from __future__ import annotations

from conftest import Participant, build_event, topic_body


def joined(participant, slug="zukunft"):
    socket = participant.socket()
    ack = socket.emit("join", {"event": slug}, callback=True)
    assert ack["ok"] is True
    socket.get_received()
    return socket, ack


def changes(socket):
    return [(m["name"], m["args"][0]) for m in socket.get_received() if m["name"] == "wall_changed"]


def test_join_acknowledges_with_full_wall_state(alice):
    _socket, ack = joined(alice)
    assert ack["wall"] == {k: v for k, v in alice.wall().get_json().items() if k != "mine"}
    assert ack["wall"]["revision"] == 0


def test_join_unknown_event_is_refused_in_ack(alice):
    socket = alice.socket()
    assert socket.emit("join", {"event": "gibtsnicht"}, callback=True) == {
        "ok": False,
        "error": "There is no event at this address.",
        "code": "not_found",
    }
    assert socket.emit("join", "zukunft", callback=True)["code"] == "not_found"


def test_post_by_one_client_reaches_watcher_as_delta(alice, bob):
    watcher, _ = joined(bob)
    actor, _ = joined(alice)
    topic = alice.post(topic_body()).get_json()["topic"]
    assert changes(watcher) == [("wall_changed", {"revision": 1, "change": {"type": "topic_posted", "topic": topic}})]
    assert changes(actor) == [("wall_changed", {"revision": 1, "change": {"type": "topic_posted", "topic": topic}})]


def test_edit_and_withdraw_reach_watcher_in_revision_order(alice, bob):
    watcher, _ = joined(bob)
    topic = alice.post(topic_body()).get_json()["topic"]
    edited = alice.patch(topic["id"], {"title": "Neu"}).get_json()["topic"]
    alice.delete(topic["id"])
    assert changes(watcher) == [
        ("wall_changed", {"revision": 1, "change": {"type": "topic_posted", "topic": topic}}),
        ("wall_changed", {"revision": 2, "change": {"type": "topic_updated", "topic": edited}}),
        ("wall_changed", {"revision": 3, "change": {"type": "topic_withdrawn", "topic_id": topic["id"]}}),
    ]


def test_refused_change_broadcasts_nothing(alice, bob):
    watcher, _ = joined(bob)
    alice.post(topic_body(title=""))
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    bob.patch(topic_id, {"title": "Gekapert"})
    bob.post(topic_body(title="Doppelt"))
    assert [args["revision"] for _, args in changes(watcher)] == [1]


def test_changes_stay_in_their_event(app, alice):
    build_event(app, slug="andere")
    other = Participant(app, "andere")
    other_watcher, _ = joined(other, "andere")
    watcher, _ = joined(alice)
    alice.post(topic_body())
    assert changes(other_watcher) == []
    assert [args["revision"] for _, args in changes(watcher)] == [1]


def test_joining_another_event_leaves_the_first(app, alice):
    build_event(app, slug="andere")
    other = Participant(app, "andere")
    room_id, slot_id = other.first_cell()
    wall_before = {k: v for k, v in other.wall().get_json().items() if k != "mine"}
    socket, _ = joined(alice)

    ack = socket.emit("join", {"event": "andere"}, callback=True)
    socket.get_received()
    alice.post(topic_body())
    posted = other.post(topic_body(title="Drüben", room_id=room_id, slot_id=slot_id)).get_json()["topic"]

    assert ack["ok"] is True
    assert ack["wall"] == wall_before
    assert ack["wall"]["event"]["slug"] == "andere"
    assert changes(socket) == [("wall_changed", {"revision": 1, "change": {"type": "topic_posted", "topic": posted}})]


def test_rejoin_after_missed_changes_gets_snapshot_at_current_revision(alice, bob):
    socket, _ = joined(bob)
    socket.disconnect()
    alice.post(topic_body(title="A"))
    alice.post(topic_body(title="B", room_id=2))
    socket = bob.socket()
    ack = socket.emit("join", {"event": "zukunft"}, callback=True)
    assert ack["wall"]["revision"] == 2
    assert [t["title"] for t in ack["wall"]["topics"]] == ["A", "B"]


def test_connection_without_page_session_is_refused_at_connect(app, event):
    from openspace.extensions import socketio

    stranger = socketio.test_client(app, flask_test_client=app.test_client())
    assert stranger.is_connected() is False


def test_projector_page_hands_out_the_session_sockets_need(app, event):
    from openspace.extensions import socketio

    client = app.test_client()
    client.get("/e/zukunft/wall")
    wall = socketio.test_client(app, flask_test_client=client)
    assert wall.is_connected() is True
    assert wall.emit("join", {"event": "zukunft"}, callback=True)["ok"] is True


def test_join_ack_names_the_callers_own_topics(alice, bob):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    _socket, alice_ack = joined(alice)
    _socket, bob_ack = joined(bob)
    assert alice_ack["mine"] == [topic_id]
    assert bob_ack["mine"] == []
