"""The federal calendar of a presidential election, for any year, from the statutes' rules.

Dates are computed, not typed, from the rules in force in the election's year:

* **Election day** — the Tuesday next after the first Monday in November (3 U.S.C. § 1; 2 U.S.C.
  § 7).
* **Electors meet** — until the 2020 election, the first Monday after the second Wednesday in
  December (3 U.S.C. § 7 as in force in 2020); from 2024, the first Tuesday after the second
  Wednesday in December (3 U.S.C. § 7 as amended by the Electoral Count Reform Act of 2022,
  Pub. L. 117-328, Div. P, title I).
* **Six days before** the electors meet — until 2020 the "safe harbor": a state's final
  determination of its electors made by then is conclusive (3 U.S.C. § 5 as then in force);
  from 2024, the deadline for the state's certificate of ascertainment (§ 5 as amended).
* **Congress counts** — 6 January (3 U.S.C. § 15); **inauguration** — noon, 20 January (U.S.
  Const. amend. XX § 1; before the 1937 inauguration it was 4 March, out of this range).

These are the *statutory* dates. Congress has moved a count by a law of its own in some years
(and the inauguration moves to the 21st when the 20th is a Sunday for the public ceremony);
those exceptions are not in this table, so the titles say "statutory date".

Sources of the ECRA rules: ``data/CERTIFICATION_2020.md``, "Later years (ECRA 2022)". Checked
against the dates on record: 14 Dec 2020, 19 Dec 2016, 18 Dec 2000, 17 Dec 2024 (electors),
8 Dec 2020 (safe harbor), 11 Dec 2024 (certificates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["ECRA_FIRST_ELECTION", "FederalDate", "federal_calendar"]

ECRA_FIRST_ELECTION = 2024  # the first presidential election under the 2022 Act


@dataclass(frozen=True, slots=True)
class FederalDate:
    """One date of the federal calendar, with the rule that sets it."""

    key: str  # election_day, state_certificates, electors_meet, congress_counts, inauguration
    day: date
    title: str
    citation: str


def _weekday_after(d: date, weekday: int) -> date:
    """The first ``weekday`` (Monday = 0) strictly after ``d``."""
    return d + timedelta(days=(weekday - d.weekday() - 1) % 7 + 1)


def federal_calendar(year: int) -> tuple[FederalDate, ...]:
    """The federal dates of the presidential election held in ``year`` (a multiple of 4,
    1940 or later: the 20th Amendment's January inauguration).

    >>> for d in federal_calendar(2020):
    ...     print(d.key, d.day.isoformat())
    election_day 2020-11-03
    state_certificates 2020-12-08
    electors_meet 2020-12-14
    congress_counts 2021-01-06
    inauguration 2021-01-20
    >>> federal_calendar(2024)[2].day.isoformat(), federal_calendar(2024)[1].day.isoformat()
    ('2024-12-17', '2024-12-11')
    """
    if year % 4 or year < 1940:
        raise ValueError(f"{year} is not a presidential election year from 1940 on")
    ecra = year >= ECRA_FIRST_ELECTION
    election_day = _weekday_after(date(year, 11, 1) - timedelta(days=1), 0) + timedelta(days=1)
    second_wednesday = _weekday_after(date(year, 11, 30), 2) + timedelta(days=7)
    meet = _weekday_after(second_wednesday, 1 if ecra else 0)
    six_before = meet - timedelta(days=6)
    section = "3 U.S.C. § 7 as amended by the Electoral Count Reform Act of 2022"
    return (
        FederalDate(
            "election_day",
            election_day,
            "Election day",
            "3 U.S.C. § 1: the Tuesday next after the first Monday in November",
        ),
        FederalDate(
            "state_certificates",
            six_before,
            "Certificates of ascertainment due (six days before the electors meet)"
            if ecra
            else "Safe harbor: state determinations of electors made by this date are conclusive",
            "3 U.S.C. § 5 as amended by the Electoral Count Reform Act of 2022"
            if ecra
            else "3 U.S.C. § 5 (as in force before 2022)",
        ),
        FederalDate(
            "electors_meet",
            meet,
            "Electors meet and vote in every state",
            f"{section}: the first Tuesday after the second Wednesday in December"
            if ecra
            else "3 U.S.C. § 7 (as in force before 2022): the first Monday after the second "
            "Wednesday in December",
        ),
        FederalDate(
            "congress_counts",
            date(year + 1, 1, 6),
            "Congress counts the electoral votes in joint session (statutory date)",
            "3 U.S.C. § 15: the sixth day of January",
        ),
        FederalDate(
            "inauguration",
            date(year + 1, 1, 20),
            "Inauguration: the President's term begins at noon (statutory date)",
            "U.S. Const. amend. XX § 1",
        ),
    )
