"""The self-contained HTML results report: no executable script, no network at view time.

Everything on the page is computed from the JSON documents of
:mod:`ballotproof.report.documents` (which the page also embeds, so a reader can check every
figure), plus a chart drawn by matplotlib into inline SVG.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ballotproof.report.charts import pyplot, svg
from ballotproof.report.tilemap import TILES, tile_svg

__all__ = ["party_colour", "render_report", "short_name"]

BLUE = ["#dbe7f6", "#a9c8ee", "#6fa3e0", "#3a78c9", "#1d4f91"]
RED = ["#f8dcdc", "#f0aaaa", "#e27171", "#c93a3a", "#8f1d1d"]
GREY = ["#eeeeee", "#d6d6d6", "#b5b5b5", "#8d8d8d", "#5e5e5e"]
BINS = (1.0, 5.0, 10.0, 20.0)  # margin % bin edges, closest first


def short_name(name: str) -> str:
    """'Biden, Joseph R. Jr' → 'Biden'; names without a comma are kept whole."""
    return name.split(",")[0].strip() if "," in name else name


def party_colour(party: str) -> list[str]:
    p = party.lower()
    if "democrat" in p:
        return BLUE
    if "republican" in p:
        return RED
    return GREY


def _shade(palette: list[str], margin_pct: float) -> str:
    level = sum(1 for edge in BINS if margin_pct >= edge)
    return palette[level]


def _chart_svg(recounts: dict[str, Any], n: int = 10) -> str:
    """Closest states' margins (bars) against their recount thresholds (markers)."""
    with pyplot() as plt:
        return _draw_chart(plt, recounts, n)


def _draw_chart(plt: Any, recounts: dict[str, Any], n: int) -> str:
    states = recounts["states"][:n][::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(states) + 1.2))
    ys = range(len(states))
    ax.barh(
        list(ys),
        [s["margin_pct"] for s in states],
        color="#7a7a7a",
        height=0.55,
        label="margin (% of votes cast)",
    )
    shown = set()
    xmax = 1.3 * max((s["margin_pct"] for s in states), default=1.0) or 1.0
    for y, s in zip(ys, states, strict=True):
        for r in s["rules"]:
            if r["threshold_votes"] is None or not s["votes_cast"]:
                continue
            pct = 100 * r["threshold_votes"] / s["votes_cast"]
            auto = r["kind"] == "automatic"
            label = "automatic recount threshold" if auto else "requested recount threshold"
            beyond = pct > xmax  # drawn at the edge, pointing right
            ax.plot(
                [min(pct, xmax * 0.985)],
                [y],
                marker=">" if beyond else ("D" if auto else "o"),
                linestyle="none",
                color="#d9480f" if auto else "#1971c2",
                markersize=7,
                label=None if label in shown else label,
            )
            shown.add(label)
    ax.set_yticks(list(ys), [f"{s['state']} ({s['status'].replace('_', ' ')})" for s in states])
    ax.set_xlim(0, xmax)
    ax.set_xlabel("percent of votes cast (▶: threshold beyond the axis)")
    ax.set_title("Closest states: margin against recount thresholds")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    return svg(plt, fig)


def _n(x: int | None) -> str:
    return "n/a" if x is None else f"{x:,}"


def _names(results: dict[str, Any]) -> dict[str, str]:
    return {r["choice"]: short_name(r["name"]) for r in results["popular_vote"]}


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def headline(docs: dict[str, Any]) -> str:
    """A short plain-language summary a journalist could quote, built from the documents."""
    res, tp, flip = docs["results"], docs["tipping_point"], docs["flip"]
    names = _names(res)
    pv = res["popular_vote"]
    ec = res["electoral_college"]
    w, ru = ec["winner"], ec["runner_up"]
    unit_names = {u["unit"]: u["name"] for u in res["units"]}
    deny = flip["deny"]
    flipped = _list([unit_names.get(i["unit"], i["unit"]) for i in deny["units"]])
    w_votes = next(p for p in pv if p["choice"] == w)
    r_votes = next(p for p in pv if p["choice"] == ru)
    pv_lead = w_votes["votes"] - r_votes["votes"]
    popular = (
        f"and the popular vote by {pv_lead:,} votes ({w_votes['share_pct']:.1f}% to "
        f"{r_votes['share_pct']:.1f}%)"
        if pv_lead > 0
        else f"while {names[ru]} won the popular vote by {-pv_lead:,} votes "
        f"({r_votes['share_pct']:.1f}% to {w_votes['share_pct']:.1f}%)"
    )
    text = (
        f"{names[w]} won {ec['electors'][w]} electoral votes to {names[ru]}'s "
        f"{ec['electors'].get(ru, 0)}, {popular}. The election turned on {tp['name']}, the "
        f"tipping-point state, which {names[w]} carried by {tp['margin']:,} votes "
        f"({tp['margin_pct']:.2f}%). Had {_n(deny['switchers'])} voters in {flipped} chosen "
        f"{names[ru]} instead of {names[w]}, those states would have been tied and "
        f"{names[w]} left with {deny['winner_electors_after']} electors, short of the "
        f"{ec['majority']} needed."
    )
    phrases = []
    for s in docs["recounts"]["states"][:3]:
        qualifying = [r for r in s["rules"] if r["qualifies"]]
        if s["status"] == "unknown":
            what = "recount rules not in the table"
        elif s["status"] == "not_eligible":
            what = "outside every recount threshold"
        elif s["status"] == "automatic":
            what = "within its automatic recount threshold"
        else:
            rule = next((r for r in qualifying if r["threshold_votes"] is not None), qualifying[0])
            cond = "at any margin" if rule["threshold_votes"] is None else "within its threshold"
            what = (
                f"a recount could be requested {cond} (cost: {rule['who_pays'].replace('_', ' ')})"
            )
        phrases.append(f"{s['name']} ({s['margin_pct']:.2f}%): {what}")
    if phrases:
        text += " The closest states: " + "; ".join(phrases) + "."
    return text


def render_report(docs: dict[str, Any], *, links: list[tuple[str, str]] | None = None) -> str:
    """The whole report as one HTML string (``links``: other reports of the demonstration)."""
    res, margins, tp, flip, rec = (
        docs[k] for k in ("results", "margins", "tipping_point", "flip", "recounts")
    )
    names = _names(res)
    party = {r["choice"]: r["party"] for r in res["popular_vote"]}
    by_unit = {u["unit"]: u for u in res["units"]}

    def fill(unit: str) -> str:
        u = by_unit.get(unit)
        if u is None or u["winner"] is None:
            return "#ffffff"
        return _shade(party_colour(party.get(u["winner"], "")), u["margin_pct"])

    def label(unit: str) -> str:
        u = by_unit.get(unit)
        if u is None:
            return ""
        return f"{u['margin_pct']:.1f}%"

    def title(unit: str) -> str:
        u = by_unit.get(unit)
        if u is None:
            return unit
        who = names.get(u["winner"], "tie") if u["winner"] else "tie"
        return (
            f"{u['name']}: {who} by {u['margin']:,} votes ({u['margin_pct']:.2f}%), "
            f"{u['electors']} electors"
        )

    districts: dict[str, list[str]] = {}
    for u in res["units"]:
        if "-" in u["unit"]:
            districts.setdefault(u["unit"].split("-")[0], []).append(u["unit"])
    highlight = frozenset([tp["unit"]] + [i["unit"] for i in flip["deny"]["units"]])
    has_tiles = all(u in TILES for u in by_unit if "-" not in u)
    tilemap = (
        tile_svg(fill, label, title, districts, highlight=highlight)
        if has_tiles
        else "<p>(No tile map: the units are not U.S. states.)</p>"
    )

    def flip_rows(block: dict[str, Any]) -> str:
        rows = "".join(
            f"<tr><td>{escape(i['unit'])}</td><td>{i['electors']}</td>"
            f"<td>{i['margin']:,}</td><td>{i['votes']:,}</td><td>{_n(i['switchers'])}</td></tr>"
            for i in block["units"]
        )
        return rows + (
            f"<tr class='total'><td>total</td><td>{block['electors_moved']}</td>"
            f"<td>{block['margin_sum']:,}</td><td>{block['votes']:,}</td>"
            f"<td>{_n(block['switchers'])}</td></tr>"
        )

    closest = "".join(
        f"<tr><td>{escape(u['unit'])}</td><td>{escape(u['name'])}</td>"
        f"<td>{escape(names.get(u['winner'] or '', 'tie'))}</td><td>{u['margin']:,}</td>"
        f"<td>{u['margin_pct']:.3f}%</td><td>{u['electors']}</td></tr>"
        for u in margins["units"][:15]
    )
    recount_rows = "".join(
        f"<tr><td>{escape(s['state'])}</td><td>{s['margin']:,}</td><td>{s['margin_pct']:.3f}%</td>"
        f"<td class='st-{s['status']}'>{s['status'].replace('_', ' ')}</td><td>"
        + "<br>".join(escape(f"{r['kind']}: {r['rule']} — {r['citation']}") for r in s["rules"])
        + "</td></tr>"
        for s in rec["states"][:15]
    )
    legend = "".join(f"<span class='key' style='background:{c}'></span>" for c in BLUE[::-1] + RED)
    data_json = json.dumps(docs, ensure_ascii=False).replace("</", "<\\/")
    ec = res["electoral_college"]
    tally = " · ".join(f"{names.get(c, c)} {n}" for c, n in ec["electors"].items())
    nav = ""
    if links:
        nav = (
            "<p class='muted' id='nav'>Also: "
            + " · ".join(f"<a href='{escape(href)}'>{escape(title)}</a>" for title, href in links)
            + "</p>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ballotproof — {escape(res["election"])}</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;
margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}}
h1{{font-size:1.6em;margin-bottom:.2em}} h2{{margin-top:1.8em;border-bottom:1px solid #ddd}}
.summary{{font-size:1.12em;background:#f6f6f2;padding:1em 1.2em;border-left:4px solid #444}}
.ec{{font-size:1.3em;font-weight:600}}
table{{border-collapse:collapse;margin:.6em 0;font-size:.92em}}
td,th{{padding:.25em .7em;border-bottom:1px solid #eee;text-align:left}}
td:nth-child(n+2){{font-variant-numeric:tabular-nums}} tr.total td{{font-weight:700}}
.tilemap{{width:100%;max-width:720px}} .tilemap .st{{font:600 13px system-ui}}
.tilemap .mg{{font:10px system-ui}}
.key{{display:inline-block;width:22px;height:12px;margin-right:1px}}
.st-automatic,.st-requestable{{font-weight:700}} .muted{{color:#666;font-size:.88em}}
figure{{margin:0}} figure svg{{max-width:100%;height:auto}}
</style></head><body>
<h1>{escape(res["election"])}</h1>
{nav}
<p class="ec" id="ec-total">{escape(tally)}
 <span class="muted">electors of {ec["total"]} (majority {ec["majority"]})</span></p>
<p class="summary" id="summary">{escape(headline(docs))}</p>

<h2>The map</h2>
<p class="muted">Each square is a state, coloured by the winner; darker means a wider margin
(bins: &lt;1%, 1–5%, 5–10%, 10–20%, ≥20% of votes cast). Small bars in Maine and Nebraska are
their congressional districts. Outlined: the tipping point and the states of the smallest
set that would have denied the winner a majority. {legend}</p>
{tilemap}

<h2>Tipping point: {escape(tp["name"])}</h2>
<p>Ordering the states and districts {escape(names[tp["winner"]])} carried by margin, largest
first, {escape(tp["name"])} brought the running total to {tp["order"][-1]["cumulative"]}
electors, past the {tp["majority"]} needed. Its margin: {tp["margin"]:,} votes
({tp["margin_pct"]:.3f}%).</p>

<h2>How few votes would have changed the outcome</h2>
<p>(a) Deny {escape(names[flip["winner"]])} a majority: tie these states and their electors
go to nobody ({flip["deny"]["winner_electors_after"]} electors left, the House decides):</p>
<table id="flip-deny"><tr><th>Unit</th><th>Electors</th><th>Margin</th><th>Votes to tie</th>
<th>Voters switching to tie</th></tr>{flip_rows(flip["deny"])}</table>
<p>(b) Give {escape(names[flip["runner_up"]])} a majority outright: win these states
({flip["elect"]["runner_up_electors_after"]} electors):</p>
<table id="flip-elect"><tr><th>Unit</th><th>Electors</th><th>Margin</th><th>Votes to win</th>
<th>Voters switching to win</th></tr>{flip_rows(flip["elect"])}</table>
<p class="muted">Found by {escape(flip["algorithm"])}: exact, not greedy, each measure
optimised on its own. A switcher moves from one candidate to the other, so it takes
⌈margin/2⌉ switchers to tie a state and ⌊margin/2⌋+1 to win it.</p>

<h2>Closest contests and recount thresholds</h2>
<figure id="recount-chart">{_chart_svg(rec)}</figure>
<table id="recounts"><tr><th>State</th><th>Margin</th><th>%</th><th>Recount</th>
<th>Rules in force (2020)</th></tr>{recount_rows}</table>
<p class="muted">States whose rules are not in the table are reported as unknown, never as
ineligible. Rules and their sources: RECOUNT_RULES.md in the package.</p>

<h2>Closest states and districts</h2>
<table id="margins"><tr><th>Unit</th><th>Name</th><th>Winner</th><th>Margin</th><th>%</th>
<th>Electors</th></tr>{closest}</table>

<h2>Data</h2>
<p class="muted">{escape(res["source"])}. Margins are shares of the votes cast for
candidates. All figures on this page are in the JSON below (also written beside this file).</p>
<script type="application/json" id="ballotproof-data">{data_json}</script>
</body></html>
"""
