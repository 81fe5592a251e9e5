"""Minerva: published numbers, exact oracles and properties.

Sources of the published numbers:

* [ZMMMV21] Zagórski, McClearn, Morin, McBurnett & Vora, "The Athena Class of Risk-Limiting
  Ballot Polling Audits" (arXiv:2008.02315) / "Minerva — An Efficient Risk-Limiting Ballot
  Polling Audit" (USENIX Security 2021): first-round sizes for a 90 % stopping probability,
  α = 10 %, 2016 US presidential election by state, Minerva and end-of-round BRAVO.  Rows as in
  the authors' repository gwexploratoryaudits/brla_explore,
  R2Audits/Athena/Scripts/2016_Presidential/ForMatlabEoR.tex; the state tallies they used
  (two-candidate votes and ballots) from gwexploratoryaudits/r2b2,
  simulation_scripts/data/2016_presidential.json.
* [r2b2] gwexploratoryaudits/r2b2, src/r2b2/tests/test_minerva.py (Minerva(.1, .1, contest)
  .compute_min_winner_ballots([100, 200, 400]) and min_sample_size).
* [Arlo] votingworks/arlo, server/tests/audit_math/test_minerva.py (compute_risk and
  collect_risks, which call the authors' athena package), printed to 16 digits.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ballotproof.audit import bravo, minerva
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.errors import AnalysisError

ALPHA = 0.1


def contest(tally: dict[str, int], ballots: int, winners: int = 1) -> AuditContest:
    return AuditContest("c", tally, ballots, winners)


SIXTY_FORTY = contest({"w": 60_000, "l": 40_000}, 100_000)


# --- published numbers -----------------------------------------------------------------------


def test_first_round_58_stops_57_does_not() -> None:
    # 60,000 v 40,000 of 100,000 ballots, α = 10 %, a first round of 100 ballots.
    stops = minerva.minerva_risk(SIXTY_FORTY, [{"w": 58, "l": 42}], alpha=ALPHA)
    goes_on = minerva.minerva_risk(SIXTY_FORTY, [{"w": 57, "l": 43}], alpha=ALPHA)
    assert stops.decision is Decision.CONFIRM and goes_on.decision is Decision.NEXT_ROUND
    assert stops.risk == pytest.approx(0.095596, abs=5e-7)
    assert goes_on.risk == pytest.approx(0.126625, abs=5e-7)
    assert int(minerva.first_round_k_min(100, 0.6, alpha=ALPHA)) == 58


def test_r2b2_k_mins_for_three_rounds() -> None:
    # [r2b2] test_minerva_kmins: rounds 100, 200, 400 → 58, 113, 221
    rule = minerva.minerva_schedule(0.6, [100, 200, 400], alpha=ALPHA)
    assert rule.k_min == (58, 113, 221)


@pytest.mark.parametrize(("p", "alpha", "n"), [(0.6, 0.1, 13), (1.0, 0.05, 5), (0.51, 0.05, 152)])
def test_r2b2_minimum_round(p: float, alpha: float, n: int) -> None:
    # [r2b2] test_min_sample_size: the smallest round with any k_min
    assert minerva.minimum_first_round(p, alpha=alpha) == n
    assert minerva.first_round_k_min(n, p, alpha=alpha) <= n
    assert minerva.first_round_k_min(n - 1, p, alpha=alpha) == n


# [Arlo] risks: (test, tally, ballots, winners, cumulative samples per round, risk, confirms)
ARLO_RISKS = [
    ("compute_risk", {"a": 600, "b": 400, "c": 100}, 1200, 1, [{"a": 56, "b": 40, "c": 3}],
     0.0933945799801079, True),
    ("collect_risks", {"a": 600, "b": 400, "c": 100}, 1200, 1, [{"a": 40, "b": 40, "c": 3}],
     0.5596434615209632, False),
    ("compute_risk_2r", {"a": 600, "b": 400, "c": 100}, 1200, 1,
     [{"a": 40, "b": 40, "c": 3}, {"a": 110, "b": 70, "c": 13}], 0.006382031505998192, True),
    ("compute_risk_2win", {"a": 400, "b": 400, "c": 200, "d": 100}, 550, 2,
     [{"a": 40, "b": 40, "c": 18, "d": 2}], 0.0064653703790821795, True),
    ("compute_risk_2win_2", {"a": 400, "b": 400, "c": 200, "d": 100}, 550, 2,
     [{"a": 30, "b": 30, "c": 30, "d": 10}], 0.552702598296842, False),
    ("compute_risk_2win_2_2r", {"a": 400, "b": 400, "c": 200, "d": 100}, 550, 2,
     [{"a": 30, "b": 30, "c": 30, "d": 10}, {"a": 80, "b": 80, "c": 55, "d": 35}],
     0.083535346859948, True),
    ("compute_risk_delta", {"W": 1613896, "L": 1270718, "C": 978667, "x": 132}, 2452511, 2,
     [{"W": 384, "L": 276, "C": 234, "x": 1}], 0.039858047805999164, True),
    ("close_narrow", {"a": 5100000, "b": 4900000, "c": 100}, 10100100, 1,
     [{"a": 5100, "b": 4990, "c": 1}], 0.16896200607848647, False),
    ("close_narrow_2", {"a": 5100000, "b": 4900000, "c": 100}, 10100100, 1,
     [{"a": 5100, "b": 4990, "c": 1}, {"a": 10200, "b": 9890, "c": 1}],
     0.03907953348498701, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "tally", "ballots", "winners", "samples", "risk", "confirms"), ARLO_RISKS
)
def test_arlo_risks(
    name: str,
    tally: dict[str, int],
    ballots: int,
    winners: int,
    samples: list[dict[str, int]],
    risk: float,
    confirms: bool,
) -> None:
    # Arlo's samples are per round and exclude undervotes; here they are cumulative and the
    # undervotes are the ballots not in the tally.  Printed to 16 digits; the two
    # implementations sum the convolutions differently, so agreement is to 1e-9.
    result = minerva.minerva_risk(contest(tally, ballots, winners), samples, alpha=ALPHA)
    assert result.risk == pytest.approx(risk, rel=1e-9)
    assert (result.decision is Decision.CONFIRM) == confirms


# [ZMMMV21] 2016 presidential, α = 10 %, 90 %: state → (ballots, Clinton, Trump, EoR BRAVO,
# Minerva).  Michigan (0.24 % margin) is left out: both printed sizes are 3.9 % below ours
# (1,259,688 v 1,311,311 and 2,618,926 v 2,724,908), as if a different ballot count had been
# used for it; every other state agrees exactly.
STATES_2016 = {
    "Alabama": (2123372, 729547, 1318255, 181, 94),
    "Alaska": (318608, 116454, 163387, 590, 295),
    "Arizona": (2573165, 1161167, 1252401, 10732, 5204),
    "Arkansas": (1130635, 380494, 684872, 187, 96),
    "California": (14181595, 8753788, 4483810, 148, 79),
    "Colorado": (2780247, 1338870, 1202484, 5475, 2676),
    "Connecticut": (1644920, 897572, 673215, 748, 374),
    "Delaware": (443814, 235603, 185127, 1057, 523),
    "District of Columbia": (311268, 282830, 12723, 15, 8),
    "Florida": (9420039, 4504975, 4617886, 96608, 46563),
    "Georgia": (4114732, 1877963, 2089104, 5266, 2567),
    "Hawaii": (428937, 266891, 128847, 128, 68),
    "Idaho": (690255, 189765, 409055, 120, 64),
    "Illinois": (5536424, 3090729, 2146015, 474, 242),
    "Indiana": (2734958, 1033126, 1557286, 374, 187),
    "Iowa": (1566031, 653669, 800983, 1520, 753),
    "Kansas": (1184402, 427005, 671018, 318, 162),
    "Kentucky": (1924149, 628854, 1202971, 155, 79),
    "Louisiana": (2029032, 780154, 1178638, 365, 182),
    "Maine": (747927, 357735, 335593, 15202, 7358),
    "Maryland": (2781446, 1677928, 943169, 197, 98),
    "Massachusetts": (3325046, 1995196, 1090893, 180, 93),
    "Minnesota": (2944813, 1367716, 1322951, 56680, 27421),
    "Mississippi": (1209357, 485131, 700714, 453, 224),
    "Missouri": (2808605, 1071068, 1594511, 401, 201),
    "Montana": (497147, 177709, 279240, 320, 164),
    "Nebraska": (844227, 284494, 495961, 213, 110),
    "Nevada": (1125385, 539260, 512058, 22943, 11110),
    "New Jersey": (3874046, 2148278, 1601933, 703, 350),
    "New Mexico": (798319, 385234, 319667, 1888, 934),
    "New York": (7721453, 4556124, 2819534, 272, 140),
    "North Carolina": (4741564, 2189316, 2362631, 10330, 5000),
    "North Dakota": (344360, 93758, 216794, 98, 55),
    "Ohio": (5496487, 2394164, 2841005, 2077, 1018),
    "Oklahoma": (1452992, 420375, 949136, 101, 55),
    "Oregon": (2001336, 1002106, 782403, 1068, 535),
    "Pennsylvania": (6165478, 2926441, 2970733, 265245, 127792),
    "Rhode Island": (464144, 252525, 180543, 562, 280),
    "South Carolina": (2103027, 855373, 1155389, 683, 344),
    "South Dakota": (370093, 117458, 227721, 154, 79),
    "Tennessee": (2508027, 870695, 1522925, 206, 106),
    "Texas": (8969226, 3877868, 4685047, 1706, 833),
    "Utah": (1131430, 310676, 515231, 329, 165),
    "Vermont": (315067, 178573, 95369, 180, 91),
    "Virginia": (3984631, 1981473, 1769443, 4790, 2329),
    "Washington": (3317019, 1742718, 1221747, 525, 265),
    "West Virginia": (714423, 188794, 489371, 76, 41),
    "Wisconsin": (2976150, 1382536, 1405284, 229503, 110622),
    "Wyoming": (255849, 55973, 174419, 59, 29),
}


def _state(name: str) -> AuditContest:
    ballots, clinton, trump, _, _ = STATES_2016[name]
    return AuditContest(name, {"Clinton": clinton, "Trump": trump}, ballots)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.slow) if STATES_2016[n][4] > 20_000 else n
        for n in STATES_2016
    ],
)
def test_first_round_sizes_2016(name: str) -> None:
    # The printed sizes are where the stopping probability stays at or above 90 % (in ballots
    # for the two candidates), scaled by ballots / (Clinton + Trump) and rounded up.
    *_, eor_bravo, minerva_size = STATES_2016[name]
    c = _state(name)
    m = minerva.minerva_sample_sizes(c, alpha=ALPHA, probabilities=(0.9,), sustained=True)
    assert m.size(0.9).n == minerva_size
    b = bravo.bravo_sample_sizes(c, alpha=ALPHA, probabilities=(0.9,), sustained=True)
    assert b.size(0.9).n == eor_bravo


@pytest.mark.slow
def test_first_round_sizes_2016_new_hampshire() -> None:
    # Minerva 475,357 agrees; the printed EoR BRAVO size 1,007,590 exceeds the 744,296 ballots,
    # which here means a full hand count.
    c = AuditContest("New Hampshire", {"Clinton": 348526, "Trump": 345790}, 744296)
    m = minerva.minerva_sample_sizes(c, alpha=ALPHA, probabilities=(0.9,), sustained=True)
    assert m.size(0.9).n == 475357
    b = bravo.bravo_sample_sizes(c, alpha=ALPHA, probabilities=(0.9,), sustained=True)
    assert b.size(0.9).decision is Decision.FULL_HAND_COUNT and b.size(0.9).n == 744296


# --- exact first round ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    p=st.floats(min_value=0.51, max_value=1.0),
    alpha=st.floats(min_value=0.001, max_value=0.5),
    n=st.integers(1, 3000),
    data=st.data(),
)
def test_first_round_risk_is_the_exact_tail_ratio(
    p: float, alpha: float, n: int, data: st.DataObject
) -> None:
    k = data.draw(st.integers(0, n))
    vw = round(p * 1_000_000)
    c = contest({"w": vw, "l": 1_000_000 - vw}, 1_000_000)
    result = minerva.minerva_risk(c, [{"w": k, "l": n - k}], alpha=alpha)
    s = vw / 1_000_000
    null, alt = stats.binom.sf(k - 1, n, 0.5), stats.binom.sf(k - 1, n, s)
    expected = min(1.0, null / alt) if alt > 0 else 0.0
    assert result.risk == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert 0.0 <= result.risk <= 1.0
    assert (result.decision is Decision.CONFIRM) == (result.risk <= alpha)
    k_min = int(minerva.first_round_k_min(n, s, alpha=alpha))
    assert (result.decision is Decision.CONFIRM) == (k >= k_min)
    if k < n:
        more = minerva.minerva_risk(c, [{"w": k + 1, "l": n - k - 1}], alpha=alpha)
        assert more.risk <= result.risk


def test_first_round_k_min_is_monotone_and_steps_by_at_most_one() -> None:
    # The size search relies on k_min,1 being non-decreasing in n (at fixed k the tail ratio
    # grows with n); it also never jumps by more than one.
    for p in (0.51, 0.55, 0.6, 0.8, 1.0):
        n = np.arange(1, 5000)
        k = minerva.first_round_k_min(n, p, alpha=ALPHA)
        steps = np.diff(np.where(k <= n, k, -1)[k <= n])
        assert ((steps == 0) | (steps == 1)).all()


# --- later rounds ------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.05, 0.1])
@pytest.mark.parametrize(
    ("p", "schedule"),
    [
        (0.6, [100, 200, 400]),
        (0.55, [300, 600, 900, 1500]),
        (0.52, [2000, 4000, 8000]),
        (0.75, [10, 20, 30, 40, 50, 60]),
        (1.0, [5, 10, 20]),
    ],
)
def test_exact_total_risk_is_at_most_alpha(alpha: float, p: float, schedule: list[int]) -> None:
    rule = minerva.minerva_schedule(p, schedule, alpha=alpha)
    assert rule.total_risk <= alpha
    for big_r, big_s in zip(rule.R, rule.S, strict=True):
        assert big_r <= alpha * big_s * (1 + 1e-12)
    assert 0 < rule.stopping_probability <= 1


@settings(max_examples=60, deadline=None)
@given(
    p=st.floats(min_value=0.52, max_value=0.9),
    alpha=st.sampled_from([0.05, 0.1, 0.2]),
    sizes=st.lists(st.integers(5, 300), min_size=2, max_size=4),
    data=st.data(),
)
def test_multi_round_decision_follows_k_min(
    p: float, alpha: float, sizes: list[int], data: st.DataObject
) -> None:
    schedule = list(np.cumsum(sizes))
    vw = round(p * 100_000)
    c = contest({"w": vw, "l": 100_000 - vw}, 100_000)
    rule = minerva.minerva_schedule(vw / 100_000, schedule, alpha=alpha)
    ks, k = [], 0
    for j, d in enumerate(sizes):
        k += data.draw(st.integers(0, d))
        ks.append(k)
        if rule.k_min[j] is not None and k >= rule.k_min[j]:
            break  # the audit would have stopped here
    samples = [{"w": kk, "l": int(schedule[j]) - kk} for j, kk in enumerate(ks)]
    result = minerva.minerva_risk(c, samples, alpha=alpha)
    (pair,) = result.pairs
    last = pair.rounds[-1]
    assert 0.0 <= result.risk <= 1.0
    assert last.k_min == rule.k_min[len(ks) - 1]
    assert last.stops == (last.k_min is not None and last.k >= last.k_min)
    assert (result.decision is Decision.CONFIRM) == last.stops == (last.risk <= alpha)


def test_rounds_are_cumulative_and_rounds_without_relevant_ballots_are_skipped() -> None:
    c = contest({"w": 600, "l": 400, "x": 100}, 1200)
    with pytest.raises(AnalysisError, match="cumulative"):
        minerva.minerva_risk(c, [{"w": 10, "l": 5}, {"w": 9, "l": 8}], alpha=ALPHA)
    r = minerva.minerva_risk(
        c, [{"w": 40, "l": 40, "x": 3}, {"w": 40, "l": 40, "x": 9}], alpha=ALPHA
    )
    pair = next(p for p in r.pairs if p.pair.loser == "l")
    assert len(pair.rounds) == 1  # the second round added no ballot for w or l


# --- sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.55, 0.6, 0.75])
@pytest.mark.parametrize("target", [0.7, 0.8, 0.9])
def test_sizes_are_the_smallest_reaching_the_probability(p: float, target: float) -> None:
    n = np.arange(1, 3000)
    prob = minerva.first_round_stopping_probability(p, n, alpha=ALPHA)
    vw = round(p * 100_000)
    c = contest({"w": vw, "l": 100_000 - vw}, 100_000)
    first = minerva.minerva_sample_sizes(c, alpha=ALPHA, probabilities=(target,))
    sustained = minerva.minerva_sample_sizes(
        c, alpha=ALPHA, probabilities=(target,), sustained=True
    )
    assert first.size(target).n == int(n[np.argmax(prob >= target)])
    assert sustained.size(target).n == int(n[prob < target][-1]) + 1


def test_sixty_forty_sizes_and_minimum() -> None:
    sizes = minerva.minerva_sample_sizes(SIXTY_FORTY, alpha=ALPHA)
    assert [s.n for s in sizes.sizes] == [102, 127, 173]
    assert sizes.n_min == 13
    assert sizes.to_json()["sizes"][2]["n"] == 173  # type: ignore[index]


def test_tie_landslide_and_too_large() -> None:
    tie = contest({"a": 500, "b": 500}, 1000)
    assert minerva.minerva_sample_sizes(tie, alpha=ALPHA).decision is Decision.FULL_HAND_COUNT
    assert minerva.minerva_risk(tie, [{"a": 90, "b": 10}], alpha=ALPHA).decision is (
        Decision.FULL_HAND_COUNT
    )
    landslide = contest({"a": 100, "b": 0}, 100)
    # (1/2)^4 = 0.0625 ≤ 0.1 < (1/2)^3: four ballots, whatever the target ([Arlo] also 4)
    assert [s.n for s in minerva.minerva_sample_sizes(landslide, alpha=ALPHA).sizes] == [4] * 3
    close = contest({"a": 51, "b": 49}, 100)
    sizes = minerva.minerva_sample_sizes(close, alpha=ALPHA)
    assert all(s.decision is Decision.FULL_HAND_COUNT and s.n == 100 for s in sizes.sizes)


def test_errors_and_full_count() -> None:
    c = contest({"a": 60, "b": 40}, 110)
    with pytest.raises(AnalysisError, match="alpha"):
        minerva.minerva_risk(c, [{"a": 1}], alpha=1.0)
    with pytest.raises(AnalysisError, match="at least one round"):
        minerva.minerva_risk(c, [], alpha=ALPHA)
    with pytest.raises(AnalysisError, match="increasing"):
        minerva.minerva_schedule(0.6, [10, 10], alpha=ALPHA)
    with pytest.raises(AnalysisError, match="round sizes for"):
        minerva.minerva_risk(c, [{"a": 1}], alpha=ALPHA, round_sizes=[1, 2])
    with pytest.raises(AnalysisError, match="without replacement"):
        minerva.minerva_risk(c, [{"a": 60, "b": 40}], alpha=ALPHA, round_sizes=[111],
                             replacement=False)  # fmt: skip
    counted = minerva.minerva_risk(
        c, [{"a": 60, "b": 40}], alpha=ALPHA, round_sizes=[110], replacement=False
    )
    assert counted.decision is Decision.CONFIRM and counted.risk == 0.0
    # three ballots, all for a: the tail ratio is (0.5/0.6)^3
    assert minerva.minerva_risk(c, [{"a": 3}], alpha=ALPHA).risk == pytest.approx((5 / 6) ** 3)


# --- later rounds against exact rational arithmetic -----------------------------------------


def _exact_rounds(
    vw: int, vl: int, alpha: float, schedule: list[int], observed: list[int]
) -> list[tuple[int | None, float]]:
    """(k_min_j, risk at k_j) per round by exact integer arithmetic, from the definitions:
    c_j(k) counts the w/ℓ sequences of n_j relevant ballots with k for w that did not stop
    before (τ_j(k) = c_j(k)/2^n_j, σ_j(k) = c_j(k) v_w^k v_ℓ^(n_j−k)/(v_w + v_ℓ)^n_j)."""
    from fractions import Fraction
    from math import comb

    counts, previous, out = [1], 0, []
    for n, k_obs in zip(schedule, observed, strict=True):
        row = [comb(n - previous, x) for x in range(n - previous + 1)]
        new = [0] * (len(counts) + len(row) - 1)
        for i, c in enumerate(counts):
            for x, b in enumerate(row):
                new[i + x] += c * b
        counts = new
        null = [0] * (len(counts) + 1)
        alt = [0] * (len(counts) + 1)
        for k in range(len(counts) - 1, -1, -1):
            null[k] = null[k + 1] + counts[k]
            alt[k] = alt[k + 1] + counts[k] * vw**k * vl ** (n - k)

        ratio = [
            Fraction(null[k] * (vw + vl) ** n, alt[k] * 2**n) if alt[k] else Fraction(0)
            for k in range(len(counts))
        ]
        k_min = next((k for k, r in enumerate(ratio) if alt[k] and r <= Fraction(alpha)), None)
        out.append((k_min, float(min(ratio[k_obs], Fraction(1)))))
        counts = counts if k_min is None else counts[:k_min]
        previous = n
    return out


@pytest.mark.parametrize("force_fft", [False, True])
@pytest.mark.parametrize(
    ("vw", "vl", "alpha", "schedule", "earlier", "last"),
    [
        (55, 45, 0.1, [200, 400, 600], [110, 215], [215, 300, 310, 323, 350, 380, 400, 415]),
        (60, 40, 0.05, [50, 100, 250], [27, 53], [53, 120, 140, 160, 190, 203]),
        (51, 49, 0.2, [300, 500, 700, 900], [150, 252, 352], [352, 460, 470, 480, 500, 552]),
    ],
)
def test_later_rounds_match_exact_rational_arithmetic(
    monkeypatch: pytest.MonkeyPatch,
    force_fft: bool,
    vw: int,
    vl: int,
    alpha: float,
    schedule: list[int],
    earlier: list[int],
    last: list[int],
) -> None:
    # Risks from 1 down to 1e-60 in the last round, to 1e-11 relative: the tails are summed in
    # logs from tilted convolutions, never from differences of large sums.  With force_fft
    # every convolution goes through the FFT (as large rounds do).
    if force_fft:
        monkeypatch.setattr(minerva, "_DIRECT_LIMIT", 0)
    c = contest({"w": vw, "l": vl}, vw + vl)
    for k_last in last:
        ks = [*earlier, k_last]
        exact = _exact_rounds(vw, vl, alpha, schedule, ks)
        samples = [{"w": k, "l": n - k} for n, k in zip(schedule, ks, strict=True)]
        (pair,) = minerva.minerva_risk(c, samples, alpha=alpha).pairs
        assert [r.k_min for r in pair.rounds] == [e[0] for e in exact]
        assert pair.rounds[-1].risk == pytest.approx(exact[-1][1], rel=1e-11, abs=0.0)


def test_binomial_tail_is_scipys() -> None:
    # _binom_sf, _pmf and _isf skip scipy.stats' per-call argument handling: same values.
    rng = np.random.default_rng(7)
    for p in (0.0, 0.3, 0.5, 0.5013, 0.6, 0.999, 1.0):
        for top in (40, 5000, 3_000_000):
            n = rng.integers(0, top, 2000)
            k = rng.integers(-3, top + 3, 2000)
            near = n // 2 + rng.integers(-3 * int(np.sqrt(top)), 3 * int(np.sqrt(top)), 2000)
            for kk in (k, near):
                expected = stats.binom.sf(kk, n, p)
                assert np.array_equal(minerva._binom_sf(kk, n, p), expected, equal_nan=True)
            inside = np.clip(near, 0, top)
            pmf = stats.binom.pmf(inside, top, p)
            assert np.array_equal(minerva._binom_pmf(inside, top, p), pmf, equal_nan=True)
        for q in (0.001, 0.05, 0.1, 0.5, 0.9):
            n = np.concatenate([np.arange(300), rng.integers(0, 5_000_000, 500)])
            isf = stats.binom.isf(q, n, p)
            assert np.array_equal(minerva._binom_isf(q, n, p), isf.astype(np.int64))


def test_landslide_and_tie_in_later_rounds() -> None:
    # p = 1: once round 1 can stop, a sample that did not stop there contains a ballot for ℓ,
    # which the alternative cannot produce: no later round can stop and the risk is 1.
    landslide = contest({"a": 100, "b": 0}, 100)
    r = minerva.minerva_risk(landslide, [{"a": 4, "b": 1}, {"a": 9, "b": 1}], alpha=ALPHA)
    assert [x.k_min for x in r.pairs[0].rounds] == [5, None]
    assert r.risk == 1.0 and r.decision is Decision.NEXT_ROUND
    rule = minerva.minerva_schedule(1.0, [5, 10, 20], alpha=ALPHA)
    assert rule.k_min == (5, None, None) and rule.S[1:] == (0.0, 0.0)


# --- sizes against a full scan -----------------------------------------------------------------


def _scan(p: float, alpha: float, target: float, cap: int, sustained: bool) -> int | None:
    """The size from its definition: every n evaluated, in order, as far as needed."""
    chunk = 1 << 16

    def hits(lo: int, hi: int) -> npt.NDArray[np.bool_]:
        n = np.arange(lo, hi + 1)
        return minerva.first_round_stopping_probability(p, n, alpha=alpha) >= target

    first = None
    for lo in range(1, cap + 1, chunk):
        h = np.flatnonzero(hits(lo, min(cap, lo + chunk - 1)))
        if h.size:
            first = lo + int(h[0])
            break
    if first is None or not sustained:
        return first
    top = min(cap, 2 * first + 64)
    while True:
        misses = np.flatnonzero(~hits(first, top))
        if not misses.size:
            return first
        miss = first + int(misses[-1])
        if miss < top - 64 or top >= cap:
            return miss + 1 if miss < cap else None
        top = min(cap, 2 * top)


@pytest.mark.parametrize(
    ("vw", "vl", "alpha"),
    [(5200, 4800, 0.1), (5100, 4900, 0.05), (5050, 4950, 0.1), (5500, 4500, 0.2), (70, 30, 0.1)],
)
@pytest.mark.parametrize("sustained", [False, True])
def test_sizes_are_those_of_a_full_scan(vw: int, vl: int, alpha: float, sustained: bool) -> None:
    # The search rules blocks of sizes (and of k_min's teeth) out by bounds; a scan of every
    # size must agree, for targets whose answers lie in the saw-tooth's ragged zone.
    c = contest({"w": vw, "l": vl}, vw + vl)
    targets = (0.5, 0.7, 0.8, 0.9, 0.95)
    sizes = minerva.minerva_sample_sizes(c, alpha=alpha, probabilities=targets, sustained=sustained)
    for size in sizes.sizes:
        expected = _scan(vw / (vw + vl), alpha, size.probability, vw + vl, sustained)
        assert size.r == expected, size.probability


@pytest.mark.parametrize(
    ("vw", "vl", "ballots", "targets"),
    [
        pytest.param(2525000, 2475000, 5000000, (0.7, 0.9), marks=pytest.mark.slow),  # 1 %
        pytest.param(
            2474248, 2461468, 5023513, (0.7, 0.8, 0.9), marks=pytest.mark.slow
        ),  # Georgia 2020: about a million ballots to scan
    ],
)
def test_large_sizes_are_those_of_a_full_scan(
    vw: int, vl: int, ballots: int, targets: tuple[float, ...]
) -> None:
    c = contest({"w": vw, "l": vl}, ballots)
    sizes = minerva.minerva_sample_sizes(c, alpha=ALPHA, probabilities=targets)
    for size in sizes.sizes:
        assert size.r == _scan(vw / (vw + vl), ALPHA, size.probability, vw + vl, False)
    if vw == 2474248:  # as the plan prints them
        assert [s.n for s in sizes.sizes] == [607791, 766679, 1043987]


@settings(max_examples=40, deadline=None)
@given(
    vw=st.integers(51, 99),
    alpha=st.sampled_from([0.01, 0.05, 0.1, 0.3, 0.6, 0.9]),
    increments=st.lists(st.sampled_from([1, 2, 5, 13, 40, 90]), min_size=2, max_size=3),
    data=st.data(),
)
def test_later_rounds_match_exact_arithmetic_for_any_path(
    vw: int, alpha: float, increments: list[int], data: st.DataObject
) -> None:
    # Any shares, risk limits (even α ≥ 1/2, where k_min can fall below the tie's mode),
    # rounds of one ballot and paths up to the round that stops; every convolution by FFT.
    schedule = [int(n) for n in np.cumsum(increments)]
    ks, k, previous = [], 0, 0
    for j, n in enumerate(schedule):
        k += data.draw(st.integers(0, n - previous))
        ks.append(k)
        previous = n
        exact = _exact_rounds(vw, 100 - vw, alpha, schedule[: j + 1], ks)
        if exact[-1][0] is not None and k >= exact[-1][0]:
            break
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(minerva, "_DIRECT_LIMIT", 0)
        c = contest({"w": vw, "l": 100 - vw}, 100_000)
        samples = [{"w": kk, "l": n - kk} for n, kk in zip(schedule, ks, strict=False)]
        (pair,) = minerva.minerva_risk(c, samples, alpha=alpha).pairs
    assert [r.k_min for r in pair.rounds] == [e[0] for e in exact]
    assert pair.rounds[-1].risk == pytest.approx(exact[-1][1], rel=1e-10, abs=0.0)
