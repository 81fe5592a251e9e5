"""Loaders for election-night feeds: the two shipped 2020 series and a generic CSV format.

**No look-ahead.** Two columns of the 2020 files know the future and are never read:
``votes_remaining_estimate`` (and ``hurdle`` and its derivatives) in the batch file, recomputed
by its source from the final count, and ``expected_total_votes`` in the Edison file, one value
per state taken on Nov 10. What is read is what was published at each timestamp: the counts,
Edison's expected-vote percentage (``eevp_pct``) and the precincts reporting.

**Generic feed CSV** (``--feed FILE``), one row per update::

    state,time,total[,expected_pct][,precincts_pct][,unit][,mode],votes_<candidate>…

* ``time`` — ISO 8601 with a timezone (``2020-11-04T03:12:51Z``);
* ``total`` — all votes counted so far; ``votes_<id>`` — the candidate's votes so far (at
  least two such columns);
* ``expected_pct`` — the source's estimate then of the share of the expected vote counted;
* ``precincts_pct`` — share of precincts reporting;
* ``unit`` — the reporting unit (county or finer, inside ``state``) the row counts; empty or
  absent: the whole state. ``mode`` — the vote mode the row counts (``election-day``,
  ``early``, ``mail``, ``provisional``); empty or absent: all modes. Rows by unit or mode are
  cumulative counts of that (unit, mode), summed into state updates by
  :func:`~ballotproof.calls.feed.aggregate_units`; a state's rows are either all statewide or
  all by unit/mode.

Every file is parsed in full before anything is returned; a bad row raises an error naming the
file, line and field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from ballotproof.calls.feed import Update, UpdateSource, VoteMode, aggregate_units
from ballotproof.errors import InputError
from ballotproof.io.csvread import Row, parse_int, read_rows

__all__ = [
    "BATCH_FILE",
    "COUNTY_FILE",
    "EDISON_FILE",
    "load_2020_feed",
    "load_batches",
    "load_edison",
    "load_generic_feed",
    "merge",
]

EDISON_FILE = "nyt_edison_timeseries_2020.csv"
BATCH_FILE = "nyt_state_batches_2020.csv"
COUNTY_FILE = "nyt_state_batch_county_parts_2020.csv"


def _time(row: Row, column: str) -> datetime:
    text = row.require(column)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise row.error(column, "an ISO 8601 time such as 2020-11-04T03:12:51Z", text) from None
    if value.tzinfo is None:
        raise row.error(column, "a time with a timezone (…Z or +00:00)", text)
    return value


def _share(row: Row, column: str) -> float:
    text = row.require(column)
    try:
        value = float(text)
    except ValueError:
        raise row.error(column, "a share between 0 and 1", text) from None
    if not 0.0 <= value <= 1.0:
        raise row.error(column, "a share between 0 and 1", text)
    return value


def _pct(row: Row, column: str) -> float | None:
    text = row.get(column)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise row.error(column, "a percentage from 0 to 100", text) from None
    if not 0.0 <= value <= 100.0:
        raise row.error(column, "a percentage from 0 to 100", text)
    return value


EDISON_COLUMNS = (
    "state_po",
    "timestamp_utc",
    "votes_reported",
    "eevp_pct",
    "vote_share_trump",
    "vote_share_biden",
)
# Not read: expected_total_votes is one value per state taken on Nov 10 (hindsight).
EDISON_NOT_READ = (
    "state",
    "eevp_source",
    "expected_total_votes",
    "vote_share_third",
    "est_trump_votes",
    "est_biden_votes",
    "trump_votes_2016",
    "total_votes_2012",
    "total_votes_2016",
)


def load_edison(path: str | Path) -> list[Update]:
    """The NYT/Edison election-night series (rounded shares; with eevp)."""
    out = []
    for row in read_rows(path, EDISON_COLUMNS, optional=EDISON_NOT_READ):
        total = parse_int(row, "votes_reported")
        out.append(
            Update(
                state=row.require("state_po"),
                time=_time(row, "timestamp_utc"),
                votes={
                    "biden": round(total * _share(row, "vote_share_biden")),
                    "trump": round(total * _share(row, "vote_share_trump")),
                },
                total=total,
                exact=False,
                expected_pct=_pct(row, "eevp_pct"),
                source=UpdateSource.EDISON,
                line=row.line,
            )
        )
    return out


BATCH_COLUMNS = ("state_po", "timestamp_utc", "biden_votes", "trump_votes", "total_votes_count")
BATCH_OPTIONAL = ("precincts_reporting", "precincts_total")
# Read past, never used: derived columns, and the hindsight ones (votes_remaining_estimate,
# hurdle*) that the source recomputed from the final count.
BATCH_NOT_READ = (
    "state",
    "electoral_votes",
    "is_battleground_in_source",
    "leading_candidate",
    "trailing_candidate",
    "leading_candidate_votes",
    "trailing_candidate_votes",
    "vote_differential",
    "votes_remaining_estimate",
    "new_votes",
    "new_votes_relevant",
    "leading_candidate_share_of_new",
    "trailing_candidate_share_of_new",
    "hurdle",
    "hurdle_change",
    "hurdle_mov_avg",
)


def load_batches(path: str | Path, county_parts: str | Path | None = None) -> list[Update]:
    """The NYT batch-by-batch series (exact counts), with the counties in each batch."""
    counties: dict[tuple[str, str], list[str]] = defaultdict(list)
    if county_parts is not None:
        for row in read_rows(
            county_parts, ("state_po", "timestamp_utc", "county"), optional=("state", "new_votes")
        ):
            counties[(row.require("state_po"), row.require("timestamp_utc"))].append(
                row.require("county")
            )
    out = []
    for row in read_rows(path, BATCH_COLUMNS, optional=BATCH_OPTIONAL + BATCH_NOT_READ):
        precincts = None
        if row.get("precincts_total") and row.get("precincts_reporting"):
            total_p = parse_int(row, "precincts_total")
            if total_p:
                precincts = 100.0 * parse_int(row, "precincts_reporting") / total_p
        state = row.require("state_po")
        out.append(
            Update(
                state=state,
                time=_time(row, "timestamp_utc"),
                votes={
                    "biden": parse_int(row, "biden_votes"),
                    "trump": parse_int(row, "trump_votes"),
                },
                total=parse_int(row, "total_votes_count"),
                exact=True,
                precincts_pct=precincts,
                counties=tuple(counties.get((state, row.require("timestamp_utc")), ())),
                source=UpdateSource.BATCH,
                line=row.line,
            )
        )
    return out


def _mode(row: Row) -> VoteMode | None:
    text = row.get("mode")
    if not text:
        return None
    try:
        return VoteMode(text)
    except ValueError:
        raise row.error(
            "mode", "one of " + ", ".join(m.value for m in VoteMode) + " (or empty)", text
        ) from None


def load_generic_feed(
    path: str | Path, *, units_of: Mapping[str, frozenset[str]] | None = None
) -> list[Update]:
    """A feed in the generic CSV format (module docstring), as state updates in time order.

    ``units_of`` names each state's reporting units (from the results data) so that a state
    expected-vote share can be formed from the units' own estimates.
    """
    rows = list(
        read_rows(
            path,
            ("state", "time", "total"),
            optional=("expected_pct", "precincts_pct", "unit", "mode"),
            allow_prefix="votes_",
        )
    )
    out = []
    shape: dict[str, bool] = {}  # state → whether its rows are by unit or mode
    for row in rows:
        cands = {
            k[len("votes_") :]: parse_int(row, k) for k in row.values if k.startswith("votes_")
        }
        if len(cands) < 2:
            raise row.error(
                "votes_", "at least two votes_<candidate> columns", ",".join(row.values)
            )
        if sum(cands.values()) > parse_int(row, "total"):
            raise row.error(
                "total", f"at least the candidates' {sum(cands.values()):,} votes", row.get("total")
            )
        out.append(
            Update(
                state=row.require("state"),
                time=_time(row, "time"),
                votes=cands,
                total=parse_int(row, "total"),
                exact=True,
                expected_pct=_pct(row, "expected_pct"),
                precincts_pct=_pct(row, "precincts_pct"),
                source=UpdateSource.OTHER,
                line=row.line,
                unit=row.get("unit") or None,
                mode=_mode(row),
            )
        )
        split = out[-1].unit is not None or out[-1].mode is not None
        if shape.setdefault(out[-1].state, split) != split:
            raise row.error(
                "unit",
                f"rows of {out[-1].state} all statewide or all by unit/mode",
                row.get("unit") or "(statewide)",
            )
    return aggregate_units(merge(out), units_of)  # a feed may list its rows in any order


def merge(*feeds: Iterable[Update]) -> list[Update]:
    """All updates in time order (stable: within a timestamp, the feeds' order is kept)."""
    items = [u for feed in feeds for u in feed]
    return sorted(items, key=lambda u: u.time)


def load_2020_feed(folder: str | Path, states: Iterable[str] | None = None) -> list[Update]:
    """Both shipped 2020 series, merged in time order (optionally only some states)."""
    root = Path(folder)
    for name in (EDISON_FILE, BATCH_FILE, COUNTY_FILE):
        if not (root / name).is_file():
            raise InputError("file not found", path=str(root / name))
    updates = merge(
        load_edison(root / EDISON_FILE), load_batches(root / BATCH_FILE, root / COUNTY_FILE)
    )
    if states is not None:
        wanted = set(states)
        updates = [u for u in updates if u.state in wanted]
    return updates
