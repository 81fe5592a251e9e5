"""The fewest votes that would have changed the Electoral College outcome.

Two questions, each answered exactly:

(a) **deny** – the smallest set of units the winner carried that, were they no longer carried
    by the winner, would leave the winner short of a majority of electors. A unit stops being
    the winner's once the runner-up draws level: a tied unit awards its electors to nobody, so
    adding the margin to the runner-up is enough (for Biden in 2020: 269 electors, 37
    undecided, and the House decides);
(b) **elect** – the smallest set of units the national runner-up did not carry whose flip to the
    runner-up gives the runner-up a majority outright: each must be *won*, one vote more than
    the margin.

"Smallest" is measured two ways, each optimised on its own, both with the standard of the
goal: the votes that would have had to be *added* (a: the margin; b: the margin + 1), and the
voters who would have had to *switch* sides (a: ⌈margin/2⌉ from the winner to the runner-up,
:meth:`~ballotproof.results.tabulate.UnitResult.switchers_to_deny`; b: the least k that makes
the runner-up win outright, ⌊margin/2⌋ + 1 when third parties are far behind,
:meth:`~ballotproof.results.tabulate.UnitResult.switchers_to_flip`). ``margin_sum`` also
reports the plain sum of the margins. Units that no number of switchers can flip (no other
voters to switch) are left out of the second measure.

Algorithm: each question is a 0/1 minimum-cost covering knapsack — choose items (units) with
weight = electors and cost = votes so that the weight reaches a target and the cost is least.
It is solved exactly by dynamic programming over the elector count (Kellerer, Pferschy and
Pisinger, *Knapsack Problems*, Springer 2004, §1.2 and ch. 2), in O(n·E) time for n units and E
electors: 56 × 538 for a presidential election. Ties in cost are broken by fewer units. Each
unit is flipped independently: the model does not link a Maine or Nebraska district to its
state-wide count.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ballotproof.errors import AnalysisError
from ballotproof.model import ChoiceId, Election, UnitId
from ballotproof.results.electoral import ElectoralResult, electoral_college

__all__ = ["FlipGoal", "FlipItem", "FlipObjective", "FlipSet", "min_cost_cover", "minimal_flip"]

ALGORITHM = "exact minimum-cost covering knapsack, dynamic programming over electors, O(n*E)"


class FlipGoal(StrEnum):
    DENY = "deny"  # (a) the winner falls below a majority
    ELECT = "elect"  # (b) the runner-up reaches a majority


class FlipObjective(StrEnum):
    VOTES = "votes"  # votes that would have to be added
    SWITCHERS = "switchers"  # voters who switch sides


@dataclass(frozen=True, slots=True)
class FlipItem:
    """One unit in a flip set."""

    unit: UnitId
    electors: int
    from_choice: ChoiceId
    to_choice: ChoiceId
    margin: int
    votes: int  # votes to add: the margin (deny: a tie is enough) or the margin + 1 (elect)
    switchers: int | None  # None: switching alone cannot flip it (see UnitResult)


@dataclass(frozen=True, slots=True)
class FlipSet:
    """An optimal flip set and what it achieves.

    Attributes
    ----------
    goal, objective : the question and the cost that was minimised
    winner, runner_up : the national Electoral College winner and runner-up
    items : the units to flip, smallest margin first
    electors_needed : electors that had to move (to leave the winner short, or to elect)
    winner_electors_after, runner_up_electors_after : the count once the set is flipped
    algorithm : how the optimum was found
    """

    goal: FlipGoal
    objective: FlipObjective
    winner: ChoiceId
    runner_up: ChoiceId
    items: tuple[FlipItem, ...]
    electors_needed: int
    winner_electors_after: int
    runner_up_electors_after: int
    algorithm: str = ALGORITHM

    @property
    def margin_sum(self) -> int:
        return sum(i.margin for i in self.items)

    @property
    def votes(self) -> int:
        """Votes that would have had to be added, by the standard of the goal."""
        return sum(i.votes for i in self.items)

    @property
    def switchers(self) -> int | None:
        """Total switchers, or ``None`` if some unit cannot be flipped by switching alone."""
        counts = [i.switchers for i in self.items]
        return None if any(c is None for c in counts) else sum(c for c in counts if c)

    @property
    def electors_moved(self) -> int:
        return sum(i.electors for i in self.items)

    @property
    def units(self) -> tuple[UnitId, ...]:
        return tuple(i.unit for i in self.items)


def min_cost_cover(weights: list[int], costs: list[int], target: int) -> tuple[int, ...] | None:
    """Indices of items whose weights sum to at least ``target`` at the least total cost.

    Exact dynamic programme: ``best[k]`` is the least (cost, count) that reaches weight ≥ k
    using the items seen so far; ``take[i][k]`` records whether item i is in that optimum.
    Returns ``None`` when even all items together do not reach ``target``.
    """
    if target <= 0:
        return ()
    if sum(weights) < target:
        return None
    inf = (float("inf"), 0)
    best: list[tuple[float, int]] = [(0, 0)] + [inf] * target
    take: list[list[bool]] = []
    for w, c in zip(weights, costs, strict=True):
        row = [False] * (target + 1)
        new = best[:]
        for k in range(1, target + 1):
            prev = best[max(0, k - w)]
            cand = (prev[0] + c, prev[1] + 1)
            if cand < new[k]:
                new[k] = cand
                row[k] = True
        take.append(row)
        best = new
    chosen: list[int] = []
    k = target
    for i in range(len(weights) - 1, -1, -1):
        if k > 0 and take[i][k]:
            chosen.append(i)
            k = max(0, k - weights[i])
    return tuple(sorted(chosen))


def minimal_flip(
    election: Election,
    goal: FlipGoal,
    objective: FlipObjective = FlipObjective.VOTES,
    contest_id: str | None = None,
    *,
    ec: ElectoralResult | None = None,
) -> FlipSet:
    """The exact smallest set of units to flip for ``goal``, by ``objective``.

    Raises
    ------
    AnalysisError
        If nobody won a majority (nothing to deny), there is no runner-up, or no set of units
        can achieve the goal.
    """
    ec = ec or electoral_college(election, contest_id)
    if ec.winner is None:
        raise AnalysisError("nobody won a majority of electors: there is no outcome to flip")
    winner = ec.winner
    runner = ec.runner_up
    if runner is None:
        raise AnalysisError("there is no runner-up to flip the outcome to")
    items: list[FlipItem] = []
    if goal is FlipGoal.DENY:
        need = ec.electors_of(winner) - (ec.majority - 1)
        for a in ec.awards:
            if a.to != winner:
                continue
            to = a.result.runner_up
            if to is None:  # an uncontested unit cannot be flipped
                continue
            items.append(
                FlipItem(
                    a.unit,
                    a.electors,
                    winner,
                    to,
                    a.result.margin,
                    a.result.margin,
                    a.result.switchers_to_deny(),
                )
            )
    else:
        need = ec.majority - ec.electors_of(runner)
        for a in ec.awards:
            if a.to == runner:
                continue
            source = a.to if a.to is not None else a.result.leader_other_than(runner)
            if source is None:
                continue
            items.append(
                FlipItem(
                    a.unit,
                    a.electors,
                    source,
                    runner,
                    a.result.votes_to_flip(runner),
                    a.result.votes_to_flip(runner) + 1,
                    a.result.switchers_to_flip(runner),
                )
            )
    if objective is FlipObjective.SWITCHERS:
        items = [i for i in items if i.switchers is not None]
    cost = [i.votes if objective is FlipObjective.VOTES else (i.switchers or 0) for i in items]
    chosen = min_cost_cover([i.electors for i in items], cost, need)
    if chosen is None:
        raise AnalysisError(f"no set of units can achieve the goal '{goal}'")
    picked = sorted((items[i] for i in chosen), key=lambda i: (i.margin, i.unit))
    moved_from_winner = sum(i.electors for i in picked if i.from_choice == winner)
    # (a) leaves the units tied: their electors go to nobody; (b) gives them to the runner-up.
    moved_to_runner = (
        0 if goal is FlipGoal.DENY else sum(i.electors for i in picked if i.to_choice == runner)
    )
    return FlipSet(
        goal=goal,
        objective=objective,
        winner=winner,
        runner_up=runner,
        items=tuple(picked),
        electors_needed=need,
        winner_electors_after=ec.electors_of(winner) - moved_from_winner,
        runner_up_electors_after=ec.electors_of(runner) + moved_to_runner,
    )
