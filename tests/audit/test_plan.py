"""``ballotproof audit plan`` through Typer's CliRunner: every method, n winners, the JSON keys
that scripts read, and the ALPHA-comparison sizes of defect 10 against SHANGRLA's."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

import pytest
from typer.testing import CliRunner

from ballotproof.cli.app import app

runner = CliRunner()

GEORGIA = ("--tally", "Biden=2474248,Trump=2461468", "--ballots", "5023513")
ONE_PERCENT = ("--tally", "A=2525000,B=2475000", "--ballots", "5000000")
VOTE_FOR_TWO = ("--tally", "A=400,B=300,C=200,D=100", "--ballots", "1000", "--winners", "2")

# The keys `audit plan --json` gave before sizes became exact and n winners were handled;
# scripts read them, so they all stay (new ones may be added).
OLD_KEYS = {
    "bravo": {"kind", "asn", "sizes", "decision", "source"},
    "minerva": {"kind", "sizes", "decision", "source"},
    "alpha-polling": {"kind", "sizes", "closest_pair", "eta0", "reps", "replacement", "source"},
    "supersimple": {"kind", "diluted_margin", "no_errors", "customary_rates", "source"},
    "alpha-comparison": {"kind", "sizes", "closest_pair", "reps", "source"},
    "macro": {"kind", "applicable", "reason"},
}
OLD_CONTEST_KEYS = {"tally", "ballots", "winners", "reported_winners", "diluted_margin", "tied"}


def _plan(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["audit", "plan", *args, "--json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_n_winners_without_a_method_gives_every_method() -> None:
    """Defect 9: with --winners 2 every method answers, over every winner–loser pair."""
    doc = _plan(*VOTE_FOR_TWO)
    m = doc["methods"]
    assert set(m) == set(OLD_KEYS)
    assert doc["contest"]["reported_winners"] == ["A", "B"]
    for name, keys in OLD_KEYS.items():
        assert keys <= set(m[name]), name
    # The closest pair, B (300) against C (200), sets every size.
    for name in ("bravo", "minerva", "alpha-polling", "supersimple", "alpha-comparison"):
        assert m[name]["closest_pair"] == "B>C", name
    # super-simple: the smallest pairwise margin, diluted: μ = 100/1000, ⌈2γ ln(1/α)/μ⌉ = 48
    assert (m["supersimple"]["diluted_margin"], m["supersimple"]["no_errors"]) == (0.1, 48)
    # ALPHA-comparison: SHANGRLA's four assertions need 15, 22, 22 and 44 (test_alpha.py)
    assert m["alpha-comparison"]["no_errors"] == 44
    assert m["alpha-polling"]["pairs"] == {
        "A>C": 0.6,
        "A>D": 0.65,
        "B>C": 0.55,
        "B>D": 0.6,
    }
    for name in ("bravo", "minerva", "alpha-polling"):
        sizes = m[name]["sizes"]
        assert 0 < sizes["70%"] <= sizes["80%"] <= sizes["90%"] < 1000, name
    assert m["macro"]["applicable"] is False and m["macro"]["reason"]


def test_n_winners_table_names_the_hardest_pair() -> None:
    # The table's rows as CSV (the terminal table wraps its notes to fit 80 columns).
    result = runner.invoke(app, ["audit", "plan", *VOTE_FOR_TWO, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["Method"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    for name in ("bravo", "minerva", "alpha-polling", "supersimple", "alpha-comparison"):
        assert "4 pairs, hardest B>C" in rows[name]["Note"], rows[name]
    assert "needs the reported batch tallies" in rows["macro"]["Note"]
    table = runner.invoke(app, ["audit", "plan", *VOTE_FOR_TWO]).output
    assert "hardest" in table and all(len(line) <= 80 for line in table.splitlines())


@pytest.mark.parametrize(
    ("contest", "shangrla", "supersimple_no_errors", "before"),
    [
        # SHANGRLA's Assertion.find_sample_size with rate_1 = rate_2 = 0 (test_alpha.py,
        # SHANGRLA_COMPARISON); super-simple's nmin; what `audit plan` said before the fix.
        (GEORGIA, 1824, 1881, 729_551),
        (ONE_PERCENT, 461, 479, 13_443),
    ],
)
def test_alpha_comparison_sizes_are_shangrlas(
    contest: tuple[str, ...], shangrla: int, supersimple_no_errors: int, before: int
) -> None:
    """Defect 10: with no discrepancies ALPHA-comparison needs about as few ballots as
    super-simple (a little fewer), not hundreds of times as many."""
    doc = _plan(*contest, "--method", "alpha-comparison")
    ac = doc["methods"]["alpha-comparison"]
    assert ac["sizes"] == {"70%": shangrla, "80%": shangrla, "90%": shangrla}
    assert ac["no_errors"] == shangrla and ac["exact"] is True
    assert ac["replacement"] is False and ac["error_rate_2"] == 1e-5
    ss = _plan(*contest, "--method", "supersimple")["methods"]["supersimple"]
    assert ss["no_errors"] == supersimple_no_errors
    assert shangrla <= supersimple_no_errors < before


def test_alpha_polling_is_exact_and_ignores_reps() -> None:
    a = _plan(*ONE_PERCENT, "--method", "alpha-polling", "--reps", "10")
    b = _plan(*ONE_PERCENT, "--method", "alpha-polling")
    assert a == b
    ap = a["methods"]["alpha-polling"]
    # Two candidates and no other ballots: η0 = s_wℓ and the test is BRAVO's, as are the sizes.
    bravo = _plan(*ONE_PERCENT, "--method", "bravo")["methods"]["bravo"]
    assert ap["sizes"] == bravo["sizes"] == {"70%": 74_515, "80%": 98_746, "90%": 142_712}
    assert (ap["eta0"], ap["reps"], ap["replacement"], ap["exact"]) == (0.505, None, True, True)


def test_georgia_every_method_but_minerva() -> None:
    """Georgia 2020 at α = 10 %: all but Minerva (timed in benchmarks/bench_plan.py), exact."""
    m = {}
    for name in ("bravo", "alpha-polling", "supersimple", "alpha-comparison", "macro"):
        m.update(_plan(*GEORGIA, "--method", name)["methods"])
    assert m["bravo"]["asn"] == 699_496
    assert m["bravo"]["sizes"] == {"70%": 1_133_388, "80%": 1_502_119, "90%": 2_169_390}
    assert m["alpha-polling"]["sizes"] == {"70%": 1_124_690, "80%": 1_483_960, "90%": 2_131_965}
    assert m["alpha-polling"]["eta0"] == pytest.approx((1 + 12_780 / 5_023_513) / 2, abs=1e-6)
    assert (m["supersimple"]["no_errors"], m["supersimple"]["customary_rates"]) == (1881, 2742)
    assert m["alpha-comparison"]["no_errors"] == 1824
    assert m["alpha-comparison"]["u"] == pytest.approx(2 / (2 - 12_780 / 5_023_513), abs=1e-6)


def test_contest_keys_and_a_tie() -> None:
    doc = _plan("--tally", "A=500,B=500", "--ballots", "1000")
    assert set(doc["contest"]) >= OLD_CONTEST_KEYS
    assert doc["decision"] == "full_hand_count"
    m = doc["methods"]
    for name in ("bravo", "minerva", "alpha-polling"):
        assert set(m[name]["sizes"].values()) == {1000}, name
    assert m["alpha-comparison"]["no_errors"] == 1000
    assert m["alpha-comparison"]["decision"] == "full_hand_count"
    assert m["alpha-polling"]["closest_pair"] is None


def test_three_winners_of_five() -> None:
    doc = _plan(
        "--tally", "A=50000,B=40000,C=30000,D=20000,E=10000", "--ballots", "60000",
        "--winners", "3",
    )  # fmt: skip
    m = doc["methods"]
    assert doc["contest"]["reported_winners"] == ["A", "B", "C"]
    assert doc["contest"]["diluted_margin"] == pytest.approx(1 / 6)
    for name in ("bravo", "alpha-polling", "supersimple", "alpha-comparison"):
        assert m[name]["closest_pair"] == "C>D", name
    assert m["supersimple"]["no_errors"] == math.ceil(-2 * 1.03905 * math.log(0.1) * 6)
    for name in ("bravo", "minerva", "alpha-polling"):
        assert m[name]["decision"] == "next_round", name
