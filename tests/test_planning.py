"""The planning domain on hand-made walls whose best answer is known, and its properties on generated ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openspace.planning import (
    Conflict,
    Move,
    Plan,
    PlanRoom,
    PlanSlot,
    PlanTopic,
    Reason,
    Suggestion,
    _CapTable,
    _fewest_room_changes,
    _Wall,
    apply_moves,
    conflict_score,
    conflicts,
    current_place,
    host_weight,
    normalise_host,
    place_and_suggestions,
    propose,
    suggest,
    suggest_new,
)

SMALL, BIG, OPEN = 10, 20, 30  # room ids
S1, S2, S3 = 1, 2, 3  # slot ids


def people(*names: str) -> frozenset[str]:
    return frozenset(names)


def crowd(prefix: str, n: int) -> frozenset[str]:
    return frozenset(f"{prefix}{i}" for i in range(n))


def topic(id, cell, interested=frozenset(), hosts=None, fixed=False):
    return PlanTopic(id, f"T{id}", cell, fixed, frozenset(hosts or {f"host {id}"}), interested)


def wall(*topics, slots=(S1, S2), closed=()):
    return Plan(
        (PlanRoom(SMALL, "Klein", 5), PlanRoom(BIG, "Groß", 50), PlanRoom(OPEN, "Wiese", None)),
        tuple(PlanSlot(s, f"Runde {s}", s not in closed) for s in slots),
        tuple(topics),
    )


# --- the score -----------------------------------------------------------------------------------------------


def test_a_person_in_three_topics_of_a_slot_counts_twice():
    plan = wall(
        topic(1, (SMALL, S1), people("ann", "bo")),
        topic(2, (BIG, S1), people("ann", "cy")),
        topic(3, (OPEN, S1), people("ann", "bo")),
    )
    assert conflict_score(plan) == 2 + 1  # ann: 3 topics → 2; bo: 2 topics → 1
    assert conflicts(plan) == [
        Conflict("overlap", S1, None, (1, 3), 2),
        Conflict("overlap", S1, None, (1, 2), 1),
        Conflict("overlap", S1, None, (2, 3), 1),
    ]


def test_capacity_counts_the_interest_over_the_room_and_none_is_unlimited():
    plan = wall(topic(1, (SMALL, S1), crowd("a", 8)), topic(2, (OPEN, S2), crowd("b", 500)))
    assert conflict_score(plan) == 3
    assert conflicts(plan) == [Conflict("capacity", S1, SMALL, (1,), 3)]


def test_a_double_booked_host_counts_every_topic_but_the_most_interesting_at_least_one():
    assert host_weight([7, 3, 0]) == 3 + 1
    assert host_weight([4]) == 0
    plan = wall(
        topic(1, (SMALL, S1), crowd("a", 4), hosts={"marek"}),
        topic(2, (BIG, S1), crowd("b", 2), hosts={"marek", "ida"}),
        topic(3, (OPEN, S1), frozenset(), hosts={"ida"}),
    )
    assert conflict_score(plan) == 2 + 1  # marek: topic 2 (2); ida: topic 3 (0 interested → 1)
    assert conflicts(plan) == [Conflict("host", S1, None, (1, 2), 2), Conflict("host", S1, None, (2, 3), 1)]


def test_unplaced_topics_and_different_slots_cost_nothing():
    plan = wall(
        topic(1, (SMALL, S1), crowd("a", 5)), topic(2, (SMALL, S2), crowd("a", 5)), topic(3, None, crowd("a", 9))
    )
    assert conflict_score(plan) == 0
    assert conflicts(plan) == []


def test_host_names_are_normalised():
    assert normalise_host("  Marek   VON\tHof ") == "marek von hof"


# --- suggestions ---------------------------------------------------------------------------------------------


def test_suggestions_rank_every_free_open_cell_with_reasons():
    plan = wall(
        topic(1, (SMALL, S1), people("ann", "bo", "cy")),
        topic(2, (BIG, S1), people("ann", "bo"), hosts={"ida"}),
        topic(3, None, people("ann", "bo", "cy", "dan", "eve", "fay"), hosts={"ida"}),
        topic(4, (OPEN, S3), people("zoe")),
        slots=(S1, S2, S3),
        closed=(S3,),
    )
    assert suggest(plan, 3) == [
        Suggestion(BIG, S2, 0, (Reason("no_clash"),)),
        Suggestion(OPEN, S2, 0, (Reason("no_clash"),)),
        Suggestion(SMALL, S2, 1, (Reason("capacity", {"capacity": 5, "interest": 6}),)),
        Suggestion(
            OPEN,
            S1,
            3 + 2,  # ann, bo and cy once more each; ida hosts topic 2 (2 interested)
            (
                Reason("host", {"host": "ida", "topic_id": 2}),
                Reason("overlap", {"people": 3, "topic_id": 1}),
                Reason("overlap", {"people": 2, "topic_id": 2}),
            ),
        ),
    ]


def test_a_placed_topic_is_ranked_against_the_wall_without_it():
    plan = wall(topic(1, (SMALL, S1), crowd("a", 8)), topic(2, (BIG, S2), crowd("a", 2)))
    ranked = suggest(plan, 1)
    assert [(s.room_id, s.slot_id, s.score) for s in ranked] == [
        (BIG, S1, 0),
        (OPEN, S1, 0),
        (OPEN, S2, 2),
        (SMALL, S2, 2 + 3),
    ]


def test_suggestions_for_a_new_topic_avoid_its_host_and_busy_slots():
    plan = wall(
        topic(1, (SMALL, S1), crowd("a", 4), hosts={"marek"}),
        topic(2, (SMALL, S2), crowd("a", 2)),
        slots=(S1, S2),
    )
    ranked = suggest_new(plan, frozenset({"marek"}))
    assert [(s.room_id, s.slot_id, s.score) for s in ranked] == [
        (BIG, S2, 2),  # expected audience 3 of the 4 people, 2 of them booked in S2: 3 × 2/4 → 2
        (OPEN, S2, 2),
        (BIG, S1, 3 + 3),  # 3 × 4/4 plus marek's clash (his other topic is the most interesting: 3)
        (OPEN, S1, 3 + 3),
    ]
    assert ranked[0].reasons == (Reason("busy", {"people": 2}),)
    assert ranked[2].reasons == (Reason("host", {"host": "marek", "topic_id": 1}), Reason("busy", {"people": 4}))


def test_an_empty_wall_suggests_everything_without_clash():
    ranked = suggest_new(wall(), frozenset({"marek"}))
    assert [(s.room_id, s.slot_id, s.score, s.reasons) for s in ranked][:2] == [
        (SMALL, S1, 0, (Reason("no_clash"),)),
        (BIG, S1, 0, (Reason("no_clash"),)),
    ]
    assert len(ranked) == 6


def test_a_placed_topic_costs_its_own_cell_as_a_suggestion_there_would():
    plan = wall(topic(1, (SMALL, S1), crowd("a", 8)), topic(2, (BIG, S2), crowd("a", 2)))
    assert current_place(plan, 1) == Suggestion(SMALL, S1, 3, (Reason("capacity", {"capacity": 5, "interest": 8}),))
    assert [s.score for s in suggest(plan, 1)] == [0, 0, 2, 5]  # two places are better, two worse


def test_the_current_place_names_its_host_and_the_shared_audience():
    plan = wall(
        topic(1, (SMALL, S1), people("ann", "bo", "cy"), hosts={"ida"}),
        topic(2, (BIG, S1), people("ann", "bo"), hosts={"ida"}),
        topic(3, (OPEN, S1), people("cy")),
        topic(4, (SMALL, S2), people("ann")),
    )
    assert current_place(plan, 2) == Suggestion(
        BIG,
        S1,
        2 + 2,  # ann and bo once more each; ida hosts topic 1 (3 interested), the less interesting one is this (2)
        (Reason("host", {"host": "ida", "topic_id": 1}), Reason("overlap", {"people": 2, "topic_id": 1})),
    )
    assert current_place(plan, 3) == Suggestion(OPEN, S1, 1, (Reason("overlap", {"people": 1, "topic_id": 1}),))
    assert current_place(plan, 4) == Suggestion(SMALL, S2, 0, (Reason("no_clash"),))


def test_an_unplaced_topic_has_no_current_place_and_a_fixed_one_has():
    plan = wall(
        topic(1, None, crowd("a", 8)),
        topic(2, (SMALL, S1), crowd("a", 6), fixed=True),
        slots=(S1, S2),
        closed=(S1,),
    )
    assert current_place(plan, 1) is None
    assert current_place(plan, 2) == Suggestion(SMALL, S1, 1, (Reason("capacity", {"capacity": 5, "interest": 6}),))


# --- the proposal --------------------------------------------------------------------------------------------


def test_swapping_a_crowded_topic_into_the_big_room():
    plan = Plan(
        (PlanRoom(SMALL, "Klein", 5), PlanRoom(BIG, "Groß", 50)),
        (PlanSlot(S1, "Runde 1", True),),
        (topic(1, (SMALL, S1), crowd("a", 30)), topic(2, (BIG, S1), crowd("b", 3))),
    )
    assert propose(plan) == [
        Move(1, (SMALL, S1), (BIG, S1), (Reason("room_fits", {"interest": 30, "capacity": 50, "before": 5}),)),
        Move(2, (BIG, S1), (SMALL, S1), (Reason("makes_room", {"topic_id": 1}),)),
    ]


def test_a_pinned_topic_stays_and_the_other_one_leaves_its_slot():
    plan = wall(
        topic(1, (SMALL, S1), people("ann", "bo", "cy"), fixed=True),
        topic(2, (BIG, S1), people("ann", "bo")),
    )
    moves = propose(plan)
    assert [(m.topic_id, m.source, m.target) for m in moves] == [(2, (BIG, S1), (SMALL, S2))]  # first room on ties
    assert moves[0].reasons == (Reason("apart", {"topic_id": 1, "people": 2}),)
    assert conflict_score(apply_moves(plan, moves)) == 0


def test_a_slot_that_has_begun_is_never_a_target():
    plan = wall(
        topic(1, (SMALL, S1), people("ann", "bo", "cy")),
        topic(2, (BIG, S1), people("ann", "bo")),
        topic(3, (OPEN, S3), people("dan"), fixed=True),
        slots=(S1, S2, S3),
        closed=(S2,),
    )
    moves = propose(plan)
    assert [(m.topic_id, m.target) for m in moves] == [(1, (SMALL, S3))]  # S3 open (a fixed topic in it)


def test_a_double_booked_host_is_separated():
    plan = wall(
        topic(1, (SMALL, S1), crowd("a", 3), hosts={"marek"}),
        topic(2, (BIG, S1), crowd("b", 4), hosts={"marek"}),
        slots=(S1, S2),
    )
    moves = propose(plan)
    assert [(m.topic_id, m.target) for m in moves] == [(1, (SMALL, S2))]
    assert moves[0].reasons == (Reason("host_free", {"host": "marek", "topic_id": 2}),)


def test_nothing_to_improve_proposes_nothing():
    plan = wall(
        topic(1, (SMALL, S1), crowd("a", 3)), topic(2, (BIG, S1), crowd("b", 30)), topic(3, None, crowd("a", 3))
    )
    assert propose(plan) == []


def test_the_best_of_a_tight_wall_is_found():
    """Four topics, four cells in two slots: A∩B and C∩D share people, so the best wall pairs A,C and B,D with the
    crowded ones (A, C) in the big room; every other arrangement costs something."""
    a, b, c, d = (
        crowd("x", 8) | people("ab1", "ab2"),
        people("ab1", "ab2"),
        crowd("y", 8) | people("cd1"),
        people("cd1"),
    )
    plan = Plan(
        (PlanRoom(SMALL, "Klein", 5), PlanRoom(BIG, "Groß", 50)),
        (PlanSlot(S1, "1", True), PlanSlot(S2, "2", True)),
        (topic(1, (SMALL, S1), a), topic(2, (BIG, S1), b), topic(3, (SMALL, S2), c), topic(4, (BIG, S2), d)),
    )
    assert conflict_score(plan) == 5 + 2 + 4 + 1
    after = apply_moves(plan, propose(plan))
    assert conflict_score(after) == 0
    assert propose(after) == []


def test_apply_moves_refuses_what_cannot_be():
    plan = wall(topic(1, (SMALL, S1)), topic(2, (BIG, S1), fixed=True), slots=(S1, S2), closed=(S2,))
    with pytest.raises(ValueError, match="cannot move"):
        apply_moves(plan, [Move(2, (BIG, S1), (OPEN, S1), ())])
    with pytest.raises(ValueError, match="is not in"):
        apply_moves(plan, [Move(1, (BIG, S1), (OPEN, S1), ())])
    with pytest.raises(ValueError, match="not an open cell"):
        apply_moves(plan, [Move(1, (SMALL, S1), (OPEN, S2), ())])
    with pytest.raises(ValueError, match="two topics"):
        apply_moves(plan, [Move(1, (SMALL, S1), (BIG, S1), ())])
    with pytest.raises(ValueError, match="moved twice"):
        apply_moves(plan, [Move(1, (SMALL, S1), (OPEN, S1), ()), Move(1, (SMALL, S1), (OPEN, S1), ())])


# --- properties ----------------------------------------------------------------------------------------------


@st.composite
def plans(draw):
    rooms = tuple(
        PlanRoom(10 + i, f"R{i}", draw(st.one_of(st.none(), st.integers(0, 6)))) for i in range(draw(st.integers(1, 3)))
    )
    slots = tuple(PlanSlot(100 + i, f"S{i}", draw(st.booleans())) for i in range(draw(st.integers(1, 3))))
    cells = [(r.id, s.id) for s in slots for r in rooms]
    taken = draw(st.lists(st.sampled_from(cells), unique=True, max_size=len(cells)))
    n_unplaced = draw(st.integers(0, 2))
    topics = []
    for i, cell in enumerate([*taken, *[None] * n_unplaced]):
        slot_open = cell is not None and next(s.open for s in slots if s.id == cell[1])
        topics.append(
            PlanTopic(
                i + 1,
                f"T{i + 1}",
                cell,
                cell is not None and (not slot_open or draw(st.booleans())),
                frozenset(draw(st.sets(st.sampled_from(["ada", "bo", "cy", "dan"]), min_size=1, max_size=2))),
                frozenset(draw(st.sets(st.sampled_from([f"p{k}" for k in range(8)]), max_size=7))),
            )
        )
    return Plan(rooms, slots, tuple(topics))


@settings(max_examples=40, deadline=None)
@given(plans())
def test_the_proposal_is_safe_improves_and_is_final(plan):
    moves = propose(plan, seconds=10)  # a budget of steps, never of time, on walls this small
    by_id = {t.id: t for t in plan.topics}
    for move in moves:
        assert not by_id[move.topic_id].fixed
        assert move.source == by_id[move.topic_id].cell
        assert move.reasons
    after = apply_moves(plan, moves)  # refuses double-booked cells and closed targets
    held = [t.cell for t in after.topics if t.cell is not None]
    assert len(held) == len(set(held))
    assert [t.cell for t in after.topics if t.cell is None] == [t.cell for t in plan.topics if t.cell is None]
    if moves:
        assert conflict_score(after) < conflict_score(plan)
    assert propose(after, seconds=10) == []
    assert propose(plan, seconds=10) == moves  # the same wall, the same proposal


@settings(max_examples=40, deadline=None)
@given(plans(), st.data())
def test_a_suggestions_score_is_what_the_cell_would_cost(plan, data):
    if not plan.topics:
        return
    chosen = data.draw(st.sampled_from(plan.topics))
    without = Plan(
        plan.rooms,
        plan.slots,
        tuple(t if t.id != chosen.id else PlanTopic(**{**t.__dict__, "cell": None}) for t in plan.topics),
    )
    base = conflict_score(without)
    ranked = suggest(plan, chosen.id)
    open_slots = {s.id for s in plan.slots if s.open}
    free = {(r.id, s) for r in plan.rooms for s in open_slots} - {t.cell for t in plan.topics}
    assert {(s.room_id, s.slot_id) for s in ranked} == free
    assert len(ranked) == len(free)
    for s in ranked:
        placed = tuple(
            t if t.id != chosen.id else PlanTopic(**{**t.__dict__, "cell": (s.room_id, s.slot_id)}) for t in plan.topics
        )
        assert s.score == conflict_score(Plan(plan.rooms, plan.slots, placed)) - base
    assert [s.score for s in ranked] == sorted(s.score for s in ranked)


@settings(max_examples=60, deadline=None)
@given(plans(), st.data())
def test_moving_a_placed_topic_to_a_suggestion_changes_the_score_by_the_difference(plan, data):
    placed = [t for t in plan.topics if t.cell is not None]
    if not placed:
        return
    chosen = data.draw(st.sampled_from(placed))
    here = current_place(plan, chosen.id)
    assert (here.room_id, here.slot_id) == chosen.cell
    assert place_and_suggestions(plan, chosen.id) == (here, suggest(plan, chosen.id))  # what the API answers

    def at(cell):
        return Plan(
            plan.rooms,
            plan.slots,
            tuple(t if t.id != chosen.id else PlanTopic(**{**t.__dict__, "cell": cell}) for t in plan.topics),
        )

    assert here.score == conflict_score(plan) - conflict_score(at(None))
    before = conflict_score(plan)
    for s in suggest(plan, chosen.id):
        moved = at((s.room_id, s.slot_id))
        assert conflict_score(moved) - before == s.score - here.score
        assert current_place(moved, chosen.id) == s  # the same cost and reasons once it is there
        if next(slot.open for slot in plan.slots if slot.id == chosen.cell[1]):
            back = next(b for b in suggest(moved, chosen.id) if (b.room_id, b.slot_id) == chosen.cell)
            assert back == here  # and the place it left is offered back at what it cost there


def test_a_third_topic_of_a_double_booked_host_costs_what_it_adds():
    plan = wall(
        topic(1, (SMALL, S1), crowd("a", 4), hosts={"marek"}),
        topic(2, (BIG, S1), crowd("b", 2), hosts={"marek"}),
        topic(3, None, crowd("c", 3), hosts={"marek"}),
    )
    ranked = suggest(plan, 3)
    assert [(s.room_id, s.slot_id, s.score) for s in ranked] == [
        (SMALL, S2, 0),
        (BIG, S2, 0),
        (OPEN, S2, 0),
        (OPEN, S1, 3),
    ]
    assert conflict_score(apply_moves(plan, [Move(3, None, (OPEN, S1), ())])) - conflict_score(plan) == 3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_proposal_reaches_the_optimum_of_small_generated_walls(seed):
    """The benchmark's generator and greedy baseline (bench/plan.py), and the enumerated optimum."""
    from bench.plan import exhaustive, generate, greedy

    plan = greedy(generate(seed, rooms=3, slots=2, topics=6, people=20, pinned=1, interests=(1, 3)))
    held = [t.cell for t in plan.topics]
    assert None not in held and len(set(held)) == 6
    after = apply_moves(plan, propose(plan))
    assert conflict_score(after) == exhaustive(plan)


def _matching(interests: list[int], caps: list[int]) -> int:
    ordered = sorted(interests, reverse=True)
    return sum(max(0, n - c) for n, c in zip(ordered, caps, strict=False))


@given(
    st.lists(st.sampled_from([1, 2, 3, 5, 8, 10**9]), min_size=1, max_size=6).map(lambda c: sorted(c, reverse=True)),
    st.data(),
)
def test_a_slots_capacity_cost_by_the_sorted_matching_changes_exactly(caps: list[int], data: st.DataObject) -> None:
    interests = data.draw(st.lists(st.integers(0, 12), max_size=len(caps)))
    w = data.draw(st.integers(0, 12))
    table = _CapTable(interests, caps)
    base = _matching(interests, caps)
    assert table.total == base
    if len(interests) < len(caps):
        assert table.insert(w) == _matching([*interests, w], caps) - base
    if interests:
        v = data.draw(st.sampled_from(interests))
        rest = list(interests)
        rest.remove(v)
        assert table.remove(v) == _matching(rest, caps) - base
        assert table.replace(v, w) == _matching([*rest, w], caps) - base


def test_the_rooms_of_a_slot_are_rechosen_with_the_fewest_changes() -> None:
    # Slot 100: the 30-person topic sits in the 10-seat room, the 5-person one in the 40-seat room, the 8-person
    # one in the 20-seat room. Only the two misplaced topics change rooms; the third stays in its cell.
    plan = Plan(
        rooms=(PlanRoom(1, "A", 10), PlanRoom(2, "B", 40), PlanRoom(3, "C", 20)),
        slots=(PlanSlot(100, "S", True),),
        topics=(
            PlanTopic(1, "big", (1, 100), False, frozenset({"a"}), frozenset(f"p{i}" for i in range(30))),
            PlanTopic(2, "small", (2, 100), False, frozenset({"b"}), frozenset(f"q{i}" for i in range(5))),
            PlanTopic(3, "mid", (3, 100), False, frozenset({"c"}), frozenset(f"r{i}" for i in range(8))),
        ),
    )
    wall = _Wall(plan)
    assert wall.score == 20
    original = list(wall.cell_of)
    _fewest_room_changes(wall, original, [0, 1, 2])
    assert wall.score == 0
    assert [wall.cell_id(c) for c in wall.cell_of] == [(2, 100), (1, 100), (3, 100)]
    assert conflict_score(plan) == 20


def test_a_suggestion_names_the_three_biggest_overlaps_and_counts_the_rest():
    rooms = tuple(PlanRoom(r, f"R{r}", None) for r in range(1, 7))
    others = tuple(topic(i, (i, S1), crowd("p", i)) for i in range(1, 6))  # topic i shares i people with topic 9
    plan = Plan(rooms, (PlanSlot(S1, "Runde 1", True),), (*others, topic(9, None, crowd("p", 6))))
    assert suggest(plan, 9) == [
        Suggestion(
            6,
            S1,
            5,  # p0..p4 each have one more topic in the slot
            (
                Reason("overlap", {"people": 5, "topic_id": 5}),
                Reason("overlap", {"people": 4, "topic_id": 4}),
                Reason("overlap", {"people": 3, "topic_id": 3}),
                Reason("overlap_more", {"topics": 2}),
            ),
        )
    ]


def test_a_paced_proposal_lets_the_caller_take_turns_and_proposes_the_same(monkeypatch):
    plan = wall(
        topic(1, (SMALL, S1), people("ann", "bo", "cy")),
        topic(2, (BIG, S1), people("ann", "bo")),
        topic(3, (OPEN, S1), crowd("x", 9)),
        topic(4, (SMALL, S2), crowd("x", 7)),
    )
    unpaced = propose(plan)
    turns = []
    monkeypatch.setattr("openspace.planning.PACE_SECONDS", 0.0)  # a turn at every chance
    assert propose(plan, pause=lambda: turns.append(1)) == unpaced != []
    assert len(turns) > 10
