"""Minerva's risk after several large rounds, against a peer implementation.

Regression for "Minerva in large rounds": the later-round laws used to be convolved by FFT on
the whole support and their tails summed from there, so FFT round-off (about 1e-16 of the
largest entry, kept where it came out positive) swamped every tail below about 1e-11: a
Georgia-sized third round whose risk is 3e-12 came out as 1.0, and moderate risks were off in
the 7th digit.

PEER: r2b2 (gwexploratoryaudits/r2b2, commit 43479256a349c5ffea061d1b8dcc8fac5d9a64de, the
authors' Python library), installed from that tree into a separate venv (Python 3.11.7, numpy
2.4.6, scipy 1.17.1), interactive API ::

    m = Minerva(alpha, 1.0, Contest(ballots, {"w": vw, "l": vl}, 1, ["w"],
                                    ContestType.PLURALITY))
    for n_j, k_j in earlier rounds: m.execute_round(n_j, {"w": k_j, "l": n_j - k_j})
    # last round: the steps execute_round takes before its stopping test
    m.rounds.append(n); m.sample_ballots["w"].append(k); m.sample_ballots["l"].append(n - k)
    m.current_dist_null(); m.current_dist_reported()
    risk[k] = m.compute_risk(k, "w-l")          # for each k listed
    k_min = m.next_min_winner_ballots_pairwise(m.sub_audits["w-l"])

r2b2 convolves with scipy.signal.convolve(method="direct"), whose every entry is a sum of
positive terms, and sums tails from k upwards, so its small values keep their relative
accuracy.  To make million-ballot rounds run in minutes, r2b2.audit.convolve was wrapped to
skip the leading and trailing exact zeros of both inputs (binomial pmfs underflow to 0 far
from their mode) and put them back: the same products less those with a factor of exactly 0.
Values are printed by json (repr, 17 digits); r2b2 does not cap its ratio at 1.
"""

from __future__ import annotations

import math

import pytest

from ballotproof.audit import bravo, minerva
from ballotproof.audit.contest import AuditContest, Decision

# name: (v_w, v_ℓ, ballots, α, cumulative relevant ballots n_j, k_j of the earlier rounds,
#        r2b2's k_min per round, {k of the last round: r2b2's risk})
PEER = {
    # Georgia 2020 president, Biden v Trump
    "georgia_3r": (2474248, 2461468, 5023513, 0.1, (1_000_000, 2_000_000, 3_000_000),
                   (500600, 1001300), (500673, 1001408, 1502049), {
        1501000: 2.690137796206769,
        1501500: 0.6875949297687493,
        1501800: 0.2523102765722741,
        1502000: 0.12054982261461218,
        1502049: 0.09981537945793705,
        1502300: 0.03636910249285978,
        1502700: 0.006442173092652656,
        1503200: 0.0006398684059409314,
        1503884: 2.3340042616906352e-05,
        1505000: 8.802026466291694e-08,
        1506000: 5.460395586281855e-10,
        1507000: 3.2695389055738685e-12,
        1508000: 1.9205885899250264e-14,
        1510000: 6.430621278992704e-19,
        # a second run of the same rounds (r2b2 gives 0 at 1,530,000: both of its tails
        # underflow there; ours is 7.5e-64, below end-of-round BRAVO's bound)
        1512000: 2.1090489208268748e-23,
        1515000: 3.889541587785927e-30,
        1520000: 2.2737011788288137e-41,
    }),
    "georgia_2r": (2474248, 2461468, 5023513, 0.1, (1_000_000, 2_000_000), (500600,),
                   (500673, 1001408), {
        1000500: 1.6242824895784191,
        1001000: 0.4205511560746772,
        1001408: 0.09984297747704972,
        1002000: 0.008426727150021594,
        1002589: 0.0005528133053021282,
        1004000: 5.269895815279402e-07,
        1006000: 2.0027102175172373e-11,
        1010000: 2.2815416456934915e-20,
    }),
    # 1 % margin, 5,000,000 ballots
    "margin1_3r": (2525000, 2475000, 5000000, 0.1, (200_000, 400_000, 600_000),
                   (100250, 200900), (100288, 200983, 301433), {
        301000: 14.936395554733254,
        301300: 0.5672382804004404,
        301433: 0.0989129804902775,
        301700: 0.0017397380975571442,
        302000: 9.775736104440513e-06,
        302500: 8.313715499954005e-10,
        303000: 4.987427774656038e-14,
        304000: 1.313757149663113e-22,
        306000: 6.621479619550829e-40,
    }),
    # 2 % margin, four rounds, α = 5 %
    "close_4r_a05": (510000, 490000, 1010000, 0.05, (20_000, 40_000, 60_000, 80_000),
                     (10100, 20200, 30300), (10122, 20227, 30328, 40428), {
        40300: 1.3633360694091263,
        40400: 0.11281168866341851,
        40428: 0.04958596055140467,
        40500: 0.004889861355945319,
        40600: 0.0001405627252993459,
        40800: 6.973290604868402e-08,
        41000: 2.7422046447254227e-11,
        41500: 6.569334024704427e-20,
        42000: 1.4311597331041067e-28,
    }),
}  # fmt: skip

CASES = [pytest.param(name, k, id=f"{name}-{k}") for name, case in PEER.items() for k in case[-1]]


def _risk(name: str, k_last: int) -> minerva.MinervaRisk:
    vw, vl, ballots, alpha, ns, ks, _, _ = PEER[name]
    c = AuditContest(name, {"w": vw, "l": vl}, ballots)
    ks_all = (*ks, k_last)
    return minerva.minerva_risk(
        c, [{"w": k, "l": n - k} for n, k in zip(ns, ks_all, strict=True)], alpha=alpha
    )


@pytest.mark.parametrize(("name", "k"), CASES)
def test_risk_of_large_rounds_matches_r2b2(name: str, k: int) -> None:
    # Both compute the same sums in double precision by different routes; they agree to
    # about 1e-12 everywhere, for risks from 0.7 down to 2e-41 (tails down to 1e-306).  The
    # old FFT code gave 1.0 for georgia_3r at k = 1,507,000 (risk 3.3e-12) and was 4e-7 off
    # at k = 1,503,884.
    *_, k_mins, risks = PEER[name]
    result = _risk(name, k)
    (pair,) = result.pairs
    assert tuple(r.k_min for r in pair.rounds) == k_mins
    assert pair.rounds[-1].risk == pytest.approx(min(1.0, risks[k]), rel=1e-10, abs=0.0)
    assert result.risk == pair.rounds[-1].risk
    confirms = pair.rounds[-1].k >= k_mins[-1]
    assert (result.decision is Decision.CONFIRM) == confirms == (result.risk <= PEER[name][3])


def test_georgia_schedule_spends_at_most_alpha() -> None:
    vw, vl, _, alpha, ns, _, k_mins, _ = PEER["georgia_3r"]
    rule = minerva.minerva_schedule(vw / (vw + vl), ns, alpha=alpha)
    assert rule.k_min == k_mins
    assert all(r <= alpha * s for r, s in zip(rule.R, rule.S, strict=True))
    assert 0.0 < rule.total_risk <= alpha * rule.stopping_probability <= alpha


@pytest.mark.parametrize("k", [1510000, 1520000, 1540000, 1600000, 2001300])
def test_tiny_risks_stay_below_bravo_at_the_end_of_the_round(k: int) -> None:
    # σ_j(k) = τ_j(k) Λ_j(k) with Λ_j BRAVO's likelihood ratio (2p)^k (2 − 2p)^(n − k), and
    # Λ_j grows with k, so the tail ratio is at most 1/Λ_j(k_j): Minerva's risk never exceeds
    # end-of-round BRAVO's on the same cumulative sample.  At the largest k both underflow.
    result = _risk("georgia_3r", k)
    vw, vl = PEER["georgia_3r"][:2]
    p = vw / (vw + vl)
    n = 3_000_000
    log_bravo = -(k * math.log(2 * p) + (n - k) * math.log(2 - 2 * p))
    assert 0.0 <= result.risk <= math.exp(log_bravo) * (1 + 1e-9)
    if log_bravo > -700:
        assert result.risk > 0.0
    c = AuditContest("g", {"w": vw, "l": vl}, 5023513)
    eor = bravo.bravo_risk(c, {"w": k, "l": n - k}, alpha=0.1)
    assert result.risk <= eor.risk * (1 + 1e-9)
