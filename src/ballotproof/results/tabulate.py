"""Tabulation: who won each unit and by how much; the national popular vote.

Definitions used throughout ``ballotproof.results``:

* *votes cast* in a unit = the sum of all candidate votes (write-ins included); lines that are
  not candidates (blank votes, overvotes, undervotes, reported by some states) are kept apart as
  ``other_lines`` and are **not** in the denominator of a margin percentage;
* *winner* = the candidate with the most votes; *runner-up* = the next; when two or more share
  the most votes the unit is *tied* and has no winner;
* *margin* = winner's votes − runner-up's votes; *margin percent* = 100 × margin / votes cast.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ballotproof.errors import AnalysisError
from ballotproof.model import ChoiceId, Contest, Election, Unit, UnitId

__all__ = ["PopularVote", "UnitResult", "popular_vote", "tabulate_unit", "top_level_units"]


@dataclass(frozen=True, slots=True)
class UnitResult:
    """The outcome of one contest in one unit.

    Attributes
    ----------
    unit : UnitId
    votes : tuple of (ChoiceId, int)
        Candidate votes, most first (ties broken by choice id, for a stable order).
    votes_cast : int
        Sum of candidate votes.
    other_lines : int
        Blank/over/under votes reported as lines of their own.
    winner, runner_up : ChoiceId or None
        ``winner`` is ``None`` when the top two are tied.
    margin : int
        Votes between first and second place (0 on a tie).
    """

    unit: UnitId
    votes: tuple[tuple[ChoiceId, int], ...]
    votes_cast: int
    other_lines: int
    winner: ChoiceId | None
    runner_up: ChoiceId | None
    margin: int

    @property
    def tied(self) -> bool:
        return self.winner is None and len(self.votes) >= 2 and self.votes_cast > 0

    @property
    def margin_fraction(self) -> Fraction:
        """Margin as an exact fraction of votes cast (0 when nothing was cast)."""
        return Fraction(self.margin, self.votes_cast) if self.votes_cast else Fraction(0)

    @property
    def margin_pct(self) -> float:
        return float(100 * self.margin_fraction)

    def votes_for(self, choice: ChoiceId) -> int:
        return dict(self.votes).get(choice, 0)

    def leader_other_than(self, to: ChoiceId) -> ChoiceId | None:
        """The candidate with the most votes other than ``to`` (first in order on a tie)."""
        return next((c for c, _ in self.votes if c != to), None)

    def switchers_to_flip(self, to: ChoiceId) -> int | None:
        """Fewest voters who must switch to ``to`` for ``to`` to win the unit outright.

        Switchers may come from any other candidate. With C the votes of ``to`` and v_x those of
        every other candidate x, k switchers suffice exactly when the others can give up k votes
        and all end below C + k:  Σ_x max(0, v_x − (C + k − 1)) ≤ k ≤ Σ_x v_x. The left side
        falls as k grows, so the least such k is found by bisection. When the leader is well
        ahead of third place this is ⌊(L − C)/2⌋ + 1. Returns 0 if ``to`` already wins, and
        ``None`` when no number of switchers can do it (too few other voters, e.g. a unit
        with no votes).
        """
        if self.winner == to:
            return 0
        c = self.votes_for(to)
        others = [v for ch, v in self.votes if ch != to]
        available = sum(others)

        def enough(k: int) -> bool:
            return sum(max(0, v - (c + k - 1)) for v in others) <= k

        if not enough(available):
            return None
        lo, hi = 0, available
        while lo < hi:
            mid = (lo + hi) // 2
            if enough(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo

    def switchers_to_deny(self) -> int:
        """Fewest voters who must switch from the winner to the runner-up for the winner to no
        longer carry the unit: W − k ≤ R + k, so k = ⌈(W − R)/2⌉ (a tie carries nothing)."""
        if self.winner is None:
            return 0
        return (self.margin + 1) // 2

    def votes_to_flip(self, to: ChoiceId) -> int:
        """How many votes ``to`` trails the best other candidate by (0 if ``to`` leads)."""
        best = max((v for c, v in self.votes if c != to), default=0)
        return max(best - self.votes_for(to), 0)


def tabulate_unit(contest: Contest, unit: UnitId) -> UnitResult:
    """Tabulate one unit of a contest (a unit with no counts gives an empty result).

    Raises
    ------
    AnalysisError
        For a vote-for-n contest (n > 1): winners, margins and flips here are of
        single-winner contests.
    """
    if contest.seats != 1:
        raise AnalysisError(
            f"contest {contest.id} elects {contest.seats}: the results analyses handle "
            "single-winner contests only"
        )
    totals = contest.totals.get(unit, {})
    candidates = {c.id for c in contest.choices if c.is_candidate}
    cand = sorted(
        ((c, v) for c, v in totals.items() if c in candidates), key=lambda cv: (-cv[1], cv[0])
    )
    other = sum(v for c, v in totals.items() if c not in candidates)
    cast = sum(v for _, v in cand)
    winner: ChoiceId | None = None
    runner: ChoiceId | None = None
    margin = 0
    if cand:
        if len(cand) == 1:
            winner, margin = cand[0][0], cand[0][1]
        else:
            runner = cand[1][0]
            margin = cand[0][1] - cand[1][1]
            winner = cand[0][0] if margin > 0 else None
            if winner is None:
                runner = None
    return UnitResult(
        unit=unit,
        votes=tuple(cand),
        votes_cast=cast,
        other_lines=other,
        winner=winner,
        runner_up=runner,
        margin=margin,
    )


def top_level_units(election: Election, contest: Contest) -> tuple[Unit, ...]:
    """The units whose counts add up to the whole: the reporting children of the root.

    For a presidential election these are the states and DC; their districts and counties lie
    below them and are not added again.
    """
    roots = election.children(None)
    reporting = contest.units_reporting()
    if len(roots) == 1 and roots[0].id not in reporting:
        level = election.children(roots[0].id)
    else:
        level = roots
    units = tuple(u for u in level if u.id in reporting)
    if not units:
        raise AnalysisError(f"contest {contest.id} has no counts at the top level of units")
    return units


@dataclass(frozen=True, slots=True)
class PopularVote:
    """The national (whole-election) popular vote: the sum of the top-level units."""

    contest: str
    units: tuple[UnitId, ...]
    votes: tuple[tuple[ChoiceId, int], ...]
    votes_cast: int
    other_lines: int

    def share(self, choice: ChoiceId) -> Fraction:
        return Fraction(dict(self.votes).get(choice, 0), self.votes_cast or 1)


def popular_vote(election: Election, contest_id: str | None = None) -> PopularVote:
    """Sum candidate votes over the top-level units (states, not their districts/counties)."""
    contest = election.contest(contest_id)
    units = top_level_units(election, contest)
    sums: dict[ChoiceId, int] = {}
    cast = other = 0
    for unit in units:
        r = tabulate_unit(contest, unit.id)
        for c, v in r.votes:
            sums[c] = sums.get(c, 0) + v
        cast += r.votes_cast
        other += r.other_lines
    ordered = tuple(sorted(sums.items(), key=lambda cv: (-cv[1], cv[0])))
    return PopularVote(
        contest=contest.id,
        units=tuple(u.id for u in units),
        votes=ordered,
        votes_cast=cast,
        other_lines=other,
    )
