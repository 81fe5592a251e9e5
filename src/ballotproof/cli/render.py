"""Output for the command line: tables as Rich tables, CSV or nothing, and consoles that load
Rich only when something is printed.

Commands build a :class:`Table` (plain data: a title, columns, rows) and print it with
``out.print(table)``. What that prints depends on the output format the command was given
(:func:`use_format`):

* ``table`` — a Rich table on stdout, at most 80 columns wide when stdout is not a terminal
  (its width otherwise); long cells wrap, nothing is cut;
* ``csv`` — the rows as CSV on stdout (RFC 4180, a header row first; numbers without
  thousands separators, percentages without the ``%`` sign). A command whose tables
  differ in shape prints only its main one; tables of the same shape share one header;
  any other text the command prints goes to stderr, so that stdout is one CSV document;
* ``json`` — commands print their JSON document themselves and no table.

Importing Rich costs tens of milliseconds, which ``ballotproof results --json`` need not pay:
the consoles here create their Rich console on first use.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Format", "LazyConsole", "Table", "current_format", "use_format"]


class Format(StrEnum):
    """Output formats of the commands that print tables."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@dataclass
class _State:
    format: Format = Format.TABLE
    csv_header: tuple[str, ...] | None = None


_state = _State()


def use_format(fmt: Format) -> Format:
    """Set the format of what the consoles print next (a new document: CSV header again)."""
    _state.format = fmt
    _state.csv_header = None
    return fmt


def current_format() -> Format:
    return _state.format


@dataclass
class Table:
    """A table as data; the consoles render it (same calls as ``rich.table.Table``).

    ``main`` marks the table a CSV document is made of when a command prints tables of
    different shapes (default: every table).
    """

    title: str = ""
    title_justify: str = "left"
    main: bool = True
    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)

    def add_column(self, header: str, justify: str = "left", **_: Any) -> None:
        self.columns.append((header, justify))

    def add_row(self, *cells: str, style: str | None = None) -> None:
        self.rows.append((tuple(cells), style))

    def to_rich(self) -> Any:
        from rich.table import Table as RichTable

        table = RichTable(title=self.title or None, title_justify="left")
        for header, justify in self.columns:
            # Wrap at spaces, fold a word longer than the column: never cut a name.
            table.add_column(header, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for cells, style in self.rows:
            table.add_row(*cells, style=style)
        return table

    def write_csv(self) -> None:
        header = tuple(h for h, _ in self.columns)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        if _state.csv_header is None:
            _state.csv_header = header
            writer.writerow(header)
        elif _state.csv_header != header:
            return  # another shape: not part of this CSV document
        writer.writerows(tuple(_plain(c) for c in cells) for cells, _ in self.rows)


_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_PERCENT = re.compile(r"[+-]?\d+(\.\d+)?%")


def _plain(cell: str) -> str:
    """A cell as a program reads it: ``11,779`` → ``11779``, ``0.236%`` → ``0.236``."""
    if _GROUPED.fullmatch(cell):
        return cell.replace(",", "")
    if _PERCENT.fullmatch(cell):
        return cell[:-1]
    return cell


class LazyConsole:
    """A Rich console made on first use; tables and the CSV format handled as above."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Any = None

    def rich(self) -> Any:
        """The Rich console itself (made now if not yet)."""
        return self._rich()

    def _rich(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, soft_wrap=True)
        return self._console

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if len(objects) == 1 and isinstance(objects[0], Table):
            table = objects[0]
            if _state.format is Format.CSV and not self._stderr:
                if table.main:
                    table.write_csv()
                return
            if _state.format is Format.JSON and not self._stderr:
                return
            objects = (table.to_rich(),)
            if not self._stderr:
                self._table_console().print(*objects, **kwargs)
                return
        if _state.format is not Format.TABLE and not self._stderr:
            err.print(*objects, **kwargs)  # keep stdout one CSV/JSON document
            return
        self._rich().print(*objects, **kwargs)

    def _table_console(self) -> Any:
        """A console for tables: 80 columns unless stdout is a terminal of another width."""
        from rich.console import Console

        console = self._rich()
        width = console.width if console.is_terminal else min(console.width, 80)
        return Console(soft_wrap=False, width=width)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rich(), name)


out = LazyConsole()
err = LazyConsole(stderr=True)
