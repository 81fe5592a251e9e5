"""A results update, as a live feed delivers it.

An :class:`Update` is what a decision desk sees at one moment for one state: the votes counted
so far for each candidate, and what the source then believed about the vote still to come
(Edison's *estimated expected vote* percentage, or the share of precincts reporting). Nothing
in an update may come from after its timestamp; the loaders in :mod:`ballotproof.io.feeds`
read only such columns, and the engine processes updates in time order.

A feed may report by *reporting unit* (a county or finer, inside a state) and by *vote mode*
(election day, early, mail, provisional): each such update carries the cumulative count of one
(unit, mode). :func:`aggregate_units` turns them into state updates — at each row, the sum of
the latest count of every (unit, mode) seen so far — so that the state engine reads them; the
units a batch came from travel with it (``counties``), for the lean of the remaining vote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from ballotproof.errors import IntegrityError

__all__ = ["UnitCount", "Update", "UpdateSource", "VoteMode", "aggregate_units"]


@dataclass(frozen=True, slots=True)
class UnitCount:
    """One reporting unit's count at one moment (all its vote modes summed), and the feed's
    expected total of the unit (``None``: not given)."""

    unit: str
    votes: Mapping[str, int]
    total: int
    expected: float | None = None


class VoteMode(StrEnum):
    """How the ballots in a count were cast (the optional ``mode`` column of a feed)."""

    ELECTION_DAY = "election-day"
    EARLY = "early"
    MAIL = "mail"
    PROVISIONAL = "provisional"


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
    unit : str or None
        The reporting unit (county or finer) this count is of; ``None``: the whole state.
    mode : VoteMode or None
        The vote mode this count is of; ``None``: all modes.
    parts : tuple of UnitCount
        For a state update summed from unit rows: each unit's count at that moment.
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
    unit: str | None = None
    mode: VoteMode | None = None
    parts: tuple[UnitCount, ...] = ()

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


def aggregate_units(
    updates: Iterable[Update], units_of: Mapping[str, frozenset[str]] | None = None
) -> list[Update]:
    """State updates from updates by unit and mode (state updates pass through unchanged).

    At each unit update, the state's count is the sum of the latest count of every
    (unit, mode) of that state and source seen so far. Its expected-vote percentage is
    100·ΣV/ΣÊ over the units, Ê = V/(q/100) from each unit's latest estimate q, given only when
    ``units_of`` names the state's units (known before the night, from the results data) and
    every one of them has an estimate; otherwise ``None`` (not known).
    """
    latest: dict[tuple[str, str], dict[tuple[str, str], Update]] = {}
    out: list[Update] = []
    for u in updates:
        if u.unit is None and u.mode is None:
            out.append(u)
            continue
        key = (u.state, u.source.value)
        parts = latest.setdefault(key, {})
        parts[(u.unit or u.state, u.mode.value if u.mode else "")] = u
        votes: dict[str, int] = {}
        for p in parts.values():
            for c, v in p.votes.items():
                votes[c] = votes.get(c, 0) + v
        total = sum(p.total for p in parts.values())
        expected_pct = None
        wanted = None if units_of is None else units_of.get(u.state)
        if wanted:
            by_unit: dict[str, tuple[int, float | None]] = {}
            for (unit, _mode), p in parts.items():
                v, e = by_unit.get(unit, (0, 0.0))
                est = None if not p.expected_pct else p.total / (p.expected_pct / 100.0)
                by_unit[unit] = (v + p.total, None if e is None or est is None else e + est)
            if wanted <= set(by_unit) and all(e is not None for _, e in by_unit.values()):
                e_sum = sum(float(e or 0.0) for _, e in by_unit.values())
                if e_sum > 0:
                    expected_pct = min(100.0, 100.0 * total / e_sum)
        units: dict[str, tuple[dict[str, int], int, float | None]] = {}
        for (unit, _mode), p in parts.items():
            uv, ut, ue = units.get(unit, ({}, 0, 0.0))
            for c, v in p.votes.items():
                uv[c] = uv.get(c, 0) + v
            est = None if not p.expected_pct else p.total / (p.expected_pct / 100.0)
            units[unit] = (uv, ut + p.total, None if ue is None or est is None else ue + est)
        out.append(
            Update(
                state=u.state,
                time=u.time,
                votes=votes,
                total=total,
                exact=u.exact,
                expected_pct=expected_pct,
                counties=(u.unit,) if u.unit else (),
                source=u.source,
                line=u.line,
                parts=tuple(
                    UnitCount(unit, uv, ut, ue) for unit, (uv, ut, ue) in sorted(units.items())
                ),
            )
        )
    return out
