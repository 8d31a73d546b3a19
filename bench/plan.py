"""11: the planning domain on generated events: greedy baseline, the proposal, the exact optimum, stalls.

`python -m bench plan` prints one JSON line per figure group (docs/performance.md, "Planning the wall").
"""

from __future__ import annotations

import random
import time
from typing import Any

from openspace.planning import Plan, PlanRoom, PlanSlot, PlanTopic, _Wall

CAPACITIES = (10, 12, 15, 20, 20, 25, 30, 30, 40, 50, 60, 80, 100, 120, 150, 200)


def generate(
    seed: int, *, rooms: int = 30, slots: int = 12, topics: int = 300, people: int = 2000, pinned: int = 6
) -> Plan:
    """A generated event, all topics unplaced except a few pinned ones: skewed popularity (a Zipf-like law),
    3–8 interests per participant, hosts with one or two topics, room capacities 10–200."""
    rng = random.Random(seed)
    plan_rooms = tuple(PlanRoom(i + 1, f"R{i + 1}", rng.choice(CAPACITIES)) for i in range(rooms))
    plan_slots = tuple(PlanSlot(100 + i, f"S{i + 1}", True) for i in range(slots))
    weights = [1 / (rank + 3) ** 0.9 for rank in range(topics)]
    rng.shuffle(weights)
    marks: list[set[str]] = [set() for _ in range(topics)]
    for person in range(people):
        wanted = rng.randint(3, min(8, topics))
        chosen: set[int] = set()
        while len(chosen) < wanted:
            chosen.update(rng.choices(range(topics), weights, k=wanted - len(chosen)))
        for t in chosen:
            marks[t].add(f"p{person}")
    hosts: list[str] = []
    while len(hosts) < topics:
        name = f"host {len(hosts)}"
        hosts.extend([name] * (2 if rng.random() < 0.35 else 1))
    rng.shuffle(hosts)
    cells = [(r.id, s.id) for s in plan_slots for r in plan_rooms]
    pinned_cells = rng.sample(cells, pinned)
    plan_topics = tuple(
        PlanTopic(
            1000 + t,
            f"Topic {t}",
            pinned_cells[t] if t < pinned else None,
            t < pinned,
            frozenset({hosts[t]}),
            frozenset(marks[t]),
        )
        for t in range(topics)
    )
    return Plan(plan_rooms, plan_slots, plan_topics)


def _with_cells(plan: Plan, wall: _Wall) -> Plan:
    topics = tuple(
        PlanTopic(t.id, t.title, wall.cell_id(c) if c >= 0 else None, t.fixed, t.hosts, t.interested)
        for t, c in zip(plan.topics, wall.cell_of, strict=True)
    )
    return Plan(plan.rooms, plan.slots, topics)


def greedy(plan: Plan) -> Plan:
    """The OpenSpaces scheduler: most-voted first, each into the free cell adding the fewest conflicts."""
    wall = _Wall(plan)
    order = sorted((t for t in range(len(wall.topics)) if wall.cell_of[t] < 0), key=lambda t: (-wall.n[t], t))
    for t in order:
        free = [c for c in range(wall.R * wall.S) if wall.holder[c] < 0 and wall.open_cell(c)]
        if not free:
            break
        wall.add(t, min(free, key=lambda c: (wall.add_cost(t, c), c)))
    return _with_cells(plan, wall)


def random_wall(plan: Plan, seed: int) -> Plan:
    """Every unplaced topic into a random free open cell."""
    rng = random.Random(seed)
    wall = _Wall(plan)
    free = [c for c in range(wall.R * wall.S) if wall.holder[c] < 0 and wall.open_cell(c)]
    rng.shuffle(free)
    for t in range(len(wall.topics)):
        if wall.cell_of[t] < 0 and free:
            wall.add(t, free.pop())
    return _with_cells(plan, wall)


def timed(run: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = run(*args, **kwargs)
    return result, time.perf_counter() - started
