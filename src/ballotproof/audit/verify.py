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
failed check, never an exception. So are the copy's interpretations (compared with the
journal's in lockstep while they come in the journal's order,
:class:`~ballotproof.audit.streaming.SameItems`, keeping only the latest reading of each
ballot) and its draws (hashed, with the reading of each, before the draws are recomputed and
hashed in turn), so that an audit of millions of draws is verified without holding them.
Pure: the caller reads the files or the database.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from ballotproof.audit.journal import (
    GENESIS,
    DrawsDigest,
    JournalEntry,
    batches_digest,
    chain_hash,
    cvr_digest,
    interpretation_payload,
    tallies_digest,
)
from ballotproof.audit.multi import reported_problems
from ballotproof.audit.process import (
    AuditSpec,
    macro_batches,
    ppeb_draws,
    spec_to_json,
)
from ballotproof.audit.sampler import Batch, Draw, DrawRow, PartPool, draw_rows, draw_sample
from ballotproof.audit.streaming import LatestReadings, RoundReadings, gc_paused
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


class ClaimedDraw(NamedTuple):
    """A draw as a copy of the audit states it; ``where`` (jurisdiction, container,
    tabulator, batch, position) when the copy keeps it. A named tuple: a copy has millions."""

    order: int
    round: int
    ticket: str
    ballot_id: str
    generation: int
    where: tuple[str | None, str | None, str | None, str, int] | None = None


class Interpretation(NamedTuple):
    """One recorded version of a ballot's (or a batch's) reading (a named tuple whose fields
    are those of the journal's ``interpretation`` entry, in :meth:`key` order)."""

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

    ``draws`` (in draw order) and ``history`` (every version of every reading) may be streams,
    read once each: the history with the journal (in the journal's order nothing of it is held
    but the latest reading of each ballot; any order verifies), then the draws. Only when the
    claimed draws are not the recomputed ones is ``history`` read again (for the readings of
    the recomputed ballots): it must be an iterable that can be read twice.
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
    # The claimed draws as plain rows of every field of DRAW_FIELDS, in draw order (a store
    # reads them so): when given, read instead of ``draws``, without a ClaimedDraw each.
    draw_rows: Iterable[Sequence[Any]] | None = None


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
_VERSION = itemgetter(0, 1, 2)  # an interpretation's (ballot id, version, choice)


def _interpretation_of(payload: str) -> _Key:
    """An ``interpretation`` entry's payload as a key (``ValueError``, ``KeyError`` or
    ``TypeError`` if it is unreadable)."""
    p = json.loads(payload)
    if not isinstance(p, dict):
        raise TypeError("the payload is not an object")
    return (
        str(p["ballot_id"]),
        int(p["version"]),
        str(p["choice"]),
        bool(p["correction"]),
        str(p["note"]),
        str(p["at"]),
    )


def _digest(key: _Key) -> bytes:
    return hashlib.sha256(repr(key).encode()).digest()


class _Interpretations:
    """The copy's interpretations (``history``, a stream) against the journal's entries, as
    multisets: each version as often on both sides, in any order.

    While the copy gives them in the journal's order they are compared in lockstep, by the
    payload's text (the canonical text of the copy's row: equal text, equal values, and no
    JSON to parse), holding nothing. From the first difference on (another order, an edit, one
    missing or added) the rest of both sides are compared as sorted SHA-256 digests of their
    keys: exact, and a few dozen bytes an interpretation. The latest reading of each ballot is
    kept on the way (:attr:`latest`).
    """

    def __init__(self, history: Iterable[Interpretation]) -> None:
        self._claimed = iter(history)
        self.latest = LatestReadings()
        self.claimed = 0
        self.journalled = 0
        self._ours: list[bytes] | None = None  # digests, once out of step
        self._theirs: list[bytes] = []
        self._piece: list[Interpretation] = []  # read ahead, a piece at a time
        self._at = 0

    def _next(self) -> Interpretation | None:
        if self._at == len(self._piece):
            self._piece = list(islice(self._claimed, _PIECE))
            self._at = 0
            if not self._piece:
                return None
            self.claimed += len(self._piece)
            self.latest.extend(map(_VERSION, self._piece))
        h = self._piece[self._at]
        self._at += 1
        return h

    def journal(self, payload: str) -> None:
        """One ``interpretation`` entry's payload (raises as :func:`_interpretation_of` if it
        is unreadable; it is then not counted)."""
        if self._ours is None:
            at = self._at
            if at < len(self._piece):  # the next of the piece read ahead, without a call
                h: Interpretation | None = self._piece[at]
                self._at = at + 1
            else:
                h = self._next()
            if h is not None and interpretation_payload(*h) == payload:
                self.journalled += 1
                return
            self._ours = [] if h is None else [_digest(h.key())]
        self._theirs.append(_digest(_interpretation_of(payload)))
        self.journalled += 1

    def same(self) -> bool:
        """Reads what is left of the copy's; call once, after the journal."""
        while (h := self._next()) is not None:
            if self._ours is None:
                self._ours = []
            self._ours.append(_digest(h.key()))
        return self._ours is None or sorted(self._ours) == sorted(self._theirs)


def _read_journal(
    entries: Iterable[JournalEntry | DamagedEntry], interpretation: Callable[[str], object]
) -> _Journal:
    """One pass over the journal; each interpretation entry's payload is handed to
    ``interpretation`` (which raises if it is unreadable)."""
    j = _Journal()
    prev = GENESIS
    stream = iter(entries)
    while piece := list(islice(stream, _PIECE)):
        # Each entry's hash is computed from the previous hash it states, a piece at a time in
        # C-level passes; it is the chain's hash wherever that is the previous entry's hash,
        # which is checked first.
        hashes = (
            _chain_hashes(piece)
            if j.broken is None and not any(isinstance(e, DamagedEntry) for e in piece)
            else None
        )
        for i, e in enumerate(piece):
            j.entries += 1
            if isinstance(e, DamagedEntry):
                j.unreadable.append(f"{e.where}: {e.reason}")
                j.broken = j.broken or e.where
                continue
            if j.broken is None and (
                e.prev_hash != prev
                or (hashes[i] if hashes else chain_hash(prev, e.kind, e.payload)) != e.hash
                or e.seq != j.entries  # the hashes do not cover the numbering: 1, 2, 3 …
            ):
                j.broken = f"entry {e.seq}"
            prev = e.hash
            if e.kind != "interpretation":
                _entry(j, e, interpretation)
                continue
            try:
                interpretation(e.payload)
            except (ValueError, KeyError, TypeError) as exc:
                j.unreadable.append(f"entry {e.seq} ({e.kind}): {type(exc).__name__} {exc}")
        j.head = prev
    return j


_HEX = type(hashlib.sha256()).hexdigest


def _chain_hashes(entries: Sequence[JournalEntry | DamagedEntry]) -> list[str]:
    """:func:`~ballotproof.audit.journal.chain_hash` of each entry from the previous hash it
    states (every entry is a :class:`JournalEntry`)."""
    texts = map(
        "{}\n{}\n{}".format,
        map(attrgetter("prev_hash"), entries),
        map(attrgetter("kind"), entries),
        map(attrgetter("payload"), entries),
    )
    return list(map(_HEX, map(hashlib.sha256, map(str.encode, texts))))


def _entry(j: _Journal, e: JournalEntry, interpretation: Callable[[str], object]) -> None:
    """What one readable entry says."""
    try:
        if e.kind == "interpretation":
            interpretation(e.payload)
            return
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
    except (ValueError, KeyError, TypeError) as exc:
        j.unreadable.append(f"entry {e.seq} ({e.kind}): {type(exc).__name__} {exc}")


def _redraw(
    record: AuditRecord, total: int, pool: PartPool | None = None
) -> Iterator[list[DrawRow]]:
    """The draws recomputed from the manifest and the seed, a piece at a time (a statewide
    sample is never held as objects); ``pool`` hashes a large manifest in parts."""
    spec = record.spec
    if not total:
        return iter(())
    if spec.method.is_batch:
        reported = macro_batches(record.batches, record.reported or {})
        return draw_rows(ppeb_draws(spec, record.batches, reported, total, 0), _PIECE)
    return draw_sample(
        record.batches, spec.seed, total, with_replacement=spec.replacement, pool=pool
    ).rows(_PIECE)


_PIECE = 10_000  # rows hashed at a time


def _latest(history: Iterable[Interpretation]) -> LatestReadings:
    latest = LatestReadings()
    for h in history:
        latest.add(h.ballot_id, h.version, h.choice)
    return latest


@dataclass
class _Claimed:
    """What one pass over the claimed draws found: their count and digest (each draw as
    ``(order, round, ticket, ballot id, generation)`` and its where, if claimed), and the
    latest reading of each one's ballot, as a code into ``readings``."""

    count: int = 0
    digest: str = ""
    all_where: bool = True
    where: bytearray = field(default_factory=bytearray)
    codes: array[int] = field(default_factory=lambda: array("I"))
    readings: list[str | None] = field(default_factory=lambda: [None])


class _Codes(dict[str | None, int]):
    """Each distinct reading's code, its place in ``readings`` (given one when first met)."""

    def __init__(self, readings: list[str | None]) -> None:
        super().__init__((r, i) for i, r in enumerate(readings))
        self.readings = readings

    def __missing__(self, reading: str | None) -> int:
        n = self[reading] = len(self.readings)
        self.readings.append(reading)
        return n


def _read_claimed(draws: Iterable[ClaimedDraw], latest: LatestReadings) -> _Claimed:
    out = _Claimed()
    digest = DrawsDigest()
    code = _Codes(out.readings)
    reading = latest.lookup
    stream = iter(draws)
    while piece := list(islice(stream, _PIECE)):
        if all(c.where is not None for c in piece):
            digest.add([c[:5] + c.where for c in piece])  # type: ignore[operator]
            out.where.extend(b"\x01" * len(piece))
        else:
            out.all_where = False
            digest.add([c[:5] if c.where is None else c[:5] + c.where for c in piece])
            out.where.extend(0 if c.where is None else 1 for c in piece)
        out.codes.extend(map(code.__getitem__, map(reading, map(_BALLOT_ID, piece))))
    out.count = digest.rows
    out.digest = digest.hexdigest()
    return out


_BALLOT_ID = itemgetter(3)  # a claimed draw's ballot id
# Fields of a draw as the journal commits it: (order, round, ticket, id, generation,
# jurisdiction, container, tabulator, batch, position).
_JURISDICTION, _TABULATOR, _BATCH = itemgetter(5), itemgetter(7), itemgetter(8)


def _read_claimed_rows(rows: Iterable[Sequence[Any]], latest: LatestReadings) -> _Claimed:
    """:func:`_read_claimed` of draws given as rows of every field of ``DRAW_FIELDS``."""
    out = _Claimed()
    digest = DrawsDigest()
    code = _Codes(out.readings)
    reading = latest.lookup
    stream = iter(rows)
    while piece := list(islice(stream, _PIECE)):
        digest.add(piece)
        out.where.extend(b"\x01" * len(piece))
        out.codes.extend(map(code.__getitem__, map(reading, map(_BALLOT_ID, piece))))
    out.count = digest.rows
    out.digest = digest.hexdigest()
    return out


@dataclass
class _Redrawn:
    """What one pass over the recomputed draws found: their count, the digest of each round as
    the journal commits it, and the digest of the claimed fields."""

    count: int = 0
    rounds: list[str] = field(default_factory=list)
    digest: str = ""


def _read_redrawn(
    record: AuditRecord,
    redrawn: Iterable[list[DrawRow]],
    claimed: _Claimed,
    readings: RoundReadings | None,
) -> _Redrawn:
    """Hash the recomputed draws (each round as the journal committed it, and all of them as
    the copy claims them), handing every draw of a closed round to ``readings`` with the reading
    the copy's draw in the same place had (right when the claimed draws are these)."""
    bounds = [0, *record.round_sizes]
    per_round = [DrawsDigest() for _ in record.round_sizes]
    whole = DrawsDigest()
    closed = len(record.results)
    cvrs = record.cvrs
    codes, texts, where = claimed.codes, claimed.readings, claimed.where

    def flush(rows: list[tuple[Any, ...]], number: int, start: int) -> None:
        if claimed.all_where:  # the claimed fields are those the journal commits to
            per_round[number - 1].add(rows, whole)
            return
        per_round[number - 1].add(rows)
        whole.add(r if i < len(where) and where[i] else r[:5] for i, r in enumerate(rows, start))

    number, count = 1, 0
    for drawn in redrawn:
        for part in _by_round(drawn, bounds, number):
            number = part[0][1]
            flush(part, number, count)
            if readings is not None and number <= closed:
                # Each draw's fields in C-level passes; past the claimed draws, no reading.
                n = len(part)
                ids = list(map(_BALLOT_ID, part))
                readings.extend(
                    zip(
                        repeat(number, n),
                        ids,
                        map(_JURISDICTION, part),
                        map(_TABULATOR, part),
                        map(_BATCH, part),
                        chain(map(texts.__getitem__, codes[count : count + n]), repeat(None)),
                        map(cvrs.get, ids) if cvrs else repeat(None),
                        strict=False,  # the first ends it; the last two go on
                    )
                )
            count += len(part)
    return _Redrawn(count, [h.hexdigest() for h in per_round], whole.hexdigest())


def _by_round(
    drawn: list[DrawRow], bounds: Sequence[int], number: int
) -> Iterator[list[tuple[Any, ...]]]:
    """A piece of recomputed draws as the journal commits them (``(order, round, ticket, id,
    generation, where…)``), cut where a round ends; ``number`` is the round of the first."""
    start = 0
    while start < len(drawn):
        while number < len(bounds) - 1 and drawn[start][0] > bounds[number]:
            number += 1
        stop = len(drawn)
        if number < len(bounds) - 1:
            stop = min(stop, start + max(bounds[number] - drawn[start][0] + 1, 1))
        yield [(r[0], number, *r[1:]) for r in drawn[start:stop]]
        start = stop


def _readings_of(
    record: AuditRecord, redrawn: Iterable[list[DrawRow]], latest: LatestReadings
) -> RoundReadings:
    """Every draw of a closed round with the latest reading of its ballot, looked up by id."""
    bounds = [0, *record.round_sizes]
    closed = len(record.results)
    readings = RoundReadings(closed)
    cvrs = record.cvrs
    number = 1
    for drawn in redrawn:
        for part in _by_round(drawn, bounds, number):
            number = part[0][1]
            if number > closed:
                return readings
            readings.extend(
                (number, r[3], r[5], r[7], r[8], latest.get(r[3]), cvrs.get(r[3]) if cvrs else None)
                for r in part
            )
    return readings


def verify_record(
    record: AuditRecord | None,
    journal: Iterable[JournalEntry | DamagedEntry],
    *,
    expected_head: str | None = None,
    problems: Sequence[Check] = (),
    pool: PartPool | None = None,
) -> tuple[Check, ...]:
    """Check one copy of an audit against its journal and a recomputation (module docstring).

    ``record`` is ``None`` when the copy could not be read at all; ``problems`` are failed
    checks the caller found while reading it (a damaged file, say). Every check is reported.
    ``pool`` (from an edge) lets the recomputed sample hash a large manifest in parts.
    """
    with gc_paused():
        return _verify(record, journal, expected_head=expected_head, problems=problems, pool=pool)


def _verify(
    record: AuditRecord | None,
    journal: Iterable[JournalEntry | DamagedEntry],
    *,
    expected_head: str | None,
    problems: Sequence[Check],
    pool: PartPool | None = None,
) -> tuple[Check, ...]:
    match = _Interpretations(record.history) if record is not None else None
    j = _read_journal(journal, match.journal if match is not None else _interpretation_of)
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
    if spec.contests:
        disagree = reported_problems(
            spec, record.cvrs or {}, sum(b.ballots for b in record.batches)
        )
        checks.append(
            Check(
                "contests' cards and margins match the cast vote records",
                not disagree,
                "; ".join(disagree[:3])
                or f"{len(spec.contests)} contests, {len(spec.margins)} assertion margins",
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
            f"{match.claimed} claimed, {match.journalled} journalled",
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
    closed = len(record.results)
    # The claimed draws are read (and hashed) before the draws are recomputed, and the latest
    # readings let go: the recomputed sample is the largest thing a verification holds.
    claimed = (
        _read_claimed(record.draws, match.latest)
        if record.draw_rows is None
        else _read_claimed_rows(record.draw_rows, match.latest)
    )
    del match
    error = None
    redrawn: Iterable[list[DrawRow]] = ()
    try:
        redrawn = _redraw(record, total, pool)
    except BallotproofError as exc:  # a damaged manifest or tally cannot even be drawn
        error = f"cannot redraw: {exc}"
    readings = RoundReadings(closed)
    drawn = _read_redrawn(record, redrawn, claimed, readings)
    del redrawn
    same = drawn.count == claimed.count and drawn.digest == claimed.digest
    if not same and error is None:
        # The claimed draws are not these: each recomputed ballot's reading, by its id (the
        # draws recomputed again, as they were never held).
        del readings
        readings = _readings_of(record, _redraw(record, total, pool), _latest(record.history))
    checks.append(
        Check(
            "draws recomputed from manifest and seed",
            error is None and drawn.count == total and same,
            error or f"{drawn.count} draws recomputed, {claimed.count} claimed",
        )
    )
    checks.append(
        Check(
            "drawn ballots (with where they are) match the journal",
            error is None and [o["draws_sha256"] for o in j.opened] == drawn.rounds,
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
