"""Load a timeline table (``data/certification_2020.csv`` format; sources in CERTIFICATION_2020.md).

Columns: ``state_po, kind, date, end_date, title, outcome, citation, source_url``; dates as
YYYY-MM-DD; ``kind`` one of ``federal_deadline``, ``statutory_deadline``, ``certified``,
``recount``, ``audit``, ``court_case``.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from ballotproof.errors import IntegrityError
from ballotproof.io.csvread import Row, read_rows
from ballotproof.model.timeline import EventKind, TimelineEvent

__all__ = ["default_timeline_path", "load_timeline"]

COLUMNS = ("state_po", "kind", "date", "title")
OPTIONAL = ("end_date", "outcome", "citation", "source_url")


def default_timeline_path() -> Path:
    return Path(str(resources.files("ballotproof") / "data" / "certification_2020.csv"))


def _date(row: Row, column: str) -> date | None:
    text = row.get(column)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise row.error(column, "a date as YYYY-MM-DD", text) from None


def _event(row: Row) -> TimelineEvent:
    state = row.require("state_po")
    if len(state) != 2 or not state.isalpha() or not state.isupper():
        raise row.error("state_po", "a two-letter postal code or US", state)
    try:
        kind = EventKind(row.require("kind"))
    except ValueError:
        allowed = ", ".join(k.value for k in EventKind)
        raise row.error("kind", "one of " + allowed, row.get("kind")) from None
    day = _date(row, "date")
    if day is None:
        raise row.error("date", "a date as YYYY-MM-DD", "")
    end = _date(row, "end_date")
    if end is not None and end < day:
        raise row.error("end_date", f"a date on or after {day}", end)
    if not row.get("citation") and not row.get("source_url"):
        raise row.error("source_url", "a citation or a source", "")
    try:
        return TimelineEvent(
            state,
            kind,
            day,
            end,
            row.require("title"),
            row.get("outcome"),
            row.get("citation"),
            row.get("source_url"),
        )
    except IntegrityError as exc:  # pragma: no cover - the row checks above come first
        raise row.error("date", str(exc)) from exc


def load_timeline(path: str | Path | None = None) -> tuple[TimelineEvent, ...]:
    """Read a timeline table; the packaged 2020 table by default (oldest first)."""
    p = Path(path) if path is not None else default_timeline_path()
    display = p.name if path is None else str(path)
    events = [_event(r) for r in read_rows(p, COLUMNS, optional=OPTIONAL, display=display)]
    return tuple(sorted(events, key=lambda e: (e.day, e.state, e.kind.value)))
