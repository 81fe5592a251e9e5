"""The road to certification: dated, sourced events of one election.

Each :class:`TimelineEvent` is one row of a timeline table (``data/certification_2020.csv``, sources
in ``CERTIFICATION_2020.md``): a federal or statutory deadline, a certification, a recount or
audit, or a court case, for a state or for the nation (``US``), with the citation a reader needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ballotproof.errors import IntegrityError

__all__ = ["EventKind", "TimelineEvent"]

NATION = "US"


class EventKind(StrEnum):
    FEDERAL_DEADLINE = "federal_deadline"
    STATUTORY_DEADLINE = "statutory_deadline"
    CERTIFIED = "certified"
    RECOUNT = "recount"
    AUDIT = "audit"
    COURT_CASE = "court_case"


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One dated event.

    Attributes
    ----------
    state : str
        Postal code, or ``US`` for the nation.
    kind : EventKind
    day : datetime.date
        When it happened (for a deadline: when it fell due; for a case: filed or decided).
    end : datetime.date or None
        When it ended, for events that span days.
    title, outcome : str
    citation, source_url : str
        The law or docket, and the page that reports the event (at least one is given).
    """

    state: str
    kind: EventKind
    day: date
    end: date | None
    title: str
    outcome: str
    citation: str
    source_url: str

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.day:
            raise IntegrityError(
                f"event {self.title!r}",
                field="end_date",
                expected=f"on or after {self.day}",
                got=self.end,
            )
        if not self.citation and not self.source_url:
            raise IntegrityError(
                f"event {self.title!r}",
                field="source_url",
                expected="a citation or a source",
                got="",
            )

    @property
    def last_day(self) -> date:
        return self.end or self.day
