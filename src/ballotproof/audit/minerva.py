"""Minerva: round-by-round ballot-polling risk-limiting audits (the Athena class).

Sources
-------
F. Zagórski, G. McClearn, S. Morin, N. McBurnett and P. L. Vora, "The Athena Class of
Risk-Limiting Ballot Polling Audits", arXiv:2008.02315, 2021; published as "Minerva — An
Efficient Risk-Limiting Ballot Polling Audit", Proc. 30th USENIX Security Symposium, 2021.
[ZMMMV21]

Symbols
-------
For a reported winner w and loser ℓ only ballots showing w or ℓ count (the "relevant"
ballots).  ``p = v_w/(v_w + v_ℓ)`` is w's reported share of them (the alternative); the null
is the tie, share ``p_0 = 1/2``, the hardest wrong outcome to tell from the reported one.  The
round schedule ``n_1 < n_2 < …`` is cumulative: after round j, ``n_j`` relevant ballots have
been drawn and ``k_j`` of them show w.

Round 1 [ZMMMV21, the Minerva stopping rule]: with ``σ_1 = Binomial(n_1, p)`` and
``τ_1 = Binomial(n_1, 1/2)`` as laws of k_1, the audit stops iff ::

    α · Pr_σ1{K ≥ k_1} ≥ Pr_τ1{K ≥ k_1},    i.e.   risk_1 = Pr_τ1{K ≥ k_1} / Pr_σ1{K ≥ k_1} ≤ α

Because the likelihood ratio σ(k)/τ(k) grows with k the tail ratio falls with k, so the rule
is ``k_1 ≥ k_min,1``, the smallest k meeting it.  It never needs more ballots for w than BRAVO
applied at the end of the round (if σ(k')/τ(k') ≥ 1/α for every k' ≥ k, so does the tail
ratio), which bounds the search for k_min.

Later rounds: not having stopped means k_{j−1} < k_min,j−1, so the laws of k_j are the
truncated laws of the previous round convolved with the new draws ::

    σ_j = (σ_{j−1} restricted to k < k_min,j−1) ∗ Binomial(n_j − n_{j−1}, p)
    τ_j = (τ_{j−1} restricted to k < k_min,j−1) ∗ Binomial(n_j − n_{j−1}, 1/2)

(sub-probability laws), ``k_min,j`` is the smallest k with ``α Σ_{k'≥k} σ_j(k') ≥
Σ_{k'≥k} τ_j(k')`` and the risk of round j is the ratio of those tails at the observed k_j.
With ``S_j = Σ_{k≥k_min,j} σ_j(k)`` (chance of stopping in round j if the reported shares are
right) and ``R_j = Σ_{k≥k_min,j} τ_j(k)`` (chance of stopping there under the tie), the rule
gives ``R_j ≤ α S_j``, so the total risk ``Σ_j R_j ≤ α Σ_j S_j ≤ α``.  Round 1 is computed
with scipy's exact binomial tails.  For later rounds only τ_j is computed: a path of n_j
relevant ballots with k for w has likelihood ratio ``Λ_j(k) = (2p)^k (2 − 2p)^(n_j − k)`` (BRAVO's
statistic [LSY12]: it depends on the path only through k), and the truncations keep or drop
whole paths, so ``σ_j = τ_j Λ_j`` exactly.  τ_j is kept as logarithms on a window of k, built
from exponentially tilted convolutions [Wilson & Keich 2016] so that tails of any size (1e-40
and below) keep their relative accuracy (see ``_NullLaw``); summing FFT output directly, as
before, lost every tail below about 1e-11 of the largest entry.  The risk of round j never
exceeds end-of-round BRAVO's ``1/Λ_j(k_j)`` (the tail ratio is at most the ratio at its first
term, Λ_j growing with k).

[LSY12] M. Lindeman, P. B. Stark and V. S. Yates, "BRAVO: Ballot-polling Risk-limiting Audits
to Verify Outcomes", EVT/WOTE '12.  [Wilson & Keich 2016] H. Wilson and U. Keich, "Accurate
pairwise convolutions of non-negative vectors via FFT", Computational Statistics & Data
Analysis 101 (2016) 300–315: exponential tilting so that FFT error is small relative to the
entries that matter.  [Hoggar 1974] S. G. Hoggar, "Chromatic polynomials and logarithmic
concavity", J. Combin. Theory B 16: convolutions of log-concave sequences are log-concave.

First-round size: the smallest ``n`` with ``Pr_σ1{K ≥ k_min,1(n)} ≥ P`` or, with
``sustained=True``, the smallest from which that probability stays ≥ P (checked up to
2n + 64, and further while it still dips there): the convention that reproduces the
first-round tables of [ZMMMV21].  Ballots to draw are ``⌈n/(p_w + p_ℓ)⌉`` with p_c = v_c/N,
as in those tables; the pair needing most sets the size.  The search is exact (every size it
skips is ruled out by a bound, see ``_FirstRoundStop``) and starts from the normal
approximation of the authors' tools (``_normal_round``), checking the saw-tooth's teeth one by
one only near the crossing.

Assumptions: ballots are drawn uniformly *with replacement*.  Ballots for neither w nor ℓ are
ignored by the pair's test: the schedule of a pair is the cumulative number of its relevant
ballots, which is random but, given how many there are, their split between w and ℓ is a
binomial sample; a round that adds no relevant ballot is no round for that pair.  [ZMMMV21]
prove the risk limit for a round schedule fixed before the audit begins; round sizes chosen
from the sample drawn so far are not covered.  The distributions, and so k_min, depend on α.
A tie (``AuditContest.tied``) goes to a full hand count.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from ballotproof.audit import bravo
from ballotproof.audit.card_rounds import PairRisk, PollingMethod
from ballotproof.audit.contest import AuditContest, Decision, Pair, jsonable
from ballotproof.audit.sampler import Batch
from ballotproof.audit.spec import AuditSpec, Method
from ballotproof.errors import AnalysisError

__all__ = [
    "METHOD",
    "MinervaPairRisk",
    "MinervaRisk",
    "MinervaRound",
    "MinervaSampleSizes",
    "MinervaSchedule",
    "first_round_k_min",
    "first_round_stopping_probability",
    "minerva_risk",
    "minerva_sample_sizes",
    "minerva_schedule",
    "minimum_first_round",
]

METHOD = "Minerva"

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# --- round 1, exact ---------------------------------------------------------------------------

try:  # the functions behind scipy.stats.binom.sf, .pmf and .isf (Boost), without their
    # ~0.25 ms per call of argument handling or the 1 s it takes to import scipy.stats; scipy
    # is pinned and the tests check that they agree exactly
    from scipy.special._ufuncs import _binom_isf as _boost_binom_isf
    from scipy.special._ufuncs import _binom_pmf as _boost_binom_pmf
    from scipy.special._ufuncs import _binom_sf as _boost_binom_sf
except ImportError:  # pragma: no cover - another scipy: fall back to the public functions
    _boost_binom_sf = _boost_binom_pmf = _boost_binom_isf = None


def _binom_sf(k: IntArray, n: IntArray, p: float) -> FloatArray:
    """``scipy.stats.binom.sf(k, n, p)`` (Pr{Binomial(n, p) > k}) for integer arrays k, n."""
    kk = np.asarray(k, dtype=np.int64)
    nn = np.asarray(n, dtype=np.int64)
    if _boost_binom_sf is None:  # pragma: no cover
        from scipy import stats

        return np.asarray(stats.binom.sf(kk, nn, p), dtype=np.float64)
    inside = (kk >= 0) & (kk < nn)
    with np.errstate(all="ignore"):
        core = _boost_binom_sf(
            np.where(inside, kk, 0).astype(np.float64),
            np.where(inside, nn, 1).astype(np.float64),
            p,
        )
    return np.asarray(np.where(kk < 0, 1.0, np.where(inside, core, 0.0)), dtype=np.float64)


def _binom_pmf(k: IntArray, n: int, p: float) -> FloatArray:
    """``scipy.stats.binom.pmf(k, n, p)`` for integers 0 ≤ k ≤ n."""
    if _boost_binom_pmf is None:  # pragma: no cover
        from scipy import stats

        return np.asarray(stats.binom.pmf(k, n, p), dtype=np.float64)
    return np.asarray(_boost_binom_pmf(k.astype(np.float64), float(n), p), dtype=np.float64)


def _binom_isf(q: float, n: IntArray, p: float) -> IntArray:
    """``scipy.stats.binom.isf(q, n, p)`` for 0 < q < 1 and integers n ≥ 0."""
    if _boost_binom_isf is None:  # pragma: no cover
        from scipy import stats

        return np.asarray(stats.binom.isf(q, n, p), dtype=np.int64)
    return np.asarray(_boost_binom_isf(q, n.astype(np.float64), p), dtype=np.int64)


def _tails_ratio(k: IntArray, n: IntArray, p: float) -> tuple[FloatArray, FloatArray]:
    """(Pr_τ{K ≥ k} / Pr_σ{K ≥ k} clipped to [0, 1], Pr_σ{K ≥ k}) for Binomial(n, 1/2) and
    Binomial(n, p)."""
    null = _binom_sf(k - 1, n, 0.5)
    alt = _binom_sf(k - 1, n, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(alt > 0, null / np.where(alt > 0, alt, 1.0), 0.0)
    return np.asarray(np.clip(ratio, 0.0, 1.0), dtype=np.float64), alt


def _tail_ratio(k: IntArray, n: IntArray, p: float) -> FloatArray:
    """Pr_τ{K ≥ k} / Pr_σ{K ≥ k} for Binomial(n, 1/2) and Binomial(n, p), in [0, 1]."""
    return _tails_ratio(k, n, p)[0]


def _k_min_guess(n: IntArray, p: float, alpha: float) -> FloatArray:
    """k where the continuity-corrected normal approximations of the two binomial tails meet
    Pr_τ = α Pr_σ (de Moivre–Laplace); only a first guess for the exact search, which checks
    it.  Newton's method from the tie's upper α quantile, kept inside [n/2 − 10 sd, np + 10 sd]
    (the approximate log ratio falls with k)."""
    nf = n.astype(np.float64)
    sd0, sd1 = np.sqrt(nf) / 2, np.sqrt(nf * p * (1 - p))
    lo, hi = nf / 2 - 10 * sd0, nf * p + 10 * sd1
    log_alpha = math.log(alpha)
    k = nf / 2 + sd0 * float(special.ndtri(1 - alpha))
    for _ in range(8):
        a0, a1 = (nf / 2 - k + 0.5) / sd0, (nf * p - k + 0.5) / sd1
        l0, l1 = special.log_ndtr(a0), special.log_ndtr(a1)
        f = l0 - l1 - log_alpha
        # d/dk ln Φ(a) = −φ(a)/Φ(a) / sd, with φ/Φ from logs (no underflow)
        h0 = np.exp(-0.5 * a0 * a0 - 0.5 * math.log(2 * math.pi) - l0)
        h1 = np.exp(-0.5 * a1 * a1 - 0.5 * math.log(2 * math.pi) - l1)
        slope = -h0 / sd0 + h1 / sd1
        lo, hi = np.where(f > 0, k, lo), np.where(f > 0, hi, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = k - f / slope
        k = np.where((step > lo) & (step < hi), step, (lo + hi) / 2)
    return np.asarray(k, dtype=np.float64)


def _k_min_and_stop(nn: IntArray, p: float, alpha: float) -> tuple[IntArray, FloatArray]:
    """(k_min,1(n), Pr_σ{K ≥ k_min,1(n)}) for p > 1/2, α validated; see first_round_k_min."""
    hi = np.minimum(bravo.k_min(nn, p, alpha=alpha), nn)
    lo = np.zeros_like(nn)  # ratio(0) = 1 > α
    found = np.zeros(nn.shape, dtype=np.bool_)
    done = np.zeros(nn.shape, dtype=np.bool_)
    stop = np.zeros(nn.shape, dtype=np.float64)
    # 1. the normal approximation, checked: ratio(g − 1) > α ≥ ratio(g) makes g the answer;
    #    else a bracket a few units wide around it, checked the same way
    big = np.flatnonzero(nn >= 16) if p < 1.0 else np.empty(0, dtype=np.int64)
    if big.size:
        nb, hb = nn[big], hi[big]
        g = np.clip(np.rint(_k_min_guess(nb, p, alpha)).astype(np.int64), 1, hb)
        r_below = _tail_ratio(g - 1, nb, p)
        r_at, alt_at = _tails_ratio(g, nb, p)
        exact = (r_below > alpha) & (r_at <= alpha)
        done[big], lo[big], stop[big] = exact, np.where(exact, g - 1, 0), alt_at
        hi[big] = np.where(exact, g, hb)
        found[big] = exact
        rest = ~exact
        if rest.any():
            nr, gr, hr = nb[rest], g[rest], hb[rest]
            g_lo, g_hi = np.clip(gr - 4, 0, hr), np.clip(gr + 3, 0, hr)
            ok = ((_tail_ratio(g_lo, nr, p) > alpha) | (g_lo == 0)) & (
                _tail_ratio(g_hi, nr, p) <= alpha
            )
            idx = big[rest]
            lo[idx] = np.where(ok, g_lo, 0)
            hi[idx] = np.where(ok, g_hi, hr)
            found[idx] = ok
    # 2. elsewhere the wide bracket: the last k whose null tail alone exceeds α (the ratio is
    #    at least the null tail) and BRAVO's k_min, where the ratio is ≤ α if anywhere
    rest = ~found
    if rest.any():
        nr, hr = nn[rest], hi[rest]
        fr = _tail_ratio(hr, nr, p) <= alpha
        lr = np.maximum(_binom_isf(alpha, nr, 0.5) - 1, 0)
        lr = np.where((lr < hr) & (_tail_ratio(lr, nr, p) > alpha), lr, 0)
        lo[rest], hi[rest], found[rest] = lr, np.where(fr, hr, nr + 1), fr
    # 3. bisection: ratio(lo) > α ≥ ratio(hi); the ratio falls with k, so this finds the first
    #    k with ratio ≤ α whatever the bracket
    while True:
        active = found & (hi - lo > 1)
        if not active.any():
            break
        mid = (lo + hi) // 2
        good = _tail_ratio(mid, nn, p) <= alpha
        hi = np.where(active & good, mid, hi)
        lo = np.where(active & ~good, mid, lo)
    todo = found & ~done
    if todo.any():
        stop[todo] = _binom_sf(hi[todo] - 1, nn[todo], p)
    stop = np.where(found, stop, 0.0)
    return np.asarray(hi, dtype=np.int64), np.asarray(stop, dtype=np.float64)


def first_round_k_min(n: int | IntArray, p: float, *, alpha: float) -> IntArray:
    """k_min,1(n): fewest ballots for w among n relevant ballots that stop round 1.

    ``n + 1`` where nothing will do.  Vectorised over n: a bisection in a bracket that is
    checked exactly, around the normal approximation (:func:`_k_min_guess`) where it is
    right, else between the last k whose null tail alone exceeds α and BRAVO's k_min, where
    the ratio is known to be ≤ α.

    Examples
    --------
    >>> int(first_round_k_min(100, 0.6, alpha=0.1))
    58
    """
    alpha = bravo._check_alpha(alpha)
    p = bravo._check_share("p", p)
    nn = np.asarray(n, dtype=np.int64)
    if p <= 0.5:
        return nn + 1
    flat = nn.reshape(-1)
    k, _ = _k_min_and_stop(flat, p, alpha)
    return np.asarray(k.reshape(nn.shape), dtype=np.int64)


def first_round_stopping_probability(
    p: float, n: int | IntArray, *, alpha: float, true_share: float | None = None
) -> FloatArray:
    """Pr{k_1 ≥ k_min,1(n)} when w's true share of the relevant ballots is true_share (or p).

    Examples
    --------
    >>> round(float(first_round_stopping_probability(0.6, 100, alpha=0.1)), 4)
    0.6967
    """
    p = bravo._check_share("p", p)
    t = p if true_share is None else bravo._check_share("true_share", true_share)
    nn = np.asarray(n, dtype=np.int64)
    k = first_round_k_min(nn, p, alpha=alpha)
    return np.asarray(np.where(k <= nn, _binom_sf(k - 1, nn, t), 0.0), dtype=np.float64)


def minimum_first_round(p: float, *, alpha: float) -> int | None:
    """Smallest round at which Minerva can stop at all: ⌈ln(1/α)/ln(2p)⌉ (all n for w).

    With every ballot for w the tail ratio is (1/(2p))^n, BRAVO's 1/T.

    Examples
    --------
    >>> minimum_first_round(0.6, alpha=0.1), minimum_first_round(0.51, alpha=0.05)
    (13, 152)
    """
    alpha = bravo._check_alpha(alpha)
    p = bravo._check_share("p", p)
    if p <= 0.5:
        return None
    n = max(1, math.ceil(math.log(1 / alpha) / math.log(2 * p)))
    while n > 1 and first_round_k_min(n - 1, p, alpha=alpha) <= n - 1:
        n -= 1
    while first_round_k_min(n, p, alpha=alpha) > n:
        n += 1
    return n


# --- later rounds: the recursion ----------------------------------------------------------------

# Each round's laws are kept as logarithms on a window of k and built from exponentially tilted
# convolutions (see _NullLaw).  Constants:
_CUT = 60.0  # inputs below e^-60 of a convolution's largest input are left out
_TRUST_FFT = 5.0  # FFT output is trusted within e^5 of its largest entry (error ~1e-14 of it)
_TRUST_DIRECT = 20.0  # direct sums of positive terms are limited only by the inputs left out
_DECAY = 46.0  # a tail is complete once what lies outside the window is below e^-46 of it
_DIRECT_LIMIT = 2_000_000  # np.convolve up to this many multiply-adds, FFT above
_MAX_BANDS = 100_000  # guard against a window that stops growing (never reached in tests)


def _log_two_q(theta: float) -> tuple[float, float]:
    """(ln 2q, ln(2 − 2q)) for q = e^θ/(1 + e^θ); through 2q − 1 = tanh(θ/2) when θ is small,
    so that the logs keep their relative accuracy."""
    if abs(theta) < 1.0:
        t = math.tanh(theta / 2)
        return math.log1p(t), math.log1p(-t)
    return math.log(2.0) - math.log1p(math.exp(-theta)), math.log(2.0) - math.log1p(math.exp(theta))


def _binomial_window(d: int, q: float) -> tuple[int, FloatArray, float]:
    """Binomial(d, q) around its mode: (first x, pmf(x)/pmf(mode) where that is ≥ e^-CUT,
    ln pmf(mode)).  scipy's binomial pmf (Boost) keeps its relative accuracy there."""
    sd = math.sqrt(d * q * (1.0 - q))
    centre = min(d, max(0, math.floor((d + 1) * q)))
    half = math.ceil(1.3 * math.sqrt(2 * _CUT) * sd) + 16
    while True:
        x0, x1 = max(0, centre - half), min(d, centre + half)
        pmf = _binom_pmf(np.arange(x0, x1 + 1), d, q)
        top = float(pmf.max())
        ok = pmf >= top * math.exp(-_CUT)
        if (x0 == 0 or not ok[0]) and (x1 == d or not ok[-1]):
            break
        half *= 2
    idx = np.flatnonzero(ok)
    return x0 + int(idx[0]), pmf[idx[0] : idx[-1] + 1] / top, math.log(top)


def _log_lambda(k: IntArray, n: int, lp: float, lq: float) -> FloatArray:
    """ln Λ_n(k) = k ln 2p + (n − k) ln(2 − 2p), with 0·(−inf) read as 0."""
    kk = k.astype(np.float64)
    with np.errstate(invalid="ignore"):
        a = np.where(k > 0, kk * lp, 0.0)
        b = np.where(n - k > 0, (n - kk) * lq, 0.0)
    return np.asarray(a + b, dtype=np.float64)


class _NullLaw:
    """τ_j, the law of k_j under the tie restricted to not having stopped before round j.

    Identity [likelihood ratio of a path; it depends on the path only through its end]:
    a sequence of n_j relevant ballots with k_j for w has probability p^k (1 − p)^(n−k) under
    the alternative and 2^−n under the tie, and the truncations keep or drop whole paths, so ::

        σ_j(k) = τ_j(k) · Λ_j(k),    Λ_j(k) = (2p)^k (2 − 2p)^(n_j − k)

    (BRAVO's statistic [LSY12]).  Only τ_j is computed; σ_j and every tail come from it in
    logs, so tails of 1e-300 and below keep their relative accuracy.

    τ_j = (τ_{j−1} restricted to k < k_min,j−1) ∗ Binomial(d_j, 1/2) is computed in bands.  A
    band multiplies both factors by e^{θk} (exponential tilting: Binomial(d, 1/2)(x) e^{θx} =
    ((1 + e^θ)/2)^d Binomial(d, q)(x) with q = e^θ/(1 + e^θ)), so the convolution's largest
    entries sit where θ puts them; an FFT convolution is accurate to about 1e-14 of its largest
    entry, so each band is trusted only within e^5 of its largest (within e^20 for a direct
    convolution, which sums positive terms).  Bands are added, θ set from the slope of ln τ_j
    at the edge of the trusted window (τ_j is log-concave, as a convolution of log-concave
    sequences [Hoggar 1974], so the tilted band peaks there), until the window holds every k
    that matters: tails that reach past it are bounded by the geometric series that
    log-concavity gives and must be below e^-46 of the tail they belong to.  This is
    exponentially shifted convolution [Wilson & Keich 2016, "Accurate pairwise convolutions of
    non-negative vectors via FFT", Comput. Stat. Data Anal. 101] applied to the Minerva
    recursion [ZMMMV21].
    """

    def __init__(self, prev: _NullLaw | None, n: int, d: int, p: float) -> None:
        self.prev = prev
        self.n = n
        self.d = d
        self.lp, self.lq = math.log1p(2 * p - 1), (math.log1p(1 - 2 * p) if p < 1 else -math.inf)
        self.theta_p = math.log(p / (1 - p)) if p < 1 else math.inf
        self.cliff: int | None = None  # k_min,j once known: only k < cliff go on to round j+1
        top = d if prev is None else prev.feed_top() + d
        self.empty = prev is not None and prev.feed_top() < 0
        self.support_top = min(n, top)
        self.lo = 0
        self.log = np.empty(0, dtype=np.float64)  # ln τ_j(lo + i)
        self.trust = np.empty(0, dtype=np.float64)  # ≥ 0: trusted
        self.bot = 0  # trusted window [bot, top]
        self.top = -1
        self.thetas: list[float] = []
        self._tails: tuple[FloatArray, FloatArray] | None = None

    # -- feeding the next round --

    def feed_top(self) -> int:
        return self.support_top if self.cliff is None else min(self.support_top, self.cliff - 1)

    def fed(self) -> tuple[int, FloatArray]:
        """ln τ_j(k) for the trusted k < cliff."""
        hi = min(self.top, self.feed_top())
        return self.bot, self.log[self.bot - self.lo : hi - self.lo + 1]

    def ensure_fed(self, theta: float) -> None:
        """Grow the window until τ_j e^{θk} (k < cliff) has all but e^-CUT of it inside."""
        if self.empty:
            return
        if self.top < 0:
            self._band(0.0)
        while True:
            up, down = self._fed_ok(theta)
            if up and down:
                return
            self._extend(up=not up)

    def _fed_ok(self, theta: float) -> tuple[bool, bool]:
        """Whether the tilted law has decayed by e^-CUT at the window's top and bottom."""
        hi = min(self.top, self.feed_top())
        if self.top < 0 or hi < self.bot:
            return False, self.bot == 0
        w = self.log[self.bot - self.lo : hi - self.lo + 1] + theta * np.arange(hi - self.bot + 1)
        top_w = float(w.max())
        up = hi == self.feed_top() or (w.size > 1 and w[-1] < w[-2] and w[-1] <= top_w - _CUT)
        down = self.bot == 0 or (w.size > 1 and w[0] < w[1] and w[0] <= top_w - _CUT)
        return bool(up), bool(down)

    def _extend(self, *, up: bool) -> None:
        """A band whose peak is at the top (or bottom) of the trusted window."""
        if len(self.thetas) > _MAX_BANDS:
            raise AnalysisError("Minerva: the recursion's window does not converge")
        edge = self.top if up else self.bot
        if (up and edge >= self.support_top) or (not up and edge <= 0):
            raise AnalysisError("Minerva: internal error, window already covers the support")
        i = edge - self.lo
        j = i - 1 if up else i + 1
        slope = (self.log[i] - self.log[j]) * (1 if up else -1)  # d ln τ / dk at the edge
        theta = -slope if math.isfinite(slope) else (max(self.thetas) + 1 if up else 0.0)
        theta = max(theta, max(self.thetas) + 1e-9) if up else min(theta, min(self.thetas) - 1e-9)
        old = (self.bot, self.top)
        self._band(theta)
        step = 1.0
        while (self.bot, self.top) == old:  # no progress: tilt harder
            step *= 4
            self._band(theta + (step if up else -step) * 1e-3)

    def _band(self, theta: float) -> None:
        self.thetas.append(theta)
        q = float(special.expit(theta))
        x0, b, log_top = _binomial_window(self.d, q)
        mode = x0 + int(np.argmax(b))
        l2q, l22q = _log_two_q(theta)
        log_b_mode = log_top - (mode * l2q + (self.d - mode) * l22q)  # ln Binomial(d, 1/2)(mode)
        if self.prev is None:  # round 1: the tilted binomial itself, exact
            k_a, log_a, c, first, trust = 0, 0.0, b, x0, _CUT
        else:
            self.prev.ensure_fed(theta)
            lo, logs = self.prev.fed()
            w = logs + theta * np.arange(logs.size)
            ia = int(np.argmax(w))
            keep = np.flatnonzero(w >= w[ia] - _CUT)
            i0, i1 = int(keep[0]), int(keep[-1])
            with np.errstate(under="ignore"):
                a = np.exp(w[i0 : i1 + 1] - w[ia])
            k_a, log_a, first = lo + ia, float(logs[ia]), lo + i0 + x0
            if a.size * b.size <= _DIRECT_LIMIT:
                c, trust = np.convolve(a, b), _TRUST_DIRECT
            else:
                from scipy.signal import fftconvolve  # only here: slow to import

                c, trust = fftconvolve(a, b), _TRUST_FFT
        ks = first + np.arange(c.size)
        with np.errstate(divide="ignore"):
            log_c = np.log(np.clip(c, 0.0, None))
        rel = log_c - float(log_c.max())
        logs_j = log_a + log_b_mode + log_c - theta * (ks - k_a - mode)
        self._merge(int(first), logs_j, rel + trust)

    def _merge(self, first: int, logs: FloatArray, trust: FloatArray) -> None:
        last = first + logs.size - 1
        if self.log.size == 0:
            lo, hi = first, last
        else:
            lo, hi = min(self.lo, first), max(self.lo + self.log.size - 1, last)
        if lo != self.lo or hi != self.lo + self.log.size - 1:
            new_log = np.full(hi - lo + 1, -np.inf)
            new_trust = np.full(hi - lo + 1, -np.inf)
            if self.log.size:
                new_log[self.lo - lo : self.lo - lo + self.log.size] = self.log
                new_trust[self.lo - lo : self.lo - lo + self.log.size] = self.trust
            self.lo, self.log, self.trust = lo, new_log, new_trust
        s = slice(first - self.lo, last - self.lo + 1)
        better = trust > self.trust[s]
        self.log[s] = np.where(better, logs, self.log[s])
        self.trust[s] = np.where(better, trust, self.trust[s])
        ok = np.flatnonzero(self.trust >= 0)
        # the trusted run around the first band's peak (bands overlap, so it is one run)
        self.bot, self.top = self.lo + int(ok[0]), self.lo + int(ok[-1])
        self._tails = None

    # -- tails --

    def tails(self) -> tuple[FloatArray, FloatArray]:
        """(ln Σ_{k'≥k} τ_j(k'), ln Σ_{k'≥k} σ_j(k')) for k = bot..top (window only)."""
        if self._tails is None:
            ks = np.arange(self.bot, self.top + 1)
            x = self.log[self.bot - self.lo : self.top - self.lo + 1]
            y = x + _log_lambda(ks, self.n, self.lp, self.lq)
            self._tails = (
                np.logaddexp.accumulate(x[::-1])[::-1],
                np.logaddexp.accumulate(y[::-1])[::-1],
            )
        return self._tails

    def _beyond(self, up: bool) -> tuple[float, float]:
        """Upper bounds on ln Σ τ_j and ln Σ σ_j outside the window, above it (or below)."""
        if (up and self.top >= self.support_top) or (not up and self.bot <= 0):
            return -math.inf, -math.inf
        i = (self.top if up else self.bot) - self.lo
        j = i - 1 if up else i + 1
        if not (0 <= j < self.log.size) or self.trust[j] < 0:
            return math.inf, math.inf
        lr_tau = float(self.log[i] - self.log[j])  # ln of the ratio of successive terms
        lr_sigma = lr_tau + (self.theta_p if up else -self.theta_p)
        lam = float(_log_lambda(np.array([self.top if up else self.bot]), self.n, self.lp,
                                self.lq)[0])  # fmt: skip

        def bound(log_edge: float, lr: float) -> float:
            if log_edge == -math.inf:
                return -math.inf
            if not lr < 0:
                return math.inf
            return log_edge + lr - math.log(-math.expm1(lr))  # edge · r/(1 − r)

        return bound(float(self.log[i]), lr_tau), bound(float(self.log[i]) + lam, lr_sigma)

    def complete_at(self, k: int) -> bool:
        """Whether both tails at k are known to within e^-DECAY from the window."""
        if self.top < 0 or k > self.top:
            return False
        lt, ls = self.tails()
        i = max(k, self.bot) - self.bot
        for up in (True, False) if k < self.bot else (True,):
            bt, bs = self._beyond(up)
            if bt > lt[i] - _DECAY or bs > ls[i] - _DECAY:
                return False
        return True

    def ensure_tail(self, k: int) -> None:
        """Grow the window until the tails at k are complete (k within the support)."""
        if self.empty or k > self.support_top:
            return
        if self.top < 0:
            self._band(0.0)
        while not self.complete_at(k):
            if k > self.top:
                self._extend(up=True)
                continue
            if k < self.bot:
                bt, bs = self._beyond(False)
                lt, ls = self.tails()
                if bt > lt[0] - _DECAY or bs > ls[0] - _DECAY:
                    self._extend(up=False)
                    continue
            self._extend(up=True)

    def tail_at(self, k: int) -> tuple[float, float]:
        """(ln tail of τ_j, ln tail of σ_j) at k, after ensure_tail(k)."""
        if self.empty or k > self.support_top:
            return -math.inf, -math.inf
        lt, ls = self.tails()
        i = max(k, self.bot) - self.bot
        return float(lt[i]), float(ls[i])

    def log_risk(self) -> FloatArray:
        """ln of the tail ratio on the window, made non-increasing in k (as it is exactly)."""
        lt, ls = self.tails()
        with np.errstate(invalid="ignore"):
            d = np.where(ls > -np.inf, lt - ls, np.inf)
        return np.asarray(np.minimum.accumulate(d), dtype=np.float64)

    def k_min(self, alpha: float) -> int | None:
        """Smallest k with α Σ_{k'≥k} σ_j ≥ Σ_{k'≥k} τ_j (as risk ≤ α), None if none."""
        if self.empty:
            return None
        s = self.support_top
        if math.exp(-float(_log_lambda(np.array([s]), self.n, self.lp, self.lq)[0])) > alpha:
            return None  # the tail ratio at the top of the support is 1/Λ_j(s) > α
        if self.top < 0:
            self._band(0.0)
        while True:
            r = self.log_risk()
            hits = np.flatnonzero(np.exp(r) <= alpha)
            if hits.size:
                k = self.bot + int(hits[0])
                if hits[0] == 0 and self.bot > 0:
                    self._extend(up=False)  # the crossing may lie below the window
                    continue
                if self.complete_at(k):
                    return k
                self.ensure_tail(k)
                continue
            if self.top >= s:
                return None
            self._extend(up=True)


@dataclass(frozen=True, slots=True)
class _Step:
    n: int
    k_min: int | None  # None: round j cannot stop
    S: float  # Σ_{k ≥ k_min} σ_j(k): chance of stopping in round j under the alternative
    R: float  # the same under the tie
    sigma_tail: float  # Σ_{k' ≥ k} σ_j(k') at the observed k (nan without one)
    tau_tail: float
    risk: float


def _steps(
    p: float, schedule: Sequence[int], alpha: float, observed: Sequence[int] | None = None
) -> Iterator[_Step]:
    """Each round's k_min, S_j, R_j and, given the observed k_j, its tails and risk."""
    nan = math.nan
    law: _NullLaw | None = None
    previous = 0
    for j, n in enumerate(schedule):
        k = None if observed is None else int(observed[j])
        if p <= 0.5:  # the alternative is no better than the tie: nothing stops, no truncation
            if k is None:
                yield _Step(n, None, 0.0, 0.0, nan, nan, nan)
            else:
                sig = float(_binom_sf(np.array(k - 1), np.array(n), p))
                tau = float(_binom_sf(np.array(k - 1), np.array(n), 0.5))
                yield _Step(n, None, 0.0, 0.0, sig, tau, 1.0)
            continue
        if j == 0:  # exact binomial tails
            k_first = int(first_round_k_min(n, p, alpha=alpha))
            k_min = k_first if k_first <= n else None
            big_s = 0.0 if k_min is None else float(_binom_sf(np.array(k_min - 1), np.array(n), p))
            big_r = (
                0.0 if k_min is None else float(_binom_sf(np.array(k_min - 1), np.array(n), 0.5))
            )
            if k is None:
                yield _Step(n, k_min, big_s, big_r, nan, nan, nan)
            else:
                sig = float(_binom_sf(np.array(k - 1), np.array(n), p))
                tau = float(_binom_sf(np.array(k - 1), np.array(n), 0.5))
                risk = float(_tail_ratio(np.array([k]), np.array([n]), p)[0])
                yield _Step(n, k_min, big_s, big_r, sig, tau, risk)
            law = _NullLaw(None, n, n, p)
            law.cliff = k_min
        else:
            law = _NullLaw(law, n, n - previous, p)
            k_min = law.k_min(alpha)
            law.cliff = k_min
            big_s = big_r = 0.0
            if k_min is not None:
                lt, ls = law.tail_at(k_min)
                big_s, big_r = math.exp(ls), math.exp(lt)
            if k is None:
                yield _Step(n, k_min, big_s, big_r, nan, nan, nan)
            else:
                law.ensure_tail(k)
                lt, ls = law.tail_at(k)
                if ls == -math.inf:
                    risk = 1.0  # the alternative cannot reach this tail (p = 1 or empty)
                else:
                    r = law.log_risk()
                    i = min(max(k, law.bot) - law.bot, r.size - 1)
                    risk = min(1.0, math.exp(float(r[i])))
                yield _Step(n, k_min, big_s, big_r, math.exp(ls), math.exp(lt), risk)
        previous = n


def _check_schedule(schedule: Sequence[int]) -> tuple[int, ...]:
    out = tuple(bravo._check_count("round size", n) for n in schedule)
    if not out or out[0] < 1 or any(b <= a for a, b in itertools.pairwise(out)):
        raise AnalysisError(f"round sizes must be positive and increasing, got {list(schedule)}")
    return out


@dataclass(frozen=True, slots=True)
class MinervaSchedule:
    """Minerva's stopping rule for one pair over a round schedule [ZMMMV21].

    Attributes
    ----------
    method : "Minerva"
    alpha : risk limit α
    p : reported share of w among ballots for w or ℓ (the alternative)
    n : cumulative relevant ballots n_j
    k_min : k_min,j (None where round j cannot stop)
    S : S_j, chance of stopping in round j (and not before) if the reported share is right
    R : R_j, the same if the pair is tied: the risk spent in round j (R_j ≤ α S_j)
    """

    method: str
    alpha: float
    p: float
    n: tuple[int, ...]
    k_min: tuple[int | None, ...]
    S: tuple[float, ...]
    R: tuple[float, ...]

    @property
    def total_risk(self) -> float:
        """Σ_j R_j: the chance that the audit stops in some round though the pair is tied."""
        return float(sum(self.R))

    @property
    def stopping_probability(self) -> float:
        """Σ_j S_j."""
        return float(sum(self.S))


def minerva_schedule(p: float, schedule: Sequence[int], *, alpha: float) -> MinervaSchedule:
    """k_min, stopping probabilities and risk spent per round, for one pair.

    Examples
    --------
    >>> minerva_schedule(0.6, [100, 200, 400], alpha=0.1).k_min
    (58, 113, 221)
    """
    alpha = bravo._check_alpha(alpha)
    p = bravo._check_share("p", p)
    rounds = _check_schedule(schedule)
    k_mins: list[int | None] = []
    big_s: list[float] = []
    big_r: list[float] = []
    for step in _steps(p, rounds, alpha):
        k_mins.append(step.k_min)
        big_s.append(step.S)
        big_r.append(step.R)
    return MinervaSchedule(METHOD, alpha, p, rounds, tuple(k_mins), tuple(big_s), tuple(big_r))


# --- risk of an audit's rounds -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MinervaRound:
    """One round of one pair's test.

    Attributes
    ----------
    n : cumulative ballots for w or ℓ, n_j
    k : cumulative ballots for w, k_j
    k_min : k_min,j (None: the round could not stop)
    sigma_tail : Σ_{k'≥k_j} σ_j(k'), chance of this tail (not having stopped before) if the
        reported share is right
    tau_tail : the same under the tie
    risk : tau_tail / sigma_tail, capped at 1; taken from their logarithms, so it keeps its
        relative accuracy where both tails underflow to 0.0 (1 if the alternative cannot
        reach the tail at all)
    """

    n: int
    k: int
    k_min: int | None
    sigma_tail: float
    tau_tail: float
    risk: float

    @property
    def stops(self) -> bool:
        return self.k_min is not None and self.k >= self.k_min


@dataclass(frozen=True, slots=True)
class MinervaPairRisk:
    """Minerva's test for one pair, round by round, up to the round where it stopped.

    Attributes
    ----------
    pair : reported winner w and loser ℓ
    p : reported share v_w/(v_w + v_ℓ)
    rounds : the rounds that added ballots for w or ℓ
    stopped_round : 1-based index into ``rounds`` of the round that confirmed the pair
    risk : the risk of that round, or of the last round if the pair has not stopped
    """

    pair: Pair
    p: float
    rounds: tuple[MinervaRound, ...]
    stopped_round: int | None
    risk: float


@dataclass(frozen=True, slots=True)
class MinervaRisk:
    """The risk of a Minerva audit's rounds and what it decides.

    Attributes
    ----------
    method : "Minerva"
    contest : contest name
    alpha : risk limit α
    tally : reported votes per choice
    ballots : N
    samples : cumulative sampled votes per choice after each round
    round_sizes : cumulative ballots drawn after each round (None if not given)
    replacement : whether ballots were drawn with replacement
    pairs : each pair's test
    risk : largest pair risk
    decision : CONFIRM when every pair has stopped, NEXT_ROUND, or FULL_HAND_COUNT (a tie, or
        every ballot counted without replacement and the reported winners not confirmed)
    """

    method: str
    contest: str
    alpha: float
    tally: Mapping[str, int]
    ballots: int
    samples: tuple[Mapping[str, int], ...]
    round_sizes: tuple[int, ...] | None
    replacement: bool
    pairs: tuple[MinervaPairRisk, ...]
    risk: float
    decision: Decision

    def to_json(self) -> dict[str, object]:
        out = jsonable(self)
        assert isinstance(out, dict)
        return out


def _pair_risk(pair: Pair, p: float, ks: list[int], ns: list[int], alpha: float) -> MinervaPairRisk:
    """Run the recursion over the rounds that added relevant ballots; stop at the first stop."""
    kept = [
        (n, k) for i, (n, k) in enumerate(zip(ns, ks, strict=True)) if n > (ns[i - 1] if i else 0)
    ]
    rounds: list[MinervaRound] = []
    if not kept:
        return MinervaPairRisk(pair, p, (), None, 1.0)
    schedule, observed = [n for n, _ in kept], [k for _, k in kept]
    for step, (n, k) in zip(_steps(p, schedule, alpha, observed), kept, strict=True):
        rounds.append(MinervaRound(n, k, step.k_min, step.sigma_tail, step.tau_tail, step.risk))
        if rounds[-1].stops:
            return MinervaPairRisk(pair, p, tuple(rounds), len(rounds), step.risk)
    return MinervaPairRisk(pair, p, tuple(rounds), None, rounds[-1].risk)


def minerva_risk(
    contest: AuditContest,
    samples: Sequence[Mapping[str, int]],
    *,
    alpha: float,
    round_sizes: Sequence[int] | None = None,
    replacement: bool = True,
) -> MinervaRisk:
    """Minerva's risk after one or more rounds.

    Parameters
    ----------
    contest : the reported results
    samples : cumulative sampled votes per choice after each round (choices left out count 0)
    alpha : risk limit in (0, 1); the rule for round j depends on it through k_min of the
        earlier rounds
    round_sizes : cumulative ballots drawn after each round, including ballots for no listed
        choice (checked against the samples and, without replacement, against N)
    replacement : False if drawn without replacement: the last round may not exceed N, and a
        count of all N ballots decides the outcome itself

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> minerva_risk(c, [{"w": 58, "l": 42}], alpha=0.1).decision.value
    'confirm'
    >>> minerva_risk(c, [{"w": 57, "l": 43}], alpha=0.1).decision.value
    'next_round'
    """
    alpha = bravo._check_alpha(alpha)
    if not samples:
        raise AnalysisError(f"contest {contest.name}: give the sample of at least one round")
    counts = [
        bravo._check_sample(contest, s, f"round {j + 1} sample") for j, s in enumerate(samples)
    ]
    for j in range(1, len(counts)):
        if any(counts[j][c] < counts[j - 1][c] for c in contest.tally):
            raise AnalysisError(
                f"contest {contest.name}: samples must be cumulative; round {j + 1} has fewer "
                f"votes than round {j} for some choice"
            )
    sizes: tuple[int, ...] | None = None
    if round_sizes is not None:
        if len(round_sizes) != len(counts):
            raise AnalysisError(
                f"contest {contest.name}: {len(round_sizes)} round sizes for {len(counts)} rounds"
            )
        sizes = _check_schedule(round_sizes)
        for size, c in zip(sizes, counts, strict=True):
            bravo._check_drawn(contest, c, size)
    elif not replacement:
        raise AnalysisError(
            f"contest {contest.name}: give round_sizes for ballots drawn without replacement"
        )
    full_count = False
    if not replacement:
        assert sizes is not None
        if sizes[-1] > contest.ballots:
            raise AnalysisError(
                f"contest {contest.name}: {sizes[-1]} ballots drawn without replacement, but "
                f"only {contest.ballots} were cast"
            )
        full_count = sizes[-1] == contest.ballots
    pairs = []
    for pair in contest.pairs():
        p = bravo._share(contest, pair)
        ks = [c[pair.winner] for c in counts]
        ns = [c[pair.winner] + c[pair.loser] for c in counts]
        if full_count:
            won = ks[-1] > ns[-1] - ks[-1]
            pairs.append(MinervaPairRisk(pair, p, (), None, 0.0 if won else 1.0))
        else:
            pairs.append(_pair_risk(pair, p, ks, ns, alpha))
    risk = max(p.risk for p in pairs)
    if full_count:
        decision = Decision.CONFIRM if risk == 0.0 else Decision.FULL_HAND_COUNT
    elif contest.tied:
        decision = Decision.FULL_HAND_COUNT
    elif all(p.stopped_round is not None for p in pairs):
        decision = Decision.CONFIRM
    else:
        decision = Decision.NEXT_ROUND
    return MinervaRisk(
        method=METHOD,
        contest=contest.name,
        alpha=alpha,
        tally=contest.tally,
        ballots=contest.ballots,
        samples=tuple(bravo._frozen(c) for c in counts),
        round_sizes=sizes,
        replacement=replacement,
        pairs=tuple(pairs),
        risk=risk,
        decision=decision,
    )


# --- first-round sizes --------------------------------------------------------------------------


_LEAF = 64  # blocks of the generic search this small are evaluated size by size
_SPLIT = 16  # a block the bounds cannot decide is split into this many
_WINDOW = 4096  # sizes evaluated one by one around the crossing found from the estimate


class _FirstRoundStop:
    """P_stop(n) = Pr_σ{k_1 ≥ k_min,1(n)} for one pair: the saw-tooth the size search walks.

    k_min,1 is non-decreasing in n and steps by 0 or 1 (at fixed k the tail ratio grows with
    n), so on a block a ≤ n ≤ b, with k_a = k_min,1(a) and k_b = k_min,1(b) ::

        Pr{Bin(a, p) ≥ k_b} ≤ P_stop(n) ≤ Pr{Bin(b − (k_b − k_a), p) ≥ k_a}

    The upper bound: on the tooth where k_min = k (P_stop grows along a tooth) the last n is
    at most b − (k_b − k) (k_min needs k_b − k more steps of at least one ballot each), and
    Pr{Bin(m + 1) ≥ k + 1} = Pr{Bin(m) ≥ k} − (1 − p) Pr{Bin(m) = k} ≤ Pr{Bin(m) ≥ k}, so the
    tooth k = k_a is the highest.  Blocks these bounds decide are not evaluated size by size.
    """

    def __init__(self, p: float, alpha: float) -> None:
        self.p, self.alpha = p, alpha

    def k_min(self, n: IntArray) -> IntArray:
        return _k_min_and_stop(n, self.p, self.alpha)[0]

    def p_stop(self, n: IntArray) -> FloatArray:
        return _k_min_and_stop(n, self.p, self.alpha)[1]

    def upper(self, a: IntArray, b: IntArray) -> FloatArray:
        k_a, k_b = self.k_min(a), self.k_min(b)
        return _binom_sf(k_a - 1, b - (k_b - k_a), self.p)

    def lower(self, a: IntArray, b: IntArray) -> FloatArray:
        return _binom_sf(self.k_min(b) - 1, a, self.p)

    # -- generic search: split blocks the bounds cannot decide --

    def _children(self, a: int, b: int) -> tuple[IntArray, IntArray]:
        edges = np.unique(np.linspace(a, b + 1, _SPLIT + 1).astype(np.int64))
        return edges[:-1], edges[1:] - 1

    def first_hit(self, target: float, lo: int, hi: int) -> int | None:
        """Smallest n in [lo, hi] with P_stop(n) ≥ target, None if there is none."""
        stack = [(lo, hi)]
        while stack:
            a, b = stack.pop()
            if b - a < _LEAF:
                hits = np.flatnonzero(self.p_stop(np.arange(a, b + 1)) >= target)
                if hits.size:
                    return a + int(hits[0])
                continue
            ca, cb = self._children(a, b)
            keep = np.flatnonzero(self.upper(ca, cb) >= target)
            stack.extend((int(ca[i]), int(cb[i])) for i in keep[::-1])
        return None

    def last_miss(self, target: float, lo: int, hi: int) -> int | None:
        """Largest n in [lo, hi] with P_stop(n) < target, None if there is none."""
        stack = [(lo, hi)]
        while stack:
            a, b = stack.pop()
            if b - a < _LEAF:
                misses = np.flatnonzero(self.p_stop(np.arange(a, b + 1)) < target)
                if misses.size:
                    return a + int(misses[-1])
                continue
            ca, cb = self._children(a, b)
            keep = np.flatnonzero(self.lower(ca, cb) < target)
            stack.extend((int(ca[i]), int(cb[i])) for i in keep)
        return None

    # -- fast search: evaluate a window, rule out the rest with blocks that grow with distance

    def _tiles(self, edge: int, end: int, scale: float) -> tuple[IntArray, IntArray]:
        """Blocks covering [edge, end] (or [end, edge] if end < edge) outwards from edge, each
        about (its distance from edge) / scale wide."""
        sign = 1 if end >= edge else -1
        starts: list[int] = []
        widths: list[int] = []
        d, total = 0, abs(end - edge) + 1
        while d < total:
            w = min(total - d, max(1, int((d + 1) / scale)))
            starts.append(d)
            widths.append(w)
            d += w
        st, wd = np.array(starts, dtype=np.int64), np.array(widths, dtype=np.int64)
        if sign > 0:
            return edge + st, edge + st + wd - 1
        return edge - st - wd + 1, edge - st

    def _scale(self, n: IntArray, ps: FloatArray) -> float:
        """Blocks d from the crossing can be about d·slope/drop wide: drop the largest fall of
        P_stop from one size to the next (a tooth), slope its trend, both from the window."""
        drop = float(np.max(-np.diff(ps), initial=0.0))
        q = max(1, n.size // 4)
        slope = (float(np.max(ps[-q:])) - float(np.max(ps[:q]))) / max(1, n.size - q)
        if not (drop > 0 and slope > 0):
            return 1.0
        return max(1.0, drop / slope)

    def last_miss_near(self, target: float, lo: int, hi: int, guess: int) -> int | None:
        """last_miss(target, lo, hi) when the misses end near guess: evaluate a window from
        guess up, then rule out everything above it."""
        w_lo = max(lo, guess - _WINDOW // 4)
        w_hi = min(hi, w_lo + _WINDOW - 1)
        n = np.arange(w_lo, w_hi + 1)
        ps = self.p_stop(n)
        if w_hi < hi:
            a, b = self._tiles(w_hi + 1, hi, 2.0 * self._scale(n, ps))
            open_ = np.flatnonzero(self.lower(a, b) < target)
            for i in open_[::-1]:  # from the highest block down
                found = self.last_miss(target, int(a[i]), int(b[i]))
                if found is not None:
                    return found
        misses = np.flatnonzero(ps < target)
        if misses.size:
            return w_lo + int(misses[-1])
        return None if w_lo == lo else self.last_miss(target, lo, w_lo - 1)

    # -- fast search for the first hit: teeth --
    #
    # P_stop grows along a tooth (the sizes n with k_min,1(n) = k) and falls where k_min steps
    # up, so the first hit is on the first tooth whose top E(k) = Pr{Bin(t(k), p) ≥ k}, t(k)
    # the tooth's last size, reaches the target.  t(k) is the last n with ratio(k, n) ≤ α (the
    # ratio grows with n).  Tops near the crossing are computed one by one; the teeth below
    # are ruled out in blocks k1..k2 by E(k) ≤ Pr{Bin(t(k2) − (k2 − k1), p) ≥ k1} (the upper
    # bound above, in teeth).

    def _tops(self, k: IntArray, guess: IntArray) -> tuple[IntArray, FloatArray]:
        """(t(k), E(k)) for teeth k (each k = k_min,1(n) for some n ≥ k), from guesses."""
        p, a = self.p, self.alpha
        g = np.maximum(guess, k)
        r_at, alt_at = _tails_ratio(k, g, p)
        r_next = _tail_ratio(k, g + 1, p)
        exact = (r_at <= a) & (r_next > a)
        top, tail = g.copy(), alt_at.copy()
        # one off: t = g − 1 if ratio(g) > α ≥ ratio(g − 1); t = g + 1 if ratio(g + 2) > α
        off = np.flatnonzero(~exact & (g > k))
        if off.size:
            go_up = r_at[off] <= a  # then ratio(g + 1) ≤ α too
            g2 = np.where(go_up, g[off] + 1, g[off] - 1)
            r2, alt2 = _tails_ratio(k[off], g2, p)
            r3 = _tail_ratio(k[off], g2 + 1, p)
            ok = np.where(go_up, r3 > a, r2 <= a)
            top[off[ok]], tail[off[ok]] = g2[ok], alt2[ok]
            exact[off[ok]] = True
        rest = np.flatnonzero(~exact)
        if rest.size:
            kr, gr = k[rest], g[rest]
            lo = np.maximum(gr - 8, kr)
            hi = gr + 8
            lo = np.where(_tail_ratio(kr, lo, p) <= a, lo, kr)  # ratio(k, k) ≤ α for a tooth
            step = 64
            while True:  # hi: a size past the tooth
                past = _tail_ratio(kr, hi, p) > a
                if past.all():
                    break
                hi, step = np.where(past, hi, hi + step), 4 * step
            while True:
                active = hi - lo > 1
                if not active.any():
                    break
                mid = (lo + hi) // 2
                good = _tail_ratio(kr, mid, p) <= a
                lo = np.where(active & good, mid, lo)
                hi = np.where(active & ~good, mid, hi)
            top[rest] = lo
            tail[rest] = _binom_sf(kr - 1, lo, p)
        return top, tail

    def _guess_tops(self, k: IntArray, ks: IntArray, ns: IntArray) -> IntArray:
        """t(k) from known points (n, k_min,1(n)): k_min ≈ n/2 + b√n with b interpolated."""
        order = np.argsort(ks, kind="stable")
        kk, nk = ks[order].astype(np.float64), ns[order].astype(np.float64)
        b = (kk - nk / 2) / np.sqrt(nk)
        bb = np.interp(k.astype(np.float64) + 0.5, kk, b)
        root = np.sqrt(np.maximum(bb * bb + 2 * (k + 0.5), 0.0)) - bb
        return np.asarray(np.floor(root * root), dtype=np.int64)

    def first_hit_teeth(
        self, target: float, lo: int, hit: int, known: tuple[IntArray, IntArray]
    ) -> int | None:
        """first_hit(target, lo, hit) for a hit n = hit; known: sizes with their k_min,1."""
        n_min = minimum_first_round(self.p, alpha=self.alpha)
        lo = max(lo, hit if n_min is None else n_min)  # below n_min nothing stops: misses
        k_hit = int(self.k_min(np.array([hit]))[0])
        k_lo = int(self.k_min(np.array([lo]))[0])
        if k_lo > lo or k_hit - k_lo < 64:
            return self.first_hit(target, lo, hit)
        # anchors for the guesses of t(k): the sizes known so far and 64 more, log-spaced
        extra = np.unique(np.geomspace(lo, hit, 64).astype(np.int64))
        n_known = np.concatenate([known[0], extra])
        k_known = np.concatenate([known[1], self.k_min(extra)])
        valid = (k_known <= n_known) & (n_known >= lo)
        ks, ns = list(k_known[valid]), list(n_known[valid])

        cache: dict[int, tuple[int, float]] = {}

        def tops(k: IntArray) -> tuple[IntArray, FloatArray]:
            new = np.array([x for x in k.tolist() if x not in cache], dtype=np.int64)
            if new.size:
                t, e = self._tops(new, self._guess_tops(new, np.array(ks), np.array(ns)))
                ks.extend(new.tolist())
                ns.extend(t.tolist())
                cache.update(
                    zip(new.tolist(), zip(t.tolist(), e.tolist(), strict=True), strict=True)
                )
            got = [cache[x] for x in k.tolist()]
            return (
                np.array([g[0] for g in got], dtype=np.int64),
                np.array([g[1] for g in got], dtype=np.float64),
            )

        def first_in(k: IntArray) -> int | None:
            """The first hit on the first of the teeth k (ascending) whose top reaches it."""
            kk = np.unique(np.concatenate([k, k - 1]))
            kk = kk[kk >= k_lo]  # teeth (every k from k_lo up is some n's k_min)
            t_all, e_all = tops(kk)
            top_of = dict(zip(kk.tolist(), t_all.tolist(), strict=True))
            wanted = set(k.tolist())
            for i in np.flatnonzero(e_all >= target):
                kf = int(kk[i])
                if kf not in wanted:
                    continue
                start = lo if kf == k_lo else top_of[kf - 1] + 1
                n = np.arange(max(lo, start), top_of[kf] + 1)
                if n.size == 0:
                    continue  # an empty tooth
                ps = _binom_sf(np.full(n.shape, kf - 1), n, self.p)
                return int(n[np.flatnonzero(ps >= target)[0]])
            return None

        # 1. the teeth just below the hit, one by one, moving down while they still hit
        k_w = k_hit + 1
        while True:
            k_top, k_w = k_w - 1, max(k_lo, k_w - _WINDOW // 16)
            kw = np.arange(k_w, k_top + 1)
            _, ew = tops(kw)
            if k_w == k_lo or not (ew[: ew.size // 4] >= target).any():
                break
        best = first_in(np.arange(k_w, k_hit + 1))
        if k_w == k_lo:
            return best
        # 2. blocks of teeth below, wider with distance from the window: about
        #    distance · slope / drop teeth wide, slope and drop of the tops from the window
        half = ew.size // 2
        slope = (float(np.max(ew[half:])) - float(np.max(ew[:half]))) / max(1, half)
        drop = float(np.max(np.abs(np.diff(ew)), initial=0.0))
        scale = 0.5 * max(1.0, drop / slope) if slope > 0 else float(_WINDOW)
        a, b = self._tiles(k_w - 1, k_lo, scale)
        exact: list[IntArray] = []
        while a.size:
            small = b - a < 2
            exact.extend(
                np.arange(int(x), int(y) + 1) for x, y in zip(a[small], b[small], strict=True)
            )
            a, b = a[~small], b[~small]
            if not a.size:
                break
            tb, _ = tops(b)
            fail = _binom_sf(a - 1, tb - (b - a), self.p) >= target
            a, b = a[fail], b[fail]
            edges = [np.linspace(x, y + 1, 9).astype(np.int64) for x, y in zip(a, b, strict=True)]
            a = np.concatenate([e[:-1] for e in edges]) if edges else a
            b = np.concatenate([e[1:] - 1 for e in edges]) if edges else b
        if exact:
            found = first_in(np.unique(np.concatenate(exact)))
            if found is not None:
                return found
        return best

    def smallest(
        self, target: float, cap: int, *, sustained: bool, start: float | None, lo: int = 1
    ) -> int | None:
        """Smallest n ≤ cap with P_stop(n) ≥ target or, with ``sustained``, from which P_stop
        stays ≥ target up to 2n + 64 (and further while it still dips there); None if none.

        ``start`` (a closed-form estimate) and a few multiples of it, 64, 128, 256, … and cap
        are evaluated first to bound the first hit from above; sizes below ``lo`` are taken
        to be misses."""
        lo = max(1, lo)
        if lo > cap or self.p <= 0.5:
            return None
        points = [_LEAF * 2**i for i in range(max(1, cap.bit_length()))]
        if start is not None and math.isfinite(start):
            points += [start * f for f in (0.99, 1.0, 1.002, 1.005, 1.01, 1.03, 1.1, 1.3, 2.0)]
        r = np.unique(np.clip(np.ceil(points).astype(np.int64), lo, cap))
        r = np.append(r, cap) if r[-1] != cap else r
        k_r, p_r = _k_min_and_stop(r, self.p, self.alpha)
        hits = np.flatnonzero(p_r >= target)
        if hits.size:
            first = self.first_hit_teeth(target, lo, int(r[hits[0]]), (r, k_r))
        else:
            first = self.first_hit(target, lo, cap)
        if first is None or not sustained:
            return first
        top = min(cap, 2 * first + _LEAF)
        guess = first
        while True:
            miss = self.last_miss_near(target, first, top, guess)
            if miss is None:
                return first
            if miss < top - _LEAF or top >= cap:
                return miss + 1 if miss < cap else None
            guess, top = miss, min(cap, 2 * top)


def _normal_round(p: float, target: float, alpha: float) -> float | None:
    """Closed-form first-round estimate: with k_min at the alternative's (1 − target) quantile
    ``np + z_a √(np(1−p))`` (z_a = Φ⁻¹(1 − target)) and at the tie's upper α·target quantile
    ``n/2 + z_b √n / 2`` (z_b = Φ⁻¹(1 − α·target)), so that Pr_σ = target and Pr_τ = α·target
    there, ``n = ((z_a √(p(1−p)) − z_b/2) / (p − 1/2))²``: the normal approximation of the
    Minerva authors' tools (athena ``round_size_approx``, r2b2
    ``Minerva.next_sample_size_gaussian``).  Only a starting point: the search is exact."""
    if not 0.5 < p < 1.0:
        return None
    z_a = float(special.ndtri(1 - target))
    z_b = float(special.ndtri(1 - alpha * target))
    return ((z_a * math.sqrt(p * (1 - p)) - 0.5 * z_b) / (p - 0.5)) ** 2


def _plan_sizes(
    contest: AuditContest, targets: Sequence[float], alpha: float, *, sustained: bool
) -> tuple[bravo.RoundSize, ...]:
    """First-round sizes; the pair needing most ballots sets each (as BRAVO's plan does).

    For a pair with share s of its r relevant ballots the size is ``⌈r/q⌉`` ballots, q the
    share of ballots that are relevant to it; ``r ≥ N q`` is a full hand count.  Targets are
    searched in increasing order: a hit for a higher target is one for a lower target, so
    (sizes not sustained) each search starts at the previous answer."""
    if contest.tied:
        return tuple(
            bravo.RoundSize(t, contest.ballots, None, None, Decision.FULL_HAND_COUNT)
            for t in targets
        )
    best: dict[float, tuple[int, int | None, Pair]] = {}
    for pair in contest.pairs():
        s = bravo._share(contest, pair)
        q = (contest.tally[pair.winner] + contest.tally[pair.loser]) / contest.ballots
        cap = math.ceil(contest.ballots * q)
        stop = _FirstRoundStop(s, alpha)
        lo = 1
        for t in sorted(set(targets)):
            start = _normal_round(s, t, alpha)
            r = stop.smallest(t, cap, sustained=sustained, start=start, lo=lo)
            if not sustained:
                lo = cap + 1 if r is None else r
            n = contest.ballots if r is None else math.ceil(r / q)
            if t not in best or n > best[t][0]:
                best[t] = (n, r, pair)
    out = []
    for t in targets:
        n, r, pair = best[t]
        if n >= contest.ballots:
            out.append(bravo.RoundSize(t, contest.ballots, r, pair, Decision.FULL_HAND_COUNT))
        else:
            out.append(bravo.RoundSize(t, n, r, pair, Decision.NEXT_ROUND))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class MinervaSampleSizes:
    """First-round sizes of a Minerva audit (exact binomial computation, with replacement).

    Attributes
    ----------
    method, contest, alpha, tally, ballots : the inputs
    sustained : whether sizes are where the stopping probability stays above the target
    n_min : smallest relevant round (for the pair needing most) at which stopping is possible
    sizes : one :class:`~ballotproof.audit.bravo.RoundSize` per target probability
    decision : FULL_HAND_COUNT for a tie, else NEXT_ROUND
    """

    method: str
    contest: str
    alpha: float
    tally: Mapping[str, int]
    ballots: int
    sustained: bool
    n_min: int | None
    sizes: tuple[bravo.RoundSize, ...]
    decision: Decision

    def size(self, probability: float) -> bravo.RoundSize:
        for option in self.sizes:
            if math.isclose(option.probability, probability):
                return option
        raise AnalysisError(f"no size was computed for probability {probability!r}")

    def to_json(self) -> dict[str, object]:
        out = jsonable(self)
        assert isinstance(out, dict)
        return out


def minerva_sample_sizes(
    contest: AuditContest,
    *,
    alpha: float,
    probabilities: Sequence[float] = bravo.DEFAULT_PROBABILITIES,
    sustained: bool = False,
) -> MinervaSampleSizes:
    """First-round sizes that stop the audit with the given probabilities.

    Exact (see the module notes): the same sizes as evaluating every n in turn.  The search
    starts from the normal approximation (:func:`_normal_round`), evaluates k_min's teeth one
    by one only near the crossing and rules the rest out by bounds (:class:`_FirstRoundStop`):
    Georgia 2020 (about a million ballots) in about 0.3 s of CPU instead of 10 s.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> [s.n for s in minerva_sample_sizes(c, alpha=0.1).sizes]
    [102, 127, 173]
    """
    alpha = bravo._check_alpha(alpha)
    targets = bravo._check_probabilities(probabilities)

    sizes = _plan_sizes(contest, targets, alpha, sustained=sustained)
    n_min = None
    if not contest.tied:
        hardest = max(contest.pairs(), key=lambda pr: (-bravo._share(contest, pr), str(pr)))
        n_min = minimum_first_round(bravo._share(contest, hardest), alpha=alpha)
    decision = Decision.FULL_HAND_COUNT if contest.tied else Decision.NEXT_ROUND
    return MinervaSampleSizes(
        METHOD,
        contest.name,
        alpha,
        contest.tally,
        contest.ballots,
        sustained,
        n_min,
        sizes,
        decision,
    )


# ----------------------------------------------------------------------------- stored method


class _StoredMinerva(PollingMethod):
    """Minerva as a stored audit: every pair's test on the round schedule so far; later rounds
    add the first round's size again (its guarantee is for a schedule fixed in advance)."""

    def first_round_size(
        self,
        spec: AuditSpec,
        *,
        batches: Sequence[Batch] = (),
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> int:
        targets = (spec.stop_probability,)
        sized = minerva_sample_sizes(spec.contest, alpha=spec.risk_limit, probabilities=targets)
        return sized.sizes[0].n

    def pair_risks(
        self,
        spec: AuditSpec,
        readings: Sequence[str],
        per_pair: Mapping[Pair, Sequence[Mapping[str, int]]],
        sizes: Sequence[int],
    ) -> dict[Pair, PairRisk]:
        out: dict[Pair, PairRisk] = {}
        for pair, samples in per_pair.items():
            m = minerva_risk(spec.contest, samples, alpha=spec.risk_limit, round_sizes=sizes)
            entry = next(x for x in m.pairs if x.pair == pair)
            out[pair] = PairRisk(entry.risk, entry.stopped_round is not None)
        return out


STORED = _StoredMinerva(
    Method.MINERVA,
    "ballot polling",
    "Minerva: the round-by-round Athena-class test",
    "Zagórski, McClearn, Morin, McBurnett & Vora, USENIX Security 2021 (audit/minerva.py)",
    "the first round's size again (its guarantee is for a schedule fixed in advance)",
)
