"""Invariants of the results analyses on random elections, with brute-force oracles."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballotproof.errors import AnalysisError
from ballotproof.model import Election
from ballotproof.results import (
    FlipGoal,
    FlipObjective,
    electoral_college,
    minimal_flip,
    popular_vote,
    tabulate_unit,
    tipping_point,
)
from ballotproof.results.flips import min_cost_cover
from ballotproof.testing.strategies import elections


@given(elections())
def test_electors_add_up(e: Election) -> None:
    ec = electoral_college(e)
    assert sum(n for _, n in ec.totals) + ec.undecided == ec.total_electors
    assert ec.total_electors == sum(u.electors for u in e.units)
    if ec.winner is not None:
        assert ec.electors_of(ec.winner) >= ec.majority
        assert 2 * ec.electors_of(ec.winner) > ec.total_electors


@given(elections())
def test_popular_vote_is_a_plain_count_of_the_states(e: Election) -> None:
    contest = e.contest()
    plain: dict[str, int] = {}
    for u in e.units:
        if u.type.value == "state":
            for c, v in contest.totals[u.id].items():
                plain[c] = plain.get(c, 0) + v
    assert dict(popular_vote(e).votes) == plain


@given(elections(allow_ties=False))
def test_tipping_point_lies_in_the_winners_units(e: Election) -> None:
    ec = electoral_college(e)
    if ec.winner is None:
        with pytest.raises(AnalysisError):
            tipping_point(e, ec=ec)
        return
    tp = tipping_point(e, ec=ec)
    carried = {a.unit for a in ec.awards if a.to == ec.winner}
    assert tp.unit in carried
    assert tp.order[-1][3] >= ec.majority
    assert len(tp.order) == 1 or tp.order[-2][3] < ec.majority
    margins = [m for _, m, _, _ in tp.order]
    assert margins == sorted(margins, reverse=True)


def _brute_force(weights: list[int], costs: list[int], target: int) -> float:
    best = float("inf")
    for k in range(len(weights) + 1):
        for combo in combinations(range(len(weights)), k):
            if sum(weights[i] for i in combo) >= target:
                best = min(best, sum(costs[i] for i in combo))
    return best


@given(
    st.lists(st.tuples(st.integers(1, 9), st.integers(0, 50)), max_size=9),
    st.integers(-2, 40),
)
def test_min_cost_cover_matches_brute_force(items: list[tuple[int, int]], target: int) -> None:
    weights = [w for w, _ in items]
    costs = [c for _, c in items]
    chosen = min_cost_cover(weights, costs, target)
    best = _brute_force(weights, costs, target)
    if chosen is None:
        assert best == float("inf")
    else:
        assert sum(weights[i] for i in chosen) >= max(target, 0)
        assert sum(costs[i] for i in chosen) == best


@settings(max_examples=150)
@given(
    elections(max_states=7, max_votes=300),
    st.sampled_from(list(FlipGoal)),
    st.sampled_from(list(FlipObjective)),
)
def test_flip_sets_are_optimal_and_work(
    e: Election, goal: FlipGoal, objective: FlipObjective
) -> None:
    ec = electoral_college(e)
    try:
        f = minimal_flip(e, goal, objective, ec=ec)
    except AnalysisError:
        return
    contest = e.contest()
    # 1. The set works, in both worlds — voters switching, and votes added — simulated plainly
    #    and independently of the closed forms, then the electors recounted.
    moved = {i.unit: i for i in f.items}

    def switched(votes: dict[str, int], i: Any, k: int) -> dict[str, int]:
        v = dict(votes)
        for _ in range(k):  # deny: from the winner; elect: from the strongest other
            donor = (
                i.from_choice
                if goal is FlipGoal.DENY
                else max((c for c in v if c != i.to_choice), key=lambda c: v[c])
            )
            v[donor] -= 1
            v[i.to_choice] += 1
        return v

    def achieved(v: dict[str, int], i: Any) -> bool:
        best_other = max(x for c, x in v.items() if c != i.to_choice)
        if goal is FlipGoal.DENY:  # the winner no longer strictly ahead of everyone
            return v[i.from_choice] <= max(x for c, x in v.items() if c != i.from_choice)
        return v[i.to_choice] > best_other

    for world in ("switch", "add"):
        electors: dict[str, int] = {}
        for a in ec.awards:
            votes = dict(tabulate_unit(contest, a.unit).votes)
            if a.unit in moved:
                i = moved[a.unit]
                if objective is FlipObjective.SWITCHERS or world == "switch":
                    assert i.switchers is not None
                    votes = switched(votes, i, i.switchers)
                    assert all(v >= 0 for v in votes.values())
                    assert achieved(votes, i)
                    if i.switchers:  # and one voter fewer would not do
                        assert not achieved(
                            switched(
                                dict(tabulate_unit(contest, a.unit).votes), i, i.switchers - 1
                            ),
                            i,
                        )
                else:
                    votes[i.to_choice] += i.votes
                    assert achieved(votes, i)
                    fewer = dict(tabulate_unit(contest, a.unit).votes)
                    fewer[i.to_choice] += i.votes - 1
                    assert i.votes == 0 or not achieved(fewer, i)
            top = sorted(votes.items(), key=lambda cv: -cv[1])
            if len(top) > 1 and top[0][1] == top[1][1]:
                continue
            electors[top[0][0]] = electors.get(top[0][0], 0) + a.electors
        if goal is FlipGoal.DENY:
            assert electors.get(f.winner, 0) < ec.majority
        else:
            assert electors.get(f.runner_up, 0) >= ec.majority
    # 2. Nothing cheaper works: brute force over every subset of candidate units.
    if goal is FlipGoal.DENY:
        pool = [
            (a, a.result.runner_up)
            for a in ec.awards
            if a.to == f.winner and a.result.runner_up is not None
        ]
        need = ec.electors_of(f.winner) - ec.majority + 1
    else:
        pool = [
            (a, f.runner_up)
            for a in ec.awards
            if a.to != f.runner_up and a.result.leader_other_than(f.runner_up) is not None
        ]
        need = ec.majority - ec.electors_of(f.runner_up)
    weights, costs = [], []
    for a, t in pool:
        assert t is not None
        if goal is FlipGoal.DENY:
            cost: int | None = (
                a.result.margin
                if objective is FlipObjective.VOTES
                else a.result.switchers_to_deny()
            )
        else:
            cost = (
                a.result.votes_to_flip(t) + 1
                if objective is FlipObjective.VOTES
                else a.result.switchers_to_flip(t)
            )
        if cost is not None:
            weights.append(a.electors)
            costs.append(cost)
    best = _brute_force(weights, costs, need)
    got = f.votes if objective is FlipObjective.VOTES else f.switchers
    assert got == best


@given(elections(with_methods=True))
def test_method_breakdowns_define_the_totals(e: Election) -> None:
    contest = e.contest()
    by_total: dict[tuple[str, str], int] = {}
    for c in contest.counts:
        if c.count_type.value == "total":
            by_total[(c.unit, c.choice)] = c.votes
    for (unit, choice), votes in by_total.items():
        assert contest.totals[unit][choice] == votes  # type: ignore[index]


@given(st.lists(st.integers(0, 60), min_size=2, max_size=4), st.data())
def test_switchers_to_flip_is_the_least_that_works(votes: list[int], data: st.DataObject) -> None:
    """Brute force: try k = 0, 1, 2, … moving each vote from the strongest other candidate."""
    from ballotproof.model import Choice, ChoiceId, Contest, ContestId, UnitId, VoteCount

    cands = tuple(Choice(ChoiceId(f"c{i}"), f"c{i}") for i in range(len(votes)))
    contest = Contest(
        ContestId("x"),
        "x",
        cands,
        tuple(VoteCount(UnitId("U"), c.id, v) for c, v in zip(cands, votes, strict=True)),
    )
    r = tabulate_unit(contest, UnitId("U"))
    to = data.draw(st.sampled_from([c.id for c in cands]))

    def wins_after(k: int) -> bool:
        v = dict(zip([c.id for c in cands], votes, strict=True))
        for _ in range(k):
            donor = max((c for c in v if c != to), key=lambda c: v[c])
            if v[donor] == 0:
                return False
            v[donor] -= 1
            v[to] += 1
        return all(v[to] > x for c, x in v.items() if c != to)

    expected = next((k for k in range(sum(votes) + 1) if wins_after(k)), None)
    assert r.switchers_to_flip(to) == expected
