"""The results report is ready to publish: a legend in words, party colours in any common
spelling, and no real margin printed as zero."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ballotproof.errors import InputError
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
    shades_of,
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


def _folder(tmp_path: Path, colour_a: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "results.csv").write_text(
        "unit,choice,votes,party,colour\n"
        f"WI,a,60,Harmony,{colour_a}\nWI,b,40,Unity,\nMN,a,30,Harmony,{colour_a}\nMN,b,70,Unity,\n",
        encoding="utf-8",
    )
    (tmp_path / "units.csv").write_text("unit,electors\nWI,10\nMN,5\n", encoding="utf-8")
    return tmp_path


def test_a_colour_column_colours_the_map(tmp_path: Path) -> None:
    from ballotproof.io.generic import write_generic

    election = load_election(_folder(tmp_path / "in", "#008000"))
    docs = {
        "results": documents.results_doc(election),
        "margins": documents.margins_doc(election),
        "tipping_point": documents.tipping_point_doc(election),
        "flip": documents.flip_doc(election),
        "recounts": documents.recounts_doc(election, load_recount_rules()),
    }
    rows = {r["choice"]: r for r in docs["results"]["popular_vote"]}
    assert rows["a"]["colour"] == "#008000"
    assert "colour" not in rows["b"]  # from its party: a hue of its own
    html = render_report(docs)
    wi = re.search(r'data-unit="WI">.*?fill="(#\w+)"', html)
    assert wi is not None and wi.group(1) in shades_of("#008000")
    mn = re.search(r'data-unit="MN">.*?fill="(#\w+)"', html)
    assert mn is not None and mn.group(1) not in GREY
    write_generic(election, tmp_path / "out")
    again = load_election(tmp_path / "out")
    assert again.contest().choice("a").colour == "#008000"  # type: ignore[arg-type]


def test_a_bad_colour_names_file_line_and_field(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_election(_folder(tmp_path, "green"))
    assert str(caught.value).endswith(
        "results.csv:2: field 'colour': expected a colour as #rrggbb, got 'green'"
    )


def test_report_module_examples_run() -> None:
    import doctest

    from ballotproof.report import audit, html, localtime, reflow

    for module in (audit, html, localtime, reflow):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
