"""MACRO (batch-level Kaplan–Markov with PPEB): published numbers, exact small cases,
properties and (slow) validity by simulation."""

from __future__ import annotations

import doctest
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballotproof.audit import macro
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.macro import Batch
from ballotproof.errors import AnalysisError


def test_doctests() -> None:
    assert doctest.testmod(macro).failed == 0


# Arlo's MACRO fixture (votingworks/arlo server/tests/audit_math/test_macro.py): 200 precinct
# batches of 400 cards and 200 absentee ("AV") batches of 200 cards.
def arlo_batches(name: str) -> tuple[AuditContest, list[Batch]]:
    if name == "A":
        contest = AuditContest("A", {"winner": 60000, "loser": 54000}, ballots=120000)
        rows = [(range(200), (200, 180), (100, 90))]
    elif name == "B":
        contest = AuditContest("B", {"winner": 30000, "loser": 24000}, ballots=60000)
        rows = [(range(100), (200, 160), (100, 80))]
    elif name == "C":
        contest = AuditContest("C", {"winner": 18000, "loser": 12600}, ballots=36000)
        rows = [(range(30), (200, 140), (100, 70)), (range(100, 130), (200, 140), (100, 70))]
    else:
        raise KeyError(name)
    with_contest: set[str] = set()
    batches: list[Batch] = []
    for indices, (w, lo), (wa, la) in rows:
        for i in indices:
            batches.append(Batch(f"Batch {i}", 400, {"winner": w, "loser": lo}))
            batches.append(Batch(f"Batch {i} AV", 200, {"winner": wa, "loser": la}))
            with_contest |= {f"Batch {i}", f"Batch {i} AV"}
    # Batches without the contest have no cards that can contain it: b_p = 0, u_p = 0.
    for i in range(200):
        for name_ in (f"Batch {i}", f"Batch {i} AV"):
            if name_ not in with_contest:
                batches.append(Batch(name_, 0, {}))
    return contest, batches


@pytest.mark.parametrize(
    ("name", "bounds", "big_u", "n"),
    [
        # Arlo test_macro.py: expected_ups (to 1e-3) and expected_first_round at risk limit 25 %.
        ("A", (Fraction(7, 100), Fraction(7, 200)), Fraction(21), 29),
        ("B", (Fraction(11, 150), Fraction(11, 300)), Fraction(11), 15),
        ("C", (Fraction(23, 270), Fraction(23, 540)), Fraction(23, 3), 10),
    ],
)
def test_arlo_error_bounds_and_first_round(
    name: str, bounds: tuple[Fraction, Fraction], big_u: Fraction, n: int
) -> None:
    contest, batches = arlo_batches(name)
    by_name = {b.name: b for b in batches}
    precinct, absentee = (macro.error_bound(contest, by_name[k]) for k in ("Batch 0", "Batch 0 AV"))
    assert (precinct, absentee) == bounds
    assert [round(float(b), 4) for b in bounds] == {
        "A": [0.07, 0.035],
        "B": [0.0733, 0.0367],
        "C": [0.0852, 0.0426],
    }[name]
    assert macro.error_bound(contest, by_name["Batch 150"]) == 0 or name == "A"
    size = macro.sample_size(contest, batches, alpha=0.25)
    assert (size.U, size.n, size.decision) == (big_u, n, Decision.NEXT_ROUND)


def test_u21_alpha25_is_29_and_arlo_pads_to_30() -> None:
    """⌈ln 0.25 / ln(20/21)⌉ = ⌈28.41⌉ = 29; Arlo adds one batch (a cushion, not needed for the
    risk limit) — here only when asked."""
    assert math.log(0.25) / math.log(1 - 1 / 21) == pytest.approx(28.41, abs=0.01)
    contest, batches = arlo_batches("A")
    assert macro.sample_size(contest, batches, alpha=0.25).n == 29
    padded = macro.sample_size(contest, batches, alpha=0.25, pad=1)
    assert (padded.n, padded.pad) == (30, 1)
    # 29 clean draws confirm at 25 %; 28 do not.
    assert (
        macro.kaplan_markov_p_value(21, [0] * 29)
        <= 0.25
        < macro.kaplan_markov_p_value(21, [0] * 28)
    )


def test_arlo_extra_contest_three_batches() -> None:
    """Arlo test_get_sizes_extra_contests: 400–100 of 500 cards in ten 50-card batches → 3."""
    contest = AuditContest("test2", {"cand1": 400, "cand2": 100}, ballots=500)
    batches = [Batch(f"Batch {i}", 50, {"cand1": 40, "cand2": 10}) for i in range(10)]
    size = macro.sample_size(contest, batches, alpha=0.25)
    assert (size.U, size.n) == (Fraction(8, 3), 3)


# --------------------------------------------------------------------------- exact small cases


def test_kaplan_markov_product_by_hand() -> None:
    """31 clean draws and 6 draws of a batch counted 190–190 instead of 200–180 (Arlo's
    compute_risk sample): e = 20/6000, u = 420/6000, taint 1/21, so P = (20/21)^31."""
    contest, batches = arlo_batches("A")
    draws = [f"Batch {i}" for i in range(31)] + [f"Batch {i}" for i in range(100, 106)]
    audited = {f"Batch {i}": {"winner": 200, "loser": 180} for i in range(31)}
    audited |= {f"Batch {i}": {"winner": 190, "loser": 190} for i in range(100, 106)}
    r = macro.risk(contest, batches, draws, audited, alpha=0.25)
    assert r.t[-1] == Fraction(1, 21)
    assert r.t[0] == 0
    assert r.p_value == pytest.approx((20 / 21) ** 31, rel=1e-12)
    assert (r.n, r.U, r.K, r.decision) == (37, 21, 400, Decision.CONFIRM)
    js = r.to_json()
    assert js["U"] == "21"
    assert js["t"][-1] == "1/21"  # type: ignore[index]


def test_overstatement_taint_and_understatement() -> None:
    c = AuditContest("c", {"w": 60, "l": 40, "o": 0}, ballots=100)
    b = Batch("b", 50, {"w": 30, "l": 20})
    # u_p = max((30-20+50)/20, (30-0+50)/60) = 3
    assert macro.error_bound(c, b) == 3
    # Hand count 25-25: pair w>l overstated by 10 votes → e = 10/20; w>o by 5/60.
    assert macro.relative_overstatement(c, b, {"w": 25, "l": 25}) == Fraction(1, 2)
    assert macro.taint(c, b, {"w": 25, "l": 25}) == Fraction(1, 6)
    # Hand count 35-15: understatement; the max over pairs is w>o's (30-35)/60.
    assert macro.relative_overstatement(c, b, {"w": 35, "l": 15}) == Fraction(-1, 12)
    # The worst the batch can be: every card for the loser.
    assert macro.taint(c, b, {"w": 0, "l": 50}) == 1


def test_taint_one_means_p_one() -> None:
    assert macro.kaplan_markov_p_value(5, [0, 0, 1, 0]) == 1.0
    with pytest.raises(AnalysisError):
        macro.kaplan_markov_p_value(5, [Fraction(3, 2)])


def test_total_bound_exceeds_one_plus_cards_over_margin() -> None:
    """Σ_p (v_pw − v_pℓ) = V, so U ≥ 1 + Σ b_p / V > 1 whenever the batches add up: MACRO
    always samples.  (kaplan_markov_p_value accepts a bare U < 1 and returns 0.)"""
    c = AuditContest("c", {"w": 900, "l": 100}, ballots=1000)
    batches = [Batch(f"b{i}", 100, {"w": 90, "l": 10}) for i in range(10)]
    assert macro.total_error_bound(c, batches) == Fraction(9, 4) == 1 + Fraction(1000, 800)
    assert macro.kaplan_markov_p_value(Fraction(9, 10), [Fraction(1, 2)]) == 0.0
    assert macro.kaplan_markov_p_value(1, [Fraction(1, 2)]) == 0.0
    assert macro.kaplan_markov_p_value(3, []) == 1.0


def test_tie_and_full_count() -> None:
    c = AuditContest("t", {"w": 500, "l": 500}, ballots=1000)
    batches = [Batch(f"b{i}", 100, {"w": 50, "l": 50}) for i in range(10)]
    size = macro.sample_size(c, batches, alpha=0.1)
    assert (size.n, size.decision) == (10, Decision.FULL_HAND_COUNT)
    some = macro.risk(c, batches, ["b0"], {"b0": {"w": 50, "l": 50}}, alpha=0.1)
    assert (some.p_value, some.decision) == (1.0, Decision.FULL_HAND_COUNT)
    # Every batch counted: the count decides.
    win = AuditContest("v", {"w": 600, "l": 400}, ballots=1000)
    wb = [Batch(f"b{i}", 100, {"w": 60, "l": 40}) for i in range(10)]
    right = {b.name: {"w": 60, "l": 40} for b in wb}
    r = macro.risk(win, wb, [b.name for b in wb], right, alpha=0.1)
    assert (r.p_value, r.decision) == (0.0, Decision.CONFIRM)
    wrong = {b.name: {"w": 40, "l": 60} for b in wb}
    r = macro.risk(win, wb, ["b0"], wrong, alpha=0.1)
    assert (r.p_value, r.decision) == (1.0, Decision.FULL_HAND_COUNT)


def test_sample_size_reaching_every_batch_is_a_full_count() -> None:
    c = AuditContest("c", {"w": 600, "l": 400}, ballots=1000)
    batches = [Batch(f"b{i}", 100, {"w": 60, "l": 40}) for i in range(10)]
    size = macro.sample_size(c, batches, alpha=0.1)
    assert size.U == 6
    assert math.ceil(math.log(0.1) / math.log(5 / 6)) == 13
    assert (size.n, size.K, size.decision) == (10, 10, Decision.FULL_HAND_COUNT)
    assert size.to_json()["decision"] == "full_hand_count"


def test_ppeb_probabilities() -> None:
    c = AuditContest("c", {"w": 60, "l": 40}, ballots=100)
    batches = [Batch("a", 50, {"w": 40, "l": 10}), Batch("b", 50, {"w": 20, "l": 30})]
    # u = (30 + 50)/20 = 4, (−10 + 50)/20 = 2
    assert macro.ppeb_probabilities(c, batches) == (Fraction(2, 3), Fraction(1, 3))


@pytest.mark.parametrize(
    "call",
    [
        lambda: Batch("x", -1, {}),
        lambda: Batch("x", 10, {"w": 11}),
        lambda: Batch("x", 10, {"w": -1}),
        lambda: macro.total_error_bound(
            AuditContest("c", {"w": 6, "l": 4}, ballots=10), [Batch("a", 10, {"w": 6, "l": 3})]
        ),
        lambda: macro.total_error_bound(
            AuditContest("c", {"w": 6, "l": 4}, ballots=10),
            [Batch("a", 10, {"w": 6, "l": 4}), Batch("a", 0, {})],
        ),
        lambda: macro.error_bound(
            AuditContest("c", {"w": 6, "l": 4}, ballots=10), Batch("a", 10, {"z": 1})
        ),
        lambda: macro.taint(
            AuditContest("c", {"w": 6, "l": 4}, ballots=10),
            Batch("a", 10, {"w": 6, "l": 4}),
            {"w": 11},
        ),
        lambda: macro.risk(
            AuditContest("c", {"w": 6, "l": 4}, ballots=10),
            [Batch("a", 10, {"w": 6, "l": 4})],
            ["nope"],
            {},
            alpha=0.1,
        ),
        lambda: macro.risk(
            AuditContest("c", {"w": 6, "l": 4}, ballots=10),
            [Batch("a", 10, {"w": 6, "l": 4})],
            ["a"],
            {},
            alpha=0.1,
        ),
        lambda: macro.sample_size(
            AuditContest("c", {"w": 6, "l": 4}, ballots=10),
            [Batch("a", 10, {"w": 6, "l": 4})],
            alpha=0.1,
            pad=-1,
        ),
        lambda: macro.sample_size(
            AuditContest("c", {"w": 6, "l": 4}, ballots=10),
            [Batch("a", 10, {"w": 6, "l": 4})],
            alpha=1.5,
        ),
    ],
)
def test_impossible_inputs(call: object) -> None:
    with pytest.raises(AnalysisError):
        call()  # type: ignore[operator]


# --------------------------------------------------------------------------- properties

taint_st = st.fractions(min_value=-1, max_value=Fraction(99, 100), max_denominator=1000)


@settings(max_examples=200, deadline=None)
@given(
    st.fractions(min_value=1, max_value=500, max_denominator=100),
    st.lists(taint_st, max_size=60),
    st.integers(0, 59),
    st.fractions(min_value=0, max_value=Fraction(1, 2), max_denominator=100),
)
def test_p_value_in_unit_interval_and_monotone_in_taints(
    big_u: Fraction, taints: list[Fraction], i: int, bump: Fraction
) -> None:
    p = macro.kaplan_markov_p_value(big_u, taints)
    assert 0.0 <= p <= 1.0
    if taints:
        k = i % len(taints)
        worse = list(taints)
        worse[k] = min(Fraction(99, 100), worse[k] + bump)
        assert macro.kaplan_markov_p_value(big_u, worse) >= p
        assert macro.kaplan_markov_p_value(big_u, [*taints, Fraction(0)]) <= p


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 60),
    st.integers(1, 40),
    st.integers(1, 40),
    st.floats(0.001, 0.5),
    st.floats(0.001, 0.5),
)
def test_sample_size_monotone_in_bound_and_alpha(
    k: int, m1: int, m2: int, a1: float, a2: float
) -> None:
    small, large = sorted((a1, a2))

    def size(margin_per_batch: int, alpha: float) -> int:
        w, lo = 50 + margin_per_batch, 50 - margin_per_batch // 2
        c = AuditContest("c", {"w": w * k, "l": lo * k}, ballots=200 * k)
        return macro.sample_size(
            c, [Batch(f"b{i}", 200, {"w": w, "l": lo}) for i in range(k)], alpha=alpha
        ).n

    lo, hi = sorted((m1, m2))
    assert size(hi, small) <= size(lo, small)
    assert size(lo, large) <= size(lo, small)


# --------------------------------------------------------------------------- validity (slow)


def _false_confirmation_rate(
    contest: AuditContest,
    batches: list[Batch],
    truth: dict[str, dict[str, int]],
    *,
    alpha: float,
    trials: int,
    max_draws: int,
    seed: int,
) -> float:
    """Sequential MACRO audits: PPEB draws with replacement, stop when P ≤ α.  Taints come
    from :func:`macro.taint`; the first confirmed path of each chunk is re-checked with
    :func:`macro.risk`."""
    names = [b.name for b in batches]
    probs = np.array([float(p) for p in macro.ppeb_probabilities(contest, batches)])
    taints = [macro.taint(contest, b, truth[b.name]) for b in batches]
    big_u = float(macro.total_error_bound(contest, batches))
    with np.errstate(divide="ignore"):
        log_factor = math.log1p(-1 / big_u) - np.log1p(-np.array([float(t) for t in taints]))
    rng = np.random.default_rng(seed)
    confirmed = 0
    for start in range(0, trials, 2000):
        size = min(2000, trials - start)
        draws = rng.choice(len(batches), size=(size, max_draws), p=probs)
        hit = np.cumsum(log_factor[draws], axis=1) <= math.log(alpha)
        stopped = hit.any(axis=1)
        confirmed += int(stopped.sum())
        if stopped.any():
            row = int(np.argmax(stopped))
            path = [names[k] for k in draws[row, : int(np.argmax(hit[row])) + 1]]
            seen = {name: truth[name] for name in path}
            r = macro.risk(contest, batches, path, seen, alpha=alpha)
            if len(seen) < len(batches):
                assert r.decision is Decision.CONFIRM
            else:  # every batch was counted: the count itself shows the outcome is wrong
                assert r.decision is Decision.FULL_HAND_COUNT
                assert macro.kaplan_markov_p_value(big_u, r.t) <= alpha
    return confirmed / trials


def _scenario(name: str) -> tuple[AuditContest, list[Batch], dict[str, dict[str, int]]]:
    # 20 batches of 100 cards, each reported 55–40: V = 300, u_p = 115/300, U = 23/3.
    contest = AuditContest("m", {"w": 1100, "l": 800}, ballots=2000)
    batches = [Batch(f"b{i}", 100, {"w": 55, "l": 40}) for i in range(20)]
    truth = {b.name: {"w": 55, "l": 40} for b in batches}
    if name == "tie: half the batches reversed":
        for i in range(10):
            truth[f"b{i}"] = {"w": 40, "l": 55}
    elif name == "loser wins: three batches all for the loser":
        for i in range(3):
            truth[f"b{i}"] = {"w": 0, "l": 100}
    elif name == "loser wins: small errors everywhere":
        for i in range(20):
            truth[f"b{i}"] = {"w": 47, "l": 48}
    else:
        raise KeyError(name)
    true_w = sum(t["w"] for t in truth.values())
    true_l = sum(t["l"] for t in truth.values())
    assert true_w <= true_l, name  # the reported outcome is wrong (or a tie)
    return contest, batches, truth


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.10])
@pytest.mark.parametrize(
    "name",
    [
        "tie: half the batches reversed",
        "loser wins: three batches all for the loser",
        "loser wins: small errors everywhere",
    ],
)
def test_validity_wrong_outcomes_confirmed_at_most_alpha(name: str, alpha: float) -> None:
    contest, batches, truth = _scenario(name)
    trials = 100_000
    rate = _false_confirmation_rate(
        contest, batches, truth, alpha=alpha, trials=trials, max_draws=200, seed=2009
    )
    assert rate <= alpha + 3.1 * math.sqrt(alpha * (1 - alpha) / trials), (name, rate)
