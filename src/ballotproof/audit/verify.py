"""One verifier for every copy of an audit's record: the store, and a published bundle.

The journal (:mod:`ballotproof.audit.journal`) is the record; a copy of the audit (the store's
tables, or the files of a published bundle) claims a specification, a manifest, the cast vote
records or reported batch tallies, the draws, every interpretation ever recorded and the result
of each closed round. :func:`verify_record` checks the copy against the journal and against a
recomputation from first principles, and reports every check, passed or failed:

1. the hash chain is intact (and its head is the one published, when given);
2. every journal entry is readable;
3. the specification, the manifest, the cast vote records and the batch tallies hash to what
   the journal committed when the audit started;
4. every interpretation (each version, corrections included) is the one journalled;
5. the round sizes are the journalled ones;
6. the draws, recomputed from the manifest and the public seed, are the claimed draws, and
   hash to what the journal committed when each round opened;
7. every drawn ballot of a closed round has a reading;
8. the risk and decision of every closed round, recomputed from the readings
   (:func:`ballotproof.audit.process.recompute`), are the claimed ones and the journalled ones.

The journal is read once, as a stream; a damaged entry (unreadable JSON, a missing key) is a
failed check, never an exception. So are the copy's draws and interpretations: the claimed draws
are compared with the redrawn ones in lockstep, and the interpretations with the journal's in
lockstep while they come in the journal's order (:class:`~ballotproof.audit.streaming.SameItems`),
so that an audit of millions of draws is verified without holding them. Pure: the caller reads
the files or the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ballotproof.audit.journal import (
    GENESIS,
    DrawsDigest,
    JournalEntry,
    batches_digest,
    chain_hash,
    cvr_digest,
    tallies_digest,
)
from ballotproof.audit.process import (
    AuditSpec,
    macro_batches,
    ppeb_draws,
    spec_to_json,
)
from ballotproof.audit.sampler import Batch, Draw, draw_sample
from ballotproof.audit.streaming import RoundReadings, SameItems
from ballotproof.errors import BallotproofError

__all__ = [
    "AuditRecord",
    "Check",
    "ClaimedDraw",
    "DamagedEntry",
    "Interpretation",
    "draw_row",
    "verify_record",
]


@dataclass(frozen=True, slots=True)
class Check:
    """One verification check and its outcome."""

    name: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class DamagedEntry:
    """A journal entry that could not be read (``where`` names file and line, or row)."""

    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class ClaimedDraw:
    """A draw as a copy of the audit states it; ``where`` (jurisdiction, container,
    tabulator, batch, position) when the copy keeps it; ``reading``, when the record says
    its draws carry readings (:attr:`AuditRecord.readings_in_draws`), the latest reading the
    copy holds for the ballot (``None``: none)."""

    order: int
    round: int
    ticket: str
    ballot_id: str
    generation: int
    where: tuple[str | None, str | None, str | None, str, int] | None = None
    reading: str | None = None


@dataclass(frozen=True, slots=True)
class Interpretation:
    """One recorded version of a ballot's (or a batch's) reading."""

    ballot_id: str
    version: int
    choice: str
    correction: bool
    note: str
    at: str

    def key(self) -> tuple[str, int, str, bool, str, str]:
        return (self.ballot_id, self.version, self.choice, self.correction, self.note, self.at)


@dataclass(frozen=True)
class AuditRecord:
    """What one copy of an audit claims.

    ``results`` are the closed rounds' results as JSON documents; ``started`` holds any
    further fields of the ``audit_started`` entry that the copy keeps (the store keeps the
    start time and the manifest's source and hash).

    ``draws`` (in draw order) and ``history`` (every version of every reading) may be streams:
    the verifier reads each once, the draws in lockstep with the redrawn ones and the history
    with the journal (in the journal's order it holds nothing; any order verifies). With
    ``readings_in_draws`` each claimed draw carries the latest reading of its ballot, and
    ``history`` is read a second time only if a claimed draw is not the redrawn one (to find the
    redrawn ballot's reading): it must then be an iterable that can be read again. Without it
    the verifier keeps the latest reading of every ballot while reading ``history``.
    """

    spec: AuditSpec
    batches: tuple[Batch, ...]
    round_sizes: tuple[int, ...]
    results: tuple[Mapping[str, Any], ...]
    draws: Iterable[ClaimedDraw]
    history: Iterable[Interpretation]
    cvrs: Mapping[str, str] | None = None
    reported: Mapping[str, Mapping[str, int]] | None = None
    started: Mapping[str, Any] = field(default_factory=dict)
    imprints: Mapping[str, str] | None = None
    head: str | None = None  # the journal head the copy states (a bundle's audit.json)
    readings_in_draws: bool = False


def draw_row(order: int, number: int, d: Draw) -> dict[str, Any]:
    """A draw as the journal commits to it (see :data:`ballotproof.audit.journal.DRAW_FIELDS`)."""
    b = d.ballot
    return {
        "seq": order,
        "round": number,
        "ticket": d.ticket,
        "ballot_id": d.id,
        "generation": d.generation,
        "jurisdiction": b.jurisdiction,
        "container": b.container,
        "tabulator": b.tabulator,
        "batch": b.batch,
        "position": b.position,
    }


@dataclass
class _Journal:
    """What one pass over the journal found."""

    broken: str | None = None
    unreadable: list[str] = field(default_factory=list)
    head: str = GENESIS
    entries: int = 0
    started: dict[str, Any] | None = None
    cvrs: dict[str, Any] | None = None
    tallies: dict[str, Any] | None = None
    opened: list[dict[str, Any]] = field(default_factory=list)
    closed: list[Any] = field(default_factory=list)


_KINDS = {"audit_started", "cvrs_committed", "batch_tallies_committed", "round_opened"}

_Key = tuple[str, int, str, bool, str, str]


def _read_journal(
    entries: Iterable[JournalEntry | DamagedEntry], interpretation: Callable[[_Key], None]
) -> _Journal:
    """One pass over the journal; each interpretation entry is handed to ``interpretation``."""
    j = _Journal()
    prev = GENESIS
    for e in entries:
        j.entries += 1
        if isinstance(e, DamagedEntry):
            j.unreadable.append(f"{e.where}: {e.reason}")
            j.broken = j.broken or e.where
            continue
        if j.broken is None and (
            e.prev_hash != prev or chain_hash(prev, e.kind, e.payload) != e.hash
        ):
            j.broken = f"entry {e.seq}"
        prev = j.head = e.hash
        try:
            p = json.loads(e.payload)
            if not isinstance(p, dict):
                raise TypeError("the payload is not an object")
            if e.kind in _KINDS:
                first = {
                    "audit_started": "started",
                    "cvrs_committed": "cvrs",
                    "batch_tallies_committed": "tallies",
                }.get(e.kind)
                if first is not None:
                    if getattr(j, first) is None:
                        setattr(j, first, p)
                else:
                    j.opened.append({"size": int(p["size"]), "draws_sha256": p["draws_sha256"]})
            elif e.kind == "round_closed":
                j.closed.append(p["result"])
            elif e.kind == "interpretation":
                interpretation(
                    (
                        str(p["ballot_id"]),
                        int(p["version"]),
                        str(p["choice"]),
                        bool(p["correction"]),
                        str(p["note"]),
                        str(p["at"]),
                    )
                )
        except (ValueError, KeyError, TypeError) as exc:
            j.unreadable.append(f"entry {e.seq} ({e.kind}): {type(exc).__name__} {exc}")
    return j


def _redraw(record: AuditRecord, total: int) -> Sequence[Draw]:
    spec = record.spec
    if not total:
        return ()
    if spec.method.is_batch:
        reported = macro_batches(record.batches, record.reported or {})
        return ppeb_draws(spec, record.batches, reported, total, 0)
    return draw_sample(record.batches, spec.seed, total).draws


def _keys(
    history: Iterable[Interpretation], latest: dict[str, tuple[int, str]] | None
) -> Iterator[_Key]:
    """The history as the journal's tuples, keeping the latest reading of each ballot in
    ``latest`` on the way (unless ``None``)."""
    for h in history:
        if latest is not None:
            seen = latest.get(h.ballot_id)
            if seen is None or seen[0] < h.version:
                latest[h.ballot_id] = (h.version, h.choice)
        yield h.key()


def _latest(history: Iterable[Interpretation]) -> dict[str, tuple[int, str]]:
    latest: dict[str, tuple[int, str]] = {}
    for _ in _keys(history, latest):
        pass
    return latest


@dataclass
class _Draws:
    """What one pass over the redrawn and the claimed draws found."""

    recomputed: int = 0
    claimed: int = 0
    same: bool = True
    digests: list[str] = field(default_factory=list)


_PIECE = 10_000  # rows hashed at a time


def _compare_draws(
    record: AuditRecord,
    redrawn: Sequence[Draw],
    readings: RoundReadings,
    latest: dict[str, tuple[int, str]] | None,
) -> _Draws:
    """Walk the redrawn draws and the claimed ones in lockstep: compare them, hash each round's
    draws as the journal committed them, and hand every draw of a closed round, with the latest
    reading of its ballot, to ``readings``."""
    out = _Draws()
    bounds = [0, *record.round_sizes]
    digests = [DrawsDigest() for _ in record.round_sizes]
    closed = len(record.results)
    cvrs = record.cvrs
    claimed = iter(record.draws)
    piece: list[tuple[Any, ...]] = []
    number = 1
    for d in redrawn:
        while number < len(bounds) - 1 and d.order > bounds[number]:
            digests[number - 1].add(piece)
            piece = []
            number += 1
        b = d.ballot
        row = (
            d.order,
            number,
            d.ticket,
            d.id,
            d.generation,
            b.jurisdiction,
            b.container,
            b.tabulator,
            b.batch,
            b.position,
        )
        piece.append(row)
        if len(piece) >= _PIECE:
            digests[number - 1].add(piece)
            piece = []
        out.recomputed += 1
        c = next(claimed, None)
        if c is None:
            out.same = False
        else:
            out.claimed += 1
            if out.same and (
                (c.order, c.round, c.ticket, c.ballot_id, c.generation) != row[:5]
                or (c.where is not None and c.where != row[5:])
            ):
                out.same = False
        if number <= closed:
            if record.readings_in_draws and c is not None and c.ballot_id == d.id:
                reading = c.reading
            else:
                if latest is None:  # the claimed draw is not this one: look its ballot up
                    latest = _latest(record.history)
                seen = latest.get(d.id)
                reading = None if seen is None else seen[1]
            readings.add(
                number,
                d.id,
                b.jurisdiction,
                b.tabulator,
                b.batch,
                reading,
                cvrs.get(d.id) if cvrs else None,
            )
    if piece:
        digests[number - 1].add(piece)
    for _ in claimed:
        out.claimed += 1
        out.same = False
    out.digests = [h.hexdigest() for h in digests]
    return out


def verify_record(
    record: AuditRecord | None,
    journal: Iterable[JournalEntry | DamagedEntry],
    *,
    expected_head: str | None = None,
    problems: Sequence[Check] = (),
) -> tuple[Check, ...]:
    """Check one copy of an audit against its journal and a recomputation (module docstring).

    ``record`` is ``None`` when the copy could not be read at all; ``problems`` are failed
    checks the caller found while reading it (a damaged file, say). Every check is reported.
    """
    latest: dict[str, tuple[int, str]] | None = None
    match: SameItems[_Key] | None = None
    if record is not None:
        latest = None if record.readings_in_draws else {}
        match = SameItems(_keys(record.history, latest))
    j = _read_journal(journal, match.journalled if match is not None else lambda _: None)
    checks: list[Check] = [
        Check(
            "journal hash chain",
            j.broken is None and j.entries > 0,
            "intact"
            if j.broken is None and j.entries
            else ("empty" if not j.entries else f"broken at {j.broken}"),
        ),
        Check(
            "journal entries readable",
            not j.unreadable,
            f"{j.entries} entries" + (f"; {j.unreadable[0]}" if j.unreadable else ""),
        ),
    ]
    if expected_head is not None:
        checks.append(
            Check(
                "journal head matches the published hash",
                j.head == expected_head,
                f"journal {j.head}, published {expected_head}",
            )
        )
    checks += problems
    if record is None:
        return tuple(checks)
    if record.head is not None:
        checks.append(
            Check(
                "journal head matches the copy's",
                j.head == record.head,
                f"journal {j.head[:16]}…, stated {record.head[:16]}…",
            )
        )
    spec = record.spec
    s = j.started or {}
    checks.append(
        Check(
            "audit specification matches the journal",
            j.started is not None
            and s.get("spec") == spec_to_json(spec)
            and all(s.get(k) == v for k, v in record.started.items()),
            "seed, contest, risk limit, method"
            + (", " + ", ".join(sorted(record.started)) if record.started else "")
            + " as first journalled",
        )
    )
    checks.append(
        Check(
            "manifest matches the journal",
            j.started is not None
            and s.get("batches") == len(record.batches)
            and s.get("batches_sha256") == batches_digest(record.batches),
            f"{len(record.batches)} batches, every field hashed",
        )
    )
    if spec.method.is_comparison or j.cvrs is not None or record.cvrs:
        cvrs = record.cvrs or {}
        checks.append(
            Check(
                "cast vote records match the journal's commitment",
                j.cvrs is not None and j.cvrs.get("sha256") == cvr_digest(cvrs),
                f"{len(cvrs)} records hashed",
            )
        )
    if record.imprints or (j.cvrs is not None and "imprints_sha256" in j.cvrs):
        imprints = record.imprints or {}
        checks.append(
            Check(
                "imprinted ballot ids match the journal's commitment",
                j.cvrs is not None and j.cvrs.get("imprints_sha256") == cvr_digest(imprints),
                f"{len(imprints)} ids hashed",
            )
        )
    if spec.method.is_batch or j.tallies is not None or record.reported:
        reported = record.reported or {}
        checks.append(
            Check(
                "reported batch tallies match the journal's commitment",
                j.tallies is not None and j.tallies.get("sha256") == tallies_digest(reported),
                f"{len(reported)} batches hashed",
            )
        )
    assert match is not None
    same = match.same()
    checks.append(
        Check(
            "interpretations match the journal",
            same,
            f"{match.claimed} claimed, {match.journalled_count} journalled",
        )
    )
    checks.append(
        Check(
            "round sizes match the journal",
            [o["size"] for o in j.opened] == list(record.round_sizes),
            f"sizes {list(record.round_sizes)}",
        )
    )
    total = record.round_sizes[-1] if record.round_sizes else 0
    error = None
    redrawn: Sequence[Draw] = ()
    try:
        redrawn = _redraw(record, total)
    except BallotproofError as exc:  # a damaged manifest or tally cannot even be drawn
        error = f"cannot redraw: {exc}"
    closed = len(record.results)
    readings = RoundReadings(closed)
    drawn = _compare_draws(record, redrawn, readings, latest)
    del redrawn
    checks.append(
        Check(
            "draws recomputed from manifest and seed",
            error is None and drawn.recomputed == total and drawn.same,
            error or f"{drawn.recomputed} draws recomputed, {drawn.claimed} claimed",
        )
    )
    checks.append(
        Check(
            "drawn ballots (with where they are) match the journal",
            error is None and [o["draws_sha256"] for o in j.opened] == drawn.digests,
            f"{len(j.opened)} round(s) compared",
        )
    )
    try:
        recomputed = [
            x.to_json() for x in readings.recompute(spec, record.batches, reported=record.reported)
        ]
        ok = error is None and recomputed == [dict(r) for r in record.results]
        detail = f"{closed} closed round(s) recomputed"
        if not ok and error is None:
            diffs = [
                n + 1
                for n, (a, b) in enumerate(zip(recomputed, record.results, strict=False))
                if a != dict(b)
            ]
            detail += f"; differing rounds: {diffs or 'count differs'}"
        missing = None
    except KeyError as exc:
        ok, detail, missing = False, f"a closed round lacks the reading of {exc}", str(exc)
    except BallotproofError as exc:
        ok, detail, missing = False, str(exc), None
    checks.append(
        Check(
            "every drawn ballot of a closed round has a reading",
            missing is None,
            "none missing" if missing is None else f"no reading of {missing}",
        )
    )
    checks.append(Check("risk and decisions recomputed from the readings", ok, detail))
    checks.append(
        Check(
            "round results match the journal",
            j.closed == [dict(r) for r in record.results],
            f"{len(j.closed)} journalled, {closed} claimed",
        )
    )
    return tuple(checks)
