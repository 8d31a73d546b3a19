"""Many people grab one cell at the same instant: exactly one wins, the rest are told who has it."""

from __future__ import annotations

import threading

import pytest
from live import HttpParticipant, LiveServer, cli

THREADS = 24
ROUNDS = 100
ORGANIZERS = 20
ORGANIZER_ROUNDS = 50

pytestmark = [pytest.mark.server, pytest.mark.slow]


def claim(person, index, room_id, slot_id, barrier, results) -> None:
    """Wait for everyone, then post into the cell; record status and body."""
    body = {"title": f"Anliegen {index}", "host": f"P{index}", "room_id": room_id, "slot_id": slot_id}
    barrier.wait()
    response = person.post(body)
    results[index] = (response.status_code, response.json())


def claim_rounds(servers: list[LiveServer], slug: str, rounds: int) -> list[list[tuple[int, dict]]]:
    """Each round, THREADS participants (spread over the servers) post into the same cell at once."""
    people = [HttpParticipant(servers[i % len(servers)].url, slug) for i in range(THREADS)]
    wall = people[0].wall()
    cells = [(room["id"], slot["id"]) for slot in wall["slots"] for room in wall["rooms"]]
    assert len(cells) >= rounds
    outcomes: list[list[tuple[int, dict]]] = []
    for round_number in range(rounds):
        room_id, slot_id = cells[round_number]
        barrier = threading.Barrier(THREADS)
        results: list[tuple[int, dict]] = [(0, {})] * THREADS
        threads = [
            threading.Thread(target=claim, args=(people[i], i, room_id, slot_id, barrier, results))
            for i in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        outcomes.append(results)
    return outcomes


def assert_one_winner_per_round(outcomes: list[list[tuple[int, dict]]]) -> None:
    for results in outcomes:
        statuses = sorted(status for status, _ in results)
        assert statuses == [201] + [409] * (THREADS - 1), statuses
        winner = next(body["topic"] for status, body in results if status == 201)
        for status, body in results:
            if status == 409:
                assert body["code"] == "taken"
                assert body["holder"]["id"] == winner["id"]
                assert winner["title"] in body["error"]
                assert "locked" not in body["error"]


def make_event(database_url: str) -> None:
    slots = [
        f"--slot=2026-02-27 {8 + i // 6:02d}:{(i % 6) * 10:02d}-{8 + i // 6:02d}:{(i % 6) * 10 + 9:02d}"
        for i in range(25)
    ]
    rooms = [f"--room=Raum {i}" for i in range(4)]
    cli(
        database_url,
        "create-event",
        "--name=Race",
        "--slug=race",
        "--starts-on=2026-02-27",
        "--max-topics-per-participant=0",
        "--language=en",
        *rooms,
        *slots,
    )


def test_race_one_server_exactly_one_winner_each_round(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    make_event(database_url)
    with LiveServer(database_url) as server:
        outcomes = claim_rounds([server], "race", ROUNDS)
        wall = HttpParticipant(server.url, "race").wall()
    assert_one_winner_per_round(outcomes)
    assert len(wall["topics"]) == ROUNDS
    assert wall["revision"] == ROUNDS


def test_race_two_processes_on_one_sqlite_file_exactly_one_winner(tmp_path):
    """Two server processes share the file: BEGIN IMMEDIATE keeps 'database is locked' away."""
    database_url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    make_event(database_url)
    with LiveServer(database_url) as one, LiveServer(database_url) as two:
        outcomes = claim_rounds([one, two], "race", 50)
        wall = HttpParticipant(one.url, "race").wall()
    assert_one_winner_per_round(outcomes)
    assert len(wall["topics"]) == 50
    assert wall["revision"] == 50


def test_organizers_swapping_and_moving_the_same_topics_never_break_the_wall(tmp_path):
    """20 organizer threads swap and move 6 topics among 8 cells for 50 rounds: a watcher sees every revision
    once and in order, and the wall never holds a topic twice or two topics in one cell."""
    import random
    import re

    import socketio

    database_url = f"sqlite:///{tmp_path / 'swap.sqlite3'}"
    output = cli(
        database_url,
        "create-event",
        "--name=Swap",
        "--slug=swap",
        "--starts-on=2026-02-27",
        "--room=A",
        "--room=B",
        "--slot=09:00-09:50",
        "--slot=10:00-10:50",
        "--slot=11:00-11:50",
        "--slot=12:00-12:50",
    )
    organize = re.search(r"(/e/swap/organize/\S+)", output).group(1)
    with LiveServer(database_url) as server:
        people = [HttpParticipant(server.url, "swap") for _ in range(ORGANIZERS)]
        for person in people:
            assert person.http.get(f"{server.url}{organize}", timeout=10).status_code == 200
        wall = people[0].wall()
        cells = [(r["id"], s["id"]) for s in wall["slots"] for r in wall["rooms"]]
        ids = [
            people[0]
            .post({"title": f"T{i}", "host": "O", "room_id": cells[i][0], "slot_id": cells[i][1]})
            .json()["topic"]["id"]
            for i in range(6)
        ]
        start = people[0].wall()["revision"]
        revisions: list[int] = []
        watcher = socketio.Client(reconnection=False)
        watcher.on("wall_changed", lambda message: revisions.append(message["revision"]))
        cookie = "; ".join(f"{k}={v}" for k, v in people[0].http.cookies.get_dict().items())
        watcher.connect(server.url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=20)
        assert watcher.call("join", {"event": "swap"}, timeout=10)["ok"] is True
        statuses: list[int] = []

        def act(person, seed):
            rng = random.Random(seed)
            for _ in range(ORGANIZER_ROUNDS):
                first, second = rng.sample(ids, 2)
                if rng.random() < 0.5:
                    response = person.http.post(
                        f"{server.url}/api/events/swap/topics/{first}/swap",
                        json={"other_id": second},
                        headers={"X-CSRFToken": person.csrf},
                    )
                else:
                    room_id, slot_id = rng.choice(cells)
                    response = person.http.patch(
                        f"{server.url}/api/events/swap/topics/{first}",
                        json={"room_id": room_id, "slot_id": slot_id},
                        headers={"X-CSRFToken": person.csrf},
                    )
                statuses.append(response.status_code)

        threads = [threading.Thread(target=act, args=(person, seed)) for seed, person in enumerate(people)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        final = people[0].wall()
        accepted = sum(status == 200 for status in statuses)
        deadline = __import__("time").monotonic() + 10
        while len(revisions) < accepted and __import__("time").monotonic() < deadline:
            __import__("time").sleep(0.05)
        watcher.disconnect()
    assert len(statuses) == ORGANIZERS * ORGANIZER_ROUNDS and set(statuses) <= {200, 409}
    assert final["revision"] == start + accepted
    assert revisions == list(range(start + 1, start + accepted + 1))  # each once, in order, no gap
    placed = [(t["room_id"], t["slot_id"]) for t in final["topics"] if t["room_id"] is not None]
    assert len(placed) == len(set(placed))  # never two topics in one cell
    assert sorted(t["id"] for t in final["topics"]) == sorted(ids)  # every topic still there, once


def test_two_organizers_moving_into_one_cell_at_once_exactly_one_wins(tmp_path):
    """Each round two organizers move a different unplaced topic into the same free cell at the same instant:
    one move lands, the other is told (409 taken) which topic holds the cell, and its topic stays unplaced."""
    import re

    database_url = f"sqlite:///{tmp_path / 'cell.sqlite3'}"
    output = cli(
        database_url,
        "create-event",
        "--name=Cell",
        "--slug=cell",
        "--starts-on=2026-02-27",
        "--max-topics-per-participant=0",
        *[f"--room=R{i}" for i in range(4)],
        *[f"--slot={9 + i:02d}:00-{9 + i:02d}:50" for i in range(5)],
    )
    organize = re.search(r"(/e/cell/organize/\S+)", output).group(1)
    rounds = 20
    with LiveServer(database_url) as server:
        both = [HttpParticipant(server.url, "cell") for _ in range(2)]
        for person in both:
            assert person.http.get(f"{server.url}{organize}", timeout=10).status_code == 200
        wall = both[0].wall()
        cells = [(r["id"], s["id"]) for s in wall["slots"] for r in wall["rooms"]]
        pairs = [
            [both[0].post({"title": f"T{n}-{k}", "host": "O"}).json()["topic"]["id"] for k in range(2)]
            for n in range(rounds)
        ]
        outcomes = []
        for (room_id, slot_id), pair in zip(cells, pairs, strict=False):
            barrier = threading.Barrier(2)
            results: list = [None, None]

            def move(k, pair=pair, room_id=room_id, slot_id=slot_id, barrier=barrier, results=results):
                barrier.wait()
                response = both[k].http.patch(
                    f"{server.url}/api/events/cell/topics/{pair[k]}",
                    json={"room_id": room_id, "slot_id": slot_id},
                    headers={"X-CSRFToken": both[k].csrf},
                )
                results[k] = (response.status_code, response.json())

            threads = [threading.Thread(target=move, args=(k,)) for k in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            outcomes.append((pair, (room_id, slot_id), results))
        final = {t["id"]: (t["room_id"], t["slot_id"]) for t in both[0].wall()["topics"]}
    for pair, cell, results in outcomes:
        assert sorted(status for status, _ in results) == [200, 409], results
        winner = pair[[status for status, _ in results].index(200)]
        loser = pair[[status for status, _ in results].index(409)]
        refusal = next(body for status, body in results if status == 409)
        assert (refusal["code"], refusal["holder"]["id"]) == ("taken", winner)
        assert (final[winner], final[loser]) == (cell, (None, None))
