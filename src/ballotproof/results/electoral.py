"""The Electoral College: electors per candidate from the units that award them.

Each unit with ``electors > 0`` gives all its electors to its plurality winner (winner-take-all).
Maine and Nebraska are modelled by their laws as a state unit worth 2 electors plus one unit
per congressional district worth 1 (Me. Rev. Stat. tit. 21-A § 802; Neb. Rev. Stat.
§ 32-1038). A tied unit awards nobody: its electors are reported as ``undecided``.

A candidate *wins* with a majority of all electors: ⌊N/2⌋ + 1 (270 of 538; U.S. Const.
amend. XII). With no majority the choice goes to the House: ``winner`` is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ballotproof.errors import AnalysisError, LocatedAnalysisError
from ballotproof.model import ChoiceId, Election, UnitId
from ballotproof.results.tabulate import UnitResult, tabulate_unit

__all__ = ["Award", "ElectoralResult", "electoral_college", "majority_of"]


def majority_of(total_electors: int) -> int:
    """Electors needed for a majority: ⌊N/2⌋ + 1."""
    return total_electors // 2 + 1


@dataclass(frozen=True, slots=True)
class Award:
    """Electors awarded by one unit."""

    unit: UnitId
    electors: int
    result: UnitResult

    @property
    def to(self) -> ChoiceId | None:
        return self.result.winner


@dataclass(frozen=True, slots=True)
class ElectoralResult:
    """Electors per candidate, and the awards they came from.

    Attributes
    ----------
    contest : str
    awards : tuple of Award
        One per unit that awards electors, in the election's unit order.
    totals : tuple of (ChoiceId, int)
        Electors per candidate, most first.
    total_electors : int
    majority : int
    winner : ChoiceId or None
        Holder of a majority, if any.
    undecided : int
        Electors of tied units.
    """

    contest: str
    awards: tuple[Award, ...]
    totals: tuple[tuple[ChoiceId, int], ...]
    total_electors: int
    majority: int
    winner: ChoiceId | None
    undecided: int

    def electors_of(self, choice: ChoiceId) -> int:
        return dict(self.totals).get(choice, 0)

    @property
    def runner_up(self) -> ChoiceId | None:
        """The candidate with the second most electors (the most, if nobody has a majority)."""
        others = [c for c, _ in self.totals if c != self.winner]
        return others[0] if others else None


def electoral_college(election: Election, contest_id: str | None = None) -> ElectoralResult:
    """Award every elector-bearing unit to its plurality winner and total them.

    Raises
    ------
    AnalysisError
        If no unit awards electors, or an elector-bearing unit has no counts.
        (A :class:`~ballotproof.errors.LocatedAnalysisError`, naming the file and line, when
        the unit knows where it was read from.)
    """
    contest = election.contest(contest_id)
    units = election.electoral_units()
    if not units:
        raise AnalysisError(
            "this election has no units that award electors (give 'electors' in units.csv)"
        )
    awards: list[Award] = []
    totals: dict[ChoiceId, int] = {}
    undecided = 0
    for unit in units:
        if unit.id not in contest.totals:
            message = (
                f"unit {unit.id} awards {unit.electors} electors but has no votes in contest "
                f"{contest.id} (data: {election.source or election.name})"
            )
            if unit.origin is not None:
                path, line = unit.origin
                raise LocatedAnalysisError(message, path=path, line=line, field="electors")
            raise AnalysisError(message)
        result = tabulate_unit(contest, unit.id)
        awards.append(Award(unit=unit.id, electors=unit.electors, result=result))
        if result.winner is None:
            undecided += unit.electors
        else:
            totals[result.winner] = totals.get(result.winner, 0) + unit.electors
    # Every candidate is listed, with 0 if they carried nothing.
    for choice in contest.choices:
        if choice.is_candidate:
            totals.setdefault(choice.id, 0)
    total = sum(u.electors for u in units)
    need = majority_of(total)
    ordered = tuple(sorted(totals.items(), key=lambda cv: (-cv[1], cv[0])))
    winner = ordered[0][0] if ordered and ordered[0][1] >= need else None
    return ElectoralResult(
        contest=contest.id,
        awards=tuple(awards),
        totals=ordered,
        total_electors=total,
        majority=need,
        winner=winner,
        undecided=undecided,
    )
