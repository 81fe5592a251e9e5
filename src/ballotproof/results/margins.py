"""Margins per unit, closest first.

Margin and margin percent are defined in :mod:`ballotproof.results.tabulate`: first minus second
place, as a share of the votes cast for candidates in that unit.
"""

from __future__ import annotations

from collections.abc import Iterable

from ballotproof.model import Election, Unit, UnitType
from ballotproof.results.tabulate import UnitResult, tabulate_unit

__all__ = ["margins"]


def margins(
    election: Election,
    contest_id: str | None = None,
    *,
    units: Iterable[Unit] | None = None,
) -> tuple[UnitResult, ...]:
    """Results per unit sorted by margin percent, smallest first.

    By default the units are the ones that award electors (states, DC, districts); an election
    without electors uses its states, or else every unit that reports.
    """
    contest = election.contest(contest_id)
    if units is None:
        chosen: tuple[Unit, ...] = election.electoral_units() or tuple(
            u for u in election.units if u.type is UnitType.STATE
        )
        if not chosen:
            chosen = tuple(u for u in election.units if u.id in contest.totals)
    else:
        chosen = tuple(units)
    results = [tabulate_unit(contest, u.id) for u in chosen if u.id in contest.totals]
    return tuple(sorted(results, key=lambda r: (r.margin_fraction, r.unit)))
