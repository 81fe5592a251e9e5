"""The contest as an audit sees it: reported tallies, ballots cast, number of winners.

Shared by every method module. A plurality contest with ``winners`` seats has reported winners
(the ``winners`` choices with the most votes) and reported losers (the rest); an audit checks
every winner–loser pair (Lindeman, Stark & Yates 2012, §3: "BRAVO … for each pair of reported
winner w and reported loser ℓ").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from ballotproof.errors import AnalysisError

__all__ = ["AuditContest", "Decision", "Pair", "jsonable"]


class Decision(StrEnum):
    """What an audit round concludes."""

    CONFIRM = "confirm"  # risk ≤ α for every pair: the reported outcome stands
    NEXT_ROUND = "next_round"  # keep sampling
    FULL_HAND_COUNT = "full_hand_count"  # escalate: count every ballot by hand


@dataclass(frozen=True, slots=True)
class Pair:
    """A reported winner and a reported loser."""

    winner: str
    loser: str

    def __str__(self) -> str:
        return f"{self.winner}>{self.loser}"


@dataclass(frozen=True, slots=True)
class AuditContest:
    """Reported results of one plurality contest.

    Attributes
    ----------
    name : str
    tally : mapping choice → reported votes
    ballots : int
        Ballots cast in the contest's jurisdiction (cards that may contain the contest); at
        least the sum of the tally divided by ``winners`` (vote-for-n).
    winners : int
        Number of seats (vote for n).
    reported_winners, reported_losers : derived, most votes first (ties by name)

    A tie between the last winner and the first loser is allowed (``tied``): no sample can
    confirm it, and every method answers FULL_HAND_COUNT.

    Raises
    ------
    AnalysisError
        Fewer than two choices, negative votes, or fewer ballots than votes allow.
    """

    name: str
    tally: Mapping[str, int]
    ballots: int
    winners: int = 1
    reported_winners: tuple[str, ...] = field(init=False)
    reported_losers: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        if len(self.tally) < 2:
            raise AnalysisError(f"contest {self.name}: an audit needs at least two choices")
        if any(v < 0 for v in self.tally.values()):
            raise AnalysisError(f"contest {self.name}: negative votes in the tally")
        if not 1 <= self.winners < len(self.tally):
            raise AnalysisError(
                f"contest {self.name}: winners must be between 1 and the number of choices - 1"
            )
        if self.ballots * self.winners < sum(self.tally.values()):
            raise AnalysisError(
                f"contest {self.name}: {sum(self.tally.values())} votes cannot come from "
                f"{self.ballots} ballots with {self.winners} vote(s) each"
            )
        ordered = sorted(self.tally, key=lambda c: (-self.tally[c], c))
        object.__setattr__(self, "tally", MappingProxyType(dict(self.tally)))
        object.__setattr__(self, "reported_winners", tuple(ordered[: self.winners]))
        object.__setattr__(self, "reported_losers", tuple(ordered[self.winners :]))

    @property
    def tied(self) -> bool:
        """True when the last winner and the first loser have equal votes."""
        return self.tally[self.reported_winners[-1]] == self.tally[self.reported_losers[0]]

    def pairs(self) -> tuple[Pair, ...]:
        """Every reported winner–loser pair."""
        return tuple(
            Pair(w, loser) for w in self.reported_winners for loser in self.reported_losers
        )

    def diluted_margin(self) -> float:
        """Smallest pairwise margin divided by ballots cast (Stark 2010, 'diluted margin' μ)."""
        m = min(self.tally[p.winner] - self.tally[p.loser] for p in self.pairs())
        return m / self.ballots


def jsonable(value: object) -> object:
    """Plain JSON data from a result object: dataclasses become objects of their fields,
    mappings objects, tuples lists, fractions/pairs/enums strings, ±inf and NaN ``null``.

    The one conversion behind every audit result's ``to_json()``.
    """
    if isinstance(value, Fraction | Pair | StrEnum):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
