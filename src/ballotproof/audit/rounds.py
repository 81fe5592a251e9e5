"""The size of a later round, from the evidence so far (BRAVO).

Sources
-------
M. Lindeman, P. B. Stark and V. S. Yates, "BRAVO: Ballot-polling Risk-limiting Audits to
Verify Outcomes", EVT/WOTE 2012 (the test).  [LSY12]
M. Lindeman's analytic round-size calculation, as used by Arlo (VotingWorks,
``server/audit_math/bravo.py``, ``bravo_sample_sizes``): the quantile of the winner's count
in the next draws set equal to the count the test needs, a quadratic in n, then confirmed with
the exact binomial quantile.  [Arlo]

The rule
--------
For a reported winner w and loser ℓ with pairwise share s = v_w/(v_w + v_ℓ) and the steps
z_w = ln 2s, z_ℓ = ln(2 − 2s) of [LSY12], the sample so far (n_w ballots for w, n_ℓ for ℓ,
with a ballot not found counted for ℓ) has ln T₀ = n_w z_w + n_ℓ z_ℓ.  The next round finishes
the pair iff, among the r more ballots that show w or ℓ, the number X for w satisfies ::

    ln T₀ + X z_w + (r − X) z_ℓ ≥ ln(1/α),
    i.e.  X ≥ x_min(r) = ⌈(ln(1/α) − ln T₀ − r z_ℓ)/(z_w − z_ℓ)⌉

and if the reported result is right X ~ Binomial(r, s), so the chance of finishing is
``Pr{X ≥ x_min(r)}``, computed exactly (scipy's binomial survival function).  The round adds
the smallest r reaching the stated probability (default 90 %), found by a vectorised scan from
below the normal approximation's answer [Arlo]; the ballots to draw are ⌈r/(p_w + p_ℓ)⌉ with
p_c = v_c/N (the ballots that show neither are drawn too), the pair needing most setting the
size.  This is what Arlo does, with the exact quantile instead of its iterated correction.

Why it is safe: T is a nonnegative supermartingale under the null whatever rule chooses when
to look at it (Ville's inequality, [LSY12]), so round sizes chosen from the sample so far keep
the risk limit for BRAVO.  (Minerva's guarantee is for a schedule fixed in advance, so Minerva
rounds keep their fixed step: see :mod:`ballotproof.audit.process`.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy import stats

from ballotproof.audit.contest import AuditContest, Pair
from ballotproof.errors import AnalysisError

__all__ = ["bravo_next_round", "pair_next_relevant"]

_BLOCK = 65_536


def pair_next_relevant(s: float, log_t0: float, *, alpha: float, probability: float) -> int:
    """The smallest r (ballots showing w or ℓ) whose chance of finishing the pair is at least
    ``probability``, given ln T₀ so far; 0 if the pair is already confirmed.

    Examples
    --------
    A first round (ln T₀ = 0) at s = 0.6, α = 10 % needs the same as BRAVO's first round:

    >>> pair_next_relevant(0.6, 0.0, alpha=0.1, probability=0.9)
    342
    """
    if not 0.5 < s <= 1.0:
        raise AnalysisError(f"a pair's reported share must be above 1/2, got {s}")
    if not 0.0 < probability < 1.0:
        raise AnalysisError(f"the chance of finishing must be in (0, 1), got {probability}")
    need = math.log(1.0 / alpha) - log_t0
    if need <= 0:
        return 0
    z_w = math.log(2.0 * s)
    if s == 1.0:  # a landslide: every relevant ballot shows w
        return math.ceil(need / z_w)
    z_l = math.log(2.0 - 2.0 * s)
    # Normal approximation [Arlo]: r s − z √(r s (1 − s)) = (need − r z_ℓ)/(z_w − z_ℓ).
    z = float(stats.norm.ppf(probability))
    g = s + z_l / (z_w - z_l)  # coefficient of r on the left minus the right
    f = need / (z_w - z_l)
    d = s * (1.0 - s)
    # g r − z √(d r) − f = 0, a quadratic in √r.
    root = (z * math.sqrt(d) + math.sqrt(z * z * d + 4.0 * g * f)) / (2.0 * g)
    # Scan exactly from just below the approximation; if the block's first r already
    # finishes, step back so that the answer is the smallest r.
    start = max(1, int(0.999 * root * root) - 256)

    def chance(r: np.ndarray) -> np.ndarray:
        x_min = np.ceil((need - r * z_l) / (z_w - z_l) - 1e-12)
        return np.asarray(stats.binom.sf(x_min - 1, r, s))

    while start > 1 and chance(np.arange(start, start + 1, dtype=np.int64))[0] >= probability:
        start = max(1, start - 2 * (start // 100 + 256))
    block = 4096
    while True:
        r = np.arange(start, start + block, dtype=np.int64)
        hits = np.nonzero(chance(r) >= probability)[0]
        if hits.size:
            return int(r[hits[0]])
        start, block = start + block, min(2 * block, _BLOCK)


def bravo_next_round(
    contest: AuditContest,
    samples: Mapping[Pair, tuple[int, int]],
    *,
    alpha: float,
    probability: float = 0.9,
) -> int:
    """Ballots to add so that the next round finishes with chance ``probability`` if the
    reported result is right, given each pair's sample so far ``(n_w, n_ℓ)``.

    Examples
    --------
    >>> c = AuditContest("c", {"A": 600, "B": 400}, 1000)
    >>> pair = c.pairs()[0]
    >>> bravo_next_round(c, {pair: (0, 0)}, alpha=0.1)  # round 1
    342
    >>> bravo_next_round(c, {pair: (60, 40)}, alpha=0.1)  # evidence so far helps
    173
    """
    size = 0
    for pair in contest.pairs():
        v_w, v_l = contest.tally[pair.winner], contest.tally[pair.loser]
        s = v_w / (v_w + v_l)
        n_w, n_l = samples.get(pair, (0, 0))
        z_w = math.log(2.0 * s)
        z_l = math.log(2.0 - 2.0 * s) if s < 1.0 else -math.inf
        log_t0 = (n_w * z_w if n_w else 0.0) + (n_l * z_l if n_l else 0.0)
        r = pair_next_relevant(s, log_t0, alpha=alpha, probability=probability)
        size = max(size, math.ceil(r * contest.ballots / (v_w + v_l)))
    return size
