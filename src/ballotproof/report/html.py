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
from ballotproof.report.reflow import REFLOW_CSS, reflow
from ballotproof.report.tilemap import TILES, tile_svg

__all__ = [
    "RESPONSIVE_CSS",
    "fmt_pct",
    "palettes",
    "party_colour",
    "render_report",
    "shades_of",
    "short_name",
]

BLUE = ["#dbe7f6", "#a9c8ee", "#6fa3e0", "#3a78c9", "#1d4f91"]
RED = ["#f8dcdc", "#f0aaaa", "#e27171", "#c93a3a", "#8f1d1d"]
GREY = ["#eeeeee", "#d6d6d6", "#b5b5b5", "#8d8d8d", "#5e5e5e"]
# For candidates whose party is neither of the two major U.S. parties: one hue each, in order.
OTHERS = [
    ["#f3e6f7", "#dcb8e8", "#b97fd1", "#8e4cb0", "#5f2a7d"],  # purple
    ["#e3f4e3", "#b5e0b5", "#7cc47c", "#3f9a3f", "#1f6b1f"],  # green
    ["#fdf0d9", "#f9d39a", "#f2ab4e", "#d9820f", "#9a5a05"],  # orange
    ["#dff3f3", "#a9dede", "#66c0c0", "#2b9494", "#146464"],  # teal
]
BINS = (1.0, 5.0, 10.0, 20.0)  # margin % bin edges, closest first
BAND_NAMES = ("under 1%", "1–5%", "5–10%", "10–20%", "20% or more")

# Shared by every report: nothing wider than the screen; on a phone every data table reflows
# into one card per row (report.reflow) and long cells wrap, so neither the page nor a table
# scrolls sideways (checked at 375 px in the browser test).
RESPONSIVE_CSS = (
    """
html{-webkit-text-size-adjust:100%}
body{overflow-wrap:break-word}
.scroll{max-width:100%;overflow-x:auto}
figure{margin:0;max-width:100%} figure svg{max-width:100%;height:auto}
figcaption{color:#555;font-size:.85em;margin:.2em 0 1em}
@media (max-width:600px){body{margin:1em auto;padding:0 .6em}
table{font-size:.8em} td,th{padding:.2em .35em}}
"""
    + REFLOW_CSS
)

_DEM = {"dem", "d", "democrat", "democratic", "democratic party", "dfl", "democratic-farmer-labor"}
_REP = {"rep", "r", "gop", "republican", "republican party"}


def fmt_pct(x: float, *, digits: int = 1) -> str:
    """A percentage with ``digits`` decimals, or more when needed so that a non-zero value
    never prints as zero: ``fmt_pct(0.0092)`` is ``'0.009%'``, ``fmt_pct(0.627)`` ``'0.6%'``.

    >>> fmt_pct(0.0092), fmt_pct(12.34), fmt_pct(0.0), fmt_pct(0.627, digits=2)
    ('0.009%', '12.3%', '0.0%', '0.63%')
    """
    d = digits
    while x != 0 and abs(x) < 10.0**-d and d < 8:  # at least one significant digit
        d += 1
    return f"{x:.{d}f}%"


def _party_key(party: str) -> str:
    """'Democratic; Working Families' → 'democratic': the first party named, lower case."""
    return party.split(";")[0].strip().lower().replace(".", "")


def short_name(name: str) -> str:
    """'Biden, Joseph R. Jr' → 'Biden'; names without a comma are kept whole."""
    return name.split(",")[0].strip() if "," in name else name


def party_colour(party: str) -> list[str]:
    """The five shades (closest margin first) of a major U.S. party, in any common spelling
    (``DEM``, ``D``, ``Democratic``, ``DFL``; ``REP``, ``R``, ``GOP``, ``Republican``); grey
    for any other party (:func:`palettes` gives those a hue of their own)."""
    p = _party_key(party)
    if p in _DEM or p.startswith("democrat"):
        return BLUE
    if p in _REP or p.startswith("republican"):
        return RED
    return GREY


def shades_of(colour: str) -> list[str]:
    """Five shades of ``#rrggbb``, lightest first, the last the colour itself.

    >>> shades_of("#008000")
    ['#cce6cc', '#99cc99', '#66b366', '#339933', '#008000']
    """
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    out = []
    for strength in (0.2, 0.4, 0.6, 0.8, 1.0):
        mixed = (round(255 - (255 - v) * strength) for v in rgb)
        out.append("#" + "".join(f"{v:02x}" for v in mixed))
    return out


def palettes(
    choices: list[tuple[str, str]], colours: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """Choice id → its shades, for ``(choice, party)`` pairs in order: blue and red for the
    major U.S. parties, then purple, green, orange, teal in turn, so that no two candidates
    share a colour and a map is never all grey. ``colours`` (choice → ``#rrggbb``, the data's
    colour column) wins over the party.

    >>> p = palettes([("a", "DEM"), ("b", "Republican"), ("c", "Green"), ("d", "")])
    >>> p["a"] is BLUE, p["b"] is RED, p["c"] is OTHERS[0], p["d"] is OTHERS[1]
    (True, True, True, True)
    """
    out: dict[str, list[str]] = {}
    used: set[int] = set()
    spare = iter(OTHERS + [GREY] * len(choices))
    for choice, party in choices:
        if (colours or {}).get(choice):
            out[choice] = shades_of((colours or {})[choice])
            continue
        pal = party_colour(party)
        if pal is GREY or id(pal) in used:
            pal = next(spare)
        used.add(id(pal))
        out[choice] = pal
    return out


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


def _legend(res: dict[str, Any], names: dict[str, str], shades: dict[str, list[str]]) -> str:
    """The map's key in words: one row per candidate who carried a unit, one swatch per band."""
    winners = {u["winner"] for u in res["units"] if u["winner"]}
    head = "".join(f"<th>{b}</th>" for b in BAND_NAMES)
    rows = "".join(
        f"<tr><th scope='row'>{escape(names.get(c, c))} won</th>"
        + "".join(
            f"<td><span class='key' style='background:{colour}' role='img' "
            f"aria-label='{escape(names.get(c, c))} by {band}'></span></td>"
            for colour, band in zip(shades.get(c, GREY), BAND_NAMES, strict=True)
        )
        + "</tr>"
        for c in shades
        if c in winners
    )
    return (
        "<div class='scroll'><table id='legend' class='legend'><caption>Key: winner, and "
        f"margin in percent of votes cast</caption><tr><th></th>{head}</tr>{rows}"
        "<tr><th scope='row'>tied or no votes</th><td><span class='key' "
        "style='background:#ffffff;outline:1px solid #999' role='img' aria-label='tied'>"
        "</span></td></tr></table></div>"
    )


def _chart_alt(recounts: dict[str, Any], n: int = 10) -> str:
    """The recount chart in words (its text alternative)."""
    parts = []
    for s in recounts["states"][:n]:
        thr = [
            f"{r['kind']} threshold "
            f"{fmt_pct(100 * r['threshold_votes'] / s['votes_cast'], digits=2)}"
            for r in s["rules"]
            if r["threshold_votes"] is not None and s["votes_cast"]
        ]
        parts.append(
            f"{s['state']} margin {fmt_pct(s['margin_pct'], digits=2)}"
            + (f" ({', '.join(thr)})" if thr else " (no numeric threshold)")
        )
    return "Chart in words, closest first: " + "; ".join(parts) + "."


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
        f"({fmt_pct(tp['margin_pct'], digits=2)}). Had {_n(deny['switchers'])} voters in "
        f"{flipped} chosen "
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
        elif s["status"] == "no_recount":
            what = "state law provides no recount for president"
        elif s["status"] == "automatic":
            what = "within its automatic recount threshold"
        else:
            rule = next((r for r in qualifying if r["threshold_votes"] is not None), qualifying[0])
            cond = "at any margin" if rule["threshold_votes"] is None else "within its threshold"
            what = (
                f"a recount could be requested {cond} (cost: {rule['who_pays'].replace('_', ' ')})"
            )
        phrases.append(f"{s['name']} ({fmt_pct(s['margin_pct'], digits=2)}): {what}")
    if phrases:
        text += " The closest states: " + "; ".join(phrases) + "."
    return text


def render_report(docs: dict[str, Any], *, links: list[tuple[str, str]] | None = None) -> str:
    """The whole report as one HTML string (``links``: other reports of the demonstration)."""
    res, margins, tp, flip, rec = (
        docs[k] for k in ("results", "margins", "tipping_point", "flip", "recounts")
    )
    names = _names(res)
    shades = palettes(
        [(r["choice"], r["party"] or "") for r in res["popular_vote"]],
        {r["choice"]: r["colour"] for r in res["popular_vote"] if r.get("colour")},
    )
    by_unit = {u["unit"]: u for u in res["units"]}

    def fill(unit: str) -> str:
        u = by_unit.get(unit)
        if u is None or u["winner"] is None:
            return "#ffffff"
        return _shade(shades.get(u["winner"], GREY), u["margin_pct"])

    def label(unit: str) -> str:
        u = by_unit.get(unit)
        if u is None:
            return ""
        return fmt_pct(u["margin_pct"])

    def title(unit: str) -> str:
        u = by_unit.get(unit)
        if u is None:
            return unit
        who = names.get(u["winner"], "tie") if u["winner"] else "tie"
        return (
            f"{u['name']}: {who} by {u['margin']:,} votes ({fmt_pct(u['margin_pct'], digits=2)}), "
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
        f"<td>{fmt_pct(u['margin_pct'], digits=3)}</td><td>{u['electors']}</td></tr>"
        for u in margins["units"][:15]
    )
    recount_rows = "".join(
        f"<tr><td>{escape(s['state'])}</td><td>{s['margin']:,}</td>"
        f"<td>{fmt_pct(s['margin_pct'], digits=3)}</td>"
        f"<td class='st-{s['status']}'>{s['status'].replace('_', ' ')}</td><td>"
        + "<br>".join(escape(f"{r['kind']}: {r['rule']} — {r['citation']}") for r in s["rules"])
        + "</td></tr>"
        for s in rec["states"][:15]
    )
    legend = _legend(res, names, shades)
    carried: dict[str, int] = {}
    for u in res["units"]:
        if u["winner"] and "-" not in u["unit"]:
            carried[u["winner"]] = carried.get(u["winner"], 0) + 1
    map_alt = (
        "Text alternative: "
        + "; ".join(f"{names.get(c, c)} carried {n} states" for c, n in carried.items())
        + f". The tipping point, {tp['name']}, and the deny set are outlined; every state's "
    )
    map_alt += "winner and margin is in the table of margins and the data below."
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
    return reflow(f"""<!doctype html>
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
{RESPONSIVE_CSS}
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
set that would have denied the winner a majority.</p>
{legend}
<figure id="map">{tilemap}
<figcaption>{escape(map_alt)}</figcaption></figure>

<h2>Tipping point: {escape(tp["name"])}</h2>
<p>Ordering the states and districts {escape(names[tp["winner"]])} carried by margin, largest
first, {escape(tp["name"])} brought the running total to {tp["order"][-1]["cumulative"]}
electors, past the {tp["majority"]} needed. Its margin: {tp["margin"]:,} votes
({fmt_pct(tp["margin_pct"], digits=3)}).</p>

<h2>How few votes would have changed the outcome</h2>
<p>(a) Deny {escape(names[flip["winner"]])} a majority: tie these states and their electors
go to nobody ({flip["deny"]["winner_electors_after"]} electors left, the House decides):</p>
<div class="scroll">
<table id="flip-deny"><tr><th>Unit</th><th>Electors</th><th>Margin</th><th>Votes to tie</th>
<th>Voters switching to tie</th></tr>{flip_rows(flip["deny"])}</table></div>
<p>(b) Give {escape(names[flip["runner_up"]])} a majority outright: win these states
({flip["elect"]["runner_up_electors_after"]} electors):</p>
<div class="scroll">
<table id="flip-elect"><tr><th>Unit</th><th>Electors</th><th>Margin</th><th>Votes to win</th>
<th>Voters switching to win</th></tr>{flip_rows(flip["elect"])}</table></div>
<p class="muted">Found by {escape(flip["algorithm"])}: exact, not greedy, each measure
optimised on its own. A switcher moves from one candidate to the other, so it takes
⌈margin/2⌉ switchers to tie a state and ⌊margin/2⌋+1 to win it.</p>

<h2>Closest contests and recount thresholds</h2>
<figure id="recount-chart" aria-describedby="recount-chart-alt">{_chart_svg(rec)}
<figcaption id="recount-chart-alt">{escape(_chart_alt(rec))}</figcaption></figure>
<div class="scroll">
<table id="recounts"><tr><th>State</th><th>Margin</th><th>%</th><th>Recount</th>
<th>Rules in force (2020)</th></tr>{recount_rows}</table></div>
<p class="muted">States whose rules are not in the table are reported as unknown, never as
ineligible. Rules and their sources: RECOUNT_RULES.md in the package.</p>

<h2>Closest states and districts</h2>
<div class="scroll">
<table id="margins"><tr><th>Unit</th><th>Name</th><th>Winner</th><th>Margin</th><th>%</th>
<th>Electors</th></tr>{closest}</table></div>

<h2>Data</h2>
<p class="muted">{escape(res["source"])}. Margins are shares of the votes cast for
candidates. All figures on this page are in the JSON below (also written beside this file).</p>
<script type="application/json" id="ballotproof-data">{data_json}</script>
</body></html>
""")
