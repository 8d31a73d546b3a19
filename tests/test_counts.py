"""Interest marks and check-ins: one client acts, another watches the coalesced counts_changed; exact counts."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from conftest import Participant, build_event, make_app, topic_body

from openspace import counts
from openspace.extensions import db
from openspace.identity import hash_secret
from openspace.models import BlockedParticipant, CheckIn, Event, Interest

NINE_THIRTY = datetime(2026, 2, 27, 8, 30, tzinfo=UTC)  # 09:30 in Berlin: slot 1 (09:00-09:50) runs


@pytest.fixture
def at(monkeypatch):
    """Set the clock the current slot is computed from (aware UTC)."""

    def set_now(moment):
        monkeypatch.setattr(counts, "now_utc", lambda: moment)

    set_now(NINE_THIRTY)
    return set_now


def joined(participant, slug="zukunft"):
    socket = participant.socket()
    ack = socket.emit("join", {"event": slug}, callback=True)
    assert ack["ok"] is True
    socket.get_received()
    return socket, ack


def counts_messages(socket, wait=1.4):
    """The counts_changed messages that arrive within `wait` seconds, with their arrival times."""
    found = []
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for message in socket.get_received():
            if message["name"] == "counts_changed":
                found.append((time.monotonic(), message["args"][0]))
        time.sleep(0.02)
    return found


def mark(participant, topic_id, method="post", **headers):
    return participant.client.open(
        f"/api/events/{participant.slug}/topics/{topic_id}/interest",
        method=method.upper(),
        headers={"X-CSRFToken": participant.csrf, **headers},
    )


def checkin(participant, room_id):
    return participant.call("post", f"rooms/{room_id}/checkin")


def interest_of(wall, topic_id):
    return next(t["interest"] for t in wall["topics"] if t["id"] == topic_id)


def test_marks_reach_the_watcher_as_one_counts_changed(app, alice, bob):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    carol = Participant(app, "zukunft")
    watcher, _ = joined(carol)

    assert mark(bob, topic_id).get_json() == {"topic_id": topic_id, "interested": True, "interest": 1}
    assert mark(carol, topic_id).get_json() == {"topic_id": topic_id, "interested": True, "interest": 2}
    assert mark(bob, topic_id).get_json() == {"topic_id": topic_id, "interested": True, "interest": 2}  # idempotent

    assert [m for _t, m in counts_messages(watcher)] == [{"interest": {str(topic_id): 2}}]
    assert interest_of(bob.wall().get_json(), topic_id) == 2

    assert mark(bob, topic_id, "delete").get_json() == {"topic_id": topic_id, "interested": False, "interest": 1}
    assert mark(bob, topic_id, "delete").get_json() == {"topic_id": topic_id, "interested": False, "interest": 1}
    assert [m for _t, m in counts_messages(watcher)] == [{"interest": {str(topic_id): 1}}]
    assert all(m["name"] != "wall_changed" for m in watcher.get_received())  # counts never bump the revision
    assert bob.wall().get_json()["revision"] == 1


def test_the_hosts_own_mark_is_stored_but_not_counted(app, alice, bob):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    watcher, _ = joined(bob)
    assert mark(alice, topic_id).get_json() == {"topic_id": topic_id, "interested": True, "interest": 0}
    assert counts_messages(watcher) == []  # nothing changed that anyone may see
    with app.app_context():
        assert db.session.query(Interest).count() == 1
    _socket, ack = joined(alice)
    assert interest_of(ack["wall"], topic_id) == 0
    assert ack["marked"] == [topic_id]  # the host's phone still shows its own mark pressed


def test_200_taps_in_a_second_make_one_message_with_the_final_counts(app, alice):
    first = alice.post(topic_body()).get_json()["topic"]["id"]
    second = alice.post(topic_body(title="Zweites", room_id=2)).get_json()["topic"]["id"]
    people = [Participant(app, "zukunft") for _ in range(80)]
    watcher, _ = joined(alice)
    arrived = []
    stop = threading.Event()

    def watch():  # notes when each message arrives, while the taps go on
        while not stop.is_set():
            arrived.extend(
                (time.monotonic(), m["args"][0]) for m in watcher.get_received() if m["name"] == "counts_changed"
            )
            time.sleep(0.01)

    reader = threading.Thread(target=watch)
    reader.start()
    started = time.monotonic()
    taps = [(p, first, "post") for p in people] + [(p, second, "post") for p in people]
    taps += [(p, second, "delete") for p in people[:25]] + [(p, second, "post") for p in people[:15]]
    assert len(taps) == 200
    for person, topic_id, method in taps:
        assert mark(person, topic_id, method).status_code == 200
    tapped = time.monotonic() - started
    time.sleep(2.3)
    stop.set()
    reader.join()

    final = {"interest": {str(first): 80, str(second): 70}}
    if tapped < 1.0:  # all 200 taps inside the first second: exactly one message, a second after the first tap
        assert [m for _t, m in arrived] == [final]
        assert 1.0 <= arrived[0][0] - started < 1.5
    else:  # a slow machine: still at most one a second, and the last one is the truth
        assert len(arrived) <= int(tapped) + 1
        assert all(b[0] - a[0] >= 0.9 for a, b in pairwise(arrived))
        latest = {}
        for _t, message in arrived:
            latest.update(message["interest"])
        assert latest == final["interest"]
    assert interest_of(alice.wall().get_json(), second) == 70


def test_counts_survive_a_restart_and_come_with_every_rejoin(app, tmp_path, database_url, alice, bob):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    mark(bob, topic_id)
    _socket, ack = joined(alice)
    assert interest_of(ack["wall"], topic_id) == 1
    assert ack["wall"]["topics"][0]["interest"] == 1

    restarted = make_app(tmp_path, DATABASE_URL=database_url)  # a new process on the same database
    again = Participant(restarted, "zukunft")
    assert interest_of(again.wall().get_json(), topic_id) == 1
    mark(again, topic_id)
    socket, ack = joined(again)
    assert interest_of(ack["wall"], topic_id) == 2
    assert ack["marked"] == [topic_id]
    # A rejoin between two counts_changed (same revision, cached snapshot) still gets the count of the moment.
    mark(again, topic_id, "delete")
    ack = socket.emit("join", {"event": "zukunft"}, callback=True)
    assert interest_of(ack["wall"], topic_id) == 1
    assert ack["marked"] == []
    with restarted.app_context():
        db.engine.dispose()


def test_refused_marks_change_nothing(app, alice, bob):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    withdrawn = alice.post(topic_body(title="Weg", room_id=2)).get_json()["topic"]["id"]
    alice.delete(withdrawn)
    other_slug, _secret = build_event(app, slug="andere")
    other = Participant(app, other_slug)
    foreign = other.post(topic_body(room_id=4, slot_id=4)).get_json()["topic"]["id"]

    assert mark(bob, 999).status_code == 404
    assert mark(bob, 999).get_json()["code"] == "not_found"
    assert mark(bob, foreign).status_code == 404  # another event's topic
    refused = mark(bob, withdrawn)
    assert (refused.status_code, refused.get_json()["code"]) == (409, "not_live")
    no_csrf = bob.client.post(f"/api/events/zukunft/topics/{topic_id}/interest")
    assert (no_csrf.status_code, no_csrf.get_json()["code"]) == (403, "csrf")
    with app.app_context():
        assert db.session.query(Interest).count() == 0


def test_a_blocked_device_may_not_mark_and_a_locked_wall_still_may(app, alice, bob):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    with bob.client.session_transaction() as session:
        bob_hash = hash_secret(session["pk"])
    with app.app_context():
        db.session.get(Event, 1).locked = True  # the lock keeps the arrangement; marks change none of it
        db.session.commit()
    assert mark(bob, topic_id).get_json()["interest"] == 1
    with app.app_context():
        db.session.add(BlockedParticipant(event_id=1, author_hash=bob_hash))
        db.session.commit()
    refused = mark(bob, topic_id, "delete")
    assert (refused.status_code, refused.get_json()["code"]) == (403, "blocked")
    assert checkin(bob, 1).status_code == 403
    with app.app_context():
        assert db.session.query(Interest).count() == 1


def test_taps_are_rate_limited_per_participant(app, alice, bob):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    answers = [mark(bob, topic_id, "post" if i % 2 == 0 else "delete").status_code for i in range(11)]
    assert answers == [200] * 10 + [429]  # 10 per 2 seconds, like posts have their own limit
    assert mark(alice, topic_id).status_code == 200  # someone else is not held up
    with app.app_context():
        assert db.session.query(Interest).count() == 1  # bob's 10th tap took his mark back; the 11th changed nothing


def test_checkins_move_people_and_reach_the_watcher_as_headcounts(app, at, alice, bob):
    watcher, ack = joined(alice)
    assert ack["wall"]["headcounts"] == {"slot_id": 1, "rooms": {}}

    assert checkin(bob, 1).get_json() == {"room_id": 1, "slot_id": 1, "headcount": 1, "capacity": 20}
    assert checkin(alice, 1).get_json() == {"room_id": 1, "slot_id": 1, "headcount": 2, "capacity": 20}
    first = {"headcounts": {"slot_id": 1, "rooms": {"1": 2, "2": 0, "3": 0}}}  # every room: merged by clients
    assert [m for _t, m in counts_messages(watcher)] == [first]

    assert checkin(bob, 2).get_json() == {"room_id": 2, "slot_id": 1, "headcount": 1, "capacity": 20}  # moved
    assert [m for _t, m in counts_messages(watcher)] == [{"headcounts": {"slot_id": 1, "rooms": {"1": 1, "2": 1}}}]
    assert bob.wall().get_json()["headcounts"] == {"slot_id": 1, "rooms": {"1": 1, "2": 1}}
    with app.app_context():
        assert db.session.query(CheckIn).count() == 2  # one row per person and slot

    at(datetime(2026, 2, 27, 9, 0, tzinfo=UTC))  # 10:00: slot 2 runs, the check-ins of slot 1 are over
    _socket, ack = joined(bob)
    assert ack["wall"]["headcounts"] == {"slot_id": 2, "rooms": {}}
    assert checkin(bob, 3).get_json() == {"room_id": 3, "slot_id": 2, "headcount": 1, "capacity": 20}
    assert [m for _t, m in counts_messages(watcher)] == [{"headcounts": {"slot_id": 2, "rooms": {"3": 1}}}]


def test_the_current_slot_is_the_running_one_or_one_starting_within_ten_minutes(app, at, bob):
    at(datetime(2026, 2, 27, 8, 49, tzinfo=UTC))  # 09:49: slot 1 still runs
    assert checkin(bob, 1).get_json()["slot_id"] == 1
    at(datetime(2026, 2, 27, 8, 52, tzinfo=UTC))  # 09:52: between slots, slot 2 starts in 8 minutes
    assert checkin(bob, 1).get_json()["slot_id"] == 2
    at(datetime(2026, 2, 27, 7, 49, tzinfo=UTC))  # 08:49: the day's first slot starts in 11 minutes
    refused = checkin(bob, 1)
    assert (refused.status_code, refused.get_json()["code"]) == (409, "no_slot_now")
    at(datetime(2026, 2, 27, 11, 50, tzinfo=UTC))  # 12:50: the last slot is over
    assert checkin(bob, 1).status_code == 409
    assert bob.wall().get_json()["headcounts"] == {"slot_id": None, "rooms": {}}
    with app.app_context():
        assert db.session.query(CheckIn).count() == 2


def test_refused_checkins_change_nothing(app, at, bob):
    other_slug, _secret = build_event(app, slug="andere")
    assert checkin(bob, 99).status_code == 404
    assert checkin(bob, 4).get_json()["code"] == "not_found"  # the other event's room
    assert bob.client.post("/api/events/zukunft/rooms/1/checkin").get_json()["code"] == "csrf"
    assert (
        bob.client.post(f"/api/events/{other_slug}/rooms/1/checkin", headers={"X-CSRFToken": bob.csrf}).status_code
        == 404
    )
    with app.app_context():
        assert db.session.query(CheckIn).count() == 0


def test_the_room_page_shows_the_room_and_its_headcount(app, at, alice, bob):
    alice.post(topic_body(title="Retouren senken"))
    checkin(bob, 1)
    page = bob.client.get("/e/zukunft/r/1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<h1 lang="en">Raum 1</h1>' in html
    assert "Now · 09:00–09:50</span>" in html and "Retouren senken" in html
    assert "Next · 10:00–10:50</span>" in html
    assert ">I'm here</button>" in html
    assert bob.client.get("/e/zukunft/r/4").status_code == 404
    qr = bob.client.get("/e/zukunft/r/1/qr.svg")
    assert (qr.status_code, qr.mimetype) == (200, "image/svg+xml")
    assert bob.client.get("/e/zukunft/r/4/qr.svg").status_code == 404
    assert bob.client.get("/e/zukunft/r/99").status_code == 404


@pytest.fixture(scope="module")
def redis_server():
    from services import RedisServer

    server = RedisServer()
    try:
        yield server.start()
    finally:
        server.stop()


def test_with_redis_one_process_sends_per_event_and_second_the_other_keeps_its_dirt(
    tmp_path, redis_server, monkeypatch
):
    import redis

    from openspace import broadcast

    app = make_app(tmp_path)  # REDIS_URL would bind the process-wide Socket.IO server to a queue: hubs get it below
    slug, _secret = build_event(app)
    alice, bob = Participant(app, slug), Participant(app, slug)
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    monkeypatch.setattr(counts.Hub, "mark", lambda *args, **kwargs: None)  # the two hubs below do the sending
    assert mark(bob, topic_id).get_json()["interest"] == 1
    sent = []
    monkeypatch.setattr(broadcast, "announce_counts", lambda event_id, message: sent.append((event_id, message)))
    with app.app_context():
        one, two = counts.Hub(app), counts.Hub(app)  # as two processes sharing Redis would have them
        for hub in (one, two):
            hub.shared, hub._redis = True, redis.Redis.from_url(redis_server.url)
            hub.live(1).dirty_topics.add(topic_id)
            hub.live(1).dirty_since = 0.0
        one.flush(1)
        two.flush(1)  # the gate is taken for this second: nothing sent, the dirt waits
        assert sent == [(1, {"interest": {str(topic_id): 1}})]
        assert two.live(1).dirty_topics == {topic_id}
        time.sleep(1.05)
        two.flush(1)
        assert sent == [(1, {"interest": {str(topic_id): 1}})] * 2
        assert two.live(1).dirty_topics == set()
        db.engine.dispose()


def test_the_room_page_calls_a_slot_starting_in_minutes_next(app, at, alice, bob):
    alice.post(topic_body(title="Gleich", room_id=1, slot_id=2))
    at(datetime(2026, 2, 27, 8, 55, tzinfo=UTC))  # 09:55: slot 2 starts in 5 minutes, check-ins go to it
    html = bob.client.get("/e/zukunft/r/1").get_data(as_text=True)
    assert "Next · 10:00–10:50</span>" in html and "Gleich" in html
    assert "Now ·" not in html
    assert "Next · 11:00–11:50</span>" in html
