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

`propose` searches moves into free open cells and swaps of movable topics. If no single move or swap lowers
the score, it proposes nothing. Otherwise it takes the best of a few candidates (lowest score, then fewest
moves): a steepest-for-each-topic descent to a local optimum (on small walls often the best and the most
natural answer), and simulated annealing from the wall as it is, with a price in people on every topic moved
away from its cell (4 on big walls, where the annealing would otherwise rearrange most of the wall for a few
people; on walls of up to 100 movable topics also 0.5, which finds their optimum more often); each annealing
is seeded from a fingerprint of the plan and runs a fixed number of steps or until its share of the time is up,
whichever comes first (small walls: always the steps, so the same wall gives the same proposal; the largest
walls use the time, so a faster machine may find more); then moved topics are put back where that costs
nothing, and a last descent ends in a local optimum. Only strict improvements count, so the score never rises,
and proposing again on the applied proposal finds nothing.
"""

from __future__ import annotations

import bisect
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
        """Host cost change in slot s when topic `out` (in s) leaves it and `into` comes."""
        table = self.slot_hosts[s]
        hosts_out, hosts_into = self.hosts[out], self.hosts[into]
        total = 0
        for h in hosts_out:
            ts = table[h]
            stays = h in hosts_into
            if len(ts) > 1:
                after = [x for x in ts if x != out]
                if stays:
                    after.append(into)
                total += self._hw(after) - self._hw(ts)
        for h in hosts_into:
            if h not in hosts_out:
                ts = table.get(h)
                if ts:
                    total += self._hw([*ts, into]) - self._hw(ts)
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
# Suggestions read the plan directly instead of building the incremental wall: one ranking needs only the
# people of one topic, and a phone asks for it while posting (≤ 50 ms on the largest walls).


@dataclass
class _Cells:
    """The plan's cells in slot-major order, what holds them, and the placed topics slot by slot."""

    order: list[Cell]
    free: set[Cell]
    by_slot: dict[int, list[PlanTopic]]
    capacity: dict[int, int | None]


def _cells(plan: Plan) -> _Cells:
    held = {t.cell for t in plan.topics if t.cell is not None}
    order = [(r.id, s.id) for s in plan.slots for r in plan.rooms]
    open_slots = {s.id for s in plan.slots if s.open}
    free = {c for c in order if c not in held and c[1] in open_slots}
    return _Cells(order, free, _placed(plan), {r.id: r.capacity for r in plan.rooms})


def _host_clashes(cells: _Cells, slot_id: int, hosts: frozenset[str], skip: int | None) -> list[tuple[str, PlanTopic]]:
    """(host, topic) for every topic of that slot sharing one of these hosts, by host, then topic id."""
    here = [u for u in cells.by_slot.get(slot_id, []) if u.id != skip]
    return [(h, u) for h in sorted(hosts) for u in sorted(here, key=lambda u: u.id) if h in u.hosts]


def _host_cost(clashes: list[tuple[str, PlanTopic]], interest: int) -> int:
    by_host: dict[str, list[int]] = {}
    for h, u in clashes:
        by_host.setdefault(h, []).append(len(u.interested))
    return sum(host_weight([*ns, interest]) - host_weight(ns) for ns in by_host.values())


def suggest(plan: Plan, topic_id: int) -> list[Suggestion]:
    """Every free open cell for the topic, best first: `score` = the people it would cost there (0 = no clash),
    ranked against the wall without it (its own cell is not free); ties: earlier slot, then room order."""
    topic = next(t for t in plan.topics if t.id == topic_id)  # StopIteration for an unknown topic: callers check
    cells = _cells(plan)
    mine, n = topic.interested, len(topic.interested)
    booked: dict[str, set[int]] = {}  # person of this topic -> slots where another topic of theirs runs
    shared: dict[int, int] = {}
    for slot_id, here in cells.by_slot.items():
        for u in here:
            if u.id == topic_id:
                continue
            both = mine & u.interested
            if both:
                shared[u.id] = len(both)
                for p in both:
                    booked.setdefault(p, set()).add(slot_id)
    overlap: dict[int, int] = {}
    for slots in booked.values():
        for slot_id in slots:
            overlap[slot_id] = overlap.get(slot_id, 0) + 1
    ranked = []
    for index, (room_id, slot_id) in enumerate(cells.order):
        if (room_id, slot_id) not in cells.free:
            continue
        clashes = _host_clashes(cells, slot_id, topic.hosts, topic_id)
        cap = cells.capacity[room_id]
        over = n - cap if cap is not None and n > cap else 0
        score = overlap.get(slot_id, 0) + over + _host_cost(clashes, n)
        reasons = [Reason("host", {"host": h, "topic_id": u.id}) for h, u in clashes]
        if over:
            reasons.append(Reason("capacity", {"capacity": cap, "interest": n}))
        others = sorted(
            (-shared[u.id], u.id) for u in cells.by_slot.get(slot_id, []) if u.id != topic_id and u.id in shared
        )
        reasons.extend(Reason("overlap", {"people": -k, "topic_id": i}) for k, i in others)
        ranked.append((score, index, Suggestion(room_id, slot_id, score, tuple(reasons) or (Reason("no_clash"),))))
    ranked.sort(key=lambda x: x[:2])
    return [s for _, _, s in ranked]


def suggest_new(plan: Plan, hosts: frozenset[str]) -> list[Suggestion]:
    """Every free open cell for a topic about to be posted by these hosts (no interest yet), best first.

    Its audience is estimated as the mean interest of the placed topics, drawn from everyone who marked
    anything: a slot where more of them are already booked is likely to cost more. A cell where a host already
    holds a topic is ranked after every other cell.
    """
    cells = _cells(plan)
    placed = [t for here in cells.by_slot.values() for t in here]
    expected = round(sum(len(t.interested) for t in placed) / len(placed)) if placed else 0
    everyone = len(frozenset().union(*(t.interested for t in plan.topics)))
    busy = {slot_id: len(frozenset().union(*(t.interested for t in here))) for slot_id, here in cells.by_slot.items()}
    ranked = []
    for index, (room_id, slot_id) in enumerate(cells.order):
        if (room_id, slot_id) not in cells.free:
            continue
        clashes = _host_clashes(cells, slot_id, hosts, None)
        people = busy.get(slot_id, 0)
        cap = cells.capacity[room_id]
        score = (round(expected * people / everyone) if everyone else 0) + (
            max(0, expected - cap) if cap is not None else 0
        )
        score += _host_cost(clashes, expected)
        reasons = [Reason("host", {"host": h, "topic_id": u.id}) for h, u in clashes]
        if people:
            reasons.append(Reason("busy", {"people": people}))
        ranked.append(
            (
                bool(clashes),
                score,
                people,
                index,
                Suggestion(room_id, slot_id, score, tuple(reasons) or (Reason("no_clash"),)),
            )
        )
    ranked.sort(key=lambda x: x[:4])
    return [s for *_, s in ranked]


# --- the proposal --------------------------------------------------------------------------------------------


def _best_step(
    wall: _Wall, t: int, free: list[int], order: list[int], gains: list[int], host_gains: list[int]
) -> tuple[int, int, int]:
    """The best strict improvement for topic t: (delta, kind 0 = move / 1 = swap, cell or topic); delta 0 = none.

    The same deltas as move_delta and swap_delta, unrolled: this loop is where the proposal spends its time.
    `order` is the movable topics by what removing them gains (`gains`), most first: a swap of t and u costs at
    least -(gain of t + gain of u), since putting a topic anywhere never costs less than nothing, so the scan
    stops once that bound cannot beat the best so far. A swap's exact overlap term is only counted when its
    lower bound (every shared person saved in both slots) could beat the best so far.
    """
    best, kind, what = 0, -1, -1
    R, cell_of, open_slot = wall.R, wall.cell_of, wall.open_slot
    A, B, capc, multi = wall.A, wall.B, wall.capc, wall.multi
    ct = cell_of[t]
    s1, r1 = divmod(ct, R)
    cap_t = capc[t]
    here = cap_t[r1]
    gain = gains[t]
    if free:
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
    host_t_gain = host_gains[t]
    shared_t = wall.shared_with(t)
    count1 = wall.count[s1]
    for u in order:
        if gain + gains[u] <= -best:
            break
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
            # Lower bound: every shared person saved in both slots, every host clash of the two removed.
            if d - (2 * len(both) if both else 0) - host_t_gain - host_gains[u] >= best:
                continue
            if both is not None:
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


def _free_cells(wall: _Wall) -> list[int]:
    return [c for c in range(wall.R * wall.S) if wall.holder[c] < 0 and wall.open_slot[c // wall.R]]


def _gains(wall: _Wall, movable: list[int]) -> tuple[list[int], list[int], list[int]]:
    """What removing each movable topic gains now, the movable topics by that gain (most first), and the part
    of each gain that is a host's clash."""
    gains = [0] * len(wall.topics)
    host_gains = [0] * len(wall.topics)
    for u in movable:
        gains[u] = wall.remove_gain(u)
        if wall.multi[u]:
            host_gains[u] = wall.host_remove(u, wall.cell_of[u] // wall.R)
    return gains, sorted(movable, key=lambda u: (-gains[u], u)), host_gains


def _improvable(wall: _Wall, movable: list[int]) -> bool:
    """Whether a single move or swap lowers the score (the wall is no local optimum)."""
    free = _free_cells(wall)
    gains, order, host_gains = _gains(wall, movable)
    return any(_best_step(wall, t, free, order, gains, host_gains)[0] < 0 for t in movable)


def _descend(wall: _Wall, movable: list[int], deadline: float | None = None) -> int:
    """Improve until no single move or swap helps (a local optimum); returns the number of steps taken."""
    steps = 0
    improved = True
    free = _free_cells(wall)
    gains, order, host_gains = _gains(wall, movable)
    while improved:
        improved = False
        for t in movable:
            delta, kind, what = _best_step(wall, t, free, order, gains, host_gains)
            if delta < 0:
                if kind == 0:
                    free.remove(what)
                    if wall.open_cell(wall.cell_of[t]):
                        bisect.insort(free, wall.cell_of[t])
                    wall.move(t, what)
                else:
                    wall.swap(t, what)
                gains, order, host_gains = _gains(wall, movable)
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


ANNEAL_STEPS_PER_SECOND = 250_000  # annealing steps this machine takes in a second, about (a fixed amount of work)
ANNEAL_STEPS_PER_TOPIC = 2_000  # small walls need far fewer steps to be searched well


def _temperature(wall: _Wall, movable: list[int], open_cells: list[int], rng: random.Random) -> float:
    """A starting temperature: a tenth of the median worsening step (hotter only wanders off within the budget)."""
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
    return max(1.0, sorted(worse)[len(worse) // 2] / 10) if worse else 1.0


# People: while annealing, each topic away from its own cell counts as this many hurt. On a big wall the
# annealing otherwise rearranges most of it for a few people (4: 50-90 moves instead of 200 for about the same
# score); small walls are also annealed with a light price, which finds their optimum more often.
MOVE_COST = 4.0
MOVE_COST_SMALL = 0.5
SMALL_WALL = 100  # movable topics


def _anneal(
    wall: _Wall, movable: list[int], rng: random.Random, steps: int, deadline: float, move_cost: float
) -> list[int]:
    """Simulated annealing over moves and swaps; returns the best placement seen.

    It minimises the score plus `move_cost` for every topic away from where it started: a proposal that moves
    half the wall for one person less is not worth the organizers' and the participants' trouble.
    """
    open_cells = [c for c in range(wall.R * wall.S) if wall.open_slot[c // wall.R]]
    hot = _temperature(wall, movable, open_cells, rng)
    cold = 0.2
    home = _placement(wall)
    away = 0
    best, best_value = _placement(wall), float(wall.score)
    holder, fixed, cell_of = wall.holder, wall.fixed, wall.cell_of
    R, open_slot = wall.R, wall.open_slot
    n_movable, n_cells = len(movable), len(open_cells)
    exp, rand, randrange = math.exp, rng.random, rng.randrange
    block = 500
    started = time.perf_counter()
    budget = max(deadline - started, 1e-3)
    for done in range(0, steps, block):
        elapsed = time.perf_counter() - started
        if elapsed > budget:
            break
        # Cool by the steps taken or by the time spent, whichever is further: a busy machine still ends cold.
        temperature = hot * (cold / hot) ** max(done / steps, elapsed / budget)
        for _ in range(block):
            t = movable[randrange(n_movable)]
            c = open_cells[randrange(n_cells)]
            u = holder[c]
            ct = cell_of[t]
            if u < 0:
                dm = (c != home[t]) - (ct != home[t])
                d = wall.move_delta(t, c) + move_cost * dm
                if d <= 0 or rand() < exp(-d / temperature):
                    wall.move(t, c)
                else:
                    continue
            elif u != t and not fixed[u] and open_slot[ct // R]:
                dm = (c != home[t]) + (ct != home[u]) - (ct != home[t]) - (c != home[u])
                d = wall.swap_delta(t, u) + move_cost * dm
                if d <= 0 or rand() < exp(-d / temperature):
                    wall.swap(t, u)
                else:
                    continue
            else:
                continue
            away += dm
            if wall.score + move_cost * away < best_value:
                best, best_value = _placement(wall), wall.score + move_cost * away
    return best


def propose(plan: Plan, *, seconds: float = 1.5) -> list[Move]:
    """Moves (and swaps, as two moves) that lower the conflict score, as few as practical; [] when none helps.

    Deterministic for a given plan while the annealing's steps end before `seconds` does (every wall of up to
    about 100 topics here); the result is always a local optimum of single moves and swaps, so proposing again
    after applying it proposes nothing.
    """
    started = time.perf_counter()
    wall = _Wall(plan)
    original = _placement(wall)
    before = wall.score
    movable = [t for t in sorted(range(len(wall.topics)), key=lambda t: wall.topics[t].id) if wall.movable(t)]
    if not movable or not _improvable(wall, movable):
        return []
    # Candidates, the best score winning, then the fewest moves: the plain descent's answer if it is quick (on
    # small walls often the best, and the most natural of equally good ones: nearest cells first), and one
    # annealing per price of a move, each put back where that is free and ended with a descent.
    candidates: list[tuple[int, int, list[int]]] = []

    def keep() -> None:
        moved = sum(1 for a, b in zip(original, wall.cell_of, strict=True) if a != b)
        candidates.append((wall.score, moved, _placement(wall)))

    if _descend(wall, movable, started + seconds * 0.25) >= 0:
        keep()
    _restore(wall, original)
    prices = (MOVE_COST, MOVE_COST_SMALL) if len(movable) <= SMALL_WALL else (MOVE_COST,)
    steps = min(int(ANNEAL_STEPS_PER_SECOND * seconds), ANNEAL_STEPS_PER_TOPIC * len(movable)) // len(prices)
    for n, price in enumerate(prices):
        rng = random.Random(_fingerprint(plan) + n)
        deadline = time.perf_counter() + (started + seconds * 0.75 - time.perf_counter()) / (len(prices) - n)
        _restore(wall, original)
        _restore(wall, _anneal(wall, movable, rng, steps, deadline, price))
        _put_back(wall, original, movable)
        _descend(wall, movable)
        keep()
    _restore(wall, min(candidates, key=lambda c: c[:2])[2])
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
