"""Recount rules: exact thresholds at their boundaries, the packaged table, bad rule files."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from ballotproof.errors import InputError
from ballotproof.io.recount_rules import load_recount_rules
from ballotproof.model import Choice, ChoiceId, Contest, ContestId, UnitId, VoteCount
from ballotproof.model.recount import MarginBase, RecountKind, RecountRule, ThresholdCombine
from ballotproof.results.recounts import check_rule
from ballotproof.results.tabulate import UnitResult, tabulate_unit


def _result(a: int, b: int, c: int = 0) -> UnitResult:
    cands = tuple(Choice(ChoiceId(x), x) for x in "abc")
    contest = Contest(
        ContestId("k"),
        "k",
        cands,
        tuple(VoteCount(UnitId("S"), ch.id, v) for ch, v in zip(cands, (a, b, c), strict=True)),
    )
    return tabulate_unit(contest, UnitId("S"))


def _rule(
    pct: str | None,
    votes: int | None = None,
    *,
    inclusive: bool = True,
    base: MarginBase = MarginBase.OFFICE_TOTAL,
    combine: ThresholdCombine = ThresholdCombine.NONE,
) -> RecountRule:
    return RecountRule(
        "XX",
        RecountKind.REQUEST,
        Fraction(pct) if pct else None,
        votes,
        False,
        combine,
        base if pct else MarginBase.NONE,
        inclusive,
        "",
        "",
        "test",
    )


def test_half_percent_boundary_is_exact() -> None:
    # 10,000 votes cast: 0.5% is exactly 50 votes.
    assert check_rule(_rule("0.5"), _result(5025, 4975)).qualifies  # margin 50
    assert not check_rule(_rule("0.5"), _result(5026, 4974)).qualifies  # margin 52
    assert not check_rule(_rule("0.5", inclusive=False), _result(5025, 4975)).qualifies


def test_bases_differ() -> None:
    r = _result(5000, 4900, 1000)  # margin 100; office 10,900; top two 9,900; winner 5,000
    pct = "1"
    assert check_rule(_rule(pct), r).threshold_votes == Fraction(109)
    assert check_rule(_rule(pct, base=MarginBase.TOP_TWO_TOTAL), r).threshold_votes == 99
    assert check_rule(_rule(pct, base=MarginBase.WINNER_VOTES), r).threshold_votes == 50


def test_lesser_of_percent_and_votes() -> None:
    # NC-style: 0.5% or 10,000 votes, whichever is less.
    big = _result(3_000_000, 2_990_001)  # margin 9,999; 0.5% of 5,990,001 ≈ 29,950
    rule = _rule("0.5", 10_000, combine=ThresholdCombine.LESSER)
    assert check_rule(rule, big).threshold_votes == 10_000
    assert check_rule(rule, big).qualifies
    small = _result(50_000, 49_000)  # margin 1,000; 0.5% of 99,000 = 495
    assert not check_rule(rule, small).qualifies


def test_packaged_table_covers_the_2020_battlegrounds() -> None:
    rules = load_recount_rules()
    states = {r.state for r in rules}
    assert {"AZ", "GA", "MI", "NC", "NV", "PA", "WI"} <= states
    assert all(r.citation for r in rules)
    ga = [r for r in rules if r.state == "GA"]
    assert [(r.kind, r.threshold_pct) for r in ga] == [(RecountKind.REQUEST, Fraction(1, 2))]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "GA,request,half,,,office_total,true,x,y,cite",
            "field 'threshold_pct': expected a decimal number, got 'half'",
        ),
        (
            "GA,recount,0.5,,,office_total,true,x,y,cite",
            "field 'kind': expected one of automatic, request, none, got 'recount'",
        ),
        (
            "GA,request,0.5,,,,true,x,y,cite",
            "field 'base': expected what the percentage is a share of, got ''",
        ),
        (
            "GA,request,0.5,100,,office_total,true,x,y,cite",
            "field 'combine': expected lesser, greater or either, got ''",
        ),
        (
            "GA,request,,,,,true,x,y,cite",
            "field 'threshold_pct': expected a percent, 'any', or a threshold_votes value, got ''",
        ),
        (
            "GA,request,0.5,,,office_total,maybe,x,y,cite",
            "field 'inclusive': expected true or false, got 'maybe'",
        ),
    ],
)
def test_bad_rule_rows(tmp_path: Path, row: str, message: str) -> None:
    p = tmp_path / "rules.csv"
    header = (
        "state_po,kind,threshold_pct,threshold_votes,combine,base,inclusive,requested_by,"
        "who_pays,citation"
    )
    p.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_recount_rules(p)
    assert str(info.value) == f"{p}:2: {message}"


# --- rules by year (issue 10, part 2) -------------------------------------------------------

UNKNOWN_2020 = {
    "KY",
    "LA",
    "MD",
}  # searched, documented in RECOUNT_RULES.md (MO, SD, TX have rows since the third session;
# MS and TN, whose law provides no recount, rows of kind 'none' since the fourth)


def test_a_state_without_a_recount_law_is_never_eligible() -> None:
    """Kind 'none': at any margin, even a tie, no rule qualifies and the status says why; the
    election-night call rule finds no recount threshold to hold a call back."""
    from ballotproof.calls.rule import public_threshold
    from ballotproof.io.recount_rules import load_recount_rules
    from ballotproof.io.us2020 import load_us2020
    from ballotproof.results.recounts import RecountStatus, recount_eligibility

    none = [r for r in load_recount_rules(year=2020) if r.state in {"MS", "TN"}]
    assert {r.state for r in none} == {"MS", "TN"}
    assert all(r.kind is RecountKind.NONE for r in none)
    assert all(not check_rule(r, _result(5000, 5000)).qualifies for r in none)
    assert public_threshold(none) is None
    assert "MS" not in {r.state for r in load_recount_rules(year=2012)}  # before the sources
    checks = {c.state: c for c in recount_eligibility(load_us2020(), none)}
    assert checks["MS"].status is checks["TN"].status is RecountStatus.NO_RECOUNT
    assert checks["MS"].checks[0].threshold_votes is None


def test_a_none_rule_with_a_threshold_is_refused(tmp_path: Path) -> None:
    from ballotproof.errors import InputError
    from ballotproof.io.recount_rules import COLUMNS, load_recount_rules

    bad = tmp_path / "rules.csv"
    bad.write_text(",".join(COLUMNS) + "\nMS,none,0.5,,,office_total,true,,,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rules.csv:2: field 'threshold_pct'"):
        load_recount_rules(bad)


def _fifty_one() -> set[str]:
    from ballotproof.io.us2020 import load_us2020
    from ballotproof.model import UnitType

    return {u.id for u in load_us2020().units if u.type is UnitType.STATE}


def test_every_jurisdiction_has_rules_or_a_documented_unknown() -> None:
    from ballotproof.io.recount_rules import default_rules_path, load_recount_rules

    states = {r.state for r in load_recount_rules()}
    assert states | UNKNOWN_2020 == _fifty_one()
    assert not states & UNKNOWN_2020
    notes = (default_rules_path().parent / "RECOUNT_RULES.md").read_text(encoding="utf-8")
    for state in UNKNOWN_2020:
        assert f"| {state} |" in notes


def test_arizona_uses_the_rule_of_each_year() -> None:
    from fractions import Fraction

    from ballotproof.io.recount_rules import load_recount_rules

    before = [r for r in load_recount_rules(year=2020) if r.state == "AZ"]
    after = [r for r in load_recount_rules(year=2022) if r.state == "AZ"]
    assert [(r.threshold_pct, r.threshold_votes) for r in before] == [(Fraction(1, 10), 200)]
    assert [(r.threshold_pct, r.threshold_votes) for r in after] == [(Fraction(1, 2), None)]


def test_a_state_whose_earlier_law_is_not_in_the_table_is_unknown() -> None:
    from ballotproof.io.recount_rules import load_recount_rules

    in_2016 = {r.state for r in load_recount_rules(year=2016)}
    assert "GA" not in in_2016  # 0.5% from 2019 (HB 316); the earlier 1% rule is not a row
    assert "WI" not in in_2016  # the 1% petition limit dates from 2017-18
    assert "NH" in in_2016 and "OH" not in in_2016  # OH's request rule: start not established


def test_in_force_years_are_checked(tmp_path: Path) -> None:
    from ballotproof.errors import InputError
    from ballotproof.io.recount_rules import COLUMNS, load_recount_rules

    bad = tmp_path / "rules.csv"
    header = ",".join((*COLUMNS, "in_force_from", "in_force_until"))
    bad.write_text(
        header + "\nAZ,automatic,0.5,,,top_two_total,true,automatic,public,x,2022,2020\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"rules.csv:2: field 'in_force_until'"):
        load_recount_rules(bad)
