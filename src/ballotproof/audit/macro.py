"""MACRO: batch-level comparison audit with the Kaplan–Markov P-value and PPEB sampling.

Sources
-------
P. B. Stark, "Risk-limiting post-election audits: P-values from common probability
inequalities", IEEE Trans. Inf. Forensics Security 4(4):1005–1014, 2009.  [S09]
P. B. Stark, "Efficient post-election audits of multiple contests: 2009 California tests",
SSRN 1443314, 2009.  [MACRO]

Setting and symbols
-------------------
The ballots are divided into batches p = 1..K.  For batch p, ``b_p`` is (an upper bound on)
the number of cards in the batch that can contain the contest, ``v_pc`` the reported votes
for choice c and ``a_pc`` the votes found by hand.  ``V_wℓ = Σ_p (v_pw − v_pℓ) > 0`` is the
reported margin of winner w over loser ℓ.  When the batch tallies add up to the contest's,
``Σ_p (v_pw − v_pℓ) = V_wℓ``.

Overstatement and its bound.  The maximum relative overstatement of batch p is ::

    e_p = max_{w,ℓ} [(v_pw − v_pℓ) − (a_pw − a_pℓ)] / V_wℓ

and, since ``a_pw ≥ 0`` and ``a_pℓ ≤ b_p``, it is bounded by the *error bound* ::

    u_p = max_{w,ℓ} (v_pw − v_pℓ + b_p) / V_wℓ          ("MACRO" of [MACRO])

If the reported outcome is wrong, some pair's margin is wiped out, so ``Σ_p e_p ≥ 1``.
``U = Σ_p u_p ≥ 1 + Σ_p b_p / V_wℓ > 1``: some error within the bounds can always change the
outcome, so MACRO always samples.

Sampling.  Batches are drawn independently *with replacement* with probability ``u_p / U``
(probability proportional to error bound, PPEB).  The *taint* of a drawn batch is
``t_p = e_p / u_p ≤ 1``.

Kaplan–Markov P-value [S09; MACRO].  With ``T_j = t_{p_j}``, ``E T_j = Σ_p e_p / U``,
which is ≥ 1/U under the null, so ``Π_j (1 − T_j)/(1 − 1/U)`` is a non-negative
supermartingale with mean ≤ 1 and ::

    P = Π_{j=1..n} (1 − 1/U) / (1 − t_{p_j})

is a sequentially valid P-value: the audit may stop the first time ``P ≤ α``.  A taint of 1
makes the factor infinite (P = 1): that batch could hide the whole margin.

Sample size with no error expected: the smallest n with ``(1 − 1/U)^n ≤ α`` ::

    n = ⌈ln α / ln(1 − 1/U)⌉              (U = 21, α = 25 %: 28.41… → 29)

Arlo adds one batch to this ("per a recommendation from Mark Lindeman"), giving 30.  That
extra batch is a planning cushion — a little room for a small taint so the first round is more
likely to finish — not something the risk limit needs: validity comes from the P-value, which
is computed from whatever is drawn.  :func:`sample_size` returns 29 and adds a cushion only if
asked (``pad=1`` reproduces Arlo's 30).

Assumptions: the batch tallies add up to the contest's reported tally; ``b_p`` really bounds
the cards in batch p; the hand counts are of the whole batch; one contest (MACRO across several
contests takes the maximum over contests as well; this module audits one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from fractions import Fraction
from types import MappingProxyType

from ballotproof.audit.contest import AuditContest, Decision, jsonable
from ballotproof.audit.sampler import Batch as ManifestBatch
from ballotproof.audit.spec import (
    BLANK,
    NOT_FOUND,
    OVERVOTE,
    AuditSpec,
    DrawnBallot,
    Method,
    RoundResult,
    batch_reading,
    parse_batch_reading,
)
from ballotproof.errors import AnalysisError

__all__ = [
    "Batch",
    "MacroRisk",
    "MacroSampleSize",
    "error_bound",
    "kaplan_markov_p_value",
    "ppeb_probabilities",
    "relative_overstatement",
    "risk",
    "sample_size",
    "taint",
    "total_error_bound",
]

METHOD = "MACRO"


@dataclass(frozen=True, slots=True)
class Batch:
    """One batch as reported.

    Attributes
    ----------
    name : str
    ballots : b_p, cards in the batch that can contain the contest (an upper bound)
    tally : reported votes v_p by choice (choices not listed have 0)
    """

    name: str
    ballots: int
    tally: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.ballots, bool) or not isinstance(self.ballots, int):
            raise AnalysisError(f"batch {self.name}: ballots must be an integer")
        if self.ballots < 0:
            raise AnalysisError(f"batch {self.name}: negative ballots")
        for choice, votes in self.tally.items():
            if isinstance(votes, bool) or not isinstance(votes, int) or votes < 0:
                raise AnalysisError(f"batch {self.name}: votes for {choice} must be ≥ 0")
            if votes > self.ballots:
                raise AnalysisError(
                    f"batch {self.name}: {votes} votes for {choice} from {self.ballots} cards"
                )
        object.__setattr__(self, "tally", MappingProxyType(dict(self.tally)))


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"risk limit alpha must be in (0, 1), got {alpha!r}")


def _check_counts(
    contest: AuditContest, batch: Batch, counts: Mapping[str, int], what: str
) -> None:
    for choice, votes in counts.items():
        if choice not in contest.tally:
            raise AnalysisError(f"batch {batch.name}: unknown choice {choice!r} in {what}")
        if isinstance(votes, bool) or not isinstance(votes, int) or not 0 <= votes <= batch.ballots:
            raise AnalysisError(
                f"batch {batch.name}: {what} votes for {choice} must be in [0, {batch.ballots}]"
            )
    if sum(counts.values()) > batch.ballots * contest.winners:
        raise AnalysisError(
            f"batch {batch.name}: {sum(counts.values())} {what} votes cannot come from "
            f"{batch.ballots} cards"
        )


def _margin(contest: AuditContest, winner: str, loser: str) -> int:
    return contest.tally[winner] - contest.tally[loser]


def error_bound(contest: AuditContest, batch: Batch) -> Fraction:
    """u_p = max over pairs of (v_pw − v_pℓ + b_p) / V_wℓ.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 54000}, ballots=120000)
    >>> error_bound(c, Batch("b1", 400, {"w": 200, "l": 180}))
    Fraction(7, 100)
    """
    if contest.tied:
        raise AnalysisError(f"contest {contest.name} is tied: error bounds are infinite")
    _check_counts(contest, batch, batch.tally, "reported")
    v = batch.tally
    return max(
        Fraction(
            v.get(p.winner, 0) - v.get(p.loser, 0) + batch.ballots,
            _margin(contest, p.winner, p.loser),
        )
        for p in contest.pairs()
    )


def relative_overstatement(
    contest: AuditContest, batch: Batch, audited: Mapping[str, int]
) -> Fraction:
    """e_p = max over pairs of ((v_pw − v_pℓ) − (a_pw − a_pℓ)) / V_wℓ (may be negative)."""
    if contest.tied:
        raise AnalysisError(f"contest {contest.name} is tied: relative overstatement undefined")
    _check_counts(contest, batch, batch.tally, "reported")
    _check_counts(contest, batch, audited, "audited")
    v, a = batch.tally, audited
    return max(
        Fraction(
            (v.get(p.winner, 0) - v.get(p.loser, 0)) - (a.get(p.winner, 0) - a.get(p.loser, 0)),
            _margin(contest, p.winner, p.loser),
        )
        for p in contest.pairs()
    )


def taint(contest: AuditContest, batch: Batch, audited: Mapping[str, int]) -> Fraction:
    """t_p = e_p / u_p ≤ 1."""
    u = error_bound(contest, batch)
    if u == 0:
        raise AnalysisError(f"batch {batch.name} has error bound 0 and is never drawn")
    return relative_overstatement(contest, batch, audited) / u


def _check_batches(contest: AuditContest, batches: Sequence[Batch]) -> None:
    if not batches:
        raise AnalysisError("MACRO needs at least one batch")
    names = [b.name for b in batches]
    if len(set(names)) != len(names):
        raise AnalysisError("batch names must be unique")
    for choice, votes in contest.tally.items():
        total = sum(b.tally.get(choice, 0) for b in batches)
        if total != votes:
            raise AnalysisError(
                f"batches report {total} votes for {choice}; the contest reports {votes}"
            )
    for b in batches:
        _check_counts(contest, b, b.tally, "reported")


def total_error_bound(contest: AuditContest, batches: Sequence[Batch]) -> Fraction:
    """U = Σ_p u_p."""
    _check_batches(contest, batches)
    return sum((error_bound(contest, b) for b in batches), Fraction(0))


def ppeb_probabilities(contest: AuditContest, batches: Sequence[Batch]) -> tuple[Fraction, ...]:
    """Selection probability u_p / U of each batch (PPEB), in the order given."""
    bounds = [error_bound(contest, b) for b in batches]
    big_u = total_error_bound(contest, batches)
    if big_u == 0:
        raise AnalysisError("every error bound is 0: nothing to sample")
    return tuple(u / big_u for u in bounds)


def kaplan_markov_p_value(big_u: float | Fraction, taints: Sequence[float | Fraction]) -> float:
    """P = Π (1 − 1/U) / (1 − t_j), capped at 1; 0 when U < 1 (no error can change the outcome).

    Examples
    --------
    >>> kaplan_markov_p_value(21, [0] * 29) < 0.25 < kaplan_markov_p_value(21, [0] * 28)
    True
    """
    if big_u < 1:
        return 0.0
    if any(t > 1 for t in taints):
        raise AnalysisError("a taint cannot exceed 1")
    if any(t == 1 for t in taints):
        return 1.0
    if not taints:
        return 1.0
    if big_u == 1:
        return 0.0
    log_p = len(taints) * math.log1p(-1 / float(big_u)) - math.fsum(
        math.log1p(-float(t)) for t in taints
    )
    return min(1.0, math.exp(log_p))


@dataclass(frozen=True, slots=True)
class MacroSampleSize:
    """Batches to draw (PPEB, with replacement) so an error-free sample confirms at α.

    Attributes
    ----------
    method : "MACRO"
    alpha : risk limit α
    U : total error bound Σ u_p
    K : number of batches
    pad : cushion added on request (0 by default; Arlo uses 1)
    n : draws; K when a full hand count is needed
    decision : NEXT_ROUND, or FULL_HAND_COUNT (tie, or n would reach K)
    """

    method: str
    alpha: float
    U: Fraction
    K: int
    pad: int
    n: int
    decision: Decision

    def to_json(self) -> dict[str, object]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class MacroRisk:
    """The Kaplan–Markov P-value of a MACRO sample.

    Attributes
    ----------
    method, alpha, U, K : as in :class:`MacroSampleSize`
    draws : the batch names in draw order (with repeats)
    t : the taint of each draw
    p_value : P (S09's P_KM); 0 when every batch was counted and confirms the outcome
    decision : CONFIRM if P ≤ α; FULL_HAND_COUNT for a tie or when every batch was counted
        and the count does not confirm the reported winners; else NEXT_ROUND
    """

    method: str
    alpha: float
    U: Fraction
    K: int
    draws: tuple[str, ...]
    t: tuple[Fraction, ...]
    p_value: float
    decision: Decision

    @property
    def n(self) -> int:
        return len(self.draws)

    def to_json(self) -> dict[str, object]:
        out = {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}
        out["n"] = self.n
        return out


def sample_size(
    contest: AuditContest, batches: Sequence[Batch], *, alpha: float, pad: int = 0
) -> MacroSampleSize:
    """n = ⌈ln α / ln(1 − 1/U)⌉ (+ ``pad``) batches.

    Parameters
    ----------
    pad : extra batches to add as a cushion (see the module docstring); not needed for the
        risk limit.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 600, "l": 400}, ballots=1000)
    >>> bs = [Batch(f"b{i}", 10, {"w": 6, "l": 4}) for i in range(100)]
    >>> r = sample_size(c, bs, alpha=0.1)
    >>> r.U, r.n
    (Fraction(6, 1), 13)
    """
    _check_alpha(alpha)
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise AnalysisError(f"pad must be a non-negative integer, got {pad!r}")
    k = len(batches)
    if contest.tied:
        _check_batches(contest, batches)
        return MacroSampleSize(METHOD, alpha, Fraction(0), k, pad, k, Decision.FULL_HAND_COUNT)
    big_u = total_error_bound(contest, batches)  # > 1: see the module docstring
    n = math.ceil(math.log(alpha) / math.log1p(-1 / float(big_u))) + pad
    if n >= k:
        return MacroSampleSize(METHOD, alpha, big_u, k, pad, k, Decision.FULL_HAND_COUNT)
    return MacroSampleSize(METHOD, alpha, big_u, k, pad, n, Decision.NEXT_ROUND)


def _full_count_confirms(
    contest: AuditContest, batches: Sequence[Batch], audited: Mapping[str, Mapping[str, int]]
) -> bool:
    totals = {c: sum(audited[b.name].get(c, 0) for b in batches) for c in contest.tally}
    lowest_winner = min(totals[w] for w in contest.reported_winners)
    highest_loser = max(totals[ell] for ell in contest.reported_losers)
    return lowest_winner > highest_loser


def risk(
    contest: AuditContest,
    batches: Sequence[Batch],
    draws: Sequence[str],
    audited: Mapping[str, Mapping[str, int]],
    *,
    alpha: float,
) -> MacroRisk:
    """Kaplan–Markov P-value of a PPEB sample of batches.

    Parameters
    ----------
    draws : names of the drawn batches in draw order, repeated if drawn more than once
    audited : hand count of each drawn batch, by batch name

    Examples
    --------
    >>> c = AuditContest("A", {"w": 600, "l": 400}, ballots=1000)
    >>> bs = [Batch(f"b{i}", 10, {"w": 6, "l": 4}) for i in range(100)]
    >>> r = risk(c, bs, ["b0"] * 13, {"b0": {"w": 6, "l": 4}}, alpha=0.1)
    >>> r.decision, round(r.p_value, 4)
    (<Decision.CONFIRM: 'confirm'>, 0.0935)
    """
    _check_alpha(alpha)
    by_name = {b.name: b for b in batches}
    for name in draws:
        if name not in by_name:
            raise AnalysisError(f"drawn batch {name!r} is not in the manifest")
        if name not in audited:
            raise AnalysisError(f"drawn batch {name!r} has no hand count")
    k = len(batches)
    if contest.tied:
        _check_batches(contest, batches)
        big_u = Fraction(0)
        taints: tuple[Fraction, ...] = ()
        p_value = 1.0
    else:
        big_u = total_error_bound(contest, batches)
        taints = tuple(taint(contest, by_name[name], audited[name]) for name in draws)
        p_value = kaplan_markov_p_value(big_u, taints)
    if all(b.name in audited for b in batches):
        for b in batches:
            _check_counts(contest, b, audited[b.name], "audited")
        confirmed = _full_count_confirms(contest, batches, audited)
        p_value = 0.0 if confirmed else 1.0
        decision = Decision.CONFIRM if confirmed else Decision.FULL_HAND_COUNT
    elif contest.tied:
        decision = Decision.FULL_HAND_COUNT
    else:
        decision = Decision.CONFIRM if p_value <= alpha else Decision.NEXT_ROUND
    return MacroRisk(
        method=METHOD,
        alpha=alpha,
        U=big_u,
        K=k,
        draws=tuple(draws),
        t=taints,
        p_value=p_value,
        decision=decision,
    )


# ----------------------------------------------------------------------------- stored method


def manifest_batches(
    batches: Sequence[ManifestBatch], reported: Mapping[str, Mapping[str, int]]
) -> list[Batch]:
    """The manifest's batches with their reported tallies."""
    return [Batch(b.name, b.ballots, dict(reported.get(b.name, {}))) for b in batches]


@dataclass(frozen=True, slots=True)
class _StoredMacro:
    """MACRO as a stored audit: batches drawn by PPEB and hand-counted; round 1 is
    :func:`sample_size`, each later round adds as many again, and when the batches already
    counted plus one more round could cover every batch the decision is to count them all."""

    method: Method
    kind: str
    title: str
    source: str
    later_rounds: str

    @property
    def is_comparison(self) -> bool:
        return False

    @property
    def is_batch(self) -> bool:
        return True

    def valid_readings(self, spec: AuditSpec) -> frozenset[str]:
        return frozenset(spec.contest.tally) | {BLANK, OVERVOTE, NOT_FOUND}

    def canonical_reading(self, spec: AuditSpec, text: str) -> str:
        """A batch's hand count as canonical JSON (:func:`~.spec.batch_reading`)."""
        return batch_reading(parse_batch_reading(spec, text))

    def first_round_size(
        self,
        spec: AuditSpec,
        *,
        batches: Sequence[ManifestBatch] = (),
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> int:
        return sample_size(
            spec.contest, manifest_batches(batches, reported or {}), alpha=spec.risk_limit
        ).n

    def evaluate_batches(
        self,
        spec: AuditSpec,
        batches: Sequence[Batch],
        rounds: Sequence[Sequence[str]],
        readings: Mapping[str, str],
    ) -> tuple[RoundResult, ...]:
        """Risk and decision after each round; ``rounds[j]`` names the batch of every draw of
        round j + 1 and ``readings`` maps each drawn batch to its hand count."""
        c = spec.contest
        step = sample_size(c, batches, alpha=spec.risk_limit).n
        results: list[RoundResult] = []
        names: list[str] = []
        for number, draws in enumerate(rounds, start=1):
            if results and results[-1].decision is not Decision.NEXT_ROUND:
                raise AnalysisError(f"round {number} follows a round that ended the audit")
            names += list(draws)
            audited = {n: parse_batch_reading(spec, readings[n]) for n in set(names)}
            r = risk(c, batches, names, audited, alpha=spec.risk_limit)
            decision, next_size = r.decision, None
            if decision is Decision.NEXT_ROUND:
                next_size = len(names) + step
                # Draws are with replacement: what matters is how many batches remain
                # uncounted.  If the next round could reach them all, count them all.
                if len(set(names)) + step >= len(batches):
                    decision, next_size = Decision.FULL_HAND_COUNT, None
            counted = dict.fromkeys(c.tally, 0)
            for n in set(names):
                for k, v in audited[n].items():
                    counted[k] += v
            results.append(
                RoundResult(
                    number, len(names), counted, r.p_value, {"all pairs (taints)": r.p_value},
                    decision, next_size,
                )
            )  # fmt: skip
        return tuple(results)

    def recompute(
        self,
        spec: AuditSpec,
        batches: Sequence[ManifestBatch],
        rounds: Sequence[Sequence[DrawnBallot]],
        latest: Mapping[str, str],
        *,
        cvrs: Mapping[str, str] | None = None,
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> tuple[RoundResult, ...]:
        names = [[d.batch for d in r] for r in rounds]
        readings = {d.batch: latest[d.ballot_id] for r in rounds for d in r}
        return self.evaluate_batches(
            spec, manifest_batches(batches, reported or {}), names, readings
        )


STORED = _StoredMacro(
    Method.MACRO,
    "batch comparison",
    "MACRO with PPEB sampling of batches",
    "Stark 2008/2009; Aslam, Popa & Rivest 2008 (audit/macro.py, audit/ppeb.py)",
    "the first round's size again; a full count when it would reach every batch",
)
