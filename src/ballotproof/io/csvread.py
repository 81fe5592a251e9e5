"""Reading CSV files with errors that name the file, line and field.

:func:`read_rows` is the one entry point for every CSV loader: it decodes strictly as UTF-8
(with or without a byte-order mark), rejects empty files and missing columns, and yields each
data row with its physical line number. Field parsers (:func:`parse_int` …) raise
:class:`~ballotproof.errors.InputError` carrying the same location.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ballotproof.errors import InputError

_INTEGER = re.compile(r"[+-]?[0-9]+")

__all__ = ["Row", "parse_bool", "parse_fraction", "parse_int", "read_rows"]


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its values by column name, and where it was."""

    path: str
    line: int
    values: dict[str, str]

    def get(self, column: str, default: str = "") -> str:
        value = self.values.get(column)
        return default if value is None else value.strip()

    def require(self, column: str) -> str:
        value = self.get(column)
        if not value:
            raise InputError(
                path=self.path, line=self.line, field=column, expected="a value", got=""
            )
        return value

    def error(self, column: str, expected: str, got: object = None) -> InputError:
        return InputError(path=self.path, line=self.line, field=column, expected=expected, got=got)


def _decode(path: Path, display: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=display) from exc
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise InputError(
            "this is an Excel workbook, not CSV: save it as 'CSV UTF-8 (comma delimited)'",
            path=display,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = "save the file as UTF-8"
        try:
            data.decode("cp1252")
            hint = (
                "the file looks like Windows-1252 (what Excel saves as 'CSV'): save it as "
                "UTF-8 ('CSV UTF-8' in Excel)"
            )
        except UnicodeDecodeError:
            pass
        raise InputError(
            f"byte 0x{data[exc.start]:02x} is not UTF-8; {hint}", path=display, line=line
        ) from exc


def _delimiter_hint(header: Sequence[str]) -> str | None:
    """A hint when the header was split on the wrong character (``unit;choice;votes``)."""
    if len(header) != 1:
        return None
    for sep, what in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
        if sep in header[0]:
            return (
                f"the columns seem to be separated by {what}, as Excel writes in some "
                "locales; separate them with commas"
            )
    return None


def read_rows(
    path: str | Path,
    required: Sequence[str],
    *,
    optional: Sequence[str] = (),
    display: str | None = None,
    allow_prefix: str | None = None,
) -> Iterator[Row]:
    """Yield the data rows of a CSV file, checked for shape.

    Parameters
    ----------
    path : the file
    required : columns that must be in the header
    optional : further columns that may be; any other column is an error (a typo would
        otherwise be silently ignored)
    display : the name to use in errors (default: the path as given)
    allow_prefix : also accept any column starting with this prefix (e.g. ``votes_``)

    Raises
    ------
    InputError
        Unreadable or non-UTF-8 file, empty file, bad header, a row with too many or too few
        fields, or malformed CSV quoting.
    """
    p = Path(path)
    name = display or str(path)
    text = _decode(p, name)
    if not text.strip():
        raise InputError("the file is empty", path=name, line=1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:  # pragma: no cover - csv rarely fails on a first line
        raise InputError(f"malformed CSV: {exc}", path=name, line=1) from exc
    header = [h.strip() for h in header]
    for column in required:
        if column not in header:
            raise InputError(
                _delimiter_hint(header),
                path=name,
                line=1,
                field=column,
                expected=f"a column named '{column}' in the header",
                got=",".join(header),
            )
    allowed = set(required) | set(optional)
    for column in header:
        if column not in allowed and not (
            allow_prefix is not None and column.startswith(allow_prefix)
        ):
            raise InputError(
                path=name,
                line=1,
                field=column,
                expected="one of " + ", ".join(sorted(allowed)),
                got=column,
            )
    seen_cols: set[str] = set()
    for column in header:
        if column in seen_cols:
            raise InputError("the column appears twice", path=name, line=1, field=column)
        seen_cols.add(column)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path=name, line=reader.line_num) from exc
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise InputError(
                path=name, line=line, expected=f"{len(header)} fields", got=len(fields)
            )
        yield Row(name, line, dict(zip(header, fields, strict=True)))


def parse_int(row: Row, column: str, *, minimum: int = 0) -> int:
    """A whole number ≥ ``minimum`` (thousands separators are refused: they hide typos)."""
    text = row.get(column)
    if not _INTEGER.fullmatch(text):  # ASCII digits only: "１６" or "²" are not numbers here
        raise row.error(column, f"an integer ≥ {minimum}", text)
    value = int(text)
    if value < minimum:
        raise row.error(column, f"an integer ≥ {minimum}", text)
    return value


def parse_bool(row: Row, column: str, *, default: bool) -> bool:
    text = row.get(column).lower()
    if not text:
        return default
    if text in {"true", "yes", "1"}:
        return True
    if text in {"false", "no", "0"}:
        return False
    raise row.error(column, "true or false", row.get(column))


def parse_fraction(row: Row, column: str) -> Fraction | None:
    """An exact decimal (``0.5`` → 1/2), or ``None`` when empty; never through a float."""
    text = row.get(column)
    if not text:
        return None
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError) as exc:
        raise row.error(column, "a decimal number", text) from exc
    if value < 0:
        raise row.error(column, "a non-negative number", text)
    return value
