"""The generic CSV format: any election, in a folder of up to three files.

``results.csv`` (required) — one row per unit, choice and count type::

    unit,choice,votes[,contest][,contest_name][,choice_name][,party][,count_type]
    [,is_candidate][,write_in]

* ``unit``: a unit id (``WI``, ``NE-2``, a county FIPS code …);
* ``choice``: a candidate (or line) id; the same id in every row of one contest;
* ``votes``: a whole number ≥ 0;
* ``contest``: contest id, default ``contest`` (give it to load several contests);
* ``contest_name``, ``choice_name``: display names (default: the ids);
* ``party``: optional; must be the same on every row of a choice;
* ``colour``: optional, ``#rrggbb``: the choice's colour in reports (else from its party);
* ``count_type``: ``total`` (default), ``mail``, ``early``, ``election-day``, ``provisional``,
  ``uocava`` or ``other``. Where a unit gives both a ``total`` and vote methods for a choice,
  the methods must add up to the total;
* ``is_candidate``: ``false`` for blank/over/under lines, which count as ballots but cannot win;
* ``write_in``: ``true`` for write-in lines.

``units.csv`` (optional) — the reporting units::

    unit[,name][,type][,parent][,electors]

* ``type``: ``country``, ``state``, ``congressional``, ``county``, ``precinct`` or ``other``;
* ``parent``: the id of the unit it lies in (must be in the file);
* ``electors``: electors awarded to this unit's plurality winner (Maine: ``ME`` 2, ``ME-1`` 1,
  ``ME-2`` 1). Without any electors the Electoral College analyses are unavailable.

Without ``units.csv`` every unit in ``results.csv`` is a top-level unit of type ``other``.

``election.csv`` (optional) — one row: ``name[,date][,source]`` (date as YYYY-MM-DD).

The whole folder is read and checked before anything is built: any error means no election.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.csvread import Row, parse_bool, parse_int, read_rows
from ballotproof.model import (
    Choice,
    ChoiceId,
    Contest,
    ContestId,
    CountType,
    Election,
    Unit,
    UnitId,
    UnitType,
    VoteCount,
)

__all__ = ["load_generic", "write_generic"]

RESULTS = "results.csv"
UNITS = "units.csv"
META = "election.csv"
RESULT_COLUMNS = ("unit", "choice", "votes")
RESULT_OPTIONAL = (
    "contest",
    "contest_name",
    "choice_name",
    "party",
    "colour",
    "count_type",
    "is_candidate",
    "write_in",
)
UNIT_COLUMNS = ("unit",)
UNIT_OPTIONAL = ("name", "type", "parent", "electors")


def _units(path: Path) -> list[Unit]:
    """The units of ``units.csv``, each knowing its line (for errors found later)."""
    rows = list(read_rows(path, UNIT_COLUMNS, optional=UNIT_OPTIONAL))
    ids: dict[str, int] = {}
    for row in rows:
        uid = row.require("unit")
        if uid in ids:
            raise IntegrityError(
                f"unit {uid} is also on line {ids[uid]}",
                path=str(path),
                line=row.line,
                field="unit",
            )
        ids[uid] = row.line
    units = []
    for row in rows:
        parent = row.get("parent")
        if parent and parent not in ids:
            raise row.error("parent", f"a unit listed in {path.name}", parent)
        type_text = row.get("type") or "other"
        try:
            utype = UnitType(type_text.lower())
        except ValueError:
            raise row.error(
                "type", "one of " + ", ".join(t.value for t in UnitType), type_text
            ) from None
        electors = parse_int(row, "electors") if row.get("electors") else 0
        uid = row.require("unit")
        units.append(
            Unit(
                UnitId(uid),
                row.get("name") or uid,
                utype,
                UnitId(parent) if parent else None,
                electors,
                origin=(str(path), row.line),
            )
        )
    return units


@dataclass
class _ContestRows:
    name: str
    choices: dict[str, tuple[Choice, int]]
    counts: list[tuple[VoteCount, int]]


def _colour(row: Row) -> str:
    """The optional ``colour`` column: ``#rrggbb`` or empty."""
    text = row.get("colour")
    if text and not (
        len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in text[1:])
    ):
        raise row.error("colour", "a colour as #rrggbb", text)
    return text.lower()


def _results(path: Path, known_units: set[str] | None) -> dict[str, _ContestRows]:
    contests: dict[str, _ContestRows] = {}
    seen: dict[tuple[str, str, str, CountType], int] = {}
    for row in read_rows(path, RESULT_COLUMNS, optional=RESULT_OPTIONAL):
        unit = row.require("unit")
        if known_units is not None and unit not in known_units:
            raise row.error("unit", f"a unit listed in {UNITS}", unit)
        contest_id = row.get("contest") or "contest"
        choice_id = row.require("choice")
        try:
            ctype = CountType.parse(row.get("count_type"))
        except ValueError:
            raise row.error(
                "count_type",
                "one of " + ", ".join(c.value for c in CountType),
                row.get("count_type"),
            ) from None
        key = (contest_id, unit, choice_id, ctype)
        if key in seen:
            raise IntegrityError(
                f"duplicate row: {contest_id}/{unit}/{choice_id}/{ctype} is also on line "
                f"{seen[key]}",
                path=str(path),
                line=row.line,
                field="choice",
            )
        seen[key] = row.line
        votes = parse_int(row, "votes")
        choice = Choice(
            ChoiceId(choice_id),
            row.get("choice_name") or choice_id,
            row.get("party"),
            is_candidate=parse_bool(row, "is_candidate", default=True),
            is_write_in=parse_bool(row, "write_in", default=False),
            colour=_colour(row),
        )
        bucket = contests.setdefault(
            contest_id, _ContestRows(row.get("contest_name") or contest_id, {}, [])
        )
        if choice_id in bucket.choices:
            first, line = bucket.choices[choice_id]
            for column, before, now in (
                ("choice_name", first.name, choice.name),
                ("party", first.party, choice.party),
                ("colour", first.colour, choice.colour),
                ("is_candidate", first.is_candidate, choice.is_candidate),
                ("write_in", first.is_write_in, choice.is_write_in),
            ):
                if before != now:
                    raise row.error(column, f"{before!r} as on line {line}", now)
        else:
            bucket.choices[choice_id] = (choice, row.line)
        bucket.counts.append((VoteCount(UnitId(unit), ChoiceId(choice_id), votes, ctype), row.line))
    return contests


def _check_method_sums(path: Path, rows: _ContestRows, contest_id: str) -> None:
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    methods: dict[tuple[str, str], int] = {}
    for count, line in rows.counts:
        pair = (str(count.unit), str(count.choice))
        if count.count_type is CountType.TOTAL:
            totals[pair] = (count.votes, line)
        else:
            methods[pair] = methods.get(pair, 0) + count.votes
    for (unit, choice), method_sum in methods.items():
        total = totals.get((unit, choice))
        if total is not None and total[0] != method_sum:
            raise IntegrityError(
                f"contest {contest_id}, unit {unit}, choice {choice}: vote methods add up to "
                f"{method_sum}",
                path=str(path),
                line=total[1],
                field="votes",
                expected=str(method_sum),
                got=total[0],
            )


def _meta(path: Path) -> tuple[str, date | None, str]:
    rows = list(read_rows(path, ("name",), optional=("date", "source")))
    if len(rows) != 1:
        raise InputError(path=str(path), line=2, expected="exactly one data row", got=len(rows))
    row = rows[0]
    when = None
    if row.get("date"):
        try:
            when = date.fromisoformat(row.get("date"))
        except ValueError:
            raise row.error("date", "a date as YYYY-MM-DD", row.get("date")) from None
    return row.require("name"), when, row.get("source")


def load_generic(folder: str | Path) -> Election:
    """Load an election in the generic CSV format from ``folder``.

    Raises
    ------
    InputError, IntegrityError
        Naming the file, line and field; nothing is returned.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError("not a folder of results (results.csv, units.csv)", path=str(root))
    results_path = root / RESULTS
    if not results_path.is_file():
        raise InputError(
            "file not found: every election folder needs results.csv", path=str(results_path)
        )
    units = _units(root / UNITS) if (root / UNITS).is_file() else None
    known = {str(u.id) for u in units} if units is not None else None
    contests_rows = _results(results_path, known)
    if units is None:
        order: dict[str, None] = {}
        for rows in contests_rows.values():
            for count, _ in rows.counts:
                order.setdefault(count.unit, None)
        units = [Unit(UnitId(u), u, UnitType.OTHER) for u in order]
    contests = []
    for contest_id, rows in contests_rows.items():
        _check_method_sums(results_path, rows, contest_id)
        contests.append(
            Contest(
                ContestId(contest_id),
                rows.name,
                tuple(c for c, _ in rows.choices.values()),
                tuple(c for c, _ in rows.counts),
            )
        )
    name, when, source = _meta(root / META) if (root / META).is_file() else (root.name, None, "")
    try:
        return Election(
            name, when, tuple(units), tuple(contests), source or f"generic CSV folder {root}"
        )
    except IntegrityError as exc:  # a rule the row checks above do not cover
        raise IntegrityError(str(exc), path=str(root)) from exc


def write_generic(election: Election, folder: str | Path) -> None:
    """Write ``election`` in the generic format (the inverse of :func:`load_generic`)."""
    import csv

    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    with (root / META).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name", "date", "source"])
        w.writerow(
            [election.name, election.date.isoformat() if election.date else "", election.source]
        )
    with (root / UNITS).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit", "name", "type", "parent", "electors"])
        for u in election.units:
            w.writerow([u.id, u.name, u.type.value, u.parent or "", u.electors])
    coloured = any(c.colour for contest in election.contests for c in contest.choices)
    with (root / RESULTS).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "contest",
                "contest_name",
                "unit",
                "choice",
                "choice_name",
                "party",
                "count_type",
                "is_candidate",
                "write_in",
                "votes",
            ]
            + (["colour"] if coloured else [])
        )
        for contest in election.contests:
            # Choice by choice, so that reading the file back keeps the choices' order.
            by_choice: dict[ChoiceId, list[VoteCount]] = {}
            for count in contest.counts:
                by_choice.setdefault(count.choice, []).append(count)
            rows = ((c, count) for c in contest.choices for count in by_choice.get(c.id, []))
            for c, count in rows:
                w.writerow(
                    [
                        contest.id,
                        contest.name,
                        count.unit,
                        c.id,
                        c.name,
                        c.party,
                        count.count_type.value,
                        str(c.is_candidate).lower(),
                        str(c.is_write_in).lower(),
                        count.votes,
                    ]
                    + ([c.colour] if coloured else [])
                )
