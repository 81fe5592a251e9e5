"""Recording what the audit boards read: a filled retrieval list, or a batch tally sheet.

Every row is checked against the audit before anything is written (the ballot was drawn, the
reading is a choice of the contest, ``blank``, ``overvote`` or ``not_found``, a ballot is not
given two readings), with errors naming file, line and field; then the rows are recorded in one
transaction (:meth:`ballotproof.store.AuditStore.record`), which closes the round when its last
ballot is read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ballotproof.audit.process import batch_id, batch_reading
from ballotproof.errors import AnalysisError, InputError
from ballotproof.io.csvread import parse_int, read_rows
from ballotproof.store import AuditStatus, AuditStore
from ballotproof.usecases.retrieval import RETRIEVAL_COLUMNS, ballot_label

__all__ = ["read_ballot_sheet", "read_batch_sheet", "record_file", "record_rows"]

Row = tuple[str, str, str]


def read_ballot_sheet(store: AuditStore, name: str, path: Path) -> list[Row]:
    """The filled rows of a retrieval list as ``(ballot id, reading, note)``.

    ``Ballot ID`` may be the plain label of :func:`~ballotproof.usecases.retrieval.ballot_label`
    or the sampler's id. Rows with no ``Interpretation`` are skipped (not read yet).
    """
    status = store.status(name)
    valid = status.spec.valid_interpretations()
    known: dict[str, str] = {}
    loaded: set[int] = set()

    def resolve(key: str) -> str | None:
        for number in range(status.current_round, 0, -1):
            if key in known:
                break
            if number in loaded:
                continue
            loaded.add(number)
            for d in store.round_draws(name, number):
                known[d.ballot_id] = d.ballot_id
                known.setdefault(
                    ballot_label(d.jurisdiction, d.tabulator, d.batch, d.position), d.ballot_id
                )
        return known.get(key)

    rows: list[Row] = []
    seen: dict[str, tuple[str, int]] = {}
    optional = tuple(c for c in RETRIEVAL_COLUMNS if c not in ("Ballot ID", "Interpretation"))
    for row in read_rows(path, ("Ballot ID", "Interpretation"), optional=optional):
        choice = row.get("Interpretation")
        if not choice:
            continue
        key = row.require("Ballot ID")
        ballot_id = resolve(key)
        if ballot_id is None:
            raise row.error("Ballot ID", f"a ballot drawn in audit {name!r}", key)
        if not valid:  # the method parses its readings (multi-contest cards)
            try:
                choice = status.spec.method.stored.canonical_reading(status.spec, choice)
            except AnalysisError as exc:
                raise InputError(
                    str(exc), path=row.path, line=row.line, field="Interpretation"
                ) from None
        elif choice not in valid:
            raise row.error("Interpretation", "one of " + ", ".join(sorted(valid)), choice)
        if ballot_id in seen and seen[ballot_id][0] != choice:
            raise row.error(
                "Interpretation", f"{seen[ballot_id][0]!r} as on line {seen[ballot_id][1]}", choice
            )
        seen[ballot_id] = (choice, row.line)
        rows.append((ballot_id, choice, row.get("Note")))
    return rows


def read_batch_sheet(store: AuditStore, name: str, path: Path) -> list[Row]:
    """Hand counts of drawn batches (``Batch Name`` + one column per choice), checked row by
    row: drawn, counted once, whole numbers, no more votes than the batch has ballots."""
    audit = store.load(name)
    choices = list(audit.spec.contest.tally)
    drawn = {d.batch for d in audit.draws}
    ballots = {b.name: b.ballots for b in audit.batches}
    sheet_columns = ("Jurisdiction", "Container", "Tabulator", "Ticket Numbers", "Times Drawn")
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for row in read_rows(path, ("Batch Name", *choices), optional=sheet_columns):
        batch = row.require("Batch Name")
        if not any(row.get(c) for c in choices):
            continue  # not counted yet
        if batch not in drawn:
            raise row.error("Batch Name", f"a batch drawn in audit {name!r}", batch)
        if batch in seen:
            raise row.error("Batch Name", f"one row per batch (also on line {seen[batch]})", batch)
        seen[batch] = row.line
        tally = {c: parse_int(row, c) for c in choices}
        if sum(tally.values()) > ballots[batch]:
            raise row.error(
                "Batch Name",
                f"at most {ballots[batch]} votes (the batch's ballots)",
                f"{sum(tally.values())} votes",
            )
        rows.append((batch_id(batch), batch_reading(tally), ""))
    return rows


def record_rows(
    store: AuditStore,
    name: str,
    rows: Sequence[Row],
    *,
    now: Callable[[], str],
    correct: bool = False,
) -> tuple[AuditStatus, int, int]:
    """Record readings (one transaction); see :meth:`ballotproof.store.AuditStore.record`."""
    return store.record(name, rows, now=now(), correct=correct)


def record_file(
    store: AuditStore,
    name: str,
    path: Path,
    *,
    now: Callable[[], str],
    correct: bool = False,
) -> tuple[AuditStatus, int, int]:
    """Read a filled retrieval list (or, in a batch-comparison audit, a tally sheet) and
    record it."""
    spec = store.status(name).spec
    rows = (
        read_batch_sheet(store, name, path)
        if spec.method.is_batch
        else read_ballot_sheet(store, name, path)
    )
    return record_rows(store, name, rows, now=now, correct=correct)
