"""The audit page: the sample as a table, the risk as a step per round, batches named."""

from __future__ import annotations

import re
from typing import Any

from ballotproof.report.audit import render_audit_report, risk_alt, sample_table


def _status(method: str) -> dict[str, Any]:
    def rnd(i: int, size: int, sample: dict[str, int], risk: float) -> dict[str, Any]:
        return {
            "round": i,
            "size": size,
            "missing": 0,
            "result": {
                "round": i,
                "size": size,
                "sample": sample,
                "risk": risk,
                "decision": "next_round" if risk > 0.05 else "confirm",
            },
        }

    return {
        "audit": "t",
        "contest": "Mayor",
        "method": method,
        "risk_limit": 0.05,
        "seed": "123",
        "rounds": [
            rnd(1, 20, {"A": 12, "B": 8}, 0.4),
            rnd(2, 60, {"A": 40, "B": 19, "not_found": 1}, 0.01),
        ],
        "decision": "confirm",
        "journal_head": "abc",
    }


def test_sample_is_a_table_not_json() -> None:
    html = render_audit_report(_status("bravo"), [])
    assert "{&quot;" not in html and '{"A"' not in html.split("<script")[0]
    table = re.search(r'<table id="sample">.*?</table>', sample_table(_status("bravo")))
    assert table is not None
    assert "<th>not found</th>" in table.group(0)
    assert "<td>40</td><td>19</td><td>1</td>" in table.group(0)
    assert "<td>12</td><td>8</td><td>0</td>" in table.group(0)


def test_risk_is_drawn_as_steps_with_a_text_alternative() -> None:
    html = render_audit_report(_status("bravo"), [])
    assert "<figcaption" in html
    assert risk_alt(_status("bravo")) == (
        "Risk limit 0.05. Round 1: 20 ballots, risk 0.4; Round 2: 60 ballots, risk 0.01."
    )
    assert "ballots drawn (cumulative, count)" in html


def test_batch_audits_say_batches() -> None:
    html = render_audit_report(_status("macro"), [])
    body = html.split("<script")[0]
    assert "batches drawn (cumulative, count)" in body
    assert "Batches drawn" in body
    assert "allots" not in body
