"""The unit-by-unit model of the vote still out (calls/units.py), on synthetic states."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballotproof.calls.units import UnitParams, UnitView, estimate_units


def _unit(name: str, a: int, b: int, expected: float | None, base: tuple[int, int]) -> UnitView:
    return UnitView(name, a, b, a + b, expected, base[0], base[1], sum(base))


def test_a_complete_count_decides() -> None:
    units = [_unit("c1", 600, 400, 1000.0, (500, 500)), _unit("c2", 300, 450, 750.0, (1, 2))]
    est = estimate_units(units)
    assert est.remaining == 0.0 and est.final_margin_mean == est.margin == 200 - 150
    assert est.final_margin_sd == 0.0 and est.p_a == 1.0


def test_with_nothing_counted_the_baseline_prior_decides() -> None:
    # A won the baseline 60-40 in both units; nothing counted yet: A is the favourite,
    # but the prior swing (5 points) leaves a real chance of an upset.
    units = [_unit("c1", 0, 0, None, (6_000, 4_000)), _unit("c2", 0, 0, None, (6_000, 4_000))]
    est = estimate_units(units)
    assert est.swing == 0.0 and est.swing_sd == pytest.approx(0.05)
    assert 0.95 < est.p_a < 1.0
    assert est.final_margin_mean == pytest.approx(4_000)


def test_the_swing_of_reported_units_is_applied_to_the_rest() -> None:
    """The red-mirage case: A trails in the count, but the units still out are A's and the
    reported ones show A doing better than the baseline: A is the favourite."""
    reported = [_unit(f"r{i}", 4_200, 5_800, 10_000.0, (4_000, 6_000)) for i in range(10)]
    out = [_unit(f"o{i}", 0, 0, None, (6_500, 3_500)) for i in range(10)]
    est = estimate_units(reported + out)
    assert est.margin < 0
    assert est.swing == pytest.approx(0.02, abs=0.002)  # 10 units at +2: the prior has faded
    assert est.p_a > 0.99


def test_the_prior_fades_as_units_report() -> None:
    def sd(n: int) -> float:
        units = [_unit(f"r{i}", 550, 450, 1000.0, (500, 500)) for i in range(n)]
        return estimate_units(units).swing_sd

    assert sd(1) < 0.05 and sd(10) < sd(1) and sd(100) < sd(10)


@given(st.integers(0, 5_000), st.floats(0.2, 0.8))
def test_more_votes_for_a_never_hurt_a(extra: int, base_share: float) -> None:
    base = (int(10_000 * base_share), 10_000 - int(10_000 * base_share))
    lo = [_unit("c1", 3_000, 3_000, 12_000.0, base), _unit("c2", 0, 0, None, base)]
    hi = [_unit("c1", 3_000 + extra, 3_000, 12_000.0 + extra, base), lo[1]]
    assert estimate_units(hi).p_a >= estimate_units(lo).p_a - 1e-12


def test_calibrated_on_synthetic_states_drawn_from_the_model() -> None:
    """States drawn from the model's own assumptions: its P(A wins) is calibrated there (a
    check of the arithmetic, not of the model against real elections)."""
    rng = np.random.default_rng(2030)
    params = UnitParams()
    predicted, won = [], []
    for _ in range(400):
        n = 30
        base_share = rng.uniform(0.35, 0.65, n)
        base_total = rng.integers(5_000, 50_000, n)
        swing = rng.normal(0.0, params.prior_swing_sd)
        final_share = np.clip(base_share + swing + rng.normal(0, params.unit_sd, n), 0, 1)
        reported = rng.random(n) < 0.4
        units, final_margin = [], 0
        for i in range(n):
            total = int(base_total[i])
            a = round(total * final_share[i])
            final_margin += 2 * a - total
            base_a = int(total * base_share[i])
            if reported[i]:
                units.append(
                    UnitView(
                        str(i), a, total - a, total, float(total), base_a, total - base_a, total
                    )
                )
            else:
                units.append(UnitView(str(i), 0, 0, 0, None, base_a, total - base_a, total))
        predicted.append(estimate_units(units, params).p_a)
        won.append(final_margin > 0)
    p = np.asarray(predicted)
    w = np.asarray(won, dtype=float)
    for lo, hi in ((0.0, 0.2), (0.2, 0.8), (0.8, 1.0)):
        mask = (p >= lo) & (p < hi) if hi < 1.0 else (p >= lo)
        if mask.sum() >= 40:
            assert abs(p[mask].mean() - w[mask].mean()) < 0.1, (lo, hi)
    assert ((p - w) ** 2).mean() < 0.15


def test_a_unit_with_neither_baseline_nor_estimate_is_flagged() -> None:
    units = [_unit("c1", 600, 400, 1000.0, (500, 500)), _unit("c2", 0, 0, None, (0, 0))]
    assert estimate_units(units).unknown_units == 1
    assert estimate_units(units[:1]).unknown_units == 0
