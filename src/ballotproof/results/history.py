"""The historical record: one presidential election at a glance, and the swing between two.

For each year (an :class:`~ballotproof.model.electors.ElectionRecord`):

* **electors, pledged** — each unit's electors to its plurality winner
  (:func:`~ballotproof.results.electoral.electoral_college`), plus the district electors the
  record gives where district vote figures are missing (:func:`pledged_college`). Every
  analysis here uses the pledged count, and says so (``basis``);
* **electors, cast** — the pledged count with the recorded deviations applied: an elector who
  voted for someone else moves to that person, an abstaining elector to nobody
  (:func:`cast_electors`);
* **popular vote** — the sum of the state rows (:func:`~ballotproof.results.tabulate.popular_vote`);
  an *inversion* is a year whose Electoral College winner did not lead it;
* **tipping point** (:mod:`~ballotproof.results.tipping`) and the **fewest votes** that would
  have changed the outcome (:mod:`~ballotproof.results.flips`): (a) *deny* — adding each margin
  to the runner-up ties those states, their electors go to nobody and the winner falls short of
  a majority; (b) *elect* — one vote more than each margin flips those states to the runner-up.

The plain-language sentence is exact about which: "would have tied" for (a), "would have
flipped" for (b); when nobody would have had a majority it says, as a conditional, that the
House of Representatives would then have chosen the President (U.S. Const. amend. XII).

*Swing* of a state between two elections: the change in the Democratic nominee's margin over
the Republican nominee, in percentage points of the votes cast for candidates (positive: toward
the Democrat). The nominees are the candidates whose main party (the first listed) is the
Democratic or Republican party.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ballotproof.errors import AnalysisError
from ballotproof.model import ChoiceId, Election, UnitId, UnitType
from ballotproof.model.electors import ElectionRecord
from ballotproof.results.electoral import ElectoralResult, electoral_college
from ballotproof.results.flips import FlipGoal, FlipObjective, FlipSet, minimal_flip
from ballotproof.results.tabulate import PopularVote, popular_vote, tabulate_unit
from ballotproof.results.tipping import TippingPoint, tipping_point

__all__ = [
    "ElectorCount",
    "StateSwing",
    "YearSummary",
    "cast_electors",
    "pledged_college",
    "summarize_year",
    "swing",
]

PLEDGED = "pledged"
CAST = "cast"
_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


@dataclass(frozen=True, slots=True)
class ElectorCount:
    """Electors per recipient under one basis (``pledged`` or ``cast``).

    ``totals`` holds (key, name, electors), most first: the key is the candidate's choice id,
    or for a person who was not on the ballot a slug of the name. ``notes`` say, per candidate,
    what moved electors away from the pledged count.
    """

    basis: str
    totals: tuple[tuple[str, str, int], ...]
    abstained: int
    notes: tuple[tuple[str, str], ...]

    def of(self, key: str) -> int:
        return next((n for k, _, n in self.totals if k == key), 0)

    def label(self, key: str) -> str:
        """``'Al Gore 266 (one District of Columbia elector abstained)'``."""
        name = next((nm for k, nm, _ in self.totals if k == key), key)
        why = "; ".join(text for k, text in self.notes if k == key)
        return f"{name} {self.of(key)}" + (f" ({why})" if why else "")


def pledged_college(record: ElectionRecord) -> ElectoralResult:
    """The Electoral College by the votes, with the recorded district electors moved.

    Where a year's Maine/Nebraska district votes are missing, the state unit holds all the
    state's electors; each :class:`~ballotproof.model.electors.DistrictAward` then moves its
    electors from the state's winner to the district's winner. The units (awards) are left as
    they are, so the moved electors can never be flipped by the flip analyses.
    """
    ec = electoral_college(record.election)
    if not record.district_awards:
        return ec
    totals = dict(ec.totals)
    for a in record.district_awards:
        state = next((w for w in ec.awards if w.unit == a.state), None)
        if state is None or state.to is None:
            raise AnalysisError(f"{record.year}: {a.state} has no winner to take {a.district} from")
        if state.to == a.winner:
            continue
        totals[state.to] -= a.electors
        totals[a.winner] = totals.get(a.winner, 0) + a.electors
    ordered = tuple(sorted(totals.items(), key=lambda cv: (-cv[1], cv[0])))
    winner = ordered[0][0] if ordered[0][1] >= ec.majority else None
    return dataclasses.replace(ec, totals=ordered, winner=winner)


def _names(election: Election) -> dict[str, str]:
    return {c.id: c.name for c in election.contest().choices}


def _count(
    totals: dict[str, int],
    names: dict[str, str],
    basis: str,
    abstained: int,
    notes: Sequence[tuple[str, str]],
) -> ElectorCount:
    rows = tuple(
        sorted(
            ((k, names.get(k, k), n) for k, n in totals.items() if n > 0),
            key=lambda r: (-r[2], r[0]),
        )
    )
    return ElectorCount(basis, rows, abstained, tuple(notes))


def _slug(name: str) -> str:
    return "-".join(name.lower().split())


def cast_electors(
    record: ElectionRecord, *, pledged: ElectoralResult | None = None
) -> ElectorCount:
    """The electoral votes as the electors cast them: pledged, with the deviations applied."""
    election = record.election
    ec = pledged or pledged_college(record)
    names = _names(election)
    totals = {str(k): v for k, v in ec.totals}
    abstained = 0
    notes: list[tuple[str, str]] = []
    for d in record.deviations:
        if totals.get(d.pledged_to, 0) < d.electors:
            raise AnalysisError(
                f"{record.year}: the record moves {d.electors} electors from {d.pledged_to}, "
                f"who has {totals.get(d.pledged_to, 0)} pledged"
            )
        totals[d.pledged_to] -= d.electors
        state = election.unit(d.state).name
        who = f"{_NUMBERS.get(d.electors, str(d.electors))} {state} elector" + (
            "s" if d.electors > 1 else ""
        )
        if d.abstained:
            abstained += d.electors
            notes.append((d.pledged_to, f"{who} abstained"))
        else:
            key = _slug(d.voted_for)
            names[key] = d.voted_for
            totals[key] = totals.get(key, 0) + d.electors
            notes.append((d.pledged_to, f"{who} voted for {d.voted_for}"))
    return _count(totals, names, CAST, abstained, notes)


def _pledged_count(record: ElectionRecord, ec: ElectoralResult) -> ElectorCount:
    names = _names(record.election)
    notes = [
        (
            a.winner,
            f"includes {a.district}'s {a.electors} elector on record; its vote figures are not "
            "loaded",
        )
        for a in record.district_awards
    ]
    return _count({str(k): v for k, v in ec.totals}, names, PLEDGED, 0, notes)


@dataclass(frozen=True, slots=True)
class YearSummary:
    """One election year at a glance (see the module docstring for every definition).

    Attributes
    ----------
    year : int
    election, source : str
    basis : str
        Which electors count the analyses use: always ``"pledged"``.
    pledged, cast : ElectorCount
    winner, runner_up : ChoiceId
        By pledged electors.
    majority, total_electors : int
    popular : PopularVote
    tipping : TippingPoint
    deny, elect : FlipSet
        Fewest votes added (by the standard of each goal).
    warnings : tuple of str
    """

    year: int
    election: str
    source: str
    basis: str
    pledged: ElectorCount
    cast: ElectorCount
    winner: ChoiceId
    runner_up: ChoiceId
    winner_name: str
    runner_up_name: str
    majority: int
    total_electors: int
    popular: PopularVote
    tipping: TippingPoint
    tipping_name: str
    deny: FlipSet
    elect: FlipSet
    warnings: tuple[str, ...]

    @property
    def popular_leader(self) -> ChoiceId:
        return self.popular.votes[0][0]

    @property
    def inversion(self) -> bool:
        """The Electoral College winner did not lead the national popular vote."""
        return self.popular_leader != self.winner

    def popular_votes(self, choice: ChoiceId) -> int:
        return dict(self.popular.votes).get(choice, 0)

    def summary(self) -> str:
        """The plain-language sentence: exact about ties and flips, conditional about the House."""
        w, r = self.winner_name, self.runner_up_name
        lead = (
            f"{w} won {self.pledged.of(self.winner)} pledged electors to {r}'s "
            f"{self.pledged.of(self.runner_up)} ({self.majority} needed)"
        )
        cast_changed = self.cast.totals != self.pledged.totals or self.cast.abstained
        if cast_changed:
            lead += "; as cast: " + ", ".join(
                self.cast.label(k) for k in (self.winner, self.runner_up)
            )
        pv = (
            f"{w} {self.popular_votes(self.winner):,} votes to {r}'s "
            f"{self.popular_votes(self.runner_up):,}"
        )
        if self.inversion:
            pv += f", so {w} won the Electoral College while losing the popular vote"
        d = self.deny
        states = _join([i.unit for i in d.items])
        short = d.winner_electors_after < self.majority and (
            d.runner_up_electors_after < self.majority
        )
        deny = (
            f"{d.votes:,} more votes for {r} in {states} would have tied "
            f"{'it' if len(d.items) == 1 else 'them'}, leaving {w} "
            f"{d.winner_electors_after} electors and {r} {d.runner_up_electors_after}"
        )
        if short:
            deny += (
                "; with no majority, the House of Representatives would then have chosen "
                "the President (Twelfth Amendment)"
            )
        e = self.elect
        elect = (
            f"{e.votes:,} would have flipped {_join([i.unit for i in e.items])} and elected "
            f"{r} with {e.runner_up_electors_after}"
        )
        tp = self.tipping
        return (
            f"{self.year}: {lead}. Popular vote: {pv}. Tipping point: {self.tipping_name} "
            f"({w} +{tp.result.margin:,}, {tp.result.margin_pct:.3f}%). {deny}; {elect}."
        )


def _join(items: list[UnitId]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def summarize_year(record: ElectionRecord) -> YearSummary:
    """Summarise one year (pledged electors; see the module docstring).

    Raises
    ------
    AnalysisError
        If nobody won a majority of pledged electors (no tipping point, nothing to flip).
    """
    election = record.election
    ec = pledged_college(record)
    if ec.winner is None or ec.runner_up is None:
        raise AnalysisError(f"{record.year}: nobody won a majority of pledged electors")
    names = _names(election)
    tp = tipping_point(election, ec=ec)
    deny = minimal_flip(election, FlipGoal.DENY, FlipObjective.VOTES, ec=ec)
    elect = minimal_flip(election, FlipGoal.ELECT, FlipObjective.VOTES, ec=ec)
    return YearSummary(
        year=record.year,
        election=election.name,
        source=election.source,
        basis=PLEDGED,
        pledged=_pledged_count(record, ec),
        cast=cast_electors(record, pledged=ec),
        winner=ec.winner,
        runner_up=ec.runner_up,
        winner_name=names[ec.winner],
        runner_up_name=names[ec.runner_up],
        majority=ec.majority,
        total_electors=ec.total_electors,
        popular=popular_vote(election),
        tipping=tp,
        tipping_name=election.unit(tp.unit).name,
        deny=deny,
        elect=elect,
        warnings=record.warnings,
    )


@dataclass(frozen=True, slots=True)
class StateSwing:
    """A state's Democratic-minus-Republican margin in two elections, and the change."""

    state: UnitId
    year: int
    previous_year: int
    dem_margin: Fraction  # share of votes cast for candidates, as a fraction
    previous_dem_margin: Fraction

    @property
    def swing_pct(self) -> float:
        """Change in percentage points, positive toward the Democrat."""
        return float(100 * (self.dem_margin - self.previous_dem_margin))

    @property
    def dem_margin_pct(self) -> float:
        return float(100 * self.dem_margin)


def _nominees(election: Election) -> tuple[ChoiceId, ChoiceId]:
    pv = popular_vote(election)
    main = {c.id: c.party.split(";")[0].strip().lower() for c in election.contest().choices}
    dem = next((c for c, _ in pv.votes if main.get(c, "").startswith("democrat")), None)
    rep = next((c for c, _ in pv.votes if main.get(c, "").startswith("republican")), None)
    if dem is None or rep is None:
        raise AnalysisError(f"{election.name}: no Democratic or Republican nominee to compare")
    return dem, rep


def _dem_margins(election: Election) -> dict[UnitId, Fraction]:
    dem, rep = _nominees(election)
    contest = election.contest()
    out = {}
    for unit in election.units:
        if unit.type is not UnitType.STATE:
            continue
        r = tabulate_unit(contest, unit.id)
        if r.votes_cast:
            out[unit.id] = Fraction(r.votes_for(dem) - r.votes_for(rep), r.votes_cast)
    return out


def swing(previous: ElectionRecord, current: ElectionRecord) -> tuple[StateSwing, ...]:
    """Each state's swing from ``previous`` to ``current``, largest toward the Democrat first."""
    before = _dem_margins(previous.election)
    after = _dem_margins(current.election)
    rows = [
        StateSwing(s, current.year, previous.year, after[s], before[s])
        for s in after
        if s in before
    ]
    return tuple(sorted(rows, key=lambda s: (-(s.dem_margin - s.previous_dem_margin), s.state)))
