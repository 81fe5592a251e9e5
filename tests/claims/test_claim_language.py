"""The claim language on small, made-up elections: names, ties, and the parser's contract."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballotproof.claims import ClaimData, Verdict, check_claim, parse_claim
from ballotproof.errors import ClaimSyntaxError, InputError
from ballotproof.model import (
    Choice,
    ChoiceId,
    Contest,
    ContestId,
    Election,
    Unit,
    UnitId,
    UnitType,
    VoteCount,
)
from ballotproof.model.electors import ElectionRecord


def _record(year: int, votes: dict[str, dict[str, int]], names: dict[str, str]) -> ElectionRecord:
    units = tuple(
        Unit(UnitId(u), f"State {u}", UnitType.STATE, electors=3 + i) for i, u in enumerate(votes)
    )
    choices = tuple(Choice(ChoiceId(c), n) for c, n in names.items())
    counts = tuple(
        VoteCount(UnitId(u), ChoiceId(c), v) for u, by in votes.items() for c, v in by.items()
    )
    contest = Contest(ContestId("president"), "President", choices, counts)
    return ElectionRecord(year, Election(f"{year} test", date(year, 11, 1), units, (contest,)))


SMITHS = _record(
    2100,
    {"AA": {"john-smith": 60, "jane-smith": 40}, "BB": {"john-smith": 45, "jane-smith": 55}},
    {"john-smith": "John Smith", "jane-smith": "Jane Smith"},
)


def test_a_shared_last_name_is_ambiguous_and_a_full_name_is_not() -> None:
    data = ClaimData({2100: SMITHS}, "made-up")
    with pytest.raises(InputError, match="claim position 16: 'smith' is ambiguous in 2100"):
        check_claim("winner(2100) = smith", data)
    # AA has 3 electors and BB 4: Jane Smith carries BB and the majority (4 of 7)
    assert check_claim('winner(2100) = "JANE SMITH"', data).verdict is Verdict.TRUE
    assert check_claim("winner(2100) = john-smith", data).verdict is Verdict.FALSE
    assert check_claim("leader(AA, 2100) = john-smith", data).verdict is Verdict.TRUE
    r = check_claim("margin(aa, 2100) = 20%", data)
    assert r.verdict is Verdict.TRUE and r.evidence[0].rows == "year=2100, state_po=AA"


def test_years_outside_the_data_cannot_be_decided() -> None:
    data = ClaimData({2100: SMITHS}, "made-up")
    r = check_claim("winner(2104) = smith or flip_votes(2100) >= 0", data)
    assert r.verdict is Verdict.TRUE  # the second part settles an "or"
    r = check_claim("winner(2104) = smith", data)
    assert r.verdict is Verdict.UNDECIDED and "no 2104 election" in r.sentence


@given(st.text(alphabet='abwinr()=<>!%,. 0123456789"_-', max_size=30))
def test_the_parser_accepts_or_names_a_position(text: str) -> None:
    try:
        parse_claim(text)
    except ClaimSyntaxError as e:
        assert 1 <= e.position <= len(text) + 1
        assert str(e).startswith(f"claim position {e.position}: expected ")


def test_a_number_or_name_may_come_first() -> None:
    data = ClaimData({2100: SMITHS}, "made-up")
    for a, b in (
        ("margin(AA, 2100) < 25%", "25% > margin(AA, 2100)"),
        ("margin(AA, 2100) >= 20%", "20% <= margin(AA, 2100)"),
        ("winner(2100) = jane-smith", "jane-smith = winner(2100)"),
    ):
        assert check_claim(a, data).verdict is check_claim(b, data).verdict is Verdict.TRUE
