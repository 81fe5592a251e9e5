"""The results report is ready to publish: a legend in words, party colours in any common
spelling, and no real margin printed as zero."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ballotproof.io.load import load_election
from ballotproof.io.recount_rules import load_recount_rules
from ballotproof.report import documents
from ballotproof.report.html import (
    BLUE,
    GREY,
    RED,
    fmt_pct,
    palettes,
    party_colour,
    render_report,
)


def _docs(year: int | None) -> dict[str, Any]:
    election = load_election(year=year)
    return {
        "results": documents.results_doc(election),
        "margins": documents.margins_doc(election),
        "tipping_point": documents.tipping_point_doc(election),
        "flip": documents.flip_doc(election),
        "recounts": documents.recounts_doc(election, load_recount_rules()),
    }


@pytest.mark.parametrize(
    ("party", "palette"),
    [
        ("DEM", BLUE),
        ("D", BLUE),
        ("Democratic", BLUE),
        ("democrat", BLUE),
        ("DFL", BLUE),
        ("Democratic; Working Families", BLUE),
        ("REP", RED),
        ("R", RED),
        ("GOP", RED),
        ("Republican", RED),
        ("Libertarian", GREY),
    ],
)
def test_party_codes_in_any_common_form(party: str, palette: list[str]) -> None:
    assert party_colour(party) is palette


def test_no_two_candidates_share_a_colour_and_never_all_grey() -> None:
    shades = palettes([("x", ""), ("y", ""), ("z", "Green")])
    assert len({id(p) for p in shades.values()}) == 3
    assert all(p is not GREY for p in shades.values())


def test_fmt_pct_keeps_a_real_margin_visible() -> None:
    assert fmt_pct(0.0092) == "0.009%"
    assert fmt_pct(0.0092, digits=2) == "0.009%"
    assert fmt_pct(0.00004) == "0.00004%"
    assert fmt_pct(0.0) == "0.0%"
    assert fmt_pct(5.25, digits=2) == "5.25%"


def test_florida_2000_is_not_zero_and_the_legend_has_words() -> None:
    docs = _docs(2000)
    fl = next(u for u in docs["results"]["units"] if u["unit"] == "FL")
    assert 0 < fl["margin_pct"] < 0.05
    html = render_report(docs)
    tile = re.search(r'data-unit="FL">.*?</g>', html)
    assert tile is not None
    assert "0.0%" not in re.sub(r"<title>.*?</title>", "", tile.group(0))
    assert fmt_pct(fl["margin_pct"]) in tile.group(0)
    assert not re.search(r">0\.0+%<", html)
    legend = re.search(r"<table id='legend'.*?</table>", html, flags=re.S)
    assert legend is not None
    assert "Bush won" in legend.group(0) and "Gore won" in legend.group(0)
    assert "under 1%" in legend.group(0) and "20% or more" in legend.group(0)
    assert "<figcaption" in html


def test_map_2020_uses_party_colours() -> None:
    html = render_report(_docs(None))
    fills = set(
        re.findall(r'<rect x="[^"]+" y="[^"]+" width="54" height="54" rx="4" fill="(#\w+)"', html)
    )
    assert fills & set(BLUE) and fills & set(RED)
    assert not fills & set(GREY)
