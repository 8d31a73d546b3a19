"""12: the planning domain on generated events: greedy baseline, the proposal, the exact optimum, stalls.

`python -m bench plan` prints one JSON line per figure group (docs/performance.md, "Planning the wall").
"""

from __future__ import annotations

import random
import re
import statistics
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

import requests

from bench.harness import SECRET, app_server, log, read_probe, running, temp_database
from bench.reactor import Reactor
from bench.scenarios import SLUG, Crowd, app_target, wait_for_quiet
from openspace.planning import (
    Plan,
    PlanRoom,
    PlanSlot,
    PlanTopic,
    _Wall,
    conflict_score,
    host_weight,
    propose,
    suggest,
)
from openspace.planning import apply_moves as apply

GREEDY_GAIN_TARGET = 0.30  # at least 30 % below the greedy baseline on the large instance
OPTIMUM_GAP_TARGET = 0.05  # within 5 % of the exact optimum
PROPOSAL_TARGET_S = 2.0
SUGGESTION_TARGET_MS = 50
STALL_TARGET_MS = 50

CAPACITIES = (10, 12, 15, 20, 20, 25, 30, 30, 40, 50, 60, 80, 100, 120, 150, 200)


# Popularity: topic of rank k is chosen with weight 1 / (k + offset) ** exponent. "moderate": the most popular
# topic draws about a tenth of the participants (it fits the biggest room); "heavy": over a quarter of them.
SKEWS = {"moderate": (10, 0.8), "heavy": (3, 0.9)}


def generate(
    seed: int,
    *,
    rooms: int = 30,
    slots: int = 12,
    topics: int = 300,
    people: int = 2000,
    pinned: int = 6,
    skew: str = "moderate",
    interests: tuple[int, int] = (3, 8),
) -> Plan:
    """A generated event, all topics unplaced except a few pinned ones: skewed popularity (a Zipf-like law),
    `interests` (3–8) marks per participant, hosts with one or two topics, room capacities 10–200."""
    rng = random.Random(seed)
    offset, exponent = SKEWS[skew]
    plan_rooms = tuple(PlanRoom(i + 1, f"R{i + 1}", rng.choice(CAPACITIES)) for i in range(rooms))
    plan_slots = tuple(PlanSlot(100 + i, f"S{i + 1}", True) for i in range(slots))
    weights = [1 / (rank + offset) ** exponent for rank in range(topics)]
    rng.shuffle(weights)
    marks: list[set[str]] = [set() for _ in range(topics)]
    for person in range(people):
        wanted = rng.randint(interests[0], min(interests[1], topics))
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
    """The OpenSpaces scheduler, as it describes itself: the most-voted topic first (then the oldest), each into
    the free cell whose slot has the fewest of its voters already booked, a room too small for its votes only
    when nothing else is left, bigger rooms on ties; then within each slot the most-voted topics get the biggest
    rooms. It knows nothing of hosts. Pinned topics stay where they are."""
    wall = _Wall(plan)
    order = sorted((t for t in range(len(wall.topics)) if wall.cell_of[t] < 0), key=lambda t: (-wall.n[t], t))
    for t in order:
        free = [c for c in range(wall.R * wall.S) if wall.holder[c] < 0 and wall.open_cell(c)]
        if not free:
            break

        def badness(c: int, t: int = t) -> tuple[int, int, int, int]:
            s, r = divmod(c, wall.R)
            cap = wall.cap[r]
            small = cap is not None and cap < wall.n[t]
            return (wall.A[t][s], small, -(cap if cap is not None else 10**9), c)

        wall.add(t, min(free, key=badness))
    for s in range(wall.S):  # right-size the rooms of each slot
        cells = [s * wall.R + r for r in range(wall.R)]
        topics = [wall.holder[c] for c in cells if wall.holder[c] >= 0 and not wall.fixed[wall.holder[c]]]
        rooms = sorted(
            (c for c in cells if wall.holder[c] < 0 or not wall.fixed[wall.holder[c]]),
            key=lambda c: (-(wall.cap[c % wall.R] if wall.cap[c % wall.R] is not None else 10**9), c),
        )
        for t in topics:
            wall.remove(t)
        for t, c in zip(sorted(topics, key=lambda t: (-wall.n[t], t)), rooms, strict=False):
            wall.add(t, c)
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


def _share(score: int, reference: int) -> float | None:
    return round(1 - score / reference, 3) if reference else None


def large(seeds: list[int], skew: str) -> dict[str, Any]:
    """The large instance: greedy, the proposal on the greedy wall and on a random wall, suggestion times."""
    runs = []
    for seed in seeds:
        plan = generate(seed, skew=skew)
        greedy_wall, greedy_s = timed(greedy, plan)
        base = conflict_score(greedy_wall)
        moves, seconds = timed(propose, greedy_wall)
        improved = conflict_score(apply(greedy_wall, moves))
        shuffled = random_wall(plan, seed)
        random_moves, random_seconds = timed(propose, shuffled)
        from_random = conflict_score(apply(shuffled, random_moves))
        topic_ids = [t.id for t in greedy_wall.topics][::10]
        suggestion_ms = [timed(suggest, greedy_wall, t)[1] * 1000 for t in topic_ids]
        run = {
            "seed": seed,
            "top_interest": max(len(t.interested) for t in plan.topics),
            "greedy": {"score": base, "seconds": round(greedy_s, 3)},
            "proposal_on_greedy": {
                "score": improved,
                "below_greedy": _share(improved, base),
                "moves": len(moves),
                "seconds": round(seconds, 3),
            },
            "random_wall": {
                "score": conflict_score(shuffled),
                "after_proposal": from_random,
                "below_greedy": _share(from_random, base),
                "moves": len(random_moves),
                "seconds": round(random_seconds, 3),
            },
            "suggestion_ms": {
                "n": len(suggestion_ms),
                "p50": round(statistics.median(suggestion_ms), 1),
                "max": round(max(suggestion_ms), 1),
            },
        }
        log(f"plan large {skew} seed {seed}: {run}")
        runs.append(run)
    gains = [r["proposal_on_greedy"]["below_greedy"] for r in runs]
    slowest = max(max(r["proposal_on_greedy"]["seconds"], r["random_wall"]["seconds"]) for r in runs)
    return {
        "scenario": "plan_large",
        "skew": skew,
        "instance": "30 rooms x 12 slots, 300 topics, 2000 participants with 3-8 interests, capacities 10-200",
        "runs": runs,
        "mean_below_greedy": round(statistics.mean(gains), 3),
        "gain_ok": min(gains) >= GREEDY_GAIN_TARGET,
        "slowest_proposal_s": slowest,
        "proposal_ok": slowest <= PROPOSAL_TARGET_S,
        "slowest_suggestion_ms": max(r["suggestion_ms"]["max"] for r in runs),
        "suggestion_ok": max(r["suggestion_ms"]["max"] for r in runs) <= SUGGESTION_TARGET_MS,
    }


def optimum(plan: Plan, seconds: float = 60) -> tuple[int | None, str]:
    """The exact optimum of the conflict score by CP-SAT (bench only: requirements-bench.txt); every movable
    topic placed (as on the walls compared), pinned ones where they are."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return None, "ortools not installed (make bench installs requirements-bench.txt)"

    wall = _Wall(plan)
    model = cp_model.CpModel()
    cells = [c for c in range(wall.R * wall.S) if wall.open_cell(c)]
    topics = range(len(wall.topics))
    x: dict[tuple[int, int], Any] = {}
    for t in topics:
        for c in cells:
            x[t, c] = model.new_bool_var(f"x{t}_{c}")
        if wall.fixed[t] and wall.cell_of[t] in cells:
            model.add(x[t, wall.cell_of[t]] == 1)
        model.add_exactly_one(x[t, c] for c in cells)
    for c in cells:
        model.add_at_most_one(x[t, c] for t in topics)
    slots = sorted({c // wall.R for c in cells})
    y = {(t, s): sum(x[t, c] for c in cells if c // wall.R == s) for t in topics for s in slots}
    cost = []
    for t in topics:
        for c in cells:
            penalty = wall.cap_cost(t, c % wall.R)
            if penalty:
                cost.append(penalty * x[t, c])
    for p, mine in enumerate(wall.person_topics):
        if len(mine) < 2:
            continue
        for s in slots:
            over = model.new_int_var(0, len(mine) - 1, f"o{p}_{s}")
            model.add(over >= sum(y[t, s] for t in mine) - 1)
            cost.append(over)
    by_host: dict[str, list[int]] = {}
    for t in topics:
        for h in wall.hosts[t]:
            by_host.setdefault(h, []).append(t)
    for h, held in by_host.items():
        if len(held) < 2:
            continue
        assert len(held) == 2, "the generator gives a host at most two topics"
        a, b = held
        weight = min(max(1, wall.n[a]), max(1, wall.n[b]))
        for s in slots:
            both = model.new_bool_var(f"h{h}_{s}")
            model.add(both >= y[a, s] + y[b, s] - 1)
            cost.append(weight * both)
    model.minimize(sum(cost))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value), "optimal"
    if status == cp_model.FEASIBLE:
        return round(solver.best_objective_bound), "bound only"
    return None, solver.status_name(status)


def exhaustive(plan: Plan) -> int:
    """The exact optimum by enumerating every split of the topics over the open slots (small walls only).

    Within one slot the best rooms are the sorted matching (the most interested topic in the biggest room):
    the capacity cost max(0, interest - capacity) is a convex function of the difference, so swapping two
    topics against that order never helps. Overlap and host costs depend on the split alone.
    """
    from itertools import combinations

    wall = _Wall(plan)
    slots = [s for s in range(wall.S) if wall.open_slot[s]]
    fixed = {t: wall.cell_of[t] for t in range(len(wall.topics)) if wall.fixed[t]}
    assert all(wall.open_slot[c // wall.R] for c in fixed.values()), "fixed topics in open slots only"
    free = [t for t in range(len(wall.topics)) if t not in fixed]

    def slot_cost(s: int, group: tuple[int, ...]) -> int:
        held = [t for t, c in fixed.items() if c // wall.R == s]
        members = [*held, *group]
        seen: dict[int, int] = {}
        for t in members:
            for p in wall.I[t]:
                seen[p] = seen.get(p, 0) + 1
        cost = sum(k - 1 for k in seen.values())
        hosts: dict[str, list[int]] = {}
        for t in members:
            for h in wall.hosts[t]:
                hosts.setdefault(h, []).append(wall.n[t])
        cost += sum(host_weight(ns) for ns in hosts.values())
        cost += sum(wall.cap_cost(t, fixed[t] % wall.R) for t in held)
        taken = {fixed[t] % wall.R for t in held}
        rooms = sorted((r for r in range(wall.R) if r not in taken), key=lambda r: -(wall.cap[r] or 10**9))
        ordered = sorted(group, key=lambda t: -wall.n[t])
        return cost + sum(wall.cap_cost(t, r) for t, r in zip(ordered, rooms, strict=False))

    room_left = {s: wall.R - sum(1 for c in fixed.values() if c // wall.R == s) for s in slots}

    def best(left: tuple[int, ...], index: int) -> int:
        s = slots[index]
        if index == len(slots) - 1:
            return slot_cost(s, left) if len(left) <= room_left[s] else 10**9
        result = 10**9
        for size in range(min(room_left[s], len(left)) + 1):
            for group in combinations(left, size):
                rest = tuple(t for t in left if t not in group)
                result = min(result, slot_cost(s, group) + best(rest, index + 1))
        return result

    return best(tuple(free), 0)


def small(seeds: list[int]) -> dict[str, Any]:
    """Small instances (4 rooms x 3 slots, 12 topics, 80 people): greedy, the proposal, the exact optimum.

    Each participant marks 2-4 of the 12 topics: 3-8 of so few would make them mark every second topic.
    """
    runs = []
    for seed in seeds:
        plan = generate(seed, rooms=4, slots=3, topics=12, people=80, pinned=1, interests=(2, 4))
        greedy_wall = greedy(plan)
        shuffled = random_wall(plan, seed)
        exact, exact_s = timed(exhaustive, greedy_wall)
        solved, status = optimum(greedy_wall)
        if status == "optimal":
            assert solved == exact, (solved, exact)
        best = exact
        on_greedy = conflict_score(apply(greedy_wall, propose(greedy_wall)))
        on_random = conflict_score(apply(shuffled, propose(shuffled)))
        run = {
            "seed": seed,
            "optimum": best,
            "exhaustive_s": round(exact_s, 2),
            "cp_sat": {"status": status, "value" if status == "optimal" else "bound": solved},
            "greedy": conflict_score(greedy_wall),
            "proposal_on_greedy": on_greedy,
            "proposal_on_random": on_random,
            "gap_greedy": round(on_greedy / best - 1, 3) if best else None,
            "gap_random": round(on_random / best - 1, 3) if best else None,
        }
        log(f"plan small seed {seed}: {run}")
        runs.append(run)
    known = runs  # the enumeration always finishes
    gaps = [g for r in known for g in (r["gap_greedy"], r["gap_random"]) if g is not None]
    exact = [r for r in known if r["optimum"] == 0 and r["proposal_on_greedy"] == 0 == r["proposal_on_random"]]
    return {
        "scenario": "plan_small",
        "instance": "4 rooms x 3 slots, 12 topics (1 pinned), 80 participants with 2-4 interests",
        "runs": runs,
        "cp_sat_proved": sum(1 for r in runs if r["cp_sat"]["status"] == "optimal"),
        "worst_gap": max(gaps) if gaps else None,
        "gap_ok": all(g <= OPTIMUM_GAP_TARGET for g in gaps) and len(gaps) + 2 * len(exact) > 0,
    }


def _seed_event(url: str, plan: Plan) -> tuple[str, int]:
    """The generated greedy wall as an event with tomorrow's slots, its topics and interest marks."""
    from openspace import create_app
    from openspace.events import RoomSpec, SlotSpec, create_event
    from openspace.extensions import db
    from openspace.models import Event, Interest, Room, Slot, Topic

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    day = date.today() + timedelta(days=1)
    with app.app_context():
        event, secret = create_event(
            name="Bench plan",
            slug=SLUG,
            starts_on=day,
            ends_on=None,
            timezone="Europe/Berlin",
            language="en",
            rooms=[RoomSpec(r.name, r.capacity) for r in plan.rooms],
            slots=[
                SlotSpec(
                    datetime.combine(day, clock(8, 0)) + timedelta(hours=i),
                    datetime.combine(day, clock(8, 50)) + timedelta(hours=i),
                    s.name,
                )
                for i, s in enumerate(plan.slots)
            ],
        )
        rooms = {r.name: r.id for r in db.session.query(Room).filter_by(event_id=event.id)}
        slots = {s.label: s.id for s in db.session.query(Slot).filter_by(event_id=event.id)}
        room_names = {r.id: r.name for r in plan.rooms}
        slot_names = {s.id: s.name for s in plan.slots}
        for t in plan.topics:
            cell = t.cell
            row = Topic(
                event_id=event.id,
                title=t.title,
                host=sorted(t.hosts)[0],
                room_id=rooms[room_names[cell[0]]] if cell else None,
                slot_id=slots[slot_names[cell[1]]] if cell else None,
                author_hash=f"host-{t.id}",
                pinned=t.fixed,
            )
            db.session.add(row)
            db.session.flush()
            for person in t.interested:
                db.session.add(Interest(topic_id=row.id, author_hash=person, event_id=event.id))
        db.session.get(Event, event.id).revision += 1
        db.session.commit()
        return secret, event.id


def live(clients: int, cpu: int | None) -> dict[str, Any]:
    """GET proposal, suggestions and conflicts over HTTP with `clients` connected: time and the longest stall."""
    plan = greedy(generate(1))
    with temp_database() as url:
        secret, _event_id = _seed_event(url, plan)
        with running(app_server(url, cpu)) as (server,):
            organizer = requests.Session()
            organizer.headers["Accept-Language"] = "en"
            organizer.get(f"{server.url}/e/{SLUG}/organize/{secret}", timeout=30).raise_for_status()
            target = app_target([server])
            reactor = Reactor()
            crowd = Crowd(reactor, target, clients, None)
            figures: dict[str, Any] = {}
            try:
                crowd.connect(concurrency=100, timeout=180)
                quiet = wait_for_quiet(reactor, target.servers)
                read_probe(server.url)
                reactor.run(None, 3)
                idle = read_probe(server.url) or {}
                wall = organizer.get(f"{server.url}/api/events/{SLUG}/wall", timeout=30).json()
                topic_ids = [t["id"] for t in wall["topics"]][::30]
                for name, paths in (
                    ("refused", ["suggestions?topic=x"] * 10),  # the same route answering at once: the baseline
                    ("conflicts", ["conflicts"] * 3),  # the first to read the plan (the marks, in batches)
                    ("proposal", ["proposal"]),
                    ("suggestions", [f"suggestions?topic={t}" for t in topic_ids]),
                ):
                    figures[name] = _timed_gets(reactor, server, organizer, paths)
                    log(f"plan live: {name} {figures[name]}")
                figures["suggestions_after_change"] = _timed_gets(
                    reactor,
                    server,
                    organizer,
                    [f"suggestions?topic={t}" for t in topic_ids],
                    before=_swapper(server, organizer, wall),
                )
                log(f"plan live: suggestions_after_change {figures['suggestions_after_change']}")
                joined = crowd.joined
            finally:
                crowd.close()
    stalls = [f["max_loop_stall_ms"] or 0 for f in figures.values()]
    return {
        "scenario": "plan_live",
        "clients": clients,
        "clients_joined": joined,
        "quiet": quiet,
        "idle_3s_max_loop_stall_ms": idle.get("max_stall_ms"),
        **figures,
        "proposal_ok": figures["proposal"]["max_s"] <= PROPOSAL_TARGET_S,
        "stall_ok": max(stalls) <= STALL_TARGET_MS,
        "suggestions_ok": max(figures[k]["max_s"] for k in ("suggestions", "suggestions_after_change"))
        <= SUGGESTION_TARGET_MS / 1000,
        "time": time.strftime("%H:%M:%S"),
    }


def _swapper(server: Any, organizer: requests.Session, wall: dict[str, Any]) -> Any:
    """A change of the wall before each request: the organizer swaps two placed topics (a new revision)."""
    page = organizer.get(f"{server.url}/e/{SLUG}/organizer/grid", timeout=30)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    placed = [t["id"] for t in wall["topics"] if t.get("slot_id") is not None]
    pairs = iter(zip(placed[1::7], placed[4::7], strict=False))

    def swap() -> None:
        first, other = next(pairs)
        answer = organizer.post(
            f"{server.url}/api/events/{SLUG}/topics/{first}/swap",
            json={"other_id": other},
            headers={"X-CSRFToken": csrf},
            timeout=30,
        )
        answer.raise_for_status()

    return swap


def _timed_gets(
    reactor: Reactor, server: Any, session: requests.Session, paths: list[str], before: Any = None
) -> dict[str, Any]:
    """GET each path in turn while the crowd is served (after `before()`, untimed, if given): the slowest answer
    and the loop's longest stall."""
    seconds: list[float] = []
    statuses: set[int] = set()
    extra: dict[str, Any] = {}

    def fetch() -> None:
        for path in paths:
            if before is not None:
                before()
            t0 = time.perf_counter()
            answer = session.get(f"{server.url}/api/events/{SLUG}/{path}", timeout=120)
            seconds.append(time.perf_counter() - t0)
            statuses.add(answer.status_code)
            body = answer.json()
            if "moves" in body:
                extra.update(moves=len(body["moves"]), before=body["conflicts_before"], after=body["conflicts_after"])

    read_probe(server.url)
    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    reactor.run(lambda: not worker.is_alive(), 300)
    worker.join()
    reactor.run(None, 0.2)
    probe = read_probe(server.url) or {}
    return {
        "n": len(paths),
        "statuses": sorted(statuses),
        "max_s": round(max(seconds), 3),
        "median_s": round(statistics.median(seconds), 3),
        "max_loop_stall_ms": probe.get("max_stall_ms"),
        **extra,
    }


def plan(put: Any, *, quick: bool, cpu: int | None, clients: int = 1000) -> None:
    """Every planning figure: the large instance (both skews), the small ones against CP-SAT, the live server."""
    seeds = [1] if quick else [1, 2, 3]
    put(large(seeds, "moderate"))
    put(large(seeds, "heavy"))
    put(small([1, 2] if quick else [1, 2, 3, 4, 5]))
    put(live(200 if quick else clients, cpu))
