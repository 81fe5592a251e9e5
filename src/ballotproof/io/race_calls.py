"""Load a table of race-call times (``data/race_calls_2020.csv``; sources in RACE_CALLS.md).

Columns ``state_po, desk, candidate, called_at_utc``; optionally ``precision`` (``minute``,
``hour`` or ``day``; default ``minute``), ``source_url``, ``source_note``, ``verified``.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

from ballotproof.calls.backtest import RaceCall
from ballotproof.io.csvread import parse_bool, read_rows

__all__ = ["default_race_calls_path", "load_race_calls"]

COLUMNS = ("state_po", "desk", "candidate", "called_at_utc")
OPTIONAL = ("precision", "source_url", "source_note", "verified")


def default_race_calls_path() -> Path:
    return Path(str(resources.files("ballotproof") / "data" / "race_calls_2020.csv"))


def load_race_calls(path: str | Path | None = None) -> tuple[RaceCall, ...]:
    """Read a race-call table; the packaged 2020 table by default."""
    p = Path(path) if path is not None else default_race_calls_path()
    out = []
    for row in read_rows(p, COLUMNS, optional=OPTIONAL, display=str(path) if path else p.name):
        text = row.require("called_at_utc")
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise row.error("called_at_utc", "an ISO 8601 UTC time", text) from None
        if when.tzinfo is None:
            raise row.error("called_at_utc", "a time with a timezone (…Z)", text)
        precision = row.get("precision") or "minute"
        if precision not in {"minute", "hour", "day"}:
            raise row.error("precision", "minute, hour or day", precision)
        out.append(
            RaceCall(
                row.require("state_po"),
                row.require("desk"),
                row.require("candidate"),
                when,
                precision,
                row.get("source_url"),
                parse_bool(row, "verified", default=False),
            )
        )
    return tuple(out)
