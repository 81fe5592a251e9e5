"""ALPHA supermartingale: reduction to BRAVO/Wald, documented examples, the estimator, an
exact oracle for the simulator, properties and (slow) validity by simulation."""

from __future__ import annotations

import doctest
import itertools
import math
from collections import Counter
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballotproof.audit import alpha as al
from ballotproof.audit import bravo
from ballotproof.audit.contest import AuditContest, Decision, Pair
from ballotproof.errors import AnalysisError

INF = math.inf


def test_doctests() -> None:
    assert doctest.testmod(al).failed == 0


# --------------------------------------------------------------------------- BRAVO / Wald


def bravo_by_hand(ballots: str, s_w: float) -> list[float]:
    """BRAVO's test statistic after each ballot: ×2s_w for a winner vote ('w'), ×2(1 − s_w)
    for a loser vote ('l'), unchanged otherwise (Lindeman, Stark & Yates 2012)."""
    t, out = 1.0, []
    for b in ballots:
        t *= {"w": 2 * s_w, "l": 2 * (1 - s_w), "o": 1.0}[b]
        out.append(t)
    return out


@pytest.mark.parametrize("s_w", [0.52, 0.6, 0.75])
def test_fixed_eta_with_replacement_is_bravo(s_w: float) -> None:
    ballots = "wwlowwwlwowwlwwwowlw"
    x = al.polling_assorter(
        [1 if b == "w" else 0 for b in ballots], [1 if b == "l" else 0 for b in ballots]
    )
    t = al.alpha_martingale(x, eta0=s_w, d=INF, epsilon=0)
    np.testing.assert_allclose(t, bravo_by_hand(ballots, s_w), rtol=1e-12)


def test_bravo_number_by_hand() -> None:
    """s_w = 0.6: ten winner votes, four loser votes, three others (in that order):
    T = 1.2^10 · 0.8^4 = 6.1917364224 · 0.4096 = 2.53613523861504; max T = 1.2^10."""
    x = [1.0] * 10 + [0.0] * 4 + [0.5] * 3
    t = al.alpha_martingale(x, eta0=0.6, d=INF, epsilon=0)
    assert t[-1] == pytest.approx(2.53613523861504, rel=1e-12)
    r = al.risk(x, alpha=0.1, eta0=0.6, d=INF, epsilon=0)
    assert math.isclose(r.T, 6.1917364224, rel_tol=1e-12)
    assert r.p_value == pytest.approx(1 / 6.1917364224, rel=1e-12)
    assert r.decision is Decision.NEXT_ROUND  # BRAVO stops at T ≥ 1/α = 10


def test_fixed_eta_is_walds_linear_likelihood_ratio() -> None:
    """For x in [0, 1], u = 1, fixed η: factor = x·η/μ + (1 − x)(1 − η)/(1 − μ)."""
    x = np.array([0.2, 0.9, 0.5, 1.0, 0.0, 0.7])
    eta, mu = 0.65, 0.5
    by_hand = np.cumprod(x * eta / mu + (1 - x) * (1 - eta) / (1 - mu))
    np.testing.assert_allclose(
        al.alpha_martingale(x, eta0=eta, d=INF, epsilon=0), by_hand, rtol=1e-12
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # SHANGRLA tests/core/test_NonnegMean.py::test_sample_size comments:
        # "((.75/.5)*1+(.25/.5)*0)**8 = 25 > 1/alpha, so sam_size=8";
        # "((.75/.5)*.75+(.25/.5)*.25)**14 = 22.7 > 1/alpha, so sam_size=14".
        (1.0, 8),
        (0.75, 14),
    ],
)
def test_shangrla_documented_sample_sizes(value: float, expected: int) -> None:
    r = al.sample_size(
        [value], [1000], alpha=0.05, eta0=0.75, d=INF, epsilon=0, replacement=True, reps=20
    )
    assert (r.n, r.stopped_fraction, r.decision) == (expected, 1.0, Decision.NEXT_ROUND)
    assert al.risk([value] * expected, alpha=0.05, eta0=0.75, d=INF, epsilon=0).decision is (
        Decision.CONFIRM
    )
    assert al.risk([value] * (expected - 1), alpha=0.05, eta0=0.75, d=INF, epsilon=0).decision is (
        Decision.NEXT_ROUND
    )


@pytest.mark.parametrize(
    ("margin", "asn"),
    # BRAVO average sample numbers (Lindeman, Stark & Yates 2012, Table 1, α = 10 %), as
    # reproduced by rlacalc.py findAsn() doctests.  Wald's ASN approximation ignores the
    # overshoot, so the simulated mean of the exact test is compared to within 6 %.
    [(0.2, 119), (0.04, 2902)],
)
def test_bravo_average_sample_number(margin: float, asn: int) -> None:
    s_w = (1 + margin) / 2
    times = al.stopping_times(
        [0.0, 1.0],
        [1 - s_w, s_w],
        alpha=0.1,
        eta0=s_w,
        replacement=True,
        d=INF,
        epsilon=0,
        max_draws=50 * asn,
        reps=2000,
        rng=np.random.default_rng(12),
    )
    assert (times > 0).all()
    assert times.mean() == pytest.approx(asn, rel=0.06)


# --------------------------------------------------------------------------- SHANGRLA cases


def test_shangrla_alpha_mart_cases() -> None:
    # All values equal the null mean: T stays 1, p = 1.
    r = al.risk([0.5] * 5, alpha=0.05, eta0=0.75, N=10**6)
    assert (r.T, r.p_value) == (1.0, 1.0)
    # Without replacement, N = 7, μ = 3/7: the last draw pushes the total past Nμ = 3.
    s1 = [1, 0, 1, 1, 0, 0, 1]
    s2 = [1, 0, 1, 1, 0, 0, 0]
    t1 = al.alpha_martingale(s1, eta0=0.6, N=7, mu=3 / 7)
    t2 = al.alpha_martingale(s2, eta0=0.6, N=7, mu=3 / 7)
    np.testing.assert_array_equal(t1[:-1], t2[:-1])
    assert t1[-1] == INF
    assert t2[-1] == t2[-2]  # μ_7 = 0 and the draw is 0: nothing learned
    assert al.risk(s1, alpha=0.05, eta0=0.6, N=7, mu=3 / 7).decision is Decision.CONFIRM
    assert al.risk(s2, alpha=0.05, eta0=0.6, N=7, mu=3 / 7).decision is Decision.FULL_HAND_COUNT


def test_a_tie_does_not_round_into_a_rejection() -> None:
    """950 cards of 1/1.9 and 50 of 0 have mean exactly 1/2, but the float sum of all 1000
    exceeds 500 by rounding; drawing every card must not make the null 'impossible'."""
    clean = 1 / 1.9
    x = [clean] * 950 + [0.0] * 50
    assert math.fsum(x) == 500.0 and sum(x) != 500.0
    for order in (x, x[::-1], x[::7] + x[1::7] + x[2::7] + x[3::7] + x[4::7] + x[5::7] + x[6::7]):
        t = al.alpha_martingale(order, eta0=0.99 * 2 / 1.9, u=2 / 1.9, N=1000, d=1000)
        assert np.isfinite(t).all()


def test_null_certain_stops_the_test() -> None:
    # N = 4, μ = 1/2, u = 1: after two zeros μ_3 = 1 = u (both remaining cards would have to
    # be 1: T unchanged); after three, μ_4 = 2 > u: the null is certain and T = 0.
    t = al.alpha_martingale([0, 0, 0, 1], eta0=0.6, N=4)
    assert t[2] == t[1] > 0
    assert t[3] == 0.0


def test_shrinkage_estimator_matches_the_formula() -> None:
    """Recover η_j from binary draws (factor 2η_j for 1, 2(1 − η_j) for 0 when μ_j = 1/2)
    and compare with η_j = min(max((dη0 + S_{j−1})/(d + j − 1), μ + ε/√(d + j − 1)), u)."""
    x = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], dtype=float)
    eta0, d = 0.55, 10.0
    eps = (eta0 - 0.5) / 2
    t = al.alpha_martingale(x, eta0=eta0, d=d)
    factors = t / np.concatenate(([1.0], t[:-1]))
    recovered = np.where(x == 1, factors / 2, 1 - factors / 2)
    s_prev = np.concatenate(([0.0], np.cumsum(x)[:-1]))
    j = np.arange(1, len(x) + 1)
    expected = np.minimum(
        np.maximum((d * eta0 + s_prev) / (d + j - 1), 0.5 + eps / np.sqrt(d + j - 1)), 1.0
    )
    np.testing.assert_allclose(recovered, expected, rtol=1e-12)
    assert (recovered[:5] > 0.5).all()  # truncation keeps η_j above μ after early zeros


def test_without_replacement_mu_j() -> None:
    """μ_j = (Nμ − S_{j−1})/(N − j + 1) enters each factor (fixed η, u = 1)."""
    x = np.array([1.0, 0.0, 0.5, 1.0])
    n_pop, mu, eta = 10, 0.5, 0.7
    s_prev = np.concatenate(([0.0], np.cumsum(x)[:-1]))
    mu_j = (n_pop * mu - s_prev) / (n_pop - np.arange(1, 5) + 1)
    eta_j = np.maximum(eta, mu_j)
    by_hand = np.cumprod(x * (eta_j - mu_j) / (mu_j * (1 - mu_j)) + (1 - eta_j) / (1 - mu_j))
    got = al.alpha_martingale(x, eta0=eta, N=n_pop, d=INF, epsilon=0)
    np.testing.assert_allclose(got, by_hand, rtol=1e-12)


# --------------------------------------------------------------------------- assorters


def test_assorters() -> None:
    c = AuditContest("c", {"w": 550, "l": 450}, ballots=1000)
    pair = Pair("w", "l")
    assert al.assorter_margin(c, pair) == pytest.approx(0.1)
    assert al.comparison_upper_bound(0.1) == pytest.approx(2 / 1.9)
    values, counts = al.comparison_population(c, pair, o1=3, o2=2, u1=1)
    np.testing.assert_allclose(values, [0.0, 0.5 / 1.9, 1 / 1.9, 1.5 / 1.9, 2 / 1.9])
    assert counts == (2, 3, 994, 1, 0)
    # The mean of B exceeds 1/2 iff the true margin (v − mean overstatement) is positive.
    true_margin = 0.1 - (2 * 2 + 3 * 1 - 1) / 1000
    mean_b = float(np.dot(values, counts)) / 1000
    assert mean_b == pytest.approx((1 - (2 * 2 + 3 - 1) / 2000) / 1.9)
    assert (mean_b > 0.5) == (true_margin > 0)
    assert al.polling_population(c, pair) == ((0.0, 0.5, 1.0), (450, 0, 550))
    np.testing.assert_allclose(
        al.comparison_assorter([1, 1, 0, 0], [0, 0, 0, 1], [1, 0, 1, 1], [0, 0, 0, 0], v=0.1),
        [1 / 1.9, 0.5 / 1.9, 1.5 / 1.9, 2 / 1.9],
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: al.polling_assorter([2], [0]),
        lambda: al.overstatement_assorter([1.5], v=0.1),
        lambda: al.overstatement_assorter([0.0], v=0.0),
        lambda: al.alpha_martingale([1.2], eta0=0.6),
        lambda: al.alpha_martingale([0.5], eta0=0.5),
        lambda: al.alpha_martingale([0.5], eta0=0.6, d=0),
        lambda: al.alpha_martingale([0.5], eta0=0.6, epsilon=-1),
        lambda: al.alpha_martingale([0.5, 0.5], eta0=0.6, N=1),
        lambda: al.alpha_martingale([0.5], eta0=0.6, mu=1.0),
        lambda: al.risk([0.5], alpha=0.0, eta0=0.6),
        lambda: al.sample_size([1.0], [10], alpha=0.1, eta0=0.6, stop_probability=0),
        lambda: al.stopping_times(
            [1.0], [0.5], alpha=0.1, eta0=0.6, replacement=False, rng=np.random.default_rng()
        ),
        lambda: al.stopping_times(
            [1.0], [1.0], alpha=0.1, eta0=0.6, replacement=True, rng=np.random.default_rng()
        ),
        lambda: al.polling_population(
            AuditContest("c", {"a": 5, "b": 4, "c": 1}, ballots=10, winners=2), Pair("a", "c")
        ),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(AnalysisError):
        call()  # type: ignore[operator]


def test_result_echo() -> None:
    r = al.risk([1.0] * 3, alpha=0.1, eta0=0.7, u=1.0, N=100, d=50)
    assert (r.method, r.alpha, r.mu, r.u, r.N, r.eta0, r.d, r.n) == (
        "ALPHA",
        0.1,
        0.5,
        1.0,
        100,
        0.7,
        50,
        3,
    )
    assert r.epsilon == pytest.approx(0.1)
    js = r.to_json()
    assert js["decision"] == "next_round"
    s = al.sample_size([0.0, 1.0], [40, 60], alpha=0.1, eta0=0.6, reps=50, seed=3)
    assert (s.N, s.population, s.seed, s.reps) == (100, ((0.0, 40), (1.0, 60)), 3, 50)
    assert s.to_json()["population"] == [[0.0, 40], [1.0, 60]]


def test_sample_size_full_count_when_it_cannot_stop() -> None:
    # The loser is ahead: the audit (rarely, and at most α of the time) stops short of N.
    s = al.sample_size([0.0, 1.0], [55, 45], alpha=0.1, eta0=0.6, reps=200, seed=1)
    assert (s.n, s.decision) == (100, Decision.FULL_HAND_COUNT)
    assert s.stopped_fraction < 0.1


# --------------------------------------------------------------------------- simulator oracle


def test_simulator_matches_exact_enumeration_without_replacement() -> None:
    """N = 6 cards (1, 1, 1, 1, 0, ½): every ordering is equally likely; the exact law of the
    stopping time (computed with alpha_martingale) matches the vectorised simulator."""
    population = [1.0, 1.0, 1.0, 1.0, 0.0, 0.5]
    alpha, eta0, d = 0.25, 0.7, 5.0
    exact: Counter[int] = Counter()
    orders = list(itertools.permutations(population))
    for order in orders:
        t = al.alpha_martingale(order, eta0=eta0, N=6, d=d)
        hits = np.nonzero(1.0 / t <= alpha)[0]
        exact[int(hits[0]) + 1 if len(hits) else 0] += 1
    reps = 40_000
    times = al.stopping_times(
        [0.0, 0.5, 1.0],
        [1, 1, 4],
        alpha=alpha,
        eta0=eta0,
        replacement=False,
        d=d,
        reps=reps,
        rng=np.random.default_rng(7),
    )
    simulated = Counter(times.tolist())
    assert set(simulated) <= set(exact)
    for k, count in exact.items():
        p = count / len(orders)
        assert simulated[k] / reps == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / reps))


def test_simulator_matches_exact_enumeration_with_replacement() -> None:
    """Draws from {0, ½, 1} with probabilities (.2, .3, .5), 5 draws: exact enumeration of the
    3^5 sequences against the simulator."""
    probs = {0.0: 0.2, 0.5: 0.3, 1.0: 0.5}
    alpha, eta0, d = 0.3, 0.65, 20.0
    exact: dict[int, float] = {}
    for seq in itertools.product(probs, repeat=5):
        t = al.alpha_martingale(seq, eta0=eta0, d=d)
        hits = np.nonzero(1.0 / t <= alpha)[0]
        k = int(hits[0]) + 1 if len(hits) else 0
        exact[k] = exact.get(k, 0.0) + math.prod(probs[v] for v in seq)
    reps = 40_000
    times = al.stopping_times(
        list(probs),
        list(probs.values()),
        alpha=alpha,
        eta0=eta0,
        replacement=True,
        d=d,
        max_draws=5,
        reps=reps,
        rng=np.random.default_rng(8),
    )
    simulated = Counter(times.tolist())
    for k, p in exact.items():
        assert simulated[k] / reps == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / reps) + 1e-9)


# --------------------------------------------------------------------------- properties

draws_st = st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(draws_st, st.floats(0.51, 1.0), st.sampled_from([1.0, 10.0, 100.0, INF]), st.booleans())
def test_p_value_in_unit_interval(x: list[float], eta0: float, d: float, wor: bool) -> None:
    n_pop = 40 if wor else None
    r = al.risk(x, alpha=0.1, eta0=eta0, d=d, N=n_pop)
    assert 0.0 <= r.p_value <= 1.0
    assert (r.decision is Decision.CONFIRM) == (r.p_value <= 0.1)


@settings(max_examples=200, deadline=None)
@given(draws_st, st.floats(0.51, 0.99), st.integers(0, 39))
def test_fixed_eta_p_value_monotone_in_draws(x: list[float], eta0: float, i: int) -> None:
    """With a fixed η > μ each factor increases with the draw, so raising a draw lowers p."""
    k = i % len(x)
    higher = list(x)
    higher[k] = min(1.0, higher[k] + 0.25)
    p = al.risk(x, alpha=0.1, eta0=eta0, d=INF, epsilon=0).p_value
    assert al.risk(higher, alpha=0.1, eta0=eta0, d=INF, epsilon=0).p_value <= p * (1 + 1e-12)


@settings(max_examples=50, deadline=None)
@given(st.floats(0.52, 0.95), st.floats(0.52, 0.95), st.floats(0.01, 0.3), st.floats(0.01, 0.3))
def test_sample_size_monotone_in_margin_and_alpha(
    c1: float, c2: float, a1: float, a2: float
) -> None:
    """Constant populations (deterministic): a larger mean or a larger α never needs more."""
    lo, hi = sorted((c1, c2))
    small, large = sorted((a1, a2))

    def n(c: float, a: float) -> int:
        return al.sample_size(
            [c], [5000], alpha=a, eta0=0.9, d=100, replacement=True, reps=2, seed=0
        ).n

    assert n(hi, small) <= n(lo, small)
    assert n(lo, large) <= n(lo, small)


# --------------------------------------------------------------------------- validity (slow)


class Case(NamedTuple):
    values: tuple[float, ...]
    counts: tuple[int, ...]
    eta0: float
    u: float
    d: float
    replacement: bool


def _validity_case(name: str) -> Case:
    """True populations in which the reported winner did not win (assorter mean ≤ 1/2)."""
    reported = AuditContest("r", {"w": 550, "l": 450}, ballots=1000)
    pair = Pair("w", "l")
    v = al.assorter_margin(reported, pair)
    u_b = al.comparison_upper_bound(v)
    clean = 1 / (2 - float(v))
    if name == "polling, tie, without replacement":
        return Case((0.0, 0.5, 1.0), (450, 100, 450), 0.55, 1.0, 100.0, False)
    if name == "polling, loser ahead, with replacement (BRAVO)":
        return Case((0.0, 0.5, 1.0), (460, 100, 440), 0.55, 1.0, INF, True)
    # Comparison: bet hard on error-free CVRs (η0 near u, heavily anchored) — the setting in
    # which a wrong outcome is most often confirmed, so these checks are tight.
    if name == "comparison, tie by two-vote overstatements, without replacement":
        values, counts = al.comparison_population(reported, pair, o2=50)
        return Case(values, counts, 0.99 * u_b, u_b, 1000.0, False)
    if name == "comparison, tie by one-vote overstatements, with replacement":
        values, counts = al.comparison_population(reported, pair, o1=100)
        return Case(values, counts, 0.99 * u_b, u_b, 1000.0, True)
    if name == "comparison, tie by mixed errors, without replacement, moderate bet":
        values, counts = al.comparison_population(reported, pair, o1=40, o2=30, u1=0)
        return Case(values, counts, (clean + u_b) / 2, u_b, 100.0, False)
    raise KeyError(name)


VALIDITY = [
    "polling, tie, without replacement",
    "polling, loser ahead, with replacement (BRAVO)",
    "comparison, tie by two-vote overstatements, without replacement",
    "comparison, tie by one-vote overstatements, with replacement",
    "comparison, tie by mixed errors, without replacement, moderate bet",
]


def false_confirmation_rate(case: Case, *, alpha: float, trials: int, seed: int) -> float:
    n_pop = sum(case.counts)
    weights = [c / n_pop if case.replacement else float(c) for c in case.counts]
    times = al.stopping_times(
        case.values,
        weights,
        alpha=alpha,
        eta0=case.eta0,
        replacement=case.replacement,
        u=case.u,
        d=case.d,
        max_draws=n_pop,
        reps=trials,
        rng=np.random.default_rng(seed),
    )
    return float(np.mean(times > 0))


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.10])
@pytest.mark.parametrize("name", VALIDITY)
def test_validity_wrong_outcomes_confirmed_at_most_alpha(name: str, alpha: float) -> None:
    case = _validity_case(name)
    assert float(np.dot(case.values, case.counts)) / sum(case.counts) <= 0.5 + 1e-12
    trials = 40_000
    rate = false_confirmation_rate(case, alpha=alpha, trials=trials, seed=2023)
    assert rate <= alpha + 3.1 * math.sqrt(alpha * (1 - alpha) / trials), (name, rate)


# --------------------------------------------------------------------------- planning, exact

# ALPHA ballot-comparison sizes when every CVR is right, from SHANGRLA itself
# (pbstark/SHANGRLA at 9d5db92, shangrla/core, run in a separate virtualenv): for each contest
# a PLURALITY, CARD_COMPARISON Contest with test=NonnegMean.alpha_mart and
# estim=NonnegMean.optimal_comparison (the setting of SHANGRLA's example notebooks,
# test_kwargs {} so error_rate_2 = 1e-5), use_style False, cards = N;
# Assertion.make_all_assertions; per assertion find_margin_from_tally(), test.u set to
# 2/(2 − margin/assorter.upper_bound) as Assertion.set_margin_from_cvrs sets it, then
# Assertion.find_sample_size(data=None, rate_1=0, rate_2=0, reps=None).  Values per assertion.
SHANGRLA_COMPARISON = [
    # (tally, N, winners, alpha, {assertion: size})
    ({"Biden": 2474248, "Trump": 2461468}, 5023513, 1, 0.1, {"Biden>Trump": 1824}),
    ({"A": 2525000, "B": 2475000}, 5000000, 1, 0.1, {"A>B": 461}),
    ({"A": 60000, "B": 40000}, 100000, 1, 0.1, {"A>B": 22}),
    ({"A": 600, "B": 400}, 1000, 1, 0.1, {"A>B": 22}),
    ({"A": 10000, "B": 9000, "C": 200}, 20000, 1, 0.1, {"A>B": 91, "A>C": 9}),
    ({"A": 400, "B": 300, "C": 200, "D": 100}, 1000, 2, 0.1,
     {"A>D": 15, "A>C": 22, "B>D": 22, "B>C": 44}),
    ({"Biden": 2474248, "Trump": 2461468}, 5023513, 1, 0.05, {"Biden>Trump": 2372}),
    ({"A": 2525000, "B": 2475000}, 5000000, 1, 0.05, {"A>B": 599}),
    ({"A": 60000, "B": 40000}, 100000, 1, 0.05, {"A>B": 29}),
    ({"A": 600, "B": 400}, 1000, 1, 0.05, {"A>B": 29}),
    ({"A": 10000, "B": 9000, "C": 200}, 20000, 1, 0.05, {"A>B": 119, "A>C": 11}),
    ({"A": 400, "B": 300, "C": 200, "D": 100}, 1000, 2, 0.05,
     {"A>D": 19, "A>C": 29, "B>D": 29, "B>C": 57}),
]  # fmt: skip


@pytest.mark.parametrize(("tally", "n", "winners", "alpha", "sizes"), SHANGRLA_COMPARISON)
def test_comparison_sizes_are_shangrlas(
    tally: dict[str, int], n: int, winners: int, alpha: float, sizes: dict[str, int]
) -> None:
    r = al.comparison_sample_size(AuditContest("c", tally, n, winners), alpha=alpha)
    assert {str(p.pair): p.n for p in r.pairs} == sizes
    assert r.n == max(sizes.values())
    assert (r.replacement, r.error_rate_2, r.decision) == (False, 1e-5, Decision.NEXT_ROUND)


def test_comparison_size_is_where_the_risk_function_first_confirms() -> None:
    # Georgia 2020: 1,824 error-free draws (without replacement) confirm; 1,823 do not.
    c = AuditContest("GA", {"Biden": 2474248, "Trump": 2461468}, 5023513)
    r = al.comparison_sample_size(c, alpha=0.1)
    (p,) = r.pairs
    assert (p.u, p.clean) == (pytest.approx(2 / (2 - 12780 / 5023513)), 1 / (2 - 12780 / 5023513))
    assert p.eta is not None
    for n, decision in ((r.n, Decision.CONFIRM), (r.n - 1, Decision.NEXT_ROUND)):
        risk = al.risk([p.clean] * n, alpha=0.1, eta0=p.eta, u=p.u, N=c.ballots, d=INF, epsilon=0)
        assert risk.decision is decision


def test_comparison_size_in_pieces_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """T_n is computed a piece at a time (memory), with the very sums and products of
    alpha_martingale: pieces of 7 draws give the same sizes as one piece."""
    cases = [(tally, n, w, a) for tally, n, w, a, _ in SHANGRLA_COMPARISON if n <= 100_000]
    whole = [
        al.comparison_sample_size(AuditContest("c", t, n, w), alpha=a).n for t, n, w, a in cases
    ]
    monkeypatch.setattr(al, "_PIECE", 7)
    pieces = [
        al.comparison_sample_size(AuditContest("c", t, n, w), alpha=a).n for t, n, w, a in cases
    ]
    assert pieces == whole
    # a margin so small that drawing without replacement matters: 108,747 draws, where the
    # closed form with replacement says 115,127
    c = AuditContest("c", {"a": 500_030, "b": 499_970}, 1_000_000)
    r = al.comparison_sample_size(c, alpha=0.1)
    assert r.n == 108_747
    (p,) = r.pairs
    assert p.eta is not None
    t = al.alpha_martingale([p.clean] * r.n, eta0=p.eta, u=p.u, N=c.ballots, d=INF, epsilon=0)
    assert 1 / t[-1] <= 0.1 < 1 / t[-2]


def test_the_old_planners_bet_learned_the_clean_mean_away() -> None:
    """Defect 10: η0 = 0.9u shrunk with d = 100 towards the sample mean, which for error-free
    CVRs is 1/(2 − v), a hair above 1/2; the bet all but vanished and a 1 % margin needed
    thousands of draws (13,443 at 90 % for 5M ballots) where a fixed bet near u needs 461."""
    v = 0.01
    u = al.comparison_upper_bound(v)
    clean = [1 / (2 - v)] * 5000
    learned = al.alpha_martingale(clean, eta0=0.9 * u, u=u, N=5_000_000, d=100)
    fixed = al.alpha_martingale(
        clean, eta0=al.optimal_comparison_eta(u), u=u, N=5_000_000, d=INF, epsilon=0
    )
    assert learned[-1] < 10 < fixed[460]
    assert int(np.argmax(fixed >= 10)) + 1 == 461


def test_optimal_comparison_eta_maximises_the_expected_log_growth() -> None:
    """[SHANGRLA optimal_comparison] The Kelly bet for clean cards (B = u/2) and two-vote
    overstatements (B = 0) at rate p2, found by brute force over the bet."""
    for v, p2 in ((0.2, 1e-5), (0.01, 1e-4), (0.0025, 1e-5), (0.5, 0.01)):
        u = al.comparison_upper_bound(v)
        lam = np.linspace(0.0, 2.0, 2_000_001)[:-1]
        growth = (1 - p2) * np.log1p(lam * (u / 2 - 0.5)) + p2 * np.log1p(-lam / 2)
        best = lam[np.argmax(growth)]
        eta = al.optimal_comparison_eta(u, p2)
        assert eta == pytest.approx(0.5 + best * (u - 0.5) / 2, abs=1e-6)
    with pytest.raises(AnalysisError):
        al.optimal_comparison_eta(1.0)
    with pytest.raises(AnalysisError):
        al.optimal_comparison_eta(1.1, 1.0)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.001, 0.6), st.sampled_from([0.01, 0.05, 0.1, 0.2]))
def test_error_free_comparison_needs_no_more_than_supersimple(margin: float, alpha: float) -> None:
    """With no errors ALPHA-comparison needs about as few ballots as super-simple: for
    diluted margins from 0.1 %, never more (its bet λ ≈ 2 against super-simple's 1/γ, per
    unit of margin), and only a few per cent fewer at small margins."""
    from ballotproof.audit import supersimple as ss

    big_n = 1_000_000
    w = round(big_n * (1 + margin) / 2)
    c = AuditContest("c", {"w": w, "l": big_n - w}, big_n)
    if c.tied:
        return
    n_alpha = al.comparison_sample_size(c, alpha=alpha).n
    n_ss = ss.sample_size(c, alpha=alpha).n
    assert n_alpha <= n_ss
    if margin <= 0.1:  # ≈ γ·(2 − v)/λ more for super-simple: a few per cent at small margins
        assert n_ss <= 1.1 * n_alpha + 2


def test_comparison_ties_and_margins_too_small_for_any_bet() -> None:
    tie = al.comparison_sample_size(AuditContest("t", {"a": 5, "b": 5}, 10), alpha=0.1)
    assert (tie.n, tie.pair, tie.decision) == (10, None, Decision.FULL_HAND_COUNT)
    # v = 1e-5 < 2 p2: the Kelly bet for 2-vote overstatements at 1e-5 is not positive
    tiny = al.comparison_sample_size(
        AuditContest("x", {"a": 500_005, "b": 499_995}, 1_000_000), alpha=0.1
    )
    assert (tiny.n, tiny.pairs[0].eta, tiny.decision) == (
        1_000_000,
        None,
        Decision.FULL_HAND_COUNT,
    )
    assert tiny.to_json()["pair"] == "a>b"


def _first_round_p(eta0: float, s: float, r: np.ndarray, alpha: float) -> np.ndarray:  # type: ignore[type-arg]
    """Pr{the fixed-η ALPHA statistic reaches 1/α at the end of a round of r ballots for w or
    ℓ}: the count for w is Binomial(r, s) and T = (2η0)^k (2 − 2η0)^(r − k)."""
    from scipy import stats

    k = bravo.k_min(r, eta0, alpha=alpha)
    return np.where(k <= r, stats.binom.sf(k - 1, r, s), 0.0)


def test_polling_sizes_are_bravos_when_every_ballot_is_for_w_or_l() -> None:
    # η0 = (1 + (v_w − v_ℓ)/N)/2 = s_wℓ when N = v_w + v_ℓ: the ALPHA test is BRAVO's.
    for tally, n in (({"w": 600, "l": 400}, 1000), ({"a": 2525000, "b": 2475000}, 5000000)):
        c = AuditContest("c", tally, n)
        a = al.polling_sample_sizes(c, alpha=0.1)
        b = bravo.bravo_sample_sizes(c, alpha=0.1)
        assert [s.n for s in a.sizes] == [s.n for s in b.sizes]
        assert a.asn == b.asn


@pytest.mark.parametrize(
    ("tally", "n", "winners"),
    [
        ({"a": 600, "b": 300, "c": 100}, 1200, 1),
        ({"a": 10000, "b": 9000, "c": 200}, 20000, 1),
        ({"A": 400, "B": 300, "C": 200, "D": 100}, 1000, 2),
    ],
)
def test_polling_sizes_are_the_smallest_exact_first_rounds(
    tally: dict[str, int], n: int, winners: int
) -> None:
    c = AuditContest("c", tally, n, winners)
    plan = al.polling_sample_sizes(c, alpha=0.1)
    for size in plan.sizes:
        assert size.pair is not None and size.r is not None
        pair = next(p for p in plan.pairs if p.pair == size.pair)
        r = np.arange(1, size.r + 1)
        p = _first_round_p(pair.eta0, pair.s_wl, r, 0.1)
        assert p[-1] >= size.probability > p[:-1].max()
        q = (c.tally[pair.pair.winner] + c.tally[pair.pair.loser]) / n
        assert size.n == math.ceil(size.r / q)
        # and no other pair needs more ballots
        for other in plan.pairs:
            q_other = (c.tally[other.pair.winner] + c.tally[other.pair.loser]) / n
            r_all = np.arange(1, math.floor(n * q_other) + 1)
            p_all = _first_round_p(other.eta0, other.s_wl, r_all, 0.1)
            first = int(r_all[np.argmax(p_all >= size.probability)])
            assert math.ceil(first / q_other) <= size.n
    # the test the sizes are for: T = (2η0)^k (2 − 2η0)^(r − k) from ALPHA's own martingale
    pair = plan.pairs[0]
    k = int(bravo.k_min(500, pair.eta0, alpha=0.1))
    x = [1.0] * k + [0.0] * (500 - k)
    t = al.alpha_martingale(x, eta0=pair.eta0, d=INF, epsilon=0)
    assert t[-1] == pytest.approx((2 * pair.eta0) ** k * (2 - 2 * pair.eta0) ** (500 - k))


def test_polling_plan_of_georgia_and_a_tie() -> None:
    c = AuditContest("GA", {"Biden": 2474248, "Trump": 2461468}, 5023513)
    plan = al.polling_sample_sizes(c, alpha=0.1)
    assert plan.pairs[0].eta0 == pytest.approx((1 + 12780 / 5023513) / 2)
    assert [s.n for s in plan.sizes] == [1124690, 1483960, 2131965]
    assert (plan.replacement, plan.d, plan.decision) == (True, INF, Decision.NEXT_ROUND)
    assert plan.to_json()["d"] is None  # inf is not JSON
    tie = al.polling_sample_sizes(AuditContest("t", {"a": 5, "b": 5}, 10), alpha=0.1)
    assert tie.decision is Decision.FULL_HAND_COUNT and tie.asn is None
    assert all(s.n == 10 for s in tie.sizes)


@pytest.mark.slow
def test_polling_sizes_stop_sequential_alpha_at_least_that_often() -> None:
    """Checking after every ballot (ALPHA's P-value is the running minimum) stops at least as
    often as checking at the end of the round: simulate the fixed-η test with replacement."""
    c = AuditContest("c", {"a": 600, "b": 300, "c": 100}, 1200)
    plan = al.polling_sample_sizes(c, alpha=0.1)
    (pair,) = (p for p in plan.pairs if p.pair == plan.sizes[-1].pair)
    va, vb = c.tally[pair.pair.winner], c.tally[pair.pair.loser]
    weights = [vb / 1200, 1 - (va + vb) / 1200, va / 1200]
    reps = 20_000
    for size in plan.sizes:
        times = al.stopping_times(
            [0.0, 0.5, 1.0],
            weights,
            alpha=0.1,
            eta0=pair.eta0,
            replacement=True,
            d=INF,
            epsilon=0,
            max_draws=size.n,
            reps=reps,
            rng=np.random.default_rng(5),
        )
        stopped = float(np.mean(times > 0))
        assert stopped >= size.probability - 3 * math.sqrt(0.25 / reps)
