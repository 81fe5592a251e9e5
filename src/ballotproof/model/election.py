"""Frozen, validated election results.

An :class:`Election` holds reporting units in a hierarchy (nation → state → county or
congressional district), and contests whose vote counts are given per unit, choice and count
type (total, mail, early, election day, …), after NIST SP 1500-100 v2 (Election Results Common
Data Format): GpUnit, CandidateContest, ContestSelection, VoteCounts, CountItemType.

Rules checked on construction (violations raise :class:`~ballotproof.errors.IntegrityError`;
loaders check the same rules earlier, row by row, so that the error names the file and line):

* identifiers are unique (units, choices in a contest, contests);
* every parent unit and every count's unit and choice exist;
* votes are non-negative ``int``;
* at most one count per (unit, choice, count type);
* where a unit reports both a ``total`` and a breakdown by vote method for a choice, the
  methods add up to the total. A breakdown without a total defines the total.

A unit's ``electors`` is the number of presidential electors awarded to the plurality winner
*of that unit*. Maine and Nebraska therefore give their state unit 2 electors and each
congressional district unit 1, as their laws do (Me. Rev. Stat. tit. 21-A § 802; Neb. Rev.
Stat. § 32-1038).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import NewType

from ballotproof.errors import AnalysisError, IntegrityError

UnitId = NewType("UnitId", str)
ChoiceId = NewType("ChoiceId", str)
ContestId = NewType("ContestId", str)


class UnitType(StrEnum):
    """Kinds of reporting unit (NIST ReportingUnitType values)."""

    NATION = "country"
    STATE = "state"
    DISTRICT = "congressional"
    COUNTY = "county"
    PRECINCT = "precinct"
    OTHER = "other"


class CountType(StrEnum):
    """How the ballots behind a count were cast (NIST CountItemType values)."""

    TOTAL = "total"
    MAIL = "absentee-mail"
    EARLY = "early"
    ELECTION_DAY = "election-day"
    PROVISIONAL = "provisional"
    UOCAVA = "uocava"
    OTHER = "other"

    @classmethod
    def parse(cls, text: str) -> CountType:
        """Read a count type, accepting the usual spellings (``mail``, ``absentee``, ``eday``)."""
        key = text.strip().lower().replace("_", "-").replace(" ", "-")
        aliases = {
            "": cls.TOTAL,
            "mail": cls.MAIL,
            "absentee": cls.MAIL,
            "absentee-by-mail": cls.MAIL,
            "advance": cls.EARLY,
            "early-in-person": cls.EARLY,
            "eday": cls.ELECTION_DAY,
            "election": cls.ELECTION_DAY,
        }
        if key in aliases:
            return aliases[key]
        return cls(key)


@dataclass(frozen=True, slots=True)
class Unit:
    """A reporting unit: nation, state, congressional district, county, …

    Attributes
    ----------
    id : UnitId
        Stable short identifier: postal code for states (``WI``), ``ME-1`` for districts.
    name : str
        Human name (``Wisconsin``).
    type : UnitType
    parent : UnitId or None
        The unit this one lies in; ``None`` only for the root.
    electors : int
        Electors awarded to the plurality winner of this unit (0 if none).
    origin : (str, int) or None
        The file and line the unit was read from, for errors found after loading (not part of
        the unit's identity: ignored by ``==``).
    """

    id: UnitId
    name: str
    type: UnitType
    parent: UnitId | None = None
    electors: int = 0
    origin: tuple[str, int] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.id or self.id != self.id.strip():
            raise IntegrityError(field="unit", expected="a non-empty identifier", got=self.id)
        if not isinstance(self.electors, int) or self.electors < 0:
            raise IntegrityError(
                field="electors", expected="a non-negative integer", got=self.electors
            )


def _is_hex_colour(text: str) -> bool:
    return (
        len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in text[1:])
    )


@dataclass(frozen=True, slots=True)
class Choice:
    """A contest selection: a candidate, or a non-candidate line such as blank votes.

    ``is_candidate`` is false for lines that count ballots but can never win (blank votes,
    overvotes, undervotes); they count in the votes cast but not in the race.
    """

    id: ChoiceId
    name: str
    party: str = ""
    is_candidate: bool = True
    is_write_in: bool = False
    colour: str = ""  # "#rrggbb" for maps and charts; "" = from the party

    def __post_init__(self) -> None:
        if not self.id or self.id != self.id.strip():
            raise IntegrityError(field="choice", expected="a non-empty identifier", got=self.id)
        if self.colour and not _is_hex_colour(self.colour):
            raise IntegrityError(field="colour", expected="a colour as #rrggbb", got=self.colour)


@dataclass(frozen=True, slots=True)
class VoteCount:
    """Votes for one choice in one unit, of one count type."""

    unit: UnitId
    choice: ChoiceId
    votes: int
    count_type: CountType = CountType.TOTAL

    def __post_init__(self) -> None:
        if isinstance(self.votes, bool) or not isinstance(self.votes, int) or self.votes < 0:
            raise IntegrityError(field="votes", expected="a non-negative integer", got=self.votes)


@dataclass(frozen=True, slots=True)
class Contest:
    """A contest, its choices and all its vote counts.

    ``counts`` is kept in a canonical order (unit, choice order, count type), whatever order it
    was given in.

    ``totals`` (derived, read-only) maps unit → choice → total votes, from the ``total`` count
    where given, else from the sum of the method counts.
    """

    id: ContestId
    name: str
    choices: tuple[Choice, ...]
    counts: tuple[VoteCount, ...]
    seats: int = 1
    totals: Mapping[UnitId, Mapping[ChoiceId, int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seats < 1:
            raise IntegrityError(field="seats", expected="at least 1", got=self.seats)
        ids = [c.id for c in self.choices]
        _require_unique(ids, "choice")
        known = set(ids)
        seen: set[tuple[UnitId, ChoiceId, CountType]] = set()
        by_total: dict[tuple[UnitId, ChoiceId], int] = {}
        by_method: dict[tuple[UnitId, ChoiceId], int] = {}
        for count in self.counts:
            if count.choice not in known:
                raise IntegrityError(
                    f"contest {self.id}",
                    field="choice",
                    expected="a known choice",
                    got=count.choice,
                )
            key = (count.unit, count.choice, count.count_type)
            if key in seen:
                raise IntegrityError(
                    f"contest {self.id}: two counts for unit {count.unit}, choice "
                    f"{count.choice}, type {count.count_type}",
                    field="votes",
                )
            seen.add(key)
            pair = (count.unit, count.choice)
            if count.count_type is CountType.TOTAL:
                by_total[pair] = count.votes
            else:
                by_method[pair] = by_method.get(pair, 0) + count.votes
        for pair, method_sum in by_method.items():
            if pair in by_total and by_total[pair] != method_sum:
                raise IntegrityError(
                    f"contest {self.id}: unit {pair[0]}, choice {pair[1]}: vote methods add up "
                    f"to {method_sum} but the total is {by_total[pair]}",
                    field="votes",
                )
        merged = {**by_method, **by_total}
        totals: dict[UnitId, dict[ChoiceId, int]] = {}
        for (unit, choice), votes in merged.items():
            totals.setdefault(unit, {})[choice] = votes
        frozen = {u: MappingProxyType(v) for u, v in totals.items()}
        object.__setattr__(self, "totals", MappingProxyType(frozen))
        # One canonical order, so that equal contents compare equal whatever the file order.
        order = {c.id: i for i, c in enumerate(self.choices)}
        canonical = sorted(
            self.counts,
            key=lambda c: (c.unit, order[c.choice], list(CountType).index(c.count_type)),
        )
        object.__setattr__(self, "counts", tuple(canonical))

    def choice(self, choice_id: ChoiceId) -> Choice:
        """The choice with this id (``KeyError`` if absent)."""
        for c in self.choices:
            if c.id == choice_id:
                return c
        raise KeyError(choice_id)

    def units_reporting(self) -> frozenset[UnitId]:
        """Units that have at least one count in this contest."""
        return frozenset(self.totals)


@dataclass(frozen=True, slots=True)
class Election:
    """An election: its units, its contests, and where the data came from.

    Attributes
    ----------
    name : str
    date : datetime.date or None
    units : tuple of Unit
        Every reporting unit, parents before or after children (order is kept as given).
    contests : tuple of Contest
        The first contest is the default one the analyses use.
    source : str
        Provenance: where these numbers come from (file names, publisher, version).
    """

    name: str
    date: date | None
    units: tuple[Unit, ...]
    contests: tuple[Contest, ...]
    source: str = ""
    _by_id: Mapping[UnitId, Unit] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_unique([u.id for u in self.units], "unit")
        _require_unique([c.id for c in self.contests], "contest")
        if not self.contests:
            raise IntegrityError(field="contest", expected="at least one contest", got="none")
        by_id = {u.id: u for u in self.units}
        for unit in self.units:
            if unit.parent is not None and unit.parent not in by_id:
                raise IntegrityError(
                    f"unit {unit.id}", field="parent", expected="a known unit", got=unit.parent
                )
        _require_acyclic(by_id)
        for contest in self.contests:
            for unit_id in contest.totals:
                if unit_id not in by_id:
                    raise IntegrityError(
                        f"contest {contest.id}",
                        field="unit",
                        expected="a known unit",
                        got=unit_id,
                    )
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id (``KeyError`` if absent)."""
        return self._by_id[UnitId(unit_id)]

    def has_unit(self, unit_id: str) -> bool:
        return UnitId(unit_id) in self._by_id

    def contest(self, contest_id: str | None = None) -> Contest:
        """The contest with this id, or the first contest when ``None`` (AnalysisError if none)."""
        if contest_id is None:
            return self.contests[0]
        for c in self.contests:
            if c.id == contest_id:
                return c
        raise AnalysisError(
            f"no contest {contest_id!r} in this election (contests: "
            + ", ".join(c.id for c in self.contests)
            + ")"
        )

    def children(self, unit_id: UnitId | None) -> tuple[Unit, ...]:
        """Units whose parent is ``unit_id`` (``None``: the roots)."""
        return tuple(u for u in self.units if u.parent == unit_id)

    def electoral_units(self) -> tuple[Unit, ...]:
        """Units that award electors, in their given order."""
        return tuple(u for u in self.units if u.electors > 0)

    def state_of(self, unit_id: UnitId) -> Unit:
        """The state a unit lies in (itself, if it is a state)."""
        unit = self._by_id[unit_id]
        while unit.type is not UnitType.STATE and unit.parent is not None:
            unit = self._by_id[unit.parent]
        return unit


def _require_unique(ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise IntegrityError(f"duplicate {what} id", field=what, got=i)
        seen.add(i)


def _require_acyclic(by_id: Mapping[UnitId, Unit]) -> None:
    for start in by_id.values():
        steps = 0
        unit: Unit | None = start
        while unit is not None and unit.parent is not None:
            unit = by_id.get(unit.parent)
            steps += 1
            if steps > len(by_id):
                raise IntegrityError(
                    f"unit {start.id} is its own ancestor", field="parent", got=start.parent
                )
