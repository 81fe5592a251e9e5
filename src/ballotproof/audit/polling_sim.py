"""Vectorised simulation of ballot-polling audits: BRAVO ballot by ballot; BRAVO, Minerva by round.

What is simulated
-----------------
A vote-for-1 contest with N ballots whose *true* tally (by default the reported one) gives each
drawn ballot a vote for choice c with probability ``π_c = v_c/N`` and a vote for no listed
choice with probability ``1 − Σ π_c``.  Ballots are drawn uniformly **with replacement**, so
draws are independent; both methods assume this.  Seeds are explicit and results repeat
exactly for the same seed.

* BRAVO, ballot by ballot (:func:`simulate_bravo`; Lindeman, Stark & Yates 2012): a pair
  (w, ℓ) is confirmed at the first draw where ``n_w ≥ k_min(n_w + n_ℓ)``, i.e. where
  ``min(1, 1/T_wℓ) ≤ α`` with ``k_min`` from :func:`ballotproof.audit.bravo.k_min`; the audit
  stops when every pair is confirmed, or gives up after ``max_draws`` (default N) draws.  For a
  single pair only the ballots for w or ℓ move the test: the simulation draws those as Bernoulli
  steps (w with probability ``t = v_w/(v_w + v_ℓ)``), in chunks across all trials at once
  (cumulative counts against the k_min boundary), then adds the ballots for neither drawn on
  the way, a negative binomial number (failures before the m-th success, success probability
  ``q = (v_w + v_ℓ)/N``).  Relevant draws beyond ``qM + 12√(qM) + 64`` for M = max_draws are
  not simulated: they fit in M draws with probability below 1e-30.  Several pairs are simulated
  ballot by ballot from the full categorical law.
* By rounds (:func:`simulate_rounds`): cumulative round sizes ``n_1 < n_2 < …`` in ballots;
  each round's new draws are multinomial.  BRAVO "end of round" confirms when every pair's T
  on the cumulative tally reaches 1/α; Minerva (Zagórski et al. 2021) applies
  :func:`ballotproof.audit.minerva.minerva_schedule` to each pair's cumulative relevant counts
  (computed once per distinct schedule of relevant counts; a round that adds no relevant
  ballot is no round for that pair, as in :func:`ballotproof.audit.minerva.minerva_risk`).

Draws use 32-bit uniform integers: a Bernoulli step's probability is rounded to a multiple of
2^-32 (1/2 is exact); the categorical draws of several pairs use float32 variates (24 bits).

Nothing here reads the clock unless given one: pass ``clock=time.perf_counter`` to time a run
(``seconds`` and ``audits_per_second`` are None otherwise).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ballotproof.audit import bravo, minerva
from ballotproof.audit.contest import AuditContest, Pair
from ballotproof.errors import AnalysisError

__all__ = [
    "RoundSimulation",
    "SequentialSimulation",
    "first_round_probability",
    "simulate_bravo",
    "simulate_rounds",
]

IntArray = npt.NDArray[np.int64]
Clock = Callable[[], float]

_CHUNK_ELEMENTS = 1 << 22  # draws generated per chunk, across all active trials


def _check_trials(trials: int) -> int:
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise AnalysisError(f"trials must be a positive integer, got {trials!r}")
    return trials


def _law(contest: AuditContest, true_tally: Mapping[str, int] | None) -> dict[str, int]:
    """The true tally, checked: known choices, non-negative, at most N votes (vote-for-1)."""
    if contest.winners != 1:
        raise AnalysisError(f"contest {contest.name}: only vote-for-1 contests are simulated")
    law = contest.tally if true_tally is None else true_tally
    votes = bravo._check_sample(contest, law, "true tally")
    if sum(votes.values()) > contest.ballots:
        raise AnalysisError(
            f"contest {contest.name}: the true tally has {sum(votes.values())} votes for "
            f"{contest.ballots} ballots"
        )
    return votes


def _rate(count: int, trials: int) -> float:
    return count / trials


@dataclass(frozen=True, slots=True, eq=False)
class SequentialSimulation:
    """Ballot-by-ballot BRAVO audits, simulated.

    Attributes
    ----------
    method : "BRAVO"
    contest : contest name
    alpha : risk limit α
    tally : reported votes per choice (they set the test)
    true_tally : votes per choice the ballots were drawn from
    ballots : N
    trials, seed : number of simulated audits and the seed
    max_draws : draws after which an audit gives up (goes to a full hand count)
    replacement : always True
    draws : per trial, the draw at which every pair was confirmed; 0 if not within max_draws
    seconds : wall time of the run (None without a clock)
    """

    method: str
    contest: str
    alpha: float
    tally: Mapping[str, int]
    true_tally: Mapping[str, int]
    ballots: int
    trials: int
    seed: int
    max_draws: int
    replacement: bool
    draws: IntArray = field(repr=False)
    seconds: float | None

    @property
    def confirmed(self) -> int:
        return int(np.count_nonzero(self.draws))

    @property
    def confirm_rate(self) -> float:
        """Fraction of audits that confirmed the reported outcome."""
        return _rate(self.confirmed, self.trials)

    def finished_within(self, n: int) -> float:
        """Fraction of audits that confirmed within n draws."""
        return _rate(int(np.count_nonzero((self.draws > 0) & (self.draws <= n))), self.trials)

    def quantile(self, q: float) -> int | None:
        """Smallest n with finished_within(n) ≥ q (None if not reached)."""
        done = np.sort(self.draws[self.draws > 0])
        need = math.ceil(q * self.trials)
        return int(done[need - 1]) if 0 < need <= done.size else None

    @property
    def mean_draws(self) -> float | None:
        """Mean draws of the audits that confirmed."""
        done = self.draws[self.draws > 0]
        return float(done.mean()) if done.size else None

    @property
    def audits_per_second(self) -> float | None:
        return None if not self.seconds else self.trials / self.seconds

    def to_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "contest": self.contest,
            "alpha": self.alpha,
            "tally": dict(self.tally),
            "true_tally": dict(self.true_tally),
            "ballots": self.ballots,
            "trials": self.trials,
            "seed": self.seed,
            "max_draws": self.max_draws,
            "replacement": self.replacement,
            "confirm_rate": self.confirm_rate,
            "mean_draws": self.mean_draws,
            "seconds": self.seconds,
            "audits_per_second": self.audits_per_second,
        }


def _threshold(probability: float) -> int:
    """u < threshold for u uniform on 0..2^32 − 1 has probability threshold/2^32."""
    return min(round(probability * 2.0**32), 2**32)


def _bernoulli_walk(rng: np.random.Generator, trials: int, t: float, limits: IntArray) -> IntArray:
    """First m (1-based) with count ≥ limits[m − 1] for Bernoulli(t) steps; 0 if none."""
    m_cap = limits.size
    bounds = np.minimum(limits, np.iinfo(np.int32).max).astype(np.int32)
    stop = np.zeros(trials, dtype=np.int64)
    count = np.zeros(trials, dtype=np.int32)
    active = np.arange(trials)
    threshold = _threshold(t)
    start = 0
    while active.size and start < m_cap:
        width = int(min(m_cap - start, max(64, _CHUNK_ELEMENTS // active.size)))
        shape = (active.size, width)
        if threshold >= 2**32:
            steps = np.ones(shape, dtype=np.bool_)
        else:
            steps = rng.integers(0, 2**32, size=shape, dtype=np.uint32) < np.uint32(threshold)
        cum = np.cumsum(steps, axis=1, dtype=np.int32)
        cum += count[active, None]
        hit = cum >= bounds[None, start : start + width]
        crossed = hit.any(axis=1)
        stop[active[crossed]] = start + hit[crossed].argmax(axis=1) + 1
        count[active] = cum[:, -1]
        active = active[~crossed]
        start += width
    return stop


def _pair_limits(contest: AuditContest, pair: Pair, alpha: float, size: int) -> IntArray:
    """k_min(r) for r = 1..size (r + 1 where the pair cannot be confirmed)."""
    s = bravo._share(contest, pair)
    return bravo.k_min(np.arange(1, size + 1, dtype=np.int64), s, alpha=alpha)


def _categorical_walk(
    rng: np.random.Generator,
    trials: int,
    contest: AuditContest,
    probabilities: npt.NDArray[np.float64],
    alpha: float,
    max_draws: int,
) -> IntArray:
    """Ballot-by-ballot BRAVO over every pair; draws at which all pairs were confirmed."""
    choices = list(contest.tally)
    pairs = contest.pairs()
    index = {c: i for i, c in enumerate(choices)}
    limits = [_pair_limits(contest, p, alpha, max_draws) for p in pairs]
    cdf = np.cumsum(probabilities).astype(np.float32)
    counts = np.zeros((trials, len(choices)), dtype=np.int64)
    pair_stop = np.zeros((trials, len(pairs)), dtype=np.int64)
    stop = np.zeros(trials, dtype=np.int64)
    active = np.arange(trials)
    start = 0
    while active.size and start < max_draws:
        width = int(min(max_draws - start, max(64, _CHUNK_ELEMENTS // active.size)))
        u = rng.random((active.size, width), dtype=np.float32)
        drawn = np.searchsorted(cdf, u, side="right")
        cum = {
            c: np.cumsum(drawn == index[c], axis=1, dtype=np.int64) + counts[active, index[c], None]
            for c in choices
        }
        for j, pair in enumerate(pairs):
            todo = pair_stop[active, j] == 0
            if not todo.any():
                continue
            n_w, n_l = cum[pair.winner][todo], cum[pair.loser][todo]
            relevant = n_w + n_l
            table = np.concatenate(([1], limits[j]))  # k_min(0) = 1: nothing confirms at r = 0
            hit = n_w >= table[relevant]
            crossed = hit.any(axis=1)
            rows = active[todo][crossed]
            pair_stop[rows, j] = start + hit[crossed].argmax(axis=1) + 1
        for c in choices:
            counts[active, index[c]] = cum[c][:, -1]
        done = (pair_stop[active] > 0).all(axis=1)
        stop[active[done]] = pair_stop[active[done]].max(axis=1)
        active = active[~done]
        start += width
    return stop


def simulate_bravo(
    contest: AuditContest,
    *,
    alpha: float,
    trials: int,
    true_tally: Mapping[str, int] | None = None,
    max_draws: int | None = None,
    seed: int = 0,
    clock: Clock | None = None,
) -> SequentialSimulation:
    """Simulate ballot-by-ballot BRAVO audits (with replacement).

    Examples
    --------
    >>> c = AuditContest("A", {"w": 600, "l": 400}, ballots=1000)
    >>> sim = simulate_bravo(c, alpha=0.1, trials=2000, seed=1)
    >>> 0.99 < sim.confirm_rate, 100 < sim.mean_draws < 140
    (True, True)
    """
    alpha = bravo._check_alpha(alpha)
    trials = _check_trials(trials)
    votes = _law(contest, true_tally)
    cap = contest.ballots if max_draws is None else bravo._check_count("max_draws", max_draws)
    began = clock() if clock else None
    rng = np.random.default_rng(seed)
    pairs = contest.pairs()
    if contest.tied or cap == 0:
        stop = np.zeros(trials, dtype=np.int64)
    elif len(pairs) == 1:
        (pair,) = pairs
        relevant = votes[pair.winner] + votes[pair.loser]
        q = relevant / contest.ballots
        if relevant == 0:
            stop = np.zeros(trials, dtype=np.int64)
        else:
            m_cap = min(cap, math.ceil(q * cap + 12 * math.sqrt(q * cap) + 64))
            limits = _pair_limits(contest, pair, alpha, m_cap)
            m = _bernoulli_walk(rng, trials, votes[pair.winner] / relevant, limits)
            stop = m.copy()
            hit = m > 0
            if q < 1:
                stop[hit] += rng.negative_binomial(m[hit], q)
            stop[stop > cap] = 0
    else:
        probabilities = np.array([votes[c] / contest.ballots for c in contest.tally])
        stop = _categorical_walk(rng, trials, contest, probabilities, alpha, cap)
    seconds = clock() - began if clock and began is not None else None
    return SequentialSimulation(
        method=bravo.METHOD,
        contest=contest.name,
        alpha=alpha,
        tally=contest.tally,
        true_tally=bravo._frozen(votes),
        ballots=contest.ballots,
        trials=trials,
        seed=seed,
        max_draws=cap,
        replacement=True,
        draws=stop,
        seconds=seconds,
    )


# --- by rounds ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundSimulation:
    """Round-by-round audits, simulated.

    Attributes
    ----------
    method : "BRAVO" (applied at the end of each round) or "Minerva"
    contest, alpha, tally, true_tally, ballots, trials, seed : as for SequentialSimulation
    round_sizes : cumulative ballots drawn after each round
    replacement : always True
    confirmed_in_round : per round, how many audits confirmed in that round
    seconds : wall time of the run (None without a clock)
    """

    method: str
    contest: str
    alpha: float
    tally: Mapping[str, int]
    true_tally: Mapping[str, int]
    ballots: int
    trials: int
    seed: int
    round_sizes: tuple[int, ...]
    replacement: bool
    confirmed_in_round: tuple[int, ...]
    seconds: float | None

    @property
    def confirm_rate(self) -> float:
        """Fraction of audits that confirmed in some round."""
        return _rate(sum(self.confirmed_in_round), self.trials)

    @property
    def first_round_rate(self) -> float:
        """Fraction of audits that finished in the first round."""
        return _rate(self.confirmed_in_round[0], self.trials)

    @property
    def audits_per_second(self) -> float | None:
        return None if not self.seconds else self.trials / self.seconds

    def standard_error(self, rate: float) -> float:
        return math.sqrt(max(rate * (1 - rate), 0.0) / self.trials)

    def to_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "contest": self.contest,
            "alpha": self.alpha,
            "tally": dict(self.tally),
            "true_tally": dict(self.true_tally),
            "ballots": self.ballots,
            "trials": self.trials,
            "seed": self.seed,
            "round_sizes": list(self.round_sizes),
            "replacement": self.replacement,
            "confirmed_in_round": list(self.confirmed_in_round),
            "confirm_rate": self.confirm_rate,
            "first_round_rate": self.first_round_rate,
            "seconds": self.seconds,
            "audits_per_second": self.audits_per_second,
        }


def _minerva_pair_rounds(p: float, alpha: float, k: IntArray, r: IntArray) -> IntArray:
    """First round (1-based) in which Minerva stops the pair, 0 if none; rows are trials.

    Round by round, for the trials still going: k_min depends on the schedule of relevant
    counts so far, computed once per distinct schedule (vectorised while it has one round).
    """
    trials, rounds = r.shape
    out = np.zeros(trials, dtype=np.int64)
    going = np.ones(trials, dtype=np.bool_)
    previous = np.concatenate([np.zeros((trials, 1), dtype=np.int64), r[:, :-1]], axis=1)
    added = r > previous
    cache: dict[tuple[int, ...], int | None] = {}
    for j in range(rounds):
        idx = np.nonzero(going & added[:, j])[0]
        if not idx.size:
            continue
        schedules, inverse = np.unique(
            np.where(added[idx, : j + 1], r[idx, : j + 1], 0), axis=0, return_inverse=True
        )
        limits = np.full(len(schedules), np.iinfo(np.int64).max, dtype=np.int64)
        single = (schedules > 0).sum(axis=1) == 1
        if single.any():
            n1 = schedules[single].max(axis=1)
            k1 = minerva.first_round_k_min(n1, p, alpha=alpha)
            limits[single] = np.where(k1 <= n1, k1, limits[single])
        for u in np.nonzero(~single)[0]:
            kept = tuple(int(x) for x in schedules[u] if x > 0)
            if kept not in cache:
                cache[kept] = minerva.minerva_schedule(p, kept, alpha=alpha).k_min[-1]
            k_min = cache[kept]
            if k_min is not None:
                limits[u] = k_min
        hit = k[idx, j] >= limits[inverse.reshape(-1)]
        out[idx[hit]] = j + 1
        going[idx[hit]] = False
    return out


def simulate_rounds(
    contest: AuditContest,
    round_sizes: Sequence[int],
    *,
    alpha: float,
    method: str = "minerva",
    trials: int,
    true_tally: Mapping[str, int] | None = None,
    seed: int = 0,
    clock: Clock | None = None,
) -> RoundSimulation:
    """Simulate audits that draw cumulative ``round_sizes`` ballots, deciding after each round.

    ``method`` is "minerva" or "bravo" (BRAVO's test on the cumulative tally at the end of
    each round).

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> sim = simulate_rounds(c, [173], alpha=0.1, method="minerva", trials=4000, seed=2)
    >>> abs(sim.first_round_rate - 0.9) < 0.02
    True
    """
    alpha = bravo._check_alpha(alpha)
    trials = _check_trials(trials)
    votes = _law(contest, true_tally)
    sizes = minerva._check_schedule(round_sizes)
    kind = method.lower()
    if kind not in ("minerva", "bravo"):
        raise AnalysisError(f"method must be 'minerva' or 'bravo', got {method!r}")
    began = clock() if clock else None
    rng = np.random.default_rng(seed)
    choices = list(contest.tally)
    pvals = [votes[c] / contest.ballots for c in choices]
    pvals.append(max(0.0, 1.0 - sum(pvals)))
    increments = np.diff(np.array((0, *sizes)))
    counts = np.stack(
        [rng.multinomial(int(d), pvals, size=trials) for d in increments], axis=1
    ).cumsum(axis=1)  # trials × rounds × (choices + none)
    index = {c: i for i, c in enumerate(choices)}
    pair_round = []
    for pair in contest.pairs():
        k = counts[:, :, index[pair.winner]]
        r = k + counts[:, :, index[pair.loser]]
        s = bravo._share(contest, pair)
        if contest.tied:
            first = np.zeros(trials, dtype=np.int64)
        elif kind == "bravo":
            hit = k >= bravo.k_min(r, s, alpha=alpha)
            first = np.where(hit.any(axis=1), hit.argmax(axis=1) + 1, 0)
        else:
            first = _minerva_pair_rounds(s, alpha, k, r)
        pair_round.append(first)
    rounds_needed = np.stack(pair_round, axis=1)
    confirmed = (rounds_needed > 0).all(axis=1)
    final = np.where(confirmed, rounds_needed.max(axis=1), 0)
    per_round = tuple(int(np.count_nonzero(final == j + 1)) for j in range(len(sizes)))
    seconds = clock() - began if clock and began is not None else None
    return RoundSimulation(
        method=minerva.METHOD if kind == "minerva" else bravo.METHOD,
        contest=contest.name,
        alpha=alpha,
        tally=contest.tally,
        true_tally=bravo._frozen(votes),
        ballots=contest.ballots,
        trials=trials,
        seed=seed,
        round_sizes=sizes,
        replacement=True,
        confirmed_in_round=per_round,
        seconds=seconds,
    )


def first_round_probability(
    contest: AuditContest,
    n: int,
    *,
    alpha: float,
    method: str = "minerva",
    trials: int = 10_000,
    true_tally: Mapping[str, int] | None = None,
    seed: int = 0,
    clock: Clock | None = None,
) -> RoundSimulation:
    """Chance that a first round of n ballots finishes the audit (``first_round_rate``)."""
    return simulate_rounds(
        contest,
        [n],
        alpha=alpha,
        method=method,
        trials=trials,
        true_tally=true_tally,
        seed=seed,
        clock=clock,
    )
