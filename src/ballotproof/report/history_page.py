"""The page "Twelve elections and the road to certification": history and timeline as pictures.

Built only from the documents of ``ballotproof history --json`` (:func:`history_doc`) and
``ballotproof timeline --json`` (:func:`timeline_doc`), both embedded in the page, so every bar
and every date on it can be checked against the JSON and, from there, against the sourced
tables (MEDSL for the record; ``certification_2020.csv`` and ``race_calls_2020.csv`` for the
calendar).
"""

from __future__ import annotations

import json
from datetime import date
from html import escape
from typing import Any

from ballotproof.report.charts import pyplot, svg
from ballotproof.report.html import RESPONSIVE_CSS, fmt_pct
from ballotproof.report.reflow import reflow

__all__ = ["render_history_page"]

_STAGES = (  # timeline marks: key of the state document, label, marker, colour
    ("called", "AP call", "o", "#555555"),
    ("certified", "certified", "s", "#2b8a3e"),
    ("final_certified", "re-certified", "D", "#1971c2"),
    ("electors_voted", "electors voted", "^", "#862e9c"),
)


def _switchers(y: dict[str, Any]) -> int | None:
    value = y["flip"]["deny"]["switchers"]
    return None if value is None else int(value)


def _history_chart(doc: dict[str, Any]) -> str:
    """Per year: the fewest voters who, switching, would have denied the winner a majority
    (log scale), labelled with the states it took."""
    years = doc["years"]
    with pyplot() as plt:
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        xs = list(range(len(years)))
        values = [_switchers(y) or 0 for y in years]
        ax.bar(xs, values, color="#7a7a7a", width=0.6)
        for x, y, v in zip(xs, years, values, strict=True):
            units = [u["unit"] for u in y["flip"]["deny"]["units"]]
            states = ", ".join(units) if len(units) <= 3 else f"{len(units)} states"
            if v:
                ax.annotate(
                    states,
                    (x, v),
                    textcoords="offset points",
                    xytext=(0, 3),
                    ha="center",
                    fontsize=7,
                    rotation=90,
                )
        ax.set_yscale("log")
        ax.set_xticks(xs, [str(y["year"]) for y in years])
        ax.set_ylabel("voters switching (count, log scale)")
        ax.set_xlabel("election year")
        ax.set_title("Fewest voters whose switch would have denied the winner a majority")
        ax.set_ylim(top=max(values, default=10) * 30)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        return svg(plt, fig)


def _history_alt(doc: dict[str, Any]) -> str:
    parts = []
    for y in doc["years"]:
        n = _switchers(y)
        states = ", ".join(u["unit"] for u in y["flip"]["deny"]["units"])
        parts.append(f"{y['year']}: {'n/a' if n is None else f'{n:,}'} in {states}")
    return "Chart in words (voters switching, states): " + "; ".join(parts) + "."


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _timeline_states(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """States with something on record beyond the electors' vote, in order of certification."""
    shown = [s for s in doc["states"] if s["certified"] or s["events"]]
    return sorted(shown, key=lambda s: (s["certified"] or "9999", s["state"]))


def _state_deadlines(s: dict[str, Any]) -> list[dict[str, Any]]:
    """The state's own statutory deadlines (the federal ones are the dashed lines)."""
    return [d for d in s["deadlines"] if not d["citation"].startswith(("3 U.S.C.", "U.S. Const"))]


def _marks(s: dict[str, Any]) -> list[tuple[date, str, str, str]]:
    """(day, label, marker, colour) of each dated stage of a state; a re-certification only
    when it differs from the first certification."""
    out = []
    for key, label, marker, colour in _STAGES:
        d = _day(s[key])
        if d is None or (key == "final_certified" and s[key] == s["certified"]):
            continue
        out.append((d, label, marker, colour))
    for dl in _state_deadlines(s):
        missed = dl["met"] is False
        label = "state deadline (missed)" if missed else "state deadline"
        out.append((date.fromisoformat(dl["due"]), label, "|", "#e03131" if missed else "#868e96"))
    return out


def _timeline_chart(doc: dict[str, Any]) -> str:
    """One line per state from election day to its electors' vote, with its call,
    certification, recounts and audits (bars) and the federal dates (vertical lines)."""
    states = _timeline_states(doc)
    start = date.fromisoformat(doc["election_day"])
    with pyplot() as plt:
        fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(states) + 1.9))
        seen: set[str] = set()
        for row, s in enumerate(reversed(states)):
            end = _day(s["electors_voted"]) or start
            ax.plot([0, (end - start).days], [row, row], color="#dddddd", lw=1, zorder=1)
            for e in s["events"]:
                if e["kind"] in ("recount", "audit"):
                    d0 = (date.fromisoformat(e["date"]) - start).days
                    d1 = (_day(e["end_date"]) or date.fromisoformat(e["date"])) - start
                    label = "recount or audit" if "span" not in seen else None
                    seen.add("span")
                    ax.barh(
                        row, max(d1.days - d0, 1), left=d0, height=0.5, color="#ffd8a8",
                        zorder=2, label=label,
                    )  # fmt: skip
            for d, label, marker, colour in _marks(s):
                ax.plot(
                    [(d - start).days], [row], marker=marker, color=colour, linestyle="none",
                    markersize=10 if marker == "|" else 5, markeredgewidth=1.8 if marker == "|"
                    else 1, zorder=3, label=None if label in seen else label,
                )  # fmt: skip
                seen.add(label)
        for f in doc["federal"]:
            if f["kind"] != "federal_deadline":
                continue
            x = (date.fromisoformat(f["date"]) - start).days
            ax.axvline(x, color="#999999", lw=0.8, ls="--", zorder=0)
            ax.annotate(
                f"{date.fromisoformat(f['date']).day} {date.fromisoformat(f['date']):%b}",
                (x, len(states) - 0.4),
                fontsize=7,
                ha="center",
                annotation_clip=False,
            )
        ax.set_yticks(range(len(states)), [s["state"] for s in reversed(states)], fontsize=7)
        ax.set_ylim(-0.8, len(states) + 0.2)
        ax.set_xlabel(f"days after election day ({f'{start.day} {start:%B %Y}'})")
        ax.set_title("From election day to the electors' vote (dashed: federal dates)", pad=14)
        ax.legend(loc="center right", fontsize=7, frameon=True)
        fig.tight_layout()
        return svg(plt, fig)


def _timeline_alt(doc: dict[str, Any]) -> str:
    parts = []
    for s in _timeline_states(doc):
        bits = [f"{label} {d.isoformat()}" for d, label, _, _ in sorted(_marks(s))]
        bits += [
            f"{e['kind']} {e['date']}" + (f" to {e['end_date']}" if e["end_date"] else "")
            for e in s["events"]
            if e["kind"] in ("recount", "audit")
        ]
        parts.append(f"{s['state']}: " + ", ".join(bits))
    return "Chart in words: " + "; ".join(parts) + "."


def _year_rows(doc: dict[str, Any]) -> str:
    rows = []
    for y in doc["years"]:
        pledged = {e["key"]: e["electors"] for e in y["electors_pledged"]["electors"]}
        cast = {e["key"]: e["electors"] for e in y["electors_cast"]["electors"]}
        w, r = y["winner"], y["runner_up"]
        electors = f"{pledged.get(w, 0)}–{pledged.get(r, 0)}"
        if (cast.get(w), cast.get(r)) != (pledged.get(w), pledged.get(r)):
            electors += f" (cast {cast.get(w, 0)}–{cast.get(r, 0)})"
        pv = y["popular_vote"]
        lead = pv["winner"] - pv["runner_up"]
        tp = y["tipping_point"]
        deny = y["flip"]["deny"]
        n = _switchers(y)
        rows.append(
            f"<tr><td>{y['year']}</td><td>{escape(y['winner_name'])}</td>"
            f"<td>{escape(electors)}</td>"
            f"<td>{'+' if lead >= 0 else '−'}{abs(lead):,}</td>"
            f"<td>{'yes' if y['inversion'] else ''}</td>"
            f"<td>{escape(tp['name'])} ({fmt_pct(tp['margin_pct'], digits=2)})</td>"
            f"<td>{'n/a' if n is None else f'{n:,}'}</td>"
            f"<td>{escape(', '.join(u['unit'] for u in deny['units']))}</td></tr>"
        )
    return "".join(rows)


def _event_rows(doc: dict[str, Any]) -> str:
    rows = []
    events = list(doc["federal"]) + [e for s in doc["states"] for e in s["events"]]
    for e in sorted(events, key=lambda e: (e["date"], e["state"])):
        when = e["date"] + (f" – {e['end_date']}" if e["end_date"] else "")
        source = f"<a href='{escape(e['source_url'])}'>source</a>" if e["source_url"] else "statute"
        rows.append(
            f"<tr><td>{escape(when)}</td><td>{escape(e['state'])}</td>"
            f"<td>{escape(e['kind'].replace('_', ' '))}</td><td>{escape(e['title'])}</td>"
            f"<td>{escape(e['outcome'])}</td><td>{escape(e['citation'])} {source}</td></tr>"
        )
    return "".join(rows)


def render_history_page(history: dict[str, Any], timeline: dict[str, Any]) -> str:
    """The page as one HTML string (no script, no network), both documents embedded."""
    data = json.dumps({"history": history, "timeline": timeline}, ensure_ascii=False)
    data = data.replace("</", "<\\/")
    first, last = history["years"][0]["year"], history["years"][-1]["year"]
    closest = min(history["years"], key=lambda y: _switchers(y) or 10**12)
    return reflow(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ballotproof — elections {first}–{last} and the road to certification</title>
<style>body{{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;
color:#1a1a1a;line-height:1.45}} table{{border-collapse:collapse;font-size:.9em}}
td,th{{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}}
.muted{{color:#666;font-size:.88em}} {RESPONSIVE_CSS}</style></head><body>
<h1>Presidential elections {first}–{last}, and the road to certification</h1>
<p>How close was each election? The measure below is the fewest voters who, by switching from
the winner to the runner-up in the right states, would have left the winner short of a
majority of electors. The closest was {closest["year"]}:
{_switchers(closest) or 0:,} voters in
{escape(", ".join(u["unit"] for u in closest["flip"]["deny"]["units"]))}.
Electors are counted as pledged by the statewide (and district) results; where electors voted
otherwise, the table says so.</p>
<figure id="history-chart" aria-describedby="history-alt">{_history_chart(history)}
<figcaption id="history-alt">{escape(_history_alt(history))}</figcaption></figure>
<h2>Every election</h2>
<div class="scroll"><table id="years"><tr><th>Year</th><th>Winner</th><th>Electors</th>
<th>Winner's popular-vote lead</th><th>Lost the popular vote</th><th>Tipping point</th>
<th>Fewest switchers to deny a majority</th><th>States</th></tr>{_year_rows(history)}</table>
</div>
<p class="muted">Source: {escape("; ".join(history["sources"]))}. The fewest-switchers sets
are computed exactly (each state's margin, halved and rounded up, ties it).</p>

<h2>The road to certification, {escape(timeline["election"])}</h2>
<p>Each line runs from election day to the day the state's electors voted; marks show the AP
call, certification, a re-certification, the state's own certification deadline, and any
recount or audit on record. States with nothing on record beyond the electors' vote are left
out of the chart.</p>
<figure id="timeline-chart" aria-describedby="timeline-alt">{_timeline_chart(timeline)}
<figcaption id="timeline-alt">{escape(_timeline_alt(timeline))}</figcaption></figure>
<h2>Dated events</h2>
<div class="scroll"><table id="events"><tr><th>Date</th><th>Where</th><th>Kind</th>
<th>Event</th><th>Outcome</th><th>Citation</th></tr>{_event_rows(timeline)}</table></div>
<p class="muted">Source: {escape(timeline["source"])}. What the table does not hold is said in
CERTIFICATION_2020.md in the package.</p>
<script type="application/json" id="ballotproof-history">{data}</script>
</body></html>
""")
