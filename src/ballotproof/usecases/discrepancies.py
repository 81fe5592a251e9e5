"""The discrepancy report of a ballot-comparison audit: every drawn ballot whose reading by the
audit board differs from its cast vote record, and what that costs the reported margin.

For each drawn ballot read so far (the latest reading, corrections included), the record and
the reading are compared as the audit compares them: the overstatement is
:func:`ballotproof.audit.card_rounds.overstatements` — Stark's ẽ, in votes of the closest
pair — and its kind is that of :class:`ballotproof.audit.supersimple.Discrepancies`: a
two-vote overstatement (``o2``, ẽ = 2), one-vote (``o1``), one- or two-vote understatement
(``u1``, ``u2``); ``other`` is a fraction of a vote (a discrepancy outside a closest pair) and
``none`` a difference that moves no margin (a blank card read as an overvote). The rules of the
risk calculation hold here too: a ballot with no record has the record ``phantom`` (the worst
case), and a drawn phantom ballot (not in the manifest) reads as not found.

The counts per kind count draws, as the risk does (a ballot drawn twice counts twice); once a
round has closed they are the round's ``discrepancy_*`` counts, and before that they include
the readings of the open round. A ballot-polling audit has no records: its report says there is
nothing to compare.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from fractions import Fraction

from ballotproof.audit.card_rounds import ComparisonMethod, overstatements
from ballotproof.audit.spec import NOT_FOUND, PHANTOM, AuditSpec, Method, is_phantom
from ballotproof.audit.supersimple import Discrepancies
from ballotproof.store import AuditStore
from ballotproof.usecases.retrieval import ballot_label

__all__ = [
    "DISCREPANCY_COLUMNS",
    "Discrepancy",
    "DiscrepancyReport",
    "compares_ballots",
    "discrepancy_csv",
    "discrepancy_report",
]

KINDS = {2: "o2", 1: "o1", -1: "u1", -2: "u2"}

DISCREPANCY_COLUMNS = [
    "Ballot ID",
    "Imprinted ID",
    "First Drawn In Round",
    "Times Drawn",
    "CVR Says",
    "Audit Board Read",
    "Overstatement (votes)",
    "Kind",
]


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A drawn ballot whose reading differs from its cast vote record."""

    ballot_id: str  # the sampler's id
    label: str  # ``County/Tabulator/Batch #position``
    imprinted_id: str
    first_round: int
    times_drawn: int
    cvr: str  # the record's reading; ``phantom``: the ballot has no record
    reading: str  # the audit board's (latest) reading; ``not_found`` for a phantom ballot
    overstatement: Fraction  # ẽ, in votes of the closest pair
    kind: str  # o2, o1, u1, u2, other, none

    def to_json(self) -> dict[str, object]:
        return {
            "ballot_id": self.ballot_id,
            "label": self.label,
            "imprinted_id": self.imprinted_id,
            "first_round": self.first_round,
            "times_drawn": self.times_drawn,
            "cvr": self.cvr,
            "reading": self.reading,
            "overstatement": str(self.overstatement),
            "kind": self.kind,
        }


@dataclass(frozen=True, slots=True)
class DiscrepancyReport:
    """The discrepancies of an audit so far (``comparison`` false: nothing to compare)."""

    audit: str
    method: Method
    comparison: bool
    note: str
    ballots_read: int  # distinct drawn ballots with a reading (phantoms included)
    draws_read: int  # draws of those ballots (the risk's count)
    discrepancies: tuple[Discrepancy, ...]
    counts: Discrepancies  # o1, o2, u1, u2 over draws
    other: int  # draws with a fractional overstatement

    def to_json(self) -> dict[str, object]:
        return {
            "audit": self.audit,
            "method": self.method.value,
            "comparison": self.comparison,
            "note": self.note,
            "ballots_read": self.ballots_read,
            "draws_read": self.draws_read,
            "counts": {
                "o2": self.counts.o2,
                "o1": self.counts.o1,
                "u1": self.counts.u1,
                "u2": self.counts.u2,
                "other": self.other,
            },
            "discrepancies": [d.to_json() for d in self.discrepancies],
        }


def _kind(e: Fraction) -> str:
    if e == 0:
        return "none"
    return KINDS.get(int(e), "other") if e.denominator == 1 else "other"


def _not_compared(spec: AuditSpec) -> str:
    if spec.contests:
        return (
            "several contests from one sample: each contest's discrepancies are in its "
            "assertions (audit status --json); this report covers one contest"
        )
    if spec.method.is_batch:
        return "a batch-comparison audit compares batch tallies, not ballots: see the report"
    return (
        f"a ballot-polling audit ({spec.method.value}) has no cast vote records: there is "
        "nothing to compare"
    )


def compares_ballots(spec: AuditSpec) -> bool:
    """Whether an audit compares each drawn ballot with its cast vote record (one contest, a
    ballot-comparison method): what has a discrepancy report."""
    return isinstance(spec.method.stored, ComparisonMethod) and not spec.contests


def discrepancy_report(store: AuditStore, name: str) -> DiscrepancyReport:
    """Every drawn ballot read so far whose reading differs from its record (module
    docstring), in the order first drawn.

    Raises
    ------
    StoreError
        No audit ``name`` in the store.
    """
    status = store.status(name)
    spec = status.spec
    method = spec.method.stored
    if not isinstance(method, ComparisonMethod) or not compares_ballots(spec):
        return DiscrepancyReport(
            name, spec.method, False, _not_compared(spec), 0, 0, (), Discrepancies(), 0
        )
    first: dict[str, tuple[int, str, str]] = {}  # id → (round, label, reading if phantom)
    times: dict[str, int] = {}
    for number in range(1, status.current_round + 1):
        for d in store.round_draws(name, number):
            times[d.ballot_id] = times.get(d.ballot_id, 0) + 1
            if d.ballot_id not in first:
                phantom = is_phantom(spec, d.jurisdiction, d.tabulator, d.batch)
                label = ballot_label(d.jurisdiction, d.tabulator, d.batch, d.position)
                first[d.ballot_id] = (number, label, NOT_FOUND if phantom else "")
    ids = list(first)
    readings = store.readings(name, ids)
    readings.update({bid: r for bid, (_n, _l, r) in first.items() if r})  # phantoms
    records = store.cast_vote_records(name, ids)
    imprints = store.imprints(name, ids)
    read = [bid for bid in ids if bid in readings]
    cvrs = [records.get(bid, PHANTOM) for bid in read]
    es = overstatements(spec, [readings[bid] for bid in read], cvrs)
    found = []
    per_draw: list[Fraction] = []
    for bid, cvr, e in zip(read, cvrs, es, strict=True):
        per_draw += [e] * times[bid]
        if readings[bid] == cvr and e == 0:
            continue
        number, label, _ = first[bid]
        found.append(
            Discrepancy(
                bid, label, imprints.get(bid, ""), number, times[bid], cvr, readings[bid], e,
                _kind(e),
            )
        )  # fmt: skip
    counts = Discrepancies.from_overstatements(per_draw)
    other = sum(1 for e in per_draw if _kind(e) == "other")
    note = (
        f"{len(found)} of {len(read)} ballots read differ from their cast vote records"
        if read
        else "no ballot has been read yet"
    )
    return DiscrepancyReport(
        name, spec.method, True, note, len(read), len(per_draw), tuple(found), counts, other
    )


def discrepancy_csv(report: DiscrepancyReport) -> str:
    """The report as CSV (:data:`DISCREPANCY_COLUMNS`, one row per ballot); a report with
    nothing to compare is the header alone."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(DISCREPANCY_COLUMNS)
    for d in report.discrepancies:
        w.writerow(
            [
                d.label,
                d.imprinted_id,
                d.first_round,
                d.times_drawn,
                d.cvr,
                d.reading,
                str(d.overstatement),
                d.kind,
            ]
        )
    return buf.getvalue()
