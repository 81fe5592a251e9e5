"""The federal calendar is computed from the statutes' rules and agrees with the record."""

from __future__ import annotations

from datetime import date

import pytest

from ballotproof.io.medsl import load_history
from ballotproof.io.timeline import load_timeline
from ballotproof.model.timeline import NATION
from ballotproof.results.calendar import federal_calendar


def test_2020_agrees_with_the_sourced_table() -> None:
    table = {e.day for e in load_timeline() if e.state == NATION and e.kind == "federal_deadline"}
    computed = {d.day for d in federal_calendar(2020) if d.key != "election_day"}
    assert computed == table


def test_every_built_in_election_day_is_the_computed_one() -> None:
    for record in load_history():
        assert record.election.date == federal_calendar(record.year)[0].day, record.year


@pytest.mark.parametrize(
    ("year", "meet"),
    [(2000, date(2000, 12, 18)), (2016, date(2016, 12, 19)), (2024, date(2024, 12, 17))],
)
def test_electors_meet_on_the_recorded_day(year: int, meet: date) -> None:
    """2000 and 2016 from the record of those years; 2024 under the 2022 Act (Tuesday)."""
    days = {d.key: d.day for d in federal_calendar(year)}
    assert days["electors_meet"] == meet
    assert days["state_certificates"] == meet.replace(day=meet.day - 6)
    assert days["electors_meet"].weekday() == (1 if year >= 2024 else 0)


def test_examples_run() -> None:
    import doctest

    from ballotproof.results import calendar

    result = doctest.testmod(calendar)
    assert result.attempted > 0 and result.failed == 0


def test_a_year_without_a_presidential_election_is_refused() -> None:
    with pytest.raises(ValueError, match="2022"):
        federal_calendar(2022)
