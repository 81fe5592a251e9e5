"""``ballotproof replay``: replay election night through the calling engine and score it.

This is the edge that wires the pure pieces together: it loads the feed, the results data (for
the contest's candidates, the electoral units, the recount thresholds and, after the run, the
scoring), an optional baseline election (the prior of states with no returns), the
recount-rule table and the table of desk call times; runs
:class:`~ballotproof.calls.engine.Engine` once per confidence level; and builds the JSON
document and the HTML report. With no options it replays the packaged 2020 feeds against the
built-in 2020 results and the packaged 2020 desk calls.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from html import escape
from pathlib import Path
from typing import Any

from ballotproof.calls.backtest import RaceCall, calibration, score_calls
from ballotproof.calls.engine import Certification, Engine, Moment, StateSetup, UnitBaseline
from ballotproof.calls.feed import Update
from ballotproof.calls.outstanding import ModelParams
from ballotproof.calls.rule import CallRule, public_threshold
from ballotproof.errors import InputError
from ballotproof.io.atomic import write_atomic
from ballotproof.io.feeds import load_2020_feed, load_generic_feed
from ballotproof.io.race_calls import default_race_calls_path, load_race_calls
from ballotproof.io.recount_rules import load_recount_rules
from ballotproof.io.timeline import default_timeline_path, load_timeline
from ballotproof.io.us2020 import data_dir, load_us2020
from ballotproof.model import Election
from ballotproof.model.election import UnitType
from ballotproof.model.recount import rules_in_force
from ballotproof.model.timeline import EventKind as TimelineKind
from ballotproof.model.timeline import TimelineEvent
from ballotproof.report.charts import pyplot, svg
from ballotproof.report.html import RESPONSIVE_CSS
from ballotproof.report.localtime import local, zone_for
from ballotproof.report.reflow import reflow
from ballotproof.results import tabulate_unit

__all__ = [
    "BATTLEGROUND",
    "PRIOR_SD",
    "ReplayInputs",
    "load_replay_inputs",
    "replay_doc",
    "run_replay",
    "setups_for",
    "write_replay_report",
]

BATTLEGROUND = ("AZ", "GA", "MI", "NC", "NV", "PA", "WI")
# The prior of a state with no returns: P(party wins) = Φ(baseline two-party margin / PRIOR_SD).
# A priori (not fitted): state margins move by several points between elections.
PRIOR_SD = 0.08


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ReplayInputs:
    """Everything a replay reads, and where each came from (echoed in the JSON)."""

    election: Election
    election_source: str
    updates: list[Update]
    feed_source: str
    candidates: tuple[str, ...]
    desk_calls: tuple[RaceCall, ...] = ()
    calls_source: str | None = None
    baseline: Election | None = None
    baseline_source: str | None = None
    states: tuple[str, ...] | None = None
    prior: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    year: int | None = None
    baseline_units: Mapping[str, tuple[UnitBaseline, ...]] = field(default_factory=dict)
    certifications: tuple[Certification, ...] = ()
    certifications_source: str | None = None


def certifications_from(
    election: Election, events: Sequence[TimelineEvent], source: str
) -> tuple[Certification, ...]:
    """Each state's first certification in a timeline table, for the winner of the election's
    results (the certified count), at the end of that day in the state's own time: the table
    gives dates, not hours, so the engine never learns of a certification before it happened.
    """
    winners = _winners(election)
    first: dict[str, TimelineEvent] = {}
    for e in sorted(events, key=lambda e: e.day):
        if e.kind is TimelineKind.CERTIFIED and e.state in winners:
            first.setdefault(e.state, e)
    out = []
    for st, e in first.items():
        winner = winners[st]
        if winner is None:
            continue
        zone = zone_for(st)
        end = datetime.combine(e.day + timedelta(days=1), time.min, zone) - timedelta(seconds=1)
        where = e.source_url or e.citation or source
        out.append(Certification(st, end.astimezone(UTC), winner, f"{e.title} — {where}"))
    return tuple(sorted(out, key=lambda c: c.time))


def _load_baseline(baseline: str | Path) -> tuple[Election, str]:
    text = str(baseline)
    name = text.lower()
    if name == "us2020":
        # With its counties (five-digit FIPS codes): the unit model's baseline by county.
        return load_us2020(include_counties=True), "built-in us2020"
    if name.startswith("us") and name[2:].isdigit():
        from ballotproof.io.medsl import load_history_year

        return load_history_year(int(name[2:])).election, f"built-in {name}"
    from ballotproof.io.load import load_election

    if not Path(text).exists():
        raise InputError(
            "--baseline is a folder, a NIST .json file, or a built-in name such as us2020 or "
            "us2016",
            path=text,
        )
    return load_election(Path(text)), text


def _party(election: Election, choice: str) -> str:
    party = election.contest().choice(choice).party  # type: ignore[arg-type]
    return party.split(";")[0].strip().lower()


def prior_from_baseline(
    election: Election, baseline: Election, candidates: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per state, each candidate's chance before any return, from the baseline's result.

    The first two candidates are matched to the baseline's candidates by party (first party
    named); P(first wins) = Φ(m/σ) with m the baseline two-party margin of the first's party,
    σ = ``PRIOR_SD``. States the baseline lacks, or candidates without a matching party, get
    no prior (an even chance).
    """
    a, b = candidates[:2]
    pa, pb = _party(election, a), _party(election, b)
    if not pa or not pb or pa == pb:
        return {}
    contest = baseline.contest()
    by_party: dict[str, str] = {}
    for ch in contest.choices:
        if ch.is_candidate and ch.party:
            by_party.setdefault(ch.party.split(";")[0].strip().lower(), str(ch.id))
    if pa not in by_party or pb not in by_party:
        return {}
    out: dict[str, dict[str, float]] = {}
    for unit in baseline.electoral_units():
        if unit.type is not UnitType.STATE:
            continue
        votes = contest.totals.get(unit.id, {})
        va, vb = votes.get(by_party[pa], 0), votes.get(by_party[pb], 0)  # type: ignore[call-overload]
        if va + vb == 0:
            continue
        m = (va - vb) / (va + vb)
        p = 0.5 * math.erfc(-m / PRIOR_SD / math.sqrt(2.0))
        out[str(unit.id)] = {a: p, b: 1.0 - p}
    return out


def baseline_units(
    election: Election, baseline: Election, candidates: Sequence[str]
) -> dict[str, tuple[UnitBaseline, ...]]:
    """Per state, the baseline's result in each of its units below the state (counties or
    finer), by current candidate id (matched by party, first party named)."""
    contest = baseline.contest()
    by_party: dict[str, str] = {}
    for ch in contest.choices:
        if ch.is_candidate and ch.party:
            by_party.setdefault(ch.party.split(";")[0].strip().lower(), str(ch.id))
    mapping = {c: by_party.get(_party(election, c)) for c in candidates}
    out: dict[str, list[UnitBaseline]] = {}
    for unit in baseline.units:
        if unit.type is UnitType.STATE or unit.electors or unit.parent is None:
            continue
        if not baseline.has_unit(unit.parent):
            continue
        parent = baseline.unit(unit.parent)
        if parent.type is not UnitType.STATE:
            continue
        votes = contest.totals.get(unit.id, {})
        by_candidate = {
            c: votes.get(old, 0)  # type: ignore[call-overload]
            for c, old in mapping.items()
            if old is not None
        }
        out.setdefault(str(parent.id), []).append(
            UnitBaseline(str(unit.id), by_candidate, sum(votes.values()))
        )
    return {st: tuple(us) for st, us in out.items()}


def load_replay_inputs(
    *,
    feed: Path | None = None,
    data: Path | None = None,
    year: int | None = None,
    baseline: str | Path | None = None,
    calls: Path | None = None,
    states: Sequence[str] | None = None,
    timeline: Path | None = None,
) -> ReplayInputs:
    """Load what a replay needs; the built-in 2020 election, feeds, desk calls and
    certification dates by default (``timeline``: a table in the format of
    ``data/certification_2020.csv`` whose ``certified`` rows close races)."""
    builtin = data is None and year is None
    if builtin:
        election, election_source = load_us2020(), "built-in us2020"
    else:
        from ballotproof.io.load import load_election

        election = load_election(data, year=year)
        election_source = str(data) if data is not None else f"built-in us{year}"
    units_of: dict[str, frozenset[str]] = {}
    for u in election.units:
        if u.type is not UnitType.STATE and u.parent is not None and election.has_unit(u.parent):
            parent = election.unit(u.parent)
            if parent.type is UnitType.STATE and u.electors == 0:
                units_of.setdefault(str(parent.id), frozenset())
                units_of[str(parent.id)] |= {str(u.id)}
    if feed is None:
        updates = load_2020_feed(data_dir(), states)
        feed_source = (
            "NYT/Edison time series and NYT batch file, packaged in ballotproof/data/us2020 "
            "(see PROVENANCE.md); hindsight columns are not read"
        )
    else:
        updates = load_generic_feed(feed, units_of=units_of or None)
        feed_source = str(feed)
        if states is not None:
            updates = [u for u in updates if u.state in states]
    if not updates:
        raise InputError("no updates for the requested states", path=str(feed or data_dir()))
    contest = election.contest()
    known = {str(c.id) for c in contest.choices}
    seen: list[str] = []
    for upd in updates:
        for c in upd.votes:
            if c not in seen:
                seen.append(c)
    unknown = [c for c in seen if c not in known]
    if unknown:
        raise InputError(
            f"candidate {unknown[0]!r} (column votes_{unknown[0]}) is not a choice of contest "
            f"{contest.id} in {election_source}; its choices are {', '.join(sorted(known))}",
            path=str(feed or data_dir()),
        )
    order = [str(c.id) for c in contest.choices]
    candidates = tuple(sorted(seen, key=order.index))
    if len(candidates) < 2:
        raise InputError("the feed names fewer than two candidates", path=str(feed))
    states_known = {str(u.id) for u in election.electoral_units()}
    stray = sorted({u.state for u in updates} - states_known)
    if stray:
        raise InputError(
            f"state {stray[0]!r} of the feed is not an elector-bearing unit of {election_source}",
            path=str(feed or data_dir()),
        )
    if calls is not None:
        desk_calls, calls_source = load_race_calls(calls), str(calls)
    elif builtin:
        desk_calls, calls_source = load_race_calls(), default_race_calls_path().name
    else:
        desk_calls, calls_source = (), None
    base, base_source = (None, None)
    prior: dict[str, dict[str, float]] = {}
    by_unit: dict[str, tuple[UnitBaseline, ...]] = {}
    if baseline is not None:
        base, base_source = _load_baseline(baseline)
        prior = prior_from_baseline(election, base, candidates)
        if any(u.parts for u in updates):
            by_unit = baseline_units(election, base, candidates)
    certs: tuple[Certification, ...] = ()
    certs_source: str | None = None
    if timeline is not None or builtin:
        certs_source = str(timeline) if timeline is not None else default_timeline_path().name
        certs = certifications_from(election, load_timeline(timeline), certs_source)
        if states is not None:
            certs = tuple(c for c in certs if c.state in states)
    return ReplayInputs(
        election,
        election_source,
        updates,
        feed_source,
        candidates,
        desk_calls,
        calls_source,
        base,
        base_source,
        None if states is None else tuple(states),
        prior,
        year,
        by_unit,
        certs,
        certs_source,
    )


def setups_for(
    election: Election,
    *,
    states: Sequence[str] | None = None,
    prior: Mapping[str, Mapping[str, float]] | None = None,
    year: int | None = None,
    by_unit: Mapping[str, tuple[UnitBaseline, ...]] | None = None,
) -> list[StateSetup]:
    """Per state: its elector-bearing units, its public recount threshold and its prior.

    Only the units, their electors and the law are used: nothing from the results.
    """
    rules = load_recount_rules()
    if year is not None:
        rules = rules_in_force(tuple(rules), year)
    units: dict[str, list[tuple[str, int]]] = {}
    for unit in election.electoral_units():
        units.setdefault(str(election.state_of(unit.id).id), []).append((unit.id, unit.electors))
    out = []
    for st, us in units.items():
        if states is not None and st not in states:
            continue
        thr = public_threshold([r for r in rules if r.state == st])
        out.append(
            StateSetup(
                st,
                tuple(us),
                thr,
                dict((prior or {}).get(st, {})),
                (by_unit or {}).get(st, ()),
            )
        )
    return out


def run_replay(
    *,
    states: Sequence[str] | None = None,
    confidences: Sequence[float] = (0.995,),
    feed: Path | None = None,
    inputs: ReplayInputs | None = None,
    track_ec: bool = True,
    progress: Callable[[str], None] | None = None,
    main: float | None = None,
) -> dict[float, Engine]:
    """Run the engine over the feed (the feed's end and certifications close races).

    With ``main`` (one of ``confidences``): one pass, the other levels decided alongside
    (:class:`~ballotproof.calls.engine.Engine` ``also``), every level mapped to that engine —
    read a level's calls with ``engine.level(c)``. Without: one engine per level.
    """
    if inputs is None:
        inputs = load_replay_inputs(feed=feed, states=states)
    setups = setups_for(
        inputs.election,
        states=inputs.states,
        prior=inputs.prior,
        year=inputs.year,
        by_unit=inputs.baseline_units,
    )
    engines = {}
    if main is not None and main not in confidences:
        raise ValueError(f"the main level {main} is not one of the levels {list(confidences)}")
    if main is not None:
        if progress:
            progress(f"replaying at confidence {main} (and {len(confidences) - 1} more levels)")
        others = [CallRule(c) for c in confidences if c != main]
        engine = Engine(setups, inputs.candidates, CallRule(main), ModelParams(), also=others)
        engine.run(
            inputs.updates,
            track_ec=track_ec and inputs.states is None,
            close=True,
            certifications=inputs.certifications,
        )
        return dict.fromkeys(confidences, engine)
    for c in confidences:
        if progress:
            progress(f"replaying at confidence {c}")
        engine = Engine(setups, inputs.candidates, CallRule(c), ModelParams())
        engine.run(
            inputs.updates,
            track_ec=track_ec and inputs.states is None,
            close=True,
            certifications=inputs.certifications,
        )
        engines[c] = engine
    return engines


def _winners(election: Election) -> dict[str, str | None]:
    """Each state's winner in the results; ``None`` for a tie or a state with no results yet
    (a replay of partial results scores only the states it can)."""
    contest = election.contest()
    out: dict[str, str | None] = {}
    for unit in election.electoral_units():
        if unit.id != election.state_of(unit.id).id:
            continue
        out[unit.id] = tabulate_unit(contest, unit.id).winner if unit.id in contest.totals else None
    return out


def replay_doc(
    engines: dict[float, Engine],
    *,
    main: float,
    states: Sequence[str] | None = None,
    inputs: ReplayInputs | None = None,
) -> dict[str, Any]:
    """The JSON document of a replay (keys documented in docs/json.md)."""
    if inputs is None:
        inputs = load_replay_inputs(states=states)
    election = inputs.election
    winners = _winners(election)
    if inputs.states is not None:
        winners = {s: w for s, w in winners.items() if s in inputs.states}
    desk_calls = inputs.desk_calls
    engine = engines[main]
    scores = score_calls(engine.calls, winners, desk_calls)
    results = election.contest().totals
    per_state: dict[str, Any] = {}
    for s in scores:
        moments = [m for m in engine.moments if m.state == s.state]
        last = moments[-1].estimate if moments else None
        others = [
            {
                "desk": c.desk,
                "candidate": c.candidate,
                "time": _iso(c.time),
                "precision": c.precision,
            }
            for c in desk_calls
            if c.state == s.state and c.desk != "AP"
        ]
        votes = sorted(
            (v for c, v in results.get(election.unit(s.state).id, {}).items()), reverse=True
        )
        final_margin = (votes[0] - votes[1]) if len(votes) > 1 else (votes[0] if votes else 0)
        setup_thr = engine.setup(s.state).threshold
        low = engine.lowest_after_call(s.state)
        per_state[s.state] = {
            "call": None
            if s.call is None
            else {
                "candidate": s.call.candidate,
                "time": _iso(s.call.time),
                "probability": round(s.call.probability, 6),
                "margin": s.call.margin,
                "counted": s.call.counted,
                "basis": s.call.basis.value,
                "source": s.call.source or None,
            },
            "ap_call": None
            if s.ap is None
            else {
                "candidate": s.ap.candidate,
                "time": _iso(s.ap.time),
                "precision": s.ap.precision,
                "source_url": s.ap.source_url,
            },
            "other_desks": others,
            "hours_vs_ap": None if s.hours_vs_ap is None else round(s.hours_vs_ap, 2),
            "final_winner": s.winner,
            "final_margin": final_margin,
            "wrong": s.wrong,
            "lowest_p_after_call": None if low is None else round(float(low), 6),
            "withdrawn": any(
                e.state == s.state and e.kind == "call_would_be_withdrawn" for e in engine.events
            ),
            "prior": {c: round(p, 6) for c, p in engine.setup(s.state).prior.items()} or None,
            "recount_threshold": None
            if setup_thr is None
            else {
                "rules": [
                    {"pct": p, "votes": v, "lesser": lesser} for p, v, lesser in setup_thr.parts
                ],
                "citation": setup_thr.citation,
            },
            "updates": len(moments),
            "last_p_leader": None if last is None else round(last.p_leader, 6),
            "events": {
                k: sum(1 for e in engine.events if e.state == s.state and e.kind == k)
                for k in sorted({e.kind.value for e in engine.events})
            },
            "log": [
                {"time": _iso(e.time), "kind": e.kind.value, "detail": e.detail}
                for e in engine.events
                if e.state == s.state
            ],
        }
    bins, brier = calibration(engine.moments, winners)
    levels = {}
    for c, eng in sorted(engines.items()):
        lv = eng.level(c)
        sc = score_calls(list(lv.calls), winners, desk_calls)
        deltas = sorted(x.hours_vs_ap for x in sc if x.hours_vs_ap is not None)
        # One engine decided every level of a one-pass replay: its calibration once.
        br = brier if eng is engine else calibration(eng.moments, winners)[1]
        levels[f"{c:g}"] = {
            "calls": sum(1 for x in sc if x.call is not None),
            "calls_at_end_of_feed": sum(
                1 for x in sc if x.call is not None and x.call.basis == "end_of_feed"
            ),
            "calls_on_certification": sum(
                1 for x in sc if x.call is not None and x.call.basis == "certified"
            ),
            "closed_on_certification": [
                x.state for x in sc if x.call is not None and x.call.basis == "certified"
            ],
            "not_called_by_model": [
                x.state for x in sc if x.call is None or x.call.basis != "model"
            ],
            "wrong_calls": sorted({x.state for x in sc if x.wrong} | set(lv.withdrawals)),
            "uncalled": [x.state for x in sc if x.call is None],
            "withdrawals": list(lv.withdrawals),
            "median_hours_vs_ap": round(statistics.median(deltas), 2) if deltas else None,
            "earlier_than_ap": sum(1 for d in deltas if d < 0),
            "later_than_ap": sum(1 for d in deltas if d >= 0),
            "brier": round(br, 6),
        }
    ec_doc = None
    if engine.ec:
        _t_last, last_odds = engine.ec[-1]
        corr = engine.ec_correlated
        t_corr, corr_odds = corr[-1]
        ec_doc = {
            "points": len(engine.ec),
            "rho": engine.rho,
            "final": {
                "time": _iso(t_corr),
                "p_270": {c: round(p, 6) for c, p in corr_odds.p_majority.items()},
                "p_no_majority": round(corr_odds.p_no_majority, 6),
                "p_270_independent": {c: round(p, 6) for c, p in last_odds.p_majority.items()},
            },
            "correlated_points": len(corr),
            "first_time_over_99": {
                c: next((_iso(t) for t, o in corr if o.p_majority[c] >= 0.99), None)
                for c in inputs.candidates
            },
            "first_time_over_99_independent": {
                c: next((_iso(t) for t, o in engine.ec if o.p_majority[c] >= 0.99), None)
                for c in inputs.candidates
            },
        }
    params = ModelParams()
    return {
        "election": election.name,
        "confidence": main,
        "candidates": list(inputs.candidates),
        "model": {k: getattr(params, k) for k in params.__dataclass_fields__},
        "inputs": {
            "data": inputs.election_source,
            "feed": inputs.feed_source,
            "feed_updates": len(inputs.updates),
            "calls": inputs.calls_source,
            "certifications": inputs.certifications_source,
            "baseline": inputs.baseline_source,
            "states": None if inputs.states is None else list(inputs.states),
            "confidences": sorted(engines),
            "prior_sd": PRIOR_SD if inputs.baseline is not None else None,
            "unit_model_states": sorted(inputs.baseline_units),
        },
        "feeds": inputs.feed_source,
        "states": per_state,
        "backtest": {
            # Wrong: called for the certified loser, or a call that would have had to be
            # withdrawn (its candidate later no longer the favourite).
            "wrong_calls": sorted(
                {s.state for s in scores if s.wrong}
                | {e.state for e in engine.events if e.kind == "call_would_be_withdrawn"}
            ),
            "calls": sum(1 for s in scores if s.call is not None),
            "uncalled": [s.state for s in scores if s.call is None],
            "calibration": [
                {
                    "low": b.low,
                    "high": b.high,
                    "n": b.n,
                    "mean_predicted": round(b.mean_predicted, 4),
                    "observed": round(b.observed, 4),
                }
                for b in bins
            ],
            "brier": round(brier, 6),
            "levels": levels,
        },
        "electoral_college": ec_doc,
    }


def _window(moments: list[Moment], doc: dict[str, Any]) -> tuple[datetime, datetime]:
    """From the first update to a day after the later of our call and AP's (≥ 4 days)."""
    start = moments[0].time
    marks = [start + timedelta(days=4)]
    for key in ("call", "ap_call"):
        if doc.get(key):
            marks.append(datetime.fromisoformat(doc[key]["time"]))
    return start, min(max(marks) + timedelta(days=1), moments[-1].time)


def _state_chart(
    plt: Any, moments: list[Moment], state: str, doc: dict[str, Any], pair: tuple[str, str]
) -> str:
    start, end = _window(moments, doc)
    moments = [m for m in moments if m.time <= end]
    times = [m.time for m in moments]
    margin = [
        (m.estimate.margin if m.estimate.leader == pair[0] else -m.estimate.margin) for m in moments
    ]
    hurdle = [
        m.estimate.hurdle
        if m.estimate.hurdle is not None and m.estimate.hurdle <= 1.5
        else float("nan")
        for m in moments
    ]
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    ax.plot(times, margin, color="#333", lw=1.2, label=f"{pair[0]} − {pair[1]} (counted)")
    ax.axhline(0, color="#999", lw=0.6)
    ax.set_ylabel("margin (votes)")
    ax2 = ax.twinx()
    ax2.plot(
        times, hurdle, color="#1971c2", lw=0.9, alpha=0.8, label="hurdle: trailer's needed share"
    )
    ax2.set_ylim(0, 1.05)
    ax2.set_ylabel("hurdle (share, 0–1)", color="#1971c2")
    call, ap = doc["call"], doc["ap_call"]
    if call:
        t = datetime.fromisoformat(call["time"])
        ax.axvline(t, color="#2b8a3e", lw=1.5, ls="-", label=f"our call ({call['candidate']})")
    if ap:
        t = datetime.fromisoformat(ap["time"])
        ax.axvline(t, color="#d9480f", lw=1.5, ls="--", label="AP call")
    ax.set_title(f"{state}: margin and hurdle", fontsize=10)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    # Below the axes, never over the data.
    ax.legend(
        lines[0] + lines2[0],
        lines[1] + lines2[1],
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.42),
        ncol=2,
        frameon=False,
    )
    ax.set_xlim(start, end)
    _local_axis(ax, state, start)
    fig.tight_layout()
    return svg(plt, fig)


def _local_axis(ax: Any, unit: str | None, when: datetime) -> None:
    """Date ticks in the unit's local time, labelled with the zone."""
    import matplotlib.dates as mdates

    dates: Any = mdates  # matplotlib.dates is not fully typed
    zone = zone_for(unit)
    locator = dates.AutoDateLocator(tz=zone, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator, tz=zone))
    ax.set_xlabel(f"local time ({when.astimezone(zone).tzname()}; UTC in the data)")


def _state_alt(state: str, doc: dict[str, Any], pair: tuple[str, str]) -> str:
    """A state chart in words (its text alternative)."""
    call, ap = doc["call"], doc["ap_call"]
    ours = (
        f"our call for {call['candidate']} at {local(call['time'], state)}"
        if call
        else "not called by us"
    )
    theirs = f"AP's call at {local(ap['time'], state)}" if ap else "no AP call time on record"
    return (
        f"{state}: {pair[0]} − {pair[1]} margin in the count over time; {ours}; {theirs}; "
        f"final margin {doc['final_margin']:,} votes for {doc['final_winner']}."
    )


def _ec_chart(plt: Any, engine: Engine) -> str:
    end = engine.ec[0][0] + timedelta(days=6)
    series = [(t, o) for t, o in engine.ec if t <= end]
    times = [t for t, _ in series]
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    colors = ("#1d4f91", "#8f1d1d", "#2b8a3e", "#e67700")
    for i, c in enumerate(engine.candidates):
        ys = [o.p_majority.get(c, 0.0) for _, o in series]
        if max(ys, default=0.0) > 0.0:
            ax.plot(times, ys, color=colors[i % len(colors)], lw=1.2, label=f"{c}: a majority")
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("probability (0–1)")
    ax.set_title(
        "Chance of a majority of electors after every update (independent states)", fontsize=10
    )
    ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=4)
    _local_axis(ax, None, times[0] if times else engine.ec[0][0])
    fig.tight_layout()
    return svg(plt, fig)


NO_CALL_TIME = "no call time on record"


def _when(iso_utc: str, unit: str) -> str:
    """A call time in the state's local time, with UTC on hover."""
    utc = escape(iso_utc)
    return f"<time datetime='{utc}' title='{utc} UTC'>{local(iso_utc, unit)}</time>"


def _ec_alt(doc: dict[str, Any]) -> str:
    """The national chart in words (its text alternative)."""
    ec = doc["electoral_college"]
    if not ec:
        return "Single-state replay: no national chart."
    final = ", ".join(f"{c} {p:.3f}" for c, p in ec["final"]["p_270"].items())
    over = "; ".join(
        f"{c} first at or above 0.99 at {local(t, None)}"
        for c, t in ec["first_time_over_99"].items()
        if t
    )
    return (
        f"Chance of a majority of electors after each of {ec['points']:,} updates. At the end "
        f"of the feed: {final}." + (f" {over}." if over else "")
    )


def write_replay_report(engine: Engine, doc: dict[str, Any], path: Path) -> None:
    """A self-contained HTML page: per battleground state and the national chance of 270."""
    pair = (engine.candidates[0], engine.candidates[1])
    with pyplot() as plt:
        charts = []
        for st in [s for s in BATTLEGROUND if s in doc["states"]] or list(doc["states"])[:7]:
            moments = [m for m in engine.moments if m.state == st]
            if moments:
                charts.append(
                    f"<figure class='state' id='chart-{st}' aria-describedby='alt-{st}'>"
                    f"{_state_chart(plt, moments, st, doc['states'][st], pair)}"
                    f"<figcaption id='alt-{st}'>"
                    f"{escape(_state_alt(st, doc['states'][st], pair))}</figcaption></figure>"
                )
        ec_svg = _ec_chart(plt, engine) if engine.ec else "<p>(single-state replay)</p>"
    rows = []
    for st, s in sorted(doc["states"].items(), key=lambda kv: (kv[1]["call"] is None, kv[0])):
        call = s["call"]
        ap = s["ap_call"]
        others = "<br>".join(
            f"{escape(o['desk'])}: {_when(o['time'], st)}" for o in s["other_desks"]
        )
        rows.append(
            f"<tr><td>{st}</td><td>{escape(call['candidate']) if call else '—'}</td>"
            f"<td>{_when(call['time'], st) if call else 'not called'}</td>"
            f"<td>{_when(ap['time'], st) if ap else NO_CALL_TIME}</td>"
            f"<td>{others or NO_CALL_TIME}</td>"
            f"<td>{'n/a' if s['hours_vs_ap'] is None else s['hours_vs_ap']}</td>"
            f"<td>{escape(str(s['final_winner']))}</td>"
            f"<td>{'WRONG' if s['wrong'] else ''}</td></tr>"
        )
    calib = "".join(
        f"<tr><td>{b['low']:g}–{b['high']:g}</td><td>{b['n']}</td><td>{b['mean_predicted']}</td>"
        f"<td>{b['observed']}</td></tr>"
        for b in doc["backtest"]["calibration"]
        if b["n"]
    )
    levels = "".join(
        f"<tr><td>{c}</td><td>{v['calls']}</td><td>{len(v['wrong_calls'])}</td>"
        f"<td>{', '.join(v['uncalled'])}</td><td>{v['median_hours_vs_ap']}</td>"
        f"<td>{v['brier']}</td></tr>"
        for c, v in doc["backtest"]["levels"].items()
    )
    data = json.dumps(doc, ensure_ascii=False).replace("</", "<\\/")
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ballotproof — election night replay</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;
color:#1a1a1a}} table{{border-collapse:collapse;font-size:.9em}} td,th{{padding:.2em .6em;
border-bottom:1px solid #eee;text-align:left}} .muted{{color:#666;font-size:.88em}}
{RESPONSIVE_CSS}</style></head><body>
<h1>Election night, replayed: {escape(doc["election"])}</h1>
<p>Every update of the feed ({escape(doc["inputs"]["feed"])}), in time order, through ballotproof's
outstanding-vote model; a state is called when its leader's chance reaches
{doc["confidence"]:g} and the race is unlikely to end within its public recount threshold.
Wrong calls: <b id="wrong">{len(doc["backtest"]["wrong_calls"])}</b>.
Not called: {escape(", ".join(doc["backtest"]["uncalled"]) or "none")}.</p>
<h2>The national picture</h2><figure id="ec-chart" aria-describedby="ec-alt">{ec_svg}
<figcaption id="ec-alt">{escape(_ec_alt(doc))}</figcaption></figure>
<h2>Battleground states</h2>
<p class="muted">Black: {escape(pair[0])}'s lead in the count (negative: {escape(pair[1])}
leads). Blue: the share of the remaining two-party vote the trailing candidate needs. Green:
our call. Orange dashed: the Associated Press's call (sources in RACE_CALLS.md).</p>
{"".join(charts)}
<h2>Every call</h2>
<p class="muted">Times in each state's local time; hover for UTC (the JSON has UTC).</p>
<div class="scroll"><table id="calls"><tr><th>State</th><th>Called for</th><th>Our call</th>
<th>AP</th><th>Other desks</th><th>Hours vs AP</th><th>Certified winner</th><th></th></tr>
{"".join(rows)}</table></div>
<h2>Confidence levels</h2>
<div class="scroll">
<table id="levels"><tr><th>Confidence</th><th>Calls</th><th>Wrong</th><th>Not called</th>
<th>Median hours vs AP</th><th>Brier</th></tr>{levels}</table></div>
<h2>Calibration of P(current leader wins), all state-moments</h2>
<div class="scroll">
<table id="calibration"><tr><th>Predicted</th><th>Moments</th><th>Mean predicted</th>
<th>Observed</th></tr>{calib}</table></div>
<p class="muted">Moments of one state are strongly dependent: this describes the replay, it is
not an independent test.</p>
<script type="application/json" id="ballotproof-replay">{data}</script>
</body></html>
"""
    write_atomic(path, reflow(html))
