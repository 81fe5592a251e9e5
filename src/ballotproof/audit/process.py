"""The audit as a process: rounds of draws, recorded interpretations, risk, decision.

This module is pure: it turns an audit's specification, the draws of each round and the
interpretations recorded for the drawn ballots into the risk and the decision after each round.
The store (:mod:`ballotproof.store`) keeps these inputs; ``audit verify`` recomputes everything
here from them.

Ballot-polling methods (sampling with replacement, as Arlo does; every draw counts, so a
ballot drawn twice counts twice):

* ``bravo`` — BRAVO (Lindeman, Stark & Yates 2012), :mod:`ballotproof.audit.bravo`, on the
  cumulative sample;
* ``minerva`` — Minerva (Zagórski et al. 2021), :mod:`ballotproof.audit.minerva`, on the
  cumulative sample after each round, with the round schedule.

ALPHA (``alpha``, ``alpha-comparison``; :mod:`ballotproof.audit.alpha_audit`) may also draw
distinct ballots (``AuditSpec.replacement`` false, journalled as ``"replacement": false``):
its tests then use the finite-population martingale and its planned sizes the same test.

Ballot comparison (``supersimple``, Stark 2010, :mod:`ballotproof.audit.supersimple`): each
drawn ballot's interpretation is compared with its cast vote record; the overstatement of the
closest pair's margin enters the Kaplan–Markov p-value. Round 1 is the size planned for the
customary discrepancy rates; a later round grows to the size at which the discrepancies seen so
far, continuing at their observed rate, would still meet the risk limit (Stark's rule).

Batch comparison (``macro``, Stark 2008/2009, :mod:`ballotproof.audit.macro`): batches are
drawn with probability proportional to their error bound (PPEB, :mod:`ballotproof.audit.ppeb`)
and counted by hand; each drawn batch's hand count against its reported tally gives a taint,
and the Kaplan–Markov p-value of the taints is the risk. The reading of a drawn batch is its
hand count, written as canonical JSON (``{"A":60,"B":40}``). Round 1 is
⌈ln α / ln(1 − 1/U)⌉ draws; each later round adds that many again; when the batches already
counted plus one more round could cover every batch, the decision is to count them all.

Interpretations are a choice id, ``blank`` (no vote for the contest), ``overvote`` (more
marks than allowed: no valid vote, kept apart from ``blank`` in the tallies shown), or
``not_found`` (the ballot could not be retrieved). A ballot not found is the worst case for
every pair: in each winner–loser pair's test it counts as a vote for that pair's loser (and,
in a comparison audit, as a vote for every loser against the record). Audits are of
vote-for-one contests: an interpretation is one choice.

Phantoms (Bañuelos & Stark, "Limiting risk by turning manifest phantoms into evil zombies",
arXiv:1207.3413, 2012; SHANGRLA's phantom cards). A manifest that accounts for fewer ballots
than the contest's ballots cast is refused unless phantoms are allowed; then the shortfall
becomes one extra batch of phantom ballots (:func:`phantom_batch`, last in the manifest),
drawn like any other. A drawn phantom has no paper: it always reads as ``not_found``, the
worst case for the reported winners, whatever anyone records. In a comparison audit a ballot
of the manifest with no cast vote record gets the phantom record ``phantom``, which reads as
a vote for every reported winner, so that any reading of the ballot is the largest
overstatement it can be.

Round sizes: round 1 is the size whose chance of finishing the audit is ``stop_probability``
(default 90%) if the reported results are right. Later rounds (``round_rule``):

* ``evidence`` (BRAVO audits started since rounds are sized by evidence): the next round is
  the size that gives that same chance of finishing *given the sample so far*
  (:mod:`ballotproof.audit.rounds`, as Arlo and r2b2 do); valid for BRAVO, whose test may be
  looked at whenever the data suggest;
* ``step`` (Minerva, whose guarantee is for a schedule fixed in advance, and every audit
  stored before): each later round adds the first round's size again.

When the cumulative size would reach the number of ballots, the decision is a full hand count.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from ballotproof.audit import alpha, alpha_audit, bravo, macro, minerva, supersimple
from ballotproof.audit import rounds as rounds_mod
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.ppeb import draw_ppeb
from ballotproof.audit.sampler import Batch, Draw
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
    "batch_first_round",
    "batch_id",
    "batch_reading",
    "evaluate",
    "evaluate_batches",
    "first_round_size",
    "is_phantom",
    "macro_batches",
    "overstatements",
    "parse_batch_reading",
    "phantom_batch",
    "ppeb_draws",
    "recompute",
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
    """The methods an audit can be stored with (described in :mod:`ballotproof.audit.methods`)."""

    BRAVO = "bravo"
    MINERVA = "minerva"
    ALPHA = "alpha"
    SUPERSIMPLE = "supersimple"
    ALPHA_COMPARISON = "alpha-comparison"
    MACRO = "macro"

    @property
    def is_comparison(self) -> bool:
        return self in (Method.SUPERSIMPLE, Method.ALPHA_COMPARISON)

    @property
    def is_batch(self) -> bool:
        """Batch comparison: batches are drawn (PPEB) and hand-counted whole."""
        return self is Method.MACRO


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

    def __post_init__(self) -> None:
        if self.contest.winners != 1:
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
        return frozenset(self.contest.tally) | {BLANK, OVERVOTE, NOT_FOUND}


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


def first_round_size(spec: AuditSpec) -> int:
    """The size whose chance of finishing the audit is ``spec.stop_probability``."""
    c = spec.contest
    targets = (spec.stop_probability,)
    if spec.method is Method.SUPERSIMPLE:
        planned = supersimple.planned_sample_size(c, alpha=spec.risk_limit).n
        return c.ballots if planned is None else min(planned, c.ballots)
    if spec.method is Method.ALPHA_COMPARISON:
        ac = alpha.comparison_sample_size(c, alpha=spec.risk_limit, replacement=spec.replacement)
        return min(ac.n, c.ballots)
    if spec.method is Method.ALPHA:
        plan = (
            alpha.polling_sample_sizes
            if spec.replacement
            else alpha.polling_sample_sizes_without_replacement
        )
        return plan(c, alpha=spec.risk_limit, probabilities=targets).sizes[0].n
    if spec.method is Method.BRAVO:
        size = bravo.bravo_sample_sizes(c, alpha=spec.risk_limit, probabilities=targets).sizes[0]
    else:
        size = minerva.minerva_sample_sizes(c, alpha=spec.risk_limit, probabilities=targets).sizes[
            0
        ]
    return size.n


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


def _marks(spec: AuditSpec, choice: str) -> dict[str, int]:
    """A reading as 0/1 marks; a ballot not found reads as a vote for every loser, and a
    phantom cast vote record as a vote for every winner (the worst case both ways)."""
    if choice == NOT_FOUND:
        return dict.fromkeys(spec.contest.reported_losers, 1)
    if choice == PHANTOM:
        return dict.fromkeys(spec.contest.reported_winners, 1)
    return {choice: 1} if choice in spec.contest.tally else {}


def overstatements(
    spec: AuditSpec, interpretations: Sequence[str], cvrs: Sequence[str]
) -> list[Fraction]:
    """ẽ of each draw: the cast vote record against the auditors' reading (Stark 2010)."""
    valid = spec.valid_interpretations()
    for choice in interpretations:
        if choice not in valid:
            raise AnalysisError(f"{choice!r} is not a choice of contest {spec.contest.name}")
    for choice in cvrs:
        if choice not in valid and choice != PHANTOM:
            raise AnalysisError(f"{choice!r} is not a choice of contest {spec.contest.name}")
    return [
        supersimple.ballot_overstatement(spec.contest, _marks(spec, cvr), _marks(spec, mvr))
        for mvr, cvr in zip(interpretations, cvrs, strict=True)
    ]


def evaluate(
    spec: AuditSpec,
    rounds: Sequence[Sequence[str]],
    cvrs: Sequence[Sequence[str]] | None = None,
) -> tuple[RoundResult, ...]:
    """Risk and decision after each round.

    ``rounds[j]`` lists the interpretation of every draw of round j + 1, in draw order, and
    for a comparison audit ``cvrs[j]`` the cast vote record of the same draws. The audit stops
    at the first round that confirms or escalates; later rounds are an error.
    """
    if spec.method.is_comparison:
        if cvrs is None or [len(r) for r in cvrs] != [len(r) for r in rounds]:
            raise AnalysisError("a comparison audit needs the cast vote record of every draw")
        return _evaluate_comparison(spec, rounds, cvrs)
    c = spec.contest
    if c.tied:
        return (
            RoundResult(1, 0, dict.fromkeys(c.tally, 0), 1.0, {}, Decision.FULL_HAND_COUNT, None),
        )
    step = first_round_size(spec)
    results: list[RoundResult] = []
    cumulative: list[str] = []
    sizes: list[int] = []
    # One cumulative sample per pair and round: a ballot not found counts for that pair's
    # loser, the worst case for every pair at once.
    per_pair: dict[str, list[dict[str, int]]] = {str(p): [] for p in c.pairs()}
    for number, draws in enumerate(rounds, start=1):
        if results and results[-1].decision is not Decision.NEXT_ROUND:
            raise AnalysisError(f"round {number} follows a round that ended the audit")
        cumulative += list(draws)
        sizes.append(len(cumulative))
        pairs: dict[str, float] = {}
        confirmed = True
        alpha_risks = (
            alpha_audit.polling_pair_risks(
                c, cumulative, risk_limit=spec.risk_limit, not_found=NOT_FOUND, N=_population(spec)
            )
            if spec.method is Method.ALPHA
            else {}
        )
        for pair in c.pairs():
            samples = per_pair[str(pair)]
            samples.append(sample_tally(spec, cumulative, not_found_to=pair.loser))
            if spec.method is Method.ALPHA:
                pairs[str(pair)] = alpha_risks[pair]
                confirmed = confirmed and alpha_risks[pair] <= spec.risk_limit
            elif spec.method is Method.BRAVO:
                r = bravo.bravo_risk(c, samples[-1], alpha=spec.risk_limit, n=len(cumulative))
                entry = next(x for x in r.pairs if x.pair == pair)
                pairs[str(pair)] = entry.risk
                confirmed = confirmed and entry.risk <= spec.risk_limit
            else:
                m = minerva.minerva_risk(c, samples, alpha=spec.risk_limit, round_sizes=sizes)
                mentry = next(x for x in m.pairs if x.pair == pair)
                pairs[str(pair)] = mentry.risk
                confirmed = confirmed and mentry.stopped_round is not None
        risk = max(pairs.values())
        decision = Decision.CONFIRM if confirmed else Decision.NEXT_ROUND
        next_size = None
        if decision is Decision.NEXT_ROUND:
            if spec.method is Method.BRAVO and spec.round_rule == "evidence":
                so_far = {
                    pair: (
                        per_pair[str(pair)][-1][pair.winner],
                        per_pair[str(pair)][-1][pair.loser],
                    )
                    for pair in c.pairs()
                }
                more = rounds_mod.bravo_next_round(
                    c, so_far, alpha=spec.risk_limit, probability=spec.stop_probability
                )
                next_size = len(cumulative) + max(1, more)
            else:
                next_size = len(cumulative) + step
            if next_size >= c.ballots:
                decision, next_size = Decision.FULL_HAND_COUNT, None
        shown = sample_tally(spec, cumulative, not_found_to=None)
        shown[NOT_FOUND] = sum(1 for x in cumulative if x == NOT_FOUND)
        _add_overvotes(shown, cumulative)
        results.append(
            RoundResult(number, len(cumulative), shown, risk, pairs, decision, next_size)
        )
    return tuple(results)


def _population(spec: AuditSpec) -> int | None:
    """N for a test of draws without replacement, None for draws with replacement."""
    return None if spec.replacement else spec.contest.ballots


def _add_overvotes(shown: dict[str, int], readings: Sequence[str]) -> None:
    """Overvotes are shown apart from blanks (the key appears only once there is one, so the
    documents of audits without overvotes keep their form)."""
    n = sum(1 for x in readings if x == OVERVOTE)
    if n:
        shown[OVERVOTE] = n


def _evaluate_comparison(
    spec: AuditSpec, rounds: Sequence[Sequence[str]], cvrs: Sequence[Sequence[str]]
) -> tuple[RoundResult, ...]:
    c = spec.contest
    if c.tied:
        return (
            RoundResult(1, 0, dict.fromkeys(c.tally, 0), 1.0, {}, Decision.FULL_HAND_COUNT, None),
        )
    results: list[RoundResult] = []
    es: list[Fraction] = []
    readings: list[str] = []
    all_records: list[str] = []
    for number, (draws, records) in enumerate(zip(rounds, cvrs, strict=True), start=1):
        if results and results[-1].decision is not Decision.NEXT_ROUND:
            raise AnalysisError(f"round {number} follows a round that ended the audit")
        es += overstatements(spec, draws, records)
        readings += list(draws)
        all_records += list(records)
        counts = supersimple.Discrepancies.from_overstatements(es)
        if spec.method is Method.ALPHA_COMPARISON:
            cvr_marks = [_marks(spec, x) for x in all_records]
            mvr_marks = [_marks(spec, x) for x in readings]
            risks = alpha_audit.comparison_pair_risks(
                c, cvr_marks, mvr_marks, risk_limit=spec.risk_limit, N=_population(spec)
            )
            p = max(risks.values())
            decision = Decision.CONFIRM if p <= spec.risk_limit else Decision.NEXT_ROUND
            next_size = None
            if decision is Decision.NEXT_ROUND:
                next_size = len(es) + alpha_audit.comparison_next_round(
                    c, cvr_marks, mvr_marks, risk_limit=spec.risk_limit, N=_population(spec)
                )
                if next_size >= c.ballots:
                    decision, next_size = Decision.FULL_HAND_COUNT, None
            sample = sample_tally(spec, readings)
            sample[NOT_FOUND] = sum(1 for x in readings if x == NOT_FOUND)
            _add_overvotes(sample, readings)
            sample.update(
                {f"discrepancy_{k}": getattr(counts, k) for k in ("o1", "o2", "u1", "u2")}
            )
            results.append(
                RoundResult(
                    number, len(es), sample, p, {str(k): v for k, v in risks.items()},
                    decision, next_size,
                )
            )  # fmt: skip
            continue
        r = supersimple.risk(c, es, alpha=spec.risk_limit)
        decision, next_size = r.decision, None
        if decision is Decision.NEXT_ROUND:
            grown = supersimple.escalated_sample_size(
                c, alpha=spec.risk_limit, sampled=len(es), observed=counts
            ).n
            # Grow to Stark's escalated size; should it not exceed the sample, add a round.
            next_size = c.ballots if grown is None else grown
            if next_size <= len(es):
                next_size = len(es) + first_round_size(spec)
            if next_size >= c.ballots:
                decision, next_size = Decision.FULL_HAND_COUNT, None
        sample = sample_tally(spec, readings)
        sample[NOT_FOUND] = sum(1 for x in readings if x == NOT_FOUND)
        _add_overvotes(sample, readings)
        sample.update({f"discrepancy_{k}": getattr(counts, k) for k in ("o1", "o2", "u1", "u2")})
        results.append(
            RoundResult(
                number, len(es), sample, r.p_value, {"closest pair": r.p_value}, decision, next_size
            )
        )
    return tuple(results)


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


def batch_first_round(spec: AuditSpec, batches: Sequence[macro.Batch]) -> int:
    """MACRO's first round: batches to draw if no errors are expected (Stark 2009)."""
    return macro.sample_size(spec.contest, batches, alpha=spec.risk_limit).n


def evaluate_batches(
    spec: AuditSpec,
    batches: Sequence[macro.Batch],
    rounds: Sequence[Sequence[str]],
    readings: Mapping[str, str],
) -> tuple[RoundResult, ...]:
    """Risk and decision after each round of a batch-comparison (MACRO) audit.

    ``rounds[j]`` names the batch of every draw of round j + 1 (a batch drawn twice appears
    twice); ``readings`` maps each drawn batch to its hand count (:func:`batch_reading`).
    """
    c = spec.contest
    step = batch_first_round(spec, batches)
    results: list[RoundResult] = []
    names: list[str] = []
    for number, draws in enumerate(rounds, start=1):
        if results and results[-1].decision is not Decision.NEXT_ROUND:
            raise AnalysisError(f"round {number} follows a round that ended the audit")
        names += list(draws)
        audited = {n: parse_batch_reading(spec, readings[n]) for n in set(names)}
        r = macro.risk(c, batches, names, audited, alpha=spec.risk_limit)
        decision, next_size = r.decision, None
        if decision is Decision.NEXT_ROUND:
            next_size = len(names) + step
            # Draws are with replacement: what matters is how many batches remain uncounted.
            # If the next round could reach them all, count them all.
            if len(set(names)) + step >= len(batches):
                decision, next_size = Decision.FULL_HAND_COUNT, None
        counted = {k: 0 for k in c.tally}
        for n in set(names):
            for k, v in audited[n].items():
                counted[k] += v
        results.append(
            RoundResult(
                number,
                len(names),
                counted,
                r.p_value,
                {"all pairs (taints)": r.p_value},
                decision,
                next_size,
            )
        )
    return tuple(results)


def batch_id(name: str) -> str:
    """The reading key of a drawn batch in a batch-comparison audit."""
    return f"batch {name!r}"


def macro_batches(
    batches: Sequence[Batch], reported: Mapping[str, Mapping[str, int]]
) -> list[macro.Batch]:
    """The manifest's batches with their reported tallies, for a batch-comparison audit."""
    return [macro.Batch(b.name, b.ballots, dict(reported.get(b.name, {}))) for b in batches]


def ppeb_draws(
    spec: AuditSpec,
    batches: Sequence[Batch],
    reported: Sequence[macro.Batch],
    size: int,
    skip: int,
) -> list[Draw]:
    """The PPEB draws of a batch-comparison audit, as draws whose ballot is the batch
    (position 1 stands for the whole batch)."""
    bounds = {b.name: macro.error_bound(spec.contest, b) for b in reported}
    by_name = {b.name: b for b in batches}
    sample = draw_ppeb(bounds, spec.seed, size, skip=skip)
    return [
        Draw(d.order, d.ticket, batch_id(d.batch), d.generation, by_name[d.batch].ballot(1))
        for d in sample.draws
    ]


def spec_to_json(spec: AuditSpec) -> dict[str, Any]:
    """The specification as journalled (``phantoms`` only when there are some, and
    ``replacement`` only when it is false, so that the specifications of earlier audits keep
    their hash)."""
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
    return doc


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
    )


@dataclass(frozen=True, slots=True)
class DrawnBallot:
    """What the round rule needs of one draw: its ballot id and where the ballot is."""

    ballot_id: str
    jurisdiction: str | None
    tabulator: str | None
    batch: str


def recompute(
    spec: AuditSpec,
    batches: Sequence[Batch],
    rounds: Sequence[Sequence[DrawnBallot]],
    latest: Mapping[str, str],
    *,
    cvrs: Mapping[str, str] | None = None,
    reported: Mapping[str, Mapping[str, int]] | None = None,
) -> tuple[RoundResult, ...]:
    """Risk and decision of rounds 1…len(rounds) from the latest reading of each drawn ballot.

    The one place where draws meet readings, for the store (closing a round) and for every
    verification: a phantom reads as ``not_found`` whatever was recorded, a ballot with no cast
    vote record has the record ``phantom``, and a batch's reading is its hand count.
    ``KeyError`` names a drawn ballot with no reading.
    """
    if spec.method.is_batch:
        names = [[d.batch for d in r] for r in rounds]
        readings = {d.batch: latest[d.ballot_id] for r in rounds for d in r}
        return evaluate_batches(spec, macro_batches(batches, reported or {}), names, readings)

    def reading(d: DrawnBallot) -> str:
        if is_phantom(spec, d.jurisdiction, d.tabulator, d.batch):
            return NOT_FOUND
        return latest[d.ballot_id]

    per_round = [[reading(d) for d in r] for r in rounds]
    if not spec.method.is_comparison:
        return evaluate(spec, per_round)
    table = cvrs or {}
    cvr_rounds = [[table.get(d.ballot_id, PHANTOM) for d in r] for r in rounds]
    return evaluate(spec, per_round, cvr_rounds)
