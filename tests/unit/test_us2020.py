"""The built-in 2020 election against the shipped data, checked with plain independent counts."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from ballotproof.io.us2020 import data_dir, load_us2020
from ballotproof.model import Election, UnitId
from ballotproof.results import (
    FlipGoal,
    FlipObjective,
    RecountStatus,
    electoral_college,
    minimal_flip,
    popular_vote,
    recount_eligibility,
    tipping_point,
)


def _rows(name: str) -> list[dict[str, str]]:
    with (data_dir() / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _state_votes() -> dict[str, dict[str, int]]:
    """Plain count of the MEDSL state file: state → surname → votes (candidates only)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in _rows("state_president_results_2020.csv"):
        if r["is_candidate_vote"] == "true" and r["candidate"]:
            out[r["state_po"]][r["candidate"].split(",")[0].lower()] = int(r["votes"])
    return out


def test_electors_match_the_awarded_columns(us2020: Election) -> None:
    ev = _rows("electoral_votes_2020.csv")
    ec = electoral_college(us2020)
    assert ec.electors_of("biden") == sum(int(r["ev_awarded_biden"]) for r in ev) == 306
    assert ec.electors_of("trump") == sum(int(r["ev_awarded_trump"]) for r in ev) == 232
    assert ec.total_electors == sum(int(r["electoral_votes"]) for r in ev) == 538
    assert ec.majority == 270 and ec.winner == "biden" and ec.undecided == 0


def test_each_state_award_matches_the_data(us2020: Election) -> None:
    ev = {r["state_po"]: r for r in _rows("electoral_votes_2020.csv")}
    ec = electoral_college(us2020)
    got: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a in ec.awards:
        got[us2020.state_of(a.unit).id][str(a.to)] += a.electors
    for po, row in ev.items():
        assert got[po]["biden"] == int(row["ev_awarded_biden"]), po
        assert got[po]["trump"] == int(row["ev_awarded_trump"]), po


def test_district_winners(us2020: Election) -> None:
    ec = electoral_college(us2020)
    winners = {a.unit: a.to for a in ec.awards if "-" in a.unit}
    assert winners == {
        "ME-1": "biden",
        "ME-2": "trump",
        "NE-1": "trump",
        "NE-2": "biden",
        "NE-3": "trump",
    }


def test_popular_vote_is_the_sum_of_the_state_file(us2020: Election) -> None:
    pv = dict(popular_vote(us2020).votes)
    sums: dict[str, int] = defaultdict(int)
    for votes in _state_votes().values():
        for name, v in votes.items():
            sums[name] += v
    assert pv["biden"] == sums["biden"] == 81_268_908  # PROVENANCE.md, MEDSL national sum
    assert pv["trump"] == sums["trump"] == 74_216_146
    cast = sum(
        int(r["votes"])
        for r in _rows("state_president_results_2020.csv")
        if r["is_candidate_vote"] == "true"
    )
    assert popular_vote(us2020).votes_cast == cast


def test_tipping_point_is_wisconsin(us2020: Election) -> None:
    tp = tipping_point(us2020)
    wi = _state_votes()["WI"]
    assert tp.unit == "WI"
    assert tp.result.margin == wi["biden"] - wi["trump"]
    assert tp.order[-1][3] >= 270 > tp.order[-2][3]


def test_deny_flip_is_az_ga_wi(us2020: Election) -> None:
    votes = _state_votes()
    margins = {s: votes[s]["biden"] - votes[s]["trump"] for s in ("AZ", "GA", "WI")}
    for objective in FlipObjective:
        f = minimal_flip(us2020, FlipGoal.DENY, objective)
        assert set(f.units) == {"AZ", "GA", "WI"}
        assert f.margin_sum == f.votes == sum(margins.values()) == 42_918
        assert f.switchers == sum((m + 1) // 2 for m in margins.values())  # to a tie
        assert f.winner_electors_after == 269 and f.runner_up_electors_after == 232


def test_elect_flip_gives_trump_a_majority(us2020: Election) -> None:
    f = minimal_flip(us2020, FlipGoal.ELECT)
    assert f.runner_up_electors_after >= 270
    assert set(f.units) == {"AZ", "GA", "WI", "NE-2"}
    assert f.votes == f.margin_sum + 4  # each unit won outright: one vote past the tie


def test_recount_status_of_the_close_states(us2020: Election, rules: tuple) -> None:
    checks = {c.state: c for c in recount_eligibility(us2020, rules)}
    assert checks["GA"].status is RecountStatus.REQUESTABLE
    ga_rule = next(c for c in checks["GA"].checks if c.qualifies)
    assert ga_rule.rule.citation.startswith("O.C.G.A. § 21-2-495")
    az_auto = [c for c in checks["AZ"].checks if c.rule.kind.value == "automatic"]
    assert az_auto and not any(c.qualifies for c in az_auto)
    for state in ("AZ", "GA", "MI", "NC", "NV", "PA", "WI"):
        assert checks[state].status is not RecountStatus.UNKNOWN, state
    # TX: a losing candidate may ask for a recount of electronic results at any margin.
    assert checks["TX"].status is RecountStatus.REQUESTABLE
    assert checks["KY"].status is RecountStatus.UNKNOWN  # not in the table: never "ineligible"


def test_loading_from_the_shared_folder_gives_the_same_election(shared: Path) -> None:
    assert load_us2020(shared) == load_us2020()


def test_counties_load_and_sum_like_the_provenance_says(us2020: Election) -> None:
    e = load_us2020(include_counties=True)
    contest = e.contest()
    ga_counties = [u for u in e.units if u.parent == "GA" and u.type.value == "county"]
    assert len(ga_counties) == 159
    biden = sum(contest.totals[u.id]["biden"] for u in ga_counties)
    assert biden == contest.totals[UnitId("GA")]["biden"]  # GA counties equal the certified total
