"""ES&S cast vote records: the CVR CSV, joined to the ballots file(s) that locate each card.

Sources checked (formats only; no code was taken from them): Arlo (VotingWorks),
``server/api/cvrs.py`` (``parse_ess_cvrs``, ``read_ess_ballots_file``) and the ES&S fixtures of
its tests (``ESS_CVR``, ``ESS_BALLOTS_1``, ``ESS_BALLOTS_WITH_MACHINE_COLUMN`` …). RCTab's
documentation (``docs/tdp/RCTab-Config-Files.md``) shows the same three leading columns (cast
vote record id, precinct, ballot style) in ES&S's ranked-choice Excel export, which is not read
here.

An ES&S CVR file says how each card voted but not where the card is; ES&S's ballots file(s)
say where. The two are joined on ``Cast Vote Record``, as Arlo does, and must list exactly the
same cards.

The CVR file (``cvr``)
----------------------
One header row, one row per card::

    Cast Vote Record,Precinct,Ballot Style,Mayor,Council
    1,P-12,BS-3,Ann Archer,undervote

* Metadata columns come first: ``Cast Vote Record`` (required, a whole number ≥ 1, unique),
  and any of ``Election ID``, ``Audit Number``, ``Tabulator CVR``, ``Batch``, ``Ballot Status``,
  ``Precinct``, ``Ballot Style``. Every column after the last of these is a contest, named by
  its header (Arlo's rule); columns before it that are not in the list are ignored.
* A contest cell holds the chosen candidate's name, ``undervote`` (on the card, no vote),
  ``overvote`` (on the card, overvoted: ES&S does not export which marks), or nothing (the
  contest is not on the card). The words are matched exactly, in lower case, as Arlo does.
* Each contest allows one vote. Neither Arlo nor anything else checked documents how ES&S
  writes a vote-for-N contest in this layout, so only vote-for-1 contests are read correctly;
  a contest's choices are the names that appear in it, sorted.
* When the CVR file has a ``Tabulator CVR`` column it must agree with the ballots file.

The ballots files (``ballots``)
-------------------------------
Either directly a header row, or the title rows ES&S writes first (a first cell ``Ballots``,
then the election, county and date, and a blank row) followed by the header row, which is the
first row whose first cell is ``Cast Vote Record``. Rows whose first cell starts with ``Total``
and blank rows are skipped. Columns read: ``Cast Vote Record``, ``Batch``, ``Tabulator CVR``,
and ``Machine`` if present; the others are ignored. A card's identity:

* with a ``Machine`` column: tabulator = ``Machine``; ``Tabulator CVR`` is either ten digits,
  the last six being the card's number in the batch, or a sixteen-character hexadecimal id
  imprinted on the card, whose record number is ``⌊id / 10¹⁰⌋`` (Arlo's rule: it orders the
  cards without collisions in the data Arlo has seen; a collision here is an error);
* without it: ``Tabulator CVR`` must be ten digits, four of tabulator and six of card number
  (a value with its leading zeros stripped, as spreadsheets do, is refused).

The imprinted id is the ``Tabulator CVR`` value; the batch is ``Batch``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.csvread import Row, parse_int
from ballotproof.io.cvr import (
    ContestInfo,
    CvrFile,
    CvrFormat,
    Interner,
    RawCard,
    check_header,
    csv_rows,
    describe_card,
    number_cards,
)

__all__ = [
    "BATCH",
    "CAST_VOTE_RECORD",
    "MACHINE",
    "METADATA_COLUMNS",
    "OVERVOTE",
    "TABULATOR_CVR",
    "UNDERVOTE",
    "load_ess_csv",
]

CAST_VOTE_RECORD: Final = "Cast Vote Record"
BATCH: Final = "Batch"
TABULATOR_CVR: Final = "Tabulator CVR"
MACHINE: Final = "Machine"
OVERVOTE: Final = "overvote"
UNDERVOTE: Final = "undervote"
#: Columns of the CVR file that are not contests (Arlo's list).
METADATA_COLUMNS: Final = frozenset(
    {
        "Election ID",
        "Audit Number",
        TABULATOR_CVR,
        CAST_VOTE_RECORD,
        BATCH,
        "Ballot Status",
        "Precinct",
        "Ballot Style",
    }
)

_TEN_DIGITS = re.compile(r"\d{10}")
_SIXTEEN_HEX = re.compile(r"[0-9A-Fa-f]{16}")


@dataclass(frozen=True, slots=True)
class _Located:
    """Where a card is, from its ballots-file row, and where that row is."""

    tabulator: str
    batch: str
    record_id: int
    imprinted_id: str
    source: str
    line: int


def _identity(row: Row, has_machine: bool) -> tuple[str, int]:
    """``(tabulator, record_id)`` from ``Machine`` and ``Tabulator CVR``."""
    value = row.require(TABULATOR_CVR)
    if has_machine:
        tabulator = row.require(MACHINE)
        if _TEN_DIGITS.fullmatch(value):
            return tabulator, int(value[4:])
        if _SIXTEEN_HEX.fullmatch(value):
            return tabulator, int(value, 16) // 10**10
        raise InputError(
            "a spreadsheet may have changed it; export the file again",
            path=row.path,
            line=row.line,
            field=TABULATOR_CVR,
            expected="ten digits or a sixteen-character hexadecimal id",
            got=value,
        )
    if not _TEN_DIGITS.fullmatch(value):
        raise InputError(
            "with no Machine column the tabulator is read from this field; "
            "leading zeros may have been stripped",
            path=row.path,
            line=row.line,
            field=TABULATOR_CVR,
            expected="ten digits (four of tabulator, six of card number)",
            got=value,
        )
    return value[:4], int(value[4:])


def _ballots_rows(path: str | Path, name: str) -> Iterator[Row]:
    rows = csv_rows(path, name)
    line, first = next(rows)
    if first[0].strip() == "Ballots":  # title rows: skip to the header
        while first[0].strip() != CAST_VOTE_RECORD:
            try:
                line, first = next(rows)
            except StopIteration:
                raise InputError(
                    f"no header row starting with '{CAST_VOTE_RECORD}' after the title rows",
                    path=name,
                    line=line,
                ) from None
    header = [h.strip() for h in first]
    named = [h for h in header if h]
    for column in (CAST_VOTE_RECORD, BATCH, TABULATOR_CVR):
        if column not in named:
            raise InputError(
                path=name,
                line=line,
                field=column,
                expected=f"a column named '{column}' in the header",
                got=",".join(header),
            )
    if len(set(named)) != len(named):
        twice = next(h for h in named if named.count(h) > 1)
        raise InputError("the column appears twice", path=name, line=line, field=twice)
    header_line, listed = line, False
    for line, fields in rows:
        if fields[0].strip().startswith("Total"):
            continue
        if len(fields) != len(header):
            raise InputError(
                path=name, line=line, expected=f"{len(header)} fields", got=len(fields)
            )
        listed = True
        yield Row(name, line, {h: f for h, f in zip(header, fields, strict=True) if h})
    if not listed:
        raise InputError("the ballots file lists no ballots", path=name, line=header_line + 1)


def _read_ballots(paths: Sequence[str | Path]) -> dict[int, _Located]:
    """Every listed card by its ``Cast Vote Record``, refusing duplicates across the files."""
    located: dict[int, _Located] = {}
    cards: dict[tuple[str, str, int], _Located] = {}
    for path in paths:
        name = str(path)
        for row in _ballots_rows(path, name):
            number = parse_int(row, CAST_VOTE_RECORD, minimum=1)
            tabulator, record_id = _identity(row, MACHINE in row.values)
            here = _Located(
                tabulator, row.require(BATCH), record_id, row.require(TABULATOR_CVR), name, row.line
            )
            first = located.setdefault(number, here)
            if first is not here:
                raise IntegrityError(
                    f"{CAST_VOTE_RECORD} {number} is already listed at {first.source}:{first.line}",
                    path=name,
                    line=row.line,
                    field=CAST_VOTE_RECORD,
                )
            first = cards.setdefault((tabulator, here.batch, record_id), here)
            if first is not here:
                raise IntegrityError(
                    f"{describe_card(tabulator, here.batch, record_id)} is already listed at "
                    f"{first.source}:{first.line}",
                    path=name,
                    line=row.line,
                    field=TABULATOR_CVR,
                )
    return located


def load_ess_csv(
    cvr: str | Path,
    ballots: str | Path | Sequence[str | Path],
    *,
    display: str | None = None,
) -> CvrFile:
    """Read an ES&S CVR file and locate its cards with the ballots file(s).

    Parameters
    ----------
    cvr : str or Path
        The CVR file (see the module docstring).
    ballots : str or Path, or a sequence of them
        The ballots file or files that list each card's batch and ``Tabulator CVR``.
    display : str, keyword-only
        The name to use for the CVR file in errors and as the result's ``source``.

    Returns
    -------
    CvrFile
        One record per CVR row, in file order; every contest allows one vote.

    Raises
    ------
    InputError
        Unreadable or non-UTF-8 file, malformed CSV, a missing column, no contest columns, an
        empty or repeated column name, a row of the wrong width, a ``Cast Vote Record`` that is
        not a whole number ≥ 1, a bad ``Tabulator CVR``, an empty ``Batch`` or ``Machine``, or a
        file without rows. Every error names the file, line and column.
    IntegrityError
        A ``Cast Vote Record`` listed twice, a card ``(tabulator, batch, record)`` listed twice,
        a CVR row with no ballots row or a ballots row with no CVR row, or a ``Tabulator CVR``
        that the two files give differently.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "cvr.csv").write_text(
    ...     "Cast Vote Record,Precinct,Ballot Style,Mayor\\n1,P1,BS1,Ann\\n2,P1,BS1,overvote\\n"
    ... )
    >>> _ = (d / "ballots.csv").write_text(
    ...     "Cast Vote Record,Batch,Tabulator CVR\\n1,B7,0003000012\\n2,B7,0003000013\\n"
    ... )
    >>> cvrs = load_ess_csv(d / "cvr.csv", d / "ballots.csv")
    >>> [(r.tabulator, r.batch, r.record_id, r.position, dict(r.votes), set(r.overvotes))
    ...  for r in cvrs.records]
    [('0003', 'B7', 12, 1, {'Mayor': frozenset({'Ann'})}, set()), \
('0003', 'B7', 13, 2, {'Mayor': frozenset()}, {'Mayor'})]
    """
    name = display or str(cvr)
    ballot_paths = [ballots] if isinstance(ballots, str | Path) else list(ballots)
    if not ballot_paths:
        raise InputError("no ballots file given: ES&S CVRs need one to locate the cards", path=name)
    located = _read_ballots(ballot_paths)

    rows = csv_rows(cvr, name)
    header_line, raw_header = next(rows)
    header = [h.strip() for h in raw_header]
    check_header(header, name, header_line)
    if CAST_VOTE_RECORD not in header:
        raise InputError(
            path=name,
            line=header_line,
            field=CAST_VOTE_RECORD,
            expected=f"a column named '{CAST_VOTE_RECORD}' in the header",
            got=",".join(header),
        )
    last_meta = max(i for i, h in enumerate(header) if h in METADATA_COLUMNS)
    contests = header[last_meta + 1 :]
    if not contests:
        raise InputError(
            f"no contest columns after '{header[last_meta]}', the last ES&S metadata column",
            path=name,
            line=header_line,
        )

    intern = Interner()
    choices: dict[str, set[str]] = {c: set() for c in contests}
    cards: list[RawCard] = []
    used: dict[int, int] = {}
    for line, fields in rows:
        if len(fields) != len(header):
            raise InputError(
                path=name, line=line, expected=f"{len(header)} fields", got=len(fields)
            )
        row = Row(name, line, dict(zip(header, fields, strict=True)))
        number = parse_int(row, CAST_VOTE_RECORD, minimum=1)
        first = used.setdefault(number, line)
        if first != line:
            raise IntegrityError(
                f"{CAST_VOTE_RECORD} {number} is already used on line {first}",
                path=name,
                line=line,
                field=CAST_VOTE_RECORD,
            )
        where = located.get(number)
        if where is None:
            raise IntegrityError(
                f"{CAST_VOTE_RECORD} {number} is in no ballots file "
                f"({', '.join(str(p) for p in ballot_paths)})",
                path=name,
                line=line,
                field=CAST_VOTE_RECORD,
            )
        if TABULATOR_CVR in row.values and row.get(TABULATOR_CVR) != where.imprinted_id:
            raise IntegrityError(
                path=name,
                line=line,
                field=TABULATOR_CVR,
                expected=f"{where.imprinted_id!r}, as {where.source}:{where.line} says",
                got=row.get(TABULATOR_CVR),
            )
        votes: dict[str, frozenset[str]] = {}
        overvotes: list[str] = []
        for contest in contests:
            value = row.get(contest)
            if not value:
                continue
            if value == OVERVOTE:
                overvotes.append(contest)
                votes[contest] = intern(())
            elif value == UNDERVOTE:
                votes[contest] = intern(())
            else:
                choices[contest].add(value)
                votes[contest] = intern((value,))
        cards.append(
            RawCard(
                where.tabulator,
                where.batch,
                where.record_id,
                where.imprinted_id,
                votes,
                frozenset(overvotes),
                number,
                line,
            )
        )
    if not cards:
        raise InputError("the file lists no cast vote records", path=name, line=header_line + 1)
    for number, where in located.items():
        if number not in used:
            raise IntegrityError(
                f"{CAST_VOTE_RECORD} {number} is not in {name}",
                path=where.source,
                line=where.line,
                field=CAST_VOTE_RECORD,
            )
    return CvrFile(
        name,
        CvrFormat.ESS_CSV,
        {c: ContestInfo(c, 1, tuple(sorted(choices[c]))) for c in contests},
        number_cards(cards),
        origins=tuple(c.origin for c in cards),
    )
