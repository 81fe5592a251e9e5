"""Dominion Democracy Suite cast vote records: the CSV export and ``CvrExport*.json``.

Sources checked (formats only; no code was taken from them): Arlo (VotingWorks),
``server/api/cvrs.py`` (``parse_dominion_cvrs``, ``process_cvr_file``) and the CSV fixtures of
its tests; SHANGRLA, ``shangrla/formats/Dominion.py`` (``read_cvrs``, ``get_contest_data``);
rlauxe, ``dominion/DominionCvrExportJson.kt``; RCTab (BrightSpots/rcv),
``DominionCvrReader.java``; and the session fields read by the ``dominionCVR`` R package (its
README) and shown in a public script that builds synthetic data from a Boulder County test
export.

CSV export (:func:`load_dominion_csv`)
--------------------------------------
Four header rows, then one row per ballot card:

1. the election's name (first cell; a version such as ``5.2.16.1`` may follow);
2. above each choice column, its contest as ``Contest name (Vote For=N)``, repeated across the
   contest's columns, which must be adjacent; the cells before the first contest column are
   empty, and that first non-empty cell is where the contest columns start (Arlo's rule). A
   contest name broken over several lines is joined with spaces, as Arlo does;
3. above each choice column, the choice's name;
4. the fixed columns' names, before the contest columns: ``CvrNumber``, ``TabulatorNum``,
   ``BatchId``, ``RecordId`` and ``ImprintedId`` are required (when there is no ``ImprintedId``
   column, or its cell is empty, ``UniqueVotingIdentifier`` is used, as Arlo does); others such
   as ``CountingGroup``, ``PrecinctPortion``, ``BallotType`` are allowed and ignored. The cells
   above the choice columns (party affiliations) are ignored.

Each data row has exactly as many fields as row 2. Under a contest's choices a card holds ``1``
(marked) or ``0`` (not marked); when every cell of a contest is empty, the contest is not on the
card. Cells written as Excel formulas, ``="1002"``, are read as ``1002`` (Dominion exports
them so; Arlo unwraps them too). ``CvrNumber`` is a whole number ≥ 1, ``RecordId`` ≥ 0.
More 1s than ``Vote For`` is an overvote, kept and counted as in :mod:`ballotproof.io.cvr`.

JSON export (:func:`load_dominion_json`)
----------------------------------------
``{"Version", "ElectionId", "Sessions": [session, …]}``; each session is one ballot::

    {"TabulatorId": int, "BatchId": int, "RecordId": int or "X", "CountingGroupId": int,
     "ImageMask": str, "Original": snapshot, "Modified": snapshot (optional), …}
    snapshot = {"IsCurrent": bool, "Cards": [{"Id", "Contests": [contest, …]}, …], …}
    contest  = {"Id": int, "Marks": [{"CandidateId": int, "IsVote": bool, "Rank",
                "IsAmbiguous", …}, …], …}

* **Which snapshot counts.** The one whose ``IsCurrent`` is true: ``Original``, or
  ``Modified`` after adjudication. RCTab and rlauxe take ``Original`` when it is current and
  ``Modified`` otherwise; SHANGRLA reads each snapshot that is current. These agree whenever
  exactly one snapshot is current, so that is required here: both current, or neither (RCTab
  skips such a session with a warning), is an error rather than a guess.
* **Votes.** Only marks with ``IsVote`` true count (SHANGRLA's ``enforce_rules``, rlauxe);
  ``Rank``, ``IsAmbiguous`` and the other mark fields are not read.
* **Cards.** All cards of the current snapshot form the session's one record (rlauxe); a
  contest on two of them is an error. Exports from before ``Cards`` was added (between
  versions 5.2.18.2 and 5.10.50.85, per a comment in SHANGRLA) put ``Contests`` directly in
  the snapshot; both layouts are read.
* **Identity.** ``TabulatorId`` and ``BatchId`` as decimal text, ``RecordId`` as the record;
  a ``RecordId`` of ``"X"`` (redacted) is read from the ``ImageMask`` file name
  ``TTTTT_BBBBB_RRRRRR*.*``, as SHANGRLA does. The imprinted id is ``ImprintedId`` when the
  session has one, else ``Tabulator-Batch-Record``, the form Dominion imprints (Arlo's CSV
  fixtures: ``ImprintedId`` ``1-1-1`` for tabulator 1, batch 1, record 1).
* **Names.** ``ContestManifest.json`` (``{"List": [{"Id", "Description", "VoteFor",
  "NumOfRanks"}]}``) and ``CandidateManifest.json`` (``{"List": [{"Id", "Description",
  "ContestId"}]}``) of the same export map ids to names and give each contest's votes allowed
  and choices. Both are optional: without them a contest or candidate is named by its id, the
  votes allowed are unknown (so no overvote is detected), and a contest's choices are the
  candidates marked in the file, by id. With them, an id they do not list is an error, and so
  is a candidate filed under another contest. Ranked-choice contests (``NumOfRanks`` > 0) are
  refused: a ranking is not a set of choices.

Each file is read whole with :func:`json.load`: Dominion writes one ``CvrExport_N.json`` per
tabulator batch, so a file holds a few hundred ballots. Positions are numbered within the file,
so a batch must not be split across files. An error names the file and the JSON path of the bad
value as its field, e.g. ``/Sessions/12/Original/Cards/0/Contests/1/Marks/0/IsVote``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.csvread import Row, parse_int
from ballotproof.io.cvr import (
    ContestInfo,
    CvrFile,
    CvrFormat,
    Interner,
    RawCard,
    csv_rows,
    describe_card,
    number_cards,
)
from ballotproof.io.jsonread import JsonReader, read_json

__all__ = [
    "BATCH_ID",
    "CVR_NUMBER",
    "IMPRINTED_ID",
    "RECORD_ID",
    "TABULATOR_NUM",
    "UNIQUE_VOTING_IDENTIFIER",
    "load_dominion_csv",
    "load_dominion_json",
]

CVR_NUMBER = "CvrNumber"
TABULATOR_NUM = "TabulatorNum"
BATCH_ID = "BatchId"
RECORD_ID = "RecordId"
IMPRINTED_ID = "ImprintedId"
UNIQUE_VOTING_IDENTIFIER = "UniqueVotingIdentifier"

_K = TypeVar("_K", bound=Hashable)

_CONTEST_HEADER = re.compile(r"(.+) \(Vote For=(\d+)\)")
_IMAGE_NAME = re.compile(r"(\d+)_(\d+)_(\d+)")


# --- CSV ---------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """A cell without surrounding blanks or an Excel ``="…"`` wrapper."""
    value = text.strip()
    if len(value) >= 3 and value.startswith('="') and value.endswith('"'):
        return value[2:-1].strip()
    return value


@dataclass(frozen=True, slots=True)
class _Columns:
    """A contest's columns in the CSV: where they are and what they hold."""

    name: str
    votes_allowed: int
    start: int
    choices: tuple[str, ...]


def _next_header(
    rows: Iterator[tuple[int, list[str]]], name: str, what: str, line: int
) -> tuple[int, list[str]]:
    try:
        return next(rows)
    except StopIteration:
        raise InputError(
            f"the file ends before the {what} row (a Dominion CVR export has 4 header rows)",
            path=name,
            line=line + 1,
        ) from None


def _contest_columns(row: list[str], name: str, line: int) -> tuple[int, list[tuple[str, int]]]:
    """The first contest column and each contest column's ``(contest, votes allowed)``."""
    cells = [" ".join(_cell(c).splitlines()) for c in row]
    first = next((i for i, c in enumerate(cells) if c), None)
    if first is None:
        raise InputError(
            "no contest columns: row 2 names each choice column's contest, "
            "e.g. 'Mayor (Vote For=1)'",
            path=name,
            line=line,
        )
    headers: list[tuple[str, int]] = []
    for i in range(first, len(cells)):
        match = _CONTEST_HEADER.fullmatch(cells[i])
        where = f"column {i + 1}"
        if match is None:
            raise InputError(
                path=name,
                line=line,
                field=where,
                expected="a contest header like 'Mayor (Vote For=1)'",
                got=cells[i],
            )
        allowed = int(match[2])
        if allowed < 1:
            raise InputError(
                path=name, line=line, field=where, expected="Vote For ≥ 1", got=cells[i]
            )
        headers.append((match[1].strip(), allowed))
    return first, headers


def _group_contests(
    first: int, headers: list[tuple[str, int]], choice_row: list[str], name: str, lines: int
) -> list[_Columns]:
    contests_line, choices_line = lines - 1, lines
    groups: list[tuple[str, int, int, list[str]]] = []
    seen: set[str] = set()
    for offset, (contest, allowed) in enumerate(headers):
        column = first + offset
        choice = _cell(choice_row[column]) if column < len(choice_row) else ""
        if not choice:
            raise InputError(
                path=name,
                line=choices_line,
                field=f"column {column + 1}",
                expected=f"the name of a choice in contest {contest!r}",
                got="",
            )
        if groups and groups[-1][0] == contest:
            group = groups[-1]
            if group[1] != allowed:
                raise InputError(
                    f"contest {contest!r} says Vote For={group[1]} in an earlier column",
                    path=name,
                    line=contests_line,
                    field=f"column {column + 1}",
                )
            if choice in group[3]:
                raise InputError(
                    f"choice {choice!r} appears twice in contest {contest!r}",
                    path=name,
                    line=choices_line,
                    field=f"column {column + 1}",
                )
            group[3].append(choice)
            continue
        if contest in seen:
            raise InputError(
                f"contest {contest!r} appears again after another contest; "
                "a contest's columns must be adjacent",
                path=name,
                line=contests_line,
                field=f"column {column + 1}",
            )
        seen.add(contest)
        groups.append((contest, allowed, column, [choice]))
    return [_Columns(c, a, s, tuple(ch)) for c, a, s, ch in groups]


def _fixed_columns(row: list[str], first: int, name: str, line: int) -> list[str]:
    fixed = [_cell(c) for c in row[:first]]
    seen: set[str] = set()
    for i, column in enumerate(fixed, start=1):
        if not column:
            raise InputError(
                path=name, line=line, field=f"column {i}", expected="a column name", got=""
            )
        if column in seen:
            raise InputError("the column appears twice", path=name, line=line, field=column)
        seen.add(column)
    required = [CVR_NUMBER, TABULATOR_NUM, BATCH_ID, RECORD_ID]
    if UNIQUE_VOTING_IDENTIFIER not in seen:
        required.append(IMPRINTED_ID)
    for column in required:
        if column not in seen:
            raise InputError(
                path=name,
                line=line,
                field=column,
                expected=f"a column named '{column}' before the contest columns",
                got=",".join(fixed),
            )
    return fixed


def _imprinted_id(row: Row) -> tuple[str, str]:
    """``(column, value)`` of the card's imprinted id."""
    if IMPRINTED_ID in row.values:
        value = row.get(IMPRINTED_ID)
        if value or UNIQUE_VOTING_IDENTIFIER not in row.values:
            return IMPRINTED_ID, row.require(IMPRINTED_ID)
    return UNIQUE_VOTING_IDENTIFIER, row.require(UNIQUE_VOTING_IDENTIFIER)


def load_dominion_csv(path: str | Path, *, display: str | None = None) -> CvrFile:
    """Read a Dominion CVR export in CSV (the variant in the module docstring).

    Parameters
    ----------
    path : str or Path
    display : str, keyword-only
        The name to use in errors and as the result's ``source`` (default: the path as given).

    Returns
    -------
    CvrFile
        One record per data row, in file order, each with its position in its batch.

    Raises
    ------
    InputError
        Unreadable or non-UTF-8 file, malformed CSV, a missing header row, a contest header
        without ``(Vote For=N)``, a contest's columns split apart, a choice without a name or
        twice in a contest, a missing fixed column, a row of the wrong width, an empty
        identity cell, a ``CvrNumber`` or ``RecordId`` that is not a whole number, a mark that
        is not 1, 0 or empty, a contest with some choices empty and others not, or no data rows.
        The message names the file, the line, and the column.
    IntegrityError
        A ``CvrNumber``, a ``(TabulatorNum, BatchId, RecordId)`` or an imprinted id used twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cvr.csv"
    >>> _ = path.write_text(
    ...     "Election,5.10.50.85,,,,,\\n"
    ...     ",,,,,Mayor (Vote For=1),Mayor (Vote For=1)\\n"
    ...     ",,,,,Ann,Bo\\n"
    ...     "CvrNumber,TabulatorNum,BatchId,RecordId,ImprintedId,,\\n"
    ...     '1,=\"5\",=\"2\",=\"1\",=\"5-2-1\",1,0\\n'
    ... )
    >>> cvrs = load_dominion_csv(path, display="cvr.csv")
    >>> r = cvrs.records[0]
    >>> (r.tabulator, r.batch, r.record_id, r.position, r.imprinted_id, dict(r.votes))
    ('5', '2', 1, 1, '5-2-1', {'Mayor': frozenset({'Ann'})})
    """
    name = display or str(path)
    rows = csv_rows(path, name, keep_blank=True)  # a blank header row is still a header row
    line, election_row = next(rows)
    election = _cell(election_row[0]) if election_row else ""
    line, contest_row = _next_header(rows, name, "contest names", line)
    first, headers = _contest_columns(contest_row, name, line)
    width = len(contest_row)
    line, choice_row = _next_header(rows, name, "choice names", line)
    contests = _group_contests(first, headers, choice_row, name, line)
    line, column_row = _next_header(rows, name, "column names", line)
    header_line = line
    fixed = _fixed_columns(column_row, first, name, line)

    intern = Interner()
    cards: list[RawCard] = []
    by_number: dict[int, int] = {}
    by_card: dict[tuple[str, str, int], int] = {}
    by_imprint: dict[str, int] = {}
    for line, fields in rows:
        if all(not f.strip() for f in fields):
            continue
        if len(fields) != width:
            raise InputError(path=name, line=line, expected=f"{width} fields", got=len(fields))
        cells = [_cell(f) for f in fields]
        row = Row(name, line, dict(zip(fixed, cells, strict=False)))
        number = parse_int(row, CVR_NUMBER, minimum=1)
        tabulator = row.require(TABULATOR_NUM)
        batch = row.require(BATCH_ID)
        record_id = parse_int(row, RECORD_ID, minimum=0)
        imprint_column, imprinted = _imprinted_id(row)

        votes: dict[str, frozenset[str]] = {}
        overvotes: list[str] = []
        for contest in contests:
            marks = cells[contest.start : contest.start + len(contest.choices)]
            for choice, mark in zip(contest.choices, marks, strict=True):
                if mark not in ("1", "0", ""):
                    raise InputError(
                        path=name,
                        line=line,
                        field=f"{contest.name} / {choice}",
                        expected="1, 0 or empty",
                        got=mark,
                    )
            if "" in marks:
                if any(marks):
                    raise InputError(
                        path=name,
                        line=line,
                        field=contest.name,
                        expected="1 or 0 under every choice, or nothing under any "
                        "(the contest is not on the card)",
                        got=",".join(marks),
                    )
                continue
            chosen = intern(c for c, m in zip(contest.choices, marks, strict=True) if m == "1")
            votes[contest.name] = chosen
            if len(chosen) > contest.votes_allowed:
                overvotes.append(contest.name)

        first_line = by_number.setdefault(number, line)
        if first_line != line:
            raise IntegrityError(
                f"CvrNumber {number} is already used on line {first_line}",
                path=name,
                line=line,
                field=CVR_NUMBER,
            )
        first_line = by_card.setdefault((tabulator, batch, record_id), line)
        if first_line != line:
            raise IntegrityError(
                f"{describe_card(tabulator, batch, record_id)} is already listed on line "
                f"{first_line}",
                path=name,
                line=line,
                field=RECORD_ID,
            )
        first_line = by_imprint.setdefault(imprinted, line)
        if first_line != line:
            raise IntegrityError(
                f"{imprint_column} {imprinted!r} is already used on line {first_line}",
                path=name,
                line=line,
                field=imprint_column,
            )
        cards.append(
            RawCard(
                tabulator, batch, record_id, imprinted, votes, frozenset(overvotes), number, line
            )
        )
    if not cards:
        raise InputError("the file lists no cast vote records", path=name, line=header_line + 1)
    return CvrFile(
        name,
        CvrFormat.DOMINION_CSV,
        {c.name: ContestInfo(c.name, c.votes_allowed, c.choices) for c in contests},
        number_cards(cards),
        election or None,
        tuple(c.origin for c in cards),
    )


# --- JSON --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Manifest:
    """A manifest's entries in file order: id → (name, link).

    The link is a contest's votes allowed (``VoteFor``) or a candidate's ``ContestId``.
    """

    source: str
    entries: dict[int, tuple[str, int]]


def _read_list(path: str | Path) -> Iterator[tuple[JsonReader, str, dict[str, object]]]:
    """``(reader, JSON path, entry)`` for each entry of a manifest's ``List``."""
    name = str(path)
    j = JsonReader(name)
    top = j.obj(read_json(path, name), "")
    for i, item in enumerate(j.array(top, "List", "")):
        yield j, f"/List/{i}", j.obj(item, f"/List/{i}")


def _contest_manifest(path: str | Path) -> _Manifest:
    """``ContestManifest.json``: contest id → (name, votes allowed)."""
    manifest = _Manifest(str(path), {})
    ids: dict[int, str] = {}
    names: dict[str, str] = {}
    for j, where, entry in _read_list(path):
        ident = j.whole(entry, "Id", where)
        description = j.text(entry, "Description", where)
        vote_for = j.whole(entry, "VoteFor", where, minimum=1)
        if "NumOfRanks" in entry:
            ranks = j.whole(entry, "NumOfRanks", where)
            if ranks:
                raise InputError(
                    "ranked-choice contests are not supported",
                    path=manifest.source,
                    field=f"{where}/NumOfRanks",
                    expected="0",
                    got=ranks,
                )
        _unique(manifest.source, ids, ident, where, f"contest {ident}", "Id")
        _unique(
            manifest.source,
            names,
            description,
            where,
            f"contest name {description!r}",
            "Description",
        )
        manifest.entries[ident] = (description, vote_for)
    return manifest


def _candidate_manifest(path: str | Path, contests: _Manifest | None) -> _Manifest:
    """``CandidateManifest.json``: candidate id → (name, contest id)."""
    manifest = _Manifest(str(path), {})
    ids: dict[int, str] = {}
    names: dict[tuple[int, str], str] = {}
    for j, where, entry in _read_list(path):
        ident = j.whole(entry, "Id", where)
        description = j.text(entry, "Description", where)
        contest = j.whole(entry, "ContestId", where)
        if contests is not None and contest not in contests.entries:
            raise IntegrityError(
                f"contest {contest} is not in {contests.source}",
                path=manifest.source,
                field=f"{where}/ContestId",
            )
        _unique(manifest.source, ids, ident, where, f"candidate {ident}", "Id")
        _unique(
            manifest.source,
            names,
            (contest, description),
            where,
            f"candidate name {description!r} in contest {contest}",
            "Description",
        )
        manifest.entries[ident] = (description, contest)
    return manifest


def _unique(source: str, seen: dict[_K, str], key: _K, where: str, what: str, member: str) -> None:
    first = seen.setdefault(key, where)
    if first != where:
        raise IntegrityError(
            f"{what} is already listed at {first}", path=source, field=f"{where}/{member}"
        )


def _record_id(j: JsonReader, session: dict[str, object], where: str) -> int:
    if session.get(RECORD_ID) != "X":
        return j.whole(session, RECORD_ID, where)
    mask = session.get("ImageMask")
    found = _IMAGE_NAME.findall(mask) if isinstance(mask, str) else []
    if not found:
        raise j.fail(
            f"{where}/ImageMask",
            "an image name TTTTT_BBBBB_RRRRRR*.* (RecordId is redacted as 'X')",
            mask,
        )
    return int(found[-1][2])


def _current_snapshot(
    j: JsonReader, session: dict[str, object], where: str
) -> tuple[dict[str, object], str]:
    original = j.obj(j.member(session, "Original", where, "an object"), f"{where}/Original")
    original_current = j.flag(original, "IsCurrent", f"{where}/Original")
    modified_value = session.get("Modified")
    if modified_value is None:
        if not original_current:
            raise InputError(
                "no current snapshot: Original has IsCurrent false and there is no Modified",
                path=j.path,
                field=f"{where}/Original/IsCurrent",
            )
        return original, f"{where}/Original"
    modified = j.obj(modified_value, f"{where}/Modified")
    modified_current = j.flag(modified, "IsCurrent", f"{where}/Modified")
    if original_current == modified_current:
        state = "true" if original_current else "false"
        raise InputError(
            f"Original and Modified both have IsCurrent {state}; exactly one must be current",
            path=j.path,
            field=f"{where}/Modified/IsCurrent",
        )
    if modified_current:
        return modified, f"{where}/Modified"
    return original, f"{where}/Original"


def _contest_lists(
    j: JsonReader, snapshot: dict[str, object], where: str
) -> Iterator[tuple[list[object], str]]:
    """Each card's contests with the card's JSON path (older exports: the snapshot's own)."""
    if "Cards" not in snapshot and "Contests" in snapshot:
        yield j.array(snapshot, "Contests", where), where
        return
    for k, card in enumerate(j.array(snapshot, "Cards", where)):
        card_where = f"{where}/Cards/{k}"
        yield j.array(j.obj(card, card_where), "Contests", card_where), card_where


def load_dominion_json(
    path: str | Path,
    *,
    contest_manifest: str | Path | None = None,
    candidate_manifest: str | Path | None = None,
    display: str | None = None,
) -> CvrFile:
    """Read one Dominion ``CvrExport*.json`` file (see the module docstring for the rules).

    Parameters
    ----------
    path : str or Path
        The ``CvrExport_N.json`` file.
    contest_manifest, candidate_manifest : str or Path, keyword-only
        The export's ``ContestManifest.json`` and ``CandidateManifest.json``; without them,
        contests and candidates are named by their ids and votes allowed are unknown.
    display : str, keyword-only
        The name to use in errors and as the result's ``source`` (default: the path as given).

    Returns
    -------
    CvrFile
        One record per session, in file order. Contests: every contest of the contest manifest
        in its order, with the candidate manifest's candidates (or those marked, by id), or,
        without a contest manifest, those in the file, by id.

    Raises
    ------
    InputError
        Unreadable, non-UTF-8 or malformed JSON (with its line); a missing or mistyped value
        (with its JSON path); no current snapshot, or two; a ranked-choice contest in the
        contest manifest; no sessions.
    IntegrityError
        A contest or candidate id the manifests do not list, a candidate marked in another
        contest than its own, a contest on two cards of one ballot, a ballot
        ``(TabulatorId, BatchId, RecordId)`` or ``ImprintedId`` listed twice, or a manifest
        listing an id or name twice.
    """
    name = display or str(path)
    contests_m = None if contest_manifest is None else _contest_manifest(contest_manifest)
    candidates_m = (
        None if candidate_manifest is None else _candidate_manifest(candidate_manifest, contests_m)
    )
    j = JsonReader(name)
    top = j.obj(read_json(path, name), "")
    election: str | None = None
    if "ElectionId" in top:
        value = top["ElectionId"]
        if not isinstance(value, str):
            raise j.fail("/ElectionId", "a string", value)
        election = value.strip() or None
    sessions = j.array(top, "Sessions", "")

    def contest_name(ident: int) -> str:
        if contests_m is None:
            return str(ident)
        return contests_m.entries[ident][0]

    intern = Interner()
    marked_ids: dict[int, set[int]] = {}  # contest id → candidate ids seen, for the choices
    cards: list[RawCard] = []
    by_card: dict[tuple[str, str, int], int] = {}
    by_imprint: dict[str, int] = {}
    for i, value in enumerate(sessions):
        where = f"/Sessions/{i}"
        session = j.obj(value, where)
        tabulator = str(j.whole(session, "TabulatorId", where))
        batch = str(j.whole(session, "BatchId", where))
        record_id = _record_id(j, session, where)
        if IMPRINTED_ID in session:
            imprinted = j.text(session, IMPRINTED_ID, where)
        else:
            imprinted = f"{tabulator}-{batch}-{record_id}"
        snapshot, snap_where = _current_snapshot(j, session, where)

        votes: dict[str, frozenset[str]] = {}
        overvotes: list[str] = []
        found_at: dict[int, str] = {}
        for contests, card_where in _contest_lists(j, snapshot, snap_where):
            for k, contest_value in enumerate(contests):
                cw = f"{card_where}/Contests/{k}"
                contest = j.obj(contest_value, cw)
                cid = j.whole(contest, "Id", cw)
                if contests_m is not None and cid not in contests_m.entries:
                    raise IntegrityError(
                        f"contest {cid} is not in {contests_m.source}", path=name, field=f"{cw}/Id"
                    )
                earlier = found_at.setdefault(cid, cw)
                if earlier != cw:
                    raise IntegrityError(
                        f"contest {cid} is also on this ballot at {earlier}",
                        path=name,
                        field=f"{cw}/Id",
                    )
                chosen: list[str] = []
                seen_ids = marked_ids.setdefault(cid, set())
                for m, mark_value in enumerate(j.array(contest, "Marks", cw)):
                    mw = f"{cw}/Marks/{m}"
                    mark = j.obj(mark_value, mw)
                    candidate = j.whole(mark, "CandidateId", mw)
                    is_vote = j.flag(mark, "IsVote", mw)
                    if candidates_m is None:
                        choice = str(candidate)
                    else:
                        entry = candidates_m.entries.get(candidate)
                        if entry is None:
                            raise IntegrityError(
                                f"candidate {candidate} is not in {candidates_m.source}",
                                path=name,
                                field=f"{mw}/CandidateId",
                            )
                        if entry[1] != cid:
                            raise IntegrityError(
                                f"candidate {candidate} belongs to contest {entry[1]} in "
                                f"{candidates_m.source}, not to contest {cid}",
                                path=name,
                                field=f"{mw}/CandidateId",
                            )
                        choice = entry[0]
                    seen_ids.add(candidate)
                    if is_vote:
                        chosen.append(choice)
                contest_key = contest_name(cid)
                marked = intern(chosen)
                votes[contest_key] = marked
                if contests_m is not None and len(marked) > contests_m.entries[cid][1]:
                    overvotes.append(contest_key)

        first = by_card.setdefault((tabulator, batch, record_id), i)
        if first != i:
            raise IntegrityError(
                f"{describe_card(tabulator, batch, record_id)} is already listed at "
                f"/Sessions/{first}",
                path=name,
                field=f"{where}/{RECORD_ID}",
            )
        first = by_imprint.setdefault(imprinted, i)
        if first != i:
            raise IntegrityError(
                f"ImprintedId {imprinted!r} is already used at /Sessions/{first}",
                path=name,
                field=f"{where}/{IMPRINTED_ID}",
            )
        cards.append(
            RawCard(
                tabulator, batch, record_id, imprinted, votes, frozenset(overvotes), None, where
            )
        )
    if not cards:
        raise InputError("the file lists no cast vote records", path=name, field="/Sessions")

    def choices(cid: int) -> tuple[str, ...]:
        if candidates_m is not None:
            return tuple(n for n, owner in candidates_m.entries.values() if owner == cid)
        return tuple(str(c) for c in sorted(marked_ids.get(cid, ())))

    if contests_m is not None:
        infos = [
            ContestInfo(title, allowed, choices(cid))
            for cid, (title, allowed) in contests_m.entries.items()
        ]
    else:
        infos = [ContestInfo(str(cid), None, choices(cid)) for cid in sorted(marked_ids)]
    return CvrFile(
        name,
        CvrFormat.DOMINION_JSON,
        {c.name: c for c in infos},
        number_cards(cards),
        election,
        tuple(c.origin for c in cards),
    )
