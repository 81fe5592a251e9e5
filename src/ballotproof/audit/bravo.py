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

Computing them.  k_min(r) = ⌈c + βr⌉ with c = ln(1/α)/(z_w − z_ℓ), β = −z_ℓ/(z_w − z_ℓ), so the
count for w must beat a line.  The search starts from Lindeman's closed-form normal
approximation (the one Arlo uses, :func:`_normal_start`), rules out whole blocks of r with
Berry–Esseen bounds on ``Pr{Binomial(r, s) ≥ c ± 1 + βr}`` (:func:`_line_bounds`, constant
:data:`BERRY_ESSEEN`), and settles the sizes the bounds leave open, in order, from one exact
tail and the recurrence ``Pr{S_{r+1} ≥ k} = Pr{S_r ≥ k} + s·Pr{S_r = k − 1}``
(:func:`_path_tail`, with a rounding bound; exact tails where that bound does not decide).
Nothing is approximated in the answer: for Georgia 2020 some 5,000 sizes are settled, not
the 2 million below the answer.

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
from scipy import special

from ballotproof.audit import rounds
from ballotproof.audit.card_rounds import PairRisk, PollingMethod
from ballotproof.audit.contest import AuditContest, Decision, Pair, jsonable
from ballotproof.audit.sampler import Batch
from ballotproof.audit.spec import AuditSpec, Method
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


def _ok(rr: IntArray, k: IntArray, z_w: float, z_l: float, alpha: float) -> npt.NDArray[np.bool_]:
    """Does a count k for w among r ballots for w or ℓ make min(1, 1/T) ≤ α?  (The test of
    :func:`bravo_risk`, elementwise; k outside 0…r never does.)"""
    inside = (k >= 0) & (k <= rr)
    kk = np.clip(k, 0, rr)
    log_t = np.where(kk > 0, kk * z_w, 0.0)
    # a landslide (z_ℓ = −inf): any ballot for ℓ makes T = 0
    loser = np.where(rr - kk > 0, -np.inf, 0.0) if math.isinf(z_l) else (rr - kk) * z_l
    return np.asarray(inside & (_risk_of(np.asarray(log_t + loser, dtype=np.float64)) <= alpha))


def k_min(r: int | IntArray, s_wl: float, *, alpha: float) -> IntArray:
    """Smallest count for w among r ballots for w or ℓ that makes T_wℓ ≥ 1/α.

    ``r + 1`` where no count will do (r too small, or s_wℓ ≤ 1/2).  The closed form
    ``⌈(ln(1/α) − r z_ℓ)/(z_w − z_ℓ)⌉`` [LSY12] is confirmed with the same floating point test,
    ``min(1, 1/T) ≤ α``, as :func:`bravo_risk` (so the two always agree) and repaired where
    rounding puts it one off.

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
    if math.isinf(z_l):
        k = rr.copy()
        good = _ok(rr, k, z_w, z_l, alpha) & ~_ok(rr, k - 1, z_w, z_l, alpha)
    else:
        x = (math.log(1 / alpha) - rr * z_l) / (z_w - z_l)
        k = np.clip(np.ceil(x).astype(np.int64), 0, rr + 1)
        # Away from an integer by more than the rounding of ln T, the closed form and the test
        # agree; only sizes where x is (nearly) an integer need the test itself.
        room = 1e3 * np.finfo(np.float64).eps * (rr * (abs(z_w) + abs(z_l)) + 1.0) + 1e-12
        near = np.abs(x - np.rint(x)) * (z_w - z_l) <= room
        good = ~near
        if near.any():
            kn, rn = k[near], rr[near]
            good[near] = np.where(kn <= rn, _ok(rn, kn, z_w, z_l, alpha), True) & ~_ok(
                rn, kn - 1, z_w, z_l, alpha
            )
    # k is right iff ok(k) (or k = r + 1) and not ok(k − 1); repair the rare misses
    if not good.all():
        bad = np.flatnonzero(~good)
        rb, kb = rr.flat[bad], k.flat[bad]
        for _ in range(3):
            kb = np.where(_ok(rb, kb - 1, z_w, z_l, alpha), kb - 1, kb)
            kb = np.where(~_ok(rb, kb, z_w, z_l, alpha) & (kb <= rb), kb + 1, kb)
        k = k.copy()
        k.flat[bad] = np.where(_ok(rb, kb, z_w, z_l, alpha), kb, rb + 1)
    return np.asarray(k, dtype=np.int64)


def _tail(k: IntArray, n: IntArray, s: float) -> FloatArray:
    """Pr{Binomial(n, s) ≥ k}, elementwise.

    The regularised incomplete beta function I_s(k, n − k + 1) for 1 ≤ k ≤ n (1 below, 0
    above): the very function (Boost's ``ibeta``) that ``scipy.stats.binom.sf(k − 1, n, s)``
    evaluates, so the numbers are the same to the last bit, without that call's ~0.1 ms of
    argument handling.
    """
    kk, nn = np.broadcast_arrays(np.asarray(k, dtype=np.int64), np.asarray(n, dtype=np.int64))
    inside = (kk >= 1) & (kk <= nn)
    a = np.where(inside, kk, 1).astype(np.float64)
    b = np.where(inside, nn - kk + 1, 1).astype(np.float64)
    out = np.where(inside, special.betainc(a, b, s), np.where(kk <= 0, 1.0, 0.0))
    return np.asarray(out, dtype=np.float64)


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
    return _tail(k_min(rr, s, alpha=alpha), rr, t)


KminFn = Callable[[IntArray], IntArray]


def _p_stop(k_of: KminFn, s: float, n: IntArray) -> FloatArray:
    return _tail(k_of(n), n, s)


@dataclass(frozen=True, slots=True)
class _Line:
    """k_of(r) lies within ``slack`` of the line ``c + βr`` wherever k_of(r) ≤ r (for smaller
    r no count will do: k_of(r) = r + 1 < c + βr and P_stop(r) = 0, within every bound).

    BRAVO's k_min(r) is ⌈c + βr⌉ with c = ln(1/α)/(z_w − z_ℓ) and β = −z_ℓ/(z_w − z_ℓ)
    [LSY12], but for the floating-point repair, which moves it by at most one (c and β
    themselves are off by far less than the 1e-6 added)."""

    c: float
    beta: float
    slack: float = 1.0 + 1e-6


def _line(s_test: float, alpha: float) -> _Line | None:
    z_w, z_l = _z(s_test)
    if not (s_test > 0.5 and math.isfinite(z_l)):
        return None
    return _Line(math.log(1 / alpha) / (z_w - z_l), -z_l / (z_w - z_l))


BERRY_ESSEEN = 0.56
"""A Berry–Esseen constant C: for a sum S_r of r independent copies of a variable with variance
σ² and E|X − EX|³ = ρ, ``sup_x |Pr{S_r ≤ x} − Φ((x − r EX)/(σ√r))| ≤ C ρ/(σ³ √r)``.  0.56 is
Shevtsova's bound for summands that need not be identically distributed (I. G. Shevtsova, "An
improvement of convergence rate estimates in the Lyapunov theorem", Doklady Mathematics 82(3),
2010); for identical summands she proves 0.4748 (arXiv:1111.6554, 2011).  The larger one is
used: a looser bound only costs a few more exact evaluations."""

_SPLIT = 16  # children of a block that the bounds cannot settle
_CHUNK = 8192  # sizes evaluated together once a block is this narrow


def _line_bounds(line: _Line, s: float, a: IntArray, b: IntArray) -> tuple[FloatArray, FloatArray]:
    """Bounds on P_stop(r) = Pr{Binomial(r, s) ≥ k(r)} over each block a ≤ r ≤ b when
    ``|k(r) − (c + βr)| ≤ slack``.

    Pr{S_r ≥ x} for real x is within ε_r = C (s² + (1 − s)²)/√(s(1 − s) r) of
    1 − Φ((x − rs)/√(r s(1 − s))) (Berry–Esseen, :data:`BERRY_ESSEEN`; ε_r ≤ ε_a on the
    block).  With x = c ∓ slack + βr the standardised threshold is ``A/√r − B√r`` with
    ``B = (s − β)/√(s(1 − s))``, and each term is bounded on the block by its value at an end.
    """
    if not 0.0 < s < 1.0:
        return np.ones(a.size), np.zeros(a.size)
    sd = math.sqrt(s * (1.0 - s))
    big_b = (s - line.beta) / sd
    ra, rb = np.sqrt(a), np.sqrt(b)
    eps = BERRY_ESSEEN * (s * s + (1.0 - s) ** 2) / sd / ra
    eps = eps * (1 + 1e-9) + 1e-12  # room for the rounding of ndtr and the divisions
    a_lo = (line.c - line.slack) / sd  # k(r) ≥ c − slack + βr: upper bound on P
    z_min = (a_lo / rb if a_lo >= 0 else a_lo / ra) - (big_b * rb if big_b >= 0 else big_b * ra)
    a_hi = (line.c + line.slack) / sd  # k(r) ≤ c + slack + βr: lower bound on P
    z_max = (a_hi / ra if a_hi >= 0 else a_hi / rb) - (big_b * ra if big_b >= 0 else big_b * rb)
    upper = np.minimum(1.0, special.ndtr(-z_min) + eps)
    lower = np.maximum(0.0, special.ndtr(-z_max) - eps)
    return np.asarray(upper, dtype=np.float64), np.asarray(lower, dtype=np.float64)


def _path_tail(k: IntArray, r: IntArray, s: float) -> tuple[FloatArray, FloatArray]:
    """P_stop along consecutive sizes r, r + 1, …: (values, bound on their error).

    One exact tail, then, with m = k − 1 and A_r = pmf_r(m) = Pr{Bin(r, s) = m},
    ``Pr{S_{r+1} ≥ k} = Pr{S_r ≥ k} + s·A_r`` and, where k grows by one,
    ``Pr{S_{r+1} ≥ k + 1} = Pr{S_{r+1} ≥ k} − A_{r+1}``; A_{r+1}/A_r is (r + 1)(1 − s)/(r + 1 − m)
    or (r + 1)s/(m + 1).  A cumulative product and a cumulative sum instead of one incomplete
    beta function per size.  The error bound covers the log-gamma start (relative
    4·eps·(|ln Γ(r + 1)| + |ln A_r| + 2)), one rounding per product and per sum.  Falls back
    to exact tails (error 0) where k jumps by more than one, k < 1, or s is 0 or 1.
    """
    steps = np.diff(k)
    if k.size < 2 or not 0.0 < s < 1.0 or steps.min() < 0 or steps.max() > 1 or k[0] < 1:
        return _tail(k, r, s), np.zeros(k.size)
    eps = float(np.finfo(np.float64).eps)
    m0, r0 = int(k[0]) - 1, int(r[0])
    if m0 > r0:  # k = r + 1 at the start: nothing stops yet
        return _tail(k, r, s), np.zeros(k.size)
    lg_r0 = math.lgamma(r0 + 1.0)
    log_a0 = (
        lg_r0 - math.lgamma(m0 + 1.0) - math.lgamma(r0 - m0 + 1.0)
        + m0 * math.log(s) + (r0 - m0) * math.log1p(-s)
    )  # fmt: skip
    a0 = math.exp(log_a0)
    if not a0 > 1e-280:  # would underflow along the way: no shortcut
        return _tail(k, r, s), np.zeros(k.size)
    m, rr = (k[:-1] - 1).astype(np.float64), r[:-1].astype(np.float64)
    ratio = np.where(
        steps == 1, (rr + 1.0) * s / (m + 1.0), (rr + 1.0) * (1.0 - s) / (rr + 1.0 - m)
    )
    big_a = np.empty(k.size)
    big_a[0] = a0
    np.cumprod(ratio, out=big_a[1:])
    big_a[1:] *= a0
    inc = s * big_a[:-1] - steps * big_a[1:]
    values = np.empty(k.size)
    values[0] = float(_tail(k[:1], r[:1], s)[0])
    np.cumsum(inc, out=values[1:])
    values[1:] += values[0]
    rel = 4 * eps * (abs(lg_r0) + abs(log_a0) + 2 + k.size)
    mass = np.empty(k.size)
    mass[0] = 0.0
    np.cumsum(s * big_a[:-1] + steps * big_a[1:], out=mass[1:])
    err = 10 * (mass * rel + (np.arange(k.size) + 2) * 2 * eps)
    return values, err


def _settle(k: IntArray, r: IntArray, s: float, target: float) -> npt.NDArray[np.bool_]:
    """P_stop ≥ target for consecutive sizes r with boundary k, exactly: values from
    :func:`_path_tail`, exact tails wherever its error bound does not settle the comparison."""
    p, err = _path_tail(k, r, s)
    unsure = np.abs(p - target) <= err
    if unsure.any():
        p = p.copy()
        p[unsure] = _tail(k[unsure], r[unsure], s)
    return np.asarray(p >= target)


def _hits(k_of: KminFn, s: float, target: float, a: int, b: int) -> npt.NDArray[np.bool_]:
    """P_stop(r) ≥ target for r = a … b, exactly (:func:`_settle`)."""
    r = np.arange(a, b + 1, dtype=np.int64)
    return _settle(k_of(r), r, s, target)


def _point_upper(k: IntArray, r: IntArray, s: float) -> FloatArray:
    """Berry–Esseen upper bound on Pr{Bin(r, s) ≥ k} size by size (as in :func:`_line_bounds`,
    with each size's own k instead of the line)."""
    if not 0.0 < s < 1.0:
        return np.ones(r.size)
    sd = math.sqrt(s * (1.0 - s))
    root = np.sqrt(r)
    eps = BERRY_ESSEEN * (s * s + (1.0 - s) ** 2) / sd / root * (1 + 1e-9) + 1e-12
    return np.asarray(special.ndtr(-(k - r * s) / (sd * root)) + eps, dtype=np.float64)


_STRIDE = 1024  # sizes settled at a time within a block, so that the first hit ends the work


def _first_hit_in(k_of: KminFn, s: float, target: float, a: int, b: int) -> int | None:
    """First r in a narrow block [a, b] with P_stop(r) ≥ target: sizes that the size-by-size
    upper bound rules out are skipped, the rest settled a stride at a time from the left."""
    r = np.arange(a, b + 1, dtype=np.int64)
    k = k_of(r)
    maybe = np.flatnonzero(_point_upper(k, r, s) >= target)
    if not maybe.size:
        return None
    for i in range(int(maybe[0]), r.size, _STRIDE):
        hit = np.flatnonzero(_settle(k[i : i + _STRIDE], r[i : i + _STRIDE], s, target))
        if hit.size:
            return a + i + int(hit[0])
    return None


def _children(a: int, b: int) -> tuple[IntArray, IntArray]:
    """At most 16 blocks, none narrower than needed to reach _CHUNK sizes."""
    parts = min(_SPLIT, -(-(b - a + 1) // _CHUNK))
    edges = np.unique(a + (np.arange(parts + 1, dtype=np.int64) * (b - a + 1)) // parts)
    return edges[:-1], edges[1:] - 1


def _first_hit(k_of: KminFn, s: float, target: float, lo: int, hi: int, line: _Line) -> int | None:
    """Smallest r in [lo, hi] with P_stop(r) ≥ target, or None: depth first, left to right;
    a block whose upper bound (:func:`_line_bounds`) is below the target holds no hit, others
    are split until narrow enough to evaluate (:func:`_hits`)."""
    stack = [(lo, hi)]
    while stack:
        a, b = stack.pop()
        if b - a < _CHUNK:
            first = _first_hit_in(k_of, s, target, a, b)
            if first is not None:
                return first
            continue
        ca, cb = _children(a, b)
        upper, _ = _line_bounds(line, s, ca, cb)
        stack.extend((int(ca[i]), int(cb[i])) for i in np.flatnonzero(upper >= target)[::-1])
    return None


def _last_miss(k_of: KminFn, s: float, target: float, lo: int, hi: int, line: _Line) -> int | None:
    """Largest r in [lo, hi] with P_stop(r) < target, or None (depth first, right to left;
    a block whose lower bound reaches the target holds no miss)."""
    stack = [(lo, hi)]
    while stack:
        a, b = stack.pop()
        if b - a < _CHUNK:
            miss = np.flatnonzero(~_hits(k_of, s, target, a, b))
            if miss.size:
                return a + int(miss[-1])
            continue
        ca, cb = _children(a, b)
        _, lower = _line_bounds(line, s, ca, cb)
        stack.extend((int(ca[i]), int(cb[i])) for i in np.flatnonzero(lower < target))
    return None


def _smallest_size(
    k_of: KminFn,
    s: float,
    target: float,
    cap: int,
    *,
    sustained: bool,
    line: _Line | None = None,
    start: float | None = None,
    lo: int = 1,
) -> int | None:
    """Smallest r ≤ cap with P_stop(r) ≥ target (or staying so); None if there is none.

    ``P_stop(r) = Pr{Binomial(r, s) ≥ k_of(r)}`` with ``k_of`` non-decreasing in r (true of
    BRAVO's linear boundary, and of Minerva's first round: at fixed k its tail ratio grows
    with r).  Every size below the answer is ruled out by a rigorous bound or by evaluating
    it; sizes below ``lo`` are taken to be misses (a caller that knows the first hit for a
    lower target passes it).

    When ``line`` says where k_of lies (BRAVO, ALPHA with a fixed η): 1. some hit, among
    ``start`` (a closed-form estimate), a few multiples of it, 64, 128, 256, … and ``cap``,
    evaluated exactly in one call; 2. the first hit at or below it (:func:`_first_hit`);
    3. with ``sustained``, the last miss after it, up to 2r + 64 and further while misses
    reach the end (:func:`_last_miss`): the size is the one after it.  Otherwise the generic
    search of :func:`_smallest_size_generic`.
    """
    cap, lo = int(cap), max(1, int(lo))
    if line is None:
        return _smallest_size_generic(k_of, s, target, cap, sustained=sustained, lo=lo)
    leaf = 64
    if lo > cap:
        return None
    points: list[float] = [leaf * 2.0**i for i in range(max(1, cap.bit_length()))]
    if start is not None and math.isfinite(start):
        points += [start * f for f in (1.0, 1.01, 1.03, 1.1, 1.3, 2.0)]
    r = np.unique(np.clip(np.ceil(points).astype(np.int64), lo, cap))
    r = np.append(r, cap) if r[-1] != cap else r
    hits = np.flatnonzero(_p_stop(k_of, s, r) >= target)
    hi = int(r[hits[0]]) if hits.size else cap
    first = _first_hit(k_of, s, target, lo, hi, line)
    if first is None or not sustained:
        return first
    top = min(cap, 2 * first + leaf)
    while True:
        miss = _last_miss(k_of, s, target, first, top, line)
        if miss is None:
            return first
        if miss < top - leaf or top >= cap:
            return miss + 1 if miss < cap else None
        top = min(cap, 2 * top)


def _smallest_size_generic(
    k_of: KminFn, s: float, target: float, cap: int, *, sustained: bool, lo: int = 1
) -> int | None:
    """:func:`_smallest_size` for any non-decreasing k_of.

    On a block a ≤ r ≤ b, ``Pr{Bin(a, s) ≥ k_of(b)} ≤ P_stop(r) ≤ Pr{Bin(b, s) ≥ k_of(a)}``.
    Blocks a sixteenth of a standard deviation wide are ruled in or out by these bounds; only
    the blocks they cannot rule out are evaluated size by size.
    """
    leaf = 64

    def prob(r: IntArray) -> FloatArray:
        return _p_stop(k_of, s, r)

    # 1. some r with P_stop(r) ≥ target: look at windows of 64 sizes, doubling
    hi: int | None = None
    n = leaf
    while hi is None:
        top = min(n, cap)
        r = np.arange(max(lo, top - leaf + 1), top + 1, dtype=np.int64)
        hits = np.nonzero(prob(r) >= target)[0] if r.size else r
        if hits.size:
            hi = int(r[hits[-1]])
        elif top >= cap:
            hi = cap  # no hit seen on the way: let the bounds below look everywhere
        n *= 2

    def blocks(first: int, top: int) -> tuple[IntArray, IntArray]:
        width = max(1, math.isqrt(int(top * s * (1 - s))) // 16)
        a = np.arange(first, top + 1, width, dtype=np.int64)
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
    if lo > hi:
        return None
    a, b = blocks(lo, hi)
    upper = _tail(k_of(a), b, s)
    first = scan(a, b, np.nonzero(upper >= target)[0], want_hit=True)
    if first is None or not sustained:
        return first
    # 3. the last miss after it, right to left, up to 2r + 64 and further while misses reach
    #    the end
    top = min(cap, 2 * first + leaf)
    while True:
        a, b = blocks(first, top)
        lower = _tail(k_of(b), a, s)
        miss = scan(a, b, np.nonzero(lower < target)[0][::-1], want_hit=False)
        if miss is None:
            return first
        if miss < top - leaf or top >= cap:
            return miss + 1 if miss < cap else None
        top = min(cap, 2 * top)


def _normal_start(s_test: float, s_true: float, target: float, alpha: float) -> float | None:
    """Closed-form estimate of the first-round r [Lindeman's normal approximation, as in
    Arlo's ``bravo_sample_sizes``]: the r at which the count for w at its (1 − target)
    quantile, ``r s − z √(r s(1 − s))`` (s the true share, z = Φ⁻¹(target)), meets the
    boundary ``c + βr`` (:class:`_Line` of the share s_test that sets the test).  Solved as a
    quadratic in √r; None where it has no positive root (the exact search does without)."""
    line = _line(s_test, alpha)
    if line is None or not 0.0 < s_true < 1.0:
        return None
    gap = s_true - line.beta
    if gap <= 0:
        return None
    zs = float(special.ndtri(target)) * math.sqrt(s_true * (1 - s_true))
    root = (zs + math.sqrt(max(0.0, zs * zs + 4 * gap * line.c))) / (2 * gap)
    return root * root


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


def _plan_all(
    contest: AuditContest,
    targets: Sequence[float],
    k_for: Callable[[Pair], KminFn],
    *,
    sustained: bool,
    start_for: Callable[[Pair, float], float | None] | None = None,
    line_for: Callable[[Pair], _Line | None] | None = None,
) -> tuple[RoundSize, ...]:
    """First-round sizes for several targets; the pair needing most ballots sets each.

    ``k_for(pair)`` is the pair's k_min(r); a pair's ballots for w among its r relevant
    ballots are Binomial(r, s_wℓ).  Targets are searched in increasing order: a hit for a
    higher target is a hit for a lower one, so (sizes not sustained) each search starts at
    the previous answer.  ``start_for(pair, target)`` may give a closed-form first guess and
    ``line_for(pair)`` the line near which k_for(pair) lies (see :func:`_smallest_size`).
    """
    if contest.tied:
        return tuple(
            RoundSize(t, contest.ballots, None, None, Decision.FULL_HAND_COUNT) for t in targets
        )
    order = sorted(set(targets))
    best: dict[float, tuple[int, int | None, Pair]] = {}
    for pair in contest.pairs():
        s = _share(contest, pair)
        q = (contest.tally[pair.winner] + contest.tally[pair.loser]) / contest.ballots
        cap = math.ceil(contest.ballots * q)
        k_of = k_for(pair)
        line = line_for(pair) if line_for is not None else None
        lo = 1
        for t in order:
            start = start_for(pair, t) if start_for is not None else None
            r = (
                None
                if lo > cap
                else _smallest_size(
                    k_of, s, t, cap, sustained=sustained, line=line, start=start, lo=lo
                )
            )
            if not sustained:
                lo = cap + 1 if r is None else r
            n = contest.ballots if r is None else math.ceil(r / q)
            if t not in best or n > best[t][0]:
                best[t] = (n, r, pair)
    out = []
    for t in targets:
        n, r, pair = best[t]
        decision = Decision.FULL_HAND_COUNT if n >= contest.ballots else Decision.NEXT_ROUND
        out.append(RoundSize(t, min(n, contest.ballots), r, pair, decision))
    return tuple(out)


def _plan(
    contest: AuditContest,
    target: float,
    k_for: Callable[[float], KminFn],
    *,
    sustained: bool,
) -> RoundSize:
    """The pair needing most ballots sets the size; shared by BRAVO and Minerva.

    ``k_for(s)`` is k_min(r) for a pair whose reported share is s."""
    (size,) = _plan_all(
        contest, (target,), lambda pair: k_for(_share(contest, pair)), sustained=sustained
    )
    return size


def bravo_sample_sizes(
    contest: AuditContest,
    *,
    alpha: float,
    probabilities: Sequence[float] = DEFAULT_PROBABILITIES,
    sustained: bool = False,
) -> BravoSampleSizes:
    """First-round sizes that finish the audit with the given probabilities.

    Exact binomial computation (see the module notes), started from Lindeman's closed-form
    normal approximation (the one Arlo uses) and confirmed size by size where the saw-tooth
    could hide a smaller answer; ``sustained=True`` gives the sizes from which the stopping
    probability never falls back below the target.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 600, "l": 400}, ballots=1000)
    >>> [s.n for s in bravo_sample_sizes(c, alpha=0.1).sizes]
    [175, 233, 342]
    """
    alpha = _check_alpha(alpha)
    targets = _check_probabilities(probabilities)

    def k_for(pair: Pair) -> KminFn:
        s = _share(contest, pair)
        return lambda r: k_min(r, s, alpha=alpha)

    def start_for(pair: Pair, target: float) -> float | None:
        s = _share(contest, pair)
        return _normal_start(s, s, target, alpha)

    def line_for(pair: Pair) -> _Line | None:
        return _line(_share(contest, pair), alpha)

    sizes = _plan_all(
        contest, targets, k_for, sustained=sustained, start_for=start_for, line_for=line_for
    )
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


# ----------------------------------------------------------------------------- stored method


class _StoredBravo(PollingMethod):
    """BRAVO as a stored audit: every pair's test on the cumulative sample; later rounds sized
    by the evidence so far (:mod:`ballotproof.audit.rounds`) unless the spec says ``step``."""

    def first_round_size(
        self,
        spec: AuditSpec,
        *,
        batches: Sequence[Batch] = (),
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> int:
        targets = (spec.stop_probability,)
        return (
            bravo_sample_sizes(spec.contest, alpha=spec.risk_limit, probabilities=targets)
            .sizes[0]
            .n
        )

    def pair_risks(
        self,
        spec: AuditSpec,
        readings: Sequence[str],
        per_pair: Mapping[Pair, Sequence[Mapping[str, int]]],
        sizes: Sequence[int],
    ) -> dict[Pair, PairRisk]:
        out: dict[Pair, PairRisk] = {}
        for pair, samples in per_pair.items():
            r = bravo_risk(spec.contest, samples[-1], alpha=spec.risk_limit, n=len(readings))
            entry = next(x for x in r.pairs if x.pair == pair)
            out[pair] = PairRisk(entry.risk, entry.risk <= spec.risk_limit)
        return out

    def more_draws(
        self,
        spec: AuditSpec,
        readings: Sequence[str],
        per_pair: Mapping[Pair, Sequence[Mapping[str, int]]],
    ) -> int:
        if spec.round_rule != "evidence":
            return self.first_round_size(spec)
        so_far = {p: (s[-1][p.winner], s[-1][p.loser]) for p, s in per_pair.items()}
        more = rounds.bravo_next_round(
            spec.contest, so_far, alpha=spec.risk_limit, probability=spec.stop_probability
        )
        return max(1, more)


STORED = _StoredBravo(
    Method.BRAVO,
    "ballot polling",
    "BRAVO: Wald's SPRT per winner-loser pair",
    "Lindeman, Stark & Yates, EVT/WOTE 2012 (audit/bravo.py)",
    "sized by the evidence so far: the chance of finishing set by the audit's stop "
    "probability (default 90 %; audit/rounds.py)",
)
