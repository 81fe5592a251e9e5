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
with scipy's exact binomial tails, later rounds by convolving probability vectors.

First-round size: the smallest ``n`` with ``Pr_σ1{K ≥ k_min,1(n)} ≥ P`` or, with
``sustained=True``, the smallest from which that probability stays ≥ P (checked up to
2n + 64, and further while it still dips there): the convention that reproduces the
first-round tables of [ZMMMV21].  Ballots to draw are ``⌈n/(p_w + p_ℓ)⌉`` with p_c = v_c/N,
as in those tables; the pair needing most sets the size.

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import signal, stats

from ballotproof.audit import bravo
from ballotproof.audit.contest import AuditContest, Decision, Pair, jsonable
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

_DIRECT_LIMIT = 20_000_000  # np.convolve below this many multiply-adds, FFT above


# --- round 1, exact ---------------------------------------------------------------------------


def _tail_ratio(k: IntArray, n: IntArray, p: float) -> FloatArray:
    """Pr_τ{K ≥ k} / Pr_σ{K ≥ k} for Binomial(n, 1/2) and Binomial(n, p), in [0, 1]."""
    null = stats.binom.sf(k - 1, n, 0.5)
    alt = stats.binom.sf(k - 1, n, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(alt > 0, null / np.where(alt > 0, alt, 1.0), 0.0)
    return np.asarray(np.clip(ratio, 0.0, 1.0), dtype=np.float64)


def first_round_k_min(n: int | IntArray, p: float, *, alpha: float) -> IntArray:
    """k_min,1(n): fewest ballots for w among n relevant ballots that stop round 1.

    ``n + 1`` where nothing will do.  Vectorised over n: a bisection between the last k whose
    null tail alone exceeds α (the ratio is at least the null tail, so it is > α there) and
    BRAVO's k_min, where the ratio is known to be ≤ α.

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
    hi = np.minimum(bravo.k_min(nn, p, alpha=alpha), nn)
    found = _tail_ratio(hi, nn, p) <= alpha
    lo = np.maximum(np.asarray(stats.binom.isf(alpha, nn, 0.5), dtype=np.int64) - 1, 0)
    lo = np.where((lo < hi) & (_tail_ratio(lo, nn, p) > alpha), lo, 0)  # ratio(0) = 1 > α
    hi = np.where(found, hi, nn + 1)
    while True:
        active = found & (hi - lo > 1)
        if not active.any():
            break
        mid = (lo + hi) // 2
        good = _tail_ratio(mid, nn, p) <= alpha
        hi = np.where(active & good, mid, hi)
        lo = np.where(active & ~good, mid, lo)
    return np.asarray(hi, dtype=np.int64)


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
    return np.asarray(np.where(k <= nn, stats.binom.sf(k - 1, nn, t), 0.0), dtype=np.float64)


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


def _convolve(a: FloatArray, b: FloatArray) -> FloatArray:
    if a.size * b.size <= _DIRECT_LIMIT:
        return np.convolve(a, b)
    return np.asarray(np.clip(signal.fftconvolve(a, b), 0.0, None), dtype=np.float64)


def _upper_tails(pmf: FloatArray) -> FloatArray:
    """tails[k] = Σ_{k' ≥ k} pmf[k'], summed from the top (small terms first)."""
    return np.asarray(np.cumsum(pmf[::-1])[::-1], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _Step:
    n: int
    k_min: int | None  # None: round j cannot stop
    sigma_tail: FloatArray  # Σ_{k'≥k} σ_j(k'), k = 0..n
    tau_tail: FloatArray


def _steps(p: float, schedule: Sequence[int], alpha: float) -> Iterator[_Step]:
    """Yield each round's tails and k_min, truncating before the next round."""
    sigma = np.array([1.0])
    tau = np.array([1.0])
    previous = 0
    for j, n in enumerate(schedule):
        d = n - previous
        sigma = _convolve(sigma, stats.binom.pmf(np.arange(d + 1), d, p))
        tau = _convolve(tau, stats.binom.pmf(np.arange(d + 1), d, 0.5))
        if j == 0:  # exact tails for round 1
            ks = np.arange(n + 1)
            sigma_tail = np.asarray(stats.binom.sf(ks - 1, n, p), dtype=np.float64)
            tau_tail = np.asarray(stats.binom.sf(ks - 1, n, 0.5), dtype=np.float64)
            k_first = int(first_round_k_min(n, p, alpha=alpha))
            k_min = k_first if k_first <= n else None
        else:
            sigma_tail, tau_tail = _upper_tails(sigma), _upper_tails(tau)
            ratio = _ratio(tau_tail, sigma_tail)
            hits = np.nonzero((ratio <= alpha) & (sigma_tail > 0))[0]
            k_min = int(hits[0]) if hits.size else None
        yield _Step(n, k_min, sigma_tail, tau_tail)
        if k_min is not None:
            sigma, tau = sigma[:k_min], tau[:k_min]
        previous = n


def _ratio(tau_tail: FloatArray, sigma_tail: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(sigma_tail > 0, tau_tail / np.where(sigma_tail > 0, sigma_tail, 1.0), 0.0)
    return np.asarray(np.clip(ratio, 0.0, 1.0), dtype=np.float64)


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
        big_s.append(0.0 if step.k_min is None else float(step.sigma_tail[step.k_min]))
        big_r.append(0.0 if step.k_min is None else float(step.tau_tail[step.k_min]))
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
    risk : tau_tail / sigma_tail
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
    for step, (n, k) in zip(_steps(p, [n for n, _ in kept], alpha), kept, strict=False):
        sigma, tau = float(step.sigma_tail[k]), float(step.tau_tail[k])
        risk = float(_ratio(np.array([tau]), np.array([sigma]))[0])
        rounds.append(MinervaRound(n, k, step.k_min, sigma, tau, risk))
        if rounds[-1].stops:
            return MinervaPairRisk(pair, p, tuple(rounds), len(rounds), risk)
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

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> [s.n for s in minerva_sample_sizes(c, alpha=0.1).sizes]
    [102, 127, 173]
    """
    alpha = bravo._check_alpha(alpha)
    targets = bravo._check_probabilities(probabilities)

    def k_for(p: float) -> Callable[[IntArray], IntArray]:
        return lambda n: first_round_k_min(n, p, alpha=alpha)

    sizes = tuple(bravo._plan(contest, t, k_for, sustained=sustained) for t in targets)
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
