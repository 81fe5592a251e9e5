"""The tipping-point unit.

Definition (as popularised by Silver, FiveThirtyEight, and used by the issue that asked for it):
order the units that the Electoral College winner carried by the winner's margin in percent,
largest first, and add up their electors; the unit that brings the running total to a majority
is the tipping point. Its margin is the margin by which the election as a whole was decided,
in the sense that a uniform swing just larger than it would have removed the majority.

Maine's and Nebraska's state-wide and district units enter as separate units.
"""

from __future__ import annotations

from dataclasses import dataclass

from ballotproof.errors import AnalysisError
from ballotproof.model import ChoiceId, Election, UnitId
from ballotproof.results.electoral import ElectoralResult, electoral_college
from ballotproof.results.tabulate import UnitResult

__all__ = ["TippingPoint", "tipping_point"]


@dataclass(frozen=True, slots=True)
class TippingPoint:
    """The tipping-point unit and the ordered list that found it.

    Attributes
    ----------
    winner : ChoiceId
    unit : UnitId
        The tipping-point unit.
    result : UnitResult
        Its tabulation (margin, margin percent).
    order : tuple of (UnitId, margin percent, electors, running total)
        The winner's units, largest margin first, up to and including the tipping point.
    majority : int
    """

    winner: ChoiceId
    unit: UnitId
    result: UnitResult
    order: tuple[tuple[UnitId, float, int, int], ...]
    majority: int


def tipping_point(
    election: Election, contest_id: str | None = None, *, ec: ElectoralResult | None = None
) -> TippingPoint:
    """Find the tipping-point unit of the Electoral College winner.

    Raises
    ------
    AnalysisError
        If nobody won a majority of electors.
    """
    ec = ec or electoral_college(election, contest_id)
    if ec.winner is None:
        raise AnalysisError("nobody won a majority of electors, so there is no tipping point")
    carried = [a for a in ec.awards if a.to == ec.winner]
    carried.sort(key=lambda a: (-a.result.margin_fraction, a.unit))
    running = 0
    order: list[tuple[UnitId, float, int, int]] = []
    for award in carried:
        running += award.electors
        order.append((award.unit, award.result.margin_pct, award.electors, running))
        if running >= ec.majority:
            return TippingPoint(
                winner=ec.winner,
                unit=award.unit,
                result=award.result,
                order=tuple(order),
                majority=ec.majority,
            )
    raise AnalysisError("the winner's units do not reach a majority")  # pragma: no cover
