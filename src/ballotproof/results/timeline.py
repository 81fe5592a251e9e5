"""Where each state stood on the road from election day to the inauguration.

Inputs are the sourced events of :mod:`ballotproof.model.timeline` and, per state, the day a
decision desk called it (the edge passes the AP's calls from ``data/race_calls_2020.csv``).

A state's *stage* on a day is the furthest of: ``counting`` (from election day), ``called``
(from the call), ``recount_or_audit`` (while a recorded recount or audit runs), ``certified``
(from its last recorded certification), ``electors_voted`` (from the federal date the electors
met). A recount after certification shows as ``recount_or_audit`` until it ends. States with no
recorded certification stay at ``called`` until the electors vote: the table says so
(``certified`` is ``None``), it does not guess.

Deadlines: each statutory deadline of the state and the federal safe-harbor date are *met* when
the state's first recorded certification fell on or before them (``None``: no certification
recorded, so the table cannot say).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ballotproof.model.timeline import NATION, EventKind, TimelineEvent

__all__ = ["DeadlineCheck", "Stage", "StateTimeline", "stage_on", "state_timelines"]

SAFE_HARBOR = "Safe harbor"
ELECTORS = "Electors meet"


class Stage(StrEnum):
    COUNTING = "counting"
    CALLED = "called"
    RECOUNT_OR_AUDIT = "recount_or_audit"
    CERTIFIED = "certified"
    ELECTORS_VOTED = "electors_voted"


@dataclass(frozen=True, slots=True)
class DeadlineCheck:
    """A deadline and whether the state's first certification met it."""

    title: str
    due: date
    met: bool | None
    citation: str


@dataclass(frozen=True, slots=True)
class StateTimeline:
    """One state's road to certification.

    Attributes
    ----------
    state : str
    election_day : datetime.date
    called : datetime.date or None
        The decision desk's call, if given.
    certified : datetime.date or None
        The first recorded certification; ``final_certified`` is the last (re-certification).
    events : tuple of TimelineEvent
        The state's own events and the national ones, oldest first.
    deadlines : tuple of DeadlineCheck
    electors_voted : datetime.date or None
    """

    state: str
    election_day: date
    called: date | None
    certified: date | None
    final_certified: date | None
    events: tuple[TimelineEvent, ...]
    deadlines: tuple[DeadlineCheck, ...]
    electors_voted: date | None

    @property
    def recounts_and_audits(self) -> tuple[TimelineEvent, ...]:
        return tuple(e for e in self.events if e.kind in (EventKind.RECOUNT, EventKind.AUDIT))

    @property
    def court_cases(self) -> tuple[TimelineEvent, ...]:
        return tuple(e for e in self.events if e.kind is EventKind.COURT_CASE)


def stage_on(timeline: StateTimeline, day: date) -> Stage | None:
    """The state's stage on ``day`` (``None`` before election day)."""
    if day < timeline.election_day:
        return None
    if timeline.electors_voted is not None and day >= timeline.electors_voted:
        return Stage.ELECTORS_VOTED
    for e in timeline.recounts_and_audits:
        # An event with only a completion date counts on that day.
        if e.day <= day <= e.last_day and e.state == timeline.state:
            return Stage.RECOUNT_OR_AUDIT
    if timeline.certified is not None and day >= timeline.certified:
        return Stage.CERTIFIED
    if timeline.called is not None and day >= timeline.called:
        return Stage.CALLED
    return Stage.COUNTING


def _federal(events: Iterable[TimelineEvent], prefix: str) -> TimelineEvent | None:
    return next(
        (
            e
            for e in events
            if e.state == NATION
            and e.kind is EventKind.FEDERAL_DEADLINE
            and e.title.startswith(prefix)
        ),
        None,
    )


def state_timelines(
    events: Iterable[TimelineEvent],
    states: Iterable[str],
    calls: Mapping[str, date],
    *,
    election_day: date,
) -> tuple[StateTimeline, ...]:
    """Build every state's timeline from the events and the desk's calls."""
    all_events = tuple(sorted(events, key=lambda e: (e.day, e.state, e.kind.value)))
    national = tuple(e for e in all_events if e.state == NATION)
    safe_harbor = _federal(national, SAFE_HARBOR)
    electors = _federal(national, ELECTORS)
    out = []
    for state in states:
        own = tuple(e for e in all_events if e.state == state)
        certs = [e.day for e in own if e.kind is EventKind.CERTIFIED]
        first = min(certs) if certs else None
        checks = [
            DeadlineCheck(e.title, e.day, None if first is None else first <= e.day, e.citation)
            for e in own
            if e.kind is EventKind.STATUTORY_DEADLINE
        ]
        if safe_harbor is not None:
            checks.append(
                DeadlineCheck(
                    safe_harbor.title,
                    safe_harbor.day,
                    None if first is None else first <= safe_harbor.day,
                    safe_harbor.citation,
                )
            )
        out.append(
            StateTimeline(
                state=state,
                election_day=election_day,
                called=calls.get(state),
                certified=first,
                final_certified=max(certs) if certs else None,
                events=tuple(sorted(own + national, key=lambda e: (e.day, e.state))),
                deadlines=tuple(checks),
                electors_voted=electors.day if electors is not None else None,
            )
        )
    return tuple(out)
