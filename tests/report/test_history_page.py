"""The history and certification page shows what the two documents hold, and nothing else."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from ballotproof.io.medsl import load_history
from ballotproof.report.history import history_doc
from ballotproof.report.history_page import render_history_page
from ballotproof.report.timeline import timeline_doc


@cache
def _page() -> tuple[str, dict[str, Any], dict[str, Any]]:
    history, timeline = history_doc(load_history()), timeline_doc()
    return render_history_page(history, timeline), history, timeline


def test_the_page_embeds_exactly_its_documents() -> None:
    html, history, timeline = _page()
    m = re.search(r'<script type="application/json" id="ballotproof-history">(.*?)</script>', html)
    assert m is not None
    assert json.loads(m.group(1).replace("<\\/", "</")) == {
        "history": history,
        "timeline": timeline,
    }


def test_every_year_has_a_row_with_its_fewest_switchers() -> None:
    html, history, _ = _page()
    table = re.search(r'<table id="years".*?</table>', html, flags=re.S)
    assert table is not None
    rows = re.findall(r"<tr><td[^>]*>(\d{4})</td>(.*?)</tr>", table.group(0), flags=re.S)
    assert [int(y) for y, _ in rows] == [y["year"] for y in history["years"]]
    for (_, cells), y in zip(rows, history["years"], strict=True):
        assert f">{y['flip']['deny']['switchers']:,}<" in cells
        assert ("yes" in cells) == y["inversion"]
    # 2000: Florida, 537 votes, 269 switchers; Gore's cast electors differ from pledged.
    row_2000 = dict(rows)["2000"]
    assert "Florida (0.009%)" in row_2000 and ">269<" in row_2000 and "cast 271–266" in row_2000


def test_charts_have_words_and_the_timeline_lists_every_dated_event() -> None:
    html, _, timeline = _page()
    assert html.count("<figure") == html.count("<figcaption") == 2
    assert html.count("<svg") == 2
    events = re.search(r'<table id="events".*?</table>', html, flags=re.S)
    assert events is not None
    n = len(timeline["federal"]) + sum(len(s["events"]) for s in timeline["states"])
    assert events.group(0).count("<tr") == n + 1
    alt = re.search(r'<figcaption id="timeline-alt">(.*?)</figcaption>', html, flags=re.S)
    assert alt is not None and "GA: AP call 2020-11-19" in alt.group(1)
