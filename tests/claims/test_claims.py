"""The claim language: parsing, errors that name the position, and answers computed from the
packaged record (every expected number is recomputed here from ``ballotproof.results``)."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ballotproof.claims import ClaimData, Verdict, check_claim, parse_claim
from ballotproof.claims.parse import Call, Compare, Logic, Not, Number
from ballotproof.cli.app import app
from ballotproof.errors import ClaimSyntaxError, InputError
from ballotproof.io.medsl import MEDSL_FILE, history_dir, load_history_year
from ballotproof.model import CountType, VoteCount
from ballotproof.model.electors import ElectionRecord
from ballotproof.report.claims import check_record, record_data
from ballotproof.results.flips import FlipGoal, minimal_flip
from ballotproof.results.history import pledged_college
from ballotproof.results.tabulate import tabulate_unit

runner = CliRunner()


def _medsl_fl_2000() -> tuple[int, int]:
    """Florida 2000 from the raw MEDSL rows: Bush minus Gore, and the votes for named candidates
    (the unnamed write-in line is not a candidate: ``results.tabulate``)."""
    with (history_dir() / MEDSL_FILE).open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["year"] == "2000" and r["state_po"] == "FL"]
    by = {r["candidate"]: int(r["candidatevotes"]) for r in rows if r["candidate"]}
    bush = next(v for k, v in by.items() if k.startswith("BUSH"))
    gore = next(v for k, v in by.items() if k.startswith("GORE"))
    return bush - gore, sum(by.values())


def test_parse_tree_and_precedence() -> None:
    tree = parse_claim("not winner(2020) = trump or margin(GA, 2020) < 0.5% and 1 = 1")
    assert isinstance(tree, Logic) and tree.op == "or"
    assert isinstance(tree.left, Not)
    assert isinstance(tree.right, Logic) and tree.right.op == "and"
    cmp = tree.right.left
    assert isinstance(cmp, Compare) and isinstance(cmp.left, Call)
    assert isinstance(cmp.right, Number) and cmp.right.value == Fraction(1, 200)
    assert isinstance(parse_claim("flip_votes(2020) < 50_000"), Compare)


@pytest.mark.parametrize(
    ("claim", "position", "expected"),
    [
        ("winner(2020 = trump", 13, "expected ',' or ')', got '='"),
        ("winner(2020) trump", 14, "expected a comparison"),
        ("", 1, "expected a claim"),
        ("margin(GA, 2020) < ", 20, "got the end of the claim"),
        ("winner(2020) = trump)", 21, "got ')'"),
        ("winner(2020) = $", 16, "got '$'"),
        ('winner(2020) = "trump', 16, 'expected a closing "'),
        ("margin(GA, 2020) < 1.2.3%", 20, "expected a number"),
    ],
)
def test_syntax_errors_name_the_position(claim: str, position: int, expected: str) -> None:
    with pytest.raises(ClaimSyntaxError) as info:
        parse_claim(claim)
    assert info.value.position == position
    assert str(info.value).startswith(f"claim position {position}: ")
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_winner_2000_is_bush_and_the_popular_vote_was_not() -> None:
    r = check_record("winner(2000) = bush and not popular_winner(2000) = BUSH")
    assert r.verdict is Verdict.TRUE
    assert check_record("winner(2000) = gore").verdict is Verdict.FALSE
    assert check_record("winner(2000) = 'george w. bush'".replace("'", '"')).verdict == "true"


def test_florida_2000_margin_from_the_medsl_rows() -> None:
    margin, cast = _medsl_fl_2000()
    share = Fraction(margin, cast)
    assert share < Fraction(1, 10_000)  # the data itself: below 0.01%
    r = check_record("margin(FL, 2000) < 0.01%")
    assert r.verdict is Verdict.TRUE
    (e,) = r.evidence
    assert e.exact == str(share) and e.source == MEDSL_FILE
    assert e.rows.startswith("lines ") and "FL" in e.rows
    assert check_record(f"margin_votes(florida, 2000) = {margin}").verdict is Verdict.TRUE
    assert f"{margin:,} votes" in r.sentence


def test_flip_votes_and_states_are_what_flips_computes() -> None:
    record = load_history_year(2016)
    fs = minimal_flip(record.election, FlipGoal.DENY, ec=pledged_college(record))
    assert check_record(f"flip_votes(2016) = {fs.votes}").verdict is Verdict.TRUE
    assert check_record(f"flip_votes(2016) < {fs.votes}").verdict is Verdict.FALSE
    assert check_record(f"states(flip(2016)) = {len(fs.items)}").verdict is Verdict.TRUE
    elect = minimal_flip(record.election, FlipGoal.ELECT, ec=pledged_college(record))
    assert check_record(f"flip_votes(2016, elect) = {elect.votes}").verdict is Verdict.TRUE


def test_rank_counts_smaller_years() -> None:
    data = record_data()
    votes = {
        y: minimal_flip(r.election, FlipGoal.DENY, ec=pledged_college(r)).votes
        for y, r in data.records.items()
    }
    expected = 1 + sum(v < votes[2020] for v in votes.values())
    r = check_claim(f"rank(2020, flip_votes) = {expected}", data)
    assert r.verdict is Verdict.TRUE and r.evidence[0].exact == expected
    assert check_claim("rank(2000, flip_votes) = 1", data).verdict is Verdict.TRUE


def test_missing_quantities_cannot_be_decided() -> None:
    r = check_record("mail_share(PA, 2020) > 0.25")
    assert r.verdict is Verdict.UNDECIDED and "vote method" in r.sentence
    assert check_record("winner(2024) = trump").verdict is Verdict.UNDECIDED
    # three-valued logic: a false part settles an "and", a true part an "or"
    assert check_record("mail_share(PA, 2020) > 0.25 and winner(2020) = trump") == (
        check_record("mail_share(PA, 2020) > 0.25 and winner(2020) = trump")
    )
    assert (
        check_record("mail_share(PA, 2020) > 0.25 and winner(2020) = trump").verdict
        is Verdict.FALSE
    )
    assert (
        check_record("mail_share(PA, 2020) > 0.25 or winner(2020) = biden").verdict is Verdict.TRUE
    )


def test_mail_share_when_the_data_has_vote_methods() -> None:
    record = load_history_year(2020)
    contest = record.election.contest()
    ga = tabulate_unit(contest, "GA")  # type: ignore[arg-type]
    # Split Georgia's totals into mail and election-day halves: a synthetic election whose
    # mail share is known exactly.
    counts = [c for c in contest.counts if c.unit != "GA"]
    for choice, votes in ga.votes:
        counts.append(VoteCount(ga.unit, choice, votes // 2, CountType.MAIL))
        counts.append(VoteCount(ga.unit, choice, votes - votes // 2, CountType.ELECTION_DAY))
    import dataclasses

    other = [c for c in contest.counts if c.unit == "GA" and c.choice not in dict(ga.votes)]
    new_contest = dataclasses.replace(contest, counts=tuple(counts + other))
    election = dataclasses.replace(record.election, contests=(new_contest,))
    data = ClaimData({2020: dataclasses.replace(record, election=election)}, "synthetic")
    mail = sum(v // 2 for _, v in ga.votes)
    r = check_claim(f"mail_share(GA, 2020) = {mail / ga.votes_cast!r}", data)
    assert r.evidence[0].exact == str(Fraction(mail, ga.votes_cast))


def test_georgia_mail_share_from_the_hand_count_batches() -> None:
    path = history_dir().parent / "us2020" / "ga_rla_2020_batch_hand_tallies.csv"
    mail = total = 0
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            votes = sum(int(row[c]) for c in ("trump", "biden", "jorgensen"))
            total += votes
            mail += votes if row["batch_type"] == "Absentee By Mail" else 0
    r = check_record(f"mail_share(Georgia, 2020) = {mail / total!r}")
    (e,) = r.evidence
    assert e.exact == str(Fraction(mail, total))
    assert e.source == "ga_rla_2020_batch_hand_tallies.csv" and "hand count" in r.sentence


def test_names_unknown_or_ambiguous_are_errors() -> None:
    with pytest.raises(InputError, match="no candidate 'smith' in 2020"):
        check_record("winner(2020) = smith")
    with pytest.raises(InputError, match="claim position 1: no function 'champion'"):
        check_record("champion(2020) = biden")
    with pytest.raises(InputError, match="a percentage compares with a share"):
        check_record("flip_votes(2020) < 5%")
    # a suffix names nobody; a first name or the full name names its candidate
    with pytest.raises(InputError, match=r"no candidate 'jr\.' in 2020"):
        check_record("winner(2020) = jr.")
    josephs = [
        c
        for c in load_history_year(2020).election.contest().choices
        if c.is_candidate and "joseph" in c.name.lower().replace(",", " ").split()
    ]
    if len(josephs) > 1:  # in MEDSL's 2020 rows more than one candidate is a Joseph
        with pytest.raises(InputError, match="'JOSEPH' is ambiguous in 2020"):
            check_record("winner(2020) = JOSEPH")
    else:
        assert check_record("winner(2020) = JOSEPH").verdict is Verdict.TRUE
    assert check_record('winner(2020) = "joseph r. biden jr."').verdict is Verdict.TRUE


def test_cli_check_json_and_text() -> None:
    result = runner.invoke(app, ["check", "--json", "flip_votes(2020) < 50000"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"claim", "verdict", "sentence", "evidence", "missing"}
    assert doc["verdict"] in ("true", "false")
    text = runner.invoke(app, ["check", "winner(2020 = biden"])
    assert text.exit_code == 1 and "claim position 13" in text.output


def test_record_data_is_every_year() -> None:
    assert isinstance(record_data().records[1976], ElectionRecord)
    assert sorted(record_data().records) == list(range(1976, 2021, 4))


def test_georgia_hand_count_leader_from_the_batches() -> None:
    path = history_dir().parent / "us2020" / "ga_rla_2020_batch_hand_tallies.csv"
    tally = {"trump": 0, "biden": 0, "jorgensen": 0}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for c in tally:
                tally[c] += int(row[c])
    first = max(tally, key=lambda c: tally[c])
    r = check_record(f"hand_winner(GA, 2020) = {first}")
    assert r.verdict is Verdict.TRUE and r.evidence[0].exact == first
    reported = tabulate_unit(load_history_year(2020).election.contest(), "GA")  # type: ignore[arg-type]
    same = check_record("hand_winner(GA, 2020) = leader(GA, 2020)").verdict
    assert same is (Verdict.TRUE if reported.winner == first else Verdict.FALSE)
    assert check_record("hand_winner(PA, 2020) = biden").verdict is Verdict.UNDECIDED


def test_claims_page_of_november_2020() -> None:
    from ballotproof.report.claims import CLAIMS_2020, claims_2020_doc, render_claims_page

    doc = claims_2020_doc()
    assert [c["said"] for c in doc["claims"]] == [s for s, _, _ in CLAIMS_2020]
    for item, (_, _, claims) in zip(doc["claims"], CLAIMS_2020, strict=True):
        # each answer on the page is the answer `check` gives
        assert [c["verdict"] for c in item["checks"]] == [
            check_record(c).verdict.value for c in claims
        ]
    verdicts = {c["verdict"] for item in doc["claims"] for c in item["checks"]}
    assert Verdict.UNDECIDED.value in verdicts  # the page says what the data cannot settle
    html = render_claims_page(doc, audit_link="../audit/report.html")
    assert "Claims and the record" in html and "fraud" in html
    assert "<script" not in html and 'src="http' not in html
    assert html.count('class="check"') == sum(len(c) for _, _, c in CLAIMS_2020)


def test_check_with_data_reads_vote_methods(tmp_path: Path) -> None:
    folder = tmp_path / "e"
    folder.mkdir()
    (folder / "election.csv").write_text("name,date\nTest,2024-11-05\n", encoding="utf-8")
    (folder / "units.csv").write_text("unit,type,electors\nAA,state,3\nBB,state,4\n")
    rows = [
        ("AA", "ann", 30, "mail"),
        ("AA", "ann", 30, "election-day"),
        ("AA", "bob", 10, "mail"),
        ("AA", "bob", 30, "election-day"),
        ("BB", "ann", 50, "total"),
        ("BB", "bob", 40, "total"),
    ]
    (folder / "results.csv").write_text(
        "unit,choice,votes,count_type\n" + "".join(f"{u},{c},{v},{t}\n" for u, c, v, t in rows)
    )
    mail = sum(v for u, _, v, t in rows if u == "AA" and t == "mail")
    cast = sum(v for u, _, v, _ in rows if u == "AA")
    result = runner.invoke(
        app, ["check", "--json", "--data", str(folder), f"mail_share(AA, 2024) = {mail}/{cast}"]
    )
    assert result.exit_code == 1  # "/" is not in the language
    assert "claim position" in result.output
    result = runner.invoke(
        app, ["check", "--json", "--data", str(folder), "mail_share(AA, 2024) > 0.4"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["evidence"][0]["exact"] == str(Fraction(mail, cast))
    assert doc["verdict"] == ("true" if Fraction(mail, cast) > Fraction(4, 10) else "false")
    assert doc["evidence"][0]["source"] == "e"


def test_district_figures_cite_their_own_file() -> None:
    from ballotproof.io.medsl import DISTRICT_RESULTS_FILE
    from ballotproof.io.us2020 import DISTRICT_FILE

    (e2020,) = check_record("margin(NE-2, 2020) > 0").evidence
    (e2016,) = check_record("margin(ME-2, 2016) > 0").evidence
    assert (e2020.source, e2016.source) == (DISTRICT_FILE, DISTRICT_RESULTS_FILE)
    (state,) = check_record("margin(NE, 2020) > 0").evidence
    assert state.source == MEDSL_FILE and state.rows.startswith("lines ")


@pytest.mark.parametrize(
    "quantity", ["flip_units", "tipping_votes", "popular_votes", "votes_cast", "winner_electors"]
)
def test_rank_by_more_quantities_counts_smaller_years(quantity: str) -> None:
    """Oracle: each year's value computed here from the results functions."""
    from ballotproof.results import popular_vote, tipping_point

    data = record_data()

    def value(r: ElectionRecord) -> int:
        ec = pledged_college(r)
        if quantity == "flip_units":
            return len(minimal_flip(r.election, FlipGoal.DENY, ec=ec).items)
        if quantity == "tipping_votes":
            return tipping_point(r.election, ec=ec).result.margin
        if quantity == "winner_electors":
            return max(n for _, n in ec.totals)
        pv = popular_vote(r.election)
        return pv.votes_cast if quantity == "votes_cast" else pv.votes[0][1] - pv.votes[1][1]

    values = {y: value(r) for y, r in data.records.items()}
    for year in (1976, 2000, 2020):
        expected = 1 + sum(v < values[year] for v in values.values())
        r = check_claim(f"rank({year}, {quantity}) = {expected}", data)
        assert r.verdict is Verdict.TRUE, (quantity, year, r)


@pytest.mark.parametrize(
    "claim",
    [
        "rank(2000, tipping_votes) = 1",  # Florida, 537 votes (MEDSL)
        "rank(2020, votes_cast) = 12",  # the most votes cast of the twelve elections
        "rank(2000, winner_electors) = 1",  # Bush 271 pledged, the fewest of any winner
        "rank(1984, winner_electors) = 12",  # Reagan 525, the most
    ],
)
def test_rank_matches_the_record(claim: str) -> None:
    assert check_claim(claim, record_data()).verdict is Verdict.TRUE
