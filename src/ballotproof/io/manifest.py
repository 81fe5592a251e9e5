"""Ballot manifests in Arlo's CSV format: which batches exist, where, and how many ballots each.

The format is the one jurisdictions upload to Arlo (VotingWorks; ``server/api/ballot_manifest.py``
and the "Ballot Manifest" page of its documentation), one row per batch:

=====================  ========  =================================================================
column                 required  meaning
=====================  ========  =================================================================
``Container``          no        where the batch is stored (retrieval only; not in the ballot id)
``Tabulator``          no        the tabulator that scanned the batch
``Batch Name``         yes       the batch's name
``Number of Ballots``  yes       ballots in the batch, a whole number ≥ 1 (no thousands separators)
``Jurisdiction``       no        the jurisdiction's name, for a file that spans several
=====================  ========  =================================================================

As in Arlo, a column that is present needs a value on every row, and a column that is absent is
``None`` in the ballot id; so the sample drawn from a loaded manifest is the sample Arlo draws
(:mod:`ballotproof.audit.sampler`). Ballot ids are ``((jurisdiction, tabulator, batch),
position)``, so ``(jurisdiction, tabulator, batch name)`` must be unique: two rows that differ only
in their container would give two ballots the same id and are refused.

A total row is not a batch. A manifest kept in a spreadsheet often ends with a ``Total`` row
or has ``Subtotal`` rows; loaded as batches, they would hold as many ballots as the rows they
add up, and draws would land on ballots that do not exist. Such rows are refused with an
:class:`~ballotproof.errors.InputError` naming file, line and column, by the two rules Arlo
applies to every manifest (``reject_total_rows`` and ``reject_final_total_row`` in its
``server/util/csv_parse.py``):

* **A labelled total.** A row any of whose cells, in any column, contains the word *total*,
  *totals*, *subtotal* or *subtotals* in any case, where a word is a run of the letters
  ``a``–``z`` between non-letters or the ends of the cell. ``Total``, ``TOTALS``,
  ``Grand Total``, ``County Totals``, ``Sub-total``, ``Total:``, ``Precinct 4 total``,
  ``batch_total`` and ``Subtotal Road`` are refused; ``Totalizer 3``, ``Totally``,
  ``Grandtotal`` and ``Subtotaled`` are batch names like any other. As in Arlo, an empty cell
  is reported before a total, and a total before a malformed count (``Totals,"32,990"``).
* **An unlabelled final total.** The last row, when there are more than two rows and its
  ``Number of Ballots`` is the sum of all the rows above it (Arlo's 20, 30, 40, then 90). Arlo
  looks at the last row only, so a row in the middle that happens to equal the rows above it is
  a batch. In a file with a ``Jurisdiction`` column each jurisdiction's rows are checked on
  their own, since each is the manifest that jurisdiction uploads to Arlo: 10 and 20 for one
  jurisdiction, then 30 for another, is three batches.

Of total rows, this refuses what Arlo refuses and nothing more: a manifest Arlo accepts is not
refused as a total here. (The second rule can refuse a real manifest whose last batch happens
to hold as many ballots as the others together; Arlo refuses it too. Putting another batch last
avoids it.)

Rows are read one at a time (:func:`ballotproof.io.csvread.read_rows`) and kept as compact
:class:`~ballotproof.audit.sampler.Batch` records; ballots are never listed one by one. A global
ballot index maps to its batch and position by binary search on the cumulative counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ballotproof.audit.sampler import Ballot, Batch
from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.csvread import Row, parse_int, read_rows

__all__ = [
    "BATCH_NAME",
    "CONTAINER",
    "JURISDICTION",
    "NUMBER_OF_BALLOTS",
    "TABULATOR",
    "Manifest",
    "load_manifest",
]

CONTAINER = "Container"
TABULATOR = "Tabulator"
BATCH_NAME = "Batch Name"
NUMBER_OF_BALLOTS = "Number of Ballots"
JURISDICTION = "Jurisdiction"

_BatchKey = tuple[str | None, str | None, str]

# A cell is a total's label when one of its words is one of these. A word is a maximal run of
# the letters a-z in either case; casefold() also folds the long s, which Python's
# case-insensitive [a-z] counts as a letter, so the words are the ones Arlo's check sees.
_TOTAL_WORDS = frozenset({"total", "totals", "subtotal", "subtotals"})
_WORD = re.compile(r"[a-z]+", re.IGNORECASE)


def _describe(key: _BatchKey) -> str:
    jurisdiction, tabulator, name = key
    text = f"batch {name!r}"
    if tabulator is not None:
        text += f" of tabulator {tabulator!r}"
    if jurisdiction is not None:
        text += f" in {jurisdiction!r}"
    return text


def _total_label(row: Row) -> tuple[str, str] | None:
    """``(column, cell)`` of the first cell, in file order, that labels a total row."""
    for column in row.values:
        cell = row.get(column)
        if any(word.casefold() in _TOTAL_WORDS for word in _WORD.findall(cell)):
            return column, cell
    return None


@dataclass(slots=True)
class _Rows:
    """One jurisdiction's rows so far: enough to tell whether its last row is their total."""

    count: int = 0
    ballots: int = 0
    last_line: int = 0
    last_ballots: int = 0

    def add(self, line: int, ballots: int) -> None:
        self.count += 1
        self.ballots += ballots
        self.last_line = line
        self.last_ballots = ballots

    def ends_with_total(self) -> bool:
        """Arlo's test: more than two rows, the last one the sum of the others."""
        return self.count > 2 and self.ballots - self.last_ballots == self.last_ballots


@dataclass(frozen=True, slots=True)
class Manifest:
    """A ballot manifest: batches in file order and the ballots they hold.

    Ballots are numbered globally ``0 … total_ballots - 1``: the first batch's ballots, then the
    second's, and so on.

    Attributes
    ----------
    source : str
        Where the manifest came from (the file name as given).
    batches : tuple of Batch
        In file order; ``(jurisdiction, tabulator, name)`` unique.
    total_ballots : int
        Derived: sum of the batches' ballots.

    Raises
    ------
    IntegrityError
        Two batches with the same ``(jurisdiction, tabulator, name)``.
    """

    source: str
    batches: tuple[Batch, ...]
    total_ballots: int = field(init=False)
    _ends: npt.NDArray[np.int64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: dict[_BatchKey, int] = {}
        for i, batch in enumerate(self.batches):
            first = seen.setdefault(batch.key, i)
            if first != i:
                raise IntegrityError(
                    f"{_describe(batch.key)} is listed twice (batches {first} and {i})",
                    path=self.source,
                )
        counts = np.fromiter((b.ballots for b in self.batches), np.int64, len(self.batches))
        ends = np.cumsum(counts)
        ends.flags.writeable = False
        object.__setattr__(self, "_ends", ends)
        object.__setattr__(self, "total_ballots", int(ends[-1]) if len(ends) else 0)

    def locate(self, index: int) -> tuple[int, int]:
        """``(batch number, 1-based position)`` of the ballot with global index ``index``.

        Examples
        --------
        >>> m = Manifest("m.csv", (Batch(None, None, "A", 2), Batch(None, None, "B", 3)))
        >>> m.locate(0), m.locate(1), m.locate(2), m.locate(4)
        ((0, 1), (0, 2), (1, 1), (1, 3))
        """
        if not 0 <= index < self.total_ballots:
            raise IndexError(f"ballot index {index} is outside 0..{self.total_ballots - 1}")
        which = int(np.searchsorted(self._ends, index, side="right"))
        start = int(self._ends[which]) - self.batches[which].ballots
        return which, index - start + 1

    def locate_many(
        self, indices: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Vectorised :meth:`locate`: arrays of batch numbers and 1-based positions."""
        index = np.asarray(indices, dtype=np.int64)
        if index.size and (index.min() < 0 or index.max() >= self.total_ballots):
            raise IndexError(f"ballot indices must be within 0..{self.total_ballots - 1}")
        which = np.searchsorted(self._ends, index, side="right").astype(np.int64)
        counts = np.fromiter((b.ballots for b in self.batches), np.int64, len(self.batches))
        positions = index - (self._ends[which] - counts[which]) + 1
        return which, positions

    def ballot(self, index: int) -> Ballot:
        """The ballot with global index ``index``."""
        which, position = self.locate(index)
        return self.batches[which].ballot(position)


def load_manifest(
    path: str | Path,
    *,
    jurisdiction: str | None = None,
    display: str | None = None,
) -> Manifest:
    """Read a ballot manifest CSV (Arlo's format, see the module docstring).

    Parameters
    ----------
    path : str or Path
    jurisdiction : str, keyword-only
        The jurisdiction's name as Arlo knows it, for a file without a ``Jurisdiction`` column;
        it is part of every ballot id, so give it to reproduce Arlo's draws.
    display : str, keyword-only
        The name to use in errors (default: the path as given).

    Returns
    -------
    Manifest

    Raises
    ------
    InputError
        Unreadable file, missing or unknown column, an empty cell in a present column, a
        total row (see the module docstring), a ``Number of Ballots`` that is not a whole
        number ≥ 1, no rows, or a ``jurisdiction`` given for a file that has a ``Jurisdiction``
        column. Every error names the file, line and column.
    IntegrityError
        The same batch ``(jurisdiction, tabulator, batch name)`` on two lines.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "manifest.csv"
    >>> _ = path.write_text("Container,Batch Name,Number of Ballots\\nC1,B1,3\\nC1,B2,2\\n")
    >>> m = load_manifest(path, jurisdiction="Fulton")
    >>> m.total_ballots, m.ballot(3)
    (5, Ballot(jurisdiction='Fulton', tabulator=None, batch='B2', position=1, container='C1'))
    """
    name = display or str(path)
    if jurisdiction is not None and (not isinstance(jurisdiction, str) or not jurisdiction):
        raise InputError(field="jurisdiction", expected="a non-empty name", got=jurisdiction)
    rows = read_rows(
        path,
        (BATCH_NAME, NUMBER_OF_BALLOTS),
        optional=(CONTAINER, TABULATOR, JURISDICTION),
        display=name,
    )
    batches: list[Batch] = []
    seen: dict[_BatchKey, int] = {}
    named = False
    by_jurisdiction: dict[str | None, _Rows] = {}
    for row in rows:
        named = JURISDICTION in row.values
        if named and jurisdiction is not None:
            raise InputError(
                "the file has a Jurisdiction column; do not also give a jurisdiction",
                path=name,
                line=1,
                field=JURISDICTION,
            )
        # As in Arlo: a missing value is reported before a total label, a label before a bad count.
        where = row.require(JURISDICTION) if named else jurisdiction
        tabulator = row.require(TABULATOR) if TABULATOR in row.values else None
        batch_name = row.require(BATCH_NAME)
        container = row.require(CONTAINER) if CONTAINER in row.values else None
        label = _total_label(row)
        if label is not None:
            column, cell = label
            raise InputError(
                f"a total row is not a batch ({cell!r})", path=name, line=row.line, field=column
            )
        batch = Batch(
            where,
            tabulator,
            batch_name,
            parse_int(row, NUMBER_OF_BALLOTS, minimum=1),
            container,
        )
        first = seen.setdefault(batch.key, row.line)
        if first != row.line:
            raise IntegrityError(
                f"{_describe(batch.key)} is already listed on line {first}",
                path=name,
                line=row.line,
                field=BATCH_NAME,
            )
        batches.append(batch)
        by_jurisdiction.setdefault(where, _Rows()).add(row.line, batch.ballots)
    if not batches:
        raise InputError("the manifest lists no batches", path=name, line=2)
    totals = [(r.last_line, j, r) for j, r in by_jurisdiction.items() if r.ends_with_total()]
    if totals:
        line, where, last = min(totals, key=lambda t: t[0])
        of = f" of {where!r}" if named else ""
        raise InputError(
            f"a total row is not a batch ({last.last_ballots} ballots, the sum of the "
            f"{last.count - 1} rows{of} above it)",
            path=name,
            line=line,
            field=NUMBER_OF_BALLOTS,
        )
    return Manifest(name, tuple(batches))
