"""One-round pass probabilities: each simulation against an exact computation."""

from __future__ import annotations

import doctest
import itertools
import math

import numpy as np
import pytest
from scipy import stats

from ballotproof.audit import alpha as al
from ballotproof.audit import comparison_sim as sim
from ballotproof.audit import macro
from ballotproof.audit import supersimple as ss
from ballotproof.audit.contest import AuditContest
from ballotproof.audit.supersimple import DiscrepancyRates
from ballotproof.errors import AnalysisError

A = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)  # μ = 0.2


def test_doctests() -> None:
    assert doctest.testmod(sim).failed == 0


def within(estimate: sim.PassProbability, exact: float) -> bool:
    se = math.sqrt(exact * (1 - exact) / estimate.reps)
    return abs(estimate.probability - exact) <= 4 * se + 1e-12


# --------------------------------------------------------------------------- super-simple


def test_supersimple_without_errors_is_deterministic() -> None:
    none = DiscrepancyRates()
    # The exact P confirms after 23 clean draws (the conservative formula says 24).
    assert sim.supersimple_pass_probability(A, 23, alpha=0.1, rates=none).probability == 1.0
    assert sim.supersimple_pass_probability(A, 22, alpha=0.1, rates=none).probability == 0.0
    assert ss.risk(A, [0] * 23, alpha=0.1).p_value <= 0.1 < ss.risk(A, [0] * 22, alpha=0.1).p_value


def exact_supersimple(n: int, rates: DiscrepancyRates, alpha: float) -> float:
    """Σ over (o1, o2, u1, u2) of the multinomial probability × 1{P ≤ α}, P from
    :func:`ss.risk_from_counts`."""
    r = [float(rates.o1), float(rates.o2), float(rates.u1), float(rates.u2)]
    p = [*r, 1 - sum(r)]
    combos = [c for c in itertools.product(range(8), repeat=4) if sum(c) <= n]
    probs = stats.multinomial.pmf([[*c, n - sum(c)] for c in combos], n, p)
    total = float(np.sum(probs))
    passed = 0.0
    for (o1, o2, u1, u2), prob in zip(combos, probs, strict=True):
        counts = ss.Discrepancies(o1=o1, o2=o2, u1=u1, u2=u2)
        if ss.risk_from_counts(A, n, counts, alpha=alpha).p_value <= alpha:
            passed += float(prob)
    assert total > 1 - 1e-5  # the truncation (< 8 of each kind) lost nothing that matters
    return passed


@pytest.mark.parametrize(
    ("n", "rates"),
    [
        (27, ss.CUSTOMARY_RATES),
        (40, DiscrepancyRates(o1=0.02, o2=0.005, u1=0.01, u2=0.002)),
    ],
)
def test_supersimple_matches_exact(n: int, rates: DiscrepancyRates) -> None:
    exact = exact_supersimple(n, rates, 0.1)
    est = sim.supersimple_pass_probability(A, n, alpha=0.1, rates=rates, reps=20_000, seed=5)
    assert within(est, exact), (est.probability, exact)
    assert 0.0 < exact < 1.0


def test_planned_size_usually_finishes() -> None:
    """The customary plan (27 at μ = 0.2) finishes unless a one-vote overstatement appears
    without a matching understatement, or any two-vote overstatement: roughly 97 %."""
    est = sim.supersimple_pass_probability(A, 27, alpha=0.1, reps=20_000, seed=1)
    assert est.probability == pytest.approx(
        exact_supersimple(27, ss.CUSTOMARY_RATES, 0.1), abs=0.01
    )
    assert est.probability > 0.95


# --------------------------------------------------------------------------- MACRO


def exact_macro(big_u: float, n: int, taints: dict[float, float], alpha: float) -> float:
    values = list(taints)
    p = [*taints.values(), 1 - sum(taints.values())]
    passed = 0.0
    for combo in itertools.product(range(n + 1), repeat=len(values)):
        if sum(combo) > n:
            continue
        prob = float(stats.multinomial.pmf([*combo, n - sum(combo)], n, p))
        draws = [t for t, k in zip(values, combo, strict=True) for _ in range(k)]
        draws += [0.0] * (n - len(draws))
        if macro.kaplan_markov_p_value(big_u, draws) <= alpha:
            passed += prob
    return passed


@pytest.mark.parametrize(
    ("big_u", "n", "taints"),
    [(21.0, 40, {0.2: 0.1, 0.5: 0.02}), (7.5, 25, {1.0: 0.01, 0.3: 0.05})],
)
def test_macro_matches_exact(big_u: float, n: int, taints: dict[float, float]) -> None:
    exact = exact_macro(big_u, n, taints, 0.25)
    est = sim.macro_pass_probability(big_u, n, alpha=0.25, taints=taints, reps=20_000, seed=3)
    assert within(est, exact), (est.probability, exact)
    assert 0.0 < exact < 1.0


def test_macro_without_errors() -> None:
    assert sim.macro_pass_probability(21, 29, alpha=0.25).probability == 1.0
    assert sim.macro_pass_probability(21, 28, alpha=0.25).probability == 0.0
    assert sim.macro_pass_probability(0.5, 0, alpha=0.25).probability == 1.0


# --------------------------------------------------------------------------- ALPHA comparison


def test_alpha_comparison_without_errors_is_deterministic() -> None:
    v = 0.2
    u = 2 / (2 - v)
    clean = 1 / (2 - v)
    eta0 = 0.9 * u
    t = al.alpha_martingale([clean] * 200, eta0=eta0, u=u, d=100)
    first = int(np.argmax(1 / t <= 0.05)) + 1
    none = DiscrepancyRates()
    hit = sim.alpha_comparison_pass_probability(A, first, alpha=0.05, eta0=eta0, rates=none)
    miss = sim.alpha_comparison_pass_probability(A, first - 1, alpha=0.05, eta0=eta0, rates=none)
    assert (hit.probability, miss.probability) == (1.0, 0.0)


def test_alpha_comparison_matches_exact_enumeration() -> None:
    """Six draws, five error categories at large rates: all 5^6 sequences enumerated."""
    rates = DiscrepancyRates(o1=0.1, o2=0.05, u1=0.1, u2=0.05)
    v = 0.2
    u = 2 / (2 - v)
    eta0, d, alpha, n = 0.95 * u, 20.0, 0.3, 6
    values = al.overstatement_assorter([1.0, 0.5, 0.0, -0.5, -1.0], v=v).tolist()
    probs = [0.05, 0.1, 0.7, 0.1, 0.05]
    exact = 0.0
    for seq in itertools.product(range(5), repeat=n):
        t = al.alpha_martingale([values[k] for k in seq], eta0=eta0, u=u, d=d)
        if (1 / t <= alpha).any():
            exact += math.prod(probs[k] for k in seq)
    est = sim.alpha_comparison_pass_probability(
        A, n, alpha=alpha, eta0=eta0, rates=rates, d=d, reps=20_000, seed=11
    )
    assert within(est, exact), (est.probability, exact)
    assert 0.0 < exact < 1.0


# --------------------------------------------------------------------------- echo and errors


def test_echo_and_json() -> None:
    est = sim.supersimple_pass_probability(A, 27, alpha=0.1, reps=100, seed=9)
    assert (est.method, est.alpha, est.n, est.reps, est.seed) == ("super-simple", 0.1, 27, 100, 9)
    assert dict(est.rates) == {"o1": 0.001, "o2": 0.0001, "u1": 0.001, "u2": 0.0001}
    assert dict(est.parameters)["mu"] == pytest.approx(0.2)
    js = est.to_json()
    assert js["standard_error"] == est.standard_error
    assert js["rates"] == {"o1": 0.001, "o2": 0.0001, "u1": 0.001, "u2": 0.0001}
    again = sim.supersimple_pass_probability(A, 27, alpha=0.1, reps=100, seed=9)
    assert again == est  # seeded: reproducible


def test_tie_never_finishes() -> None:
    tie = AuditContest("t", {"w": 50, "l": 50}, ballots=100)
    assert sim.supersimple_pass_probability(tie, 50, alpha=0.1).probability == 0.0
    assert sim.alpha_comparison_pass_probability(tie, 50, alpha=0.1, eta0=0.9).probability == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: sim.supersimple_pass_probability(A, -1, alpha=0.1),
        lambda: sim.supersimple_pass_probability(A, 10, alpha=0.0),
        lambda: sim.supersimple_pass_probability(A, 10, alpha=0.1, reps=0),
        lambda: sim.supersimple_pass_probability(A, 10, alpha=0.1, gamma=0.9),
        lambda: sim.macro_pass_probability(21, 10, alpha=0.1, taints={1.5: 0.1}),
        lambda: sim.macro_pass_probability(21, 10, alpha=0.1, taints={0.5: 1.1}),
        lambda: sim.macro_pass_probability(0, 10, alpha=0.1),
        lambda: sim.alpha_comparison_pass_probability(A, 10, alpha=0.1, eta0=2.0),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(AnalysisError):
        call()  # type: ignore[operator]
