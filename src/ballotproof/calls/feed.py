"""A results update, as a live feed delivers it.

An :class:`Update` is what a decision desk sees at one moment for one state: the votes counted
so far for each candidate, and what the source then believed about the vote still to come
(Edison's *estimated expected vote* percentage, or the share of precincts reporting). Nothing
in an update may come from after its timestamp; the loaders in :mod:`ballotproof.io.feeds`
read only such columns, and the engine processes updates in time order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from ballotproof.errors import IntegrityError

__all__ = ["Update", "UpdateSource"]


class UpdateSource(StrEnum):
    """Where an update came from, which says how exact its counts are."""

    EDISON = "edison"  # NYT/Edison time series: shares rounded to 0.1 point; has eevp
    BATCH = "batch"  # NYT batch file: exact counts; no expected-vote estimate
    OTHER = "other"  # a user's feed (generic format)


@dataclass(frozen=True, slots=True)
class Update:
    """One observation of one state's count.

    Attributes
    ----------
    state : str
        Postal code.
    time : datetime
        When the source published it (timezone-aware, UTC).
    votes : mapping candidate → votes counted so far
    total : int
        All votes counted so far, every candidate included.
    exact : bool
        False when the candidate counts are estimates (rounded shares × total).
    expected_pct : float or None
        The source's estimate, at ``time``, of the share of the expected vote counted (0–100).
    precincts_pct : float or None
        Share of precincts reporting (0–100), a weaker proxy for the same thing.
    counties : tuple of str
        Counties whose votes moved in this update, where the feed says so.
    source : UpdateSource
    line : int
        Line of the feed file it came from (for errors and logs).
    """

    state: str
    time: datetime
    votes: Mapping[str, int]
    total: int
    exact: bool = True
    expected_pct: float | None = None
    precincts_pct: float | None = None
    counties: tuple[str, ...] = ()
    source: UpdateSource = UpdateSource.OTHER
    line: int = 0

    def __post_init__(self) -> None:
        if self.time.tzinfo is None:
            raise IntegrityError(
                f"update for {self.state}",
                field="time",
                expected="a timezone-aware time",
                got=str(self.time),
            )
        if any(v < 0 for v in self.votes.values()) or self.total < 0:
            raise IntegrityError(
                f"update for {self.state}",
                field="votes",
                expected="non-negative counts",
                got=dict(self.votes),
            )
        for pct in (self.expected_pct, self.precincts_pct):
            if pct is not None and not 0 <= pct <= 100:
                raise IntegrityError(
                    f"update for {self.state}",
                    field="expected_pct",
                    expected="a percentage from 0 to 100",
                    got=pct,
                )
        object.__setattr__(self, "votes", MappingProxyType(dict(self.votes)))

    @property
    def is_reset(self) -> bool:
        """A feed reset: nothing counted (the source briefly publishes zeros)."""
        return self.total == 0
