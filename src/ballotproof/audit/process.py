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

Interpretations are a choice id, ``blank`` (no valid vote for the contest), or ``not_found``
(the ballot could not be retrieved). A ballot not found is the worst case for every pair: in
each winner–loser pair's test it counts as a vote for that pair's loser (and, in a comparison
audit, as a vote for every loser against the record). Audits are of vote-for-one contests:
an interpretation is one choice.

Round sizes: round 1 is the size whose chance of finishing the audit is ``stop_probability``
(default 90%) if the reported results are right; each later round adds that many draws again.
When the cumulative size would reach the number of ballots, the decision is a full hand count.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from ballotproof.audit import bravo, macro, minerva, supersimple
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.sampler import Batch, draw_sample
from ballotproof.errors import AnalysisError

__all__ = [
    "BLANK",
    "NOT_FOUND",
    "AuditSpec",
    "Check",
    "Method",
    "RoundResult",
    "batch_first_round",
    "batch_reading",
    "evaluate",
    "evaluate_batches",
    "first_round_size",
    "overstatements",
    "parse_batch_reading",
    "sample_tally",
    "verify_published",
]

BLANK = "blank"
NOT_FOUND = "not_found"


class Method(StrEnum):
    BRAVO = "bravo"
    MINERVA = "minerva"
    SUPERSIMPLE = "supersimple"
    MACRO = "macro"

    @property
    def is_comparison(self) -> bool:
        return self is Method.SUPERSIMPLE

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
    """

    name: str
    contest: AuditContest
    risk_limit: float
    method: Method
    seed: str
    stop_probability: float = 0.9

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

    def valid_interpretations(self) -> frozenset[str]:
        return frozenset(self.contest.tally) | {BLANK, NOT_FOUND}


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
        if choice == BLANK:
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
    """A reading as 0/1 marks; a ballot not found reads as a vote for every loser."""
    if choice == NOT_FOUND:
        return dict.fromkeys(spec.contest.reported_losers, 1)
    return {choice: 1} if choice in spec.contest.tally else {}


def overstatements(
    spec: AuditSpec, interpretations: Sequence[str], cvrs: Sequence[str]
) -> list[Fraction]:
    """ẽ of each draw: the cast vote record against the auditors' reading (Stark 2010)."""
    valid = spec.valid_interpretations()
    for choice in (*interpretations, *cvrs):
        if choice not in valid:
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
        for pair in c.pairs():
            samples = per_pair[str(pair)]
            samples.append(sample_tally(spec, cumulative, not_found_to=pair.loser))
            if spec.method is Method.BRAVO:
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
            next_size = len(cumulative) + step
            if next_size >= c.ballots:
                decision, next_size = Decision.FULL_HAND_COUNT, None
        shown = sample_tally(spec, cumulative, not_found_to=None)
        shown[NOT_FOUND] = sum(1 for x in cumulative if x == NOT_FOUND)
        results.append(
            RoundResult(number, len(cumulative), shown, risk, pairs, decision, next_size)
        )
    return tuple(results)


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
    for number, (draws, records) in enumerate(zip(rounds, cvrs, strict=True), start=1):
        if results and results[-1].decision is not Decision.NEXT_ROUND:
            raise AnalysisError(f"round {number} follows a round that ended the audit")
        es += overstatements(spec, draws, records)
        readings += list(draws)
        r = supersimple.risk(c, es, alpha=spec.risk_limit)
        decision, next_size = r.decision, None
        counts = supersimple.Discrepancies.from_overstatements(es)
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
        sample.update({f"discrepancy_{k}": getattr(counts, k) for k in ("o1", "o2", "u1", "u2")})
        results.append(
            RoundResult(
                number, len(es), sample, r.p_value, {"closest pair": r.p_value}, decision, next_size
            )
        )
    return tuple(results)


@dataclass(frozen=True, slots=True)
class Check:
    """One verification check and its outcome."""

    name: str
    ok: bool
    detail: str


def verify_published(
    spec: AuditSpec,
    batches: Sequence[Batch],
    round_sizes: Sequence[int],
    interpretations: Mapping[str, str],
    claimed: Sequence[Mapping[str, object]],
    *,
    claimed_draws: Sequence[tuple[int, str, str]] | None = None,
    cvrs: Mapping[str, str] | None = None,
) -> tuple[Check, ...]:
    """Recompute an audit from what was published, and compare with what was claimed.

    From the manifest (``batches``), the seed and the round sizes, the draws are recomputed
    (and compared with ``claimed_draws`` as (order, ticket, id), if given); from the recorded
    interpretation of every drawn ballot, the risk and decision of every round are recomputed
    and compared with the ``claimed`` round results (``RoundResult.to_json()`` documents).
    Every check is reported, passed or failed.
    """
    checks: list[Check] = []
    total = round_sizes[-1] if round_sizes else 0
    draws = draw_sample(batches, spec.seed, total).draws if total else ()
    checks.append(
        Check(
            "sample redrawn from manifest and seed",
            len(draws) == total,
            f"{len(draws)} of {total} draws",
        )
    )
    if claimed_draws is not None:
        same = [(d.order, d.ticket, d.id) for d in draws] == list(claimed_draws)
        checks.append(
            Check(
                "published draws match the recomputed ones", same, f"{len(claimed_draws)} published"
            )
        )
    bounds = [0, *round_sizes]
    per_round: list[list[str]] = []
    cvr_rounds: list[list[str]] | None = [] if spec.method.is_comparison else None
    missing: list[str] = []
    for j in range(len(claimed)):
        ids = [d.id for d in draws[bounds[j] : bounds[j + 1]]]
        missing += [i for i in ids if i not in interpretations]
        per_round.append([interpretations.get(i, NOT_FOUND) for i in ids])
        if cvr_rounds is not None:
            cvr_rounds.append([(cvrs or {}).get(i, BLANK) for i in ids])
    checks.append(
        Check(
            "every drawn ballot of a closed round has an interpretation",
            not missing,
            f"{len(missing)} missing" + (f", e.g. {missing[0]}" if missing else ""),
        )
    )
    try:
        recomputed = (
            [r.to_json() for r in evaluate(spec, per_round, cvr_rounds)] if per_round else []
        )
        ok = recomputed == [dict(c) for c in claimed]
        detail = f"{len(recomputed)} round(s) recomputed"
        if not ok:
            diffs = [
                j + 1
                for j, (a, b) in enumerate(zip(recomputed, claimed, strict=False))
                if a != dict(b)
            ]
            detail += f"; differing rounds: {diffs or 'count differs'}"
    except AnalysisError as exc:
        ok, detail = False, str(exc)
    checks.append(Check("risk and decisions recomputed from interpretations", ok, detail))
    return tuple(checks)


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
