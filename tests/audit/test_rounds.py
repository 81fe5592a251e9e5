"""Later rounds sized by the evidence so far (BRAVO): exact, checked by brute force and
against Arlo's sizes for the same samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ballotproof.audit import bravo
from ballotproof.audit.contest import AuditContest
from ballotproof.audit.rounds import bravo_next_round, pair_next_relevant

# Arlo (VotingWorks) server/audit_math/bravo.py get_sample_size(10, contest, {"r1": sample}),
# the "0.9" size, at commit 8d86156c72aad7ab2bdf896fae0357eedbed2b5b, run in this workplace
# beside ballotproof. Arlo starts its search at the normal approximation's root and moves up
# from there; ballotproof scans up from below it, so it finds the smallest size with a 90 %
# chance: never more than Arlo's, here 0.3–2.4 % fewer.
ARLO = [
    ({"A": 600, "B": 400}, 1000, {"A": 45, "B": 40}, 404),
    ({"A": 600, "B": 400}, 1000, {"A": 50, "B": 50}, 498),
    ({"A": 1100, "B": 900}, 2000, {"A": 10, "B": 10}, 1453),
    ({"A": 2525000, "B": 2475000}, 5000000, {"A": 30000, "B": 29500}, 76390),
    ({"A": 52000, "B": 47000, "C": 1000}, 100000, {"A": 2000, "B": 1900, "C": 30}, 5566),
]


def _chance(s: float, log_t0: float, r: int, alpha: float) -> float:
    """Pr{the round of r relevant ballots finishes}, by summing the binomial pmf (oracle)."""
    z_w, z_l = math.log(2 * s), math.log(2 - 2 * s)
    need = math.log(1 / alpha) - log_t0
    x = np.arange(r + 1)
    return float(stats.binom.pmf(x, r, s)[x * z_w + (r - x) * z_l >= need - 1e-12].sum())


@pytest.mark.parametrize(("tally", "ballots", "sample", "arlo"), ARLO)
def test_never_more_than_arlo_and_close_to_it(
    tally: dict[str, int], ballots: int, sample: dict[str, int], arlo: int
) -> None:
    c = AuditContest("c", tally, ballots)
    ours = bravo_next_round(
        c, {p: (sample[p.winner], sample[p.loser]) for p in c.pairs()}, alpha=0.1
    )
    assert ours <= arlo <= math.ceil(ours * 1.03)


def test_no_evidence_gives_the_first_round() -> None:
    # Georgia 2020 and a 1 % margin of 5M: the first round of bravo_sample_sizes at 90 %.
    for tally, n in [
        ({"A": 2474248, "B": 2461468}, 5023513),
        ({"A": 2525000, "B": 2475000}, 5000000),
    ]:
        c = AuditContest("c", tally, n)
        first = bravo.bravo_sample_sizes(c, alpha=0.1, probabilities=(0.9,)).sizes[0].n
        assert bravo_next_round(c, {c.pairs()[0]: (0, 0)}, alpha=0.1) == first


@settings(max_examples=40)
@given(
    st.integers(55, 80),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from([0.05, 0.1]),
    st.sampled_from([0.5, 0.8, 0.9]),
)
def test_the_smallest_size_with_the_stated_chance(
    pct: int, n_w: int, n_l: int, alpha: float, probability: float
) -> None:
    s = pct / 100
    log_t0 = n_w * math.log(2 * s) + n_l * math.log(2 - 2 * s)
    r = pair_next_relevant(s, log_t0, alpha=alpha, probability=probability)
    if log_t0 >= math.log(1 / alpha):
        assert r == 0
        return
    assert _chance(s, log_t0, r, alpha) >= probability - 1e-9
    # Brute force: every smaller round has a smaller chance.
    if r < 400:
        assert all(_chance(s, log_t0, k, alpha) < probability for k in range(1, r))
