"""The outstanding-vote model and the Electoral College distribution."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballotproof.calls.electoral import exact_pmf, odds_from_pmf, simulate_pmf
from ballotproof.calls.outstanding import Batch, estimate


def _est(lead: int, trail: int, pct: float, **kw: object) -> float:
    return estimate(
        lead,
        trail,
        lead + trail,
        leader="a",
        trailer="b",
        exact=True,
        expected_pct=pct,
        counted_at_expected=lead + trail,
        **kw,
    ).p_leader  # type: ignore[arg-type]


def test_hurdle_is_the_share_the_trailer_needs() -> None:
    e = estimate(
        60_000,
        40_000,
        100_000,
        leader="a",
        trailer="b",
        exact=True,
        expected_pct=50.0,
        counted_at_expected=100_000,
    )
    # 100,000 remain; the trailer needs (100,000 + 20,000) / 200,000 = 60% of them.
    assert e.remaining == pytest.approx(100_000)
    assert e.hurdle == pytest.approx(0.6)


def test_a_complete_count_is_decided_beyond_the_rounding_of_the_expected_vote() -> None:
    # At "100%" the true share counted may be 99.5%: up to ~500 of 100,000 votes may remain.
    assert _est(50_500, 49_500, 100.0) > 0.999
    assert 0.5 < _est(50_001, 50_000, 100.0) < 0.9


def test_a_tie_with_much_left_is_a_coin_toss() -> None:
    assert _est(5_000, 5_000, 5.0) == pytest.approx(0.5, abs=0.01)


@given(st.integers(0, 50_000), st.floats(5, 99))
def test_more_margin_never_hurts_the_leader(extra: int, pct: float) -> None:
    assert _est(100_000 + extra, 100_000, pct) >= _est(100_000, 100_000, pct) - 1e-12


def test_batches_teach_the_lean_of_the_remaining_vote() -> None:
    leaning = [Batch(30_000, 70_000)] * 5  # recent batches break 70–30 for the trailer
    neutral = [Batch(50_000, 50_000)] * 5
    assert _est(600_000, 500_000, 80.0, batches=leaning) < _est(
        600_000, 500_000, 80.0, batches=neutral
    )


def test_exact_pmf_matches_brute_force() -> None:
    electors = [3, 5, 1, 7]
    p = [0.2, 0.9, 0.5, 0.35]
    pmf = exact_pmf(electors, p)
    brute = np.zeros(sum(electors) + 1)
    for wins in itertools.product([0, 1], repeat=len(p)):
        prob = np.prod([pi if w else 1 - pi for pi, w in zip(p, wins, strict=True)])
        brute[sum(e for e, w in zip(electors, wins, strict=True) if w)] += prob
    assert np.allclose(pmf, brute)


def test_exact_agrees_with_a_large_independent_simulation() -> None:
    """ρ = 0: the simulated P(majority) must lie within sampling error of the exact one."""
    rng = np.random.default_rng(7)
    electors = [int(x) for x in rng.integers(3, 30, size=40)]
    p = [float(x) for x in rng.uniform(0.05, 0.95, size=40)]
    n = 400_000
    exact = odds_from_pmf(exact_pmf(electors, p))
    sim_pmf = simulate_pmf(electors, p, n=n, rho=0.0, seed=11)
    sim = odds_from_pmf(sim_pmf)
    se = np.sqrt(exact.p_a_majority * (1 - exact.p_a_majority) / n)
    assert abs(sim.p_a_majority - exact.p_a_majority) < 4.5 * se
    # And the whole distribution: total variation distance small for this many draws.
    assert 0.5 * np.abs(sim_pmf - exact_pmf(electors, p)).sum() < 0.02


def test_correlation_keeps_each_units_probability() -> None:
    electors = [1] * 5
    p = [0.1, 0.3, 0.5, 0.7, 0.9]
    pmf = simulate_pmf(electors, p, n=200_000, rho=0.8, seed=3)
    # Expected electors = Σ p whatever the correlation.
    assert float(np.dot(np.arange(6), pmf)) == pytest.approx(sum(p), abs=0.01)
    # but the spread grows with correlation
    ind = exact_pmf(electors, p)
    var = lambda q: float(np.dot((np.arange(6) - sum(p)) ** 2, q))  # noqa: E731
    assert var(pmf) > var(ind)


def test_batches_from_one_county_are_one_countys_evidence() -> None:
    """The same batch shares, from many counties or from one: the spread is larger from one."""
    shares = [(4_000, 6_000), (6_000, 4_000)] * 5  # ten batches fill the 100,000-vote window
    spread = [Batch(a, b, frozenset({f"county {i}"})) for i, (a, b) in enumerate(shares)]
    one = [Batch(a, b, frozenset({"Maricopa"})) for a, b in shares]
    kw = dict(leader="a", trailer="b", exact=True, expected_pct=60.0, counted_at_expected=2_000_000)
    many_sigma = estimate(1_050_000, 950_000, 2_000_000, batches=spread, **kw).sigma_p  # type: ignore[arg-type]
    one_sigma = estimate(1_050_000, 950_000, 2_000_000, batches=one, **kw).sigma_p  # type: ignore[arg-type]
    assert one_sigma > many_sigma


def test_the_correlated_headline_is_exact_at_rho_0_and_matches_a_simulation() -> None:
    from ballotproof.calls.electoral import correlated_pmf

    rng = np.random.default_rng(9)
    electors = [int(x) for x in rng.integers(3, 40, 51)]
    p = [float(x) for x in rng.uniform(0, 1, 51)]
    assert np.abs(correlated_pmf(electors, p, rho=0.0) - exact_pmf(electors, p)).max() < 1e-12
    quad = correlated_pmf(electors, p, rho=0.5)
    sim = simulate_pmf(electors, p, n=400_000, rho=0.5, seed=4)
    assert quad.sum() == pytest.approx(1.0, abs=1e-12)
    # Kolmogorov distance within Monte Carlo error (≈ 1.36/√n at 95 %: 0.0022).
    assert np.abs(np.cumsum(quad) - np.cumsum(sim)).max() < 0.003


def test_correlation_widens_the_national_distribution() -> None:
    from ballotproof.calls.electoral import majority_chances

    electors = [10] * 21
    probs = [{"a": 0.7, "b": 0.3}] * 21
    independent = majority_chances(electors, probs, ["a", "b"])
    correlated = majority_chances(electors, probs, ["a", "b"], rho=0.5)
    assert correlated.rho == 0.5
    # A favourite in every state is less sure of the whole when the states move together.
    assert correlated.p_majority["a"] < independent.p_majority["a"]
    assert correlated.p_majority["b"] > independent.p_majority["b"]
    assert correlated.expected["a"] == pytest.approx(independent.expected["a"])


@given(
    st.lists(st.integers(1, 55), min_size=1, max_size=60),
    st.data(),
)
def test_incremental_odds_equal_the_full_convolution_after_any_updates(
    electors: list[int], data: st.DataObject
) -> None:
    """Oracle: :func:`majority_chances` recomputed from scratch after every change."""
    from ballotproof.calls.electoral import IncrementalOdds, majority_chances

    prob = st.floats(0.0, 1.0)
    cands = ("a", "b", "c")

    def chances() -> dict[str, float]:
        pa = data.draw(prob)
        pb = data.draw(st.floats(0.0, 1.0 - pa))
        return {"a": pa, "b": pb, "c": max(0.0, 1.0 - pa - pb)}

    p = [chances() for _ in electors]
    inc = IncrementalOdds(electors, p, cands)
    for _ in range(data.draw(st.integers(0, 8))):
        i = data.draw(st.integers(0, len(electors) - 1))
        p[i] = chances()
        inc.set(i, p[i])
        full, fast = majority_chances(electors, p, cands), inc.odds()
        for c in cands:
            assert fast.p_majority[c] == pytest.approx(full.p_majority[c], abs=1e-12)
            assert fast.expected[c] == pytest.approx(full.expected[c], rel=1e-12, abs=1e-9)
