"""The JSON document of ``ballotproof timeline`` (keys in docs/json.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ballotproof.io.race_calls import load_race_calls
from ballotproof.io.timeline import load_timeline
from ballotproof.io.us2020 import load_us2020
from ballotproof.model import UnitType
from ballotproof.model.timeline import NATION, TimelineEvent
from ballotproof.report.localtime import zone_for
from ballotproof.results.timeline import StateTimeline, stage_on, state_timelines

__all__ = ["timeline_doc"]

ELECTION_DAY = date(2020, 11, 3)
SOURCE = (
    "ballotproof/data/certification_2020.csv (see CERTIFICATION_2020.md); AP call times from "
    "race_calls_2020.csv (RACE_CALLS.md)"
)


def _event(e: TimelineEvent) -> dict[str, Any]:
    return {
        "state": e.state,
        "kind": e.kind.value,
        "date": e.day.isoformat(),
        "end_date": e.end.isoformat() if e.end else None,
        "title": e.title,
        "outcome": e.outcome,
        "citation": e.citation,
        "source_url": e.source_url,
    }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _state(t: StateTimeline, on: date | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "state": t.state,
        "called": _iso(t.called),
        "certified": _iso(t.certified),
        "final_certified": _iso(t.final_certified),
        "electors_voted": _iso(t.electors_voted),
        "deadlines": [
            {"title": d.title, "due": d.due.isoformat(), "met": d.met, "citation": d.citation}
            for d in t.deadlines
        ],
        "events": [_event(e) for e in t.events if e.state != NATION],
    }
    if on is not None:
        stage = stage_on(t, on)
        doc["stage"] = stage.value if stage else None
    return doc


def timeline_doc(states: list[str] | None = None, on: date | None = None) -> dict[str, Any]:
    """Every state's (or the given states') road to certification in 2020."""
    events = load_timeline()
    # The day of a call is the state's own calendar day (AP called Georgia on 19 November at
    # 20:00 EST, which is already 20 November in UTC).
    calls = {
        c.state: c.time.astimezone(zone_for(c.state)).date()
        for c in load_race_calls()
        if c.desk == "AP"
    }
    election = load_us2020()
    codes = [u.id for u in election.units if u.type is UnitType.STATE]
    chosen = [s for s in codes if states is None or s in states]
    timelines = state_timelines(events, chosen, calls, election_day=ELECTION_DAY)
    return {
        "election": election.name,
        "election_day": ELECTION_DAY.isoformat(),
        "on": _iso(on),
        "federal": [_event(e) for e in events if e.state == NATION],
        "states": [_state(t, on) for t in timelines],
        "source": SOURCE,
    }
