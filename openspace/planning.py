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
`current_place` scores a placed topic's own cell exactly as `suggest` scores a free one, so a suggestion's
score minus it is what the move would change: only a lower score is a better place.

`conflicts` lists every clash (an overlap per pair of topics of a slot with their shared audience), ranked by
people; the pairs of a person interested in three topics of a slot are all listed, while the score counts
that person twice, not three times.

`propose` searches moves into free open cells and swaps of movable topics. If no single move or swap lowers
the score, it proposes nothing. Otherwise it takes the best of a few candidates (lowest score, then fewest
moves): a steepest-for-each-topic descent to a local optimum (on small walls often the best and the most
natural answer), and simulated annealing from the wall as it is over **which slot each topic is in** (a topic
into another slot with a free room, or two topics of two slots exchanged), the rooms of every slot it touches
given by the sorted matching (the most interested topic in the biggest room: the capacity cost is convex, so
that is the least for the slot's topics), with a price in people on every topic moved away from its slot (1
on big walls, where the annealing would otherwise rearrange most of the wall for a few people; on walls of up
to 100 movable topics also 0.5 and 0, which find their optimum more often); each annealing is seeded from a
fingerprint of the plan and runs a fixed number of steps or until its share of the time is up, whichever comes
first (small walls: always the steps, so the same wall gives the same proposal; the largest walls use the
time, so a faster machine may find more). Then every slot's rooms are chosen again (least capacity cost, then
the most topics in their own cell: an assignment problem), moved topics are put back where that costs nothing,
and a last descent ends in a local optimum. Only strict improvements count, so the score never rises, and
proposing again on the applied proposal finds nothing.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

Cell = tuple[int, int]  # (room_id, slot_id)

OVERLAP_REASONS = 3  # a suggestion names the topics sharing most of its audience; the rest are counted


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

    def share(self, pace: Callable[[], None] | None = None) -> None:
        """Build the table of people shared by each pair of topics (once; `pace` is called as it goes)."""
        if self._shared is not None:
            return
        pairs: dict[int, list[int]] = {}
        N = len(self.topics)
        for p, ts in enumerate(self.person_topics):
            for i, a in enumerate(ts):
                for b in ts[i + 1 :]:
                    pairs.setdefault(a * N + b, []).append(p)
            if pace is not None and p % 100 == 99:
                pace()
        self._shared = {k: tuple(v) for k, v in pairs.items()}
        if pace is not None:
            pace()
        table: list[dict[int, tuple[int, ...]]] = [{} for _ in range(N)]
        for key, persons in self._shared.items():
            a, b = divmod(key, N)
            table[a][b] = table[b][a] = persons
        self._shared_with = table

    def shared(self, t: int, u: int) -> tuple[int, ...]:
        """The people interested in both topics."""
        if self._shared is None:
            self.share()
        N = len(self.topics)
        key = t * N + u if t < u else u * N + t
        return self._shared.get(key, ())

    def shared_with(self, t: int) -> dict[int, tuple[int, ...]]:
        """For every topic sharing people with t, those people."""
        if self._shared_with is None:
            self.share()
        return self._shared_with[t]  # type: ignore[index]

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


@dataclass
class _Audience:
    """One topic's audience against the wall without it: what a cell of each slot would cost in overlaps."""

    topic: PlanTopic
    cells: _Cells
    overlap: dict[int, int]  # slot id -> people of the topic booked there by another topic
    shared: dict[int, int]  # topic id -> people it shares with the topic


def _audience(plan: Plan, topic_id: int) -> _Audience:
    topic = next(t for t in plan.topics if t.id == topic_id)  # StopIteration for an unknown topic: callers check
    cells = _cells(plan)
    mine = topic.interested
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
    return _Audience(topic, cells, overlap, shared)


def _costed(audience: _Audience, room_id: int, slot_id: int) -> Suggestion:
    """What the topic costs in this cell, with the reasons, against the wall without it."""
    topic, cells, shared = audience.topic, audience.cells, audience.shared
    n = len(topic.interested)
    clashes = _host_clashes(cells, slot_id, topic.hosts, topic.id)
    cap = cells.capacity[room_id]
    over = n - cap if cap is not None and n > cap else 0
    score = audience.overlap.get(slot_id, 0) + over + _host_cost(clashes, n)
    reasons = [Reason("host", {"host": h, "topic_id": u.id}) for h, u in clashes]
    if over:
        reasons.append(Reason("capacity", {"capacity": cap, "interest": n}))
    others = sorted(
        (-shared[u.id], u.id) for u in cells.by_slot.get(slot_id, []) if u.id != topic.id and u.id in shared
    )
    reasons.extend(Reason("overlap", {"people": -k, "topic_id": i}) for k, i in others[:OVERLAP_REASONS])
    if len(others) > OVERLAP_REASONS:
        reasons.append(Reason("overlap_more", {"topics": len(others) - OVERLAP_REASONS}))
    return Suggestion(room_id, slot_id, score, tuple(reasons) or (Reason("no_clash"),))


def suggest(plan: Plan, topic_id: int) -> list[Suggestion]:
    """Every free open cell for the topic, best first: `score` = the people it would cost there (0 = no clash),
    ranked against the wall without it (its own cell is not free); ties: earlier slot, then room order. The
    reasons name the OVERLAP_REASONS topics of the slot sharing most of the audience, then how many more do."""
    return _ranked(_audience(plan, topic_id))


def _ranked(audience: _Audience) -> list[Suggestion]:
    ranked = []
    for index, (room_id, slot_id) in enumerate(audience.cells.order):
        if (room_id, slot_id) in audience.cells.free:
            suggestion = _costed(audience, room_id, slot_id)
            ranked.append((suggestion.score, index, suggestion))
    ranked.sort(key=lambda x: x[:2])
    return [s for _, _, s in ranked]


def current_place(plan: Plan, topic_id: int) -> Suggestion | None:
    """What a placed topic costs in its own cell, scored and explained as a suggestion would be (against the wall
    without it), so its suggestions can be compared with where it is; None when it is not on the wall."""
    return _here(_audience(plan, topic_id))


def _here(audience: _Audience) -> Suggestion | None:
    cell = audience.topic.cell
    if cell is None or cell not in audience.cells.order:
        return None
    return _costed(audience, *cell)


def place_and_suggestions(plan: Plan, topic_id: int) -> tuple[Suggestion | None, list[Suggestion]]:
    """current_place and suggest together, the topic's audience gathered once."""
    audience = _audience(plan, topic_id)
    return _here(audience), _ranked(audience)


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

PACE_SECONDS = 0.005  # the longest stretch of search between two turns of the caller's `pause`


class _Pace:
    """Calls `pause` (the server's loop takes its turn) once at least PACE_SECONDS of search went by since the
    last turn; without a `pause` it does nothing."""

    __slots__ = ("last", "pause")

    def __init__(self, pause: Callable[[], None] | None) -> None:
        self.pause = pause
        self.last = time.perf_counter()

    def __call__(self) -> None:
        if self.pause is not None and time.perf_counter() - self.last >= PACE_SECONDS:
            self.pause()
            self.last = time.perf_counter()


_NO_PACE = _Pace(None)


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


def _improvable(wall: _Wall, movable: list[int], pace: _Pace = _NO_PACE) -> bool:
    """Whether a single move or swap lowers the score (the wall is no local optimum)."""
    free = _free_cells(wall)
    gains, order, host_gains = _gains(wall, movable)
    for t in movable:
        if _best_step(wall, t, free, order, gains, host_gains)[0] < 0:
            return True
        pace()
    return False


def _descend(wall: _Wall, movable: list[int], deadline: float | None = None, pace: _Pace = _NO_PACE) -> int:
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
            pace()
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


ANNEAL_STEPS_PER_SECOND = 250_000  # annealing steps (tries) in a second here, about: 300,000 (a fixed amount of work)
ANNEAL_STEPS_PER_TOPIC = 2_000  # small walls need far fewer steps to be searched well


# People: while annealing, each topic away from its own slot counts as this many hurt. On a big wall the
# annealing otherwise rearranges most of it for a few people (0: 180-240 moves of 294 for 1-3 % more; 1: 40-95;
# 4: 40-60 for 2-4 % less); small walls are also annealed with lighter prices, which find their optimum more often.
MOVE_COST = 1.0
MOVE_COST_SMALLS = (0.5, 0.0)
SMALL_WALL = 100  # movable topics


BIG = 10**9


def _slot_rooms(wall: _Wall, slot_movers: set[int]) -> list[list[int]]:
    """For every slot, the rooms its slot-movable topics may use (not held by another topic), biggest first."""
    R = wall.R
    rooms: list[list[int]] = []
    for s in range(wall.S):
        if not wall.open_slot[s]:
            rooms.append([])
            continue
        mine = [r for r in range(R) if wall.holder[s * R + r] < 0 or wall.holder[s * R + r] in slot_movers]
        rooms.append(sorted(mine, key=lambda r: (-(wall.cap[r] if wall.cap[r] is not None else BIG), r)))
    return rooms


class _CapTable:
    """One slot's capacity cost under the sorted matching (`caps`: its rooms' capacities, biggest first), with
    the sums that give in O(log rooms) what taking a topic out, putting one in, or exchanging one for another
    changes: the topics after it shift a rank up or down (into the next bigger or smaller room)."""

    __slots__ = ("caps", "down", "neg", "own", "total", "up")

    def __init__(self, interests: list[int], caps: list[int]) -> None:
        ns = sorted(interests, reverse=True)
        m, last = len(ns), len(caps)
        self.neg = [-x for x in ns]
        own = [0] * (m + 1)  # own[i]: cost of ranks < i, each at its own rank
        down = [0] * (m + 1)  # down[i]: cost of ranks >= i, each one rank lower
        up = [0] * (m + 1)  # up[i]: cost of ranks >= i (i >= 1), each one rank higher
        for i, x in enumerate(ns):
            own[i + 1] = own[i] + max(0, x - caps[i])
        for i in range(m - 1, -1, -1):
            down[i] = down[i + 1] + max(0, ns[i] - (caps[i + 1] if i + 1 < last else 0))
            up[i] = up[i + 1] + (max(0, ns[i] - caps[i - 1]) if i else 0)
        self.own, self.down, self.up, self.total, self.caps = own, down, up, own[m], caps

    def remove(self, v: int) -> int:
        """The change when a topic of interest v leaves the slot."""
        k = bisect.bisect_left(self.neg, -v)
        return self.own[k] + self.up[k + 1] - self.total

    def insert(self, v: int) -> int:
        """The change when a topic of interest v comes into the slot (it has a free room)."""
        k = bisect.bisect_left(self.neg, -v)
        return self.own[k] + max(0, v - self.caps[k]) + self.down[k] - self.total

    def replace(self, v: int, w: int) -> int:
        """The change when a topic of interest v leaves and one of interest w takes its place."""
        k = bisect.bisect_left(self.neg, -v)
        j = bisect.bisect_left(self.neg, -w)
        own = self.own
        if w >= v:  # w goes to rank j <= k, ranks j..k-1 one down
            return own[j] + max(0, w - self.caps[j]) + self.down[j] - self.down[k] - own[k + 1]
        # w goes to rank j - 1 >= k, ranks k+1..j-1 one up
        return own[k] + self.up[k + 1] - self.up[j] + max(0, w - self.caps[j - 1]) - own[j]


def _resort(wall: _Wall, s: int, members: list[int], rooms: list[int]) -> None:
    """Give the slot's movable topics their rooms by the sorted matching (capacity only changes)."""
    R, capc = wall.R, wall.capc
    ordered = sorted(members, key=lambda t: -wall.n[t])
    for t in members:
        wall.holder[wall.cell_of[t]] = -1
        wall.score -= capc[t][wall.cell_of[t] % R]
    for t, r in zip(ordered, rooms, strict=False):
        c = s * R + r
        wall.holder[c] = t
        wall.cell_of[t] = c
        wall.score += capc[t][r]


def _anneal_slots(
    wall: _Wall,
    movable: list[int],
    rng: random.Random,
    steps: int,
    deadline: float,
    move_cost: float,
    pace: _Pace = _NO_PACE,
) -> list[int]:
    """Simulated annealing over which slot each topic is in (moves to a slot with a free room, swaps between two
    slots), the rooms of every touched slot given by the sorted matching; returns the best placement seen."""
    R, S = wall.R, wall.S
    open_slot, cell_of, n = wall.open_slot, wall.cell_of, wall.n
    movers = [t for t in movable if open_slot[cell_of[t] // R]]
    slots = [s for s in range(S) if open_slot[s]]
    if not movers or len(slots) < 2:
        return _placement(wall)
    mover_set = set(movers)
    rooms = _slot_rooms(wall, mover_set)
    caps = [[wall.cap[r] if wall.cap[r] is not None else BIG for r in rs] for rs in rooms]
    members: list[list[int]] = [[] for _ in range(S)]
    for t in movers:
        members[cell_of[t] // R].append(t)
    home = [c // R if c >= 0 else -1 for c in cell_of]
    tables: list[_CapTable] = [_CapTable([n[t] for t in members[s]], caps[s]) for s in range(S)]
    best, best_value = _placement(wall), float(wall.score)
    for s in slots:
        _resort(wall, s, members[s], rooms[s])
    A, B, multi = wall.A, wall.B, wall.multi
    # temperature: a tenth of the median worsening (sampled below)
    away = 0
    exp, rand, randrange = math.exp, rng.random, rng.randrange
    n_movers, n_slots = len(movers), len(slots)

    def delta_of(t: int, u: int, s1: int, s2: int) -> int:
        if u < 0:
            d = A[t][s2] - B[t][s1]
            if multi[t]:
                d += wall.host_add(t, s2) - wall.host_remove(t, s1)
            return d + tables[s1].remove(n[t]) + tables[s2].insert(n[t])
        d = A[u][s1] + A[t][s2] - B[t][s1] - B[u][s2]
        both = wall.shared_with(t).get(u)
        if both:
            c1, c2 = wall.count[s1], wall.count[s2]
            for p in both:
                if c1[p] == 1:
                    d -= 1
                if c2[p] == 1:
                    d -= 1
        if multi[t] or multi[u]:
            d += wall.host_exchange(s1, t, u) + wall.host_exchange(s2, u, t)
        return d + tables[s1].replace(n[t], n[u]) + tables[s2].replace(n[u], n[t])

    def pick() -> tuple[int, int, int, int]:
        t = movers[randrange(n_movers)]
        s1 = cell_of[t] // R
        s2 = slots[randrange(n_slots - 1)]  # another slot, each alike
        if s2 == s1:
            s2 = slots[-1]
        if not rooms[s2]:
            return t, -2, s1, s2  # every room of that slot is held by a topic that stays
        j = randrange(len(rooms[s2]))
        u = members[s2][j] if j < len(members[s2]) else -1
        if u < 0 and len(members[s2]) >= len(rooms[s2]):
            return t, -2, s1, s2
        return t, u, s1, s2

    worse = []
    for _ in range(200):
        t, u, s1, s2 = pick()
        if u == -2:
            continue
        d = delta_of(t, u, s1, s2)
        if d > 0:
            worse.append(d)
    hot = max(1.0, sorted(worse)[len(worse) // 2] / 10) if worse else 1.0
    cold = 0.2
    block = 200
    started = time.perf_counter()
    budget = max(deadline - started, 1e-3)
    for done in range(0, steps, block):
        pace()
        elapsed = time.perf_counter() - started
        if elapsed > budget:
            break
        temperature = hot * (cold / hot) ** max(done / steps, elapsed / budget)
        for _ in range(block):
            t, u, s1, s2 = pick()
            if u == -2:
                continue
            dm = (s2 != home[t]) - (s1 != home[t])
            if u >= 0:
                dm += (s1 != home[u]) - (s2 != home[u])
            d = delta_of(t, u, s1, s2) + move_cost * dm
            if not (d <= 0 or rand() < exp(-d / temperature)):
                continue
            if u < 0:
                free = next(s2 * R + r for r in rooms[s2] if wall.holder[s2 * R + r] < 0)
                wall.move(t, free)
                members[s1].remove(t)
                members[s2].append(t)
            else:
                wall.swap(t, u)
                members[s1].remove(t)
                members[s2].remove(u)
                members[s1].append(u)
                members[s2].append(t)
            for s in (s1, s2):
                _resort(wall, s, members[s], rooms[s])
                tables[s] = _CapTable([n[x] for x in members[s]], caps[s])
            away += dm
            if wall.score + move_cost * away < best_value:
                best, best_value = _placement(wall), wall.score + move_cost * away
    return best


def _assignment(cost: list[list[int]]) -> list[int]:
    """The cheapest assignment of n rows to distinct columns of m >= n (the Hungarian method): row -> column."""
    n, m = len(cost), len(cost[0]) if cost else 0
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    p, way = [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        p[0], j0 = i, 0
        minv, used = [inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], inf, 0
            row = cost[i0 - 1]
            for j in range(1, m + 1):
                if not used[j]:
                    cur = row[j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    result = [0] * n
    for j in range(1, m + 1):
        if p[j]:
            result[p[j] - 1] = j - 1
    return result


def _fewest_room_changes(wall: _Wall, original: list[int], movable: list[int], pace: _Pace = _NO_PACE) -> None:
    """In every open slot, the rooms of its movable topics re-chosen: the least capacity cost first, then as many
    topics as possible in their own cell (only capacity changes within a slot, so the score never rises)."""
    R = wall.R
    mover_set = {t for t in movable if wall.open_slot[wall.cell_of[t] // R]}
    rooms = _slot_rooms(wall, mover_set)
    members: list[list[int]] = [[] for _ in range(wall.S)]
    for t in sorted(mover_set):
        members[wall.cell_of[t] // R].append(t)
    weight = len(movable) + 1
    for s in range(wall.S):
        ts, rs = members[s], rooms[s]
        if not ts:
            continue
        pace()
        cost = [[wall.capc[t][r] * weight + (s * R + r != original[t]) for r in rs] for t in ts]
        chosen = _assignment(cost)
        if sum(row[j] for row, j in zip(cost, chosen, strict=True)) >= sum(
            row[rs.index(wall.cell_of[t] % R)] for row, t in zip(cost, ts, strict=True)
        ):
            continue
        for t in ts:
            wall.holder[wall.cell_of[t]] = -1
            wall.score -= wall.capc[t][wall.cell_of[t] % R]
        for t, j in zip(ts, chosen, strict=True):
            c = s * R + rs[j]
            wall.holder[c] = t
            wall.cell_of[t] = c
            wall.score += wall.capc[t][rs[j]]


def propose(plan: Plan, *, seconds: float = 1.5, pause: Callable[[], None] | None = None) -> list[Move]:
    """Moves (and swaps, as two moves) that lower the conflict score, as few as practical; [] when none helps.

    Deterministic for a given plan while the annealing's steps end before `seconds` does (every wall of up to
    about 100 topics here); the result is always a local optimum of single moves and swaps, so proposing again
    after applying it proposes nothing. `pause`, if given, is called at least every PACE_SECONDS or so of
    search (the server's loop takes its turn there); the time it takes counts against `seconds`.
    """
    started = time.perf_counter()
    pace = _Pace(pause)
    wall = _Wall(plan)
    pace()
    wall.share(pace)
    original = _placement(wall)
    before = wall.score
    movable = [t for t in sorted(range(len(wall.topics)), key=lambda t: wall.topics[t].id) if wall.movable(t)]
    if not movable or not _improvable(wall, movable, pace):
        return []
    # Candidates, the best score winning, then the fewest moves: the plain descent's answer if it is quick (on
    # small walls often the best, and the most natural of equally good ones: nearest cells first), and one
    # annealing per price of a move, each put back where that is free and ended with a descent.
    candidates: list[tuple[int, int, list[int]]] = []

    def keep() -> None:
        moved = sum(1 for a, b in zip(original, wall.cell_of, strict=True) if a != b)
        candidates.append((wall.score, moved, _placement(wall)))

    if _descend(wall, movable, started + seconds * 0.25, pace) >= 0:
        keep()
    _restore(wall, original)
    prices = (MOVE_COST, *MOVE_COST_SMALLS) if len(movable) <= SMALL_WALL else (MOVE_COST,)
    steps = min(int(ANNEAL_STEPS_PER_SECOND * seconds), ANNEAL_STEPS_PER_TOPIC * len(movable)) // len(prices)
    for n, price in enumerate(prices):
        rng = random.Random(_fingerprint(plan) + n)
        deadline = time.perf_counter() + (started + seconds * 0.75 - time.perf_counter()) / (len(prices) - n)
        _restore(wall, original)
        _restore(wall, _anneal_slots(wall, movable, rng, steps, deadline, price, pace))
        pace()
        _fewest_room_changes(wall, original, movable, pace)
        _put_back(wall, original, movable)
        pace()
        _descend(wall, movable, pace=pace)
        keep()
    _restore(wall, min(candidates, key=lambda c: c[:2])[2])
    assert wall.score < before
    pace()
    return _moves(plan, wall, original, pace)


def _moves(plan: Plan, wall: _Wall, original: list[int], pace: _Pace = _NO_PACE) -> list[Move]:
    after = apply_moves(
        plan,
        [
            Move(wall.topics[t].id, wall.cell_id(original[t]), wall.cell_id(c), ())
            for t, c in enumerate(wall.cell_of)
            if c != original[t]
        ],
    )
    before = _conflict_keys(conflicts(plan))
    pace()
    gone = before - _conflict_keys(conflicts(after))
    pace()
    rooms = {r.id: r for r in plan.rooms}
    incoming = {}
    for t, c in enumerate(wall.cell_of):
        if c != original[t]:
            incoming[c] = wall.topics[t].id
    gone_of: dict[int, list[tuple[str, int, tuple[int, ...], int]]] = {}  # topic id -> its conflicts gone
    for key in sorted(gone, key=lambda k: (-k[3], k[1], k[2])):
        for i in key[2]:
            gone_of.setdefault(i, []).append(key)
    result = []
    for t, c in enumerate(wall.cell_of):
        if c == original[t]:
            continue
        topic = wall.topics[t]
        reasons: list[Reason] = []
        for kind, _slot_id, topic_ids, people in gone_of.get(topic.id, ()):
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
