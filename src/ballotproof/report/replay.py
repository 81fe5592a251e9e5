"""``ballotproof replay``: replay election night 2020 through the calling engine and score it.

This is the edge that wires the pure pieces together: it loads the feeds, the certified
results (for the electoral units, the recount thresholds and, after the run, the scoring), the
recount-rule table and the table of desk call times; runs :class:`~ballotproof.calls.engine.
Engine` once per confidence level; and builds the JSON document and the HTML report.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from ballotproof.calls.backtest import calibration, score_calls
from ballotproof.calls.engine import Engine, Moment, StateSetup
from ballotproof.calls.outstanding import ModelParams
from ballotproof.calls.rule import CallRule, public_threshold
from ballotproof.errors import InputError
from ballotproof.io.atomic import write_atomic
from ballotproof.io.feeds import load_2020_feed, load_generic_feed
from ballotproof.io.race_calls import load_race_calls
from ballotproof.io.recount_rules import load_recount_rules
from ballotproof.io.us2020 import data_dir, load_us2020
from ballotproof.model import Election
from ballotproof.report.charts import pyplot, svg
from ballotproof.results import electoral_college

__all__ = ["BATTLEGROUND", "replay_doc", "run_replay", "setups_for", "write_replay_report"]

BATTLEGROUND = ("AZ", "GA", "MI", "NC", "NV", "PA", "WI")
CANDIDATES = ("biden", "trump")


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


def setups_for(election: Election, *, states: Sequence[str] | None = None) -> list[StateSetup]:
    """Per state: its elector-bearing units and its public recount threshold.

    Only the units, their electors and the law are used: nothing from the results.
    """
    rules = load_recount_rules()
    units: dict[str, list[tuple[str, int]]] = {}
    for unit in election.electoral_units():
        units.setdefault(str(election.state_of(unit.id).id), []).append((unit.id, unit.electors))
    out = []
    for st, us in units.items():
        if states is not None and st not in states:
            continue
        thr = public_threshold([r for r in rules if r.state == st])
        out.append(StateSetup(st, tuple(us), thr))
    return out


def run_replay(
    *,
    states: Sequence[str] | None = None,
    confidences: Sequence[float] = (0.995,),
    feed: Path | None = None,
    track_ec: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[float, Engine]:
    """Run the engine over the feed once per confidence level."""
    election = load_us2020()
    if feed is None:
        updates = load_2020_feed(data_dir(), states)
    else:
        updates = load_generic_feed(feed)
        missing = {c for c in CANDIDATES if any(c not in u.votes for u in updates)}
        if missing:
            raise InputError(
                "replay scores a feed against the 2020 presidential result, so it needs "
                + " and ".join(f"votes_{c}" for c in sorted(missing))
                + " columns",
                path=str(feed),
            )
        if states is not None:
            updates = [u for u in updates if u.state in states]
    if not updates:
        raise InputError("no updates for the requested states", path=str(feed or data_dir()))
    setups = setups_for(election, states=states)
    engines = {}
    for c in confidences:
        if progress:
            progress(f"replaying at confidence {c}")
        engine = Engine(setups, CANDIDATES, CallRule(c), ModelParams())
        engine.run(updates, track_ec=track_ec and states is None)
        engines[c] = engine
    return engines


def _winners(election: Election) -> dict[str, str | None]:
    ec = electoral_college(election)
    return {a.unit: a.to for a in ec.awards if a.unit == election.state_of(a.unit).id}


def replay_doc(
    engines: dict[float, Engine], *, main: float, states: Sequence[str] | None = None
) -> dict[str, Any]:
    """The JSON document of a replay (keys documented in docs/json.md)."""
    election = load_us2020()
    winners = _winners(election)
    if states is not None:
        winners = {s: w for s, w in winners.items() if s in states}
    desk_calls = load_race_calls()
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
        votes = {str(c): v for c, v in results.get(election.unit(s.state).id, {}).items()}
        final_margin = votes.get("biden", 0) - votes.get("trump", 0)
        setup_thr = next(
            (t.setup.threshold for st, t in engine._states.items() if st == s.state), None
        )
        per_state[s.state] = {
            "call": None
            if s.call is None
            else {
                "candidate": s.call.candidate,
                "time": _iso(s.call.time),
                "probability": round(s.call.probability, 6),
                "margin": s.call.margin,
                "counted": s.call.counted,
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
            "final_margin_biden": final_margin,
            "wrong": s.wrong,
            "lowest_p_after_call": None
            if engine.lowest_after_call(s.state) is None
            else round(float(engine.lowest_after_call(s.state) or 0.0), 6),
            "withdrawn": any(
                e.state == s.state and e.kind == "call_would_be_withdrawn" for e in engine.events
            ),
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
        }
    bins, brier = calibration(engine.moments, winners)
    levels = {}
    for c, eng in sorted(engines.items()):
        sc = score_calls(eng.calls, winners, desk_calls)
        deltas = sorted(x.hours_vs_ap for x in sc if x.hours_vs_ap is not None)
        _b, br = calibration(eng.moments, winners)
        levels[f"{c:g}"] = {
            "calls": sum(1 for x in sc if x.call is not None),
            "wrong_calls": sorted(
                {x.state for x in sc if x.wrong}
                | {e.state for e in eng.events if e.kind == "call_would_be_withdrawn"}
            ),
            "uncalled": [x.state for x in sc if x.call is None],
            "withdrawals": [e.state for e in eng.events if e.kind == "call_would_be_withdrawn"],
            "median_hours_vs_ap": round(statistics.median(deltas), 2) if deltas else None,
            "earlier_than_ap": sum(1 for d in deltas if d < 0),
            "later_than_ap": sum(1 for d in deltas if d >= 0),
            "brier": round(br, 6),
        }
    ec_doc = None
    if engine.ec:
        t_last, last_odds = engine.ec[-1]
        ec_doc = {
            "points": len(engine.ec),
            "final": {
                "time": _iso(t_last),
                "p_biden_270": round(last_odds.p_a_majority, 6),
                "p_trump_270": round(last_odds.p_b_majority, 6),
                "p_tie": round(last_odds.p_tie, 6),
            },
            "first_time_biden_over_99": next(
                (_iso(t) for t, o in engine.ec if o.p_a_majority >= 0.99), None
            ),
        }
    params = ModelParams()
    return {
        "election": election.name,
        "confidence": main,
        "model": {k: getattr(params, k) for k in params.__dataclass_fields__},
        "feeds": "NYT/Edison time series and NYT batch file, packaged in ballotproof/data/us2020 "
        "(see PROVENANCE.md); hindsight columns are not read",
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


def _state_chart(plt: Any, moments: list[Moment], state: str, doc: dict[str, Any]) -> str:
    start, end = _window(moments, doc)
    moments = [m for m in moments if m.time <= end]
    times = [m.time for m in moments]
    margin = [
        (m.estimate.margin if m.estimate.leader == "biden" else -m.estimate.margin) for m in moments
    ]
    hurdle = [
        m.estimate.hurdle
        if m.estimate.hurdle is not None and m.estimate.hurdle <= 1.5
        else float("nan")
        for m in moments
    ]
    fig, ax = plt.subplots(figsize=(7.2, 2.6))
    ax.plot(times, margin, color="#333", lw=1.2, label="Biden − Trump (counted)")
    ax.axhline(0, color="#999", lw=0.6)
    ax.set_ylabel("margin (votes)")
    ax2 = ax.twinx()
    ax2.plot(
        times, hurdle, color="#1971c2", lw=0.9, alpha=0.8, label="hurdle: trailer's needed share"
    )
    ax2.set_ylim(0, 1.05)
    ax2.set_ylabel("hurdle", color="#1971c2")
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
    ax.legend(
        lines[0] + lines2[0], lines[1] + lines2[1], fontsize=7, loc="upper right", frameon=False
    )
    ax.set_xlim(start, end)
    fig.autofmt_xdate()
    fig.tight_layout()
    return svg(plt, fig)


def _ec_chart(plt: Any, engine: Engine) -> str:
    end = engine.ec[0][0] + timedelta(days=6)
    series = [(t, o) for t, o in engine.ec if t <= end]
    times = [t for t, _ in series]
    fig, ax = plt.subplots(figsize=(7.2, 2.6))
    ax.plot(
        times, [o.p_a_majority for _, o in series], color="#1d4f91", lw=1.2, label="Biden ≥ 270"
    )
    ax.plot(
        times, [o.p_b_majority for _, o in series], color="#8f1d1d", lw=1.2, label="Trump ≥ 270"
    )
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("probability")
    ax.set_title(
        "Chance of a majority of electors after every update (independent states)", fontsize=10
    )
    ax.legend(fontsize=8, frameon=False)
    fig.autofmt_xdate()
    fig.tight_layout()
    return svg(plt, fig)


def write_replay_report(engine: Engine, doc: dict[str, Any], path: Path) -> None:
    """A self-contained HTML page: per battleground state and the national chance of 270."""
    with pyplot() as plt:
        charts = []
        for st in [s for s in BATTLEGROUND if s in doc["states"]] or list(doc["states"])[:7]:
            moments = [m for m in engine.moments if m.state == st]
            if moments:
                charts.append(
                    f"<figure class='state' id='chart-{st}'>"
                    f"{_state_chart(plt, moments, st, doc['states'][st])}</figure>"
                )
        ec_svg = _ec_chart(plt, engine) if engine.ec else "<p>(single-state replay)</p>"
    rows = []
    for st, s in sorted(doc["states"].items(), key=lambda kv: (kv[1]["call"] is None, kv[0])):
        call = s["call"]
        rows.append(
            f"<tr><td>{st}</td><td>{escape(call['candidate']) if call else '—'}</td>"
            f"<td>{call['time'] if call else 'not called'}</td>"
            f"<td>{s['ap_call']['time'] if s['ap_call'] else ''}</td>"
            f"<td>{'' if s['hours_vs_ap'] is None else s['hours_vs_ap']}</td>"
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
<html lang="en"><head><meta charset="utf-8"><title>ballotproof — election night 2020 replay</title>
<style>body{{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;
color:#1a1a1a}} table{{border-collapse:collapse;font-size:.9em}} td,th{{padding:.2em .6em;
border-bottom:1px solid #eee;text-align:left}} figure{{margin:0}} figure svg{{max-width:100%;
height:auto}} .muted{{color:#666;font-size:.88em}}</style></head><body>
<h1>Election night 2020, replayed</h1>
<p>Every update of the NYT/Edison and NYT batch feeds, in time order, through ballotproof's
outstanding-vote model; a state is called when its leader's chance reaches
{doc["confidence"]:g} and the race is unlikely to end within its public recount threshold.
Wrong calls: <b id="wrong">{len(doc["backtest"]["wrong_calls"])}</b>.
Not called: {escape(", ".join(doc["backtest"]["uncalled"]) or "none")}.</p>
<h2>The national picture</h2><figure id="ec-chart">{ec_svg}</figure>
<h2>Battleground states</h2>
<p class="muted">Black: Biden's lead in the count (negative: Trump leads). Blue: the share of the
remaining two-party vote the trailing candidate needs. Green: our call. Orange dashed: the
Associated Press's call (sources in RACE_CALLS.md).</p>
{"".join(charts)}
<h2>Every call</h2>
<table id="calls"><tr><th>State</th><th>Called for</th><th>Our call (UTC)</th><th>AP (UTC)</th>
<th>Hours vs AP</th><th>Certified winner</th><th></th></tr>{"".join(rows)}</table>
<h2>Confidence levels</h2>
<table id="levels"><tr><th>Confidence</th><th>Calls</th><th>Wrong</th><th>Not called</th>
<th>Median hours vs AP</th><th>Brier</th></tr>{levels}</table>
<h2>Calibration of P(current leader wins), all state-moments</h2>
<table id="calibration"><tr><th>Predicted</th><th>Moments</th><th>Mean predicted</th>
<th>Observed</th></tr>{calib}</table>
<p class="muted">Moments of one state are strongly dependent: this describes the replay, it is
not an independent test.</p>
<script type="application/json" id="ballotproof-replay">{data}</script>
</body></html>
"""
    write_atomic(path, html)
