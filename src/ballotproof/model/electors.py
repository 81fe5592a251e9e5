"""What the electors did, as a sourced record apart from the votes.

Votes decide which candidate each state's electors are *pledged* to; the electors then meet and
vote (U.S. Const. amend. XII). Nearly always they vote as pledged. The exceptions are recorded
here, each with its source, so that an analysis can say which count it uses:

* :class:`ElectorDeviation` — electors who voted for someone other than the candidate they were
  pledged to (``voted_for``), or cast no vote at all (``voted_for`` empty: abstained);
* :class:`DistrictAward` — a Maine or Nebraska district elector whose winner is on record
  although the district's vote figures are not loaded (the analyses then allocate the state as a
  whole, and say so);
* :class:`CastTotal` — the official count of electoral votes cast for one person in one year.

An :class:`ElectionRecord` bundles one year's :class:`~ballotproof.model.Election` with these
records and the warnings its loader raised.
"""

from __future__ import annotations

from dataclasses import dataclass

from ballotproof.errors import IntegrityError
from ballotproof.model.election import ChoiceId, Election, UnitId

__all__ = ["CastTotal", "DistrictAward", "ElectionRecord", "ElectorDeviation"]


@dataclass(frozen=True, slots=True)
class ElectorDeviation:
    """Electors of one state who did not vote for the candidate they were pledged to.

    Attributes
    ----------
    year : int
    state : UnitId
    pledged_to : ChoiceId
        The candidate (of that year's contest) the electors were pledged to.
    voted_for : str
        Whom they voted for instead, as a name; empty when they abstained.
    electors : int
    note, source : str
        What happened, and where it is documented (a URL).
    """

    year: int
    state: UnitId
    pledged_to: ChoiceId
    voted_for: str
    electors: int
    note: str
    source: str

    def __post_init__(self) -> None:
        if self.electors < 1:
            raise IntegrityError(field="electors", expected="at least 1", got=self.electors)
        if not self.source:
            raise IntegrityError(field="source_url", expected="a source", got="")

    @property
    def abstained(self) -> bool:
        return not self.voted_for


@dataclass(frozen=True, slots=True)
class DistrictAward:
    """A district's electors on record, for a year whose district vote figures are not loaded."""

    year: int
    district: UnitId
    winner: ChoiceId
    electors: int
    note: str
    source: str

    @property
    def state(self) -> UnitId:
        return UnitId(self.district.split("-")[0])


@dataclass(frozen=True, slots=True)
class CastTotal:
    """Electoral votes cast for one person in one year, as officially counted."""

    year: int
    name: str
    electoral_votes: int
    source: str


@dataclass(frozen=True, slots=True)
class ElectionRecord:
    """One presidential election: the votes, and what the electors did.

    Attributes
    ----------
    year : int
    election : Election
        The returns; its units carry the *pledged* allocation of electors.
    deviations : tuple of ElectorDeviation
    district_awards : tuple of DistrictAward
        Districts whose winner is on record but whose votes are not in ``election`` (their
        electors are counted in the state unit there, and moved by :func:`pledged` results).
    cast_totals : tuple of CastTotal
        The official totals of electoral votes cast, to check the record against.
    warnings : tuple of str
        What the loader could not do exactly (e.g. district figures missing).
    """

    year: int
    election: Election
    deviations: tuple[ElectorDeviation, ...] = ()
    district_awards: tuple[DistrictAward, ...] = ()
    cast_totals: tuple[CastTotal, ...] = ()
    warnings: tuple[str, ...] = ()
