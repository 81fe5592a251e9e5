"""A round's retrieval list: which ballots to pull, where they are, and which were read before.

Ballots are named for people by a plain label, ``Jurisdiction/Tabulator/Batch #position``
(parts the manifest lacks are left out; :func:`ballot_label`). The sampler's own id (the text
Arlo hashes, ``(('J', 'T', 'B'), 12)``) stays inside the store and the journal, so the draws
remain exactly Arlo's; a filled list may give either.

A later round's draws can repeat ballots drawn before (sampling with replacement): those rows
say in which round the ballot was first drawn (``Already Read``), and need no new reading.
Where the cast vote records give one, the id imprinted on the card is shown, so the audit
board can check it pulled the right card.

A stateless draw (``audit sample --manifest``) lists its ballots the same way
(:func:`sample_csv`), without the two columns only a stored audit can fill
(:data:`STORED_ONLY_COLUMNS`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ballotproof.errors import InputError

if TYPE_CHECKING:  # the store and the statistics load only when a list is made
    from ballotproof.audit.sampler import RetrievalRow
    from ballotproof.store import AuditStore
    from ballotproof.store.repository import StoredDraw

__all__ = [
    "RETRIEVAL_COLUMNS",
    "STATELESS_COLUMNS",
    "STORED_ONLY_COLUMNS",
    "RetrievalEntry",
    "ballot_label",
    "retrieval_csv",
    "retrieval_list",
    "sample_csv",
]

RETRIEVAL_COLUMNS = [
    "Jurisdiction",
    "Container",
    "Tabulator",
    "Batch Name",
    "Ballot Position",
    "Ticket Numbers",
    "Times Drawn",
    "Ballot ID",
    "Imprinted ID",
    "Already Read",
    "Interpretation",
    "Note",
]

STORED_ONLY_COLUMNS = ("Imprinted ID", "Already Read")
"""Columns only a stored audit can fill: the cast vote records' imprinted ids and the rounds
in which ballots were drawn before."""

STATELESS_COLUMNS = [c for c in RETRIEVAL_COLUMNS if c not in STORED_ONLY_COLUMNS]
"""The columns of a stateless draw's list (:func:`sample_csv`)."""


def ballot_label(jurisdiction: str | None, tabulator: str | None, batch: str, position: int) -> str:
    """``Jurisdiction/Tabulator/Batch #position``, leaving out what the manifest lacks.

    Examples
    --------
    >>> ballot_label("Fulton", "TAB-1", "Box 7", 12)
    'Fulton/TAB-1/Box 7 #12'
    >>> ballot_label(None, None, "B3", 1)
    'B3 #1'
    """
    parts = [p for p in (jurisdiction, tabulator, batch) if p is not None]
    return f"{'/'.join(parts)} #{position}"


@dataclass(frozen=True, slots=True)
class RetrievalEntry:
    """One ballot of a round's list (a ballot drawn twice in the round is one entry)."""

    label: str
    ballot_id: str
    jurisdiction: str | None
    container: str | None
    tabulator: str | None
    batch: str
    position: int
    tickets: tuple[str, ...]
    imprinted_id: str
    round: int  # the round of this list
    first_round: int  # the round in which the ballot was first drawn
    phantom: bool
    out_of_audit: bool = False  # several contests: its record holds none of the audit's

    @property
    def read_before(self) -> bool:
        return self.first_round < self.round

    @property
    def times_drawn(self) -> int:
        return len(self.tickets)


def _none_first(value: str | None) -> tuple[bool, str]:
    return (value is not None, value or "")


def retrieval_list(store: AuditStore, name: str, number: int) -> list[RetrievalEntry]:
    """Round ``number``'s ballots, sorted by jurisdiction, container, tabulator, batch and
    position (the order of a walk through the vault)."""
    from ballotproof.audit.process import is_phantom

    status = store.status(name)
    if not 1 <= number <= status.current_round:
        raise InputError(
            field="--round",
            expected=f"a round of audit {name!r}: 1 to {status.current_round}",
            got=str(number),
        )
    draws = store.round_draws(name, number)
    by_id: dict[str, list[StoredDraw]] = {}
    for d in draws:
        by_id.setdefault(d.ballot_id, []).append(d)
    first = store.first_rounds(name, list(by_id)) if number > 1 else {}
    imprints = store.imprints(name, list(by_id))
    # Several contests from one sample (card style): a card whose record holds none of the
    # audit's contests counts for none of them, so it is not pulled; its reading is {}.
    empty: set[str] = set()
    if status.spec.contests:
        records = store.cast_vote_records(name, list(by_id))
        empty = {bid for bid, text in records.items() if text == "{}"}
    entries = [
        RetrievalEntry(
            ballot_label(d.jurisdiction, d.tabulator, d.batch, d.position),
            bid,
            d.jurisdiction,
            d.container,
            d.tabulator,
            d.batch,
            d.position,
            tuple(x.ticket for x in ds),
            imprints.get(bid, ""),
            number,
            first.get(bid, number),
            is_phantom(status.spec, d.jurisdiction, d.tabulator, d.batch),
            bid in empty,
        )
        for bid, ds in by_id.items()
        for d in ds[:1]
    ]
    entries.sort(
        key=lambda e: (
            _none_first(e.jurisdiction),
            _none_first(e.container),
            _none_first(e.tabulator),
            e.batch,
            e.position,
        )
    )
    return entries


def _where(
    jurisdiction: str | None,
    container: str | None,
    tabulator: str | None,
    batch: str,
    position: int,
    tickets: Sequence[str],
) -> dict[str, object]:
    """The cells that say where a ballot is and which tickets drew it."""
    return {
        "Jurisdiction": jurisdiction or "",
        "Container": container or "",
        "Tabulator": tabulator or "",
        "Batch Name": batch,
        "Ballot Position": position,
        "Ticket Numbers": ";".join(tickets),
        "Times Drawn": len(tickets),
        "Ballot ID": ballot_label(jurisdiction, tabulator, batch, position),
    }


def _csv(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """Rows as CSV under ``columns``; a cell a row does not give is left empty."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, restval="", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def retrieval_csv(entries: Sequence[RetrievalEntry]) -> str:
    """The list as CSV (:data:`RETRIEVAL_COLUMNS`); fill ``Interpretation`` and record it."""

    def row(e: RetrievalEntry) -> dict[str, object]:
        already, reading = "", ""
        if e.phantom:
            already = "phantom: no ballot to pull; counts as not found"
        elif e.read_before:
            already = f"drawn in round {e.first_round}"
        elif e.out_of_audit:
            already = "no contest of the audit on its record: not pulled"
            reading = "{}"
        cells = _where(e.jurisdiction, e.container, e.tabulator, e.batch, e.position, e.tickets)
        return {
            **cells,
            "Ballot ID": e.label,
            "Imprinted ID": e.imprinted_id,
            "Already Read": already,
            "Interpretation": reading,
        }

    return _csv(RETRIEVAL_COLUMNS, (row(e) for e in entries))


def sample_csv(rows: Iterable[RetrievalRow]) -> str:
    """A stateless draw's list as CSV (:data:`STATELESS_COLUMNS`), from
    :func:`ballotproof.audit.sampler.retrieval_list`."""
    return _csv(
        STATELESS_COLUMNS,
        (
            _where(r.jurisdiction, r.container, r.tabulator, r.batch, r.position, r.tickets)
            for r in rows
        ),
    )
