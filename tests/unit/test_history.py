"""The record 1976–2020 against plain counts of the packaged MEDSL file and the electors' record.

Every expected figure is computed here from the data files (``data/history``), never typed in,
except the issue's own published checks (2000: 271/267/266; 2016: 306/232, 304/227), which are
asserted *in addition to* the record file they come from.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from pathlib import Path

import pytest

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.generic import load_generic, write_generic
from ballotproof.io.medsl import history_dir, load_history, load_history_year, load_medsl
from ballotproof.io.us2020 import load_us2020
from ballotproof.model import UnitId
from ballotproof.model.electors import ElectionRecord
from ballotproof.results import electoral_college, popular_vote, tabulate_unit
from ballotproof.results.history import YearSummary, cast_electors, summarize_year, swing

YEARS = tuple(range(1976, 2021, 4))
SHARED_MEDSL = (
    Path(__file__).resolve().parents[2].parent
    / "shared/data/us2020/raw/medsl_via_leekshaffer_EC-Inversion/1976-2020-president.csv"
)


def _csv(name: str) -> list[dict[str, str]]:
    with (history_dir() / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


RAW = _csv("1976-2020-president.csv")


@pytest.fixture(scope="module")
def records() -> dict[int, ElectionRecord]:
    return {r.year: r for r in load_history()}


@pytest.fixture(scope="module")
def summaries(records: dict[int, ElectionRecord]) -> dict[int, YearSummary]:
    return {y: summarize_year(r) for y, r in records.items()}


def _surname(name: str) -> str:
    words = [w for w in name.replace(",", " ").split() if w.rstrip(".") not in {"Jr", "JR"}]
    return words[-1].lower()


def _raw_votes(year: int, state: str | None = None) -> dict[str, int]:
    """Plain count: candidate name → votes in ``year`` (all states, or one)."""
    out: dict[str, int] = defaultdict(int)
    for r in RAW:
        if int(r["year"]) == year and (state is None or r["state_po"] == state):
            out[r["candidate"]] += int(r["candidatevotes"])
    return out


def _record_cast(year: int) -> dict[str, int]:
    return {
        _surname(r["candidate"]): int(r["electoral_votes"])
        for r in _csv("electoral_votes_cast.csv")
        if int(r["year"]) == year
    }


def test_packaged_copy_is_the_shared_raw_file() -> None:
    if not SHARED_MEDSL.is_file():
        pytest.skip("../shared is not beside the checkout")
    assert (history_dir() / "1976-2020-president.csv").read_bytes() == SHARED_MEDSL.read_bytes()


@pytest.mark.parametrize("year", YEARS)
def test_winner_and_cast_electors_match_the_record(
    year: int, summaries: dict[int, YearSummary]
) -> None:
    s = summaries[year]
    record = _record_cast(year)
    assert _surname(s.winner_name) == max(record, key=lambda k: record[k])
    cast = {_surname(name): n for _, name, n in s.cast.totals}
    assert cast == record
    assert sum(record.values()) + s.cast.abstained == s.total_electors == 538


@pytest.mark.parametrize("year", YEARS)
def test_popular_vote_is_the_sum_of_the_state_rows(
    year: int, records: dict[int, ElectionRecord]
) -> None:
    pv = popular_vote(records[year].election)
    raw = _raw_votes(year)
    totals = {(r["state_po"]): int(r["totalvotes"]) for r in RAW if int(r["year"]) == year}
    assert pv.votes_cast + pv.other_lines == sum(totals.values()) == sum(raw.values())
    names = {c.id: c for c in records[year].election.contest().choices}
    for cid, votes in pv.votes[:3]:
        upper = {n for n in raw if n and n.split(",")[0].lower().replace(" ", "-") == cid}
        assert votes == sum(raw[n] for n in upper), names[cid].name


def test_2000_florida_and_the_abstaining_elector(summaries: dict[int, YearSummary]) -> None:
    s = summaries[2000]
    fl = _raw_votes(2000, "FL")
    margin = fl["BUSH, GEORGE W."] - fl["GORE, AL"]
    assert s.pledged.of("bush") == 271 and s.pledged.of("gore") == 267
    assert s.cast.of("gore") == 266 and s.cast.abstained == 1
    assert s.tipping.unit == "FL" and s.tipping.result.margin == margin == 537
    assert s.deny.units == (UnitId("FL"),) and s.deny.votes == 537
    assert s.inversion
    assert s.cast.label("gore") == "Al Gore 266 (one District of Columbia elector abstained)"


def test_2016_pledged_cast_and_the_fewest_votes_by_brute_force(
    summaries: dict[int, YearSummary], records: dict[int, ElectionRecord]
) -> None:
    s = summaries[2016]
    assert (s.pledged.of("trump"), s.pledged.of("clinton")) == (306, 232)
    assert (s.cast.of("trump"), s.cast.of("clinton")) == (304, 227)
    assert s.inversion and not s.warnings  # ME-2 from its own (derived) district returns
    me2 = tabulate_unit(records[2016].election.contest(), UnitId("ME-2"))
    assert me2.winner == "trump" and me2.margin == 180818 - 143739
    # Oracle: every cheaper set could only use states whose margin is below the optimum.
    ec = electoral_college(records[2016].election)
    need = s.pledged.of("trump") - (s.majority - 1)
    cheap = [a for a in ec.awards if a.to == "trump" and a.result.margin <= s.deny.votes]
    best = min(
        (
            sum(a.result.margin for a in combo)
            for k in range(1, len(cheap) + 1)
            for combo in itertools.combinations(cheap, k)
            if sum(a.electors for a in combo) >= need
        ),
    )
    assert best == s.deny.votes
    assert s.deny.votes == sum(a.result.margin for a in ec.awards if a.unit in s.deny.units)


def test_2008_nebraska_district_comes_from_the_record_with_a_warning(
    summaries: dict[int, YearSummary], records: dict[int, ElectionRecord]
) -> None:
    s = summaries[2008]
    assert (s.pledged.of("obama"), s.pledged.of("mccain")) == (365, 173)
    assert electoral_college(records[2008].election).electors_of("obama") == 364  # by votes
    assert len(s.warnings) == 1 and "NE-2" in s.warnings[0]


def test_2020_from_the_record_equals_the_built_in_election(
    records: dict[int, ElectionRecord],
) -> None:
    built_in = load_us2020()
    a, b = electoral_college(records[2020].election), electoral_college(built_in)
    assert a.totals[:2] == b.totals[:2] == (("biden", 306), ("trump", 232))
    assert popular_vote(records[2020].election).votes[:2] == popular_vote(built_in).votes[:2]


def test_fusion_lines_are_summed_to_the_candidate(records: dict[int, ElectionRecord]) -> None:
    ny = [r for r in RAW if r["year"] == "1976" and r["state_po"] == "NY"]
    carter = [r for r in ny if r["candidate"] == "CARTER, JIMMY"]
    assert len(carter) == 2
    contest = records[1976].election.contest()
    assert contest.totals[UnitId("NY")]["carter"] == sum(int(r["candidatevotes"]) for r in carter)
    assert "Liberal Party" in contest.choice("carter").party  # type: ignore[arg-type]


def test_summary_ties_flips_and_the_house(summaries: dict[int, YearSummary]) -> None:
    text = summaries[2000].summary()
    assert "537 more votes for Al Gore in FL would have tied it" in text
    assert "538 would have flipped FL and elected Al Gore with 292" in text
    assert "the House of Representatives would then have chosen" in text
    for s in summaries.values():
        assert "would have tied" in s.summary() and "would have flipped" in s.summary()


def test_swing_is_the_change_in_the_democratic_margin(records: dict[int, ElectionRecord]) -> None:
    rows = {s.state: s for s in swing(records[2016], records[2020])}
    assert len(rows) == 51
    ga = rows[UnitId("GA")]
    new, old = _raw_votes(2020, "GA"), _raw_votes(2016, "GA")
    assert ga.swing_pct > 0
    assert ga.dem_margin * sum(new.values()) == new["BIDEN, JOSEPH R. JR"] - new["TRUMP, DONALD J."]
    assert old["CLINTON, HILLARY"] < old["TRUMP, DONALD J."]


def test_import_round_trip(tmp_path: Path, records: dict[int, ElectionRecord]) -> None:
    election = load_medsl(history_dir() / "1976-2020-president.csv", year=1988)
    write_generic(election, tmp_path / "y1988")
    back = load_generic(tmp_path / "y1988")
    assert electoral_college(back).totals == electoral_college(records[1988].election).totals
    assert popular_vote(back).votes == popular_vote(records[1988].election).votes


def test_cast_electors_needs_pledged_electors(records: dict[int, ElectionRecord]) -> None:
    assert cast_electors(records[2004]).of("john-edwards") == 1


def test_unknown_year_and_bad_rows(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="1977"):
        load_history_year(1977)
    lines = (history_dir() / "1976-2020-president.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    first = lines[1].replace(",659170,", ",659171,")  # Carter, Alabama 1976, one vote too many
    bad.write_text("\n".join([lines[0], first, *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(IntegrityError) as info:
        load_medsl(bad, year=1976)
    assert str(info.value).startswith(f"{bad}:2: field 'totalvotes'")


def test_a_year_exports_to_nist_and_back(
    tmp_path: Path, records: dict[int, ElectionRecord]
) -> None:
    from ballotproof.io.nist import load_nist, write_nist

    write_nist(records[2000].election, tmp_path / "e2000.json")
    back = load_nist(tmp_path / "e2000.json")
    assert electoral_college(back).totals == electoral_college(records[2000].election).totals
    assert popular_vote(back).other_lines == popular_vote(records[2000].election).other_lines


def _changes(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "apportionment_changes.csv"
    path.write_text("first_year,state,seats_change\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_2020_census_apportionment_applies_from_2024() -> None:
    """Electors of the packaged apportionments: every year sums to 538; the 2020 census (first
    applied 2023, so from the 2024 election) moves exactly the 13 states of the changes file."""
    from ballotproof.io.medsl import APPORTIONMENT_FILE, _electors

    table = history_dir() / APPORTIONMENT_FILE
    before, after = _electors(table, 2020), _electors(table, 2024)
    assert sum(before.values()) == sum(after.values()) == 538
    with (history_dir() / "apportionment_changes.csv").open(encoding="utf-8") as f:
        moved = {r["state"]: int(r["seats_change"]) for r in csv.DictReader(f)}
    assert {s: after[s] - before[s] for s in after if after[s] != before[s]} == moved
    assert len(moved) == 13 and sum(moved.values()) == 0
    assert _electors(table, 2028) == after


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["2023,TX,2"], "gives 437 House seats, not 435"),
        (["2023,TX,x"], "apportionment_changes.csv:2: field 'seats_change'"),
        (["2023,TX,1", "2023,TX,-1"], "apportionment_changes.csv:3: field 'state'"),
        (["2023,ZZ,1", "2023,TX,-1"], "apportionment_changes.csv:2: field 'state'"),
        (["2013,TX,1", "2013,CA,-1"], "apportionment_changes.csv:2: field 'first_year'"),
    ],
)
def test_a_bad_apportionment_change_is_refused(
    tmp_path: Path, rows: list[str], message: str
) -> None:
    from ballotproof.io.medsl import APPORTIONMENT_FILE, _electors

    with pytest.raises((InputError, IntegrityError), match=message):
        _electors(history_dir() / APPORTIONMENT_FILE, 2024, _changes(tmp_path, rows))
