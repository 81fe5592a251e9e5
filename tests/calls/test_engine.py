"""The calling engine: no look-ahead, untrusted updates survived, the 2020 replay scored."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ballotproof.calls.engine import CallBasis, Engine, EventKind, LookAheadError, StateSetup
from ballotproof.calls.feed import Update
from ballotproof.calls.rule import CallRule
from ballotproof.io.feeds import BATCH_FILE, COUNTY_FILE, EDISON_FILE, load_2020_feed
from ballotproof.io.us2020 import data_dir, load_us2020
from ballotproof.usecases.replay import run_replay, setups_for

T0 = datetime(2020, 11, 4, 1, 0, tzinfo=UTC)


def _u(
    minutes: int,
    a: int,
    b: int,
    *,
    total: int | None = None,
    pct: float | None = 50.0,
    line: int = 0,
) -> Update:
    return Update(
        "XX",
        T0 + timedelta(minutes=minutes),
        {"a": a, "b": b},
        a + b if total is None else total,
        exact=True,
        expected_pct=pct,
        line=line,
    )


def _engine() -> Engine:
    return Engine([StateSetup("XX", (("XX", 10),), None)], ("a", "b"))


def test_out_of_order_update_is_refused() -> None:
    e = _engine()
    e.process(_u(10, 100, 90))
    with pytest.raises(LookAheadError, match="older than"):
        e.process(_u(5, 120, 95))


def test_reset_is_logged_and_ignored() -> None:
    e = _engine()
    e.process(_u(0, 1000, 900))
    e.process(_u(1, 0, 0, line=7))
    assert [ev.kind for ev in e.events] == [EventKind.RESET]
    assert "line 7" in e.events[0].detail
    assert e.moments[-1].estimate.margin == 100  # the reset was not trusted


def test_backwards_count_is_held_then_rejected_or_accepted_once_it_persists() -> None:
    e = _engine()
    e.process(_u(0, 1000, 900))
    e.process(_u(1, 800, 700, line=3))  # backwards: held
    assert e.moments[-1].estimate.counted == 1900
    e.process(_u(2, 1100, 950))  # forwards again: the held one is rejected
    assert [ev.kind for ev in e.events] == [EventKind.BACKWARDS, EventKind.DROPPED]
    assert "rejected" in e.events[-1].detail
    e.process(_u(3, 900, 800))  # backwards
    e.process(_u(4, 910, 805))  # still low one minute later: not yet trusted
    assert e.events[-1].kind is EventKind.BACKWARDS
    assert e.moments[-1].estimate.counted == 2050
    e.process(_u(33, 915, 806))  # low for 30 minutes: a revision
    assert e.events[-1].kind is EventKind.REVISION
    assert "kept for 30 min" in e.events[-1].detail
    assert e.moments[-1].estimate.counted == 1721


def _big(minutes: int, a: int, b: int, pct: float = 90.0, source: str = "other") -> Update:
    from ballotproof.calls.feed import UpdateSource

    return Update(
        "XX",
        T0 + timedelta(minutes=minutes),
        {"a": a, "b": b},
        a + b,
        exact=True,
        expected_pct=pct,
        source=UpdateSource(source),
    )


def test_a_250000_vote_drop_for_11_minutes_confirms_nothing() -> None:
    """The glitch of issue 9: a drop that lasts 11 minutes (one update a minute) is rejected,
    never replaces the count, and the called candidate's chance does not move."""
    e = Engine([StateSetup("XX", (("XX", 10),), None)], ("a", "b"), CallRule(0.99))
    e.process(_big(0, 1_600_000, 1_400_000))
    call = e.state_call("XX")
    assert call is not None and call.candidate == "a"
    p_before = e.moments[-1].estimate.p_leader
    for m in range(1, 12):  # 250,000 of a's votes gone for 11 minutes
        e.process(_big(m, 1_350_000 + 100 * m, 1_400_000 + 100 * m))
    assert all(mo.estimate.counted == 3_000_000 for mo in e.moments)
    assert not [ev for ev in e.events if ev.kind is EventKind.REVISION]
    e.process(_big(12, 1_601_500, 1_401_200))  # the source is back
    assert e.events[-1].kind is EventKind.DROPPED and "after 11 min" in e.events[-1].detail
    assert e.lowest_after_call("XX") >= p_before  # type: ignore[operator]
    assert not [ev for ev in e.events if ev.kind is EventKind.WITHDRAW]


def test_a_drop_is_accepted_at_once_when_a_second_source_agrees() -> None:
    e = _engine()
    e.process(_big(0, 60_000, 40_000))
    e.process(_big(1, 60_000, 40_000, source="batch"))
    e.process(_big(2, 50_000, 40_000))  # other source drops 10,000: held
    assert e.events[-1].kind is EventKind.BACKWARDS
    e.process(_big(3, 50_000, 40_000, source="batch"))  # the second source agrees
    assert [ev.kind for ev in e.events[-2:]] == [EventKind.REVISION] * 2
    assert "source other reports the same count" in e.events[-2].detail
    assert e.moments[-1].estimate.counted == 90_000


def test_a_capped_expected_vote_is_a_bound_not_a_value() -> None:
    from ballotproof.calls.outstanding import estimate

    kw = {"leader": "a", "trailer": "b", "exact": True, "counted_at_expected": 1_000_000}
    as_value = estimate(503_000, 497_000, 1_000_000, expected_pct=99.0, **kw)  # type: ignore[arg-type]
    as_bound = estimate(  # type: ignore[arg-type]
        503_000, 497_000, 1_000_000, expected_pct=99.0, expected_is_bound=True, **kw
    )
    # "At least 98.5 % counted": the remaining vote is 0–1.5 %, mean about 0.75 %, not 1 %.
    assert as_bound.remaining < as_value.remaining
    assert 0.006 < as_bound.remaining / 1_000_000 < 0.009
    e = _engine()
    e.process(_big(0, 60_000, 40_000, pct=99.0))
    assert [ev.kind for ev in e.events] == [EventKind.EXPECTED_CAPPED]


def test_the_end_of_the_feed_closes_a_race_outside_the_recount_band() -> None:
    from ballotproof.calls.engine import CallBasis
    from ballotproof.calls.rule import Threshold

    band = Threshold(((0.5, None, True),), "a 0.5 % automatic recount")
    e = Engine(
        [StateSetup("XX", (("XX", 10),), None), StateSetup("YY", (("YY", 5),), band)],
        ("a", "b"),
    )
    e.process(_big(0, 50_200, 49_800, pct=20.0))
    e.process(Update("YY", T0, {"a": 50_100, "b": 49_900}, 100_000, exact=True, expected_pct=20.0))
    assert e.calls == []
    e.close()
    xx = e.state_call("XX")
    assert xx is not None and xx.candidate == "a" and xx.basis is CallBasis.END_OF_FEED
    assert e.state_call("YY") is None  # 200 votes is within 0.5 % of 100,000
    assert [ev.kind for ev in e.events[-2:]] == [EventKind.CLOSED, EventKind.CLOSED_IN_BAND]


def test_certification_closes_a_race_in_time_order_and_never_rewrites_a_call() -> None:
    from ballotproof.calls.engine import Certification
    from ballotproof.calls.rule import Threshold

    band = Threshold(((0.5, None, True),), "a 0.5 % automatic recount")
    e = Engine(
        [StateSetup("XX", (("XX", 10),), None), StateSetup("YY", (("YY", 5),), band)],
        ("a", "b"),
    )
    yy = [
        Update("YY", T0, {"a": 50_100, "b": 49_900}, 100_000, exact=True, expected_pct=100.0),
        # after the certification a (glitched or late) update puts b ahead: it moves nothing
        Update("YY", T0 + timedelta(hours=2), {"a": 50_100, "b": 60_000}, 110_100, exact=True,
               expected_pct=90.0),
    ]  # fmt: skip
    certs = [
        Certification("YY", T0 + timedelta(hours=1), "a", "board of canvass, 1 Dec"),
        # XX's model call (below) is for "a": a certification for "b" is logged, not obeyed.
        Certification("XX", T0 + timedelta(hours=3), "b", "secretary of state"),
    ]
    e.run([yy[0], _big(0, 80_000, 20_000, pct=95.0), yy[1]], certifications=certs, close=True)
    call_yy = e.state_call("YY")
    assert call_yy is not None and call_yy.basis is CallBasis.CERTIFIED
    assert (call_yy.candidate, call_yy.time, call_yy.source, call_yy.margin) == (
        "a",
        T0 + timedelta(hours=1),
        "board of canvass, 1 Dec",
        200,
    )
    assert e.p_win()["YY"]["a"] == 1.0  # still: the certified result is final
    assert e.lowest_after_call("YY") == 1.0
    assert not [ev for ev in e.events if ev.state == "YY" and ev.kind is EventKind.WITHDRAW]
    assert e.p_win()["XX"]["b"] == 1.0  # the certified winner, though the call stands
    call_xx = e.state_call("XX")
    assert call_xx is not None and call_xx.candidate == "a" and call_xx.basis is CallBasis.MODEL
    other = [ev for ev in e.events if ev.kind is EventKind.CERTIFIED_OTHER]
    assert len(other) == 1 and other[0].state == "XX"
    with pytest.raises(LookAheadError):  # the engine never goes back in time
        e.certify(Certification("XX", T0, "a", "late news"))


def test_call_is_never_withdrawn_but_a_reversal_is_recorded() -> None:
    e = Engine([StateSetup("XX", (("XX", 10),), None)], ("a", "b"), CallRule(0.99))
    e.process(_u(0, 60_000, 40_000, pct=99.0))
    assert e.state_call("XX") is not None and e.state_call("XX").candidate == "a"  # type: ignore[union-attr]
    e.process(_u(1, 60_000, 90_000, pct=99.0))
    assert e.state_call("XX").candidate == "a"  # type: ignore[union-attr]
    assert e.events[-1].kind is EventKind.WITHDRAW


def _pa_updates() -> list[Update]:
    return load_2020_feed(data_dir(), ["PA"])


def test_no_look_ahead_a_cut_replay_decides_the_same() -> None:
    """Decisions up to any moment depend only on the updates up to that moment."""
    updates = _pa_updates()
    setups = setups_for(load_us2020(), states=["PA"])
    full = Engine(setups, ("biden", "trump"))
    full.run(updates, track_ec=False)
    for cut in (len(updates) // 5, len(updates) // 2, 4 * len(updates) // 5):
        part = Engine(setups, ("biden", "trump"))
        part.run(updates[:cut], track_ec=False)
        assert part.moments == full.moments[: len(part.moments)]
        assert part.calls == [c for c in full.calls if c.time <= updates[cut - 1].time]


def test_hindsight_columns_are_never_read(tmp_path: Path) -> None:
    """Scrambling the columns that know the future changes nothing."""
    for name in (EDISON_FILE, BATCH_FILE, COUNTY_FILE):
        shutil.copy(data_dir() / name, tmp_path / name)
    for name, column in (
        (BATCH_FILE, "votes_remaining_estimate"),
        (EDISON_FILE, "expected_total_votes"),
    ):
        lines = (tmp_path / name).read_text(encoding="utf-8").splitlines()
        col = lines[0].split(",").index(column)
        out = [lines[0]]
        for i, line in enumerate(lines[1:]):
            cells = line.split(",")
            cells[col] = str(999_999 + i)
            out.append(",".join(cells))
        (tmp_path / name).write_text("\n".join(out) + "\n", encoding="utf-8")
    assert load_2020_feed(tmp_path, ["GA"]) == load_2020_feed(data_dir(), ["GA"])


def test_pennsylvania_replay_calls_biden_only_once_the_recount_band_is_behind() -> None:
    engines = run_replay(states=["PA"], confidences=(0.995,))
    engine = engines[0.995]
    call = engine.state_call("PA")
    assert call is not None and call.candidate == "biden"
    # PA's automatic recount threshold is 0.5%; Biden's lead was about that on Nov 7 (AP's
    # call), so the engine waits until the count makes a final margin beyond it likely.
    assert call.time.date().isoformat() > "2020-11-07"
    assert engine.lowest_after_call("PA") is not None
    assert engine.lowest_after_call("PA") > 0.99  # type: ignore[operator]


@pytest.mark.slow
def test_full_2020_replay_has_no_wrong_call_and_waits_in_georgia() -> None:
    election = load_us2020()
    engines = run_replay(confidences=(0.995,), track_ec=True)
    engine = engines[0.995]
    winners = {u.id: None for u in election.units}
    from ballotproof.results import electoral_college

    for a in electoral_college(election).awards:
        winners[a.unit] = a.to
    assert engine.calls, "the replay made no call at all"
    wrong = [c for c in engine.calls if c.candidate != winners[c.state]]
    assert wrong == []
    # Georgia ended inside its 0.5% public recount threshold: the model never calls it; the
    # race closes on Georgia's certification (20 Nov 2020, after the hand count), at the end of
    # that day in Georgia, never earlier.
    ga = engine.state_call("GA")
    assert ga is not None and ga.basis is CallBasis.CERTIFIED and ga.candidate == "biden"
    assert ga.time == datetime(2020, 11, 21, 4, 59, 59, tzinfo=UTC)
    assert "Raffensperger" in ga.source
    assert not [e for e in engine.events if e.kind is EventKind.WITHDRAW]
    assert len(engine.ec) > 5_000
    assert engine.ec[-1][1].p_majority["biden"] > 0.99


def test_replay_cli_for_one_state_writes_json_and_report(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from ballotproof.cli.app import app

    result = CliRunner().invoke(app, ["replay", "--state", "PA", "--json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    pa = doc["states"]["PA"]
    assert pa["call"]["candidate"] == "biden"
    assert pa["ap_call"]["time"] == "2020-11-07T16:25:00Z"
    assert doc["backtest"]["wrong_calls"] == []
    assert set(doc["backtest"]["levels"]) == {"0.99", "0.995", "0.999"}
    assert doc["electoral_college"] is None  # a single-state replay has no national picture
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "id='chart-PA'" in html and "<svg" in html


def test_replay_refuses_a_bad_confidence() -> None:
    from typer.testing import CliRunner

    from ballotproof.cli.app import app

    result = CliRunner().invoke(app, ["replay", "--state", "PA", "--confidence", "1.5"])
    assert result.exit_code == 2


@pytest.mark.slow
def test_readme_backtest_table_matches_the_replay() -> None:
    """The README's backtest table is what `ballotproof replay` computes (docs cannot drift)."""
    import re

    from ballotproof.report.replay import replay_doc

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    engines = run_replay(confidences=(0.99, 0.995, 0.999), track_ec=False)
    levels = replay_doc(engines, main=0.995)["backtest"]["levels"]
    for level, row in levels.items():
        m = re.search(
            rf"^\| {re.escape(level)}(?: \(default\))? \| (\d+) \| (\d+) \| ([A-Z, ]*) \| "
            rf"(\d+) \| ([A-Z, ]*) \| ([−+-]?[\d.]+) \| (\d+) / (\d+) \|$",
            readme,
            flags=re.M,
        )
        assert m, f"no README row for {level}"
        calls, certified, by_certification, wrong, uncalled, median, early, late = m.groups()
        assert int(calls) == row["calls"]
        assert int(certified) == row["calls_on_certification"]
        assert [x for x in by_certification.split(", ") if x] == row["closed_on_certification"]
        assert int(wrong) == len(row["wrong_calls"])
        assert [x for x in uncalled.split(", ") if x] == row["uncalled"]
        assert float(median.replace("−", "-")) == pytest.approx(row["median_hours_vs_ap"], abs=0.05)
        assert (int(early), int(late)) == (row["earlier_than_ap"], row["later_than_ap"])


def test_an_expected_vote_glitch_is_rejected_unless_it_persists() -> None:
    """A 2020-Arizona-style glitch: the expected share jumps from 80 % to 99 % (the expected
    total shrinks by a fifth) for 11 minutes, then returns: never used. The same jump kept
    for 30 minutes is accepted as a revision."""
    e = _engine()
    e.process(_big(0, 480_000, 320_000, pct=80.0))
    expected = e.moments[-1].estimate.expected_total
    for m in range(1, 12):
        e.process(_big(m, 480_000 + m, 320_000, pct=99.0))
    assert all(mo.estimate.expected_total == expected for mo in e.moments)
    e.process(_big(12, 480_100, 320_000, pct=80.0))
    kinds = [ev.kind for ev in e.events if ev.kind is not EventKind.EXPECTED_CAPPED]
    assert kinds == [EventKind.BACKWARDS, EventKind.DROPPED]
    assert "rejected" in e.events[-1].detail
    for m in range(13, 44):
        e.process(_big(m, 480_100 + m, 320_000, pct=99.0))
    assert any(ev.kind is EventKind.REVISION and "kept for 30 min" in ev.detail for ev in e.events)
    assert e.moments[-1].estimate.expected_total != expected


def test_levels_decided_in_one_pass_equal_one_engine_per_level() -> None:
    """The estimates do not depend on the calls, so the extra levels of one pass make exactly
    the calls (states, candidates, times, bases, probabilities), the withdrawals and the lowest
    chances after a call of separate engines, one per level — certifications included."""
    from ballotproof.usecases.replay import load_replay_inputs

    inputs = load_replay_inputs(states=["AZ", "GA", "NV", "PA", "WI", "NC"])
    levels = (0.9, 0.99, 0.995, 0.999)
    separate = run_replay(confidences=levels, inputs=inputs, track_ec=False)
    one = run_replay(confidences=levels, inputs=inputs, track_ec=False, main=0.995)
    assert len({id(e) for e in one.values()}) == 1
    for c in levels:
        a, b = separate[c].level(c), one[c].level(c)
        assert b.calls == a.calls, c  # every field: time, probability, margin, basis, source
        assert (b.withdrawals, dict(b.lowest_after_call)) == (
            a.withdrawals,
            dict(a.lowest_after_call),
        ), c
    # the levels differ from each other (else the test would prove little)
    assert one[0.9].level(0.9).calls[0].time < one[0.999].level(0.999).calls[0].time


def test_one_pass_levels_follow_the_missing_units_rule_at_the_close() -> None:
    """A state whose baseline units have not all reported stays uncalled at the close at
    every level, as it would in an engine of that level alone."""
    from ballotproof.calls.engine import UnitBaseline
    from ballotproof.calls.feed import UnitCount

    base = (UnitBaseline("U1", {"a": 600, "b": 400}, 1000),
            UnitBaseline("U2", {"a": 500, "b": 500}, 1000))  # fmt: skip
    setup = [StateSetup("XX", (("XX", 10),), None, {}, base)]
    part = UnitCount("U1", {"a": 60_000, "b": 40_000}, 100_000, 100_000.0)  # P(a) ≈ 0.98
    update = Update("XX", T0, {"a": 60_000, "b": 40_000}, 100_000, exact=True,
                    expected_pct=50.0, parts=(part,))  # fmt: skip
    levels = (0.6, 0.99999)
    one = Engine(setup, ("a", "b"), CallRule(levels[0]), also=[CallRule(levels[1])])
    one.run([update], close=True)
    for c in levels:
        alone = Engine(setup, ("a", "b"), CallRule(c))
        alone.run([update], close=True)
        assert one.level(c).calls == alone.level(c).calls, c
    assert one.level(levels[0]).calls  # the lower level calls; the higher one must not
    assert not one.level(levels[1]).calls


def test_levels_must_differ_and_a_main_level_must_be_scored() -> None:
    setup = [StateSetup("XX", (("XX", 10),), None)]
    with pytest.raises(ValueError, match="own confidence"):
        Engine(setup, ("a", "b"), CallRule(0.99), also=[CallRule(0.99)])
    with pytest.raises(ValueError, match="not one of the levels"):
        run_replay(states=["PA"], confidences=(0.99,), main=0.995)
