"""A replay of election night, scored and shown: its JSON document (keys in docs/json.md) and
its HTML report (a chart per battleground state, the Electoral College chart, the calls against
the desks'). The replay itself is run by :mod:`ballotproof.usecases.replay`.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from ballotproof.calls.backtest import calibration, score_calls
from ballotproof.calls.engine import Engine, Moment
from ballotproof.calls.outstanding import ModelParams
from ballotproof.io.atomic import write_atomic
from ballotproof.report.charts import pyplot, svg
from ballotproof.report.html import RESPONSIVE_CSS
from ballotproof.report.localtime import local, zone_for
from ballotproof.report.reflow import reflow
from ballotproof.usecases.replay import (
    BATTLEGROUND,
    PRIOR_SD,
    ReplayInputs,
    load_replay_inputs,
    state_winners,
)

__all__ = ["replay_doc", "write_replay_report"]


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


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
    winners = state_winners(election)
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


def write_replay_report(
    engine: Engine, doc: dict[str, Any], path: Path, *, refresh: int | None = None
) -> None:
    """A self-contained HTML page: per battleground state and the national chance of 270
    (``refresh``: the browser reloads it every that many seconds, for ``watch``)."""
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
    reload = f'\n<meta http-equiv="refresh" content="{int(refresh)}">' if refresh else ""
    kind = "live" if refresh else "replay"
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ballotproof — election night {kind}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{reload}
<style>body{{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;
color:#1a1a1a}} table{{border-collapse:collapse;font-size:.9em}} td,th{{padding:.2em .6em;
border-bottom:1px solid #eee;text-align:left}} .muted{{color:#666;font-size:.88em}}
{RESPONSIVE_CSS}</style></head><body>
<h1>Election night, {"live" if refresh else "replayed"}: {escape(doc["election"])}</h1>
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
