"""BRAVO: ballot-polling risk-limiting audits by Wald's sequential probability ratio test.

Sources
-------
M. Lindeman, P. B. Stark and V. S. Yates, "BRAVO: Ballot-polling Risk-limiting Audits to
Verify Outcomes", Proc. 2012 Electronic Voting Technology Workshop / Workshop on Trustworthy
Elections (EVT/WOTE '12), USENIX, 2012.  [LSY12]
A. Wald, *Sequential Analysis*, Wiley, 1947 (the SPRT; Wald's identity behind the ASN).  [W47]

Symbols
-------
``N`` ballots (cards that could contain the contest); reported votes ``v_c``; ``p_c = v_c/N``
is the share of *ballots* showing a vote for c (undervotes, invalid votes and cards without the
contest count in N); ``s_c = v_c / Σ_j v_j`` is the reported share of valid votes.  For every
reported winner w and reported loser ℓ [LSY12] ::

    s_wℓ = s_w / (s_w + s_ℓ) = v_w / (v_w + v_ℓ)        (> 1/2 unless w and ℓ tie)
    z_w  = ln(2 s_wℓ)          z_ℓ = ln(2 − 2 s_wℓ)

For a two-candidate contest s_wℓ = s_w, the symbol in the ASN formula as printed in [LSY12]
and on Stark's ballot-polling tools page; with more candidates the pairwise share is the one
that the test below uses, so it is used in the ASN too.

Test statistic [LSY12]: ``T_wℓ`` starts at 1; each ballot drawn multiplies it by
``s_wℓ/(1/2)`` if it shows a vote for w, by ``(1 − s_wℓ)/(1/2)`` if it shows a vote for ℓ and
by 1 otherwise (a vote for neither, an invalid vote, or a card without the contest).  After
``n_w`` ballots for w and ``n_ℓ`` for ℓ ::

    ln T_wℓ = n_w z_w + n_ℓ z_ℓ

It is the likelihood ratio of "w's share of the w-or-ℓ ballots is s_wℓ" against the worst
null "it is 1/2".  If w's true share is at most 1/2, T_wℓ is a non-negative supermartingale
with mean at most 1 (a martingale at exactly 1/2), so by Ville's inequality (Wald's bound for
the SPRT [W47]) ``Pr{T_wℓ ≥ 1/α at any draw} ≤ α``.  The pair is confirmed when
``T_wℓ ≥ 1/α``; the outcome when every pair is.  Here the risk (P-value) of a pair is
``min(1, 1/T_wℓ)`` and of the contest the largest over pairs; the audit confirms iff the risk
is ≤ α.  Given only a tally, T is evaluated on the whole sample (the "end-of-round" use of
BRAVO), which is valid and never stops more often than checking after every ballot.

Average sample number [LSY12; W47]: each draw adds ``p_w z_w + p_ℓ z_ℓ`` to ln T on
average; at stopping ln T ≈ ln(1/α) plus an overshoot of about half a step for w, so ::

    ASN_wℓ ≈ (ln(1/α) + z_w/2) / (p_w z_w + p_ℓ z_ℓ)

and the contest needs the largest over pairs, rounded up.  (600 to 400 of 1,000 ballots,
α = 10 %: z_w = ln 1.2, z_ℓ = ln 0.8, ASN = 2.39375/0.020136 = 118.9 → 119.)

First-round sizes (exact binomial, with replacement).  Among ``r`` ballots that show w or ℓ
the count for w is Binomial(r, s_wℓ) if the reported tallies are right.  A round finishes the
pair iff T_wℓ computed on the whole round reaches 1/α, i.e. iff ``n_w ≥ k_min(r)``, the
smallest k with ``k z_w + (r − k) z_ℓ ≥ ln(1/α)``, so ::

    P_stop(r) = Pr{Binomial(r, s_wℓ) ≥ k_min(r)}

``P_stop`` is a saw-tooth in r.  The size for probability P is the smallest r with
``P_stop(r) ≥ P`` or, with ``sustained=True``, the smallest r after which ``P_stop`` stays
≥ P (checked up to 2r + 64, and further while it still dips there; the convention of the
first-round tables of the Minerva paper, whose "EoR BRAVO" column this reproduces).  The
number of ballots to draw is ``⌈r/(p_w + p_ℓ)⌉``, the convention of Lindeman's code in Arlo
and of the Minerva paper; the pair needing most ballots sets the size.  These probabilities
are per pair: when several pairs are close, the chance that all finish in the round is lower
(estimate it with :mod:`ballotproof.audit.polling_sim`).

Full hand count.  A tie (``AuditContest.tied``) cannot be confirmed by sampling; a size of at
least N ballots means counting them all: both are returned as ``Decision.FULL_HAND_COUNT``.
A landslide (s_wℓ = 1) needs ⌈ln(1/α)/ln 2⌉ ballots for w; one ballot for ℓ makes T = 0.

Assumptions: ballots are drawn uniformly at random *with replacement* (a ballot drawn twice
counts twice); each ballot shows at most one vote per choice; in a vote-for-n contest a
ballot may count for several pairs.  Sizes and the exact stopping-time distribution are for
one pair at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from scipy import stats

from ballotproof.audit.contest import AuditContest, Decision, Pair, jsonable
from ballotproof.errors import AnalysisError

__all__ = [
    "DEFAULT_PROBABILITIES",
    "METHOD",
    "BravoASN",
    "BravoPairRisk",
    "BravoRisk",
    "BravoSampleSizes",
    "BravoStoppingDistribution",
    "PairASN",
    "RoundSize",
    "bravo_asn",
    "bravo_risk",
    "bravo_sample_sizes",
    "k_min",
    "stopping_distribution",
    "stopping_probability",
]

METHOD = "BRAVO"
DEFAULT_PROBABILITIES = (0.7, 0.8, 0.9)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# --- shared checks (minerva imports these) ---------------------------------------------------


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, float | int):
        raise AnalysisError(f"risk limit alpha must be a number in (0, 1), got {alpha!r}")
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"risk limit alpha must be in (0, 1), got {alpha!r}")
    return float(alpha)


def _check_share(name: str, share: float) -> float:
    if isinstance(share, bool) or not isinstance(share, float | int) or not 0.0 <= share <= 1.0:
        raise AnalysisError(f"{name} must be a share in [0, 1], got {share!r}")
    return float(share)


def _check_count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise AnalysisError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def _check_probabilities(probabilities: Sequence[float]) -> tuple[float, ...]:
    out = tuple(float(p) for p in probabilities)
    if not out or any(not 0.0 < p < 1.0 for p in out):
        raise AnalysisError(f"stopping probabilities must be in (0, 1), got {probabilities!r}")
    return out


def _check_sample(contest: AuditContest, sample: Mapping[str, int], what: str) -> dict[str, int]:
    unknown = sorted(set(sample) - set(contest.tally))
    if unknown:
        raise AnalysisError(f"contest {contest.name}: {what} names unknown choices {unknown}")
    counts = {c: _check_count(f"{what} count for {c!r}", sample.get(c, 0)) for c in contest.tally}
    return counts


def _check_drawn(contest: AuditContest, counts: Mapping[str, int], n: int | None) -> int | None:
    """Ballots drawn: given, or the sum of the votes for a vote-for-1 contest."""
    if n is None:
        return sum(counts.values()) if contest.winners == 1 else None
    n = _check_count("ballots drawn n", n)
    most = max(counts.values(), default=0)
    if most > n or (contest.winners == 1 and sum(counts.values()) > n):
        raise AnalysisError(
            f"contest {contest.name}: {sum(counts.values())} votes cannot come from {n} "
            "ballots drawn"
        )
    return n


def _share(contest: AuditContest, pair: Pair) -> float:
    """s_wℓ = v_w / (v_w + v_ℓ); 1/2 when neither has votes."""
    vw, vl = contest.tally[pair.winner], contest.tally[pair.loser]
    return 0.5 if vw + vl == 0 else vw / (vw + vl)


def _z(s: float) -> tuple[float, float]:
    """z_w = ln(2s), z_ℓ = ln(2 − 2s); z_ℓ = −inf for a landslide s = 1."""
    z_w = math.log(2.0 * s) if s > 0 else -math.inf
    z_l = math.log(2.0 - 2.0 * s) if s < 1 else -math.inf
    return z_w, z_l


def _log_t(n_w: int, n_l: int, z_w: float, z_l: float) -> float:
    """ln T = n_w z_w + n_ℓ z_ℓ, with 0·(−inf) read as 0 (no ballots of that kind)."""
    return (n_w * z_w if n_w else 0.0) + (n_l * z_l if n_l else 0.0)


def _risk_of(log_t: float | FloatArray) -> FloatArray:
    """min(1, 1/T) from ln T (vectorised)."""
    with np.errstate(over="ignore"):
        return np.minimum(1.0, np.exp(-np.asarray(log_t, dtype=np.float64)))


def _frozen(mapping: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping))


# --- risk ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BravoPairRisk:
    """BRAVO's test for one winner–loser pair.

    Attributes
    ----------
    pair : the reported winner w and loser ℓ
    s_wl : reported share s_wℓ = v_w/(v_w + v_ℓ)
    n_w, n_l : sampled ballots showing w, showing ℓ
    log_T : ln T_wℓ = n_w ln(2 s_wℓ) + n_ℓ ln(2 − 2 s_wℓ) (−inf when T = 0)
    risk : min(1, 1/T_wℓ)
    """

    pair: Pair
    s_wl: float
    n_w: int
    n_l: int
    log_T: float
    risk: float

    @property
    def T(self) -> float:
        return math.exp(self.log_T) if self.log_T < 709 else math.inf


@dataclass(frozen=True, slots=True)
class BravoRisk:
    """The risk of a BRAVO sample and what it decides.

    Attributes
    ----------
    method : "BRAVO"
    contest : contest name
    alpha : risk limit α
    tally : reported votes per choice
    ballots : N
    sample : sampled votes per choice (cumulative over rounds)
    n : ballots drawn (None when not given for a vote-for-n contest)
    replacement : whether the sample was drawn with replacement
    pairs : the test for each winner–loser pair
    risk : largest pair risk (0 or 1 after a full count without replacement)
    decision : CONFIRM (risk ≤ α), NEXT_ROUND, or FULL_HAND_COUNT (a tie, or a count of every
        ballot without replacement that does not confirm the reported winners)
    """

    method: str
    contest: str
    alpha: float
    tally: Mapping[str, int]
    ballots: int
    sample: Mapping[str, int]
    n: int | None
    replacement: bool
    pairs: tuple[BravoPairRisk, ...]
    risk: float
    decision: Decision

    def to_json(self) -> dict[str, object]:
        out = jsonable(self)
        assert isinstance(out, dict)
        return out


def bravo_risk(
    contest: AuditContest,
    sample: Mapping[str, int],
    *,
    alpha: float,
    n: int | None = None,
    replacement: bool = True,
) -> BravoRisk:
    """BRAVO risk of a sample: ``max over pairs of min(1, 1/T_wℓ)``.

    Parameters
    ----------
    contest : the reported results
    sample : sampled ballots per choice, cumulative (choices left out count 0)
    alpha : risk limit in (0, 1)
    n : ballots drawn, including ballots for no listed choice (defaults to the sum of the
        sample for a vote-for-1 contest); only used for checks and to recognise a full count
    replacement : False if the ballots were drawn without replacement: then n may not exceed
        N, and n = N is a full hand count whose result decides the outcome

    Examples
    --------
    >>> c = AuditContest("A", {"w": 600, "l": 400}, ballots=1000)
    >>> r = bravo_risk(c, {"w": 72, "l": 47}, alpha=0.1)
    >>> round(r.risk, 4), r.decision.value
    (0.0714, 'confirm')
    """
    alpha = _check_alpha(alpha)
    counts = _check_sample(contest, sample, "sample")
    drawn = _check_drawn(contest, counts, n)
    full_count = False
    if not replacement:
        if drawn is None:
            raise AnalysisError(
                f"contest {contest.name}: give n, the ballots drawn without replacement"
            )
        if drawn > contest.ballots:
            raise AnalysisError(
                f"contest {contest.name}: {drawn} ballots drawn without replacement, but only "
                f"{contest.ballots} were cast"
            )
        full_count = drawn == contest.ballots
    pairs = []
    for pair in contest.pairs():
        s = _share(contest, pair)
        z_w, z_l = _z(s)
        n_w, n_l = counts[pair.winner], counts[pair.loser]
        log_t = _log_t(n_w, n_l, z_w, z_l)
        risk = (0.0 if n_w > n_l else 1.0) if full_count else float(_risk_of(log_t))
        pairs.append(BravoPairRisk(pair, s, n_w, n_l, log_t, risk))
    risk = max(p.risk for p in pairs)
    if full_count:
        decision = Decision.CONFIRM if risk == 0.0 else Decision.FULL_HAND_COUNT
    elif contest.tied:
        decision = Decision.FULL_HAND_COUNT
    else:
        decision = Decision.CONFIRM if risk <= alpha else Decision.NEXT_ROUND
    return BravoRisk(
        method=METHOD,
        contest=contest.name,
        alpha=alpha,
        tally=contest.tally,
        ballots=contest.ballots,
        sample=_frozen(counts),
        n=drawn,
        replacement=replacement,
        pairs=tuple(pairs),
        risk=risk,
        decision=decision,
    )


# --- average sample number -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairASN:
    """Wald's ASN for one pair: (ln(1/α) + z_w/2) / (p_w z_w + p_ℓ z_ℓ) (inf for a tie)."""

    pair: Pair
    s_wl: float
    p_w: float
    p_l: float
    z_w: float
    z_l: float
    asn: float


@dataclass(frozen=True, slots=True)
class BravoASN:
    """Average sample number of a BRAVO audit if the reported tallies are right.

    Attributes
    ----------
    method, contest, alpha, tally, ballots : the inputs
    pairs : ASN of each pair
    asn : ⌈largest pair ASN⌉ ballots, None for a tie
    decision : NEXT_ROUND, or FULL_HAND_COUNT for a tie or an ASN of at least N ballots
    """

    method: str
    contest: str
    alpha: float
    tally: Mapping[str, int]
    ballots: int
    pairs: tuple[PairASN, ...]
    asn: int | None
    decision: Decision

    def to_json(self) -> dict[str, object]:
        out = jsonable(self)
        assert isinstance(out, dict)
        return out


def _pair_asn(contest: AuditContest, pair: Pair, alpha: float) -> PairASN:
    s = _share(contest, pair)
    z_w, z_l = _z(s)
    p_w = contest.tally[pair.winner] / contest.ballots
    p_l = contest.tally[pair.loser] / contest.ballots
    drift = (p_w * z_w if p_w else 0.0) + (p_l * z_l if p_l else 0.0)
    asn = math.inf if drift <= 0 else (math.log(1 / alpha) + z_w / 2) / drift
    return PairASN(pair, s, p_w, p_l, z_w, z_l, asn)


def bravo_asn(contest: AuditContest, *, alpha: float) -> BravoASN:
    """Wald's average sample number [LSY12], largest over pairs, rounded up.

    Examples
    --------
    >>> bravo_asn(AuditContest("A", {"w": 600, "l": 400}, ballots=1000), alpha=0.1).asn
    119
    """
    alpha = _check_alpha(alpha)
    pairs = tuple(_pair_asn(contest, pair, alpha) for pair in contest.pairs())
    worst = max(p.asn for p in pairs)
    if contest.tied or not math.isfinite(worst):
        return BravoASN(
            METHOD,
            contest.name,
            alpha,
            contest.tally,
            contest.ballots,
            pairs,
            None,
            Decision.FULL_HAND_COUNT,
        )
    asn = math.ceil(worst)
    decision = Decision.FULL_HAND_COUNT if asn >= contest.ballots else Decision.NEXT_ROUND
    return BravoASN(
        METHOD, contest.name, alpha, contest.tally, contest.ballots, pairs, asn, decision
    )


# --- first-round sizes -----------------------------------------------------------------------


def k_min(r: int | IntArray, s_wl: float, *, alpha: float) -> IntArray:
    """Smallest count for w among r ballots for w or ℓ that makes T_wℓ ≥ 1/α.

    ``r + 1`` where no count will do (r too small, or s_wℓ ≤ 1/2).  Uses the same floating
    point test, ``min(1, 1/T) ≤ α``, as :func:`bravo_risk`, so the two always agree.

    Examples
    --------
    >>> int(k_min(100, 0.6, alpha=0.1))
    61
    """
    alpha = _check_alpha(alpha)
    s = _check_share("s_wl", s_wl)
    rr = np.asarray(r, dtype=np.int64)
    z_w, z_l = _z(s)
    if s <= 0.5:
        return rr + 1
    big_l = math.log(1 / alpha)

    def ok(k: IntArray) -> npt.NDArray[np.bool_]:
        inside = (k >= 0) & (k <= rr)
        kk = np.clip(k, 0, rr)
        log_t = np.where(kk > 0, kk * z_w, 0.0)
        if math.isinf(z_l):
            log_t = np.where(rr - kk > 0, -np.inf, log_t)
        else:
            log_t = log_t + (rr - kk) * z_l
        return inside & (_risk_of(log_t) <= alpha)

    if math.isinf(z_l):
        k = rr.copy()
    else:
        k = np.ceil((big_l - rr * z_l) / (z_w - z_l)).astype(np.int64)
        k = np.clip(k, 0, rr + 1)
    for _ in range(3):  # repair floating-point rounding of the closed form
        k = np.where(ok(k - 1), k - 1, k)
        k = np.where(~ok(k) & (k <= rr), k + 1, k)
    return np.where(ok(k), k, rr + 1).astype(np.int64)


def stopping_probability(
    s_wl: float, r: int | IntArray, *, alpha: float, true_share: float | None = None
) -> FloatArray:
    """P_stop(r): chance that T_wℓ on a round of r ballots for w or ℓ reaches 1/α.

    The count for w is Binomial(r, true_share) (default: the reported share s_wℓ).

    Examples
    --------
    >>> round(float(stopping_probability(0.6, 100, alpha=0.1)), 4)
    0.4621
    """
    s = _check_share("s_wl", s_wl)
    t = s if true_share is None else _check_share("true_share", true_share)
    rr = np.asarray(r, dtype=np.int64)
    k = k_min(rr, s, alpha=alpha)
    out = np.where(k <= rr, stats.binom.sf(k - 1, rr, t), 0.0)
    return np.asarray(out, dtype=np.float64)


KminFn = Callable[[IntArray], IntArray]


def _p_stop(k_of: KminFn, s: float, n: IntArray) -> FloatArray:
    k = k_of(n)
    return np.asarray(np.where(k <= n, stats.binom.sf(k - 1, n, s), 0.0), dtype=np.float64)


def _smallest_size(
    k_of: KminFn, s: float, target: float, cap: int, *, sustained: bool
) -> int | None:
    """Smallest r ≤ cap with P_stop(r) ≥ target (or staying so); None if there is none.

    ``P_stop(r) = Pr{Binomial(r, s) ≥ k_of(r)}`` with ``k_of`` non-decreasing in r (true of
    BRAVO's linear boundary, and of Minerva's first round: at fixed k its tail ratio grows
    with r).  So on a block a ≤ r ≤ b, ``Pr{Bin(a, s) ≥ k_of(b)} ≤ P_stop(r) ≤ Pr{Bin(b, s) ≥
    k_of(a)}``.  Blocks a sixteenth of a standard deviation wide are ruled in or out by these
    bounds; only the blocks they cannot rule out are evaluated size by size.
    """
    leaf = 64

    def prob(r: IntArray) -> FloatArray:
        return _p_stop(k_of, s, r)

    # 1. some r with P_stop(r) ≥ target: look at windows of 64 sizes, doubling
    hi: int | None = None
    n = leaf
    while hi is None:
        top = min(n, cap)
        r = np.arange(max(1, top - leaf + 1), top + 1, dtype=np.int64)
        hits = np.nonzero(prob(r) >= target)[0]
        if hits.size:
            hi = int(r[hits[-1]])
        elif top >= cap:
            hi = cap  # no hit seen on the way: let the bounds below look everywhere
        n *= 2

    def blocks(lo: int, top: int) -> tuple[IntArray, IntArray]:
        width = max(1, math.isqrt(int(top * s * (1 - s))) // 16)
        a = np.arange(lo, top + 1, width, dtype=np.int64)
        return a, np.minimum(a + width - 1, top)

    def scan(a: IntArray, b: IntArray, order: IntArray, want_hit: bool) -> int | None:
        """Evaluate blocks in the given order, a few thousand sizes at a time."""
        for chunk in np.array_split(order, max(1, int((b[order] - a[order] + 1).sum()) // 4096)):
            if not chunk.size:
                continue
            r = np.concatenate([np.arange(a[i], b[i] + 1, dtype=np.int64) for i in chunk])
            found = np.nonzero((prob(r) >= target) == want_hit)[0]
            if found.size:
                return int(r[found].min() if want_hit else r[found].max())
        return None

    # 2. the first hit: in blocks whose upper bound reaches the target, left to right
    a, b = blocks(1, hi)
    upper = stats.binom.sf(k_of(a) - 1, b, s)
    first = scan(a, b, np.nonzero(upper >= target)[0], want_hit=True)
    if first is None or not sustained:
        return first
    # 3. the last miss after it, right to left, up to 2r + 64 and further while misses reach
    #    the end
    top = min(cap, 2 * first + leaf)
    while True:
        a, b = blocks(first, top)
        lower = stats.binom.sf(k_of(b) - 1, a, s)
        miss = scan(a, b, np.nonzero(lower < target)[0][::-1], want_hit=False)
        if miss is None:
            return first
        if miss < top - leaf or top >= cap:
            return miss + 1 if miss < cap else None
        top = min(cap, 2 * top)


@dataclass(frozen=True, slots=True)
class RoundSize:
    """A first-round size for one target stopping probability.

    Attributes
    ----------
    probability : target chance that the round finishes the audit if the reported tallies
        are right (per pair, see the module notes)
    n : ballots to draw, ⌈r/(p_w + p_ℓ)⌉ for the pair needing most (N for a full hand count)
    r : ballots for w or ℓ that pair needs (None if no r below N·(p_w + p_ℓ) will do)
    pair : that pair (None for a tie)
    decision : NEXT_ROUND (draw n ballots) or FULL_HAND_COUNT (n would be ≥ N)
    """

    probability: float
    n: int
    r: int | None
    pair: Pair | None
    decision: Decision


@dataclass(frozen=True, slots=True)
class BravoSampleSizes:
    """First-round sizes of a BRAVO audit (exact binomial computation, with replacement).

    Attributes
    ----------
    method, contest, alpha, tally, ballots : the inputs
    sustained : whether sizes are where P_stop stays above the target
    asn : Wald's ASN (None for a tie)
    sizes : one :class:`RoundSize` per target probability
    decision : FULL_HAND_COUNT for a tie, else NEXT_ROUND
    """

    method: str
    contest: str
    alpha: float
    tally: Mapping[str, int]
    ballots: int
    sustained: bool
    asn: int | None
    sizes: tuple[RoundSize, ...]
    decision: Decision

    def size(self, probability: float) -> RoundSize:
        for option in self.sizes:
            if math.isclose(option.probability, probability):
                return option
        raise AnalysisError(f"no size was computed for probability {probability!r}")

    def to_json(self) -> dict[str, object]:
        out = jsonable(self)
        assert isinstance(out, dict)
        return out


def _plan(
    contest: AuditContest,
    target: float,
    k_for: Callable[[float], KminFn],
    *,
    sustained: bool,
) -> RoundSize:
    """The pair needing most ballots sets the size; shared by BRAVO and Minerva."""
    if contest.tied:
        return RoundSize(target, contest.ballots, None, None, Decision.FULL_HAND_COUNT)
    best: tuple[int, int | None, Pair] | None = None
    for pair in contest.pairs():
        s = _share(contest, pair)
        q = (contest.tally[pair.winner] + contest.tally[pair.loser]) / contest.ballots
        cap = math.ceil(contest.ballots * q)
        r = _smallest_size(k_for(s), s, target, cap, sustained=sustained)
        n = contest.ballots if r is None else math.ceil(r / q)
        if best is None or n > best[0]:
            best = (n, r, pair)
    assert best is not None
    n, r, pair = best
    if n >= contest.ballots:
        return RoundSize(target, contest.ballots, r, pair, Decision.FULL_HAND_COUNT)
    return RoundSize(target, n, r, pair, Decision.NEXT_ROUND)


def bravo_sample_sizes(
    contest: AuditContest,
    *,
    alpha: float,
    probabilities: Sequence[float] = DEFAULT_PROBABILITIES,
    sustained: bool = False,
) -> BravoSampleSizes:
    """First-round sizes that finish the audit with the given probabilities.

    Exact binomial computation (see the module notes); ``sustained=True`` gives the sizes from
    which the stopping probability never falls back below the target.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 600, "l": 400}, ballots=1000)
    >>> [s.n for s in bravo_sample_sizes(c, alpha=0.1).sizes]
    [175, 233, 342]
    """
    alpha = _check_alpha(alpha)
    targets = _check_probabilities(probabilities)

    def k_for(s: float) -> KminFn:
        return lambda r: k_min(r, s, alpha=alpha)

    sizes = tuple(_plan(contest, p, k_for, sustained=sustained) for p in targets)
    asn = bravo_asn(contest, alpha=alpha).asn
    decision = Decision.FULL_HAND_COUNT if contest.tied else Decision.NEXT_ROUND
    return BravoSampleSizes(
        METHOD,
        contest.name,
        alpha,
        contest.tally,
        contest.ballots,
        sustained,
        asn,
        sizes,
        decision,
    )


# --- exact ballot-by-ballot stopping distribution --------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class BravoStoppingDistribution:
    """When ballot-by-ballot BRAVO stops, for one pair, by exact dynamic programming.

    Counts only ballots for w or ℓ (r = 1, 2, …); w's share of them is ``true_share``.  With
    ``true_share = 1/2`` the total stopping probability is the risk actually run.

    Attributes
    ----------
    method : "BRAVO"
    alpha : risk limit α
    s_wl : reported share that sets the test
    true_share : share of w among the ballots drawn
    max_draws : last r computed
    stop : stop[r − 1] = Pr{the test first reaches 1/α at draw r}
    discarded : probability mass dropped as negligible (bounds the error of every figure)
    """

    method: str
    alpha: float
    s_wl: float
    true_share: float
    max_draws: int
    stop: FloatArray = field(repr=False)
    discarded: float

    @property
    def stopped(self) -> float:
        """Pr{the test stops within max_draws}."""
        return float(self.stop.sum())

    def quantile(self, q: float) -> int | None:
        """Smallest r with Pr{stop by r} ≥ q; None if that is beyond max_draws."""
        cumulative = np.cumsum(self.stop)
        i = int(np.searchsorted(cumulative, q))
        return i + 1 if i < cumulative.size else None

    def expected_draws(self) -> float:
        """E[min(R, max_draws)] where R is the draw at which the test stops."""
        r = np.arange(1, self.stop.size + 1)
        return float(r @ self.stop + self.max_draws * (1.0 - self.stopped))


def stopping_distribution(
    s_wl: float,
    *,
    alpha: float,
    max_draws: int,
    true_share: float | None = None,
    tol: float = 1e-15,
) -> BravoStoppingDistribution:
    """Exact distribution of the draw at which ballot-by-ballot BRAVO stops (one pair).

    Dynamic programming over the count for w among the first r ballots for w or ℓ, absorbing
    at ``k_min(r)``; lower-tail mass below ``tol`` is dropped and reported as ``discarded``.
    Reproduces the percentiles of [LSY12] Table 1.

    Examples
    --------
    >>> d = stopping_distribution(0.6, alpha=0.1, max_draws=2000)
    >>> d.quantile(0.5), round(d.expected_draws(), 1)
    (84, 118.5)
    """
    alpha = _check_alpha(alpha)
    s = _check_share("s_wl", s_wl)
    t = s if true_share is None else _check_share("true_share", true_share)
    max_draws = _check_count("max_draws", max_draws)
    limits = k_min(np.arange(1, max_draws + 1), s, alpha=alpha)
    stop = np.zeros(max_draws)
    dist = np.array([1.0])  # dist[i] = Pr{count for w = lo + i, not yet stopped}
    lo, discarded = 0, 0.0
    for r in range(1, max_draws + 1):
        new = np.empty(dist.size + 1)
        new[0] = dist[0] * (1.0 - t)
        new[1:-1] = dist[1:] * (1.0 - t) + dist[:-1] * t
        new[-1] = dist[-1] * t
        cut = int(limits[r - 1]) - lo
        if cut < new.size:
            cut = max(cut, 0)
            stop[r - 1] = new[cut:].sum()
            new = new[:cut]
        if r % 64 == 0 and new.size:
            low = np.cumsum(new)
            drop = int(np.searchsorted(low, tol))
            if drop:
                discarded += float(low[drop - 1])
                new, lo = new[drop:], lo + drop
        dist = new
        if not dist.size or dist.sum() < tol:
            discarded += float(dist.sum())
            break
    return BravoStoppingDistribution(METHOD, alpha, s, t, max_draws, stop, discarded)
