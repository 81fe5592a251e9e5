"""The vote still out, unit by unit: a historical baseline, a swing learnt as units report, and a
prior that fades.

Designs this follows, as their authors have described them publicly (no code of theirs is used):

* **AP expected vote** — the Associated Press's running estimate of the total vote of a race,
  published as "% of expected vote counted" and revised through the night; here it is the
  feed's ``expected_pct`` per unit where given.
* **The New York Times "Needle" (2020)** — estimates of the remaining vote by county and by
  vote type, from how the counties that have reported differ from their past results.
* **The Washington Post's elex-live-model** — predicts the units not yet reported from those
  that have, using each unit's baseline (past results), with prediction intervals.
* **Decision Desk HQ** — calls from county returns read against each county's past results.

The model, for one state at one moment, between candidates A and B (two-party shares):

* **Baseline.** Each unit u has a baseline (the previous election in that unit, matched by
  party): A's two-party share β_u, its two-party fraction f_u and its total T_u.
* **Swing.** A unit that has counted votes shows d_u = y_u − β_u, y_u its counted A share. The
  state's swing s has the prior N(0, σ₀²) (``prior_swing_sd``); each reported unit is an
  observation d_u ~ N(s, σ_u²) (``unit_sd``), so the posterior is
  ŝ = (Σ d_u/σ_u²)/(1/σ₀² + Σ 1/σ_u²), with variance 1/(1/σ₀² + Σ 1/σ_u²): the prior fades as
  units report.
* **Expected vote per unit.** The feed's estimate where a unit has one (relative error
  ``feed_expected_rel_sd`` of its uncounted part); else the baseline's turnout T_u scaled by g,
  the ratio of expected to baseline vote over the units that have an estimate (1 before any),
  with relative error ``baseline_expected_rel_sd``. Never less than the count.
* **Remaining.** R_u = E_u − V_u; its two-party part R_u·f_u goes to A at π_u = β_u + ŝ.
* **Final margin** (A − B). M = D + Σ R_u f_u (2π_u − 1), approximately Normal with variance
  (Σ 2R_u f_u)²·Var(ŝ) [the common swing] + Σ (2R_u f_u)²σ_u² [each unit's own deviation] +
  Σ (f_u(2π_u − 1)·sd(E_u))² [the expected vote]. P(A wins) = Φ(E[M]/sd(M)).

Assumptions stated plainly: one swing per state, the same for every vote mode (late mail that
breaks differently is not modelled yet); unit deviations independent; Normal errors. The
constants are set a priori and have not been scored on any election. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.special import ndtr

__all__ = ["UnitEstimate", "UnitParams", "UnitView", "estimate_units"]


@dataclass(frozen=True, slots=True)
class UnitParams:
    """The model's constants (a priori; see the module docstring)."""

    prior_swing_sd: float = 0.05
    unit_sd: float = 0.04
    feed_expected_rel_sd: float = 0.10
    baseline_expected_rel_sd: float = 0.15

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")


@dataclass(frozen=True, slots=True)
class UnitView:
    """What is known of one unit at one moment.

    ``votes_a``, ``votes_b``, ``counted`` — the count so far (``counted`` all candidates);
    ``expected`` — the feed's expected total of the unit (``None``: not given);
    ``base_a``, ``base_b``, ``base_total`` — the baseline election's result in the unit.
    """

    unit: str
    votes_a: int
    votes_b: int
    counted: int
    expected: float | None
    base_a: int
    base_b: int
    base_total: int

    def __post_init__(self) -> None:
        if min(self.votes_a, self.votes_b, self.base_a, self.base_b) < 0:
            raise ValueError(f"unit {self.unit}: negative votes")
        if self.votes_a + self.votes_b > self.counted:
            raise ValueError(f"unit {self.unit}: candidates' votes exceed the count")
        if self.base_a + self.base_b > self.base_total:
            raise ValueError(f"unit {self.unit}: baseline votes exceed its total")


@dataclass(frozen=True, slots=True)
class UnitEstimate:
    """The model's view of one state (symbols of the module docstring).

    ``margin`` D (A − B counted); ``swing`` ŝ and ``swing_sd``; ``growth`` g; ``remaining``
    Σ R_u; ``final_margin_mean`` E[M] and ``final_margin_sd`` sd(M); ``p_a`` P(A wins);
    ``unknown_units`` the units with neither a baseline nor an expected vote from the feed,
    whose remaining vote the model cannot know (taken as 0): when it is not 0 the estimate
    must not be used for a call.
    """

    margin: int
    swing: float
    swing_sd: float
    growth: float
    remaining: float
    final_margin_mean: float
    final_margin_sd: float
    p_a: float
    unknown_units: int = 0

    @property
    def p_b(self) -> float:
        return 1.0 - self.p_a


def estimate_units(units: Sequence[UnitView], params: UnitParams | None = None) -> UnitEstimate:
    """P(A wins the state) from its units, as described in the module docstring.

    Examples
    --------
    Every unit counted in full: nothing remains and the count decides.

    >>> u = UnitView("c1", 600, 400, 1000, 1000.0, 500, 500, 1000)
    >>> estimate_units([u]).p_a
    1.0
    """
    params = params or UnitParams()
    var_u = params.unit_sd**2
    precision = 1.0 / params.prior_swing_sd**2
    weighted = 0.0
    expected_sum = 0.0
    base_sum = 0.0
    for u in units:
        two = u.votes_a + u.votes_b
        base_two = u.base_a + u.base_b
        if two > 0 and base_two > 0:
            weighted += (u.votes_a / two - u.base_a / base_two) / var_u
            precision += 1.0 / var_u
        if u.expected is not None and u.base_total > 0:
            expected_sum += max(u.expected, float(u.counted))
            base_sum += u.base_total
    swing = weighted / precision
    swing_var = 1.0 / precision
    growth = expected_sum / base_sum if base_sum > 0 else 1.0

    margin = sum(u.votes_a - u.votes_b for u in units)
    mean = float(margin)
    common = 0.0  # Σ 2R_u f_u
    var_own = 0.0
    var_expected = 0.0
    remaining = 0.0
    unknown = 0
    for u in units:
        base_two = u.base_a + u.base_b
        if u.expected is None and u.base_total <= 0:
            unknown += 1
        if u.expected is not None:
            e_u = max(u.expected, float(u.counted))
            sd_e = params.feed_expected_rel_sd * (e_u - u.counted)
        else:
            e_u = max(u.base_total * growth, float(u.counted))
            sd_e = params.baseline_expected_rel_sd * u.base_total * growth
        r_u = e_u - u.counted
        if base_two > 0 and u.base_total > 0:
            beta, f_u = u.base_a / base_two, base_two / u.base_total
        elif u.counted > 0 and u.votes_a + u.votes_b > 0:
            beta, f_u = u.votes_a / (u.votes_a + u.votes_b), (u.votes_a + u.votes_b) / u.counted
        else:
            beta, f_u = 0.5, 1.0
        pi = min(max(beta + swing, 0.0), 1.0)
        lean = f_u * (2.0 * pi - 1.0)
        mean += r_u * lean
        common += 2.0 * r_u * f_u
        var_own += (2.0 * r_u * f_u) ** 2 * var_u
        var_expected += (lean * sd_e) ** 2
        remaining += r_u
    sd = math.sqrt(common**2 * swing_var + var_own + var_expected)
    p_a = float(ndtr(mean / sd)) if sd > 0 else (1.0 if mean > 0 else 0.0 if mean < 0 else 0.5)
    return UnitEstimate(
        margin, swing, math.sqrt(swing_var), growth, remaining, mean, sd, p_a, unknown
    )
