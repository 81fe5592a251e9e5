"""ALPHA as a stored audit method: the risk of a round from the readings, for ballot polling
and ballot comparison, exactly as :mod:`ballotproof.audit.alpha` plans it.

Sources: P. B. Stark, "ALPHA: Audit that Learns from Previously Hand-Audited Ballots", Ann.
Appl. Stat. 17(1), 2023 [ALPHA]; P. B. Stark, "Sets of Half-Average Nulls Generate
Risk-Limiting Audits: SHANGRLA", Voting '20 [SHANGRLA].

Every reported winner–loser pair is an assertion [SHANGRLA]; the audit confirms when every
assertion's P-value is at most α, and its risk is the largest.  η is fixed (d = ∞, ε = 0) at
the value the planner uses — the same test in planning and in measuring.

Draws are with replacement (``N=None``, the default: μ_j = 1/2 throughout) or, for an audit
that draws distinct ballots, without replacement from the contest's N ballots (``N`` given):
then μ_j = (N/2 − S_{j−1})/(N − j + 1), the null mean of the ballots not yet drawn [ALPHA §2,
the sampling-without-replacement form of the test], and ``S_j > N/2`` makes the null
impossible (T = ∞).

* polling (``alpha``): the polling assorter a = (1 + 1{w} − 1{ℓ})/2 per draw, η = the reported
  assorter mean η0 = (1 + (v_w − v_ℓ)/N)/2 (:func:`ballotproof.audit.alpha.polling_eta0`) —
  without replacement the alternative's remaining mean η_j = (Nη0 − S_{j−1})/(N − j + 1)
  (SHANGRLA's ``fixed_alternative_mean``; = η0 with replacement); a ballot not found reads as
  a vote for ℓ (a = 0), the worst case;
* comparison (``alpha-comparison``): the overstatement assorter B = (1 − ω/u)/(2 − v/u) with
  ω = a(CVR) − a(card), v = (v_w − v_ℓ)/N, u = 2/(2 − v), η = SHANGRLA's
  ``optimal_comparison`` value (:func:`ballotproof.audit.alpha.optimal_comparison_eta`); a
  ballot not found reads as a vote for every loser and a phantom record as a vote for every
  winner (the worst case both ways).

The P-value is ``min(1, 1/max_k T_k)`` over the whole sample in draw order, so the risk of a
round is that of every draw so far (Ville's inequality; [ALPHA]).

Later rounds.  Polling: the first round's size again.  Comparison, sized by the evidence: with
η fixed every error-free card multiplies T by the same factor ``f = 1 + λ(1/(2 − v) − 1/2)``,
``λ = (η − 1/2)/((u − 1/2)/2)``, so from the current ``T_n`` the audit finishes after ``m`` more
error-free cards with ``T_n f^m ≥ 1/α``: ``m = ⌈ln(1/(α T_n)) / ln f⌉``, the pair needing most
setting the round (the analogue of Stark's super-simple escalation: the size at which the
evidence so far would meet the risk limit if no further error turned up).  Without
replacement the factors drift as μ_j does, so ``m`` is found on the martingale itself
(:func:`ballotproof.audit.alpha.clean_draws_to_confirm`).  T is a nonnegative
supermartingale under the null whatever rule sets the next look, so this keeps the risk limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np

from ballotproof.audit import alpha
from ballotproof.audit.card_rounds import (
    ComparisonMethod,
    ComparisonRound,
    PairRisk,
    PollingMethod,
)
from ballotproof.audit.contest import AuditContest, Decision, Pair
from ballotproof.audit.sampler import Batch
from ballotproof.audit.spec import NOT_FOUND, AuditSpec, Method, marks

__all__ = [
    "COMPARISON",
    "POLLING",
    "comparison_next_round",
    "comparison_pair_risks",
    "polling_pair_risks",
]


def _p_value(
    x: np.ndarray, *, risk_limit: float, eta: float, u: float, N: int | None, remaining: bool
) -> float:
    if not len(x):
        return 1.0
    return alpha.risk(
        x,
        alpha=risk_limit,
        eta0=eta,
        u=u,
        N=N,
        d=math.inf,
        epsilon=0.0,
        eta_remaining=remaining and N is not None,
    ).p_value


def _overstatement_values(
    contest: AuditContest,
    pair: Pair,
    cvr_marks: Sequence[Mapping[str, int]],
    mvr_marks: Sequence[Mapping[str, int]],
) -> tuple[np.ndarray, float, float]:
    """B per draw, the assorter margin v and the upper bound u of the pair's assertion."""
    v = alpha.assorter_margin(contest, pair)
    u = alpha.comparison_upper_bound(v)

    def col(marks: Sequence[Mapping[str, int]], who: str) -> np.ndarray:
        return np.fromiter((m.get(who, 0) for m in marks), np.float64, len(marks))

    x = alpha.comparison_assorter(
        col(cvr_marks, pair.winner),
        col(cvr_marks, pair.loser),
        col(mvr_marks, pair.winner),
        col(mvr_marks, pair.loser),
        v=v,
    )
    return x, float(v), u


def polling_pair_risks(
    contest: AuditContest,
    readings: Sequence[str],
    *,
    risk_limit: float,
    not_found: str,
    N: int | None = None,
) -> dict[Pair, float]:
    """The ALPHA polling P-value of every pair, from every draw's reading in draw order
    (``not_found`` is the reading of a ballot that could not be found; ``N``: drawn without
    replacement from N ballots, None: with replacement)."""
    out: dict[Pair, float] = {}
    for pair in contest.pairs():
        w = np.fromiter((r == pair.winner for r in readings), np.float64, len(readings))
        ell = np.fromiter(
            (r == pair.loser or r == not_found for r in readings), np.float64, len(readings)
        )
        x = alpha.polling_assorter(w, ell)
        eta = alpha.polling_eta0(contest, pair)
        out[pair] = _p_value(x, risk_limit=risk_limit, eta=eta, u=1.0, N=N, remaining=True)
    return out


def comparison_pair_risks(
    contest: AuditContest,
    cvr_marks: Sequence[Mapping[str, int]],
    mvr_marks: Sequence[Mapping[str, int]],
    *,
    risk_limit: float,
    N: int | None = None,
) -> dict[Pair, float]:
    """The ALPHA comparison P-value of every pair, from each draw's record and reading as
    0/1 marks per choice, in draw order (``N``: without replacement from N cards)."""
    out: dict[Pair, float] = {}
    for pair in contest.pairs():
        x, _, u = _overstatement_values(contest, pair, cvr_marks, mvr_marks)
        eta = alpha.optimal_comparison_eta(u)
        out[pair] = _p_value(x, risk_limit=risk_limit, eta=eta, u=u, N=N, remaining=False)
    return out


def comparison_next_round(
    contest: AuditContest,
    cvr_marks: Sequence[Mapping[str, int]],
    mvr_marks: Sequence[Mapping[str, int]],
    *,
    risk_limit: float,
    N: int | None = None,
) -> int:
    """Draws to add so that, if every card drawn from now on is error-free, every pair's
    ALPHA comparison test reaches 1/α (module notes); at least 1.  ``N``: without
    replacement from N cards."""
    more = 1
    for pair in contest.pairs():
        x, v, u = _overstatement_values(contest, pair, cvr_marks, mvr_marks)
        eta = alpha.optimal_comparison_eta(u)
        if N is not None:
            need_n = alpha.clean_draws_to_confirm(
                x, alpha=risk_limit, eta=eta, u=u, clean=1.0 / (2.0 - v), N=N, replacement=False
            )
            if need_n is None:
                return contest.ballots  # not within the ballots left: count everything
            more = max(more, need_n)
            continue
        t = (
            float(alpha.alpha_martingale(x, eta0=eta, u=u, N=None, d=math.inf, epsilon=0.0)[-1])
            if len(x)
            else 1.0
        )
        if t * risk_limit >= 1.0:
            continue
        lam = (eta - 0.5) / (0.5 * (u - 0.5))
        f = 1.0 + lam * (1.0 / (2.0 - v) - 0.5)
        if t <= 0.0 or f <= 1.0:
            return contest.ballots  # the test cannot recover: count everything
        need = math.log(1.0 / risk_limit) - math.log(t)  # finite for any t > 0
        more = max(more, min(contest.ballots, math.ceil(need / math.log(f))))
    return more


# ----------------------------------------------------------------------------- stored methods


def _population(spec: AuditSpec) -> int | None:
    """N for a test of draws without replacement, None for draws with replacement."""
    return None if spec.replacement else spec.contest.ballots


class _StoredPolling(PollingMethod):
    """``alpha``: every pair's ALPHA polling P-value on the cumulative sample."""

    def first_round_size(
        self,
        spec: AuditSpec,
        *,
        batches: Sequence[Batch] = (),
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> int:
        plan = (
            alpha.polling_sample_sizes
            if spec.replacement
            else alpha.polling_sample_sizes_without_replacement
        )
        sized = plan(spec.contest, alpha=spec.risk_limit, probabilities=(spec.stop_probability,))
        return sized.sizes[0].n

    def pair_risks(
        self,
        spec: AuditSpec,
        readings: Sequence[str],
        per_pair: Mapping[Pair, Sequence[Mapping[str, int]]],
        sizes: Sequence[int],
    ) -> dict[Pair, PairRisk]:
        risks = polling_pair_risks(
            spec.contest,
            readings,
            risk_limit=spec.risk_limit,
            not_found=NOT_FOUND,
            N=_population(spec),
        )
        return {p: PairRisk(r, r <= spec.risk_limit) for p, r in risks.items()}


class _StoredComparison(ComparisonMethod):
    """``alpha-comparison``: every pair's ALPHA overstatement P-value; later rounds sized by
    the evidence (:func:`comparison_next_round`)."""

    def first_round_size(
        self,
        spec: AuditSpec,
        *,
        batches: Sequence[Batch] = (),
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> int:
        c = spec.contest
        ac = alpha.comparison_sample_size(c, alpha=spec.risk_limit, replacement=spec.replacement)
        return min(ac.n, c.ballots)

    def round_risk(
        self,
        spec: AuditSpec,
        es: Sequence[Fraction],
        readings: Sequence[str],
        records: Sequence[str],
    ) -> ComparisonRound:
        c = spec.contest
        cvr_marks = [marks(spec, x) for x in records]
        mvr_marks = [marks(spec, x) for x in readings]
        n = _population(spec)
        risks = comparison_pair_risks(c, cvr_marks, mvr_marks, risk_limit=spec.risk_limit, N=n)
        p = max(risks.values())
        if p <= spec.risk_limit:
            return ComparisonRound(p, {str(k): v for k, v in risks.items()}, Decision.CONFIRM, None)
        more = comparison_next_round(c, cvr_marks, mvr_marks, risk_limit=spec.risk_limit, N=n)
        return ComparisonRound(
            p, {str(k): v for k, v in risks.items()}, Decision.NEXT_ROUND, len(es) + more
        )


POLLING = _StoredPolling(
    Method.ALPHA,
    "ballot polling",
    "ALPHA with SHANGRLA polling assorters, η fixed at the reported mean",
    "Stark, Ann. Appl. Stat. 2023; SHANGRLA 2020 (audit/alpha.py, audit/alpha_audit.py)",
    "the first round's size again",
)
COMPARISON = _StoredComparison(
    Method.ALPHA_COMPARISON,
    "ballot comparison",
    "ALPHA with SHANGRLA overstatement assorters, SHANGRLA's optimal_comparison η",
    "Stark, Ann. Appl. Stat. 2023; SHANGRLA 2020 (audit/alpha.py, audit/alpha_audit.py)",
    "sized by the evidence: enough error-free cards to reach 1/α from the current T",
)
