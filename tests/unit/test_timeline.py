"""The road to certification: the packaged table, stages on a date, deadlines met."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballotproof.cli.app import app
from ballotproof.errors import InputError
from ballotproof.io.timeline import default_timeline_path, load_timeline
from ballotproof.model.timeline import EventKind
from ballotproof.results.timeline import Stage, stage_on, state_timelines

ELECTION_DAY = date(2020, 11, 3)
CONTESTED = ("AZ", "GA", "MI", "NV", "PA", "WI")


def _rows() -> list[dict[str, str]]:
    with default_timeline_path().open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_row_is_sourced_and_loads() -> None:
    events = load_timeline()
    assert len(events) == len(_rows())
    assert all(e.citation or e.source_url for e in events)
    certified = {e.state for e in events if e.kind is EventKind.CERTIFIED}
    # the contested six, the 15 dated in the third session and the 20 dated in the fourth
    # (CERTIFICATION_2020.md): 41 jurisdictions
    sourced_later = {"FL", "VA", "ME", "MN", "NC", "NM", "OH", "IA", "NE", "NY", "CA", "NJ", "CO"}
    fourth = {"OK", "VT", "ND", "ID", "KY", "MS", "AL", "UT", "CT", "IN", "AK", "KS", "MT", "RI"}
    fourth |= {"WA", "AR", "OR", "IL", "MD", "WV"}
    assert certified == set(CONTESTED) | sourced_later | {"HI", "MO"} | fourth
    assert len(certified) == 41
    assert "TX" not in certified  # no dated source for Texas's canvass


def test_statutory_deadlines_are_the_sourced_ones() -> None:
    """32 jurisdictions (CERTIFICATION_2020.md): AZ, MI, NV, GA and 16 from the fourth session's
    two press lists, and 12 added in the fifth; every one of those 12 was met."""
    deadlines = {r["state_po"] for r in _rows() if r["kind"] == "statutory_deadline"}
    fifth = {"NC", "AL", "IA", "MT", "KS", "WI", "OR", "WA", "IL", "NY", "MD", "NJ"}
    earlier = {"AZ", "MI", "NV", "GA", "DE", "OK", "SD", "VT", "WY", "VA", "FL", "ID", "ND", "KY"}
    earlier |= {"ME", "UT", "DC", "IN", "MN", "NM"}
    assert deadlines == earlier | fifth and len(deadlines) == 32
    assert not deadlines & {"PA", "TX", "OH", "CO", "WV"}  # sources disagree or give another date
    timelines = state_timelines(load_timeline(), sorted(fifth), {}, election_day=ELECTION_DAY)
    for t in timelines:  # the state's own deadline and the safe harbor
        assert len(t.deadlines) == 2 and all(d.met for d in t.deadlines), t.state


def test_stages_follow_the_recorded_dates() -> None:
    events = load_timeline()
    ga_cert = min(
        date.fromisoformat(r["date"])
        for r in _rows()
        if r["state_po"] == "GA" and r["kind"] == "certified"
    )
    (ga,) = state_timelines(events, ["GA"], {"GA": date(2020, 11, 19)}, election_day=ELECTION_DAY)
    assert ga.certified == ga_cert and ga.final_certified == date(2020, 12, 7)
    assert stage_on(ga, date(2020, 11, 2)) is None
    assert stage_on(ga, date(2020, 11, 10)) is Stage.COUNTING
    assert stage_on(ga, date(2020, 11, 19)) is Stage.RECOUNT_OR_AUDIT  # hand count completed
    assert stage_on(ga, ga_cert) is Stage.CERTIFIED
    assert stage_on(ga, date(2020, 12, 14)) is Stage.ELECTORS_VOTED


def test_deadlines_met_and_unknown() -> None:
    timelines = state_timelines(load_timeline(), [*CONTESTED, "TX"], {}, election_day=ELECTION_DAY)
    by_state = {t.state: t for t in timelines}
    for state in CONTESTED:
        assert all(d.met for d in by_state[state].deadlines), state
    assert [d.met for d in by_state["TX"].deadlines] == [None]  # no certification recorded
    az = by_state["AZ"].deadlines[0]
    assert az.due == by_state["AZ"].certified  # certified on the statutory day


def test_a_bad_row_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text(
        "state_po,kind,date,end_date,title,source_url\n"
        "GA,recount,2020-12-07,2020-11-24,Recount,https://example.org\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"t.csv:2: field 'end_date'"):
        load_timeline(bad)


def test_timeline_command() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["timeline", "--state", "wi", "--on", "2020-11-25", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (wi,) = doc["states"]
    assert wi["stage"] == "recount_or_audit" and wi["certified"] == "2020-11-30"
    assert [e["date"] for e in doc["federal"] if e["kind"] == "federal_deadline"] == [
        "2020-12-08",
        "2020-12-14",
        "2021-01-06",
        "2021-01-20",
    ]
    bad = runner.invoke(app, ["timeline", "--on", "25 Nov"])
    assert bad.exit_code == 2


def test_a_call_is_dated_by_the_states_own_calendar() -> None:
    """AP called Georgia at 20:00 EST on 19 November (01:00 UTC on the 20th): the timeline's
    day of the call is the 19th, as Georgians saw it."""
    from ballotproof.report.timeline import timeline_doc

    rows = {(r[0], r[1]): r[3] for r in csv.reader(_call_lines())}
    assert rows[("GA", "AP")] == "2020-11-20T01:00:00Z"
    (ga,) = timeline_doc(["GA"])["states"]
    assert ga["called"] == "2020-11-19"


def _call_lines() -> list[str]:
    from ballotproof.io.race_calls import default_race_calls_path

    return default_race_calls_path().read_text(encoding="utf-8").splitlines()[1:]
