"""Super-simple (Kaplan–Markov ballot-level comparison): published numbers, exact small cases,
properties, and (slow) validity by simulation."""

from __future__ import annotations

import doctest
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballotproof.audit import supersimple as ss
from ballotproof.audit.contest import AuditContest, Decision, Pair
from ballotproof.audit.supersimple import Discrepancies, DiscrepancyRates
from ballotproof.errors import AnalysisError

GAMMA = 1.03905


def two(win: int, lose: int, ballots: int) -> AuditContest:
    return AuditContest("c", {"w": win, "l": lose}, ballots=ballots)


# Arlo's contests (votingworks/arlo server/tests/audit_math/test_supersimple.py, ss_contests).
ARLO = {
    "A": AuditContest("A", {"winner": 60000, "loser": 40000}, ballots=100000),
    "B": AuditContest("B", {"winner": 30000, "loser": 24000}, ballots=60000),
    "C": AuditContest("C", {"winner": 18000, "loser": 12600}, ballots=36000),
    "D": AuditContest("D", {"winner": 8000, "loser": 6000}, ballots=15000),
    "E": AuditContest("E", {"winner": 10000, "loser": 0}, ballots=10000),
    "F": AuditContest("F", {"winner": 10, "loser": 4}, ballots=15),
    "two-winner": AuditContest(
        "2w", {"winner1": 600, "winner2": 300, "loser": 100}, ballots=1000, winners=2
    ),
}


def test_doctests() -> None:
    assert doctest.testmod(ss).failed == 0


# --------------------------------------------------------------------------- published numbers


def test_brief_numbers_alpha_10_margin_20() -> None:
    """α = 10 %, 60,000 / 40,000 of 100,000 ballots (μ = 0.2): 24 with no errors planned
    (⌈−2γ ln α / μ⌉), 27 with the customary rates, 38 after one one-vote overstatement."""
    c = ARLO["A"]
    assert c.diluted_margin() == 0.2
    assert math.ceil(-2 * GAMMA * math.log(0.1) / 0.2) == 24
    assert ss.sample_size(c, alpha=0.1).n == 24
    planned = ss.planned_sample_size(c, alpha=0.1)
    assert (planned.n0, planned.n) == (23, 27)
    assert (planned.o1, planned.o2, planned.u1, planned.u2) == (1, 0, 1, 0)
    esc = ss.escalated_sample_size(c, alpha=0.1, sampled=27, observed=Discrepancies(o1=1))
    assert (esc.n0, esc.o1, esc.n, esc.additional) == (30, 2, 38, 11)


@pytest.mark.parametrize(
    ("mu", "alpha", "counts", "expected"),
    [
        # Lindeman & Stark, "A Gentle Introduction to Risk-Limiting Audits" (2012) p. 5, as
        # reproduced by the nmin() doctests of N. McBurnett's rlacalc.py (2017).
        (0.2, 0.1, Discrepancies(), 24),
        (0.1, 0.1, Discrepancies(), 48),
        (0.002, 0.1, Discrepancies(), 2393),
        (0.05, 0.1, Discrepancies(o1=1), 123),
        (0.005, 0.1, Discrepancies(o1=1, u1=1), 1067),
        (0.05, 0.1, Discrepancies(), 96),
        (0.05, 0.2, Discrepancies(), 67),
    ],
)
def test_nmin_gentle_introduction(
    mu: float, alpha: float, counts: Discrepancies, expected: int
) -> None:
    ballots = 1_000_000
    margin = round(mu * ballots)
    c = two((ballots + margin) // 2, (ballots - margin) // 2, ballots)
    assert c.diluted_margin() == pytest.approx(mu, rel=1e-12)
    r = ss.sample_size(c, alpha=alpha, observed=counts)
    assert r.n == expected
    assert r.decision is Decision.NEXT_ROUND


# Arlo test_supersimple.py: true_sample_sizes ("From Stark's tool"), o1_stopping_size and
# o2_stopping_size (total sizes after one one- / two-vote overstatement in the first round).
ARLO_SIZES = {
    #  contest: (planned, after one o1, after one o2)
    "A": (27, 38, 100000),
    "B": (54, 76, 60000),
    "C": (36, 51, 36000),
    "D": (40, 57, 15000),
    "E": (6, 7, 33),
    "F": (14, 15, 15),  # Arlo: "nMin yields 16, but contest only has 15 total votes"
    "two-winner": (27, 38, 1000),
}


@pytest.mark.parametrize("name", sorted(ARLO_SIZES))
def test_arlo_planned_and_escalated_sizes(name: str) -> None:
    c = ARLO[name]
    planned, after_o1, after_o2 = ARLO_SIZES[name]
    first = ss.planned_sample_size(c, alpha=0.1)
    assert first.n == planned
    o1 = ss.escalated_sample_size(c, alpha=0.1, sampled=planned, observed=Discrepancies(o1=1))
    o2 = ss.escalated_sample_size(c, alpha=0.1, sampled=planned, observed=Discrepancies(o2=1))
    assert o1.n == after_o1
    assert o2.n == after_o2
    for r in (o1, o2):
        expected = Decision.FULL_HAND_COUNT if r.n == c.ballots else Decision.NEXT_ROUND
        assert r.decision is expected


def test_f_nmin_16_is_capped_at_15_ballots() -> None:
    r = ss.escalated_sample_size(ARLO["F"], alpha=0.1, sampled=14, observed=Discrepancies(o1=1))
    assert (r.o1, r.n, r.decision) == (1, 15, Decision.FULL_HAND_COUNT)
    assert ss.sample_size(ARLO["F"], alpha=0.1, observed=Discrepancies(o1=1)).n == 15


NH = AuditContest("NH", {"Clinton": 354040, "Trump": 337589, "Other": 33234}, ballots=724863)


@pytest.mark.parametrize(
    ("contest", "alpha", "rates", "n0", "n"),
    [
        # rlacalc.py KM_Expected_sample_size / KM_Expected_sample_size_rounded doctests
        # (from Stark's S157F17 audit notebook and auditTools.htm); NH = New Hampshire 2016.
        (two(525, 475, 1000), 0.05, DiscrepancyRates(o1=0.001, u1=0.001), 125, 136),
        (NH, 0.05, DiscrepancyRates(o1=0.001), 291, 335),
    ],
)
def test_rlacalc_expected_sizes(
    contest: AuditContest, alpha: float, rates: DiscrepancyRates, n0: int, n: int
) -> None:
    r = ss.planned_sample_size(contest, alpha=alpha, rates=rates)
    assert (r.n0, r.n) == (n0, n)


def test_customary_rates_need_the_one_vote_round_up() -> None:
    """27 needs one-vote counts rounded up; rounding nothing gives 25 (and no planning 24)."""
    c = ARLO["A"]
    unrounded = (
        -2
        * GAMMA
        * (
            math.log(0.1)
            + 23 * 0.001 * math.log(1 - 1 / (2 * GAMMA))
            + 23 * 0.0001 * math.log(1 - 1 / GAMMA)
            + 23 * 0.001 * math.log(1 + 1 / (2 * GAMMA))
            + 23 * 0.0001 * math.log(1 + 1 / GAMMA)
        )
    )
    assert math.ceil(unrounded / 0.2) == 25
    assert ss.planned_sample_size(c, alpha=0.1).n == 27


@pytest.mark.parametrize(
    ("name", "n", "counts", "expected"),
    [
        # Arlo test_supersimple.py expected_p_values (compared there to 1e-3).
        ("A", 27, Discrepancies(), 0.06507),
        ("B", 54, Discrepancies(), 0.06973),
        ("C", 36, Discrepancies(), 0.06740),
        ("D", 40, Discrepancies(), 0.07048),
        ("E", 6, Discrepancies(), 0.01950),
        ("F", 14, Discrepancies(), 0.05013),
        ("two-winner", 27, Discrepancies(), 0.06508),
        ("A", 27, Discrepancies(o1=1), 0.12534),
        ("B", 54, Discrepancies(o1=1), 0.13441),
        ("C", 36, Discrepancies(o1=1), 0.12992),
        ("D", 40, Discrepancies(o1=1), 0.13585),
        ("E", 6, Discrepancies(o1=1), 0.03758),
        ("two-winner", 27, Discrepancies(o1=1), 0.12534),
        ("A", 27, Discrepancies(o2=1), 1.0),
        ("E", 6, Discrepancies(o2=1), 0.51877),
    ],
)
def test_arlo_p_values(name: str, n: int, counts: Discrepancies, expected: float) -> None:
    assert ss.risk_from_counts(ARLO[name], n, counts, alpha=0.1).p_value == pytest.approx(
        expected, abs=1e-3
    )


def test_p_value_s157_notebook() -> None:
    """KM_P_value(200, 1.03905, NH margin, o1=1) = 0.21438135077031842 (Stark's Stat 157
    notebook, reproduced in rlacalc.py's doctest)."""
    r = ss.risk_from_counts(NH, 200, Discrepancies(o1=1), alpha=0.05)
    assert r.p_value == pytest.approx(0.21438135077031842, rel=1e-12)
    assert r.decision is Decision.NEXT_ROUND


def test_p_value_arlo_snapshot_18_clean_draws() -> None:
    """Arlo's 'Jonah' test: 16–10 of 26 ballots, 18 ballots, P = 0.1201733.  (Its two
    'blank' ballots alias the CVR dicts, so the sample has no discrepancies.)"""
    c = two(16, 10, 26)
    assert ss.risk(c, [0] * 18, alpha=0.1).p_value == pytest.approx(0.1201733, abs=1e-6)


@pytest.mark.parametrize(
    ("lam", "gamma", "expected"),
    # rlacalc.py rho() doctests, the sample-size multiplier of Stark (2010).
    [(0.2, 1.03905, 6.5796033506092035), (0.5, 1.1, 15.200833727738756)],
)
def test_rho(lam: float, gamma: float, expected: float) -> None:
    assert ss.rho(0.1, gamma, lam) == pytest.approx(expected, rel=1e-12)


def test_rho_is_the_sample_size_formula_with_o1_lambda_rho() -> None:
    r = ss.rho(0.1, GAMMA, 0.2)
    mu = 0.01
    n = -2 * GAMMA * (math.log(0.1) + 0.2 * r * math.log(1 - 1 / (2 * GAMMA))) / mu
    assert n == pytest.approx(r / mu)
    with pytest.raises(AnalysisError):
        ss.rho(0.1, GAMMA, 5.0)


# --------------------------------------------------------------------------- exact small cases


def test_p_value_closed_form() -> None:
    c = two(550, 450, 1000)
    mu, g = 0.1, GAMMA
    draws = [0] * 40 + [1, 2, -1, -2, 1]
    expected = (
        (1 - mu / (2 * g)) ** 45
        * (1 - 1 / (2 * g)) ** -2
        * (1 - 1 / g) ** -1
        * (1 + 1 / (2 * g)) ** -1
        * (1 + 1 / g) ** -1
    )
    r = ss.risk(c, draws, alpha=0.1)
    assert r.p_value == pytest.approx(min(1.0, expected), rel=1e-12)
    assert (r.n, r.o1, r.o2, r.u1, r.u2, r.other) == (45, 2, 1, 1, 1, 0)
    via_counts = ss.risk_from_counts(c, 45, Discrepancies(o1=2, o2=1, u1=1, u2=1), alpha=0.1)
    assert via_counts.p_value == pytest.approx(r.p_value, rel=1e-12)


def test_fractional_overstatement_enters_the_product() -> None:
    c = AuditContest("2w", {"a": 600, "b": 300, "c": 100}, ballots=1000, winners=2)
    # a>c has margin 500, b>c margin 200 = V; a blank card read as a vote for a: e = 1/500.
    e = ss.ballot_overstatement(c, {"a": 1}, {})
    assert e == Fraction(2, 5)
    r = ss.risk(c, [e] + [0] * 9, alpha=0.1)
    expected = (1 - 0.2 / (2 * GAMMA)) ** 10 / (1 - 0.4 / (2 * GAMMA))
    assert r.p_value == pytest.approx(expected, rel=1e-12)
    assert (r.o1, r.other) == (0, 1)


@pytest.mark.parametrize(
    ("cvr", "mvr", "expected"),
    [
        ({"w": 1}, {"w": 1}, 0),
        ({"w": 1}, {}, 1),  # winner vote was a blank: one-vote overstatement
        ({"w": 1}, {"l": 1}, 2),  # winner vote was a loser vote: two-vote overstatement
        ({}, {"w": 1}, -1),
        ({"l": 1}, {"w": 1}, -2),
        ({"l": 1}, {}, -1),
    ],
)
def test_ballot_overstatement_two_candidates(
    cvr: dict[str, int], mvr: dict[str, int], expected: int
) -> None:
    assert ss.ballot_overstatement(two(60, 40, 100), cvr, mvr) == expected


def test_ballot_overstatement_takes_the_largest_relative_pair() -> None:
    # Arlo's "Two Losers": winner 1000, loser1 0, loser2 500 of 1500.  V = 500 (winner>loser2).
    c = AuditContest("x", {"winner": 1000, "loser1": 0, "loser2": 500}, ballots=1500)
    assert ss.ballot_overstatement(c, {"winner": 1}, {"loser2": 1}) == 2
    assert ss.ballot_overstatement(c, {"winner": 1}, {"loser1": 1}) == 1  # max(2/1000, 1/500)
    assert ss.ballot_overstatement(c, {"winner": 1}, {}) == 1
    # Understatement of winner>loser2 only, no change elsewhere: the max is 0.
    assert ss.ballot_overstatement(c, {"loser2": 1}, {}) == 0


def test_tie_needs_a_full_hand_count() -> None:
    c = two(500, 500, 1000)
    assert c.tied
    for r in (
        ss.sample_size(c, alpha=0.1),
        ss.planned_sample_size(c, alpha=0.1),
        ss.escalated_sample_size(c, alpha=0.1, sampled=5, observed=Discrepancies()),
    ):
        assert (r.n, r.decision) == (1000, Decision.FULL_HAND_COUNT)
        assert math.isinf(r.U)
    risk = ss.risk(c, [0] * 100, alpha=0.1)
    assert (risk.p_value, risk.decision) == (1.0, Decision.FULL_HAND_COUNT)
    with pytest.raises(AnalysisError):
        ss.ballot_overstatement(c, {"w": 1}, {})


def test_decisions_and_echo() -> None:
    c = ARLO["A"]
    # The exact P confirms at 23 clean draws; the sample-size formula (24) is conservative.
    confirm = ss.risk(c, [0] * 23, alpha=0.1)
    assert confirm.decision is Decision.CONFIRM
    more = ss.risk(c, [0] * 22, alpha=0.1)
    assert more.decision is Decision.NEXT_ROUND
    tiny = two(3, 2, 5)
    assert ss.risk(tiny, [1] * 5, alpha=0.1).decision is Decision.FULL_HAND_COUNT
    assert (confirm.method, confirm.alpha, confirm.gamma, confirm.V, confirm.N) == (
        "super-simple",
        0.1,
        GAMMA,
        20000,
        100000,
    )
    assert confirm.mu == 0.2
    assert confirm.pair == Pair("winner", "loser")
    assert math.isclose(confirm.U, 2 * GAMMA / 0.2)
    js = ss.planned_sample_size(c, alpha=0.1).to_json()
    assert js["n"] == 27
    assert js["decision"] == "next_round"
    assert js["rates"] == {"o1": 0.001, "o2": 0.0001, "u1": 0.001, "u2": 0.0001}
    assert confirm.to_json()["pair"] == "winner>loser"


@pytest.mark.parametrize(
    "call",
    [
        lambda: ss.sample_size(ARLO["A"], alpha=0.0),
        lambda: ss.sample_size(ARLO["A"], alpha=1.0),
        lambda: ss.sample_size(ARLO["A"], alpha=0.1, gamma=1.0),
        lambda: Discrepancies(o1=-1),
        lambda: DiscrepancyRates(o1=1.5),
        lambda: DiscrepancyRates(o1=0.6, u1=0.6),
        lambda: ss.risk(ARLO["A"], [3], alpha=0.1),
        lambda: ss.risk_from_counts(ARLO["A"], 1, Discrepancies(o1=2), alpha=0.1),
        lambda: ss.escalated_sample_size(ARLO["A"], alpha=0.1, sampled=0, observed=Discrepancies()),
        lambda: ss.escalated_sample_size(
            ARLO["A"], alpha=0.1, sampled=1, observed=Discrepancies(o1=2)
        ),
        lambda: ss.ballot_overstatement(ARLO["A"], {"nobody": 1}, {}),
        lambda: ss.ballot_overstatement(ARLO["A"], {"winner": 2}, {}),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(AnalysisError):
        call()  # type: ignore[operator]


def test_rates_too_high_need_a_full_hand_count() -> None:
    r = ss.planned_sample_size(ARLO["A"], alpha=0.1, rates=DiscrepancyRates(o2=0.05))
    assert (r.n, r.n0, r.decision) == (100000, None, Decision.FULL_HAND_COUNT)


# --------------------------------------------------------------------------- properties

counts_st = st.builds(
    Discrepancies,
    o1=st.integers(0, 5),
    o2=st.integers(0, 3),
    u1=st.integers(0, 5),
    u2=st.integers(0, 3),
)
contest_st = st.builds(
    lambda loser, margin, other, extra: AuditContest(
        "h",
        {"w": loser + margin, "l": loser, "o": other},
        ballots=2 * loser + margin + other + extra,
    ),
    st.integers(0, 50_000),
    st.integers(1, 50_000),
    st.integers(0, 3000),
    st.integers(0, 3000),
)


@settings(max_examples=200, deadline=None)
@given(contest_st, counts_st, st.integers(0, 500), st.sampled_from([0.01, 0.05, 0.1, 0.25]))
def test_risk_in_unit_interval_and_monotone(
    c: AuditContest, counts: Discrepancies, clean: int, alpha: float
) -> None:
    n = counts.total + clean
    base = ss.risk_from_counts(c, n, counts, alpha=alpha).p_value
    assert 0.0 <= base <= 1.0

    def p(o1: int = 0, o2: int = 0, u1: int = 0, u2: int = 0) -> float:
        full = Discrepancies(
            o1=counts.o1 + o1, o2=counts.o2 + o2, u1=counts.u1 + u1, u2=counts.u2 + u2
        )
        return ss.risk_from_counts(c, full.total + clean, full, alpha=alpha).p_value

    # A discrepancy replacing nothing (an extra draw): overstatements raise P, understatements
    # and clean draws lower it. Where a factor is exactly 1 (μ = 1: a one-vote overstatement
    # is then the margin itself), the two sides agree only to floating-point rounding.
    def le(a: float, b: float) -> bool:
        return a <= b * (1 + 1e-12) + 1e-300

    assert le(p(o1=1), p(o2=1)) and le(base, p(o1=1))
    assert le(p(u2=1), p(u1=1)) and le(p(u1=1), base)
    assert le(ss.risk_from_counts(c, n + 1, counts, alpha=alpha).p_value, base)


@settings(max_examples=200, deadline=None)
@given(contest_st, counts_st, st.sampled_from([0.01, 0.05, 0.1, 0.25]))
def test_sample_size_suffices(c: AuditContest, counts: Discrepancies, alpha: float) -> None:
    r = ss.sample_size(c, alpha=alpha, observed=counts)
    if r.decision is Decision.NEXT_ROUND:
        assert ss.risk_from_counts(c, r.n, counts, alpha=alpha).p_value <= alpha


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4999),
    st.integers(1, 4999),
    st.floats(0.001, 0.5),
    st.floats(0.001, 0.5),
    counts_st,
)
def test_sample_size_monotone_in_margin_and_alpha(
    m1: int, m2: int, a1: float, a2: float, counts: Discrepancies
) -> None:
    lo, hi = sorted((m1, m2))
    small, large = sorted((a1, a2))
    n = 10_000

    def size(margin: int, alpha: float) -> int:
        return ss.sample_size(two(5000 + margin, 5000 - margin, n), alpha=alpha, observed=counts).n

    assert size(hi, small) <= size(lo, small)
    assert size(lo, large) <= size(lo, small)
    assert ss.planned_sample_size(two(5000 + hi, 5000 - hi, n), alpha=small).n <= (
        ss.planned_sample_size(two(5000 + lo, 5000 - lo, n), alpha=small).n
    )


# --------------------------------------------------------------------------- validity (slow)


def _false_confirmation_rate(
    c: AuditContest,
    overstatements: dict[int, int],
    *,
    alpha: float,
    trials: int,
    max_draws: int,
    seed: int,
) -> float:
    """Sequential super-simple audits (uniform draws with replacement, stop when P ≤ α) of a
    contest whose CVRs overstate the margin as given (votes → number of ballots).

    Vectorised; the first confirmed path of every chunk is re-checked with :func:`ss.risk`.
    """
    mu = c.diluted_margin()
    values = np.array([0, *overstatements])
    counts = np.array([c.ballots - sum(overstatements.values()), *overstatements.values()])
    log_factor = math.log1p(-mu / (2 * GAMMA)) - np.log1p(-values / (2 * GAMMA))
    rng = np.random.default_rng(seed)
    confirmed = 0
    for start in range(0, trials, 1000):
        size = min(1000, trials - start)
        cats = rng.choice(len(values), size=(size, max_draws), p=counts / counts.sum())
        hit = np.cumsum(log_factor[cats], axis=1) <= math.log(alpha)
        stopped = hit.any(axis=1)
        confirmed += int(stopped.sum())
        if stopped.any():
            row = int(np.argmax(stopped))
            stop = int(np.argmax(hit[row]))
            path = [int(values[k]) for k in cats[row, : stop + 1]]
            assert ss.risk(c, path, alpha=alpha).decision is Decision.CONFIRM
            assert ss.risk(c, path[:-1], alpha=alpha).decision is Decision.NEXT_ROUND
    return confirmed / trials


def exact_two_vote_tie_rate(c: AuditContest, alpha: float, q: float, max_draws: int) -> float:
    """Exact chance that a sequential audit confirms when a fraction q of the ballots are
    two-vote overstatements: dynamic programming over (draws, two-vote draws so far), with the
    stopping rule taken from :func:`ss.risk_from_counts` (P falls with each clean draw and
    jumps with each two-vote draw, so each k has a first confirming n_k)."""
    first_n: list[int] = []
    n = 0
    while n <= max_draws:
        k = len(first_n)
        while n <= max_draws and (
            ss.risk_from_counts(c, max(n, k), Discrepancies(o2=k), alpha=alpha).decision
            is not Decision.CONFIRM
        ):
            n += 1
        first_n.append(max(n, k))
    alive = np.zeros(len(first_n) + 1)
    alive[0] = 1.0
    confirmed = 0.0
    for draw in range(1, max_draws + 1):
        alive[1:] = alive[1:] * (1 - q) + alive[:-1] * q
        alive[0] *= 1 - q
        for k, n_k in enumerate(first_n):
            if draw >= n_k and alive[k] > 0:
                confirmed += alive[k]
                alive[k] = 0.0
    return confirmed


@pytest.mark.parametrize("alpha", [0.05, 0.10])
def test_exact_rate_for_a_two_vote_tie_is_at_most_alpha(alpha: float) -> None:
    """The Kaplan–Markov risk limit, checked exactly (and the simulator against it)."""
    c = two(550, 450, 1000)
    exact = exact_two_vote_tie_rate(c, alpha, 0.05, 1000)
    assert 0.9 * alpha < exact <= alpha
    trials = 20_000
    simulated = _false_confirmation_rate(
        c, {2: 50}, alpha=alpha, trials=trials, max_draws=1000, seed=7
    )
    assert abs(simulated - exact) <= 4 * math.sqrt(exact * (1 - exact) / trials)


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.10])
@pytest.mark.parametrize(
    ("name", "overstatements"),
    [
        ("tie by two-vote overstatements", {2: 50}),
        ("tie by one-vote overstatements", {1: 100}),
        ("loser won, mixed errors", {2: 40, 1: 30, -1: 5}),
    ],
)
def test_validity_wrong_outcomes_confirmed_at_most_alpha(
    name: str, overstatements: dict[int, int], alpha: float
) -> None:
    # 550–450 of 1000 reported (V = 100 votes); the overstatements wipe out ≥ 100 votes.
    assert sum(k * v for k, v in overstatements.items()) >= 100, name
    trials = 100_000
    rate = _false_confirmation_rate(
        two(550, 450, 1000), overstatements, alpha=alpha, trials=trials, max_draws=1000, seed=2010
    )
    assert rate <= alpha + 3.1 * math.sqrt(alpha * (1 - alpha) / trials), (name, rate)


@pytest.mark.parametrize(
    ("tally", "winners", "pair", "margin"),
    [
        # vote for 2: the closest winner–loser pair is B (300) v C (200), not A v C
        ({"A": 400, "B": 300, "C": 200, "D": 100}, 2, Pair("B", "C"), 100),
        # vote for 3 of 5
        ({"A": 500, "B": 450, "C": 300, "D": 280, "E": 10}, 3, Pair("C", "D"), 20),
        # vote for 1 with a close third: only winner–loser pairs count
        ({"A": 500, "B": 300, "C": 150}, 1, Pair("A", "B"), 200),
    ],
)
def test_n_winners_use_the_smallest_winner_loser_margin_diluted(
    tally: dict[str, int], winners: int, pair: Pair, margin: int
) -> None:
    """[S10]: V = min over reported winners w and losers ℓ of v_w − v_ℓ, μ = V/N."""
    c = AuditContest("c", tally, ballots=1000, winners=winners)
    r = ss.sample_size(c, alpha=0.1)
    assert (r.pair, r.V, r.mu) == (pair, margin, margin / 1000)
    assert r.n == math.ceil(-2 * GAMMA * math.log(0.1) / (margin / 1000))
    assert ss.planned_sample_size(c, alpha=0.1).pair == pair
