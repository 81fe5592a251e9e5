"""The synthetic-election generator: truth, order, glitch rate, reproducibility; and (slow) the
engine scored on synthetic elections it was not tuned on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ballotproof.calls.engine import Engine
from ballotproof.calls.feed import UpdateSource
from ballotproof.calls.outstanding import ModelParams
from ballotproof.calls.rule import CallRule
from ballotproof.calls.synthetic import (
    CANDIDATES,
    CountyBase,
    GlitchKind,
    ModeProfile,
    SyntheticElection,
    SynthParams,
    draw_election,
)
from ballotproof.calls.validate import Scores

BASELINE = {
    "AA": tuple(
        CountyBase(f"A{i}", 10_000 + 3_000 * i, 12_000 - 1_000 * i, 23_000 + 2_000 * i)
        for i in range(6)
    ),
    "BB": tuple(CountyBase(f"B{i}", 40_000, 39_000 + 500 * i, 81_000) for i in range(4)),
    "CC": (CountyBase("C0", 300_000, 200_000, 510_000),),
}
PROFILES = (ModeProfile(0.2, 0.25), ModeProfile(0.3, 0.15), ModeProfile(0.1, 0.3))


def _draw(seed: int, params: SynthParams | None = None) -> SyntheticElection:
    return draw_election(BASELINE, PROFILES, np.random.default_rng(seed), params)


def test_final_update_of_each_state_is_the_truth() -> None:
    for seed in range(5):
        el = _draw(seed)
        assert set(el.truth) == set(BASELINE)
        for st, tr in el.truth.items():
            last = [u for u in el.updates if u.state == st][-1]
            assert last.exact and last.source is UpdateSource.BATCH
            assert dict(last.votes) == dict(tr.votes) and last.total == tr.total
            assert tr.winner == max(tr.votes, key=lambda c: tr.votes[c])
            assert tr.votes[tr.winner] > min(tr.votes.values())  # no tie left undecided
            # Every earlier update is Edison-like: rounded, capped at 99 %.
            for u in [u for u in el.updates if u.state == st][:-1]:
                assert not u.exact and u.source is UpdateSource.EDISON
                assert u.expected_pct is None or u.expected_pct <= 99.0


def test_truth_adds_up_to_the_drawn_counties() -> None:
    el = _draw(3)
    for st, tr in el.truth.items():
        assert tr.total >= sum(tr.votes.values())
        # Turnout noise is a few percent: the drawn total is near the baseline's.
        base = sum(c.total for c in BASELINE[st])
        assert 0.5 * base < tr.total < 1.5 * base


def test_updates_are_in_time_order() -> None:
    for seed in range(5):
        times = [u.time for u in _draw(seed).updates]
        assert times == sorted(times)


def test_same_seed_same_election_other_seed_other_election() -> None:
    a, b, c = _draw(11), _draw(11), _draw(12)
    assert a.updates == b.updates and a.truth == b.truth and a.glitches == b.glitches
    assert a.updates != c.updates


def test_glitch_rate_as_stated() -> None:
    p = SynthParams(glitch_rate=0.1)
    regular = glitches = 0
    kinds: set[GlitchKind] = set()
    for seed in range(30):
        el = _draw(seed, p)
        regular += sum(t.regular_updates for t in el.truth.values())
        glitches += len(el.glitches)
        kinds |= {g.kind for g in el.glitches}
    rate = glitches / regular
    sd = math.sqrt(p.glitch_rate * (1 - p.glitch_rate) / regular)
    assert abs(rate - p.glitch_rate) < 4 * sd, (rate, regular)
    assert kinds == set(GlitchKind)


def test_no_glitch_at_rate_zero_and_counts_never_fall() -> None:
    el = _draw(5, SynthParams(glitch_rate=0.0))
    assert el.glitches == ()
    for st in el.truth:
        totals = [u.total for u in el.updates if u.state == st]
        assert totals == sorted(totals) and totals[0] > 0


def test_glitches_show_in_the_feed() -> None:
    el = _draw(7, SynthParams(glitch_rate=0.3))
    resets = [g for g in el.glitches if g.kind is GlitchKind.RESET]
    zeros = [u for u in el.updates if u.total == 0]
    assert len(zeros) == len(resets) > 0


def test_validate_scores_a_run_against_the_truth() -> None:
    from ballotproof.calls.engine import StateSetup

    el = _draw(1)
    setups = [StateSetup(st, ((st, 3),), None) for st in BASELINE]
    engine = Engine(setups, CANDIDATES, CallRule(0.995), ModelParams())
    engine.run(el.updates, track_ec=False, close=True)
    scores = Scores()
    races = scores.add(0, engine, el.truth)
    assert [r.state for r in races] == sorted(BASELINE)
    for r in races:
        assert r.called is not None  # the certified count closes every race out of a tie
        assert r.wrong == (r.called != r.winner)
    doc = scores.summary()
    assert doc["state_races"] == len(BASELINE)
    assert sum(b["n"] for b in doc["calibration"]) == sum(
        c["n"] for c in doc["brier_by_checkpoint"]
    )


@pytest.mark.slow
def test_no_call_for_the_loser_on_ten_synthetic_elections() -> None:
    from ballotproof.io.synthetic_inputs import county_baseline, georgia_mode_profiles
    from ballotproof.io.us2020 import load_us2020
    from ballotproof.usecases.replay import setups_for

    baseline, profiles = county_baseline(), georgia_mode_profiles()
    setups = setups_for(load_us2020())
    scores = Scores()
    for i in range(10):
        el = draw_election(baseline, profiles, np.random.default_rng([2024, i]))
        engine = Engine(setups, CANDIDATES, CallRule(0.995), ModelParams())
        engine.run(el.updates, track_ec=False, close=True)
        scores.add(i, engine, el.truth)
    assert len(scores.races) == 510
    assert scores.wrong == [], [r.as_dict() for r in scores.wrong]
