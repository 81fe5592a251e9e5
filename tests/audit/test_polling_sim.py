"""Simulated ballot-polling audits: checked against exact computations, and the risk limit.

Every statistical comparison allows 3.1 standard errors (a one-sided 99.9 % bound) of the
simulated rate: ``|rate − exact| ≤ 3.1 √(p(1 − p)/trials)``.  The validity tests (marked slow)
audit contests whose reported winner really tied or lost, and require the rate of wrongly
confirmed outcomes to be at most ``α + 3.1 √(α(1 − α)/trials)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from ballotproof.audit import bravo, minerva, polling_sim
from ballotproof.audit.contest import AuditContest
from ballotproof.errors import AnalysisError

ALPHA = 0.1
Z = 3.1


def contest(tally: dict[str, int], ballots: int, winners: int = 1) -> AuditContest:
    return AuditContest("c", tally, ballots, winners)


def close(rate: float, exact: float, trials: int) -> bool:
    return abs(rate - exact) <= Z * math.sqrt(max(exact * (1 - exact), 1e-12) / trials)


def within_risk_limit(rate: float, alpha: float, trials: int) -> bool:
    return rate <= alpha + Z * math.sqrt(alpha * (1 - alpha) / trials)


# --- against exact computations ----------------------------------------------------------------


def test_two_candidates_match_the_exact_stopping_distribution() -> None:
    c = contest({"w": 600, "l": 400}, 1000)
    trials = 20_000
    sim = polling_sim.simulate_bravo(c, alpha=ALPHA, trials=trials, seed=11)
    exact = bravo.stopping_distribution(0.6, alpha=ALPHA, max_draws=1000)
    assert close(sim.confirm_rate, exact.stopped, trials)
    for n in (30, 84, 149, 244, 538):  # Table 1 quantiles of the 20 % margin
        assert close(sim.finished_within(n), float(exact.stop[:n].sum()), trials), n


def test_ballots_for_neither_candidate_only_add_draws() -> None:
    # Half the ballots show neither: each relevant ballot costs two draws on average, so the
    # mean number of draws is twice the exact mean over relevant ballots.
    c = contest({"w": 300, "l": 200}, 1000)
    trials = 20_000
    sim = polling_sim.simulate_bravo(c, alpha=ALPHA, trials=trials, seed=12, max_draws=50_000)
    exact = bravo.stopping_distribution(0.6, alpha=ALPHA, max_draws=25_000)
    assert sim.confirm_rate == 1.0
    spread = float(np.std(sim.draws)) / math.sqrt(trials)
    assert sim.mean_draws is not None
    assert abs(sim.mean_draws - 2 * exact.expected_draws()) <= 4 * spread


def test_several_pairs_ballot_by_ballot() -> None:
    # With a third choice that has no votes, the pair (w, z) is confirmed after four ballots
    # for w, always before (w, l): the audit stops when (w, l) does.
    c = contest({"w": 600, "l": 400, "z": 0}, 1000)
    trials = 20_000
    sim = polling_sim.simulate_bravo(c, alpha=ALPHA, trials=trials, seed=13)
    exact = bravo.stopping_distribution(0.6, alpha=ALPHA, max_draws=1000)
    for n in (49, 84, 149, 244):
        assert close(sim.finished_within(n), float(exact.stop[:n].sum()), trials), n
    three = contest({"a": 500, "b": 300, "c": 200}, 1000)
    sim3 = polling_sim.simulate_bravo(three, alpha=ALPHA, trials=5000, seed=14)
    assert sim3.confirm_rate > 0.999
    assert sim3.mean_draws is not None
    assert 80 < sim3.mean_draws < 115  # Wald's ASN for the harder pair: 96


@pytest.mark.parametrize("n", [60, 119, 175, 342])
def test_first_round_probability_bravo(n: int) -> None:
    c = contest({"w": 600, "l": 400}, 1000)
    sim = polling_sim.first_round_probability(
        c, n, alpha=ALPHA, method="bravo", trials=20_000, seed=n
    )
    exact = float(bravo.stopping_probability(0.6, n, alpha=ALPHA))
    assert close(sim.first_round_rate, exact, sim.trials)


@pytest.mark.parametrize("n", [50, 102, 127, 173])
def test_first_round_probability_minerva(n: int) -> None:
    c = contest({"w": 60_000, "l": 40_000}, 100_000)
    sim = polling_sim.first_round_probability(c, n, alpha=ALPHA, trials=20_000, seed=n)
    exact = float(minerva.first_round_stopping_probability(0.6, n, alpha=ALPHA))
    assert close(sim.first_round_rate, exact, sim.trials)


def test_minerva_rounds_match_the_exact_schedule() -> None:
    c = contest({"w": 60_000, "l": 40_000}, 100_000)
    rounds = [100, 200, 400]
    trials = 20_000
    rule = minerva.minerva_schedule(0.6, rounds, alpha=ALPHA)
    sim = polling_sim.simulate_rounds(c, rounds, alpha=ALPHA, trials=trials, seed=21)
    for count, big_s in zip(sim.confirmed_in_round, rule.S, strict=True):
        assert close(count / trials, big_s, trials)


def test_minerva_sizes_with_ballots_for_neither_are_close_to_their_target() -> None:
    # With 1/6 of the ballots for neither w nor l, the size ⌈r/(p_w + p_l)⌉ only approximates
    # the target (the number of relevant ballots in the round is random): 123 → 0.69 for 0.7.
    c = contest({"a": 600, "b": 400, "c": 100}, 1200)
    sizes = minerva.minerva_sample_sizes(c, alpha=ALPHA)
    for size in sizes.sizes:
        sim = polling_sim.first_round_probability(c, size.n, alpha=ALPHA, trials=10_000, seed=3)
        assert abs(sim.first_round_rate - size.probability) < 0.03


def test_five_million_ballots_one_percent_margin() -> None:
    c = contest({"w": 2_525_000, "l": 2_475_000}, 5_000_000)
    trials = 2000
    sim = polling_sim.simulate_bravo(c, alpha=ALPHA, trials=trials, seed=5)
    assert sim.confirm_rate == 1.0
    # [LSY12] Table 1, 1 % margin: median 32,547 ballots (exactly 32,566 here)
    exact = bravo.stopping_distribution(0.505, alpha=ALPHA, max_draws=40_000)
    assert close(sim.finished_within(32_547), float(exact.stop[:32_547].sum()), trials)


# --- the interface -------------------------------------------------------------------------------


def fake_clock(times: list[float]) -> Iterator[float]:
    yield from times


def test_seeds_clock_and_json() -> None:
    c = contest({"w": 600, "l": 400}, 1000)
    a = polling_sim.simulate_bravo(c, alpha=ALPHA, trials=500, seed=1)
    b = polling_sim.simulate_bravo(c, alpha=ALPHA, trials=500, seed=1)
    other = polling_sim.simulate_bravo(c, alpha=ALPHA, trials=500, seed=2)
    assert np.array_equal(a.draws, b.draws) and not np.array_equal(a.draws, other.draws)
    assert a.seconds is None and a.audits_per_second is None
    ticks = fake_clock([10.0, 12.5])
    timed = polling_sim.simulate_bravo(
        c, alpha=ALPHA, trials=500, seed=1, clock=lambda: next(ticks)
    )
    assert timed.seconds == 2.5 and timed.audits_per_second == 200.0
    doc = timed.to_json()
    assert doc["method"] == "BRAVO" and doc["replacement"] is True and doc["trials"] == 500
    rounds = polling_sim.simulate_rounds(c, [50, 100], alpha=ALPHA, trials=100, seed=0)
    assert rounds.to_json()["round_sizes"] == [50, 100]
    assert rounds.method == "Minerva" and dict(rounds.true_tally) == {"w": 600, "l": 400}


def test_bad_inputs_are_refused() -> None:
    c = contest({"w": 600, "l": 400}, 1000)
    with pytest.raises(AnalysisError, match="trials"):
        polling_sim.simulate_bravo(c, alpha=ALPHA, trials=0)
    with pytest.raises(AnalysisError, match="method"):
        polling_sim.simulate_rounds(c, [10], alpha=ALPHA, method="athena", trials=10)
    with pytest.raises(AnalysisError, match="increasing"):
        polling_sim.simulate_rounds(c, [10, 5], alpha=ALPHA, trials=10)
    with pytest.raises(AnalysisError, match="votes for"):
        polling_sim.simulate_bravo(c, alpha=ALPHA, trials=10, true_tally={"w": 900, "l": 400})
    with pytest.raises(AnalysisError, match="unknown"):
        polling_sim.simulate_bravo(c, alpha=ALPHA, trials=10, true_tally={"q": 1})
    with pytest.raises(AnalysisError, match="vote-for-1"):
        two = contest({"a": 400, "b": 300, "c": 100}, 500, winners=2)
        polling_sim.simulate_bravo(two, alpha=ALPHA, trials=10)
    with pytest.raises(AnalysisError, match="alpha"):
        polling_sim.simulate_bravo(c, alpha=0.0, trials=10)


def test_a_tie_is_never_confirmed() -> None:
    c = contest({"w": 500, "l": 500}, 1000)
    assert polling_sim.simulate_bravo(c, alpha=ALPHA, trials=100).confirm_rate == 0.0
    rounds = polling_sim.simulate_rounds(c, [100], alpha=ALPHA, trials=100)
    assert rounds.confirm_rate == 0.0


# --- validity: wrong outcomes are confirmed at most α of the time ---------------------------

TRUTHS = {"tie": (1000, 1000), "reversed": (980, 1020)}


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("truth", sorted(TRUTHS))
def test_validity_bravo_ballot_by_ballot(alpha: float, truth: str) -> None:
    c = contest({"w": 1100, "l": 900}, 2000)
    w, l_ = TRUTHS[truth]
    trials = 100_000
    sim = polling_sim.simulate_bravo(
        c, alpha=alpha, trials=trials, true_tally={"w": w, "l": l_}, seed=101
    )
    assert within_risk_limit(sim.confirm_rate, alpha, trials)
    exact = bravo.stopping_distribution(0.55, alpha=alpha, max_draws=2000, true_share=w / 2000)
    assert close(sim.confirm_rate, exact.stopped, trials)


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_validity_bravo_several_pairs(alpha: float) -> None:
    # a and b really tie; c is a clear loser
    c = contest({"a": 450, "b": 350, "c": 200}, 1000)
    trials = 40_000
    sim = polling_sim.simulate_bravo(
        c, alpha=alpha, trials=trials, true_tally={"a": 400, "b": 400, "c": 200}, seed=102
    )
    assert within_risk_limit(sim.confirm_rate, alpha, trials)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["bravo", "minerva"])
@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize("truth", sorted(TRUTHS))
def test_validity_by_rounds(method: str, alpha: float, truth: str) -> None:
    # Reported 55 % to 45 %; four rounds, each the size that would stop 90 % of correct audits
    # in the first round.
    c = contest({"w": 55_000, "l": 45_000}, 100_000)
    plan = (minerva.minerva_sample_sizes if method == "minerva" else bravo.bravo_sample_sizes)(
        c, alpha=alpha, probabilities=(0.9,)
    )
    n1 = plan.size(0.9).n
    rounds = [n1, 2 * n1, 3 * n1, 4 * n1]
    w, l_ = TRUTHS[truth]
    trials = 100_000
    sim = polling_sim.simulate_rounds(
        c,
        rounds,
        alpha=alpha,
        method=method,
        trials=trials,
        true_tally={"w": 50 * w, "l": 50 * l_},
        seed=103,
    )
    assert within_risk_limit(sim.confirm_rate, alpha, trials)
    if method == "minerva" and truth == "tie":
        rule = minerva.minerva_schedule(0.55, rounds, alpha=alpha)
        assert close(sim.confirm_rate, rule.total_risk, trials)


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_validity_minerva_rounds_with_ballots_for_neither(alpha: float) -> None:
    c = contest({"a": 500, "b": 400, "c": 100}, 1100)
    n1 = minerva.minerva_sample_sizes(c, alpha=alpha, probabilities=(0.9,)).size(0.9).n
    trials = 20_000  # two rounds: k_min is computed once per distinct schedule of relevant counts
    sim = polling_sim.simulate_rounds(
        c,
        [n1, 2 * n1],
        alpha=alpha,
        trials=trials,
        true_tally={"a": 450, "b": 450, "c": 100},
        seed=104,
    )
    assert within_risk_limit(sim.confirm_rate, alpha, trials)


def test_simulated_minerva_rule_agrees_with_minerva_risk() -> None:
    # The simulation applies k_min per distinct schedule of relevant counts; minerva_risk
    # computes the same rule from a sample.  Random cumulative counts, some rounds adding no
    # ballot for w or l.
    rng = np.random.default_rng(7)
    trials, rounds, p = 150, 3, 0.58
    new_r = rng.integers(0, 60, size=(trials, rounds)) * (rng.random((trials, rounds)) > 0.15)
    new_k = rng.binomial(new_r, 0.6)
    r, k = np.cumsum(new_r, axis=1), np.cumsum(new_k, axis=1)
    simulated = polling_sim._minerva_pair_rounds(p, ALPHA, k, r)
    c = contest({"w": 58_000, "l": 42_000}, 100_000)
    for t in range(trials):
        expected = 0
        for j in range(rounds):
            samples = [{"w": int(k[t, i]), "l": int(r[t, i] - k[t, i])} for i in range(j + 1)]
            if minerva.minerva_risk(c, samples, alpha=ALPHA).pairs[0].stopped_round is not None:
                expected = j + 1
                break
        assert simulated[t] == expected, t
