"""A round's retrieval list: which ballots to pull, where they are, and which were read before.

Ballots are named for people by a plain label, ``Jurisdiction/Tabulator/Batch #position``
(parts the manifest lacks are left out; :func:`ballot_label`). The sampler's own id (the text
Arlo hashes, ``(('J', 'T', 'B'), 12)``) stays inside the store and the journal, so the draws
remain exactly Arlo's; a filled list may give either.

A later round's draws can repeat ballots drawn before (sampling with replacement): those rows
say in which round the ballot was first drawn (``Already Read``), and need no new reading.
Where the cast vote records give one, the id imprinted on the card is shown, so the audit
board can check it pulled the right card.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ballotproof.errors import InputError

if TYPE_CHECKING:  # the store and the statistics load only when a list is made
    from ballotproof.store import AuditStore
    from ballotproof.store.repository import StoredDraw

__all__ = [
    "RETRIEVAL_COLUMNS",
    "RetrievalEntry",
    "ballot_label",
    "retrieval_csv",
    "retrieval_list",
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


def retrieval_csv(entries: Sequence[RetrievalEntry]) -> str:
    """The list as CSV (:data:`RETRIEVAL_COLUMNS`); fill ``Interpretation`` and record it."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(RETRIEVAL_COLUMNS)
    for e in entries:
        already, reading = "", ""
        if e.phantom:
            already = "phantom: no ballot to pull; counts as not found"
        elif e.read_before:
            already = f"drawn in round {e.first_round}"
        elif e.out_of_audit:
            already = "no contest of the audit on its record: not pulled"
            reading = "{}"
        w.writerow(
            [
                e.jurisdiction or "",
                e.container or "",
                e.tabulator or "",
                e.batch,
                e.position,
                ";".join(e.tickets),
                e.times_drawn,
                e.label,
                e.imprinted_id,
                already,
                reading,
                "",
            ]
        )
    return buf.getvalue()
