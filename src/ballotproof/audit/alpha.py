"""ALPHA supermartingale test for SHANGRLA assorters (ballot polling and ballot comparison).

Sources
-------
P. B. Stark, "ALPHA: Audit that Learns from Previously Hand-Audited Ballots", Annals of
Applied Statistics 17(1), 2023; arXiv:2201.02707.  [ALPHA]
P. B. Stark, "Sets of Half-Average Nulls Generate Risk-Limiting Audits: SHANGRLA", Financial
Cryptography and Data Security 2020 (Voting '20), LNCS 12063; arXiv:1911.10035.
[SHANGRLA]
M. Lindeman, P. B. Stark and V. S. Yates, "BRAVO: Ballot-polling Risk-limiting Audits to
Verify Outcomes", EVT/WOTE 2012.  [BRAVO]

Assorters [SHANGRLA]
-------------------------
An assorter maps a ballot card to [0, u]; the reported winner w beat the reported loser ℓ iff
the mean of the assorter over all N cards exceeds 1/2.  The audit tests the null "mean ≤ 1/2".

* Plurality, polling (u = 1): ``a(b) = (1 + 1{b votes for w} − 1{b votes for ℓ}) / 2``.
* Comparison ("overstatement assorter"): with the reported assorter mean ``ā`` over the CVRs
  and the reported assorter margin ``v = 2ā − 1`` (for plurality, ``v = (v_w − v_ℓ)/N``, the
  pair's diluted margin), the overstatement of card i is ``ω_i = a(CVR_i) − a(card_i)`` and ::

      B_i = (1 − ω_i/u) / (2 − v/u),          0 ≤ B_i ≤ 2/(2 − v/u)

  The mean of B exceeds 1/2 iff the mean of a does, so the same test applies.  For plurality
  with an overstatement of e ∈ {−2, …, 2} votes, ``ω = e/2``.

The ALPHA test [ALPHA]
-------------------------
Draws ``X_1, X_2, …`` ∈ [0, u] come from the N values of a population whose mean under the
null is (at most) μ (= 1/2 for assorters).  Let ``S_j = X_1 + … + X_j`` and ::

    μ_j = (Nμ − S_{j−1}) / (N − j + 1)    sampling without replacement
    μ_j = μ                                 sampling with replacement

(μ_j is the mean of the values not yet drawn if the population mean is exactly μ).  For any
predictable ``η_j ∈ [μ_j, u]`` ::

    T_j = Π_{k≤j} [ X_k (η_k − μ_k) / (μ_k (u − μ_k)) + (u − η_k) / (u − μ_k) ]

is a non-negative supermartingale with ``T_0 = 1`` under the null, so by Ville's inequality
``p = min(1, 1 / max_{k≤j} T_k)`` is a sequentially valid P-value.  Special cases: if
``S_j > Nμ`` the null is impossible (``T = ∞``); if ``μ_j > u`` the null is certain
(``T = 0`` from then on); ``μ_j = 0`` or ``μ_j = u`` leave T unchanged unless the draw itself
contradicts the null.  These tests allow for floating-point rounding (relative 1e-9 of u,
and of Nu for S_j): a tie's total may not round above Nμ and reject a true null.

This is the betting martingale ``1 + λ_j (X_j − μ_j)`` with
``λ_j = (η_j − μ_j)/(μ_j (u − μ_j))``.

Truncated shrinkage estimator [ALPHA] ::

    η_j = min( max( (d η_0 + S_{j−1}) / (d + j − 1),  μ_j + ε_j ),  u (1 − 2^−52) )
    ε_j = ε / √(d + j − 1)                     (default ε = (η_0 − μ)/2)

η_0 is the alternative one expects (for polling, the reported assorter mean), d the weight of
η_0 in units of draws (d = ∞: no learning, η_j = η_0).  The upper cap stops one draw of 0 from
ending the test for good.

Fixed alternative without replacement [ALPHA §2; SHANGRLA's ``fixed_alternative_mean``]: if
the alternative is "the population mean is η0", the mean of the cards not yet drawn is ::

    η_j = (N η0 − S_{j−1}) / (N − j + 1)     (= η0 with replacement)

and η_j − μ_j = N(η0 − μ)/(N − j + 1) > 0, so the bet never vanishes (``eta_remaining``; the
ALPHA polling audit drawing distinct ballots uses it, truncated at u(1 − 2^−52) like the
shrinkage estimator).

With replacement, d = ∞ and ε = 0, the polling term is ``2η_0`` for a vote for w, ``2(1 − η_0)``
for a vote for ℓ and 1 otherwise: exactly BRAVO's (Wald's SPRT) likelihood ratio with
``s_w = η_0`` [BRAVO].

Sample sizes.  Two exact planners, one per audit kind, check every winner–loser assertion
and take the one needing most:

* :func:`comparison_sample_size`: ballot comparison when every CVR is right.  Every draw has
  the same value 1/(2 − v), so T_n is not random and the size is the first n with T_n ≥ 1/α
  (with replacement ``⌈ln(1/α)/ln f⌉`` for the constant factor f; without replacement
  confirmed on :func:`alpha_martingale` itself).  η is fixed at SHANGRLA's
  ``optimal_comparison`` value (:func:`optimal_comparison_eta`), u = 2/(2 − v): the settings
  of SHANGRLA's card-comparison examples, whose sizes these reproduce.  A shrinkage estimator
  started at η0 < u would learn that the clean mean 1/(2 − v) is barely above 1/2 and bet
  almost nothing (defect 10: 13,443 draws for a 1 % margin instead of 461).
* :func:`polling_sample_sizes`: ballot polling with η fixed at the reported assorter mean and
  sampling with replacement, where T is BRAVO's statistic with s_wℓ replaced by η0: exact
  binomial first-round sizes by the search of :mod:`ballotproof.audit.bravo`.
* :func:`polling_sample_sizes_without_replacement`: ballot polling drawing distinct ballots,
  η_j the alternative's remaining mean.  T_n then depends on the order of the draws, so the
  sizes are quantiles of simulated sequential audits (:data:`PLAN_REPS` trials, fixed
  :data:`PLAN_SEED`), the same numbers wherever they are asked for.

The comparison planner takes ``replacement`` too; :func:`clean_draws_to_confirm` continues
the martingale from any sample (the evidence-sized next round).

:func:`sample_size` still estimates sizes for any population and estimator by simulation,
vectorised over trials: the smallest n by which the audit stops in the requested fraction of
trials.

Checked against SHANGRLA (pbstark/SHANGRLA 9d5db92, ``NonnegMean.alpha_mart`` with N finite
and N = ∞): P-values to rounding, sizes exactly (tests/audit/test_alpha_without_replacement.py).

Assumptions: draws are in random order (uniform, with or without replacement); the assorter
upper bound u and the population size N are right; one assertion per call (an audit confirms a
contest when every assertion's P-value is ≤ α).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from ballotproof.audit import bravo
from ballotproof.audit.contest import AuditContest, Decision, Pair, jsonable
from ballotproof.errors import AnalysisError

__all__ = [
    "PLAN_REPS",
    "PLAN_SEED",
    "AlphaComparisonSize",
    "AlphaPollingSizes",
    "AlphaRisk",
    "AlphaSampleSize",
    "ComparisonPairSize",
    "PollingPair",
    "alpha_martingale",
    "assorter_margin",
    "clean_draws_to_confirm",
    "comparison_assorter",
    "comparison_population",
    "comparison_sample_size",
    "comparison_upper_bound",
    "optimal_comparison_eta",
    "overstatement_assorter",
    "polling_assorter",
    "polling_eta0",
    "polling_population",
    "polling_sample_sizes",
    "polling_sample_sizes_without_replacement",
    "risk",
    "sample_size",
    "stopping_times",
]

METHOD = "ALPHA"
_TOP = 1.0 - 2.0**-52
_TOL = 1e-9
"""Relative tolerance for "the null is impossible / certain".  Sums of floats drift: a tied
population's total can come out a hair above Nμ, which would otherwise reject a true null."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# ----------------------------------------------------------------------------- assorters


def polling_assorter(for_winner: npt.ArrayLike, for_loser: npt.ArrayLike) -> FloatArray:
    """a(b) = (1 + 1{w} − 1{ℓ}) / 2 for cards marked (1) or not (0) for w and ℓ.

    Examples
    --------
    >>> polling_assorter([1, 0, 0], [0, 1, 0]).tolist()
    [1.0, 0.0, 0.5]
    """
    w = np.asarray(for_winner, dtype=np.float64)
    ell = np.asarray(for_loser, dtype=np.float64)
    if not (np.isin(w, (0.0, 1.0)).all() and np.isin(ell, (0.0, 1.0)).all()):
        raise AnalysisError("votes for the winner and the loser must be 0 or 1")
    return np.asarray((1.0 + w - ell) / 2.0, dtype=np.float64)


def assorter_margin(contest: AuditContest, pair: Pair) -> Fraction:
    """Reported assorter margin v = 2ā − 1 = (v_w − v_ℓ) / N of a plurality pair."""
    if pair.winner not in contest.tally or pair.loser not in contest.tally:
        raise AnalysisError(f"{pair} is not a pair of {contest.name}")
    return Fraction(contest.tally[pair.winner] - contest.tally[pair.loser], contest.ballots)


def _check_margin(v: float | Fraction, u: float) -> None:
    if not 0 < v / u <= 1:
        raise AnalysisError(f"the reported assorter margin must be in (0, {u}], got {v!r}")


def comparison_upper_bound(v: float | Fraction, u: float = 1.0) -> float:
    """Upper bound 2 / (2 − v/u) of the overstatement assorter."""
    _check_margin(v, u)
    return 2.0 / (2.0 - float(v) / u)


def overstatement_assorter(
    omega: npt.ArrayLike, *, v: float | Fraction, u: float = 1.0
) -> FloatArray:
    """B = (1 − ω/u) / (2 − v/u) for overstatements ω = a(CVR) − a(card) ∈ [−u, u]."""
    _check_margin(v, u)
    w = np.asarray(omega, dtype=np.float64)
    if ((w < -u) | (w > u)).any():
        raise AnalysisError(f"an overstatement must be in [-{u}, {u}]")
    return np.asarray((1.0 - w / u) / (2.0 - float(v) / u), dtype=np.float64)


def comparison_assorter(
    cvr_winner: npt.ArrayLike,
    cvr_loser: npt.ArrayLike,
    mvr_winner: npt.ArrayLike,
    mvr_loser: npt.ArrayLike,
    *,
    v: float | Fraction,
) -> FloatArray:
    """Plurality overstatement assorter from CVR and hand (MVR) marks (0/1) for w and ℓ.

    Examples
    --------
    >>> comparison_assorter([1, 1], [0, 0], [1, 0], [0, 1], v=0.2).round(4).tolist()
    [0.5556, 0.0]
    """
    omega = polling_assorter(cvr_winner, cvr_loser) - polling_assorter(mvr_winner, mvr_loser)
    return overstatement_assorter(omega, v=v)


def polling_population(
    contest: AuditContest, pair: Pair
) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Polling assorter values and counts of a vote-for-one contest if the tally is right:
    (0, ½, 1) with counts (v_ℓ, N − v_w − v_ℓ, v_w)."""
    if contest.winners != 1:
        raise AnalysisError("polling_population needs a vote-for-one contest")
    assorter_margin(contest, pair)
    vw, vl = contest.tally[pair.winner], contest.tally[pair.loser]
    return (0.0, 0.5, 1.0), (vl, contest.ballots - vw - vl, vw)


def comparison_population(
    contest: AuditContest, pair: Pair, *, o1: int = 0, o2: int = 0, u1: int = 0, u2: int = 0
) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Overstatement-assorter values and counts of the N cards when o1, o2 cards overstate
    and u1, u2 understate the pair's margin by one or two votes (the rest are right).

    Values are B for e = 2, 1, 0, −1, −2 votes.
    """
    v = assorter_margin(contest, pair)
    counts = (o2, o1, contest.ballots - o1 - o2 - u1 - u2, u1, u2)
    if any(c < 0 for c in counts):
        raise AnalysisError("more discrepancies than ballots")
    values = overstatement_assorter([1.0, 0.5, 0.0, -0.5, -1.0], v=v)
    return tuple(float(x) for x in values), counts


# ----------------------------------------------------------------------------- the test


@dataclass(frozen=True, slots=True)
class _Params:
    mu: float
    u: float
    eta0: float
    d: float
    epsilon: float
    remaining: int | None = None
    """N when η_j is the alternative's remaining mean (``eta_remaining``), else None."""


def _params(
    *,
    mu: float,
    u: float,
    eta0: float,
    d: float,
    epsilon: float | None,
    N: int | None,
    eta_remaining: bool = False,
) -> _Params:
    if not (math.isfinite(u) and u > 0):
        raise AnalysisError(f"upper bound u must be a positive number, got {u!r}")
    if not 0 < mu < u:
        raise AnalysisError(f"null mean mu must be in (0, u), got {mu!r}")
    if not mu < eta0 <= u:
        raise AnalysisError(f"eta0 must be in (mu, u] = ({mu}, {u}], got {eta0!r}")
    if not d > 0:
        raise AnalysisError(f"d must be positive (or inf), got {d!r}")
    eps = (eta0 - mu) / 2 if epsilon is None else epsilon
    if not (math.isfinite(eps) and eps >= 0):
        raise AnalysisError(f"epsilon must be a non-negative number, got {epsilon!r}")
    if N is not None and (isinstance(N, bool) or not isinstance(N, int) or N < 1):
        raise AnalysisError(f"N must be a positive integer or None, got {N!r}")
    if eta_remaining and not math.isinf(d):
        raise AnalysisError("eta_remaining is a fixed alternative: it needs d = inf")
    remaining = N if eta_remaining else None
    return _Params(mu=mu, u=u, eta0=eta0, d=d, epsilon=eps, remaining=remaining)


def _eta(
    s_prev: FloatArray | float, j: FloatArray | float, mu_j: FloatArray | float, p: _Params
) -> FloatArray:
    """Truncated shrinkage estimate η_j (elementwise); with ``p.remaining`` (= N) the fixed
    alternative's remaining mean (Nη0 − S_{j−1})/(N − j + 1), truncated the same way."""
    est: FloatArray | float = p.eta0
    eps_j: FloatArray | float = 0.0
    if p.remaining is not None:
        est = (p.remaining * p.eta0 - np.asarray(s_prev)) / (p.remaining - np.asarray(j) + 1)
    elif not math.isinf(p.d):
        est = (p.d * p.eta0 + np.asarray(s_prev)) / (p.d + np.asarray(j) - 1)
        eps_j = p.epsilon / np.sqrt(p.d + np.asarray(j) - 1)
    return np.asarray(np.minimum(np.maximum(est, np.asarray(mu_j) + eps_j), p.u * _TOP))


def _terms(x: FloatArray, eta: FloatArray, mu_j: FloatArray | float, u: float) -> FloatArray:
    """ALPHA factors X(η − μ_j)/(μ_j(u − μ_j)) + (u − η)/(u − μ_j), with the special cases."""
    x, eta, m = np.broadcast_arrays(x, eta, np.asarray(mu_j, dtype=np.float64))
    inside = (m > 0) & (m < u)
    safe = np.where(inside, m, u / 2)
    out = x * (eta - safe) / (safe * (u - safe)) + (u - eta) / (u - safe)
    out = np.where(inside, out, 1.0)
    out = np.where((m <= 0) & (x > 0), np.inf, out)
    out = np.where(m < 0, np.inf, out)
    out = np.where(m > u, 0.0, out)
    return np.asarray(out, dtype=np.float64)


def _check_draws(x: FloatArray, u: float, N: int | None) -> None:
    if x.ndim != 1:
        raise AnalysisError("draws must be a one-dimensional sequence")
    if not np.isfinite(x).all() or (x < 0).any() or (x > u).any():
        raise AnalysisError(f"every draw must be in [0, u] = [0, {u}]")
    if N is not None and len(x) > N:
        raise AnalysisError(f"{len(x)} draws without replacement from {N} cards")


def _mu_j(n_pop: int, mu: float, u: float, s_prev: FloatArray, j: FloatArray | float) -> FloatArray:
    """μ_j = (Nμ − S_{j−1})/(N − j + 1), snapped to 0 or u when within rounding of them."""
    m = (n_pop * mu - s_prev) / (n_pop - np.asarray(j) + 1)
    m = np.where(np.abs(m) <= _TOL * u, 0.0, m)
    return np.asarray(np.where(np.abs(m - u) <= _TOL * u, u, m), dtype=np.float64)


def _null_impossible(s: FloatArray, n_pop: int, mu: float, u: float) -> npt.NDArray[np.bool_]:
    """S_j > Nμ (beyond rounding): the population mean must exceed μ."""
    return np.asarray(s - n_pop * mu > _TOL * n_pop * u)


def alpha_martingale(
    x: npt.ArrayLike,
    *,
    eta0: float,
    u: float = 1.0,
    N: int | None = None,
    mu: float = 0.5,
    d: float = 100.0,
    epsilon: float | None = None,
    eta_remaining: bool = False,
) -> FloatArray:
    """T_1, …, T_n for draws x (N=None: with replacement; N: without, from N cards).

    ``eta_remaining`` (with d = ∞): bet on the alternative "the population mean is η0" as
    SHANGRLA's ``fixed_alternative_mean`` does, η_j = (Nη0 − S_{j−1})/(N − j + 1), the mean of
    the cards not yet drawn if the alternative is true (= η0 with replacement).  Then
    η_j − μ_j = N(η0 − μ)/(N − j + 1) > 0 for every j: the bet never vanishes.

    Examples
    --------
    >>> alpha_martingale([1, 1, 0], eta0=0.6, d=math.inf, epsilon=0).round(4).tolist()
    [1.2, 1.44, 1.152]
    >>> t = alpha_martingale([1, 1, 0], eta0=0.6, N=10, d=math.inf, eta_remaining=True)
    >>> t.round(4).tolist()
    [1.2, 1.5, 1.2]
    """
    p = _params(mu=mu, u=u, eta0=eta0, d=d, epsilon=epsilon, N=N, eta_remaining=eta_remaining)
    xs = np.asarray(x, dtype=np.float64)
    _check_draws(xs, u, N)
    j = np.arange(1, len(xs) + 1, dtype=np.float64)
    s = np.cumsum(xs)
    s_prev = s - xs
    mu_j: FloatArray | float = mu if N is None else _mu_j(N, mu, u, s_prev, j)
    with np.errstate(over="ignore", invalid="ignore"):
        t = np.cumprod(_terms(xs, _eta(s_prev, j, mu_j, p), mu_j, u))
    if N is not None:
        t = np.where(_null_impossible(s, N, mu, u), np.inf, t)
    return np.asarray(t, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class AlphaRisk:
    """ALPHA P-value of a sequence of assorter values.

    Attributes
    ----------
    method : "ALPHA"
    alpha : risk limit α
    mu : null mean μ (1/2 for assorters)
    u : upper bound of the assorter
    N : population size when sampling without replacement; None with replacement
    eta0, d, epsilon : estimator parameters (epsilon after defaulting)
    n : draws
    T : max_{j≤n} T_j
    p_value : min(1, 1/T)
    decision : CONFIRM if p ≤ α; FULL_HAND_COUNT when all N cards were drawn without
        replacement and p > α (the count shows the null is true); else NEXT_ROUND
    eta_remaining : whether η_j was the fixed alternative's remaining mean
        (:func:`alpha_martingale`)
    """

    method: str
    alpha: float
    mu: float
    u: float
    N: int | None
    eta0: float
    d: float
    epsilon: float
    n: int
    T: float
    p_value: float
    decision: Decision
    eta_remaining: bool = False

    def to_json(self) -> dict[str, object]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"risk limit alpha must be in (0, 1), got {alpha!r}")


def risk(
    x: npt.ArrayLike,
    *,
    alpha: float,
    eta0: float,
    u: float = 1.0,
    N: int | None = None,
    mu: float = 0.5,
    d: float = 100.0,
    epsilon: float | None = None,
    eta_remaining: bool = False,
) -> AlphaRisk:
    """Sequentially valid ALPHA P-value for assorter values in draw order.

    Examples
    --------
    >>> r = risk([1.0] * 8, alpha=0.05, eta0=0.75, d=math.inf, epsilon=0)
    >>> r.T, r.decision
    (25.62890625, <Decision.CONFIRM: 'confirm'>)
    """
    _check_alpha(alpha)
    p = _params(mu=mu, u=u, eta0=eta0, d=d, epsilon=epsilon, N=N, eta_remaining=eta_remaining)
    t = alpha_martingale(
        x, eta0=eta0, u=u, N=N, mu=mu, d=d, epsilon=p.epsilon, eta_remaining=eta_remaining
    )
    big_t = float(np.max(t)) if len(t) else 1.0  # T_0 = 1
    p_value = 1.0 if big_t <= 1.0 else 1.0 / big_t
    n = len(t)
    if p_value <= alpha:
        decision = Decision.CONFIRM
    elif N is not None and n == N:
        decision = Decision.FULL_HAND_COUNT
    else:
        decision = Decision.NEXT_ROUND
    return AlphaRisk(
        method=METHOD,
        alpha=alpha,
        mu=mu,
        u=u,
        N=N,
        eta0=eta0,
        d=d,
        epsilon=p.epsilon,
        n=n,
        T=big_t,
        p_value=p_value,
        decision=decision,
        eta_remaining=eta_remaining,
    )


# ----------------------------------------------------------------------------- simulation


def stopping_times(
    values: Sequence[float],
    weights: Sequence[float],
    *,
    alpha: float,
    eta0: float,
    replacement: bool,
    u: float = 1.0,
    mu: float = 0.5,
    d: float = 100.0,
    epsilon: float | None = None,
    max_draws: int | None = None,
    reps: int = 1000,
    rng: np.random.Generator,
    eta_remaining: bool = False,
) -> IntArray:
    """Simulate ``reps`` ALPHA audits; return the draw at which each stops (0: not by
    ``max_draws``).

    Without replacement ``weights`` are the integer counts of each value in the population
    (N = their sum; ``max_draws`` defaults to N).  With replacement they are relative
    frequencies and ``max_draws`` is required.  Vectorised over trials; the loop runs over
    draws and ends once every trial has stopped.
    """
    _check_alpha(alpha)
    vals = np.asarray(values, dtype=np.float64)
    wts = np.asarray(weights, dtype=np.float64)
    if vals.ndim != 1 or vals.shape != wts.shape or len(vals) == 0:
        raise AnalysisError("values and weights must be equal-length non-empty sequences")
    if (wts < 0).any() or wts.sum() <= 0:
        raise AnalysisError("weights must be non-negative and not all zero")
    _check_draws(vals, u, None)
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise AnalysisError(f"reps must be a positive integer, got {reps!r}")
    if replacement:
        if max_draws is None:
            raise AnalysisError("sampling with replacement needs max_draws")
        big_n: int | None = None
        cumulative = np.cumsum(wts) / wts.sum()
    else:
        if not np.equal(np.round(wts), wts).all():
            raise AnalysisError("without replacement the weights are integer counts")
        big_n = int(wts.sum())
        max_draws = big_n if max_draws is None else min(max_draws, big_n)
        remaining = np.tile(wts.astype(np.int64), (reps, 1))
    p = _params(mu=mu, u=u, eta0=eta0, d=d, epsilon=epsilon, N=big_n, eta_remaining=eta_remaining)
    if isinstance(max_draws, bool) or not isinstance(max_draws, int) or max_draws < 1:
        raise AnalysisError(f"max_draws must be a positive integer, got {max_draws!r}")

    s = np.zeros(reps)
    t = np.ones(reps)
    stop = np.zeros(reps, dtype=np.int64)
    active = np.ones(reps, dtype=bool)
    rows = np.arange(reps)
    for j in range(1, max_draws + 1):
        if big_n is None:
            cat = np.minimum(
                np.searchsorted(cumulative, rng.random(reps), side="right"), len(vals) - 1
            )
            mu_j: FloatArray | float = mu
        else:
            r = rng.integers(0, big_n - j + 1, size=reps)
            cat = (np.cumsum(remaining, axis=1) > r[:, None]).argmax(axis=1)
            remaining[rows, cat] -= 1
            mu_j = _mu_j(big_n, mu, u, s, float(j))
        x = vals[cat]
        with np.errstate(over="ignore", invalid="ignore"):
            t = t * _terms(x, _eta(s, float(j), mu_j, p), mu_j, u)
        s = s + x
        if big_n is not None:
            t = np.where(_null_impossible(s, big_n, mu, u), np.inf, t)
        with np.errstate(divide="ignore", over="ignore"):  # T may be subnormal
            crossed = active & (1.0 / t <= alpha)
        stop[crossed] = j
        active &= ~crossed
        if not active.any():
            break
    return stop


@dataclass(frozen=True, slots=True)
class AlphaSampleSize:
    """Simulated ALPHA sample size.

    Attributes
    ----------
    method, alpha, mu, u, eta0, d, epsilon : as in :class:`AlphaRisk`
    population : (value, count) pairs of the hypothesised population
    N : its size
    replacement : sampling with replacement?
    stop_probability : required chance that the audit stops by n
    reps, seed : simulation size and seed
    n : smallest n by which at least ``stop_probability`` of the trials stopped; N if none
    stopped_fraction : fraction of trials that stopped within N draws
    decision : NEXT_ROUND, or FULL_HAND_COUNT when n would reach N
    """

    method: str
    alpha: float
    mu: float
    u: float
    eta0: float
    d: float
    epsilon: float
    population: tuple[tuple[float, int], ...]
    N: int
    replacement: bool
    stop_probability: float
    reps: int
    seed: int
    n: int
    stopped_fraction: float
    decision: Decision

    def to_json(self) -> dict[str, object]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}


def sample_size(
    values: Sequence[float],
    counts: Sequence[int],
    *,
    alpha: float,
    eta0: float,
    u: float = 1.0,
    mu: float = 0.5,
    d: float = 100.0,
    epsilon: float | None = None,
    replacement: bool = False,
    stop_probability: float = 0.9,
    reps: int = 1000,
    seed: int = 0,
) -> AlphaSampleSize:
    """Sample size at which the audit stops with probability ``stop_probability`` if the
    population is ``counts`` cards of each assorter value (simulated, ``reps`` trials).

    Examples
    --------
    >>> sample_size([1.0], [1000], alpha=0.05, eta0=0.75, d=math.inf, epsilon=0,
    ...             replacement=True, reps=10).n
    8
    """
    if not 0 < stop_probability <= 1:
        raise AnalysisError(f"stop_probability must be in (0, 1], got {stop_probability!r}")
    if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in counts):
        raise AnalysisError("counts must be non-negative integers")
    big_n = sum(counts)
    p = _params(mu=mu, u=u, eta0=eta0, d=d, epsilon=epsilon, N=big_n)
    times = stopping_times(
        values,
        [float(c) for c in counts],
        alpha=alpha,
        eta0=eta0,
        replacement=replacement,
        u=u,
        mu=mu,
        d=d,
        epsilon=p.epsilon,
        max_draws=big_n,
        reps=reps,
        rng=np.random.default_rng(seed),
    )
    stopped = times[times > 0]
    need = math.ceil(stop_probability * reps)
    n = int(np.sort(stopped)[need - 1]) if len(stopped) >= need else big_n
    decision = Decision.FULL_HAND_COUNT if n >= big_n else Decision.NEXT_ROUND
    return AlphaSampleSize(
        method=METHOD,
        alpha=alpha,
        mu=mu,
        u=u,
        eta0=eta0,
        d=d,
        epsilon=p.epsilon,
        population=tuple((float(v), int(c)) for v, c in zip(values, counts, strict=True)),
        N=big_n,
        replacement=replacement,
        stop_probability=stop_probability,
        reps=reps,
        seed=seed,
        n=n,
        stopped_fraction=len(stopped) / reps,
        decision=decision,
    )


# ----------------------------------------------------------------------------- planning, exact


def optimal_comparison_eta(u: float, error_rate_2: float = 1e-5) -> float:
    """η for a ballot-comparison audit that expects two-vote overstatements at rate p2 and
    no other errors: SHANGRLA's ``NonnegMean.optimal_comparison`` (pbstark/SHANGRLA,
    shangrla/core/NonnegMean.py; Stark 2023 §4, ALPHA for comparison audits) ::

        η = (1 − u(1 − p2)) / (2 − 2u) + u(1 − p2) − 1/2

    Derivation: an error-free card has B = 1/(2 − v) = u/2 and a two-vote overstatement
    B = 0.  With μ = 1/2 the factor of a draw is 1 + λ(B − 1/2), λ = (η − μ)/(μ(u − μ)).  The
    expected log growth ``(1 − p2) ln(1 + λ(u − 1)/2) + p2 ln(1 − λ/2)`` is largest at
    ``λ* = 2(1 − p2) − 2 p2/(u − 1)``, i.e. ``η = 1/2 + λ*(u − 1/2)/2``, which is the formula.
    As p2 → 0, η → u (bet everything on every CVR being right).

    Examples
    --------
    >>> u = comparison_upper_bound(0.2)
    >>> round(optimal_comparison_eta(u), 6), round(u, 6)
    (1.11105, 1.111111)
    """
    if not (math.isfinite(u) and u > 1):
        raise AnalysisError(f"the overstatement assorter's upper bound must exceed 1, got {u!r}")
    if not 0 <= error_rate_2 < 1:
        raise AnalysisError(f"error_rate_2 must be in [0, 1), got {error_rate_2!r}")
    p0 = 1.0 - error_rate_2
    return (1.0 - u * p0) / (2.0 - 2.0 * u) + u * p0 - 0.5


@dataclass(frozen=True, slots=True)
class ComparisonPairSize:
    """Error-free ALPHA comparison size for one assertion (winner–loser pair).

    Attributes
    ----------
    pair : the reported winner w and loser ℓ
    v : assorter margin (v_w − v_ℓ)/N
    u : upper bound 2/(2 − v) of the overstatement assorter
    clean : B of an error-free card, 1/(2 − v)
    eta : the fixed alternative (:func:`optimal_comparison_eta`); None if it is ≤ 1/2
    n : draws after which T ≥ 1/α; N (a full hand count) if none
    """

    pair: Pair
    v: float
    u: float
    clean: float
    eta: float | None
    n: int


@dataclass(frozen=True, slots=True)
class AlphaComparisonSize:
    """Sample size of an ALPHA ballot-comparison audit if every sampled CVR is right.

    Attributes
    ----------
    method : "ALPHA"
    contest, alpha, ballots : the inputs
    error_rate_2 : the two-vote overstatement rate η is tuned for
    replacement : whether cards are drawn with replacement (μ_j = 1/2) or without
    pairs : the size of every assertion
    pair : the assertion that needs most draws (None for a tie)
    n : the largest pair size (N for a full hand count)
    decision : NEXT_ROUND, or FULL_HAND_COUNT (tie, or n would reach N)
    """

    method: str
    contest: str
    alpha: float
    ballots: int
    error_rate_2: float
    replacement: bool
    pairs: tuple[ComparisonPairSize, ...]
    pair: Pair | None
    n: int
    decision: Decision

    def to_json(self) -> dict[str, object]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}


_PIECE = 1 << 18  # draws computed at a time by _clean_stop


def _clean_stop(
    clean: float,
    u: float,
    eta: float,
    big_n: int,
    alpha: float,
    *,
    replacement: bool = False,
    start: tuple[float, float, int] = (0.0, 1.0, 0),
) -> int | None:
    """First n with 1/T_n ≤ α when every draw after the ``start`` state is ``clean``.

    ``start`` is (S, T, draws) of the sample so far (nothing drawn: (0, 1, 0)); the answer
    counts every draw, those of ``start`` included.  Closed form with replacement: every
    factor is ``f = clean(η − ½)/(½(u − ½)) + (u − η)/(u − ½)``, so ``n = ⌈ln(1/(αT))/ln f⌉``
    more.  Without replacement μ_j = (N/2 − S_{j−1})/(N − j + 1) falls below ½ and the factors
    differ a little.  Either way T_n is computed exactly as :func:`alpha_martingale` (the
    function behind :func:`risk`) computes it — the same sequential sums and products, to the
    last bit — up to the closed form's n and beyond it if need be, a piece at a time so that
    memory stays small however large N is.  At most N draws are considered (None if T does
    not reach 1/α by then: a full hand count).
    """
    s_last, t_last, done = start
    f = clean * (eta - 0.5) / (0.5 * (u - 0.5)) + (u - eta) / (u - 0.5)
    if f <= 1 or t_last <= 0:
        guess = big_n
    else:
        more = math.log(1 / alpha) - math.log(t_last)
        guess = done + max(1, math.ceil(more / math.log(f)))
    n_pop = None if replacement else big_n
    p = _params(mu=0.5, u=u, eta0=eta, d=math.inf, epsilon=0.0, N=n_pop)
    while done < big_n:
        m = min(big_n - done, max(1, min(guess - done, _PIECE)) if done < guess else _PIECE)
        xs = np.full(m, clean)
        j = np.arange(done + 1, done + m + 1, dtype=np.float64)
        s = np.cumsum(np.concatenate(([s_last], xs)))[1:]
        s_prev = s - xs
        mu_j: FloatArray | float = 0.5 if n_pop is None else _mu_j(n_pop, 0.5, u, s_prev, j)
        with np.errstate(over="ignore", invalid="ignore"):
            raw = np.cumprod(
                np.concatenate(([t_last], _terms(xs, _eta(s_prev, j, mu_j, p), mu_j, u)))
            )
        t = raw[1:]
        if n_pop is not None:
            t = np.where(_null_impossible(s, n_pop, 0.5, u), np.inf, t)
        with np.errstate(divide="ignore", over="ignore"):  # T may be subnormal
            hit = np.flatnonzero(1.0 / t <= alpha)
        if hit.size:
            return done + int(hit[0]) + 1
        s_last, t_last, done = float(s[-1]), float(raw[-1]), done + m
    return None


def clean_draws_to_confirm(
    x: npt.ArrayLike,
    *,
    alpha: float,
    eta: float,
    u: float,
    clean: float,
    N: int,
    replacement: bool,
) -> int | None:
    """Draws after ``x`` until the ALPHA comparison test (η fixed) reaches 1/α if every
    further card has the error-free value ``clean``: the evidence-sized next round, computed
    on the martingale itself (with replacement or without, from N cards).  0 if T already
    reached 1/α; None if it cannot within N draws in all.

    Examples
    --------
    >>> u = comparison_upper_bound(0.2)
    >>> clean_draws_to_confirm([], alpha=0.1, eta=optimal_comparison_eta(u), u=u,
    ...                        clean=u / 2, N=100000, replacement=False)
    22
    """
    _check_alpha(alpha)
    xs = np.asarray(x, dtype=np.float64)
    n_pop = None if replacement else N
    t = alpha_martingale(xs, eta0=eta, u=u, N=n_pop, d=math.inf, epsilon=0.0)
    if len(t) and float(np.max(t)) * alpha >= 1.0:
        return 0
    start = (float(np.sum(xs)), float(t[-1]) if len(t) else 1.0, len(xs))
    stop = _clean_stop(clean, u, eta, N, alpha, replacement=replacement, start=start)
    return None if stop is None else stop - len(xs)


def comparison_sample_size(
    contest: AuditContest, *, alpha: float, error_rate_2: float = 1e-5, replacement: bool = False
) -> AlphaComparisonSize:
    """Exact ALPHA ballot-comparison sample size when the CVRs have no errors.

    Every winner–loser pair is an assertion [SHANGRLA]; its overstatement assorter has
    margin v = (v_w − v_ℓ)/N, upper bound u = 2/(2 − v), and the value 1/(2 − v) on every
    error-free card.  The test is ALPHA without replacement with η fixed at
    :func:`optimal_comparison_eta` (SHANGRLA's estimator for comparison audits; p2 = 10⁻⁵ is
    its default).  With no errors every draw has the same value, so T_n is not random: the
    size is the first n with 1/T_n ≤ α, and the audit stops there with probability one.  This
    is what SHANGRLA's ``Assertion.find_sample_size`` computes with ``rate_1 = rate_2 = 0``.
    The contest needs the largest pair size (that of the smallest margin).  With
    ``replacement`` μ_j = 1/2 throughout and the size is the closed form
    ``⌈ln(1/α)/ln f⌉`` (module notes), computed on the martingale all the same; without, μ_j
    is the null mean of the cards not yet drawn [ALPHA §2] and sizes are a little smaller.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> comparison_sample_size(c, alpha=0.1).n
    22
    """
    _check_alpha(alpha)
    big_n = contest.ballots
    if contest.tied:
        return AlphaComparisonSize(
            METHOD, contest.name, alpha, big_n, error_rate_2, replacement, (), None, big_n,
            Decision.FULL_HAND_COUNT,
        )  # fmt: skip
    pairs = []
    for pair in contest.pairs():
        v = assorter_margin(contest, pair)
        u = comparison_upper_bound(v)
        clean = 1.0 / (2.0 - float(v))
        eta: float | None = optimal_comparison_eta(u, error_rate_2)
        n = None
        if eta is not None and eta > 0.5:
            n = _clean_stop(clean, u, min(eta, u), big_n, alpha, replacement=replacement)
        else:  # the margin is too small for any bet to pay at that 2-vote rate: count it all
            eta = None
        pairs.append(ComparisonPairSize(pair, float(v), u, clean, eta, big_n if n is None else n))
    worst = max(pairs, key=lambda p: p.n)
    decision = Decision.FULL_HAND_COUNT if worst.n >= big_n else Decision.NEXT_ROUND
    return AlphaComparisonSize(
        METHOD, contest.name, alpha, big_n, error_rate_2, replacement, tuple(pairs), worst.pair,
        worst.n, decision,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class PollingPair:
    """ALPHA polling test of one assertion with η fixed at η0.

    Attributes
    ----------
    pair : the reported winner w and loser ℓ
    eta0 : the reported assorter mean (1 + (v_w − v_ℓ)/N)/2
    s_wl : w's reported share of the ballots for w or ℓ, v_w/(v_w + v_ℓ)
    asn : Wald's average sample number of the test (inf when it cannot stop)
    """

    pair: Pair
    eta0: float
    s_wl: float
    asn: float


@dataclass(frozen=True, slots=True)
class AlphaPollingSizes:
    """First-round sizes of an ALPHA ballot-polling audit, exact (see
    :func:`polling_sample_sizes`).

    Attributes
    ----------
    method, contest, alpha, tally, ballots : the inputs
    replacement : True: ballots drawn with replacement
    d : inf: η is not re-estimated within the round
    pairs : the test of every assertion
    asn : ⌈largest pair ASN⌉ (None for a tie or when a pair cannot stop)
    sizes : one :class:`~ballotproof.audit.bravo.RoundSize` per target probability
    decision : FULL_HAND_COUNT for a tie, else NEXT_ROUND
    """

    method: str
    contest: str
    alpha: float
    tally: Mapping[str, int]
    ballots: int
    replacement: bool
    d: float
    pairs: tuple[PollingPair, ...]
    asn: int | None
    sizes: tuple[bravo.RoundSize, ...]
    decision: Decision

    def to_json(self) -> dict[str, object]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}


def polling_eta0(contest: AuditContest, pair: Pair) -> float:
    """The reported mean of the pair's polling assorter, ā = (1 + (v_w − v_ℓ)/N)/2 (the η0
    that [ALPHA] suggests for ballot-polling audits)."""
    return (1.0 + float(assorter_margin(contest, pair))) / 2.0


def polling_sample_sizes(
    contest: AuditContest,
    *,
    alpha: float,
    probabilities: Sequence[float] = bravo.DEFAULT_PROBABILITIES,
) -> AlphaPollingSizes:
    """Exact first-round sizes of an ALPHA ballot-polling audit with η fixed at η0.

    Every winner–loser pair is an assertion [SHANGRLA].  With η = η0 (d = ∞), μ = 1/2, u = 1
    and sampling with replacement, a ballot's ALPHA factor is 2η0 for w, 2(1 − η0) for ℓ and
    1 otherwise [ALPHA §2; module notes], so after a round with n_w ballots for w and n_ℓ for ℓ
    ``ln T = n_w ln(2η0) + n_ℓ ln(2 − 2η0)``: BRAVO's statistic with s_wℓ replaced by η0.  If
    the tallies are right, n_w among r ballots for w or ℓ is Binomial(r, s_wℓ), so the chance
    that the round ends with T ≥ 1/α is ``Pr{Binomial(r, s_wℓ) ≥ k_min(r; η0)}``; sizes are
    the smallest r reaching each probability, converted to ballots as ⌈r/(p_w + p_ℓ)⌉, the
    pair needing most setting the size — the exact computation of
    :func:`ballotproof.audit.bravo.bravo_sample_sizes`, started from the same closed form.
    The ALPHA P-value is the running minimum of 1/T_j, so checking after every ballot stops
    at least as often: these sizes are enough, and not always necessary, for the sequential
    use.  Learning η within the round (d < ∞) or drawing without replacement would change
    the numbers; their stopping times have no closed form (simulate them with
    :func:`stopping_times`).  Like BRAVO, a vote-for-n contest is treated as if no ballot
    showed both w and ℓ.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 600, "l": 400}, ballots=1000)
    >>> [s.n for s in polling_sample_sizes(c, alpha=0.1).sizes]  # = BRAVO's: η0 = s_wℓ here
    [175, 233, 342]
    """
    _check_alpha(alpha)
    targets = bravo._check_probabilities(probabilities)
    big_n = contest.ballots
    pairs = []
    for pair in contest.pairs():
        vw, vl = contest.tally[pair.winner], contest.tally[pair.loser]
        if contest.tied or vw == vl:
            pairs.append(PollingPair(pair, 0.5, 0.5, math.inf))
            continue
        eta0 = polling_eta0(contest, pair)
        z_w = math.log(2 * eta0)
        z_l = math.log(2 - 2 * eta0) if eta0 < 1 else -math.inf
        drift = (vw * z_w if vw else 0.0) / big_n + (vl * z_l if vl else 0.0) / big_n
        asn = math.inf if drift <= 0 else (math.log(1 / alpha) + z_w / 2) / drift
        pairs.append(PollingPair(pair, eta0, vw / (vw + vl), asn))
    by_pair = {p.pair: p for p in pairs}

    def k_for(pair: Pair) -> bravo.KminFn:
        eta0 = by_pair[pair].eta0
        return lambda r: bravo.k_min(r, eta0, alpha=alpha)

    def start_for(pair: Pair, target: float) -> float | None:
        return bravo._normal_start(by_pair[pair].eta0, by_pair[pair].s_wl, target, alpha)

    def line_for(pair: Pair) -> bravo._Line | None:
        return bravo._line(by_pair[pair].eta0, alpha)

    sizes = bravo._plan_all(
        contest, targets, k_for, sustained=False, start_for=start_for, line_for=line_for
    )
    worst = max(p.asn for p in pairs)
    need = None if contest.tied or not math.isfinite(worst) else math.ceil(worst)
    return AlphaPollingSizes(
        METHOD, contest.name, alpha, contest.tally, big_n, True, math.inf, tuple(pairs), need,
        sizes, Decision.FULL_HAND_COUNT if contest.tied else Decision.NEXT_ROUND,
    )  # fmt: skip


PLAN_REPS = 1000
"""Trials behind the simulated without-replacement polling sizes (fixed, with
:data:`PLAN_SEED`, so that ``audit plan`` and a stored audit's rounds agree to the ballot)."""
PLAN_SEED = 20230101
PLAN_MAX_DRAWS = 250_000
"""Longest simulated audit (draws) :func:`polling_sample_sizes_without_replacement` runs: the
simulation loops over draws (about 0.1 ms each for :data:`PLAN_REPS` trials)."""


@functools.lru_cache(maxsize=64)
def _simulated_pair_times(
    counts: tuple[int, int, int], eta0: float, alpha: float, cap: int, reps: int, seed: int
) -> tuple[int, ...]:
    """Stopping times (0: not by ``cap``) of ``reps`` simulated without-replacement polling
    audits of a population of (v_ℓ, others, v_w) cards valued (0, ½, 1)."""
    times = stopping_times(
        (0.0, 0.5, 1.0),
        [float(c) for c in counts],
        alpha=alpha,
        eta0=eta0,
        replacement=False,
        d=math.inf,
        epsilon=0.0,
        eta_remaining=True,
        max_draws=cap,
        reps=reps,
        rng=np.random.default_rng(seed),
    )
    return tuple(int(t) for t in times)


def polling_sample_sizes_without_replacement(
    contest: AuditContest,
    *,
    alpha: float,
    probabilities: Sequence[float] = bravo.DEFAULT_PROBABILITIES,
    reps: int = PLAN_REPS,
    seed: int = PLAN_SEED,
) -> AlphaPollingSizes:
    """First-round sizes of an ALPHA ballot-polling audit drawing distinct ballots, simulated.

    The test is the one :func:`ballotproof.audit.alpha_audit.polling_pair_risks` applies with
    N given: μ_j = (N/2 − S_{j−1})/(N − j + 1) and η_j = (Nη0 − S_{j−1})/(N − j + 1), the mean of
    the ballots not yet drawn under the null and under the alternative "the reported assorter
    mean η0 is right" [ALPHA §2, the SHANGRLA ``fixed_alternative_mean``].  T_n then depends
    on the order of the draws, not only on the counts, so there is no binomial computation:
    ``reps`` audits of the reported population (v_ℓ cards worth 0, v_w worth 1, the rest ½)
    are simulated with a fixed seed, each stopping at the first n with 1/T_n ≤ α, and the size
    for probability p is the p-quantile of the stopping times (largest over the pairs).
    Sizes are in ballots; the trials of a pair stop no later than the with-replacement
    computation's (:func:`polling_sample_sizes`) size in all but a few, which bounds the
    simulation at twice that size.  ``asn`` is the largest pair's mean stopping time.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 600, "l": 400}, ballots=1000)
    >>> [s.n for s in polling_sample_sizes_without_replacement(c, alpha=0.1).sizes]
    [114, 147, 195]
    """
    _check_alpha(alpha)
    targets = bravo._check_probabilities(probabilities)
    big_n = contest.ballots
    if contest.tied:
        sizes = tuple(
            bravo.RoundSize(t, big_n, None, None, Decision.FULL_HAND_COUNT) for t in targets
        )
        return AlphaPollingSizes(
            METHOD, contest.name, alpha, contest.tally, big_n, False, math.inf, (), None, sizes,
            Decision.FULL_HAND_COUNT,
        )  # fmt: skip
    with_repl = polling_sample_sizes(contest, alpha=alpha, probabilities=targets)
    cap = min(big_n, 2 * max(s.n for s in with_repl.sizes) + 100)
    if cap > PLAN_MAX_DRAWS:
        raise AnalysisError(
            f"sizing this ALPHA polling audit without replacement means simulating audits of "
            f"up to {cap:,} draws (more than {PLAN_MAX_DRAWS:,}): too long here; the sizes with "
            f"replacement are {', '.join(f'{s.n:,}' for s in with_repl.sizes)}"
        )
    pairs: list[PollingPair] = []
    per_pair: dict[Pair, list[int]] = {}
    for pair in contest.pairs():
        vw, vl = contest.tally[pair.winner], contest.tally[pair.loser]
        if vw == vl:
            pairs.append(PollingPair(pair, 0.5, 0.5, math.inf))
            per_pair[pair] = [big_n] * len(targets)
            continue
        eta0 = polling_eta0(contest, pair)
        counts = (vl, big_n - vw - vl, vw)
        times = np.asarray(_simulated_pair_times(counts, eta0, alpha, cap, reps, seed))
        stopped = np.sort(times[times > 0])
        ns = []
        for t in targets:
            need = math.ceil(t * reps)
            ns.append(int(stopped[need - 1]) if len(stopped) >= need else big_n)
        mean = float(np.where(times > 0, times, big_n).mean())
        pairs.append(PollingPair(pair, eta0, vw / (vw + vl), mean))
        per_pair[pair] = ns
    sizes_list = []
    for k, t in enumerate(targets):
        worst = max(per_pair, key=lambda q: per_pair[q][k])
        n = min(per_pair[worst][k], big_n)
        decision = Decision.FULL_HAND_COUNT if n >= big_n else Decision.NEXT_ROUND
        sizes_list.append(bravo.RoundSize(t, n, None, worst, decision))
    worst_asn = max(p.asn for p in pairs)
    return AlphaPollingSizes(
        METHOD, contest.name, alpha, contest.tally, big_n, False, math.inf, tuple(pairs),
        None if not math.isfinite(worst_asn) else math.ceil(worst_asn), tuple(sizes_list),
        Decision.NEXT_ROUND,
    )  # fmt: skip
