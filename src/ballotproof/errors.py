"""Every error ballotproof raises on purpose.

The hierarchy::

    BallotproofError                  base: catch this to catch them all
    ├── InputError                    a file (or value) a user gave cannot be read as data
    │     │ fields: path, line, field, expected, got
    │     └── ClaimSyntaxError        a claim that is not in the claim language (position)
    ├── IntegrityError                data read fine but contradicts itself
    │     (totals that do not add up, duplicate rows, unknown units)
    │     fields: path, line, field, expected, got
    ├── AnalysisError                 a question that the data cannot answer
    │                                 (no electors, no contest, nobody won a majority …)
    │   LocatedAnalysisError          both an IntegrityError and an AnalysisError: the
    │                                 question fails on data at a known file and line
    └── StoreError                    the database refused or is inconsistent

``str(error)`` is always one line a user can act on, for example::

    results.csv:14: field 'votes': expected a non-negative integer, got '-3'

Library errors (``csv.Error``, ``UnicodeDecodeError``, ``json.JSONDecodeError``, sqlite3 and
SQLAlchemy errors) are translated at the edge where they occur, with ``raise … from``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AnalysisError",
    "BallotproofError",
    "ClaimSyntaxError",
    "InputError",
    "IntegrityError",
    "LocatedAnalysisError",
    "StoreError",
]


class BallotproofError(Exception):
    """Base class of every error raised on purpose by ballotproof."""


class _LocatedError(BallotproofError):
    """An error that points at a place in a file: path, line and field."""

    def __init__(
        self,
        message: str | None = None,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        got: object = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.expected = expected
        self.got = got
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
        elif self.line is not None:
            where = f"line {self.line}"
        parts: list[str] = []
        if where:
            parts.append(where)
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        detail = self.message or ""
        if self.expected is not None:
            got = "" if self.got is None else f", got {self.got!r}"
            detail = f"expected {self.expected}{got}" + (f" ({detail})" if detail else "")
        parts.append(detail or "invalid input")
        # One line, always: a message built from data must not smuggle a newline in.
        return ": ".join(parts).replace("\n", " ")


class InputError(_LocatedError):
    """A file or value cannot be read as the data it should be."""


class IntegrityError(_LocatedError):
    """The data reads but contradicts itself: duplicates, unknown units, wrong totals."""


class AnalysisError(BallotproofError):
    """The question asked cannot be answered from this election's data."""


class LocatedAnalysisError(IntegrityError, AnalysisError):
    """A question that cannot be answered because of data at a known place (file, line,
    field): both an :class:`IntegrityError` and an :class:`AnalysisError`, so a caller that
    handles unanswerable questions handles it whichever loader read the data."""


class StoreError(BallotproofError):
    """The audit store refused an operation or holds inconsistent data."""


class ClaimSyntaxError(InputError):
    """A claim (``ballotproof check``) that does not follow the claim language.

    ``position`` is the 1-based character where reading stopped.
    """

    def __init__(self, claim: str, position: int, expected: str, got: str) -> None:
        self.claim = claim
        self.position = position
        super().__init__(f"claim position {position}: expected {expected}, got {got}", field=None)
