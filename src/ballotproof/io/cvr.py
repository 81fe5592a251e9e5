"""Cast vote records (CVRs) for ballot-comparison audits: the model, tallies and ballot ids.

A CVR is the voting system's reading of one ballot card. The loaders live beside this module,
one per vendor, and all return a :class:`CvrFile`:

* :func:`ballotproof.io.cvr_dominion.load_dominion_csv`: Dominion Democracy Suite CSV export;
* :func:`ballotproof.io.cvr_dominion.load_dominion_json`: Dominion ``CvrExport*.json``, with the
  export's ``ContestManifest.json`` and ``CandidateManifest.json`` if given;
* :func:`ballotproof.io.cvr_ess.load_ess_csv`: ES&S CVR CSV, joined to its ballots file(s).

Each module's docstring states the exact variant it reads and where the format was checked.

The model
---------
A :class:`CvrRecord` is one card: where it is (tabulator, batch, ``record_id`` as exported,
``position`` in the batch), its imprinted id, and ``votes``, the choices marked in each contest
that is on the card. A contest that is not on the card is absent from ``votes``; a contest on the
card with no mark maps to an empty set. ``overvotes`` names the contests in which the card is
overvoted: more choices marked than the contest allows (the marks are kept in ``votes``, so a
hand count can be compared with them), or, for ES&S, a cell that reads ``overvote`` (the marks
are not exported; ``votes`` holds the empty set).

Positions follow Arlo: within each ``(tabulator, batch)``, records are numbered ``1, 2, …`` in
increasing ``record_id`` (Arlo, ``server/api/cvrs.py``, ``process_cvr_file``: ``row_number()
over (partition by batch order by record_id)``). When a batch's record ids run ``1 … n``, the
position *is* the ``RecordId``; when some are missing, the position still counts the cards that
are there, which is what a ballot manifest counts. This is
the position that :func:`to_ballot` puts in the sampler's ballot id.

Counting (:func:`tally`)
------------------------
For each contest: ``cards`` on which it appears; ``votes`` per choice, counted only on cards
that are not overvoted in the contest (an overvoted card gives no choice a vote, as in Arlo, which
skips overvotes when it totals CVRs); ``overvoted_cards``; ``blank_cards`` (on the card, not
overvoted, nothing marked); and ``undervotes``, the unused votes on the cards that are not
overvoted, ``votes_allowed − marks`` each (``None`` when the number of votes allowed is unknown).

Reading CSV and JSON
--------------------
CSV files are read line by line (never whole), decoded strictly as UTF-8 with or without a byte
order mark; a byte that is not UTF-8, malformed quoting (``csv`` in strict mode), and every bad
value raise :class:`~ballotproof.errors.InputError` naming the file, the physical line (the last
line of a quoted multi-line record, as :func:`ballotproof.io.csvread.read_rows` counts) and the
column. Duplicates raise :class:`~ballotproof.errors.IntegrityError`. Loading is all-or-nothing:
records are returned only once the whole input has been read and checked.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ballotproof.audit.sampler import Ballot
from ballotproof.errors import InputError, IntegrityError

__all__ = [
    "ContestInfo",
    "ContestTally",
    "CvrFile",
    "CvrFormat",
    "CvrRecord",
    "CvrTally",
    "tally",
    "to_ballot",
]


class CvrFormat(StrEnum):
    """The file formats the CVR loaders read."""

    DOMINION_CSV = "dominion-csv"
    DOMINION_JSON = "dominion-json"
    ESS_CSV = "ess-csv"
    NIST_JSON = "nist-json"


def _text(value: object, name: str) -> None:
    if not isinstance(value, str) or not value:
        raise InputError(field=name, expected="a non-empty text", got=value)


def _whole(value: object, name: str, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(field=name, expected=f"an integer ≥ {minimum}", got=value)


@dataclass(frozen=True, slots=True)
class ContestInfo:
    """A contest as the CVR file describes it.

    Attributes
    ----------
    name : str
        The contest's name (Dominion: without its ``(Vote For=N)`` suffix).
    votes_allowed : int or None
        How many choices a voter may mark ("Vote For"); ``None`` when the file does not say
        (a Dominion JSON export read without its ``ContestManifest.json``).
    choices : tuple of str
        The choices, in the file's order (ES&S: those that received a mark, sorted).
    """

    name: str
    votes_allowed: int | None
    choices: tuple[str, ...]

    def __post_init__(self) -> None:
        _text(self.name, "name")
        if self.votes_allowed is not None:
            _whole(self.votes_allowed, "votes_allowed", 1)
        for choice in self.choices:
            _text(choice, "choices")
        if len(set(self.choices)) != len(self.choices):
            raise IntegrityError(
                f"contest {self.name!r} lists a choice twice", field="choices", got=self.choices
            )


@dataclass(frozen=True, slots=True)
class CvrRecord:
    """One ballot card's cast vote record.

    Attributes
    ----------
    tabulator : str
        The scanner (Dominion ``TabulatorNum``/``TabulatorId``; ES&S ``Machine``, else the first
        four digits of ``Tabulator CVR``): the manifest's ``Tabulator``.
    batch : str
        The batch (Dominion ``BatchId``; ES&S ``Batch``): the manifest's ``Batch Name``.
    record_id : int
        The card's number in its batch as exported (Dominion ``RecordId``).
    position : int
        1-based place of the card in its batch, in ``record_id`` order (see the module
        docstring); the position in the sampler's ballot id.
    imprinted_id : str
        The id printed on the card, used to check that the right card was pulled.
    votes : Mapping[str, frozenset of str]
        Contest name → the choices marked, for every contest on the card.
    overvotes : frozenset of str
        Contests in which the card is overvoted (their marks count for nobody).
    cvr_number : int or None
        The row's ``CvrNumber`` / ``Cast Vote Record``; ``None`` for Dominion JSON.
    """

    tabulator: str
    batch: str
    record_id: int
    position: int
    imprinted_id: str
    votes: Mapping[str, frozenset[str]] = field(hash=False)
    overvotes: frozenset[str] = frozenset()
    cvr_number: int | None = None

    def __post_init__(self) -> None:
        _text(self.tabulator, "tabulator")
        _text(self.batch, "batch")
        _text(self.imprinted_id, "imprinted_id")
        _whole(self.record_id, "record_id", 0)
        _whole(self.position, "position", 1)
        if self.cvr_number is not None:
            _whole(self.cvr_number, "cvr_number", 1)
        if not isinstance(self.votes, MappingProxyType):
            frozen = {c: frozenset(v) for c, v in self.votes.items()}
            object.__setattr__(self, "votes", MappingProxyType(frozen))
        if not isinstance(self.overvotes, frozenset):
            object.__setattr__(self, "overvotes", frozenset(self.overvotes))
        if not self.overvotes <= self.votes.keys():
            raise IntegrityError(
                "an overvoted contest must be one of the card's contests",
                field="overvotes",
                got=sorted(self.overvotes - self.votes.keys()),
            )


@dataclass(frozen=True, slots=True)
class CvrFile:
    """The cast vote records of one file, checked as a whole.

    Attributes
    ----------
    source : str
        The file they were read from (as given, or its display name).
    format : CvrFormat
    contests : Mapping[str, ContestInfo]
        Contest name → its description, in the file's order.
    records : tuple of CvrRecord
        In file order.
    election : str or None
        The election named by the file (Dominion CSV: first header cell; JSON: ``ElectionId``).
    origins : tuple of (int or str)
        Where each record is in the file, parallel to ``records``: the physical line of a CSV
        row, or the JSON pointer of a JSON record; empty when the records were built in code.

    Raises
    ------
    IntegrityError
        A contest keyed by another name; a record with an unknown contest or choice, with more
        marks than allowed but no overvote, or with an overvote that is neither; two records with
        the same ``(tabulator, batch, record_id)``; positions that do not number each batch
        ``1, 2, …`` in ``record_id`` order.
    """

    source: str
    format: CvrFormat
    contests: Mapping[str, ContestInfo]
    records: tuple[CvrRecord, ...]
    election: str | None = None
    origins: tuple[int | str, ...] = ()

    def place(self, i: int, field: str | None = None) -> dict[str, Any]:
        """``path``/``line``/``field`` keywords of an error about record ``i`` (and its
        ``field``): the line of a CSV row, or the JSON pointer of a JSON record, when known.

        >>> f = CvrFile("c.csv", CvrFormat.DOMINION_CSV, {}, (), origins=())
        >>> f.place(0, "Mayor")
        {'path': 'c.csv', 'field': 'Mayor'}
        """
        origin = self.origins[i] if 0 <= i < len(self.origins) else None
        out: dict[str, Any] = {"path": self.source}
        if isinstance(origin, int) and origin > 0:
            out["line"] = origin
        elif isinstance(origin, str):
            field = origin if field is None else f"{origin} ({field})"
        if field is not None:
            out["field"] = field
        return out

    def __post_init__(self) -> None:
        object.__setattr__(self, "contests", MappingProxyType(dict(self.contests)))
        if self.origins and len(self.origins) != len(self.records):
            raise IntegrityError(
                f"{len(self.origins)} record origins for {len(self.records)} records",
                path=self.source,
            )
        for name, described in self.contests.items():
            if described.name != name:
                raise IntegrityError(
                    f"contest {described.name!r} is filed under {name!r}", path=self.source
                )
        allowed = {name: frozenset(c.choices) for name, c in self.contests.items()}
        for i, r in enumerate(self.records):
            for contest, marked in r.votes.items():
                info = self.contests.get(contest)
                if info is None:
                    raise IntegrityError(
                        f"record {i} votes in contest {contest!r}, which the file does not list",
                        **self.place(i),
                    )
                if not marked <= allowed[contest]:
                    raise IntegrityError(
                        f"record {i} marks {sorted(marked - allowed[contest])} in contest "
                        f"{contest!r}, which does not list them",
                        **self.place(i),
                    )
                over = info.votes_allowed is not None and len(marked) > info.votes_allowed
                if over and contest not in r.overvotes:
                    raise IntegrityError(
                        f"record {i} marks {len(marked)} choices in contest {contest!r}, which "
                        f"allows {info.votes_allowed}, but is not counted as an overvote",
                        **self.place(i),
                    )
                if contest in r.overvotes and marked and not over:
                    raise IntegrityError(
                        f"record {i} is counted as an overvote in contest {contest!r} but marks "
                        "no more choices than allowed",
                        **self.place(i),
                    )
        _check_positions(self.records, self.source)


def _check_positions(records: Iterable[CvrRecord], source: str) -> None:
    batches: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for r in records:
        batches.setdefault((r.tabulator, r.batch), []).append((r.record_id, r.position))
    for (tabulator, batch), pairs in batches.items():
        pairs.sort()
        for (rid, _), (rid2, _) in pairwise(pairs):
            if rid == rid2:
                raise IntegrityError(
                    f"{describe_card(tabulator, batch, rid)} is listed twice", path=source
                )
        if [p for _, p in pairs] != list(range(1, len(pairs) + 1)):
            raise IntegrityError(
                f"positions in tabulator {tabulator!r}, batch {batch!r} do not number the records "
                "1, 2, … in RecordId order",
                path=source,
            )


def describe_card(tabulator: str, batch: str, record_id: int) -> str:
    """``tabulator '1', batch '2', record 3``: a card named as errors name it."""
    return f"tabulator {tabulator!r}, batch {batch!r}, record {record_id}"


def to_ballot(record: CvrRecord, jurisdiction: str | None) -> Ballot:
    """The sampler's :class:`~ballotproof.audit.sampler.Ballot` for a CVR.

    The ballot id is ``((jurisdiction, tabulator, batch), position)``, exactly as Arlo builds it
    from the manifest. A CVR and a manifest refer to the same card when the CVR's tabulator and
    batch are spelled as the manifest's ``Tabulator`` and ``Batch Name`` (Arlo matches them
    as text too) and the manifest counts the batch's cards in ``RecordId`` order.

    Parameters
    ----------
    record : CvrRecord
    jurisdiction : str or None
        The jurisdiction's name as Arlo knows it (``None`` outside Arlo).

    Examples
    --------
    >>> r = CvrRecord("TAB-1", "7", 12, 3, "1-7-12", {"Mayor": frozenset({"Ann"})})
    >>> to_ballot(r, "Fulton").id
    "(('Fulton', 'TAB-1', '7'), 3)"
    """
    return Ballot(jurisdiction, record.tabulator, record.batch, record.position)


# --- tallies -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContestTally:
    """One contest's totals over a CVR file (see the module docstring for the rules).

    Attributes
    ----------
    contest : str
    votes_allowed : int or None
    cards : int
        Cards on which the contest appears.
    votes : Mapping[str, int]
        Every choice of the contest, in the contest's order, with its votes.
    overvoted_cards : int
        Cards overvoted in this contest; their marks count for nobody.
    blank_cards : int
        Cards with the contest, not overvoted, and nothing marked.
    undervotes : int or None
        Unused votes on the cards that are not overvoted; ``None`` if ``votes_allowed`` is.
    """

    contest: str
    votes_allowed: int | None
    cards: int
    votes: Mapping[str, int]
    overvoted_cards: int
    blank_cards: int
    undervotes: int | None

    def total_votes(self) -> int:
        """Votes counted for all choices together."""
        return sum(self.votes.values())


@dataclass(frozen=True, slots=True)
class CvrTally:
    """Per-contest totals of a :class:`CvrFile`, to compare with the reported results.

    Attributes
    ----------
    source : str
    format : CvrFormat
    records : int
        Cards in the file.
    contests : Mapping[str, ContestTally]
        In the file's contest order.
    """

    source: str
    format: CvrFormat
    records: int
    contests: Mapping[str, ContestTally]

    def to_json(self) -> dict[str, object]:
        """Stable keys: source, format, records, contests (name → votes_allowed, cards, votes,
        overvoted_cards, blank_cards, undervotes)."""
        return {
            "source": self.source,
            "format": self.format.value,
            "records": self.records,
            "contests": {
                name: {
                    "votes_allowed": t.votes_allowed,
                    "cards": t.cards,
                    "votes": dict(t.votes),
                    "overvoted_cards": t.overvoted_cards,
                    "blank_cards": t.blank_cards,
                    "undervotes": t.undervotes,
                }
                for name, t in self.contests.items()
            },
        }


def tally(cvrs: CvrFile) -> CvrTally:
    """Count the votes of a CVR file, contest by contest.

    Overvoted cards count for no choice; see the module docstring for every rule.

    Examples
    --------
    >>> mayor = ContestInfo("Mayor", 1, ("Ann", "Bo"))
    >>> cards = (
    ...     CvrRecord("1", "1", 1, 1, "1-1-1", {"Mayor": frozenset({"Ann"})}),
    ...     CvrRecord("1", "1", 2, 2, "1-1-2", {"Mayor": frozenset({"Ann", "Bo"})},
    ...               frozenset({"Mayor"})),
    ...     CvrRecord("1", "1", 3, 3, "1-1-3", {"Mayor": frozenset()}),
    ... )
    >>> t = tally(CvrFile("cvr.csv", CvrFormat.DOMINION_CSV, {"Mayor": mayor}, cards))
    >>> m = t.contests["Mayor"]
    >>> dict(m.votes), m.cards, m.overvoted_cards, m.blank_cards, m.undervotes
    ({'Ann': 1, 'Bo': 0}, 3, 1, 1, 1)
    """
    cards: Counter[str] = Counter()
    over: Counter[str] = Counter()
    blank: Counter[str] = Counter()
    marks: Counter[str] = Counter()
    votes: dict[str, Counter[str]] = {name: Counter() for name in cvrs.contests}
    for r in cvrs.records:
        for contest, marked in r.votes.items():
            cards[contest] += 1
            if contest in r.overvotes:
                over[contest] += 1
            elif marked:
                votes[contest].update(marked)
                marks[contest] += len(marked)
            else:
                blank[contest] += 1
    result: dict[str, ContestTally] = {}
    for name, info in cvrs.contests.items():
        valid = cards[name] - over[name]
        result[name] = ContestTally(
            name,
            info.votes_allowed,
            cards[name],
            MappingProxyType({c: votes[name][c] for c in info.choices}),
            over[name],
            blank[name],
            None if info.votes_allowed is None else valid * info.votes_allowed - marks[name],
        )
    return CvrTally(cvrs.source, cvrs.format, len(cvrs.records), MappingProxyType(result))


# --- shared by the loaders ---------------------------------------------------------------------


@dataclass(slots=True)
class RawCard:
    """A card as a loader has read it, before positions are known."""

    tabulator: str
    batch: str
    record_id: int
    imprinted_id: str
    votes: dict[str, frozenset[str]]
    overvotes: frozenset[str]
    cvr_number: int | None
    origin: int | str = 0  # the physical line (CSV) or JSON pointer (JSON) of the record


def number_cards(cards: list[RawCard]) -> tuple[CvrRecord, ...]:
    """The records of ``cards``, in their order, each with its position in its batch.

    The caller has already refused duplicate ``(tabulator, batch, record_id)``.
    """
    by_batch: dict[tuple[str, str], list[int]] = {}
    for c in cards:
        by_batch.setdefault((c.tabulator, c.batch), []).append(c.record_id)
    position: dict[tuple[str, str, int], int] = {}
    for (tabulator, batch), ids in by_batch.items():
        for p, rid in enumerate(sorted(ids), start=1):
            position[(tabulator, batch, rid)] = p
    empty: frozenset[str] = frozenset()
    return tuple(
        CvrRecord(
            c.tabulator,
            c.batch,
            c.record_id,
            position[(c.tabulator, c.batch, c.record_id)],
            c.imprinted_id,
            MappingProxyType(c.votes),
            c.overvotes or empty,
            c.cvr_number,
        )
        for c in cards
    )


class Interner:
    """Hands back one shared object for equal vote sets, so a million cards share a few dozen."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[frozenset[str], frozenset[str]] = {}

    def __call__(self, choices: Iterable[str]) -> frozenset[str]:
        key = frozenset(choices)
        return self._seen.setdefault(key, key)


def _lines(path: Path, display: str) -> Iterator[str]:
    """The file's lines, each decoded strictly as UTF-8 (a leading BOM is dropped).

    UTF-8 never uses the byte ``0x0a`` inside a multi-byte character, so decoding line by line
    is exact, and a bad byte is reported on its own line.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=display) from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8",
                    path=display,
                    line=number,
                ) from exc


def csv_rows(
    path: str | Path, display: str, *, keep_blank: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """``(line, fields)`` for every row of a CSV file, streamed; blank rows only if asked.

    ``line`` is the physical line on which the row ends. Malformed quoting raises
    :class:`~ballotproof.errors.InputError` with its line; so does a file with no rows.
    """
    reader = csv.reader(_lines(Path(path), display), strict=True)
    seen = False
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path=display, line=reader.line_num) from exc
        if not keep_blank and all(not f.strip() for f in fields):
            continue
        seen = True
        yield reader.line_num, fields
    if not seen:
        raise InputError("the file is empty", path=display, line=1)


def check_header(header: list[str], display: str, line: int) -> None:
    """Refuse empty and repeated column names in a header row."""
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if not name:
            raise InputError(
                path=display, line=line, field=f"column {i}", expected="a column name", got=""
            )
        if name in seen:
            raise InputError("the column appears twice", path=display, line=line, field=name)
        seen.add(name)
