"""The outstanding-vote model: how much vote remains, how it may lean, who is likely to win.

Everything here uses only what was known at the moment of the estimate: the counts so far, the
source's estimate then of the share of the expected vote counted (Edison's *eevp*), and the
recent batches of this state. Nothing is fitted to the final results by an estimator; but the
constants of :class:`ModelParams` were set by hand, and some (the lean prior's width, the quiet
and drop-persistence minutes, the expected-vote cap) were revised after replaying 2020, so the
2020 backtest is in-sample (README, "Election night"); no election the engine has not seen has
been scored yet.

The model, for one state at one moment, with leader L and trailer T in the two-party count:

* **Counted.** D = L − T (the leader's margin), V = all votes counted, f₂ = (L + T)/V the
  two-party share of the count. When counts are rounded shares × V (the Edison series rounds
  shares to 0.001), D carries a measurement error with sd σ_D = V·√(2·0.001²/12) (two
  independent uniform roundings); exact counts have σ_D = 0.

* **Expected total.** From the latest expected-vote percentage q (0–100) known at that time, and
  the count V_q published with it: Ê = V_q / (q/100). Its relative error ε has
  sd s_E = √((s_r·(1 − q/100))² + (0.5/q)²/3): the source may misjudge the *uncounted* part
  by a relative s_r (default 30%; the counted part is known), and q is rounded to a whole
  percent. With only precincts reporting as a proxy, s_r is larger (default 50%).

* **A capped expected vote is a bound.** A percentage at or above the source's cap
  (``expected_cap_pct``, 99: Edison's 2020 series shows 99 % until certification) says only
  "at least q counted": the true share counted q′ is taken uniform on [q − 0.5, 100] (the
  rounding of the published q included), Ê = V_q/(q′/100), integrated with 24 Gauss–Legendre
  nodes — instead of q ± 0.5, which in 2020 left Arizona and Wisconsin with about 1 % of the
  vote always outstanding. With ``final=True`` (the feed has ended) nothing remains.

* **Remaining vote.** R = Ê(1 + ε) − V, floored at 0, of which the two-party part is
  R₂ = f₂·R. R is integrated over with Gauss–Hermite quadrature (n = 40 nodes) on ε.

* **Lean of the remaining vote.** p, the trailer's share of the remaining two-party vote, is
  Normal(μ_p, σ_p²). Two signals inform it: r, the trailer's two-party share in the most
  recent batches (weighted by their two-party votes, over the latest W votes, W the larger of
  5% of the count and 50,000; before any batch, the share of the count), and s, the
  trailer's share of the whole count. μ_p = w·r + (1 − w)·s (w = 0.5), and σ_p² = σ_w² +
  σ_drift² + ((r − s)/2)², where σ_w² is the weighted variance of recent batch shares divided
  by the effective number of batches, σ_drift = d₀ + d₁·√(R/Ê) (defaults 0.04 and 0.25), and
  the last term says that when the recent batches and the count disagree, neither is a safe
  guide to the rest: late votes (mail, provisional, one big county) can lean very differently
  from the recent ones, the more so the more remains. This is the vote-method lean the data
  supports: the feeds do not say which method a batch was, so the model learns it from the
  batch shares as they arrive. Batches are differences between successive counts of one
  source; where the feed names the counties a batch came from (the 2020 batch file does), the
  effective number of batches in σ_w² is capped by the number of distinct counties in the
  window — many batches from one county are one county's evidence, not many.

* **Final margin.** M = D + δ − R₂(2p − 1), δ ~ N(0, σ_D²). Given R₂, M is Normal with mean
  D + R₂(1 − 2μ_p) and variance σ_D² + 4R₂²σ_p². Hence P(leader wins) = E_ε[Φ(mean/sd)], and
  P(|M| ≤ τ) = E_ε[Φ((τ − mean)/sd) − Φ((−τ − mean)/sd)] for a recount threshold τ in votes.

* **Hurdle.** h = (R̂₂ + D)/(2R̂₂): the share of the remaining two-party vote the trailer needs
  to draw level, at the point estimate R̂₂ = f₂·max(Ê − V, 0); > 1 means impossible.

Assumptions stated plainly: the remaining vote's lean is Normal and independent of the turnout
error; third parties take the same share of the remaining vote as of the count; the source's
expected-vote estimate is unbiased. The 2020 backtest (``ballotproof replay``) reports how well
calibrated the resulting probabilities were.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

__all__ = ["Batch", "ModelParams", "OutstandingEstimate", "estimate"]

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(40)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()
_ROUNDING_SD = math.sqrt(2 * 0.001**2 / 12)
_LEG_NODES, _LEG_WEIGHTS = np.polynomial.legendre.leggauss(24)
_LEG_WEIGHTS = _LEG_WEIGHTS / _LEG_WEIGHTS.sum()


@dataclass(frozen=True, slots=True)
class ModelParams:
    """Tuning constants of the model, set by hand; some were revised after replaying 2020, so
    2020 scores are in-sample (see the module docstring)."""

    remaining_rel_sd: float = 0.30
    remaining_rel_sd_precincts: float = 0.50
    drift_base: float = 0.04
    drift_remaining: float = 0.25
    window_fraction: float = 0.05
    window_min_votes: int = 50_000
    expected_drop: float = 0.02
    recent_weight: float = 0.5
    quiet_minutes: float = 30.0
    drop_persist_minutes: float = 30.0
    expected_cap_pct: float = 99.0


@dataclass(frozen=True, slots=True)
class Batch:
    """Two-party votes added by one update (for the lean of the remaining vote), and the
    counties they came from when the feed says so (empty: unknown)."""

    leader_votes: int
    trailer_votes: int
    counties: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class OutstandingEstimate:
    """The model's view of one state at one moment.

    Attributes
    ----------
    leader, trailer : candidate ids (two-party)
    margin : int
        D, the leader's current margin (two-party counts).
    counted : int
        V, all votes counted.
    expected_total : float or None
        Ê; ``None`` when the source gave no estimate yet.
    remaining : float
        max(Ê − V, 0) (point estimate).
    remaining_sd : float
        s_E·Ê.
    hurdle : float or None
        Share of the remaining two-party vote the trailer needs; ``None`` if nothing remains.
    mu_p, sigma_p : the trailer's expected share of the remaining two-party vote, and its sd
    p_leader : float
        P(the current leader wins).
    p_within : float
        P(|final margin| ≤ τ) for the recount threshold τ given (0 when none).
    final_margin_mean : float
        Expected final margin of the current leader.
    """

    leader: str
    trailer: str
    margin: int
    counted: int
    expected_total: float | None
    remaining: float
    remaining_sd: float
    hurdle: float | None
    mu_p: float
    sigma_p: float
    p_leader: float
    p_within: float
    final_margin_mean: float


def _lean(
    batches: Sequence[Batch], counted_two_party: int, params: ModelParams, fallback: float
) -> tuple[float, float, float]:
    """Weighted mean and variance (of the mean) of the trailer's share in recent batches."""
    window = max(params.window_fraction * counted_two_party, params.window_min_votes)
    shares: list[float] = []
    weights: list[float] = []
    counties: set[str] = set()
    unknown = 0
    used = 0.0
    for b in reversed(batches):
        n = b.leader_votes + b.trailer_votes
        if n <= 0:
            continue
        take = min(n, window - used)
        if b.counties:
            counties |= b.counties
        else:
            unknown += 1
        shares.append(b.trailer_votes / n)
        weights.append(take)
        used += take
        if used >= window:
            break
    if not weights:
        return fallback, 0.0, 0.0
    w = np.asarray(weights)
    s = np.asarray(shares)
    mu = float(np.average(s, weights=w))
    var = float(np.average((s - mu) ** 2, weights=w))
    n_eff = float(w.sum() ** 2 / (w**2).sum())
    # Batches from the same few counties are not independent evidence: when the feed names the
    # counties, the effective number of batches is at most the number of distinct counties
    # (plus the batches whose counties are unknown).
    if counties:
        n_eff = min(n_eff, float(len(counties) + unknown))
    return mu, var / max(n_eff, 1.0), used


def estimate(
    votes_leader: int,
    votes_trailer: int,
    counted: int,
    *,
    leader: str,
    trailer: str,
    exact: bool,
    expected_pct: float | None,
    counted_at_expected: int | None,
    from_precincts: bool = False,
    expected_is_bound: bool = False,
    final: bool = False,
    batches: Sequence[Batch] = (),
    threshold_pct: float | None = None,
    threshold_votes: float | None = None,
    params: ModelParams | None = None,
) -> OutstandingEstimate:
    """Estimate the outstanding vote and the leader's chance, as described in the module.

    ``expected_pct`` and ``counted_at_expected`` are the latest expected-vote percentage and
    the total count published with it; ``expected_is_bound`` reads ``expected_pct`` as "at
    least" (a capped figure); ``final`` says the count is complete; ``threshold_pct``
    (percent of the final total) and ``threshold_votes`` give the recount threshold τ (the
    lesser of the two when both apply).
    """
    params = params or ModelParams()
    margin = votes_leader - votes_trailer
    two_party = votes_leader + votes_trailer
    f2 = two_party / counted if counted else 1.0
    share_now = votes_trailer / two_party if two_party else 0.5
    sigma_d = 0.0 if exact else _ROUNDING_SD * counted

    if expected_pct is None or expected_pct <= 0 or not counted_at_expected:
        expected = None
        # Nothing is known of the vote to come: treat it as large and uncertain.
        e_hat = float(max(counted, 1)) * 10.0
        s_e = 1.0
    else:
        expected = counted_at_expected / (expected_pct / 100.0)
        e_hat = expected
        s_r = params.remaining_rel_sd_precincts if from_precincts else params.remaining_rel_sd
        s_e = math.sqrt((s_r * (1.0 - expected_pct / 100.0)) ** 2 + (0.5 / expected_pct) ** 2 / 3.0)

    # Quadrature over the error of the expected total.
    weights = _WEIGHTS
    if final:
        expected = float(counted)
        e_hat, s_e = float(counted), 0.0
        r = np.zeros(1)
        weights = np.ones(1)
    elif expected is not None and expected_is_bound and expected_pct is not None:
        low = max(expected_pct - 0.5, 1e-9)
        q = low + (100.0 - low) * (_LEG_NODES + 1.0) / 2.0
        totals = float(counted_at_expected or 0) / (q / 100.0)
        r = np.maximum(totals - counted, 0.0) * f2
        weights = _LEG_WEIGHTS
        e_hat = float(np.dot(weights, totals))
        s_e = float(np.sqrt(np.dot(weights, (totals - e_hat) ** 2))) / max(e_hat, 1.0)
    else:
        r = np.maximum(e_hat * (1.0 + s_e * _NODES) - counted, 0.0) * f2
    remaining_hat = max(e_hat - counted, 0.0)
    recent, var_w, _ = _lean(batches, two_party, params, share_now)
    # Two signals of the remaining vote's lean: the recent batches and the whole count so far.
    # Their mean is the estimate; their disagreement is itself uncertainty (a late mail drop
    # or one big county says little about what the rest of the vote will look like).
    mu_p = params.recent_weight * recent + (1.0 - params.recent_weight) * share_now
    disagreement = (recent - share_now) / 2.0
    frac_left = min(remaining_hat / e_hat, 1.0) if e_hat else 0.0
    drift = params.drift_base + params.drift_remaining * math.sqrt(frac_left)
    sigma_p = math.sqrt(var_w + drift**2 + disagreement**2)

    mean = margin + r * (1.0 - 2.0 * mu_p)
    sd = np.sqrt(sigma_d**2 + 4.0 * r**2 * sigma_p**2)
    safe = np.where(sd > 0, sd, 1.0)
    win = np.where(sd > 0, ndtr(mean / safe), (mean > 0).astype(float))
    p_leader = float(np.dot(weights, win))

    tau_candidates = []
    if threshold_pct is not None:
        tau_candidates.append(threshold_pct / 100.0 * (counted + r / max(f2, 1e-9)))
    if threshold_votes is not None:
        tau_candidates.append(np.full_like(r, threshold_votes))
    if tau_candidates:
        tau = np.minimum.reduce(tau_candidates) if len(tau_candidates) > 1 else tau_candidates[0]
        inside = np.where(
            sd > 0,
            ndtr((tau - mean) / safe) - ndtr((-tau - mean) / safe),
            (np.abs(mean) <= tau).astype(float),
        )
        p_within = float(np.dot(weights, inside))
    else:
        p_within = 0.0

    r2_hat = remaining_hat * f2
    hurdle = (r2_hat + margin) / (2.0 * r2_hat) if r2_hat > 0 else None
    return OutstandingEstimate(
        leader=leader,
        trailer=trailer,
        margin=margin,
        counted=counted,
        expected_total=expected,
        remaining=remaining_hat,
        remaining_sd=s_e * e_hat if expected is not None else float("inf"),
        hurdle=hurdle,
        mu_p=mu_p,
        sigma_p=sigma_p,
        p_leader=min(max(p_leader, 0.0), 1.0),
        p_within=min(max(p_within, 0.0), 1.0),
        final_margin_mean=float(margin + r2_hat * (1.0 - 2.0 * mu_p)),
    )
