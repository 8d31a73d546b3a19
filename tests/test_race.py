"""Many people grab one cell at the same instant: exactly one wins, the rest are told who has it."""

from __future__ import annotations

import threading

import pytest
from live import HttpParticipant, LiveServer, cli

THREADS = 24
ROUNDS = 100

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
