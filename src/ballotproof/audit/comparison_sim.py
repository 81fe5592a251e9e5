"""Chance that a comparison audit finishes in one round, by vectorised simulation.

Sources
-------
P. B. Stark, "Super-Simple Simultaneous Single-Ballot Risk-Limiting Audits", EVT/WOTE 2010.
P. B. Stark, "ALPHA: Audit that Learns from Previously Hand-Audited Ballots", Annals of
Applied Statistics 17(1), 2023; arXiv:2201.02707.
P. B. Stark, "Risk-limiting post-election audits: P-values from common probability
inequalities", IEEE Trans. Inf. Forensics Security 4(4):1005–1014, 2009, and "Efficient
post-election audits of multiple contests: 2009 California tests", SSRN 1443314, 2009.
The equations are in the method modules; this one only draws discrepancies and applies them.

For a first-round size n and discrepancies that occur independently at given rates, estimate
the probability that the audit can stop after the round:

* super-simple (:mod:`ballotproof.audit.supersimple`): the n draws fall into the
  categories o1, o2, u1, u2 and "no discrepancy" with a multinomial law; the round finishes iff
  the Kaplan–Markov P after the n draws is ≤ α.
* ALPHA comparison (:mod:`ballotproof.audit.alpha`): each draw's overstatement
  assorter value is B(e) = (1 − e/2)/(2 − v) for an overstatement of e votes drawn at the given
  rates; the round finishes iff the ALPHA P-value, min(1, 1/max_{j≤n} T_j), is ≤ α.
* MACRO (:mod:`ballotproof.audit.macro`): each PPEB draw has taint t with the given
  probability (else 0); the round finishes iff Π (1 − 1/U)/(1 − t_j) ≤ α.

All three draw with replacement (super-simple and MACRO are defined that way; ALPHA also
allows sampling without replacement: see :func:`ballotproof.audit.alpha.stopping_times`).
Discrepancies are for the closest pair (the assertion that needs the most ballots).  Each
estimate carries its binomial standard error; seeds are explicit so results can be reproduced.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np

from ballotproof.audit import alpha as alpha_method
from ballotproof.audit.contest import AuditContest
from ballotproof.audit.supersimple import CUSTOMARY_RATES, GAMMA, DiscrepancyRates
from ballotproof.errors import AnalysisError

__all__ = [
    "PassProbability",
    "alpha_comparison_pass_probability",
    "macro_pass_probability",
    "supersimple_pass_probability",
]


@dataclass(frozen=True, slots=True)
class PassProbability:
    """Estimated chance that one round of n draws lets the audit stop.

    Attributes
    ----------
    method : "super-simple", "ALPHA-comparison" or "MACRO"
    alpha : risk limit
    n : draws in the round
    rates : (category, rate) pairs the discrepancies were drawn at
    parameters : the method's other inputs as (name, value) pairs (γ, μ, U, η0, d, …)
    reps, seed : trials and seed
    probability : fraction of trials that stopped
    """

    method: str
    alpha: float
    n: int
    rates: tuple[tuple[str, float], ...]
    parameters: tuple[tuple[str, float], ...]
    reps: int
    seed: int
    probability: float

    @property
    def standard_error(self) -> float:
        p = self.probability
        return math.sqrt(p * (1 - p) / self.reps)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["rates"] = dict(self.rates)
        out["parameters"] = dict(self.parameters)
        out["standard_error"] = self.standard_error
        return out


def _check(alpha: float, n: int, reps: int) -> None:
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"risk limit alpha must be in (0, 1), got {alpha!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise AnalysisError(f"n must be a non-negative integer, got {n!r}")
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise AnalysisError(f"reps must be a positive integer, got {reps!r}")


def _rate_tuple(rates: DiscrepancyRates) -> tuple[tuple[str, float], ...]:
    return tuple((f.name, float(getattr(rates, f.name))) for f in fields(rates))


def _closest_margin(contest: AuditContest) -> Fraction:
    return min(
        Fraction(contest.tally[p.winner] - contest.tally[p.loser], contest.ballots)
        for p in contest.pairs()
    )


def supersimple_pass_probability(
    contest: AuditContest,
    n: int,
    *,
    alpha: float,
    rates: DiscrepancyRates = CUSTOMARY_RATES,
    gamma: float = GAMMA,
    reps: int = 10_000,
    seed: int = 0,
) -> PassProbability:
    """Chance that n draws give a super-simple P ≤ α with discrepancies at ``rates``.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> supersimple_pass_probability(c, 24, alpha=0.1, rates=DiscrepancyRates()).probability
    1.0
    """
    _check(alpha, n, reps)
    if not (math.isfinite(gamma) and gamma > 1):
        raise AnalysisError(f"gamma must be a finite number > 1, got {gamma!r}")
    mu = float(_closest_margin(contest))
    parameters = (("gamma", gamma), ("mu", mu))
    if contest.tied:
        probability = 0.0
    else:
        r = [float(rates.o1), float(rates.o2), float(rates.u1), float(rates.u2)]
        pvals = [*r, max(0.0, 1.0 - sum(r))]
        counts = np.random.default_rng(seed).multinomial(n, pvals, size=reps)
        per_category = np.array(
            [
                -math.log1p(-1 / (2 * gamma)),
                -math.log1p(-1 / gamma),
                -math.log1p(1 / (2 * gamma)),
                -math.log1p(1 / gamma),
                0.0,
            ]
        )
        log_p = n * math.log1p(-mu / (2 * gamma)) + counts @ per_category
        probability = float(np.mean(np.minimum(1.0, np.exp(log_p)) <= alpha))
    return PassProbability(
        method="super-simple",
        alpha=alpha,
        n=n,
        rates=_rate_tuple(rates),
        parameters=parameters,
        reps=reps,
        seed=seed,
        probability=probability,
    )


def alpha_comparison_pass_probability(
    contest: AuditContest,
    n: int,
    *,
    alpha: float,
    eta0: float,
    rates: DiscrepancyRates = CUSTOMARY_RATES,
    d: float = 100.0,
    epsilon: float | None = None,
    reps: int = 10_000,
    seed: int = 0,
) -> PassProbability:
    """Chance that ALPHA on the overstatement assorter stops within n draws.

    ``eta0`` must lie in (1/2, 2/(2 − v)]: 1/(2 − v) is the assorter mean when every CVR is
    right; values nearer the upper bound bet harder on there being no errors.
    """
    _check(alpha, n, reps)
    v = _closest_margin(contest)
    if contest.tied:
        probability = 0.0
        parameters: tuple[tuple[str, float], ...] = (("v", 0.0), ("eta0", eta0), ("d", d))
    else:
        u = alpha_method.comparison_upper_bound(v)
        values = alpha_method.overstatement_assorter([1.0, 0.5, 0.0, -0.5, -1.0], v=v)
        r = [float(rates.o2), float(rates.o1), float(rates.u1), float(rates.u2)]
        weights = [r[0], r[1], max(0.0, 1.0 - sum(r)), r[2], r[3]]
        parameters = (("v", float(v)), ("u", u), ("eta0", eta0), ("d", d))
        if n == 0:
            probability = 0.0
        else:
            times = alpha_method.stopping_times(
                values.tolist(),
                weights,
                alpha=alpha,
                eta0=eta0,
                replacement=True,
                u=u,
                d=d,
                epsilon=epsilon,
                max_draws=n,
                reps=reps,
                rng=np.random.default_rng(seed),
            )
            probability = float(np.mean(times > 0))
    return PassProbability(
        method="ALPHA-comparison",
        alpha=alpha,
        n=n,
        rates=_rate_tuple(rates),
        parameters=parameters,
        reps=reps,
        seed=seed,
        probability=probability,
    )


def macro_pass_probability(
    big_u: float | Fraction,
    n: int,
    *,
    alpha: float,
    taints: Mapping[float, float] | None = None,
    reps: int = 10_000,
    seed: int = 0,
) -> PassProbability:
    """Chance that n PPEB draws give a MACRO P ≤ α when a draw has taint t with probability
    ``taints[t]`` (and taint 0 otherwise).

    Examples
    --------
    >>> macro_pass_probability(21, 29, alpha=0.25).probability
    1.0
    """
    _check(alpha, n, reps)
    taint_rates = dict(taints or {})
    if any(not (-math.inf < t <= 1) for t in taint_rates):
        raise AnalysisError("a taint must be at most 1")
    if any(not 0 <= r <= 1 for r in taint_rates.values()) or sum(taint_rates.values()) > 1:
        raise AnalysisError("taint rates must be in [0, 1] and add up to at most 1")
    if big_u <= 0:
        raise AnalysisError(f"U must be positive, got {big_u!r}")
    values = [float(t) for t in taint_rates]
    pvals = [float(r) for r in taint_rates.values()]
    if big_u < 1:
        probability = 1.0
    elif n == 0:
        probability = 0.0
    else:
        counts = np.random.default_rng(seed).multinomial(
            n, [*pvals, max(0.0, 1.0 - sum(pvals))], size=reps
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            per_category = -np.log1p(-np.array([*values, 0.0]))
            log_p = n * math.log1p(-1 / float(big_u)) + np.where(
                counts > 0, counts * per_category, 0.0
            ).sum(axis=1)
        probability = float(np.mean(np.minimum(1.0, np.exp(log_p)) <= alpha))
    return PassProbability(
        method="MACRO",
        alpha=alpha,
        n=n,
        rates=tuple((str(t), r) for t, r in zip(values, pvals, strict=True)),
        parameters=(("U", float(big_u)),),
        reps=reps,
        seed=seed,
        probability=probability,
    )
