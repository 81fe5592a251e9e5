"""The generic CSV format: loading, round trips, and the malformed-input corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from ballotproof.errors import BallotproofError, InputError, IntegrityError
from ballotproof.io.generic import load_generic, write_generic
from ballotproof.io.load import load_election
from ballotproof.model import Election
from ballotproof.results import electoral_college, margins, tipping_point
from tests.conftest import TESTDATA

SWING = TESTDATA / "generic" / "swing"
BAD = sorted(p for p in (TESTDATA / "bad").iterdir() if p.is_dir())


def test_swing_fixture_loads_with_its_units_and_electors(us2020: Election) -> None:
    e = load_generic(SWING)
    assert e.name.startswith("2020 presidential election")
    assert e.date is not None and e.date.isoformat() == "2020-11-03"
    ec = electoral_college(e)
    # Same awards as the full election for these units.
    full = {a.unit: a.to for a in electoral_college(us2020).awards}
    assert {a.unit: a.to for a in ec.awards} == {u: full[u] for u in (a.unit for a in ec.awards)}
    assert [r.unit for r in margins(e)][:3] == ["GA", "AZ", "WI"]
    assert tipping_point(e).winner == "biden"


def test_round_trip_of_the_full_2020_election(tmp_path: Path, us2020: Election) -> None:
    write_generic(us2020, tmp_path / "out")
    assert load_generic(tmp_path / "out") == us2020


def test_without_units_every_unit_is_top_level(tmp_path: Path) -> None:
    (tmp_path / "results.csv").write_text("unit,choice,votes\nA,x,3\nA,y,2\nB,x,1\nB,y,4\n")
    e = load_election(tmp_path)
    assert [u.id for u in e.units] == ["A", "B"]
    assert [r.unit for r in margins(e)] == ["A", "B"]


def test_vote_methods_define_the_total(tmp_path: Path) -> None:
    (tmp_path / "results.csv").write_text(
        "unit,choice,count_type,votes\nA,x,mail,3\nA,x,election-day,4\nA,y,total,5\n"
    )
    e = load_generic(tmp_path)
    assert dict(e.contest().totals["A"]) == {"x": 7, "y": 5}  # type: ignore[index]


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_malformed_input_gives_one_line_naming_file_line_field(case: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8").strip()
    with pytest.raises(BallotproofError) as info:
        load_generic(case)
    message = str(info.value)
    assert "\n" not in message
    assert message.replace(str(case) + "/", "") == expected
    assert isinstance(info.value, InputError | IntegrityError)
    err = info.value
    assert err.path is not None and err.path.startswith(str(case))


def test_errors_carry_line_and_field_as_attributes() -> None:
    with pytest.raises(InputError) as info:
        load_generic(TESTDATA / "bad" / "negative-votes")
    assert (info.value.line, info.value.field, info.value.got) == (8, "votes", "-3")


def test_a_directory_that_is_neither_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no results\.csv"):
        load_election(tmp_path)
