"""Planning the wall: conflicts, best-cell suggestions and a whole-wall proposal, as pure functions over plain data.

No Flask, no database, no gettext: `hints.py` loads a `Plan` from the database and puts the `Reason`s into words.

The conflict score counts **people hurt**, slot by slot (only placed topics count):

- *overlap*: a person interested in k > 1 topics of one slot counts k − 1 (they can be in one room only);
- *capacity*: a topic whose counted interest exceeds its room's capacity counts interest − capacity
  (capacity None = unlimited);
- *host*: a host (a normalised host name, shared by two or more topics of one slot) is double-booked; it counts
  the interest of every topic of that host in the slot except the most interesting one, each at least 1 (their
  audiences lose the host; at least the host is hurt).

Host identity is the normalised host name (host and co-hosts; casefolded, whitespace collapsed), not the device
that posted: an organizer typing in paper cards posts many topics from one browser.

Fixed topics (pinned, or in a slot that has begun) never move; closed slots (breaks, slots that have begun) are
never a target; unplaced topics are never placed by the proposal (only `suggest` ranks cells for them).

`conflicts` lists every clash (an overlap per pair of topics of a slot with their shared audience), ranked by
people; the pairs of a person interested in three topics of a slot are all listed, while the score counts
that person twice, not three times.

`propose` searches moves into free open cells and swaps of movable topics: a steepest-for-each-topic descent to
a local optimum of moves and swaps, then (when that descent found anything) an iterated local search within a
fixed amount of work (seeded from a fingerprint of the plan, so the same wall gives the same proposal), then
moved topics are put back where that costs nothing, and a last descent. Only strict improvements are taken, so
the score never rises, and the result is a local optimum: proposing again on the applied proposal finds nothing.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from dataclasses import dataclass, field, replace
from typing import Any

Cell = tuple[int, int]  # (room_id, slot_id)


@dataclass(frozen=True)
class PlanRoom:
    id: int
    name: str
    capacity: int | None


@dataclass(frozen=True)
class PlanSlot:
    id: int
    name: str
    open: bool  # False: a break or a slot that has begun (never a target)


@dataclass(frozen=True)
class PlanTopic:
    id: int
    title: str
    cell: Cell | None  # (room_id, slot_id), or None when unplaced
    fixed: bool  # pinned, or in a slot that has begun: never moves
    hosts: frozenset[str]  # normalised host names (host + cohosts)
    interested: frozenset[str]  # author hashes, the host's own mark already removed


@dataclass(frozen=True)
class Plan:
    rooms: tuple[PlanRoom, ...]
    slots: tuple[PlanSlot, ...]
    topics: tuple[PlanTopic, ...]
    # Added to the contract: how each normalised host name is spelled on the wall, for the texts.
    host_names: tuple[tuple[str, str], ...] = ()

    def host_name(self, normalised: str) -> str:
        """The host name as written on a topic (the first one that has it), else the normalised name."""
        return next((shown for key, shown in self.host_names if key == normalised), normalised)


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Conflict:
    kind: str  # "host" | "capacity" | "overlap"
    slot_id: int
    room_id: int | None  # capacity only
    topic_ids: tuple[int, ...]
    people: int


@dataclass(frozen=True)
class Suggestion:
    room_id: int
    slot_id: int
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Move:
    topic_id: int
    source: Cell | None
    target: Cell
    reasons: tuple[Reason, ...]


def normalise_host(name: str) -> str:
    """The identity of a host name: casefolded, whitespace collapsed."""
    return " ".join(name.split()).casefold()


def host_weight(interests: list[int]) -> int:
    """People hurt by one host holding these topics in one slot: all but the most interesting, each at least 1."""
    if len(interests) < 2:
        return 0
    weights = [max(1, n) for n in interests]
    return sum(weights) - max(weights)


# --- the incremental wall ------------------------------------------------------------------------------------


class _Wall:
    """A plan's placement with the counts that make a move's or swap's score delta O(1) (plus host bookkeeping).

    Cells are numbered slot-major (c = slot index × rooms + room index), so a lower number is an earlier slot,
    then an earlier room: the tie-break order of suggestions.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.room_ids = [r.id for r in plan.rooms]
        self.slot_ids = [s.id for s in plan.slots]
        self.R, self.S = len(plan.rooms), len(plan.slots)
        room_index = {rid: i for i, rid in enumerate(self.room_ids)}
        slot_index = {sid: i for i, sid in enumerate(self.slot_ids)}
        self.cap = [r.capacity for r in plan.rooms]
        self.open_slot = [s.open for s in plan.slots]
        self.topics = list(plan.topics)
        self.index = {t.id: i for i, t in enumerate(self.topics)}
        people: dict[str, int] = {}
        self.I: list[tuple[int, ...]] = [
            tuple(sorted(people.setdefault(p, len(people)) for p in t.interested)) for t in self.topics
        ]
        self.P = len(people)
        self.n = [len(i) for i in self.I]
        self.hosts = [tuple(sorted(t.hosts)) for t in self.topics]
        self.fixed = [t.fixed for t in self.topics]
        self.person_topics: list[list[int]] = [[] for _ in range(self.P)]
        for t, persons in enumerate(self.I):
            for p in persons:
                self.person_topics[p].append(t)
        host_count: dict[str, int] = {}  # over all topics: an unplaced one may be suggested a cell
        for hs in self.hosts:
            for h in hs:
                host_count[h] = host_count.get(h, 0) + 1
        self.multi = [any(host_count.get(h, 0) > 1 for h in hs) for hs in self.hosts]
        N = len(self.topics)
        self.capc = [[0 if cap is None or n <= cap else n - cap for cap in self.cap] for n in self.n]
        self.holder = [-1] * (self.R * self.S)
        self.cell_of: list[int] = [-1] * N
        self.count: list[dict[int, int]] = [{} for _ in range(self.S)]
        self.A = [[0] * self.S for _ in range(N)]  # persons of t with count ≥ 1 in slot s
        self.B = [[0] * self.S for _ in range(N)]  # persons of t with count ≥ 2 in slot s
        self.slot_hosts: list[dict[str, list[int]]] = [{} for _ in range(self.S)]
        self.score = 0
        for t, topic in enumerate(self.topics):
            if topic.cell is not None:
                room, slot = topic.cell
                if room in room_index and slot in slot_index:
                    self.add(t, slot_index[slot] * self.R + room_index[room])
        self._shared: dict[int, tuple[int, ...]] | None = None
        self._shared_with: list[dict[int, tuple[int, ...]]] | None = None

    # cells
    def cell_id(self, c: int) -> Cell:
        return (self.room_ids[c % self.R], self.slot_ids[c // self.R])

    def open_cell(self, c: int) -> bool:
        return self.open_slot[c // self.R]

    def movable(self, t: int) -> bool:
        return not self.fixed[t] and self.cell_of[t] >= 0

    def shared(self, t: int, u: int) -> tuple[int, ...]:
        """The people interested in both topics."""
        if self._shared is None:
            pairs: dict[int, list[int]] = {}
            N = len(self.topics)
            for p, ts in enumerate(self.person_topics):
                for i, a in enumerate(ts):
                    for b in ts[i + 1 :]:
                        pairs.setdefault(a * N + b, []).append(p)
            self._shared = {k: tuple(v) for k, v in pairs.items()}
        N = len(self.topics)
        key = t * N + u if t < u else u * N + t
        return self._shared.get(key, ())

    def shared_with(self, t: int) -> dict[int, tuple[int, ...]]:
        """For every topic sharing people with t, those people."""
        if self._shared_with is None:
            N = len(self.topics)
            self.shared(0, 0)
            table: list[dict[int, tuple[int, ...]]] = [{} for _ in range(N)]
            for key, persons in (self._shared or {}).items():
                a, b = divmod(key, N)
                table[a][b] = table[b][a] = persons
            self._shared_with = table
        return self._shared_with[t]

    # score parts
    def cap_cost(self, t: int, r: int) -> int:
        return self.capc[t][r]

    def _hw(self, ts: list[int]) -> int:
        return host_weight([self.n[x] for x in ts]) if len(ts) > 1 else 0

    def host_add(self, t: int, s: int) -> int:
        total = 0
        table = self.slot_hosts[s]
        for h in self.hosts[t]:
            ts = table.get(h)
            if ts:
                total += self._hw([*ts, t]) - self._hw(ts)
        return total

    def host_remove(self, t: int, s: int) -> int:
        """Host cost that leaves slot s with topic t (t is in s)."""
        total = 0
        table = self.slot_hosts[s]
        for h in self.hosts[t]:
            ts = table[h]
            if len(ts) > 1:
                total += self._hw(ts) - self._hw([x for x in ts if x != t])
        return total

    def host_exchange(self, s: int, out: int, into: int) -> int:
        """Host cost change in slot s when topic `out` leaves it and `into` comes."""
        table = self.slot_hosts[s]
        total = 0
        for h in set(self.hosts[out]) | set(self.hosts[into]):
            ts = table.get(h, [])
            after = [x for x in ts if x != out]
            if h in self.hosts[into]:
                after.append(into)
            total += self._hw(after) - self._hw(ts)
        return total

    def add_cost(self, t: int, c: int) -> int:
        """What placing t (not in that slot) into cell c adds to the score."""
        s, r = divmod(c, self.R)
        cost = self.A[t][s] + self.cap_cost(t, r)
        if self.multi[t]:
            cost += self.host_add(t, s)
        return cost

    def remove_gain(self, t: int) -> int:
        c = self.cell_of[t]
        s, r = divmod(c, self.R)
        gain = self.B[t][s] + self.cap_cost(t, r)
        if self.multi[t]:
            gain += self.host_remove(t, s)
        return gain

    # changes
    def add(self, t: int, c: int) -> None:
        s, r = divmod(c, self.R)
        counts = self.count[s]
        A, B = self.A, self.B
        pt = self.person_topics
        for p in self.I[t]:
            k = counts.get(p, 0) + 1
            counts[p] = k
            if k == 1:
                for x in pt[p]:
                    A[x][s] += 1
            elif k == 2:
                for x in pt[p]:
                    B[x][s] += 1
                self.score += 1
            else:
                self.score += 1
        self.score += self.cap_cost(t, r)
        table = self.slot_hosts[s]
        for h in self.hosts[t]:
            ts = table.setdefault(h, [])
            self.score -= self._hw(ts)
            ts.append(t)
            self.score += self._hw(ts)
        self.holder[c] = t
        self.cell_of[t] = c

    def remove(self, t: int) -> None:
        c = self.cell_of[t]
        s, r = divmod(c, self.R)
        counts = self.count[s]
        A, B = self.A, self.B
        pt = self.person_topics
        for p in self.I[t]:
            k = counts[p] - 1
            if k == 0:
                del counts[p]
                for x in pt[p]:
                    A[x][s] -= 1
            else:
                counts[p] = k
                if k == 1:
                    for x in pt[p]:
                        B[x][s] -= 1
                self.score -= 1
        self.score -= self.cap_cost(t, r)
        table = self.slot_hosts[s]
        for h in self.hosts[t]:
            ts = table[h]
            self.score -= self._hw(ts)
            ts.remove(t)
            self.score += self._hw(ts)
            if not ts:
                del table[h]
        self.holder[c] = -1
        self.cell_of[t] = -1

    def move(self, t: int, c: int) -> None:
        self.remove(t)
        self.add(t, c)

    def swap(self, t: int, u: int) -> None:
        ct, cu = self.cell_of[t], self.cell_of[u]
        self.remove(t)
        self.remove(u)
        self.add(t, cu)
        self.add(u, ct)

    # deltas
    def move_delta(self, t: int, c: int) -> int:
        ct = self.cell_of[t]
        R = self.R
        if ct // R == c // R:
            return self.cap_cost(t, c % R) - self.cap_cost(t, ct % R)
        return self.add_cost(t, c) - self.remove_gain(t)

    def swap_delta(self, t: int, u: int) -> int:
        ct, cu = self.cell_of[t], self.cell_of[u]
        R = self.R
        s1, r1 = divmod(ct, R)
        s2, r2 = divmod(cu, R)
        delta = self.cap_cost(t, r2) + self.cap_cost(u, r1) - self.cap_cost(t, r1) - self.cap_cost(u, r2)
        if s1 == s2:
            return delta
        A, B = self.A, self.B
        delta += A[u][s1] + A[t][s2] - B[t][s1] - B[u][s2]
        both = self.shared(t, u)
        if both:
            c1, c2 = self.count[s1], self.count[s2]
            for p in both:
                if c1[p] == 1:
                    delta -= 1
                if c2[p] == 1:
                    delta -= 1
        if self.multi[t] or self.multi[u]:
            delta += self.host_exchange(s1, t, u) + self.host_exchange(s2, u, t)
        return delta


# --- conflicts -----------------------------------------------------------------------------------------------


def _placed(plan: Plan) -> dict[int, list[PlanTopic]]:
    slots = {s.id for s in plan.slots}
    rooms = {r.id for r in plan.rooms}
    by_slot: dict[int, list[PlanTopic]] = {}
    for topic in plan.topics:
        if topic.cell is not None and topic.cell[0] in rooms and topic.cell[1] in slots:
            by_slot.setdefault(topic.cell[1], []).append(topic)
    return by_slot


def conflicts(plan: Plan) -> list[Conflict]:
    """Every clash of the wall, most people hurt first (then slot order, kind, topic ids)."""
    capacity = {r.id: r.capacity for r in plan.rooms}
    slot_order = {s.id: i for i, s in enumerate(plan.slots)}
    found: list[Conflict] = []
    for slot_id, topics in _placed(plan).items():
        topics = sorted(topics, key=lambda t: t.id)
        hosts: dict[str, list[PlanTopic]] = {}
        for i, topic in enumerate(topics):
            cap = capacity[topic.cell[0]]  # type: ignore[index]
            if cap is not None and len(topic.interested) > cap:
                found.append(
                    Conflict("capacity", slot_id, topic.cell[0], (topic.id,), len(topic.interested) - cap)  # type: ignore[index]
                )
            for other in topics[i + 1 :]:
                both = len(topic.interested & other.interested)
                if both:
                    found.append(Conflict("overlap", slot_id, None, (topic.id, other.id), both))
            for h in topic.hosts:
                hosts.setdefault(h, []).append(topic)
        for held in hosts.values():
            if len(held) > 1:
                people = host_weight([len(t.interested) for t in held])
                found.append(Conflict("host", slot_id, None, tuple(t.id for t in held), people))
    kinds = {"host": 0, "capacity": 1, "overlap": 2}
    unique = {(c.kind, c.slot_id, c.topic_ids): c for c in found}  # one conflict per set of co-hosted topics
    return sorted(unique.values(), key=lambda c: (-c.people, slot_order[c.slot_id], kinds[c.kind], c.topic_ids))


def conflict_score(plan: Plan) -> int:
    """People hurt by the wall as it is (see the module's docstring)."""
    return _Wall(plan).score


# --- suggestions ---------------------------------------------------------------------------------------------


def _free_open_cells(wall: _Wall) -> list[int]:
    return [c for c in range(wall.R * wall.S) if wall.holder[c] < 0 and wall.open_cell(c)]


def _cell_reasons(wall: _Wall, t: int, c: int) -> tuple[Reason, ...]:
    """Why topic t (not in that slot) would cost what it does in cell c."""
    s, r = divmod(c, wall.R)
    reasons: list[Reason] = []
    mine = set(wall.I[t])
    others = [wall.holder[s * wall.R + i] for i in range(wall.R)]
    overlaps = []
    for u in others:
        if u >= 0 and u != t:
            shared = len(mine.intersection(wall.I[u]))
            if shared:
                overlaps.append((-shared, wall.topics[u].id))
    for h in wall.hosts[t]:
        for u in wall.slot_hosts[s].get(h, []):
            if u != t:
                reasons.append(Reason("host", {"host": h, "topic_id": wall.topics[u].id}))
    cap = wall.cap[r]
    if cap is not None and wall.n[t] > cap:
        reasons.append(Reason("capacity", {"capacity": cap, "interest": wall.n[t]}))
    reasons.extend(Reason("overlap", {"people": -n, "topic_id": tid}) for n, tid in sorted(overlaps))
    return tuple(reasons) or (Reason("no_clash", {}),)


def suggest(plan: Plan, topic_id: int) -> list[Suggestion]:
    """Every free open cell for the topic, best first: `score` = the people it would cost there (0 = no clash)."""
    wall = _Wall(plan)
    t = wall.index[topic_id]  # KeyError for an unknown topic: the caller checks
    free = _free_open_cells(wall)  # its own cell is not free
    if wall.cell_of[t] >= 0:
        wall.remove(t)  # rank against the wall without it
    ranked = sorted((wall.add_cost(t, c), c) for c in free)
    return [Suggestion(*wall.cell_id(c), score, _cell_reasons(wall, t, c)) for score, c in ranked]


def suggest_new(plan: Plan, hosts: frozenset[str]) -> list[Suggestion]:
    """Every free open cell for a topic about to be posted by these hosts (no interest yet), best first.

    Its audience is estimated as the mean interest of the placed topics, drawn from everyone who marked
    anything: a slot where more of them are already booked is likely to cost more. A cell where a host already
    holds a topic is ranked after every other cell.
    """
    wall = _Wall(plan)
    placed = [t for t in range(len(wall.topics)) if wall.cell_of[t] >= 0]
    expected = round(sum(wall.n[t] for t in placed) / len(placed)) if placed else 0
    ranked = []
    for c in _free_open_cells(wall):
        s, r = divmod(c, wall.R)
        busy = len(wall.count[s])
        clash = [(h, u) for h in sorted(hosts) for u in wall.slot_hosts[s].get(h, [])]
        overlap = round(expected * busy / wall.P) if wall.P else 0
        cap = wall.cap[r]
        score = overlap + (max(0, expected - cap) if cap is not None else 0)
        for h in {h for h, _ in clash}:
            ts = wall.slot_hosts[s][h]
            score += host_weight([*(wall.n[u] for u in ts), expected])
        reasons = [Reason("host", {"host": h, "topic_id": wall.topics[u].id}) for h, u in clash]
        if busy:
            reasons.append(Reason("busy", {"people": busy}))
        ranked.append((bool(clash), score, busy, c, tuple(reasons) or (Reason("no_clash", {}),)))
    ranked.sort(key=lambda x: x[:4])
    return [Suggestion(*wall.cell_id(c), score, reasons) for _, score, _, c, reasons in ranked]


# --- the proposal --------------------------------------------------------------------------------------------


def _best_step(wall: _Wall, t: int, free: list[int], movable: list[int]) -> tuple[int, int, int]:
    """The best strict improvement for topic t: (delta, kind 0 = move / 1 = swap, cell or topic); delta 0 = none.

    The same deltas as move_delta and swap_delta, unrolled: this loop is where the proposal spends its time.
    A swap's exact overlap term is only counted when a lower bound (every shared person counted as saved in
    both slots) could beat the best so far.
    """
    best, kind, what = 0, -1, -1
    R, cell_of, open_slot = wall.R, wall.cell_of, wall.open_slot
    A, B, capc, multi = wall.A, wall.B, wall.capc, wall.multi
    ct = cell_of[t]
    s1, r1 = divmod(ct, R)
    cap_t = capc[t]
    here = cap_t[r1]
    if free:
        gain = wall.remove_gain(t)
        A_t = A[t]
        host_t = multi[t]
        for c in free:
            s, r = divmod(c, R)
            if s == s1:
                d = cap_t[r] - here
            else:
                d = A_t[s] + cap_t[r] - gain
                if host_t:
                    d += wall.host_add(t, s)
            if d < best:
                best, kind, what = d, 0, c
    if not open_slot[s1]:
        return best, kind, what  # nobody may be swapped into a closed cell
    A_t, B_t1 = A[t], B[t][s1]
    shared_t = wall.shared_with(t)
    count1 = wall.count[s1]
    for u in movable:
        if u == t:
            continue
        cu = cell_of[u]
        s2, r2 = divmod(cu, R)
        if not open_slot[s2]:
            continue
        cap_u = capc[u]
        d = cap_t[r2] + cap_u[r1] - here - cap_u[r2]
        if s2 != s1:
            d += A[u][s1] + A_t[s2] - B_t1 - B[u][s2]
            both = shared_t.get(u)
            hosts = multi[t] or multi[u]
            if both is not None:
                if not hosts and d - 2 * len(both) >= best:
                    continue
                count2 = wall.count[s2]
                for p in both:
                    if count1[p] == 1:
                        d -= 1
                    if count2[p] == 1:
                        d -= 1
            if hosts:
                d += wall.host_exchange(s1, t, u) + wall.host_exchange(s2, u, t)
        if d < best:
            best, kind, what = d, 1, u
    return best, kind, what


def _descend(wall: _Wall, movable: list[int], deadline: float | None = None) -> int:
    """Improve until no single move or swap helps (a local optimum); returns the number of steps taken."""
    steps = 0
    improved = True
    while improved:
        improved = False
        for t in movable:
            free = [c for c in range(wall.R * wall.S) if wall.holder[c] < 0 and wall.open_slot[c // wall.R]]
            delta, kind, what = _best_step(wall, t, free, movable)
            if delta < 0:
                if kind == 0:
                    wall.move(t, what)
                else:
                    wall.swap(t, what)
                steps += 1
                improved = True
            if deadline is not None and time.perf_counter() > deadline:
                return -1  # cut short: not a local optimum
    return steps


def _fingerprint(plan: Plan) -> int:
    digest = hashlib.sha256()
    for t in sorted(plan.topics, key=lambda t: t.id):
        digest.update(repr((t.id, t.cell, t.fixed, len(t.interested), sorted(t.hosts))).encode())
    return int.from_bytes(digest.digest()[:8], "big")


def _placement(wall: _Wall) -> list[int]:
    return list(wall.cell_of)


def _restore(wall: _Wall, placement: list[int]) -> None:
    for t, c in enumerate(wall.cell_of):
        if c >= 0 and c != placement[t]:
            wall.remove(t)
    for t, c in enumerate(placement):
        if c >= 0 and wall.cell_of[t] != c:
            wall.add(t, c)


def _put_back(wall: _Wall, original: list[int], movable: list[int]) -> None:
    """Return moved topics to their own cells wherever that costs nothing: fewer moves for the same score."""
    changed = True
    while changed:
        changed = False
        for t in movable:
            home = original[t]
            if wall.cell_of[t] == home:
                continue
            u = wall.holder[home]
            if u < 0:
                if wall.move_delta(t, home) <= 0:
                    wall.move(t, home)
                    changed = True
            elif u in movable and wall.cell_of[u] != original[u] and wall.open_cell(wall.cell_of[t]):
                if wall.swap_delta(t, u) <= 0:
                    wall.swap(t, u)
                    changed = True


ANNEAL_STEPS_PER_SECOND = 150_000  # annealing steps this machine takes in a second, about (a fixed amount of work)
ANNEAL_STEPS_PER_TOPIC = 2_000  # small walls need far fewer steps to be searched well


def _temperature(wall: _Wall, movable: list[int], open_cells: list[int], rng: random.Random) -> float:
    """A starting temperature: a third of the median worsening step (hotter only wanders off within the budget)."""
    worse = []
    for _ in range(200):
        t = movable[rng.randrange(len(movable))]
        c = open_cells[rng.randrange(len(open_cells))]
        u = wall.holder[c]
        if u < 0:
            d = wall.move_delta(t, c)
        elif u != t and not wall.fixed[u] and wall.open_cell(wall.cell_of[t]):
            d = wall.swap_delta(t, u)
        else:
            continue
        if d > 0:
            worse.append(d)
    return max(1.0, sorted(worse)[len(worse) // 2] / 3) if worse else 1.0


def _anneal(wall: _Wall, movable: list[int], rng: random.Random, steps: int, deadline: float) -> list[int]:
    """Simulated annealing over moves and swaps; returns the best placement seen."""
    open_cells = [c for c in range(wall.R * wall.S) if wall.open_slot[c // wall.R]]
    hot = _temperature(wall, movable, open_cells, rng)
    cold = 0.2
    best, best_score = _placement(wall), wall.score
    holder, fixed, cell_of = wall.holder, wall.fixed, wall.cell_of
    R, open_slot = wall.R, wall.open_slot
    n_movable, n_cells = len(movable), len(open_cells)
    exp, rand, randrange = math.exp, rng.random, rng.randrange
    block = 500
    for done in range(0, steps, block):
        if time.perf_counter() > deadline:
            break
        temperature = hot * (cold / hot) ** (done / steps)
        for _ in range(block):
            t = movable[randrange(n_movable)]
            c = open_cells[randrange(n_cells)]
            u = holder[c]
            if u < 0:
                d = wall.move_delta(t, c)
                if d <= 0 or rand() < exp(-d / temperature):
                    wall.move(t, c)
                else:
                    continue
            elif u != t and not fixed[u] and open_slot[cell_of[t] // R]:
                d = wall.swap_delta(t, u)
                if d <= 0 or rand() < exp(-d / temperature):
                    wall.swap(t, u)
                else:
                    continue
            else:
                continue
            if wall.score < best_score:
                best, best_score = _placement(wall), wall.score
    return best


def propose(plan: Plan, *, seconds: float = 1.5) -> list[Move]:
    """Moves (and swaps, as two moves) that lower the conflict score, as few as practical; [] when none helps.

    Deterministic for a given plan (unless `seconds` cuts the search short on a slow machine); the result is a
    local optimum of single moves and swaps, so proposing again after applying it proposes nothing.
    """
    started = time.perf_counter()
    wall = _Wall(plan)
    original = _placement(wall)
    before = wall.score
    movable = [t for t in sorted(range(len(wall.topics)), key=lambda t: wall.topics[t].id) if wall.movable(t)]
    if not movable or _descend(wall, movable) == 0:
        return []
    rng = random.Random(_fingerprint(plan))
    steps = min(int(ANNEAL_STEPS_PER_SECOND * seconds), ANNEAL_STEPS_PER_TOPIC * len(movable))
    descended = _placement(wall), wall.score
    best = _anneal(wall, movable, rng, steps, started + seconds * 0.85)
    _restore(wall, best)
    if wall.score >= descended[1]:
        _restore(wall, descended[0])
    _put_back(wall, original, movable)
    _descend(wall, movable)
    assert wall.score < before
    return _moves(plan, wall, original)


def _moves(plan: Plan, wall: _Wall, original: list[int]) -> list[Move]:
    after = apply_moves(
        plan,
        [
            Move(wall.topics[t].id, wall.cell_id(original[t]), wall.cell_id(c), ())
            for t, c in enumerate(wall.cell_of)
            if c != original[t]
        ],
    )
    gone = _conflict_keys(conflicts(plan)) - _conflict_keys(conflicts(after))
    rooms = {r.id: r for r in plan.rooms}
    incoming = {}
    for t, c in enumerate(wall.cell_of):
        if c != original[t]:
            incoming[c] = wall.topics[t].id
    result = []
    for t, c in enumerate(wall.cell_of):
        if c == original[t]:
            continue
        topic = wall.topics[t]
        reasons: list[Reason] = []
        for kind, _slot_id, topic_ids, people in sorted(gone, key=lambda k: (-k[3], k[1], k[2])):
            if topic.id not in topic_ids:
                continue
            others = [i for i in topic_ids if i != topic.id]
            if kind == "overlap":
                reasons.append(Reason("apart", {"topic_id": others[0], "people": people}))
            elif kind == "host":
                shared = sorted(topic.hosts.intersection(*(wall.topics[wall.index[i]].hosts for i in others)))
                reasons.append(Reason("host_free", {"host": shared[0] if shared else "", "topic_id": others[0]}))
            else:
                source = rooms[wall.cell_id(original[t])[0]].capacity
                reasons.append(
                    Reason(
                        "room_fits",
                        {"interest": wall.n[t], "capacity": rooms[wall.cell_id(c)[0]].capacity, "before": source},
                    )
                )
        if not reasons and original[t] in incoming:
            reasons.append(Reason("makes_room", {"topic_id": incoming[original[t]]}))
        result.append(
            Move(topic.id, wall.cell_id(original[t]), wall.cell_id(c), tuple(reasons) or (Reason("fewer_clashes"),))
        )
    return sorted(result, key=lambda m: m.topic_id)


def _conflict_keys(found: list[Conflict]) -> set[tuple[str, int, tuple[int, ...], int]]:
    return {(c.kind, c.slot_id, c.topic_ids, c.people) for c in found}


def apply_moves(plan: Plan, moves: list[Move]) -> Plan:
    """The plan with these moves made together (cycles and swaps allowed); ValueError for a move that cannot be.

    Refused: an unknown or fixed topic, a source that is not the topic's cell, a target that is not an open cell
    of the plan, a topic moved twice, and any cell held by two topics afterwards.
    """
    rooms = {r.id for r in plan.rooms}
    open_slots = {s.id for s in plan.slots if s.open}
    by_id = {t.id: t for t in plan.topics}
    targets: dict[int, Cell] = {}
    for move in moves:
        topic = by_id.get(move.topic_id)
        if topic is None or topic.fixed:
            raise ValueError(f"topic {move.topic_id} cannot move")
        if move.topic_id in targets:
            raise ValueError(f"topic {move.topic_id} moved twice")
        if topic.cell != move.source:
            raise ValueError(f"topic {move.topic_id} is not in {move.source}")
        if move.target[0] not in rooms or move.target[1] not in open_slots:
            raise ValueError(f"{move.target} is not an open cell")
        targets[move.topic_id] = tuple(move.target)  # type: ignore[assignment]
    topics = tuple(replace(t, cell=targets[t.id]) if t.id in targets else t for t in plan.topics)
    held = [t.cell for t in topics if t.cell is not None]
    if len(held) != len(set(held)):
        raise ValueError("a cell would hold two topics")
    return replace(plan, topics=topics)
