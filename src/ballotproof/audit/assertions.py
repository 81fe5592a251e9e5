"""SHANGRLA assertions and assorters for plurality, vote-for-n and supermajority contests, on
cards that carry several contests.

Sources
-------
P. B. Stark, "Sets of Half-Average Nulls Generate Risk-Limiting Audits: SHANGRLA", Voting '20,
LNCS 12063, 2020; arXiv:1911.10035.  [SHANGRLA]
P. B. Stark, "ALPHA: Audit that Learns from Previously Hand-Audited Ballots", Ann. Appl. Stat.
17(1), 2023; arXiv:2201.02707.  [ALPHA]
P. B. Stark, "Sets of half-average nulls …", §2–§4, and SHANGRLA's ``Assertion``/``Assorter``/
``Audit.find_sample_size`` (pbstark/SHANGRLA, ``shangrla/core/Audit.py``) for the phantom and
card-style rules.  Numbers checked against SHANGRLA in ``tests/audit/test_assertions.py``.

Cards and readings
------------------
A card is a mapping contest → the choices marked on it (absent: the card does not contain the
contest).  A card's *reading* (the manual vote record, MVR) is such a mapping, or ``None`` when
the card was not found or is a phantom.

Assorters [SHANGRLA §3]
-----------------------
Each assertion is "the mean of its assorter a over the N_c cards that contain the contest
exceeds 1/2".  With ``m`` the choices marked for the contest:

* plurality and vote-for-n (reported winner w, reported loser ℓ; one assertion per pair) ::

      a(b) = (1{w ∈ m} − 1{ℓ ∈ m} + 1) / 2,    u = 1

* supermajority (winner w needs a fraction f of the valid votes; one assertion) ::

      a(b) = 1{w ∈ m} / (2f)   if m is one valid vote,  1/2 otherwise,    u = 1/(2f)

  ("valid" as SHANGRLA's ``has_one_vote``: exactly one choice marked).

A card with more marks than the contest allows (an overvote) is no valid vote: a = 1/2.

Reported assorter margin.  ``v = 2ā − 1`` with ā the mean of a over the N_c cards from the
cast vote records (CVRs); cards of the contest with no CVR are phantoms, each a CVR containing
the contest with no vote (a = 1/2) [SHANGRLA, ``CVR.make_phantoms``].

Comparison (overstatement) assorter [SHANGRLA §3.2] ::

    ω = a(CVR) − a(MVR),    B = (1 − ω/u) / (2 − v/u),    0 ≤ B ≤ 2/(2 − v/u) = u_B

The MVR of a card that was not found, of a phantom, or of a card whose CVR has the contest but
whose paper does not, has a(MVR) = 0: the worst case for every assertion at once
(SHANGRLA's ``Assorter.overstatement`` with ``use_style``).  In a polling audit the reading
alone enters, a(MVR), with the same rule.

Risk, sample sizes, card-style sampling and the stored method that uses these assertions are
in :mod:`ballotproof.audit.multi`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from ballotproof.errors import AnalysisError

__all__ = [
    "Assertion",
    "AuditedContest",
    "Card",
    "Rule",
    "assertions_for",
    "comparison_bound",
    "margins",
    "overstatement_value",
    "polling_value",
]

Card = Mapping[str, Sequence[str]]
"""A card or its reading: contest → choices marked (absent: the card lacks the contest)."""


class Rule(StrEnum):
    """How a contest is won."""

    PLURALITY = "plurality"  # the n choices with most votes win (vote for n)
    SUPERMAJORITY = "supermajority"  # one winner, who needs a share f of the valid votes


@dataclass(frozen=True, slots=True)
class AuditedContest:
    """A contest of a multi-contest audit.

    Attributes
    ----------
    name : the contest's name, as in the CVRs and readings
    choices : every choice (candidate)
    winners : the reported winners (``votes_allowed`` of them for plurality; one for
        supermajority)
    cards : N_c, the cards that contain the contest (at least those whose CVR has it; the
        rest are phantoms)
    targeted : the audit must confirm it (otherwise it is reported opportunistically)
    rule : plurality (vote for ``votes_allowed``) or supermajority
    votes_allowed : marks a card may carry for the contest
    share_to_win : f, the winner's share of valid votes needed (supermajority only)
    """

    name: str
    choices: tuple[str, ...]
    winners: tuple[str, ...]
    cards: int
    targeted: bool = True
    rule: Rule = Rule.PLURALITY
    votes_allowed: int = 1
    share_to_win: Fraction | None = None

    def __post_init__(self) -> None:
        where = f"contest {self.name!r}"
        if len(set(self.choices)) != len(self.choices) or len(self.choices) < 2:
            raise AnalysisError(f"{where}: needs at least two distinct choices")
        if not self.winners or any(w not in self.choices for w in self.winners):
            raise AnalysisError(f"{where}: every reported winner must be one of its choices")
        if len(set(self.winners)) != len(self.winners) or len(self.winners) >= len(self.choices):
            raise AnalysisError(f"{where}: winners must be distinct and fewer than the choices")
        if isinstance(self.cards, bool) or not isinstance(self.cards, int) or self.cards < 1:
            raise AnalysisError(f"{where}: cards must be a whole number ≥ 1, got {self.cards!r}")
        if not 1 <= self.votes_allowed < len(self.choices):
            raise AnalysisError(f"{where}: votes_allowed must be 1 … choices − 1")
        if self.rule is Rule.PLURALITY:
            if self.share_to_win is not None:
                raise AnalysisError(f"{where}: share_to_win is for supermajority contests")
            if len(self.winners) != self.votes_allowed:
                raise AnalysisError(
                    f"{where}: a vote-for-{self.votes_allowed} contest has "
                    f"{self.votes_allowed} winners, got {len(self.winners)}"
                )
        else:
            f = self.share_to_win
            if f is None or not 0 < f < 1:
                raise AnalysisError(f"{where}: share_to_win must be a fraction in (0, 1)")
            if len(self.winners) != 1 or self.votes_allowed != 1:
                raise AnalysisError(f"{where}: a supermajority contest is vote-for-1, 1 winner")

    @property
    def losers(self) -> tuple[str, ...]:
        return tuple(c for c in self.choices if c not in self.winners)


@dataclass(frozen=True, slots=True)
class Assertion:
    """One SHANGRLA assertion: the mean of :meth:`assort` over the contest's cards > 1/2.

    Attributes
    ----------
    contest : the contest's name
    winner : the reported winner w
    loser : the reported loser ℓ (plurality), or ``None`` for "every other choice"
        (supermajority)
    u : the assorter's upper bound (1, or 1/(2f))
    votes_allowed : marks allowed (more is an overvote: no valid vote)
    share_to_win : f (supermajority) or ``None``
    choices : the contest's choices (a supermajority vote is valid when it is one of them)
    """

    contest: str
    winner: str
    loser: str | None
    u: Fraction
    votes_allowed: int = 1
    share_to_win: Fraction | None = None
    choices: tuple[str, ...] = field(default=(), repr=False)

    @property
    def name(self) -> str:
        """``"w v ℓ"`` as SHANGRLA names it (``"w v all others"`` for a supermajority)."""
        return f"{self.winner} v {self.loser if self.loser is not None else 'all others'}"

    def assort(self, marks: Sequence[str]) -> Fraction:
        """a(b) for a card that contains the contest with these marks (module notes)."""
        if len(set(marks)) > self.votes_allowed:
            return Fraction(1, 2)  # an overvote: no valid vote
        if self.share_to_win is None:
            return Fraction(1 + (self.winner in marks) - (self.loser in marks), 2)
        if len(marks) == 1 and marks[0] in self.choices:
            return Fraction(int(marks[0] == self.winner)) / (2 * self.share_to_win)
        return Fraction(1, 2)


def assertions_for(contest: AuditedContest) -> tuple[Assertion, ...]:
    """The contest's assertions: every winner against every loser (plurality, vote for n), or
    the one supermajority assertion [SHANGRLA §3].

    Examples
    --------
    >>> c = AuditedContest("Mayor", ("A", "B", "C"), ("A",), cards=100)
    >>> [a.name for a in assertions_for(c)]
    ['A v B', 'A v C']
    """
    if contest.rule is Rule.SUPERMAJORITY:
        f = contest.share_to_win
        if f is None:  # AuditedContest refuses this; kept for the type checker
            raise AnalysisError(f"contest {contest.name!r}: no share_to_win")
        w = contest.winners[0]
        return (Assertion(contest.name, w, None, 1 / (2 * f), 1, f, contest.choices),)
    return tuple(
        Assertion(contest.name, w, ell, Fraction(1), contest.votes_allowed, None, contest.choices)
        for w in contest.winners
        for ell in contest.losers
    )


def _marks(card: Card | None, contest: str) -> Sequence[str] | None:
    return None if card is None else card.get(contest)


def margins(contest: AuditedContest, cvrs: Sequence[Card]) -> dict[Assertion, Fraction]:
    """v = 2ā − 1 of every assertion over the contest's N_c cards, from the CVRs that contain
    it; the N_c − (those CVRs) others are phantoms, a = 1/2 [SHANGRLA, make_phantoms].

    Raises
    ------
    AnalysisError
        More CVRs contain the contest than it has cards.

    Examples
    --------
    >>> c = AuditedContest("M", ("A", "B"), ("A",), cards=4)
    >>> v = margins(c, [{"M": ["A"]}, {"M": ["A"]}, {"M": ["B"]}])  # and one phantom
    >>> {a.name: m for a, m in v.items()}
    {'A v B': Fraction(1, 4)}
    """
    rows = [m for m in (_marks(c, contest.name) for c in cvrs) if m is not None]
    if len(rows) > contest.cards:
        raise AnalysisError(
            f"contest {contest.name!r}: {len(rows)} CVRs contain it but it has only "
            f"{contest.cards} cards"
        )
    phantoms = contest.cards - len(rows)
    out: dict[Assertion, Fraction] = {}
    for a in assertions_for(contest):
        total = sum((a.assort(m) for m in rows), Fraction(0)) + Fraction(phantoms, 2)
        out[a] = 2 * total / contest.cards - 1
    return out


def overstatement_value(assertion: Assertion, v: Fraction, cvr: Card, mvr: Card | None) -> Fraction:
    """B = (1 − ω/u)/(2 − v/u) for a card whose CVR contains the contest; ω = a(CVR) − a(MVR),
    a(MVR) = 0 if the card was not found or its paper lacks the contest [SHANGRLA §3.2]."""
    cvr_marks = _marks(cvr, assertion.contest)
    if cvr_marks is None:
        raise AnalysisError(f"the CVR does not contain contest {assertion.contest!r}")
    mvr_marks = _marks(mvr, assertion.contest)
    a_mvr = Fraction(0) if mvr_marks is None else assertion.assort(mvr_marks)
    omega = assertion.assort(cvr_marks) - a_mvr
    u = assertion.u
    return (1 - omega / u) / (2 - v / u)


def polling_value(assertion: Assertion, mvr: Card | None) -> Fraction:
    """a(MVR): 0 if the card was not found or its paper lacks the contest (the worst case)."""
    marks = _marks(mvr, assertion.contest)
    return Fraction(0) if marks is None else assertion.assort(marks)


def comparison_bound(assertion: Assertion, v: Fraction) -> Fraction:
    """u_B = 2/(2 − v/u), the overstatement assorter's upper bound."""
    return 2 / (2 - v / assertion.u)
