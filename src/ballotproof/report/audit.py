"""The audit report: rounds, risk over rounds against the risk limit, verification checks."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ballotproof.report.charts import pyplot, svg
from ballotproof.report.html import RESPONSIVE_CSS
from ballotproof.report.reflow import reflow
from ballotproof.store import AuditStatus

__all__ = [
    "render_audit_report",
    "risk_alt",
    "risk_chart",
    "sample_table",
    "status_doc",
    "unit_word",
]


def status_doc(stored: AuditStatus) -> dict[str, Any]:
    """An audit's status as the documented JSON (``audit status --json``)."""
    doc: dict[str, Any] = {
        "audit": stored.spec.name,
        "contest": stored.spec.contest.name,
        "method": stored.spec.method.value,
        "risk_limit": stored.spec.risk_limit,
        "seed": stored.spec.seed,
        "rounds": [
            {
                "round": i + 1,
                "size": size,
                # ballots (or batches) still to read: a ballot drawn twice is read once
                "missing": missing,
                "result": r.to_json() if r else None,
            }
            for i, (size, r, missing) in enumerate(
                zip(stored.round_sizes, stored.results, stored.missing, strict=True)
            )
        ],
        "decision": stored.decision.value if stored.decision else None,
        "journal_head": stored.journal_head,
    }
    if stored.spec.phantoms:
        doc["phantoms"] = stored.spec.phantoms
    if not stored.spec.replacement:
        doc["replacement"] = False
    if stored.spec.contests:
        last = next((r for r in reversed(stored.results) if r is not None), None)
        doc["contests"] = [
            {
                "contest": c.name,
                "targeted": c.targeted,
                "rule": c.rule.value,
                "cards": c.cards,
                "risk": None if last is None else last.pair_risks.get(c.name),
            }
            for c in stored.spec.contests
        ]
    return doc


BATCH_METHODS = frozenset({"macro"})

ROUND_COLUMNS = ("round", "size", "missing", "risk", "decision", "next_size")


def rounds_csv(status: dict[str, Any]) -> str:
    """The audit report as CSV: one row per round (:data:`ROUND_COLUMNS`), then one column per
    tested pair or contest (``risk: <name>``) and per sample count (``sample: <reading>``),
    from :func:`status_doc`; an open round has only its size and what is still unread.

    >>> doc = {"rounds": [{"round": 1, "size": 5, "missing": 0, "result": {"risk": 0.02,
    ...        "decision": "confirm", "next_size": None, "pair_risks": {"A>B": 0.02},
    ...        "sample": {"A": 4, "B": 1}}}]}
    >>> print(rounds_csv(doc), end="")
    round,size,missing,risk,decision,next_size,risk: A>B,sample: A,sample: B
    1,5,0,0.02,confirm,,0.02,4,1
    """
    import csv
    import io

    risk_keys: list[str] = []
    sample_keys: list[str] = []
    for r in status["rounds"]:
        res = r["result"] or {}
        risk_keys += [k for k in res.get("pair_risks", {}) if k not in risk_keys]
        sample_keys += [k for k in res.get("sample", {}) if k not in sample_keys]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*ROUND_COLUMNS, *(f"risk: {k}" for k in risk_keys),
                *(f"sample: {k}" for k in sample_keys)])  # fmt: skip
    for r in status["rounds"]:
        res = r["result"] or {}
        w.writerow(
            [r["round"], r["size"], r["missing"], res.get("risk", ""), res.get("decision", "open"),
             "" if res.get("next_size") is None else res["next_size"]]
            + [res.get("pair_risks", {}).get(k, "") for k in risk_keys]
            + [res.get("sample", {}).get(k, "") for k in sample_keys]
        )  # fmt: skip
    return buf.getvalue()


def unit_word(status: dict[str, Any]) -> str:
    """What the audit draws: ``"batches"`` for a batch-comparison audit, else ``"ballots"``."""
    return "batches" if status["method"] in BATCH_METHODS else "ballots"


def risk_chart(status: dict[str, Any]) -> str:
    """The risk as a step per round: it stays where it was until a round closes, then drops
    (or rises) to the value measured on the sample so far; the limit is a dashed line."""
    closed = [r for r in status["rounds"] if r["result"]]
    what = unit_word(status)
    with pyplot() as plt:
        fig, ax = plt.subplots(figsize=(6.5, 3.2))
        if closed:
            # Before any ballot is drawn the risk is 1: the steps start there.
            xs = [0] + [r["size"] for r in closed]
            ys = [1.0] + [max(r["result"]["risk"], 1e-12) for r in closed]
            ax.step(xs, ys, where="post", color="#1d4f91", label="risk after each round")
            ax.plot(xs[1:], ys[1:], "o", color="#1d4f91")
            ax.set_xlim(0, xs[-1] * 1.05 or 1)
        ax.axhline(
            status["risk_limit"],
            color="#c92a2a",
            ls="--",
            label=f"risk limit α = {status['risk_limit']:g}",
        )
        ax.set_yscale("log")
        ax.set_xlabel(f"{what} drawn (cumulative, count)")
        ax.set_ylabel("risk (P-value, log scale)")
        ax.set_title("Risk by round")
        # Below the axes, never over the data.
        ax.legend(
            fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2
        )
        fig.tight_layout()
        return svg(plt, fig)


def risk_alt(status: dict[str, Any]) -> str:
    """The risk chart in words (its text alternative)."""
    what = unit_word(status)
    steps = [
        f"Round {r['round']}: {r['size']:,} {what}, risk {r['result']['risk']:.4g}"
        for r in status["rounds"]
        if r["result"]
    ]
    return (
        f"Risk limit {status['risk_limit']:g}. "
        + ("; ".join(steps) if steps else "No round has closed yet")
        + "."
    )


def sample_table(status: dict[str, Any]) -> str:
    """The sample of each closed round as a table: one row per round, one column per choice
    (and ``not_found``/``overvote`` when present), counts of every draw so far."""
    closed = [r for r in status["rounds"] if r["result"]]
    keys: list[str] = []
    for r in closed:
        for k in r["result"]["sample"]:
            if k not in keys:
                keys.append(k)
    head = "".join(f"<th>{escape(k.replace('_', ' '))}</th>" for k in keys)
    rows = "".join(
        f"<tr><td>{r['round']}</td>"
        + "".join(f"<td>{_count(r['result']['sample'].get(k, 0))}</td>" for k in keys)
        + "</tr>"
        for r in closed
    )
    if not closed:
        return "<p>No round has closed yet.</p>"
    return (
        f'<div class="scroll"><table id="sample"><tr><th>Round</th>{head}</tr>{rows}</table></div>'
    )


def _count(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int) else escape(str(v))


def render_audit_report(status: dict[str, Any], checks: list[dict[str, Any]]) -> str:
    """One self-contained HTML page for an audit's status and verification."""
    rows = "".join(
        f"<tr><td>{r['round']}</td><td>{r['size']:,}</td><td>{r['missing']}</td>"
        f"<td>{'' if not r['result'] else format(r['result']['risk'], '.4g')}</td>"
        f"<td>{'open' if not r['result'] else escape(r['result']['decision'])}</td></tr>"
        for r in status["rounds"]
    )
    check_rows = "".join(
        f"<tr><td>{'ok' if c['ok'] else 'FAIL'}</td><td>{escape(c['name'])}</td>"
        f"<td>{escape(c['detail'])}</td></tr>"
        for c in checks
    )
    per_contest = ""
    if "contests" in status:  # several contests from one sample: each one's latest risk
        per_rows = "".join(
            f"<tr><td>{escape(c['contest'])}</td>"
            f"<td>{'targeted' if c['targeted'] else 'opportunistic'}</td>"
            f"<td>{escape(c['rule'])}</td><td>{c['cards']:,}</td>"
            f"<td>{'' if c['risk'] is None else format(c['risk'], '.4g')}</td></tr>"
            for c in status["contests"]
        )
        per_contest = (
            '<h2>Risk per contest</h2>\n<table id="contests"><tr><th>Contest</th><th>Audit'
            "</th><th>Rule</th><th>Cards</th><th>Risk (latest round)</th></tr>"
            f"{per_rows}</table>\n"
        )
    decision = status["decision"] or "in progress"
    what = unit_word(status)
    data = json.dumps({"status": status, "checks": checks}).replace("</", "<\\/")
    return reflow(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>ballotproof audit — {escape(status["audit"])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}} td,th{{padding:.2em .6em;border-bottom:1px solid #eee;
text-align:left}} #checks td{{overflow-wrap:anywhere}} {RESPONSIVE_CSS}</style></head><body>
<h1>Risk-limiting audit: {escape(status["audit"])}</h1>
<p>Contest {escape(status["contest"])}; method {escape(status["method"])}; risk limit
{status["risk_limit"]:g}; public seed <code>{escape(status["seed"])}</code>.
Decision: <b id="decision">{escape(decision)}</b>.</p>
<figure id="risk-chart" aria-describedby="risk-alt">{risk_chart(status)}
<figcaption id="risk-alt">{escape(risk_alt(status))}</figcaption></figure>
{per_contest}<h2>Rounds</h2>
<div class="scroll"><table id="rounds"><tr><th>Round</th><th>{what.capitalize()} drawn</th>
<th>{what.capitalize()} not yet recorded</th><th>Risk</th><th>Decision</th></tr>{rows}</table>
</div>
<h2>The sample</h2>
<p>What the audit boards read, per round, counted over every draw so far ({what}).</p>
{sample_table(status)}
<h2>Verification</h2>
<div class="scroll"><table id="checks"><tr><th></th><th>Check</th><th>Detail</th></tr>
{check_rows}</table></div>
<p>Journal head (publish it; <code>ballotproof audit verify --expect-head</code> checks it):
<code>{escape(status["journal_head"])}</code></p>
<script type="application/json" id="ballotproof-audit">{data}</script>
</body></html>
""")
