"""How live changes travel on the wire (openspace/transport.py), read frame by frame from a real server.

A change goes to every phone as one uncompressed WebSocket frame, built once, also to browsers that asked for
permessage-deflate; large wall snapshots are compressed for them. Phones that stop reading for a while (a
weak Wi-Fi signal) get everything afterwards, whole and in order.
"""

from __future__ import annotations

import itertools
import json
import os

import pytest
from live import HttpParticipant, LiveServer, cli
from rawws import RawSocketIO

pytestmark = [pytest.mark.server]

_slugs = itertools.count(1)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    database_url = f"sqlite:///{tmp_path_factory.mktemp('transport') / 'transport.sqlite3'}"
    with LiveServer(database_url) as server:
        yield server, database_url


@pytest.fixture
def slug(site):
    """A fresh event per test (revision 0, no topics)."""
    _, database_url = site
    slug = f"wire{next(_slugs)}"
    cli(
        database_url,
        "create-event",
        "--name=Wire",
        f"--slug={slug}",
        "--starts-on=2026-02-27",
        "--room=A",
        "--slot=09:00-10:00",
    )
    return slug


def cookie_of(person: HttpParticipant) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in person.http.cookies)


def noise(size: int) -> str:
    """Text that hardly compresses, so a wall of it stays large even with permessage-deflate."""
    return os.urandom(size // 2).hex()


def long_topic(title: str) -> dict:
    return {"title": title, "host": "Ada", "goal": noise(1000), "context": noise(1000)}


def large_wall(base_url: str, slug: str) -> tuple[dict, HttpParticipant]:
    """80 long topics (a wall of over 160 KB of JSON); the wall as a join shows it, and the poster."""
    poster = HttpParticipant(base_url, slug)
    for index in range(80):
        assert poster.post(long_topic(f"Anliegen {index}")).status_code == 201
    return {key: value for key, value in poster.wall().items() if key != "mine"}, poster


def test_change_reaches_plain_and_compressing_clients_as_one_uncompressed_frame(site, slug):
    server, _ = site
    poster = HttpParticipant(server.url, slug)
    for index in range(3):  # a wall snapshot above 4 KB: compressed for clients that asked
        assert poster.post(long_topic(f"Vorab {index}")).status_code == 201
    plain = RawSocketIO(server.url, cookie_of(HttpParticipant(server.url, slug)))
    compressing = RawSocketIO(server.url, cookie_of(HttpParticipant(server.url, slug)), deflate=True)
    try:
        assert "permessage-deflate" not in plain.response_head
        assert "permessage-deflate" in compressing.response_head
        acks = [client.connect_and_join(slug) for client in (plain, compressing)]
        assert [ack["wall"]["revision"] for ack in acks] == [3, 3]
        assert acks[0]["wall"] == acks[1]["wall"]
        assert [plain.frames[-1].compressed, compressing.frames[-1].compressed] == [False, True]

        for index in range(3):
            assert poster.post({"title": f"Anliegen {index}", "host": "Ada"}).status_code == 201

        for client in (plain, compressing):
            events = [client.next_event() for _ in range(3)]
            assert [(name, data["revision"], data["change"]["type"]) for name, data in events] == [
                ("wall_changed", 4, "topic_posted"),
                ("wall_changed", 5, "topic_posted"),
                ("wall_changed", 6, "topic_posted"),
            ]
            assert [data["change"]["topic"]["title"] for _, data in events] == [
                "Anliegen 0",
                "Anliegen 1",
                "Anliegen 2",
            ]
            assert [frame.compressed for frame in client.frames[-3:]] == [False, False, False]
    finally:
        plain.close()
        compressing.close()


def test_phone_that_stops_reading_gets_every_change_whole_and_in_order(site, slug):
    server, _ = site
    poster = HttpParticipant(server.url, slug)
    slow = RawSocketIO(server.url, cookie_of(HttpParticipant(server.url, slug)), slow=True)
    try:
        assert slow.connect_and_join(slug)["wall"]["revision"] == 0
        # It reads nothing while 60 changes of 2.3 KB each are made: more than the socket buffers hold.
        titles = [f"Anliegen {index}" for index in range(60)]
        for title in titles:
            assert poster.post(long_topic(title)).status_code == 201

        events = [slow.next_event() for _ in titles]

        assert [data["revision"] for _, data in events] == list(range(1, 61))
        assert [data["change"]["topic"]["title"] for _, data in events] == titles
        assert poster.post({"title": "Danach", "host": "Ada"}).status_code == 201
        assert slow.next_event()[1]["revision"] == 61  # the connection is still good
    finally:
        slow.close()


@pytest.mark.parametrize("deflate", [False, True], ids=["plain", "permessage-deflate"])
def test_slow_phone_gets_a_large_wall_whole(site, slug, deflate):
    server, _ = site
    expected, _ = large_wall(server.url, slug)
    slow = RawSocketIO(server.url, cookie_of(HttpParticipant(server.url, slug)), deflate=deflate, slow=True)
    try:
        slow.request_join(slug)
        queued = slow.wait_until_stalled()  # not reading: the snapshot (over 160 KB, 80 KB compressed) waits
        ack = slow.next_text()

        assert queued < slow.frames[-1].wire_size, "the snapshot was written whole before the phone read"

        assert ack.startswith("431[")
        wall = json.loads(ack[3:])[0]["wall"]
        assert wall == expected
        assert len(json.dumps(wall)) > 160_000
        assert slow.frames[-1].compressed is deflate
    finally:
        slow.close()


@pytest.mark.parametrize("deflate", [False, True], ids=["plain", "permessage-deflate"])
def test_websocket_ping_during_a_large_wall_is_answered_between_frames(site, slug, deflate):
    server, _ = site
    expected, poster = large_wall(server.url, slug)
    slow = RawSocketIO(server.url, cookie_of(HttpParticipant(server.url, slug)), deflate=deflate, slow=True)
    try:
        slow.request_join(slug)
        queued = slow.wait_until_stalled()  # the snapshot is partly written and waits for room in the socket
        slow.send_ping(b"PING!")  # the server's pong has to wait for the end of the snapshot's frame
        ack = slow.next_text()

        assert queued < slow.frames[-1].wire_size, "the snapshot was written whole before the ping"

        assert json.loads(ack[3:])[0]["wall"] == expected  # whole: the pong did not cut into it
        while not slow.pongs:
            slow.read_frame()
        assert slow.pongs == ["PING!"]
        slow.send_ping(b"again")
        while len(slow.pongs) < 2:
            slow.read_frame()
        assert slow.pongs == ["PING!", "again"]
        assert poster.post({"title": "Danach", "host": "Ada"}).status_code == 201
        assert slow.next_event()[1]["revision"] == 81  # the stream is intact after it
    finally:
        slow.close()


def test_connection_that_never_reads_is_dropped_past_the_queued_bytes_limit(site, slug):
    """Joins asking for a 160 KB wall again and again, nothing read: the server drops it, not its memory."""
    server, _ = site
    large_wall(server.url, slug)
    hog = RawSocketIO(server.url, cookie_of(HttpParticipant(server.url, slug)), slow=True)
    asks = 40  # 40 snapshots of 160 KB: 6.4 MB, six times the 1 MB limit, far beyond the socket buffers
    try:
        hog.request_join(slug)
        for number in range(2, asks + 1):
            hog.send_text(f"42{number}" + json.dumps(["join", {"event": slug}]))
        acks = 0
        with pytest.raises(OSError) as ended:  # reads what reached it before the drop (a reset may discard it)
            while True:
                if hog.next_text().startswith("43"):
                    acks += 1
        assert not isinstance(ended.value, TimeoutError)  # dropped by the server, not waiting for more
        assert acks < asks
    finally:
        hog.close()
    watcher = RawSocketIO(server.url, cookie_of(HttpParticipant(server.url, slug)))
    try:
        assert watcher.connect_and_join(slug)["wall"]["revision"] == 80  # the server goes on serving
    finally:
        watcher.close()
