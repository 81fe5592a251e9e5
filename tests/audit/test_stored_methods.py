"""Every stored method, through the stored audit's own round rule (:func:`process.evaluate`,
:func:`process.evaluate_batches`): ALPHA's risk against a hand computation, and (slow tier)
validity — a wrong reported outcome is confirmed at most α of the time, at α = 5 % and 10 %."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ballotproof.audit import macro
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.process import (
    BLANK,
    NOT_FOUND,
    AuditSpec,
    Method,
    batch_reading,
    evaluate,
    evaluate_batches,
    first_round_size,
)

TRIALS = 300  # per method and α: the bound below is α plus three standard errors


def test_alpha_polling_risk_is_the_running_product_by_hand() -> None:
    c = AuditContest("c", {"A": 600, "B": 300}, 1000)
    spec = AuditSpec("s", c, 0.1, Method.ALPHA, "1")
    readings = ["A", "B", BLANK, "A", NOT_FOUND, "A", "A"]
    eta = (1 + (600 - 300) / 1000) / 2  # the reported assorter mean
    factor = {"A": 2 * eta, "B": 2 * (1 - eta), BLANK: 1.0, NOT_FOUND: 2 * (1 - eta)}
    t = np.cumprod([factor[r] for r in readings])
    result = evaluate(spec, [readings])[0]
    assert result.risk == pytest.approx(min(1.0, 1 / max(1.0, t.max())), rel=1e-12)
    assert result.decision is Decision.NEXT_ROUND
    assert result.next_size == len(readings) + first_round_size(spec)


def test_alpha_comparison_confirms_a_clean_first_round() -> None:
    c = AuditContest("c", {"A": 60000, "B": 40000}, 100000)
    spec = AuditSpec("s", c, 0.1, Method.ALPHA_COMPARISON, "1")
    n = first_round_size(spec)
    assert n < 30  # SHANGRLA's clean size for a 20 % diluted margin is 22 (without replacement)
    result = evaluate(spec, [["A"] * n], [["A"] * n])[0]
    assert result.decision is Decision.CONFIRM
    # One two-vote overstatement in the round is not enough evidence.
    worse = evaluate(spec, [["B"] + ["A"] * (n - 1)], [["A"] * n])[0]
    assert worse.decision is Decision.NEXT_ROUND and worse.risk > result.risk


def _polling_trial(spec: AuditSpec, truth: np.ndarray, rng: np.random.Generator) -> bool:
    names = np.array(["A", "B", BLANK])
    rounds: list[list[str]] = []
    target: int | None = first_round_size(spec)
    while target is not None:
        have = sum(len(r) for r in rounds)
        rounds.append(list(names[truth[rng.integers(0, truth.size, target - have)]]))
        last = evaluate(spec, rounds)[-1]
        if last.decision is Decision.CONFIRM:
            return True
        target = last.next_size
    return False


def _comparison_trial(spec: AuditSpec, wrong: int, rng: np.random.Generator) -> bool:
    """CVRs: A 1,100, B 900 of 2,000; on paper ``wrong`` of the A records are B votes."""
    n_ballots = spec.contest.ballots
    rounds: list[list[str]] = []
    cvrs: list[list[str]] = []
    target: int | None = first_round_size(spec)
    while target is not None:
        have = sum(len(r) for r in rounds)
        idx = rng.integers(0, n_ballots, target - have)
        cvrs.append(["A" if i < 1100 else "B" for i in idx])
        rounds.append(["B" if i < wrong or i >= 1100 else "A" for i in idx])
        last = evaluate(spec, rounds, cvrs)[-1]
        if last.decision is Decision.CONFIRM:
            return True
        target = last.next_size
    return False


def _rate(trials: list[bool]) -> float:
    return sum(trials) / len(trials)


def _bound(alpha: float, n: int) -> float:
    """α plus three binomial standard errors: a rate above it is not sampling noise."""
    return alpha + 3 * math.sqrt(alpha * (1 - alpha) / n)


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("method", [Method.BRAVO, Method.MINERVA, Method.ALPHA])
def test_polling_methods_confirm_a_tie_at_most_alpha(method: Method, alpha: float) -> None:
    # Reported A 1,100 to B 900 of 2,000; in truth a tie, 1,000 each.
    spec = AuditSpec("s", AuditContest("c", {"A": 1100, "B": 900}, 2000), alpha, method, "1")
    truth = np.array([0] * 1000 + [1] * 1000)
    rng = np.random.default_rng(7 + int(alpha * 100))
    trials = [_polling_trial(spec, truth, rng) for _ in range(TRIALS)]
    assert _rate(trials) <= _bound(alpha, len(trials))


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("method", [Method.SUPERSIMPLE, Method.ALPHA_COMPARISON])
def test_comparison_methods_confirm_a_wrong_outcome_at_most_alpha(
    method: Method, alpha: float
) -> None:
    # 100 A records are B votes on paper: the paper is a 1,000-1,000 tie.
    spec = AuditSpec("s", AuditContest("c", {"A": 1100, "B": 900}, 2000), alpha, method, "1")
    rng = np.random.default_rng(11 + int(alpha * 100))
    trials = [_comparison_trial(spec, 100, rng) for _ in range(TRIALS)]
    assert _rate(trials) <= _bound(alpha, len(trials))


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_macro_confirms_a_wrong_outcome_at_most_alpha(alpha: float) -> None:
    """50 batches of 40, each reported A 22, B 18; on paper every batch is 20-20."""
    contest = AuditContest("c", {"A": 1100, "B": 900}, 2000)
    spec = AuditSpec("s", contest, alpha, Method.MACRO, "1")
    batches = [macro.Batch(f"b{i:02d}", 40, {"A": 22, "B": 18}) for i in range(50)]
    readings = {b.name: batch_reading({"A": 20, "B": 20}) for b in batches}
    rng = np.random.default_rng(3 + int(alpha * 100))
    step = macro.sample_size(contest, batches, alpha=alpha).n
    confirmed = []
    for _ in range(TRIALS):
        rounds: list[list[str]] = []
        target: int | None = step
        ok = False
        while target is not None:
            have = sum(len(r) for r in rounds)
            # Equal error bounds: PPEB draws batches uniformly, with replacement.
            rounds.append([batches[i].name for i in rng.integers(0, 50, target - have)])
            last = evaluate_batches(spec, batches, rounds, readings)[-1]
            ok = last.decision is Decision.CONFIRM
            target = last.next_size
        confirmed.append(ok)
    assert _rate(confirmed) <= _bound(alpha, len(confirmed))
