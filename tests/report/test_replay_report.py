"""The replay page: local times with UTC on hover, no blank desk columns, charts in words."""

from __future__ import annotations

import re
from pathlib import Path

from ballotproof.report.replay import NO_CALL_TIME, replay_doc, write_replay_report
from ballotproof.usecases.replay import load_replay_inputs, run_replay


def test_replay_page_for_one_state(tmp_path: Path) -> None:
    inputs = load_replay_inputs(states=["AZ"])
    engines = run_replay(inputs=inputs)
    doc = replay_doc(engines, main=0.995, inputs=inputs)
    path = tmp_path / "report.html"
    write_replay_report(engines[0.995], doc, path)
    html = path.read_text(encoding="utf-8").split("<script")[0]
    ap = doc["states"]["AZ"]["ap_call"]
    assert ap is not None
    # Arizona keeps standard time: MST, and the UTC instant on hover.
    assert re.search(
        rf"<time datetime='{ap['time']}' title='{ap['time']} UTC'>[^<]+ MST</time>", html
    )
    calls = re.search(r'<table id="calls"[^>]*>.*?</table>', html, flags=re.S)
    assert calls is not None
    cells = re.sub(r' data-label="[^"]*"', "", calls.group(0))  # the phone layout's labels
    assert "<td></td><td>" not in cells.replace("<td></td></tr>", "</tr>")
    if not doc["states"]["AZ"]["other_desks"]:
        assert NO_CALL_TIME in calls.group(0)
    assert "figcaption id='alt-AZ'" in html
    assert "local time (MST; UTC in the data)" in html
