"""Batch tallies: ``Batch Name`` plus one column per choice, as election offices export them
for batch-comparison audits (the format Arlo's "Batch Tallies" upload takes).

Example::

    Batch Name,Biden,Trump,Jorgensen
    Precinct 1 - ED,312,290,11

Every row is checked (whole numbers ≥ 0, no repeated batch) and, when a manifest is given,
every batch must be in it and hold no more votes than ``votes_allowed`` × its ballots. The
whole file is read before anything is returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from ballotproof.errors import InputError, IntegrityError
from ballotproof.io.csvread import parse_int, read_rows
from ballotproof.io.manifest import Manifest

__all__ = ["BATCH_NAME", "load_batch_tallies"]

BATCH_NAME = "Batch Name"


def _header(path: Path) -> list[str]:
    rows = read_rows(path, (BATCH_NAME,), allow_prefix="")
    first = next(rows, None)
    if first is None:
        raise InputError("the file has a header but no batch", path=str(path), line=2)
    return list(first.values)


def load_batch_tallies(
    path: str | Path,
    *,
    manifest: Manifest | None = None,
    votes_allowed: int = 1,
) -> dict[str, Mapping[str, int]]:
    """Batch name → votes per choice.

    Raises
    ------
    InputError, IntegrityError
        Naming the file, line and field; nothing is returned.
    """
    p = Path(path)
    choices = [c for c in _header(p) if c != BATCH_NAME]
    if not choices:
        raise InputError(
            path=str(p),
            line=1,
            field=BATCH_NAME,
            expected="at least one choice column beside 'Batch Name'",
            got="none",
        )
    sizes = {b.name: b.ballots for b in manifest.batches} if manifest is not None else None
    out: dict[str, Mapping[str, int]] = {}
    lines: dict[str, int] = {}
    for row in read_rows(p, (BATCH_NAME,), allow_prefix=""):
        name = row.require(BATCH_NAME)
        if name in lines:
            raise IntegrityError(
                f"batch {name!r} is also on line {lines[name]}",
                path=str(p),
                line=row.line,
                field=BATCH_NAME,
            )
        lines[name] = row.line
        tally = {c: parse_int(row, c) for c in choices}
        if sizes is not None:
            if name not in sizes:
                raise row.error(BATCH_NAME, "a batch of the ballot manifest", name)
            if sum(tally.values()) > votes_allowed * sizes[name]:
                raise IntegrityError(
                    f"batch {name!r} has {sum(tally.values())} votes but only {sizes[name]} "
                    f"ballots (vote for {votes_allowed})",
                    path=str(p),
                    line=row.line,
                    field=BATCH_NAME,
                )
        out[name] = MappingProxyType(tally)
    return out
