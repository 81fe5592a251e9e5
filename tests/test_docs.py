"""Docs that cannot drift: every JSON key is documented; the CLI reference matches --help."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ballotproof.cli.app import app
from ballotproof.cli.reference import render

DOCS = Path(__file__).resolve().parents[1] / "docs"
# Maps keyed by data (choice ids, states, pairs, method names), not by documented names.
DATA_MAPS = {
    "electors",
    "electors_pledged",
    "swing",
    "votes",
    "states",
    "tally",
    "sample",
    "pair_risks",
    "pairs",
    "methods",
    "sizes",
    "levels",
}


def _keys(doc: Any, found: set[str]) -> set[str]:
    if isinstance(doc, dict):
        for k, v in doc.items():
            found.add(k)
            if k in DATA_MAPS and isinstance(v, dict):
                for item in v.values():  # keys are data; their values are documented rows
                    _keys(item, found)
            else:
                _keys(v, found)
    elif isinstance(doc, list):
        for item in doc:
            _keys(item, found)
    return found


AUDIT_PLAN = ["audit", "plan", "--tally", "A=600,B=400", "--ballots", "1000", "--reps", "50"]


@pytest.mark.parametrize(
    "command",
    [
        ["results"],
        ["results", "--election", "2016"],
        ["history", "--year", "2000", "--year", "2004"],
        ["flip", "--year", "2008"],
        ["timeline", "--state", "GA", "--on", "2020-11-25"],
        ["margins"],
        ["check", "states(flip(2020)) <= 3"],
        ["check", "mail_share(GA, 2020) > 0.25"],
        ["tipping-point"],
        ["flip"],
        ["recounts"],
        ["replay", "--state", "PA"],
        AUDIT_PLAN,
        [*AUDIT_PLAN, "--method", "supersimple", "--discrepancies", "o1=1"],
        [*AUDIT_PLAN, "--method", "alpha", "--without-replacement"],
        [
            "audit",
            "risk",
            "--method",
            "alpha",
            "--tally",
            "A=600,B=400",
            "--ballots",
            "1000",
            "--sequence",
            "A,B,A",
            "--without-replacement",
        ],
        [
            "audit",
            "risk",
            "--method",
            "bravo",
            "--tally",
            "A=600,B=400",
            "--ballots",
            "1000",
            "--sample",
            "A=72,B=47",
        ],
        [
            "audit",
            "sample",
            "--manifest",
            "tests/data/manifests/good_arlo.csv",
            "--seed",
            "1",
            "--size",
            "3",
        ],
        ["audit", "georgia"],
    ],
)
def test_every_json_key_is_documented(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--json"])
    assert result.exit_code == 0, result.output
    documented = set(re.findall(r"`([a-z_0-9]+)`", (DOCS / "json.md").read_text(encoding="utf-8")))
    missing = _keys(json.loads(result.stdout), set()) - documented
    assert not missing, f"undocumented keys in {command}: {sorted(missing)}"


def test_demo_json_keys_documented(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    documented = set(re.findall(r"`([a-z_0-9]+)`", (DOCS / "json.md").read_text(encoding="utf-8")))
    assert set(json.loads(result.stdout)) <= documented


def test_cli_reference_is_current() -> None:
    expected = render()
    actual = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "run: python -m ballotproof.cli.reference > docs/cli.md"


def _columns(section: str) -> set[str]:
    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    block = text.split(f"### `{section}`")[1].split("###")[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", block, flags=re.M))


def test_generic_format_columns_are_documented_exactly() -> None:
    from ballotproof.io import generic

    assert _columns("results.csv") == set(generic.RESULT_COLUMNS + generic.RESULT_OPTIONAL)
    assert _columns("units.csv") == set(generic.UNIT_COLUMNS + generic.UNIT_OPTIONAL)
