"""The stored multi-contest audit (shangrla-comparison) keeps its risk limit when a reported
outcome is wrong: a simulation through the method's own round rule (slow tier)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from ballotproof.audit.assertions import AuditedContest, Card, Rule, margins
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.multi import STORED
from ballotproof.audit.spec import AuditSpec, Method

ALPHA = 0.1
TRIALS = 400


def _election() -> tuple[list[Card], list[Card]]:
    """2,000 cards.  Mayor on every card, reported and true A 1,100 – B 900 (right).
    Measure on cards 0–999: the CVRs say Yes 520 – No 480, but 25 of the Yes records are No
    on paper, so the truth is Yes 495 – No 505: the reported outcome is wrong."""
    cvrs: list[Card] = []
    truth: list[Card] = []
    for i in range(2000):
        mayor = ("A",) if i % 20 < 11 else ("B",)
        cvr: dict[str, tuple[str, ...]] = {"Mayor": mayor}
        real: dict[str, tuple[str, ...]] = {"Mayor": mayor}
        if i < 1000:
            yes = i < 520
            cvr["Measure"] = ("Yes",) if yes else ("No",)
            real["Measure"] = ("Yes",) if i < 495 else ("No",)
        cvrs.append(cvr)
        truth.append(real)
    return cvrs, truth


def _spec(cvrs: list[Card], *, measure_targeted: bool) -> AuditSpec:
    contests = (
        AuditedContest("Mayor", ("A", "B"), ("A",), 2000),
        AuditedContest("Measure", ("Yes", "No"), ("Yes",), 1000, measure_targeted),
    )
    reported = {(c.name, a.name): v for c in contests for a, v in margins(c, cvrs).items()}
    headline = AuditContest("Mayor", {"A": 1100, "B": 900}, 2000)
    return AuditSpec(
        "sim", headline, ALPHA, Method.SHANGRLA_COMPARISON, "seed", contests=contests,
        margins=reported,
    )  # fmt: skip


def _confirmations(spec: AuditSpec, cvrs: list[Card], truth: list[Card], seed: int) -> int:
    rng = np.random.default_rng(seed)
    confirmed = 0
    for _ in range(TRIALS):
        drawn: list[int] = []
        rounds: list[list[Card | None]] = []
        records: list[list[Card]] = []
        target = STORED.first_round_size(spec)
        while True:
            new = rng.integers(0, len(cvrs), target - len(drawn)).tolist()
            drawn += new
            rounds.append([truth[i] for i in new])
            records.append([cvrs[i] for i in new])
            last = STORED.evaluate(spec, rounds, records)[-1]
            if last.decision is Decision.NEXT_ROUND:
                assert last.next_size is not None and last.next_size > len(drawn)
                target = last.next_size
                continue
            confirmed += last.decision is Decision.CONFIRM
            break
    return confirmed


@pytest.mark.slow
def test_a_wrong_targeted_outcome_is_confirmed_at_most_alpha_of_the_time() -> None:
    cvrs, truth = _election()
    spec = _spec(cvrs, measure_targeted=True)
    assert spec.margins[("Measure", "Yes v No")] == Fraction(40, 1000)
    rate = _confirmations(spec, cvrs, truth, seed=20261201) / TRIALS
    se = math.sqrt(ALPHA * (1 - ALPHA) / TRIALS)
    assert rate <= ALPHA + 3 * se, rate


@pytest.mark.slow
def test_the_same_sample_confirms_the_right_contest_when_the_wrong_one_is_opportunistic() -> None:
    """The comparison the first test needs: with Measure only reported, the set (Mayor,
    whose outcome is right) is confirmed almost always, so the first test's low rate comes
    from Measure being wrong, not from an audit that never confirms."""
    cvrs, truth = _election()
    spec = _spec(cvrs, measure_targeted=False)
    rate = _confirmations(spec, cvrs, truth, seed=7) / TRIALS
    assert rate >= 0.9, rate


@pytest.mark.slow
def test_a_wrong_supermajority_is_confirmed_at_most_alpha_of_the_time() -> None:
    """Measure A needs 2/3: the records say Yes 700 – No 300 of 1,000 cards, the paper Yes 650
    – No 350 (a 65 % share: the reported outcome is wrong), beside a right Mayor contest."""
    cvrs, truth = _election()
    for i in range(1000):
        cvrs[i] = {**cvrs[i], "Measure": ("Yes",) if i < 700 else ("No",)}
        truth[i] = {**truth[i], "Measure": ("Yes",) if i < 650 else ("No",)}
    contests = (
        AuditedContest("Mayor", ("A", "B"), ("A",), 2000),
        AuditedContest(
            "Measure", ("Yes", "No"), ("Yes",), 1000, rule=Rule.SUPERMAJORITY,
            share_to_win=Fraction(2, 3),
        ),
    )  # fmt: skip
    reported = {(c.name, a.name): v for c in contests for a, v in margins(c, cvrs).items()}
    assert reported[("Measure", "Yes v all others")] == Fraction(1, 20)
    spec = AuditSpec(
        "sim", AuditContest("Mayor", {"A": 1100, "B": 900}, 2000), ALPHA,
        Method.SHANGRLA_COMPARISON, "seed", contests=contests, margins=reported,
    )  # fmt: skip
    rate = _confirmations(spec, cvrs, truth, seed=31) / TRIALS
    assert rate <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / TRIALS), rate
