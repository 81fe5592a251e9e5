"""What a stored audit is: its specification, its readings, its round results, and the protocol
every stored method implements.

Pure, like the rest of :mod:`ballotproof.audit`.  :mod:`ballotproof.audit.process` re-exports
every name here; the specification's JSON (:func:`spec_to_json`) is what the journal hashes,
so its keys never change for the methods that exist.

A stored method (:class:`StoredMethod`) is an object that its method module provides; the
registry (:mod:`ballotproof.audit.methods`) maps each :class:`Method` id to it, one line per
method.  The store, the use cases and the verifier reach a method only through the protocol.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Protocol

from ballotproof.audit.assertions import AuditedContest, Rule, assertions_for
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.sampler import Batch
from ballotproof.errors import AnalysisError

__all__ = [
    "BLANK",
    "NOT_FOUND",
    "OVERVOTE",
    "PHANTOM",
    "PHANTOM_BATCH",
    "AuditSpec",
    "DrawnBallot",
    "Method",
    "RoundResult",
    "StoredMethod",
    "add_overvotes",
    "batch_id",
    "batch_reading",
    "is_phantom",
    "marks",
    "parse_batch_reading",
    "phantom_batch",
    "sample_tally",
    "spec_from_json",
    "spec_to_json",
]

BLANK = "blank"
OVERVOTE = "overvote"
NOT_FOUND = "not_found"
PHANTOM = "phantom"  # the cast vote record of a ballot that has none (comparison audits)
PHANTOM_BATCH = "Phantom ballots (not in the manifest)"


class Method(StrEnum):
    """The ids of the stored methods: the ``--method`` values and the specification's
    ``method`` key (a stored audit names one of these; :mod:`ballotproof.audit.methods` maps
    each to its implementation)."""

    BRAVO = "bravo"
    MINERVA = "minerva"
    ALPHA = "alpha"
    SUPERSIMPLE = "supersimple"
    ALPHA_COMPARISON = "alpha-comparison"
    MACRO = "macro"
    SHANGRLA_COMPARISON = "shangrla-comparison"

    @property
    def stored(self) -> StoredMethod:
        """The method's implementation, from the registry (:mod:`ballotproof.audit.methods`)."""
        from ballotproof.audit.methods import METHODS  # the registry imports every method

        return METHODS[self]

    @property
    def is_comparison(self) -> bool:
        """Ballot comparison: each drawn card's reading is compared with its CVR."""
        return self.stored.is_comparison

    @property
    def is_batch(self) -> bool:
        """Batch comparison: batches are drawn (PPEB) and hand-counted whole."""
        return self.stored.is_batch


@dataclass(frozen=True, slots=True)
class AuditSpec:
    """What is fixed when an audit starts (all of it published).

    Attributes
    ----------
    name : the audit's name
    contest : the reported results of the contest under audit
    risk_limit : α
    method : the statistical method
    seed : the public random seed
    stop_probability : target chance that a round finishes the audit, for sizing rounds
    phantoms : ballots cast that the manifest does not account for, drawn as phantoms
        (:func:`phantom_batch`); 0 unless the user allowed phantoms
    round_rule : how later ballot-polling rounds are sized: ``evidence`` (from the sample so
        far; BRAVO) or ``step`` (the first round's size again; Minerva, and audits stored
        before the evidence rule, whose specifications do not name a rule)
    replacement : draws with replacement (True: every stored method) or of distinct ballots
        (False: ``alpha`` and ``alpha-comparison`` only, whose tests then use the
        finite-population martingale, :mod:`ballotproof.audit.alpha_audit`)
    contests : the contests of a multi-contest audit (``shangrla-comparison``), targeted and
        opportunistic; empty for every other method.  ``contest`` is then the first targeted
        contest as the CVRs report it, and its ``ballots`` the cards the sample is drawn from.
    margins : the reported assorter margin v of every assertion of ``contests``, keyed by
        (contest, assertion name), computed from the CVRs when the audit starts
    """

    name: str
    contest: AuditContest
    risk_limit: float
    method: Method
    seed: str
    stop_probability: float = 0.9
    phantoms: int = 0
    round_rule: str = "evidence"
    replacement: bool = True
    contests: tuple[AuditedContest, ...] = ()
    margins: Mapping[tuple[str, str], Fraction] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "contests", tuple(self.contests))
        object.__setattr__(self, "margins", MappingProxyType(dict(self.margins)))
        if (self.method is Method.SHANGRLA_COMPARISON) != bool(self.contests):
            raise AnalysisError("a shangrla-comparison audit names its contests, and only it does")
        if self.contests:
            for c in self.contests:
                for a in assertions_for(c):
                    if (c.name, a.name) not in self.margins:
                        raise AnalysisError(f"contest {c.name!r}: no margin for {a.name!r}")
            if not any(c.targeted for c in self.contests):
                raise AnalysisError("an audit needs at least one targeted contest")
        elif self.contest.winners != 1:
            raise AnalysisError(
                "audits here are of vote-for-one contests (an interpretation "
                "is one choice); this contest has "
                f"{self.contest.winners} winners"
            )
        if not 0.0 < self.risk_limit < 1.0:
            raise AnalysisError(f"risk limit must be in (0, 1), got {self.risk_limit}")
        if not self.seed:
            raise AnalysisError("the audit needs a public seed")
        if not 0.0 < self.stop_probability < 1.0:
            raise AnalysisError("stop probability must be in (0, 1)")
        if isinstance(self.phantoms, bool) or not isinstance(self.phantoms, int):
            raise AnalysisError(f"phantoms must be a whole number, got {self.phantoms!r}")
        if not 0 <= self.phantoms <= self.contest.ballots:
            raise AnalysisError(f"phantoms must be in 0..ballots cast, got {self.phantoms}")
        if self.round_rule not in ("evidence", "step"):
            raise AnalysisError(f"round rule must be evidence or step, got {self.round_rule!r}")
        if not isinstance(self.replacement, bool):
            raise AnalysisError(f"replacement must be true or false, got {self.replacement!r}")
        if not self.replacement and self.method not in (Method.ALPHA, Method.ALPHA_COMPARISON):
            raise AnalysisError(
                f"{self.method.value} draws with replacement; only alpha and alpha-comparison "
                "audits can draw without replacement"
            )
        if self.method is Method.MINERVA and self.round_rule == "evidence":
            # Minerva's risk limit is proven for a schedule fixed in advance [ZMMMV21].
            object.__setattr__(self, "round_rule", "step")

    def valid_interpretations(self) -> frozenset[str]:
        """The readings a drawn ballot may be given (its method's ``valid_readings``)."""
        return self.method.stored.valid_readings(self)


def phantom_batch(spec: AuditSpec) -> Batch | None:
    """The batch of phantom ballots appended to the manifest (``None`` if there are none)."""
    return Batch(None, None, PHANTOM_BATCH, spec.phantoms) if spec.phantoms else None


def is_phantom(
    spec: AuditSpec, jurisdiction: str | None, tabulator: str | None, batch: str
) -> bool:
    """Whether a drawn ballot (by where it is) is one of the audit's phantoms."""
    return bool(spec.phantoms) and (jurisdiction, tabulator, batch) == (None, None, PHANTOM_BATCH)


@dataclass(frozen=True, slots=True)
class RoundResult:
    """The outcome of one round.

    Attributes
    ----------
    number : 1-based round number
    size : cumulative draws after this round
    sample : cumulative sampled votes per choice (every draw counted)
    risk : the largest pair risk (the contest's risk)
    pair_risks : risk per "winner>loser" pair
    decision : CONFIRM, NEXT_ROUND or FULL_HAND_COUNT
    next_size : cumulative size of the next round (``None`` unless NEXT_ROUND)
    """

    number: int
    size: int
    sample: Mapping[str, int]
    risk: float
    pair_risks: Mapping[str, float]
    decision: Decision
    next_size: int | None

    def to_json(self) -> dict[str, object]:
        return {
            "round": self.number,
            "size": self.size,
            "sample": dict(self.sample),
            "risk": self.risk,
            "pair_risks": dict(self.pair_risks),
            "decision": self.decision.value,
            "next_size": self.next_size,
        }


def sample_tally(
    spec: AuditSpec, interpretations: Sequence[str], *, not_found_to: str | None = None
) -> dict[str, int]:
    """Votes per choice of a sequence of interpretations (one per draw).

    A ballot not found counts for ``not_found_to`` (a pair's loser, when testing that pair),
    or for nobody when ``None`` (for display: ``not_found`` is then reported on its own).
    """
    tally = dict.fromkeys(spec.contest.tally, 0)
    for choice in interpretations:
        if choice in (BLANK, OVERVOTE):
            continue
        if choice == NOT_FOUND:
            if not_found_to is not None:
                tally[not_found_to] += 1
        elif choice in tally:
            tally[choice] += 1
        else:
            raise AnalysisError(f"{choice!r} is not a choice of contest {spec.contest.name}")
    return tally


def marks(spec: AuditSpec, choice: str) -> dict[str, int]:
    """A reading as 0/1 marks; a ballot not found reads as a vote for every loser, and a
    phantom cast vote record as a vote for every winner (the worst case both ways)."""
    if choice == NOT_FOUND:
        return dict.fromkeys(spec.contest.reported_losers, 1)
    if choice == PHANTOM:
        return dict.fromkeys(spec.contest.reported_winners, 1)
    return {choice: 1} if choice in spec.contest.tally else {}


def add_overvotes(shown: dict[str, int], readings: Sequence[str]) -> None:
    """Overvotes are shown apart from blanks (the key appears only once there is one, so the
    documents of audits without overvotes keep their form)."""
    n = sum(1 for x in readings if x == OVERVOTE)
    if n:
        shown[OVERVOTE] = n


def batch_reading(tally: Mapping[str, int]) -> str:
    """A batch's hand count as its canonical reading: sorted JSON, no spaces."""
    return json.dumps(dict(sorted(tally.items())), separators=(",", ":"))


def parse_batch_reading(spec: AuditSpec, text: str) -> dict[str, int]:
    """The hand count in a batch reading (errors name what is wrong)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise AnalysisError(f"a batch reading is a JSON object of votes, got {text!r}") from None
    if not isinstance(data, dict) or any(
        k not in spec.contest.tally or isinstance(v, bool) or not isinstance(v, int) or v < 0
        for k, v in data.items()
    ):
        raise AnalysisError(
            "a batch reading gives whole votes ≥ 0 for choices of "
            f"{spec.contest.name} ({', '.join(spec.contest.tally)}), got {text!r}"
        )
    return {str(k): int(v) for k, v in data.items()}


def batch_id(name: str) -> str:
    """The reading key of a drawn batch in a batch-comparison audit."""
    return f"batch {name!r}"


def spec_to_json(spec: AuditSpec) -> dict[str, Any]:
    """The specification as journalled (``phantoms`` only when there are some,
    ``replacement`` only when it is false, and ``contests``/``margins`` only for a
    multi-contest audit, so that the specifications of earlier audits keep their hash)."""
    c = spec.contest
    doc: dict[str, Any] = {
        "name": spec.name,
        "contest": {
            "name": c.name,
            "tally": dict(c.tally),
            "ballots": c.ballots,
            "winners": c.winners,
        },
        "risk_limit": spec.risk_limit,
        "method": spec.method.value,
        "seed": spec.seed,
        "stop_probability": spec.stop_probability,
    }
    if spec.phantoms:
        doc["phantoms"] = spec.phantoms
    if spec.method is Method.BRAVO and spec.round_rule == "evidence":
        doc["round_rule"] = "evidence"
    if not spec.replacement:
        doc["replacement"] = False
    if spec.contests:
        doc["contests"] = [_contest_json(x) for x in spec.contests]
        doc["margins"] = [
            {"contest": k[0], "assertion": k[1], "v": str(v)} for k, v in spec.margins.items()
        ]
    return doc


def _contest_json(c: AuditedContest) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": c.name,
        "choices": list(c.choices),
        "winners": list(c.winners),
        "cards": c.cards,
        "targeted": c.targeted,
        "rule": c.rule.value,
        "votes_allowed": c.votes_allowed,
    }
    if c.share_to_win is not None:
        doc["share_to_win"] = str(c.share_to_win)
    return doc


def _contest_from_json(d: Mapping[str, Any]) -> AuditedContest:
    f = d.get("share_to_win")
    return AuditedContest(
        str(d["name"]),
        tuple(str(x) for x in d["choices"]),
        tuple(str(x) for x in d["winners"]),
        int(d["cards"]),
        bool(d["targeted"]),
        Rule(d["rule"]),
        int(d["votes_allowed"]),
        None if f is None else Fraction(str(f)),
    )


def spec_from_json(data: Mapping[str, Any]) -> AuditSpec:
    """The specification from its JSON; ``KeyError``/``TypeError``/``ValueError`` or
    :class:`AnalysisError` if it is damaged."""
    c = data["contest"]
    return AuditSpec(
        name=str(data["name"]),
        contest=AuditContest(
            str(c["name"]),
            {str(k): int(v) for k, v in c["tally"].items()},
            int(c["ballots"]),
            int(c["winners"]),
        ),
        risk_limit=float(data["risk_limit"]),
        method=Method(data["method"]),
        seed=str(data["seed"]),
        stop_probability=float(data["stop_probability"]),
        phantoms=int(data.get("phantoms", 0)),
        # Specifications stored before rounds were sized by evidence name no rule.
        round_rule=str(data.get("round_rule", "step")),
        # Absent: drawn with replacement, as every audit stored before the option.
        replacement=data.get("replacement", True),
        contests=tuple(_contest_from_json(x) for x in data.get("contests", ())),
        margins={
            (str(m["contest"]), str(m["assertion"])): Fraction(str(m["v"]))
            for m in data.get("margins", ())
        },
    )


@dataclass(frozen=True, slots=True)
class DrawnBallot:
    """What the round rule needs of one draw: its ballot id and where the ballot is."""

    ballot_id: str
    jurisdiction: str | None
    tabulator: str | None
    batch: str


class StoredMethod(Protocol):
    """What an audit method gives the process, the store, the use cases and the verifier.

    Attributes
    ----------
    method : its id (``--method``, the specification's ``method``)
    kind : "ballot polling", "ballot comparison" or "batch comparison"
    title : one line for people
    source : the paper (and the module that implements it)
    later_rounds : how a round after the first is sized
    is_comparison : each drawn card's reading is compared with its cast vote record
    is_batch : batches are drawn and hand-counted whole (the readings are hand counts)
    """

    @property
    def method(self) -> Method: ...
    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def later_rounds(self) -> str: ...
    @property
    def is_comparison(self) -> bool: ...
    @property
    def is_batch(self) -> bool: ...

    def valid_readings(self, spec: AuditSpec) -> frozenset[str]:
        """The readings a drawn ballot may be given (empty: the method parses each reading,
        :meth:`canonical_reading`)."""
        ...

    def canonical_reading(self, spec: AuditSpec, text: str) -> str:
        """The reading as stored (for a parsed reading, its canonical form); raises
        :class:`~ballotproof.errors.AnalysisError`, one line, if it is not a reading."""
        ...

    def first_round_size(
        self,
        spec: AuditSpec,
        *,
        batches: Sequence[Batch] = (),
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> int:
        """Draws of round 1 (``batches`` and ``reported`` matter to batch methods only)."""
        ...

    def recompute(
        self,
        spec: AuditSpec,
        batches: Sequence[Batch],
        rounds: Sequence[Sequence[DrawnBallot]],
        latest: Mapping[str, str],
        *,
        cvrs: Mapping[str, str] | None = None,
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> tuple[RoundResult, ...]:
        """Risk, decision and next round's size after each round, from the draws and the
        latest reading of each drawn ballot (:func:`ballotproof.audit.process.recompute`)."""
        ...
