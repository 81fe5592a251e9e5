"""Check a claim against the loaded elections: true, false, or cannot be decided from this data.

Functions of the claim language (``Y`` a year, ``S`` a state or district, ``C`` a candidate):

=======================  ========================================================================
``winner(Y)``            who won a majority of pledged electors (a candidate)
``runner_up(Y)``         the other candidate with most pledged electors
``popular_winner(Y)``    who led the national popular vote
``electors(C, Y)``       C's pledged electors (``results.history.pledged_college``)
``electors_cast(C, Y)``  electoral votes as the electors cast them
``votes(C, Y)``          C's national votes; ``votes(C, S, Y)`` in one state
``margin(S, Y)``         first minus second place, as a share of the votes cast for candidates
``margin_votes(S, Y)``   the same margin in votes
``leader(S, Y)``         who won the most votes in S
``hand_winner(S, Y)``    who led S's full hand count, where one is loaded (:class:`HandCount`)
``tipping(Y)``           the tipping-point state (:mod:`~ballotproof.results.tipping`)
``tipping_margin(Y)``    its margin, as a share
``flip(Y)``              the fewest votes that deny the winner a majority (ties those states);
                         ``flip(Y, elect)``: that elect the runner-up (flips those states)
``flip_votes(Y)``        the votes of ``flip(Y)`` (``flip_votes(Y, elect)`` likewise)
``states(F)``            how many units (states, DC, districts) a flip set ``F`` changes
``mail_share(S, Y)``     mail ballots' share of the votes cast for candidates in S: from the
                         results' counts by vote method, else from :class:`MailCount` (for
                         Georgia 2020: its hand count's batch types)
``rank(Y, Q)``           Y's rank among the loaded years by Q, 1 = smallest; Q is one of
                         ``flip_votes``, ``elect_votes``, ``flip_units`` (states, DC and
                         districts in the fewest-votes deny set: not the fewest states),
                         ``tipping_margin`` (share), ``tipping_votes``, ``popular_margin``
                         (share), ``popular_votes`` (the leader's lead in votes),
                         ``votes_cast``, ``winner_electors`` (pledged)
=======================  ========================================================================

A share compares with a percentage (``0.5%``) or a plain fraction (``0.005``); a count with a
number. A candidate compares (``=``, ``!=``) with a name, matched case-insensitively to the full
name or the last name, or to the candidate's id; a state with its postal code or name. ``and``,
``or`` and ``not`` combine answers in three-valued logic: a claim that needs a quantity the data
does not hold is *cannot be decided* unless the rest settles it.

Every number used is returned as :class:`Evidence`: what it is, its value, its source file and the
rows it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from ballotproof.claims.parse import (
    Call,
    Compare,
    Logic,
    Name,
    Node,
    Not,
    Number,
    Term,
    parse_claim,
)
from ballotproof.errors import AnalysisError, InputError, IntegrityError
from ballotproof.model import ChoiceId, CountType, UnitId
from ballotproof.model.electors import ElectionRecord
from ballotproof.results.flips import FlipGoal, FlipObjective, FlipSet, minimal_flip
from ballotproof.results.history import cast_electors, pledged_college
from ballotproof.results.tabulate import popular_vote, tabulate_unit
from ballotproof.results.tipping import tipping_point

__all__ = [
    "ClaimData",
    "ClaimResult",
    "Evidence",
    "HandCount",
    "MailCount",
    "Verdict",
    "check_claim",
]

RANKABLE = (
    "flip_votes",
    "elect_votes",
    "flip_units",
    "tipping_margin",
    "tipping_votes",
    "popular_margin",
    "popular_votes",
    "votes_cast",
    "winner_electors",
)


class Verdict(StrEnum):
    TRUE = "true"
    FALSE = "false"
    UNDECIDED = "cannot be decided from this data"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One number (or name) a claim was checked with.

    ``rows`` names the rows of ``source`` it was computed from (file lines when known).
    """

    quantity: str
    value: str
    exact: str | int | None
    source: str
    rows: str
    sentence: str

    def to_json(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "value": self.value,
            "exact": self.exact,
            "source": self.source,
            "rows": self.rows,
        }


@dataclass(frozen=True, slots=True)
class MailCount:
    """Votes for candidates cast by mail in one state and year, from a source other than the
    results (e.g. a hand count's batch types), and the votes for candidates they are out of."""

    mail: int
    total: int
    source: str
    rows: str
    what: str  # e.g. "in Georgia's full hand count, batches marked 'Absentee By Mail'"

    def __post_init__(self) -> None:
        if not 0 <= self.mail <= self.total:
            raise IntegrityError(
                self.source, field="mail", expected=f"0 to {self.total}", got=self.mail
            )


@dataclass(frozen=True, slots=True)
class HandCount:
    """A full hand count of one state's contest: votes per candidate id, and where from."""

    tally: Mapping[str, int]
    source: str
    rows: str
    what: str  # e.g. "Georgia's risk-limiting audit, a full hand count (November 2020)"


@dataclass(frozen=True, slots=True)
class ClaimData:
    """The elections a claim is checked against, by year, and where their rows are.

    ``rows(year, unit)`` says which file and rows hold that year (``unit`` ``None``) or that
    unit's lines (a district's figures may come from another file than ``source_file``); by
    default the file is ``source_file`` and the selection is named instead of line numbers.
    """

    records: Mapping[int, ElectionRecord]
    source_file: str
    rows: Callable[[int, str | None], tuple[str, str]] | None = None
    mail: Mapping[tuple[int, str], MailCount] = field(default_factory=dict)
    hand_counts: Mapping[tuple[int, str], HandCount] = field(default_factory=dict)

    def row_text(self, year: int, unit: str | None = None) -> tuple[str, str]:
        """(file, rows) of a year, or of one unit in it."""
        if self.rows is not None:
            return self.rows(year, unit)
        return self.source_file, f"year={year}" + (f", state_po={unit}" if unit else "")


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """The answer to one claim, with everything used to reach it."""

    claim: str
    verdict: Verdict
    sentence: str
    evidence: tuple[Evidence, ...]
    missing: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "verdict": self.verdict.value,
            "sentence": self.sentence,
            "evidence": [e.to_json() for e in self.evidence],
            "missing": list(self.missing),
        }


class _Undecided(Exception):
    """A quantity the data does not hold (not an error: the verdict says so)."""


@dataclass(frozen=True, slots=True)
class _Candidate:
    year: int
    id: ChoiceId
    name: str


@dataclass(frozen=True, slots=True)
class _Place:
    year: int
    id: UnitId
    name: str


@dataclass(frozen=True, slots=True)
class _Quantity:
    value: Fraction
    kind: str  # "count" or "share"
    text: str


@dataclass(frozen=True, slots=True)
class _Flip:
    year: int
    flip: FlipSet


_Value = _Candidate | _Place | _Quantity | _Flip


def _pct(x: Fraction) -> str:
    return f"{float(100 * x):.4g}%"


_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def _words(name: str) -> set[str]:
    """The words of a name that identify a person: ``'Biden, Joseph R. Jr'`` → biden, joseph."""
    words = re.findall(r"[a-z][a-z'\-]*", name.lower())
    return {w for w in words if w not in _SUFFIXES and len(w) > 1}


@dataclass
class _Checker:
    data: ClaimData
    claim: str
    evidence: list[Evidence] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    # -- arguments -------------------------------------------------------------------------
    def fail(self, term: Term, message: str) -> InputError:
        return InputError(f"claim position {term.position}: {message}")

    def year(self, term: Term) -> ElectionRecord:
        if not isinstance(term, Number) or term.percent or term.value.denominator != 1:
            raise self.fail(term, f"expected a year, got {term.text!r}")
        y = int(term.value)
        if y not in self.data.records:
            loaded = ", ".join(str(k) for k in sorted(self.data.records))
            raise _Undecided(f"no {y} election in the loaded data (loaded: {loaded})")
        return self.data.records[y]

    def candidate(self, record: ElectionRecord, term: Term) -> _Candidate:
        if not isinstance(term, Name):
            raise self.fail(term, f"expected a candidate's name, got {term.text!r}")
        want = " ".join(term.text.lower().split())
        choices = [c for c in record.election.contest().choices if c.is_candidate]
        # an id or the full name first; then any word of the name but a suffix (Jr., III)
        hits = [c for c in choices if want in (c.id.lower(), " ".join(c.name.lower().split()))]
        if not hits:
            hits = [c for c in choices if want in _words(c.name)]
        if len(hits) > 1:
            raise self.fail(
                term,
                f"{term.text!r} is ambiguous in {record.year}: " + ", ".join(c.name for c in hits),
            )
        if not hits:
            raise self.fail(term, f"no candidate {term.text!r} in {record.year}")
        return _Candidate(record.year, hits[0].id, hits[0].name)

    def place(self, record: ElectionRecord, term: Term) -> _Place:
        if not isinstance(term, Name):
            raise self.fail(term, f"expected a state (postal code or name), got {term.text!r}")
        want = term.text.lower()
        spaced = " ".join(want.replace("_", " ").replace("-", " ").split())  # new-york
        for u in record.election.units:
            if want == u.id.lower() or u.name.lower() in (want, spaced):
                return _Place(record.year, u.id, u.name)
        raise self.fail(term, f"no state or district {term.text!r} in {record.year}")

    def note(
        self, quantity: str, value: str, exact: str | int | None, where: tuple[str, str], said: str
    ) -> None:
        self.evidence.append(Evidence(quantity, value, exact, where[0], where[1], said))

    # -- functions -------------------------------------------------------------------------
    def value(self, term: Term) -> _Value:
        if not isinstance(term, Call):
            raise self.fail(term, f"expected a function such as winner(2020), got {term.text!r}")
        name, args = term.function, term.args
        arity = {
            "winner": (1,),
            "runner_up": (1,),
            "popular_winner": (1,),
            "electors": (2,),
            "electors_cast": (2,),
            "votes": (2, 3),
            "margin": (2,),
            "margin_votes": (2,),
            "leader": (2,),
            "hand_winner": (2,),
            "tipping": (1,),
            "tipping_margin": (1,),
            "flip": (1, 2),
            "flip_votes": (1, 2),
            "states": (1,),
            "mail_share": (2,),
            "rank": (2,),
        }
        if name not in arity:
            raise self.fail(term, f"no function {name!r} (functions: {', '.join(arity)})")
        if len(args) not in arity[name]:
            want = " or ".join(str(n) for n in arity[name])
            raise self.fail(term, f"{name} takes {want} arguments, got {len(args)}")
        text = term.text
        if name == "states":
            inner = self.value(args[0])
            if not isinstance(inner, _Flip):
                raise self.fail(args[0], "states() counts the units of a flip(...) set")
            n = len(inner.flip.items)
            self.note(
                text,
                str(n),
                n,
                self.data.row_text(inner.year),
                f"that is {n} state{'s' if n != 1 else ''} (or districts)",
            )
            return _Quantity(Fraction(n), "count", str(n))
        if name == "rank":
            return self.rank(term)
        record = self.year(args[0] if name in ("flip", "flip_votes") else args[-1])
        y = record.year
        election = record.election
        if name in ("winner", "runner_up", "popular_winner"):
            c = self.who(record, name)
            if name == "popular_winner":
                pv = dict(popular_vote(election).votes)[c.id]
                said = f"{c.name} led the {y} national popular vote with {pv:,} votes"
            else:
                n = pledged_college(record).electors_of(c.id)
                role = "won" if name == "winner" else "came second in"
                said = f"{c.name} {role} the {y} Electoral College with {n} pledged electors"
            self.note(text, c.name, c.id, self.data.row_text(y), said)
            return c
        if name in ("electors", "electors_cast"):
            c = self.candidate(record, args[0])
            if name == "electors":
                n = pledged_college(record).electors_of(c.id)
                said = f"{c.name} won {n} pledged electors in {y}"
            else:
                n = cast_electors(record).of(c.id)
                said = f"{c.name} received {n} electoral votes as the electors cast them in {y}"
            self.note(text, str(n), n, self.data.row_text(y), said)
            return _Quantity(Fraction(n), "count", f"{n:,}")
        if name == "votes":
            c = self.candidate(record, args[0])
            if len(args) == 3:
                p = self.place(record, args[1])
                n = tabulate_unit(election.contest(), p.id).votes_for(c.id)
                said = f"{c.name} won {n:,} votes in {p.name} in {y}"
                rows = self.data.row_text(y, p.id)
            else:
                n = dict(popular_vote(election).votes).get(c.id, 0)
                said = f"{c.name} won {n:,} votes nationally in {y}"
                rows = self.data.row_text(y)
            self.note(text, f"{n:,}", n, rows, said)
            return _Quantity(Fraction(n), "count", f"{n:,}")
        if name in ("leader", "hand_winner"):
            return self.leader(record, args[0], hand=name == "hand_winner", text=text)
        if name in ("margin", "margin_votes"):
            p = self.place(record, args[0])
            if p.id not in election.contest().totals:
                raise _Undecided(f"no votes for {p.name} in {y}")
            r = tabulate_unit(election.contest(), p.id)
            names = {c.id: c.name for c in election.contest().choices}
            lead = names.get(r.winner, "nobody") if r.winner else "nobody (a tie)"
            said = (
                f"{lead} led in {p.name} in {y} by {r.margin:,} votes, {_pct(r.margin_fraction)} "
                f"of the {r.votes_cast:,} votes cast for candidates"
            )
            rows = self.data.row_text(y, p.id)
            if name == "margin":
                self.note(text, _pct(r.margin_fraction), str(r.margin_fraction), rows, said)
                return _Quantity(r.margin_fraction, "share", _pct(r.margin_fraction))
            self.note(text, f"{r.margin:,}", r.margin, rows, said)
            return _Quantity(Fraction(r.margin), "count", f"{r.margin:,}")
        if name in ("tipping", "tipping_margin"):
            tp = tipping_point(election, ec=pledged_college(record))
            unit = election.unit(tp.unit)
            said = (
                f"the tipping-point state in {y} was {unit.name}, decided by "
                f"{tp.result.margin:,} votes ({_pct(tp.result.margin_fraction)})"
            )
            rows = self.data.row_text(y, tp.unit)
            if name == "tipping":
                self.note(text, unit.name, tp.unit, rows, said)
                return _Place(y, tp.unit, unit.name)
            frac = tp.result.margin_fraction
            self.note(text, _pct(frac), str(frac), rows, said)
            return _Quantity(frac, "share", _pct(frac))
        if name in ("flip", "flip_votes"):
            goal = self.goal(args[1] if len(args) == 2 else None)
            fs = minimal_flip(election, goal, FlipObjective.VOTES, ec=pledged_college(record))
            states = ", ".join(fs.units)
            runner = election.contest().choice(fs.runner_up).name
            verb = "tied" if goal is FlipGoal.DENY else "flipped"
            aim = (
                f"denied {election.contest().choice(fs.winner).name} a majority"
                if goal is FlipGoal.DENY
                else "elected the runner-up"
            )
            said = (
                f"{fs.votes:,} more votes for {runner} in {len(fs.items)} "
                f"state{'s' if len(fs.items) != 1 else ''} ({states}) would have {verb} "
                f"{'it' if len(fs.items) == 1 else 'them'} and {aim} in {y}"
            )
            self.note(text, f"{fs.votes:,} in {states}", fs.votes, self.data.row_text(y), said)
            if name == "flip":
                return _Flip(y, fs)
            return _Quantity(Fraction(fs.votes), "count", f"{fs.votes:,}")
        # mail_share
        p = self.place(record, args[0])
        contest = election.contest()
        mail = [c for c in contest.counts if c.unit == p.id and c.count_type is CountType.MAIL]
        other = self.data.mail.get((y, p.id))
        if not mail and other is not None:
            share = Fraction(other.mail, other.total) if other.total else Fraction(0)
            said = (
                f"{other.mail:,} of {other.total:,} votes for candidates in {p.name} in {y} "
                f"were by mail ({other.what})"
            )
            self.evidence.append(
                Evidence(text, _pct(share), str(share), other.source, other.rows, said)
            )
            return _Quantity(share, "share", _pct(share))
        if not mail:
            raise _Undecided(
                f"the loaded {y} data ({self.data.source_file}) has no counts by vote method "
                f"for {p.name}: mail ballots are not in it"
            )
        candidates = {c.id for c in contest.choices if c.is_candidate}
        n_mail = sum(c.votes for c in mail if c.choice in candidates)
        cast = tabulate_unit(contest, p.id).votes_cast
        share = Fraction(n_mail, cast) if cast else Fraction(0)
        said = f"{n_mail:,} of the {cast:,} votes for candidates in {p.name} in {y} were by mail"
        self.note(text, _pct(share), str(share), self.data.row_text(y, p.id), said)
        return _Quantity(share, "share", _pct(share))

    def leader(self, record: ElectionRecord, term: Term, *, hand: bool, text: str) -> _Candidate:
        y = record.year
        p = self.place(record, term)
        contest = record.election.contest()
        names: dict[str, str] = {c.id: c.name for c in contest.choices}
        if not hand:
            r = tabulate_unit(contest, p.id)
            if r.winner is None:
                raise _Undecided(f"{p.name} {y} is tied or has no votes")
            said = f"{names[r.winner]} won the most votes in {p.name} in {y}, by {r.margin:,}"
            self.note(text, names[r.winner], r.winner, self.data.row_text(y, p.id), said)
            return _Candidate(y, r.winner, names[r.winner])
        hc = self.data.hand_counts.get((y, p.id))
        if hc is None:
            raise _Undecided(f"no hand count of {p.name} {y} in the loaded data")
        ranked = sorted(hc.tally.items(), key=lambda kv: -kv[1])
        (first, a), (second, b) = ranked[0], ranked[1]
        if a == b or first not in names:
            raise _Undecided(f"the hand count of {p.name} {y} names no single known leader")
        said = (
            f"{hc.what} found {names[first]} ahead with {a:,} votes to {names.get(second, second)}"
            f"'s {b:,}, a margin of {a - b:,}"
        )
        self.evidence.append(Evidence(text, names[first], first, hc.source, hc.rows, said))
        return _Candidate(y, ChoiceId(first), names[first])

    def who(self, record: ElectionRecord, name: str) -> _Candidate:
        election = record.election
        names = {c.id: c.name for c in election.contest().choices}
        if name == "popular_winner":
            cid = popular_vote(election).votes[0][0]
        else:
            ec = pledged_college(record)
            pick = ec.winner if name == "winner" else ec.runner_up
            if pick is None:
                raise _Undecided(f"nobody won a majority of pledged electors in {record.year}")
            cid = pick
        return _Candidate(record.year, cid, names[cid])

    def goal(self, term: Term | None) -> FlipGoal:
        if term is None:
            return FlipGoal.DENY
        if isinstance(term, Name) and term.text.lower() in ("deny", "elect"):
            return FlipGoal(term.text.lower())
        raise self.fail(term, f"expected deny or elect, got {term.text!r}")

    def measure(self, record: ElectionRecord, what: str) -> Fraction:
        election = record.election
        ec = pledged_college(record)
        if what in ("flip_votes", "elect_votes", "flip_units"):
            goal = FlipGoal.ELECT if what == "elect_votes" else FlipGoal.DENY
            fs = minimal_flip(election, goal, FlipObjective.VOTES, ec=ec)
            return Fraction(len(fs.items) if what == "flip_units" else fs.votes)
        if what in ("tipping_margin", "tipping_votes"):
            tp = tipping_point(election, ec=ec).result
            return tp.margin_fraction if what == "tipping_margin" else Fraction(tp.margin)
        if what == "winner_electors":
            return Fraction(ec.electors_of(ec.winner) if ec.winner else 0)
        pv = popular_vote(election)
        if what == "votes_cast":
            return Fraction(pv.votes_cast)
        lead = pv.votes[0][1] - pv.votes[1][1]
        return Fraction(lead) if what == "popular_votes" else Fraction(lead, pv.votes_cast)

    def rank(self, term: Call) -> _Quantity:
        record = self.year(term.args[0])
        q = term.args[1]
        if not isinstance(q, Name) or q.text.lower() not in RANKABLE:
            raise self.fail(q, f"rank() ranks by one of {', '.join(RANKABLE)}, got {q.text!r}")
        what = q.text.lower()
        values = {y: self.measure(r, what) for y, r in self.data.records.items()}
        mine = values[record.year]
        place = 1 + sum(v < mine for v in values.values())
        order = sorted(values, key=lambda y: (values[y], y))
        shown = ", ".join(
            f"{y} {_pct(values[y]) if 'margin' in what else f'{int(values[y]):,}'}" for y in order
        )
        years = f"{min(values)}–{max(values)}" if len(values) > 1 else str(record.year)
        said = (
            f"by {what}, {record.year} ranks {place} of {len(values)} elections ({years}), "
            f"counting from the smallest: {shown}"
        )
        self.note(term.text, str(place), place, (self.data.source_file, f"years {years}"), said)
        return _Quantity(Fraction(place), "count", str(place))

    # -- comparisons -----------------------------------------------------------------------
    def compare(self, node: Compare) -> bool:
        if not isinstance(node.left, Call) and isinstance(node.right, Call):
            # "50000 > flip_votes(2020)" reads as "flip_votes(2020) < 50000"
            mirror = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(node.op, node.op)
            node = Compare(node.right, mirror, node.left, node.position)
        left = self.value(node.left)
        right_term = node.right
        if isinstance(right_term, Call):
            right: _Value | Term = self.value(right_term)
        else:
            right = right_term
        if isinstance(left, _Candidate | _Place):
            if node.op not in ("=", "!="):
                raise self.fail(node.left, "a name compares only with = or !=")
            if isinstance(right, Name):
                record = self.data.records[left.year]
                other: _Value = (
                    self.candidate(record, right)
                    if isinstance(left, _Candidate)
                    else self.place(record, right)
                )
            elif isinstance(right, _Candidate | _Place):
                other = right
            else:
                raise self.fail(node.right, "expected a name to compare with")
            same = isinstance(other, type(left)) and other.id == left.id
            if isinstance(left, _Candidate) and isinstance(other, _Candidate):
                same = other.name == left.name
            return same if node.op == "=" else not same
        if isinstance(left, _Flip):
            raise self.fail(node.left, "compare states(flip(...)) or flip_votes(...), not a set")
        if isinstance(right, Number):
            if right.percent and left.kind != "share":
                raise self.fail(right, "a percentage compares with a share, not a count")
            value = right.value
        elif isinstance(right, _Quantity):
            if right.kind != left.kind:
                raise self.fail(node.right, "cannot compare a share with a count")
            value = right.value
        else:
            raise self.fail(node.right, "expected a number to compare with")
        a = left.value
        return {
            "=": a == value,
            "!=": a != value,
            "<": a < value,
            "<=": a <= value,
            ">": a > value,
            ">=": a >= value,
        }[node.op]

    def decide(self, node: Node) -> bool | None:
        if isinstance(node, Compare):
            try:
                return self.compare(node)
            except _Undecided as why:
                self.missing.append(str(why))
                return None
            except AnalysisError as why:
                self.missing.append(str(why))
                return None
        if isinstance(node, Not):
            v = self.decide(node.operand)
            return None if v is None else not v
        if not isinstance(node, Logic):
            raise TypeError(f"not a claim node: {node!r}")
        a, b = self.decide(node.left), self.decide(node.right)
        if node.op == "and":
            if a is False or b is False:
                return False
            return None if a is None or b is None else True
        if a is True or b is True:
            return True
        return None if a is None or b is None else False


def check_claim(claim: str, data: ClaimData) -> ClaimResult:
    """Check ``claim`` against ``data``.

    Raises
    ------
    ClaimSyntaxError
        If the claim is not in the claim language (naming the position).
    InputError
        For an unknown function, a wrong argument, an unknown or ambiguous name.
    """
    tree = parse_claim(claim)
    checker = _Checker(data, claim)
    answer = checker.decide(tree)
    verdict = Verdict.UNDECIDED if answer is None else Verdict(str(answer).lower())
    said = "; ".join(dict.fromkeys(e.sentence for e in checker.evidence))
    if verdict is Verdict.UNDECIDED:
        sentence = (
            f"The claim {claim!r} cannot be decided from this data: "
            + "; ".join(checker.missing)
            + "."
        )
        if said:
            sentence += f" What the data does show: {said}."
    else:
        sentence = f"The claim {claim!r} is {verdict.value}: {said}."
    return ClaimResult(claim, verdict, sentence, tuple(checker.evidence), tuple(checker.missing))
