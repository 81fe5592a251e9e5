"""The audit report: rounds, risk over rounds against the risk limit, verification checks."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from ballotproof.report.charts import pyplot, svg
from ballotproof.store import AuditStatus

__all__ = ["render_audit_report", "risk_chart", "status_doc"]


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


def risk_chart(status: dict[str, Any]) -> str:
    closed = [r for r in status["rounds"] if r["result"]]
    with pyplot() as plt:
        fig, ax = plt.subplots(figsize=(6.5, 3.0))
        if closed:
            # Before any ballot is drawn the risk is 1: the curve starts there.
            xs = [0] + [r["size"] for r in closed]
            ys = [1.0] + [max(r["result"]["risk"], 1e-12) for r in closed]
            ax.plot(xs, ys, marker="o", color="#1d4f91", label="risk after each round")
            ax.set_xlim(left=0)
        ax.axhline(
            status["risk_limit"],
            color="#c92a2a",
            ls="--",
            label=f"risk limit α = {status['risk_limit']:g}",
        )
        ax.set_yscale("log")
        ax.set_xlabel("ballots drawn (cumulative)")
        ax.set_ylabel("risk (p-value)")
        ax.set_title("Risk over rounds")
        ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
        return svg(plt, fig)


def render_audit_report(status: dict[str, Any], checks: list[dict[str, Any]]) -> str:
    """One self-contained HTML page for an audit's status and verification."""
    rows = "".join(
        f"<tr><td>{r['round']}</td><td>{r['size']:,}</td><td>{r['missing']}</td>"
        f"<td>{'' if not r['result'] else format(r['result']['risk'], '.4g')}</td>"
        f"<td>{'open' if not r['result'] else escape(r['result']['decision'])}</td>"
        f"<td>{'' if not r['result'] else escape(json.dumps(r['result']['sample']))}</td></tr>"
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
    data = json.dumps({"status": status, "checks": checks}).replace("</", "<\\/")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>ballotproof audit — {escape(status["audit"])}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}} td,th{{padding:.2em .6em;border-bottom:1px solid #eee;
text-align:left}} figure svg{{max-width:100%;height:auto}}</style></head><body>
<h1>Risk-limiting audit: {escape(status["audit"])}</h1>
<p>Contest {escape(status["contest"])}; method {escape(status["method"])}; risk limit
{status["risk_limit"]:g}; public seed <code>{escape(status["seed"])}</code>.
Decision: <b id="decision">{escape(decision)}</b>.</p>
<figure id="risk-chart">{risk_chart(status)}</figure>
{per_contest}<h2>Rounds</h2>
<table id="rounds"><tr><th>Round</th><th>Draws</th><th>Not yet recorded</th><th>Risk</th>
<th>Decision</th><th>Sample</th></tr>{rows}</table>
<h2>Verification</h2>
<table id="checks"><tr><th></th><th>Check</th><th>Detail</th></tr>{check_rows}</table>
<p>Journal head (publish it; <code>ballotproof audit verify --expect-head</code> checks it):
<code>{escape(status["journal_head"])}</code></p>
<script type="application/json" id="ballotproof-audit">{data}</script>
</body></html>
"""
