"""PPEB batch sampling (Aslam, Popa & Rivest 2008): frequencies, tickets, rounds, refusals."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import consistent_sampler
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

from ballotproof.audit import ppeb
from ballotproof.audit.ppeb import draw_label, draw_ppeb
from ballotproof.errors import AnalysisError, InputError

SEED = "84920175630218573920"

BOUNDS: dict[str, Fraction | int] = {
    "Precinct 01": 1,
    "Precinct 02": 2,
    "Precinct 03": Fraction(5, 2),
    "Precinct 04": 3,
    "Precinct 05": Fraction(1, 3),
    "Precinct 06": 7,
    "Precinct 07": 0,
    "Precinct 08": Fraction(9, 4),
    "Precinct 09": 4,
    "Precinct 10": Fraction(1, 2),
}


def test_frequencies_match_error_bounds() -> None:
    """Chi-square goodness of fit of 20,000 draws to u_p / U (fixed seed: not flaky).

    With this seed the statistic is what it is; a correct sampler gives p-values spread
    uniformly, so the 0.001 threshold would reject a correct sampler one seed in a thousand.
    """
    n = 20_000
    sample = draw_ppeb(BOUNDS, SEED, n)
    counts = sample.counts()
    assert "Precinct 07" not in counts  # a zero bound is never drawn
    drawable = [b for b in sorted(BOUNDS) if BOUNDS[b] != 0]
    observed = [counts.get(b, 0) for b in drawable]
    expected = [float(n * sample.probability(b)) for b in drawable]
    assert sum(observed) == n
    result = chisquare(observed, expected)
    assert result.pvalue > 0.001, (result, observed, expected)


def test_tickets_are_consistent_sampler_first_fractions() -> None:
    sample = draw_ppeb(BOUNDS, SEED, 30, digits=9)
    for d in sample.draws:
        assert d.id == draw_label(d.order) == f"PPEB draw {d.order}"
        full = consistent_sampler.first_fraction(d.id, SEED)
        assert d.ticket == consistent_sampler.trim(full, 9)


def test_each_draw_is_the_inverse_cdf_of_its_ticket() -> None:
    """Recompute every draw with plain Fractions from the oracle's ticket."""
    sample = draw_ppeb(BOUNDS, SEED, 200)
    names = sorted(BOUNDS)
    total = sum((Fraction(BOUNDS[b]) for b in names), Fraction(0))
    for d in sample.draws:
        x = Fraction(consistent_sampler.first_fraction(d.id, SEED)) * total
        running = Fraction(0)
        for name in names:
            if running <= x < running + BOUNDS[name]:
                assert d.batch == name
                break
            running += BOUNDS[name]
        else:  # pragma: no cover - x < total always
            pytest.fail("no batch")


@pytest.mark.parametrize(
    ("ticket", "index"),
    [
        ("0.5", 1),  # exactly on C_1 = 1: the right-hand batch
        ("0.4999999999999999999999999999", 0),
        ("0.0", 0),
        ("0.9999999999999999999999999999", 1),
    ],
)
def test_pick_boundaries(ticket: str, index: int) -> None:
    # bounds a: 1, b: 1 → cumulative [1, 2] (Q = 1), U = 2
    assert ppeb._pick(ticket, [1, 2], 2) == index


def test_a_zero_bound_first_batch_is_skipped_even_at_zero() -> None:
    # bounds a: 0, b: 1 → cumulative [0, 1], U = 1
    assert ppeb._pick("0.0", [0, 1], 1) == 1


@given(n=st.integers(0, 30), k=st.integers(0, 30))
@settings(max_examples=25, deadline=None)
def test_a_later_round_extends_the_earlier_one(n: int, k: int) -> None:
    both = draw_ppeb(BOUNDS, SEED, n + k)
    assert draw_ppeb(BOUNDS, SEED, n).draws == both.draws[:n]
    later = draw_ppeb(BOUNDS, SEED, k, skip=n)
    assert later.draws == both.draws[n:]
    assert [d.order for d in later.draws] == list(range(n + 1, n + k + 1))


def test_generation_counts_draws_of_the_batch_including_earlier_rounds() -> None:
    both = draw_ppeb(BOUNDS, SEED, 60)
    seen: dict[str, int] = {}
    for d in both.draws:
        seen[d.batch] = seen.get(d.batch, 0) + 1
        assert d.generation == seen[d.batch]
    assert draw_ppeb(BOUNDS, SEED, 30, skip=30).draws == both.draws[30:]


def test_deterministic_and_independent_of_the_order_given() -> None:
    reordered = dict(reversed(list(BOUNDS.items())))
    assert draw_ppeb(reordered, SEED, 50) == draw_ppeb(BOUNDS, SEED, 50)
    other = draw_ppeb(BOUNDS, SEED + "1", 50)
    assert [d.batch for d in other.draws] != [d.batch for d in draw_ppeb(BOUNDS, SEED, 50).draws]


def test_sample_echoes_its_inputs() -> None:
    sample = draw_ppeb({"A": 1, "B": Fraction(1, 2)}, SEED, 2, skip=1)
    assert sample.total_bound == Fraction(3, 2)
    assert list(sample.bounds) == ["A", "B"]
    assert sample.probability("B") == Fraction(1, 3)
    data = sample.to_json()
    assert list(data) == [
        "method",
        "seed",
        "size",
        "skip",
        "digits",
        "total_bound",
        "bounds",
        "draws",
    ]
    assert data["bounds"] == {"A": "1", "B": "1/2"}
    assert data["total_bound"] == "3/2"
    assert [d["order"] for d in data["draws"]] == [2, 3]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("bounds", "kwargs", "error", "message"),
    [
        (
            {"A": 0.5},
            {},
            InputError,
            "field 'bounds': expected an int or a Fraction, got 0.5 (batch 'A')",
        ),
        ({"A": -1}, {}, InputError, "field 'bounds': expected a bound ≥ 0, got '-1' (batch 'A')"),
        ({"": 1}, {}, InputError, "field 'bounds': expected non-empty batch names, got ''"),
        (
            {"A": 0, "B": 0},
            {},
            AnalysisError,
            "PPEB: every error bound is 0, so there is nothing to sample",
        ),
        ({}, {}, AnalysisError, "PPEB: every error bound is 0, so there is nothing to sample"),
        ({"A": 1}, {"size": -1}, InputError, "field 'size': expected an integer ≥ 0, got -1"),
        (
            {"A": 1},
            {"seed": ""},
            InputError,
            "field 'seed': expected a non-empty seed, e.g. 20 dice digits, got ''",
        ),
    ],
)
def test_refusals(
    bounds: dict[str, Any], kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    args: dict[str, Any] = {"seed": SEED, "size": 1, **kwargs}
    with pytest.raises(error) as info:
        draw_ppeb(bounds, **args)
    assert str(info.value) == message
