"""The audit store: it persists an audit and its journal, and nothing more.

Rules kept here:

* **All or nothing.** Every public method runs in one database transaction; any error rolls it
  back, so an interrupted ``audit record`` never leaves half a round.
* **Nothing recorded is lost or silently changed.** Interpretations are append-only: recording
  the same ballot again with the same choice does nothing; with a different choice it is
  refused unless it is an explicit correction, which is stored as a new version beside the old.
* **Tamper evidence.** Every change is journalled in a SHA-256 hash chain
  (:mod:`ballotproof.audit.journal`); :meth:`AuditStore.verify` hands the stored copy and the
  journal, streamed, to the one pure verifier (:mod:`ballotproof.audit.verify`) that also
  checks published bundles.
* **Writes cost the same in any audit.** Recording reads only the draws and readings of the
  ballots being recorded and counts what is left with SQL; the whole audit is read only when a
  round closes (its risk needs every reading) and by the read-only views.
* **Memory does not grow with the audit.** Draws, readings and journal entries are written,
  hashed and read a piece at a time: a round closes from one SQL pass over the draws joined
  with their latest readings (held as a few shared objects,
  :class:`~ballotproof.audit.streaming.RoundReadings`), and ``verify`` streams the draws,
  the interpretations (in the journal's order) and the journal.

The statistics live in :mod:`ballotproof.audit` (what a round decides, how round 1 is sized);
the choices of what to start and how are the application layer's
(:mod:`ballotproof.usecases`).
"""

from __future__ import annotations

import collections
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from ballotproof.audit.contest import Decision
from ballotproof.audit.journal import (
    DRAW_FIELDS,
    GENESIS,
    DrawsDigest,
    JournalEntry,
    batches_digest,
    canonical,
    chain_hash,
    cvr_digest,
    interpretation_payload,
    tallies_digest,
)
from ballotproof.audit.process import (
    PHANTOM_BATCH,
    AuditSpec,
    DrawnBallot,
    RoundResult,
    batch_first_round,
    batch_reading,
    first_round_size,
    is_phantom,
    macro_batches,
    parse_batch_reading,
    ppeb_draws,
    recompute,
    spec_from_json,
    spec_to_json,
)
from ballotproof.audit.sampler import Ballot, Batch, DrawRow, draw_rows, draw_sample
from ballotproof.audit.streaming import LatestReadings, RoundReadings, gc_paused
from ballotproof.audit.verify import (
    AuditRecord,
    Check,
    ClaimedDraw,
    Interpretation,
    verify_record,
)
from ballotproof.errors import AnalysisError, StoreError
from ballotproof.parallel import ProcessPool
from ballotproof.store import schema
from ballotproof.store.migrate import migrate

__all__ = [
    "AuditStatus",
    "AuditStore",
    "Check",
    "StoredAudit",
    "StoredDraw",
    "open_store",
]

_CHUNK = 500  # ids per IN (…) query: well inside every backend's parameter limit
_PIECE = 10_000  # rows written, hashed or read at a time: memory stays flat in any audit
_IN = 5_000  # ids per IN (…) of the bulk paths (SQLite allows 32,766 parameters, PostgreSQL 65,535)
_RANGE = 100  # sorted ids from which a recording reads a range of the ballot index (SQLite)
_BULK = 200_000  # draws of a round from which SQLite rebuilds the ballot index after writing them
_CACHE_KIB = 65_536  # SQLite's page cache, at most (its default is 2 MiB)

T = TypeVar("T")


def _short(exc: SQLAlchemyError) -> str:
    """The database's own one-line reason, without SQLAlchemy's SQL and parameter dump."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


class _Reread(Generic[T]):
    """An iterable that reads its rows afresh each time it is iterated (a stream from the
    database that the verifier may need twice)."""

    def __init__(self, rows: Callable[[], Iterator[T]]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[T]:
        return self._rows()


@dataclass(frozen=True, slots=True)
class StoredDraw:
    """A draw as stored: its round and where the ballot is (the Ballot is built on demand:
    an audit of millions of draws should not build millions of objects it rarely needs)."""

    seq: int
    round: int
    ticket: str
    ballot_id: str
    generation: int
    jurisdiction: str | None
    container: str | None
    tabulator: str | None
    batch: str
    position: int

    @property
    def ballot(self) -> Ballot:
        return Ballot(self.jurisdiction, self.tabulator, self.batch, self.position, self.container)

    def drawn(self) -> DrawnBallot:
        return DrawnBallot(self.ballot_id, self.jurisdiction, self.tabulator, self.batch)


@dataclass(frozen=True, slots=True)
class AuditStatus:
    """An audit's state without its draws: what status pages and every write return.

    ``missing[j]`` counts the distinct ballots (or batches) of round j + 1 still unread
    (phantoms need no reading).
    """

    spec: AuditSpec
    round_sizes: tuple[int, ...]
    results: tuple[RoundResult | None, ...]
    missing: tuple[int, ...]
    journal_head: str
    journal_length: int

    @property
    def current_round(self) -> int:
        return len(self.round_sizes)

    @property
    def decision(self) -> Decision | None:
        last = self.results[-1] if self.results else None
        return None if last is None else last.decision


@dataclass(frozen=True, slots=True)
class StoredAudit:
    """Everything stored about one audit (read-only views: export, sample lists, reports).

    ``interpretations`` holds the latest version per ballot id; ``history`` every version, in
    order, as (ballot id, version, choice, correction, note, recorded at).
    """

    spec: AuditSpec
    created_at: str
    manifest_source: str
    manifest_sha256: str
    batches: tuple[Batch, ...]
    round_sizes: tuple[int, ...]
    results: tuple[RoundResult | None, ...]
    draws: tuple[StoredDraw, ...]
    interpretations: dict[str, str]
    history: tuple[tuple[str, int, str, bool, str, str], ...]
    journal_head: str
    journal_length: int
    cvrs: dict[str, str] = field(default_factory=dict)
    reported: dict[str, dict[str, int]] = field(default_factory=dict)
    imprints: dict[str, str] = field(default_factory=dict)

    def evaluate(self, interpretations: Mapping[str, str], upto: int) -> tuple[RoundResult, ...]:
        """Recompute rounds 1…upto from the readings (any method)."""
        rounds = [[d.drawn() for d in self.round_draws(r)] for r in range(1, upto + 1)]
        return recompute(
            self.spec,
            self.batches,
            rounds,
            interpretations,
            cvrs=self.cvrs,
            reported=self.reported,
        )

    @property
    def current_round(self) -> int:
        return len(self.round_sizes)

    def round_draws(self, number: int) -> tuple[StoredDraw, ...]:
        return tuple(d for d in self.draws if d.round == number)

    def is_phantom(self, d: StoredDraw) -> bool:
        return is_phantom(self.spec, d.jurisdiction, d.tabulator, d.batch)

    def missing(self, number: int | None = None) -> tuple[StoredDraw, ...]:
        """Draws of a round (default: the current one) still to be read (phantoms need none)."""
        n = self.current_round if number is None else number
        return tuple(
            d
            for d in self.round_draws(n)
            if d.ballot_id not in self.interpretations and not self.is_phantom(d)
        )

    @property
    def decision(self) -> Decision | None:
        last = self.results[-1] if self.results else None
        return None if last is None else last.decision

    def record(self) -> AuditRecord:
        """This copy of the audit, as the verifier reads it."""
        return AuditRecord(
            spec=self.spec,
            batches=self.batches,
            round_sizes=self.round_sizes,
            results=tuple(r.to_json() for r in self.results if r is not None),
            draws=[
                ClaimedDraw(
                    d.seq,
                    d.round,
                    d.ticket,
                    d.ballot_id,
                    d.generation,
                    (d.jurisdiction, d.container, d.tabulator, d.batch, d.position),
                )
                for d in self.draws
            ],
            history=[Interpretation(*h) for h in self.history],
            cvrs=self.cvrs or None,
            reported=self.reported or None,
            started={
                "at": self.created_at,
                "manifest_sha256": self.manifest_sha256,
                "manifest_source": self.manifest_source,
            },
            imprints=self.imprints or None,
        )


def _loads(text: str, what: str) -> Any:
    """Stored JSON, or a StoreError saying the record was damaged."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise StoreError(
            f"the stored {what} is unreadable ({exc}); the record was damaged"
        ) from exc


def _tally(text: str) -> dict[str, int]:
    value = _loads(text, "batch tally")
    if not isinstance(value, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    ):
        raise StoreError("a stored batch tally is damaged")
    return {str(k): int(v) for k, v in value.items()}


def _result_from_json(text: str) -> RoundResult:
    d = _loads(text, "round result")
    try:
        return RoundResult(
            d["round"],
            d["size"],
            d["sample"],
            d["risk"],
            d["pair_risks"],
            Decision(d["decision"]),
            d["next_size"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"a stored round result is damaged ({exc!r})") from exc


def _spec_of(name: str, text: str) -> AuditSpec:
    try:
        return spec_from_json(json.loads(text))
    except (ValueError, KeyError, TypeError, AnalysisError) as exc:
        raise StoreError(
            f"audit {name!r}: its stored specification is unreadable ({exc}); the record was "
            "damaged"
        ) from exc


@dataclass
class _Writer:
    """Appends journal entries within one transaction (written in bulk by ``flush``, and a
    piece at a time as they accumulate, so that a round of millions is never held whole)."""

    conn: Connection
    audit: str
    head: str
    seq: int
    pending: list[tuple[int, str, str, str, str]] = field(default_factory=list)

    def log(self, kind: str, payload: Any) -> None:
        self.log_text(kind, canonical(payload))

    def log_text(self, kind: str, text: str) -> None:
        """Journal a payload already in canonical JSON."""
        new = chain_hash(self.head, kind, text)
        self.seq += 1
        self.pending.append((self.seq, kind, text, self.head, new))
        self.head = new
        if len(self.pending) >= _PIECE:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            _insert(self.conn, schema.journal, _JOURNAL_KEYS, self.audit, self.pending)
            self.pending = []


# The bulk paths (a round's draws, a recording's readings and journal entries, the reads of
# closing a round and of verify) talk to the driver directly, with plain tuples: SQLAlchemy's
# per-row work (a dict of parameters in, a Row out) was most of their time. Same SQL, same
# transaction; "?" placeholders become the driver's own.


def _sql(conn: Connection, text: str) -> str:
    return text if conn.dialect.paramstyle == "qmark" else text.replace("?", "%s")


def _cursor(conn: Connection, *, stream: bool = False) -> Any:
    dbapi = conn.connection.dbapi_connection
    if dbapi is None:  # pragma: no cover - a closed connection
        raise StoreError("the audit database connection is closed")
    if stream and conn.dialect.name == "postgresql":
        # A server-side cursor: the rows arrive a piece at a time, not all at once.
        return dbapi.cursor(name=f"ballotproof_{id(conn):x}_{next(_cursor_names)}")
    return dbapi.cursor()


_cursor_names = iter(range(1, 1 << 62))


def _rows(
    conn: Connection, text: str, params: Sequence[Any] = (), *, stream: bool = False
) -> Iterator[tuple[Any, ...]]:
    """The rows of a query, as tuples, ``_PIECE`` at a time when ``stream``."""
    cursor = _cursor(conn, stream=stream)
    try:
        cursor.execute(_sql(conn, text), tuple(params))
        while rows := cursor.fetchmany(_PIECE):
            yield from rows
    finally:
        cursor.close()


def _insert(
    conn: Connection, table: Table, keys: Sequence[str], audit: str, rows: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rows`` (values of ``keys``, in order) of one audit into ``table``."""
    if not rows:
        return
    names = ", ".join(["audit", *keys])
    marks = ", ".join("?" * (len(keys) + 1))
    cursor = _cursor(conn)
    try:
        cursor.executemany(
            _sql(conn, f"INSERT INTO {table.name} ({names}) VALUES ({marks})"),
            [(audit, *r) for r in rows],
        )
    finally:
        cursor.close()


@contextmanager
def _bulk(conn: Connection, rows: int) -> Iterator[None]:
    """Write ``rows`` draws inside: on SQLite, when they are many and at least as many as the
    draws already stored, the ballot index is dropped before and built again after (one sort,
    instead of an insertion at a random place of the index for every draw: most of the time
    of a statewide round). In the same transaction: if anything fails, the index is back as
    it was with everything else. PostgreSQL keeps its index up (dropping it would lock every
    audit of the database out for the duration)."""
    if conn.dialect.name != "sqlite" or rows < _BULK:
        yield
        return
    held = conn.exec_driver_sql("SELECT max(rowid) FROM draw").scalar()
    if int(held or 0) > rows:
        yield
        return
    schema.draw_by_ballot.drop(conn)
    yield
    schema.draw_by_ballot.create(conn)


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _latest(
    rows: Iterable[tuple[Any, ...]], into: dict[str, tuple[int, str]] | None = None
) -> dict[str, tuple[int, str]]:
    """Ballot id → (version, reading) of its newest version, from (id, version, reading, …)."""
    latest = {} if into is None else into
    for bid, version, choice, *_ in rows:
        if bid not in latest or latest[bid][0] < version:
            latest[bid] = (version, choice)
    return latest


def _among(
    conn: Connection, columns: str, table: str, audit: str, ids: Sequence[str]
) -> Iterable[tuple[Any, ...]]:
    """The rows of ``table`` (``columns``, the first being ``ballot_id``) of one audit whose
    ballot id is one of ``ids`` (sorted, distinct).

    SQLite compares texts as Python does (code point by code point), so sorted ids lie between
    their first and last: many of them are read as that range of the ballot index, in order,
    if it holds few other rows (a recording in the order of the ids, such as the Georgia
    replay's), instead of looking each up; otherwise, or on another database (whose collation
    may order texts otherwise), one lookup an id."""
    if conn.dialect.name == "sqlite" and len(ids) >= _RANGE:
        most = 2 * len(ids) + _RANGE
        rows = list(
            _rows(
                conn,
                f"SELECT {columns} FROM {table} WHERE audit = ? AND ballot_id BETWEEN ? AND ?"
                " LIMIT ?",
                (audit, ids[0], ids[-1], most),
            )
        )
        if len(rows) < most:
            wanted = set(ids)
            return [r for r in rows if r[0] in wanted]
    return _rows(
        conn,
        f"SELECT {columns} FROM {table} WHERE audit = ? AND ballot_id IN ({_marks(len(ids))})",
        (audit, *ids),
    )


_DRAW_KEYS = DRAW_FIELDS
_FIRST, _SECOND, _THIRD, _FOURTH, _FIFTH = map(itemgetter, range(5))
# A whole audit's interpretations are read in one pass over the table (SQLite would otherwise
# walk the primary-key index and look every row up), in the order the rows were written: the
# row id (SQLite), the tuple's place (PostgreSQL), for a table that is only ever appended to.
_SCAN = collections.defaultdict(str, sqlite=" NOT INDEXED")
_WRITTEN = {"sqlite": "rowid", "postgresql": "ctid"}
_INTERPRETATION_KEYS = ("ballot_id", "version", "choice", "recorded_at", "correction", "note")
_JOURNAL_KEYS = ("seq", "kind", "payload", "prev_hash", "hash")

_DRAW_COLUMNS = (
    schema.draw.c.seq,
    schema.draw.c.round,
    schema.draw.c.ticket,
    schema.draw.c.ballot_id,
    schema.draw.c.generation,
    schema.draw.c.jurisdiction,
    schema.draw.c.container,
    schema.draw.c.tabulator,
    schema.draw.c.batch,
    schema.draw.c.position,
)


class AuditStore:
    """Audits kept in one database (``sqlite:///audit.db`` by default)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite lets one writer in at a time and makes the others retry after growing
        # sleeps (a busy writer cost a waiting entry up to 100 ms more): this process's
        # writers queue here instead, in turn. PostgreSQL locks rows itself.
        self._writing = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        # Draws and verification hash large manifests on every core (ballotproof.parallel).
        self.pool = ProcessPool()

    # --- helpers -------------------------------------------------------------------------

    def _writer(self, conn: Connection, name: str) -> _Writer:
        row = conn.execute(
            select(schema.journal.c.seq, schema.journal.c.hash)
            .where(schema.journal.c.audit == name)
            .order_by(schema.journal.c.seq.desc())
            .limit(1)
        ).first()
        return _Writer(conn, name, row.hash if row else GENESIS, row.seq if row else 0)

    def _lock(self, conn: Connection, name: str) -> AuditSpec:
        """Take the audit's write lock, first thing in the transaction, so that two writers
        never interleave (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the audit row ``FOR
        UPDATE``), and read its specification. (Not an update of the audit row: SQLite would
        check the foreign keys of every draw that refers to it.)"""
        query = select(schema.audit.c.spec).where(schema.audit.c.name == name)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise StoreError(
                f"no audit named {name!r} in this database (audits: {self._known(conn)})"
            )
        return _spec_of(name, row.spec)

    def _known(self, conn: Connection) -> str:
        names = [
            r.name for r in conn.execute(select(schema.audit.c.name).order_by(schema.audit.c.name))
        ]
        return ", ".join(names) or "none"

    def _open_round(
        self,
        w: _Writer,
        spec: AuditSpec,
        batches: Sequence[Batch],
        reported: Mapping[str, Mapping[str, int]] | None,
        number: int,
        size: int,
        already: int,
        now: str,
    ) -> None:
        """Draw round ``number`` (cumulative ``size``, ``already`` drawn before) and store its
        draws a piece at a time, hashing them as they go (the journal's ``draws_sha256`` is
        that of the whole round's rows, :class:`~ballotproof.audit.journal.DrawsDigest`).

        The round's unread ballots are its draws of generation 1 that are not phantoms: a
        draw of generation 1 is the first of its ballot in the whole stream, so its ballot was
        never drawn, let alone read; a later draw of a ballot either follows its first draw in
        this round (counted there) or in an earlier round, every ballot of which was read
        before this round could open."""
        pieces: Iterable[list[DrawRow]]
        if spec.method.is_batch:
            pieces = draw_rows(
                ppeb_draws(
                    spec, batches, macro_batches(batches, reported or {}), size - already, already
                ),
                _PIECE,
            )
        else:
            pieces = draw_sample(
                batches,
                spec.seed,
                size - already,
                skip=already,
                with_replacement=spec.replacement,
                pool=self.pool,
            ).rows(_PIECE)
        digest = DrawsDigest()
        unread = 0
        with _bulk(w.conn, size - already):
            for piece in pieces:
                rows = [(r[0], number, *r[1:]) for r in piece]
                del piece
                digest.add(rows)
                _insert(w.conn, schema.draw, _DRAW_KEYS, spec.name, rows)
                if spec.phantoms:
                    unread += sum(
                        1 for r in rows if r[4] == 1 and not is_phantom(spec, r[5], r[7], r[8])
                    )
                else:
                    unread += sum(1 for r in rows if r[4] == 1)
        w.conn.execute(
            schema.round_.insert().values(
                audit=spec.name, number=number, size=size, opened_at=now, result=None
            )
        )
        w.conn.execute(
            schema.round_progress.insert().values(audit=spec.name, number=number, unread=unread)
        )
        w.log(
            "round_opened",
            {"round": number, "size": size, "draws_sha256": digest.hexdigest(), "at": now},
        )

    def _batches(self, conn: Connection, name: str) -> tuple[Batch, ...]:
        return tuple(
            Batch(r.jurisdiction, r.tabulator, r.name, r.ballots, r.container)
            for r in conn.execute(
                select(schema.batch)
                .where(schema.batch.c.audit == name)
                .order_by(schema.batch.c.idx)
            )
        )

    def _reported(self, conn: Connection, name: str) -> dict[str, dict[str, int]]:
        return {
            r.batch: _tally(r.tally)
            for r in conn.execute(
                select(schema.batch_report).where(schema.batch_report.c.audit == name)
            )
        }

    def _draws(
        self, conn: Connection, name: str, number: int | None = None
    ) -> tuple[StoredDraw, ...]:
        q = select(*_DRAW_COLUMNS).where(schema.draw.c.audit == name)
        if number is not None:
            q = q.where(schema.draw.c.round == number)
        return tuple(
            StoredDraw(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
            for r in conn.execute(q.order_by(schema.draw.c.seq)).all()
        )

    def _missing(self, conn: Connection, spec: AuditSpec, number: int) -> int:
        """Distinct unread ballots of round ``number`` (phantoms excluded), counted in SQL."""
        d, i = schema.draw, schema.interpretation
        read = select(i.c.ballot_id).where(i.c.audit == d.c.audit, i.c.ballot_id == d.c.ballot_id)
        q = select(func.count(func.distinct(d.c.ballot_id))).where(
            d.c.audit == spec.name, d.c.round == number, ~read.exists()
        )
        n = int(conn.execute(q).scalar_one())
        if spec.phantoms:
            ph = select(func.count(func.distinct(d.c.ballot_id))).where(
                d.c.audit == spec.name,
                d.c.round == number,
                d.c.jurisdiction.is_(None),
                d.c.tabulator.is_(None),
                d.c.batch == PHANTOM_BATCH,
                ~read.exists(),
            )
            n -= int(conn.execute(ph).scalar_one())
        return n

    def _unread(self, conn: Connection, spec: AuditSpec, number: int) -> int:
        """Distinct unread ballots of round ``number``: the round's counter, or (an audit
        stored before there were counters) a count in SQL."""
        p = schema.round_progress
        row = conn.execute(
            select(p.c.unread).where(p.c.audit == spec.name, p.c.number == number)
        ).first()
        return int(row.unread) if row is not None else self._missing(conn, spec, number)

    def _settle(self, w: _Writer, spec: AuditSpec, number: int, now: str) -> None:
        """Close round ``number`` if nothing of it is left to read, and so on for the rounds
        it opens (a round that drew only ballots already read closes by itself)."""
        while self._unread(w.conn, spec, number) == 0 and self._close_round(w, spec, number, now):
            number += 1

    def _close_round(self, w: _Writer, spec: AuditSpec, number: int, now: str) -> bool:
        """Every ballot of round ``number`` is read: recompute the risk from every reading,
        store the result and open the next round if the evidence calls for one.

        The draws of rounds 1…``number`` are read once, in draw order, joined in SQL with the
        latest reading (and cast vote record) of their ballot, into a few shared objects
        (:class:`~ballotproof.audit.streaming.RoundReadings`), not one object a draw."""
        conn, name = w.conn, spec.name
        batches = self._batches(conn, name)
        reported = self._reported(conn, name) if spec.method.is_batch else None
        readings = RoundReadings(number)
        readings.extend(self._draws_read(conn, spec, number))
        try:
            result = readings.recompute(spec, batches, reported=reported)[-1]
        except KeyError as exc:
            raise StoreError(
                f"audit {name!r}: round {number} cannot close, {exc} has no reading (the "
                "round's progress counter was damaged)"
            ) from exc
        conn.execute(
            update(schema.round_)
            .where(schema.round_.c.audit == name, schema.round_.c.number == number)
            .values(result=canonical(result.to_json()))
        )
        w.log("round_closed", {"round": number, "result": result.to_json(), "at": now})
        if result.decision is Decision.NEXT_ROUND and result.next_size is not None:
            self._open_round(
                w, spec, batches, reported, number + 1, result.next_size, result.size, now
            )
            return True
        return False

    def _draws_read(
        self, conn: Connection, spec: AuditSpec, upto: int
    ) -> Iterator[tuple[int, str, str | None, str | None, str, str | None, str | None]]:
        """Every draw of rounds 1…``upto``, in draw order, as (round, ballot id, jurisdiction,
        tabulator, batch, latest reading or ``None``, cast vote record or ``None``).

        Two sequential reads, not a lookup a draw (SQLite has no hash join: looking each
        draw's reading up in the interpretation index cost more than all the rest): first the
        latest reading of every ballot (one entry a ballot, the readings shared strings), then
        the draws."""
        latest = LatestReadings()
        latest.extend(
            _rows(
                conn,
                f"SELECT ballot_id, version, choice FROM interpretation{_SCAN[conn.dialect.name]}"
                " WHERE audit = ?",
                (spec.name,),
                stream=True,
            )
        )
        cvrs: dict[str, str] = {}
        if spec.method.is_comparison:
            cvrs = self._cvrs_of_draws(conn, spec.name, upto)
        reading, cvr = latest.lookup, cvrs.get
        draws = _rows(
            conn,
            "SELECT round, ballot_id, jurisdiction, tabulator, batch FROM draw"
            " WHERE audit = ? AND round <= ? ORDER BY seq",
            (spec.name, upto),
            stream=True,
        )
        while piece := list(islice(draws, _PIECE)):  # each field in a C-level pass
            ids = list(map(_SECOND, piece))
            yield from zip(
                map(_FIRST, piece),
                ids,
                map(_THIRD, piece),
                map(_FOURTH, piece),
                map(_FIFTH, piece),
                map(reading, ids),
                map(cvr, ids),
                strict=True,
            )

    def _cvrs_of_draws(self, conn: Connection, name: str, upto: int) -> dict[str, str]:
        """The cast vote records of the ballots drawn in rounds 1…``upto``."""
        d, c = schema.draw, schema.cvr
        drawn = select(d.c.ballot_id).where(d.c.audit == name, d.c.round <= upto)
        return {
            r.ballot_id: r.choice
            for r in conn.execute(
                select(c.c.ballot_id, c.c.choice).where(c.c.audit == name, c.c.ballot_id.in_(drawn))
            )
        }

    # --- commands --------------------------------------------------------------------------

    def start(
        self,
        spec: AuditSpec,
        batches: Sequence[Batch],
        *,
        manifest_source: str,
        manifest_sha256: str,
        now: str,
        round_size: int | None = None,
        cvrs: Mapping[str, str] | None = None,
        cvr_source: str = "",
        reported: Mapping[str, Mapping[str, int]] | None = None,
        imprints: Mapping[str, str] | None = None,
    ) -> AuditStatus:
        """Create an audit, commit its cast vote records (comparison) or reported batch
        tallies (batch comparison), and draw round 1."""
        if spec.method.is_comparison and not cvrs:
            raise StoreError("a comparison audit needs the cast vote records (--cvrs)")
        if spec.method.is_batch:
            if not reported:
                raise StoreError("a batch-comparison audit needs the reported batch tallies")
            names = [b.name for b in batches]
            if len(set(names)) != len(names):
                raise StoreError("a batch-comparison audit needs unique batch names")
            missing = sorted(set(names) - set(reported))
            if missing:
                raise StoreError(f"no reported tally for batch {missing[0]!r}")
        if round_size is not None:
            size = round_size
        elif spec.method.is_batch:
            size = batch_first_round(spec, macro_batches(batches, reported or {}))
        else:
            size = first_round_size(spec)
        if size < 1:
            raise StoreError(f"round size must be at least 1, got {size}")
        try:
            with self._writing, gc_paused(), self.engine.begin() as conn:
                if conn.execute(
                    select(schema.audit.c.name).where(schema.audit.c.name == spec.name)
                ).first():
                    raise StoreError(f"an audit named {spec.name!r} already exists")
                conn.execute(
                    schema.audit.insert().values(
                        name=spec.name,
                        created_at=now,
                        spec=canonical(spec_to_json(spec)),
                        manifest_source=manifest_source,
                        manifest_sha256=manifest_sha256,
                    )
                )
                conn.execute(
                    schema.batch.insert(),
                    [
                        {
                            "audit": spec.name,
                            "idx": i,
                            "jurisdiction": b.jurisdiction,
                            "container": b.container,
                            "tabulator": b.tabulator,
                            "name": b.name,
                            "ballots": b.ballots,
                        }
                        for i, b in enumerate(batches)
                    ],
                )
                w = self._writer(conn, spec.name)
                w.log(
                    "audit_started",
                    {
                        "spec": spec_to_json(spec),
                        "at": now,
                        "manifest_sha256": manifest_sha256,
                        "manifest_source": manifest_source,
                        "batches": len(batches),
                        "batches_sha256": batches_digest(batches),
                    },
                )
                rep = None
                if reported:
                    rep = {b.name: dict(reported[b.name]) for b in batches}
                    conn.execute(
                        schema.batch_report.insert(),
                        [
                            {"audit": spec.name, "batch": k, "tally": batch_reading(v)}
                            for k, v in rep.items()
                        ],
                    )
                    w.log(
                        "batch_tallies_committed",
                        {"sha256": tallies_digest(rep), "batches": len(rep)},
                    )
                if cvrs:
                    conn.execute(
                        schema.cvr.insert(),
                        [
                            {"audit": spec.name, "ballot_id": k, "choice": v}
                            for k, v in cvrs.items()
                        ],
                    )
                    payload: dict[str, Any] = {
                        "sha256": cvr_digest(cvrs),
                        "records": len(cvrs),
                        "source": cvr_source,
                    }
                    if imprints:
                        conn.execute(
                            schema.cvr_imprint.insert(),
                            [
                                {"audit": spec.name, "ballot_id": k, "imprinted_id": v}
                                for k, v in imprints.items()
                            ],
                        )
                        payload["imprints_sha256"] = cvr_digest(imprints)
                    w.log("cvrs_committed", payload)
                self._open_round(w, spec, batches, rep, 1, size, 0, now)
                self._settle(w, spec, 1, now)  # a round of phantoms only needs no reading
                w.flush()
        except SQLAlchemyError as exc:
            raise StoreError(f"the audit database refused the new audit: {_short(exc)}") from exc
        return self.status(spec.name)

    def record(
        self, name: str, rows: Iterable[tuple[str, str, str]], *, now: str, correct: bool = False
    ) -> tuple[AuditStatus, int, int]:
        """Record interpretations ``(ballot id, choice, note)``; close the round when complete.

        Returns the audit's status after recording, the number of new versions written and
        the number of rows that repeated what was already recorded. ``rows`` may be a stream
        of any length: it is read, checked and written a piece at a time, all in one
        transaction (a later piece sees what an earlier one wrote, as one list would).
        """
        written = repeated = 0
        try:
            with self._writing, gc_paused(), self.engine.begin() as conn:
                spec = self._lock(conn, name)
                rounds = list(
                    conn.execute(
                        select(schema.round_.c.number, schema.round_.c.result)
                        .where(schema.round_.c.audit == name)
                        .order_by(schema.round_.c.number)
                    )
                )
                last = (
                    _result_from_json(rounds[-1].result) if rounds and rounds[-1].result else None
                )
                if last is not None and last.decision is not Decision.NEXT_ROUND:
                    raise StoreError(
                        f"audit {name!r} has ended ({last.decision.value}); nothing more can "
                        "be recorded"
                    )
                closed = {r.number for r in rounds if r.result}
                current = len(rounds)
                w = self._writer(conn, name)
                first_readings = 0
                stream = iter(rows)
                while piece := list(islice(stream, _PIECE)):
                    n, r, first = self._record_piece(w, spec, piece, closed, now, correct)
                    written, repeated, first_readings = (
                        written + n,
                        repeated + r,
                        first_readings + first,
                    )
                if first_readings and current not in closed:
                    # Every ballot of a closed round is read: a first reading is of the open
                    # round.
                    p = schema.round_progress
                    conn.execute(
                        update(p)
                        .where(p.c.audit == name, p.c.number == current)
                        .values(unread=p.c.unread - first_readings)
                    )
                if written and current not in closed:
                    self._settle(w, spec, current, now)
                w.flush()
        except SQLAlchemyError as exc:
            raise StoreError(f"the audit database refused the recording: {_short(exc)}") from exc
        return self.status(name), written, repeated

    def _record_piece(
        self,
        w: _Writer,
        spec: AuditSpec,
        rows: Sequence[tuple[str, str, str]],
        closed: set[int],
        now: str,
        correct: bool,
    ) -> tuple[int, int, int]:
        """Check and write one piece of a recording: (versions written, rows that repeated
        what was recorded, first readings)."""
        conn, name = w.conn, spec.name
        written = repeated = first_readings = 0
        # Distinct, in the order given, then sorted: in linear time when they come sorted.
        ids = list(dict.fromkeys(r[0] for r in rows))
        ids.sort()
        info: dict[str, tuple[int, str | None, str | None, str]] = {}
        latest: dict[str, tuple[int, str]] = {}
        for start in range(0, len(ids), _IN):
            part = ids[start : start + _IN]
            for bid, rnd, jur, tab, bat in _among(
                conn, "ballot_id, round, jurisdiction, tabulator, batch", "draw", name, part
            ):
                if bid not in info or info[bid][0] > rnd:
                    info[bid] = (rnd, jur, tab, bat)
            _latest(
                _among(conn, "ballot_id, version, choice", "interpretation", name, part), latest
            )
        sizes: dict[str, int] = {}
        if spec.method.is_batch:
            for chunk in _chunks(sorted({v[3] for v in info.values()})):
                sizes.update(
                    {
                        r.name: r.ballots
                        for r in conn.execute(
                            select(schema.batch.c.name, schema.batch.c.ballots).where(
                                schema.batch.c.audit == name,
                                schema.batch.c.name.in_(chunk),
                            )
                        )
                    }
                )
        valid = spec.valid_interpretations()
        new_rows: list[tuple[str, int, str, str, bool, str]] = []
        # Looked up once, not for each of millions of rows.
        phantoms, is_batch, log = bool(spec.phantoms), spec.method.is_batch, w.log_text
        for ballot_id, choice, note in rows:
            where = info.get(ballot_id)
            if where is None:
                raise StoreError(f"ballot {ballot_id} was not drawn in audit {name!r}")
            if phantoms and is_phantom(spec, where[1], where[2], where[3]):
                raise StoreError(
                    f"ballot {ballot_id} is a phantom: it has no paper to read and "
                    "always counts as not found"
                )
            if is_batch:
                try:
                    counted = parse_batch_reading(spec, choice)
                except AnalysisError as exc:
                    raise StoreError(f"batch {ballot_id}: {exc}") from None
                if sum(counted.values()) > sizes.get(where[3], 0):
                    raise StoreError(
                        f"batch {ballot_id}: {sum(counted.values())} votes, but the "
                        f"batch holds {sizes.get(where[3], 0)} ballots"
                    )
                choice = batch_reading(counted)
            elif not valid:  # the method parses its readings (multi-contest cards)
                try:
                    choice = spec.method.stored.canonical_reading(spec, choice)
                except AnalysisError as exc:
                    raise StoreError(f"ballot {ballot_id}: {exc}") from None
            elif choice not in valid:
                raise StoreError(
                    f"ballot {ballot_id}: {choice!r} is not one of " + ", ".join(sorted(valid))
                )
            version, old = latest.get(ballot_id, (0, None))
            if old is not None and old != choice and where[0] in closed:
                raise StoreError(
                    f"ballot {ballot_id} belongs to a closed round; its recorded "
                    f"{old!r} can no longer change"
                )
            if old == choice:
                repeated += 1
                continue
            if old is not None and not correct:
                raise StoreError(
                    f"ballot {ballot_id} is already recorded as {old!r}; recording "
                    f"{choice!r} needs an explicit correction (--correct)"
                )
            latest[ballot_id] = (version + 1, choice)
            new_rows.append((ballot_id, version + 1, choice, now, old is not None, note))
            log(
                "interpretation",
                interpretation_payload(ballot_id, version + 1, choice, old is not None, note, now),
            )
            written += 1
            first_readings += version == 0
        _insert(conn, schema.interpretation, _INTERPRETATION_KEYS, name, new_rows)
        return written, repeated, first_readings

    # --- reading ---------------------------------------------------------------------------

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return [
                r.name
                for r in conn.execute(select(schema.audit.c.name).order_by(schema.audit.c.name))
            ]

    def status(self, name: str) -> AuditStatus:
        """The audit's rounds, results and unread counts (no draws are loaded)."""
        try:
            with self.engine.connect() as conn:
                a = conn.execute(
                    select(schema.audit.c.spec).where(schema.audit.c.name == name)
                ).first()
                if a is None:
                    raise StoreError(
                        f"no audit named {name!r} in this database (audits: {self._known(conn)})"
                    )
                spec = _spec_of(name, a.spec)
                rounds = list(
                    conn.execute(
                        select(schema.round_)
                        .where(schema.round_.c.audit == name)
                        .order_by(schema.round_.c.number)
                    )
                )
                missing = tuple(self._unread(conn, spec, r.number) for r in rounds)
                head = conn.execute(
                    select(schema.journal.c.hash, schema.journal.c.seq)
                    .where(schema.journal.c.audit == name)
                    .order_by(schema.journal.c.seq.desc())
                    .limit(1)
                ).first()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read audit {name!r}: {_short(exc)}") from exc
        return AuditStatus(
            spec=spec,
            round_sizes=tuple(r.size for r in rounds),
            results=tuple(_result_from_json(r.result) if r.result else None for r in rounds),
            missing=missing,
            journal_head=head.hash if head else GENESIS,
            journal_length=head.seq if head else 0,
        )

    def round_draws(self, name: str, number: int) -> tuple[StoredDraw, ...]:
        """The draws of one round, in draw order."""
        with self.engine.connect() as conn:
            return self._draws(conn, name, number)

    def round_ballots(
        self, name: str, number: int, *, by_ballot: bool = False
    ) -> Iterator[tuple[str, str | None, str | None, str, int]]:
        """Where the ballot of each draw of one round is, in draw order (``by_ballot``: in the
        order of the ballot ids, that of the ballot index, which holds all of this), streamed
        (a round of millions is never held): (ballot id, jurisdiction, tabulator, batch,
        position). Read it to the end before writing to the same SQLite database."""
        order = "ballot_id" if by_ballot else "seq"
        with self.engine.connect() as conn:
            yield from _rows(
                conn,
                "SELECT ballot_id, jurisdiction, tabulator, batch, position FROM draw"
                f" WHERE audit = ? AND round = ? ORDER BY {order}",
                (name, number),
                stream=True,
            )

    def readings(self, name: str, ids: Sequence[str]) -> dict[str, str]:
        """The latest reading of each of ``ids`` that has one (a round's list, not the audit)."""
        order = sorted(set(ids))
        latest: dict[str, tuple[int, str]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(order), _IN):
                part = order[start : start + _IN]
                _latest(
                    _among(conn, "ballot_id, version, choice", "interpretation", name, part),
                    latest,
                )
        return {bid: choice for bid, (_version, choice) in latest.items()}

    def first_rounds(self, name: str, ids: Sequence[str]) -> dict[str, int]:
        """The first round in which each of ``ids`` was drawn (ids never drawn are absent)."""
        out: dict[str, int] = {}
        d = schema.draw
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(ids))):
                for bid, rnd in conn.execute(
                    select(d.c.ballot_id, func.min(d.c.round))
                    .where(d.c.audit == name, d.c.ballot_id.in_(chunk))
                    .group_by(d.c.ballot_id)
                ):
                    out[bid] = int(rnd)
        return out

    def imprints(self, name: str, ids: Sequence[str]) -> dict[str, str]:
        """The ids imprinted on the cards of ``ids``, where the cast vote records gave one."""
        out: dict[str, str] = {}
        c = schema.cvr_imprint
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(ids))):
                out.update(
                    {
                        r.ballot_id: r.imprinted_id
                        for r in conn.execute(
                            select(c.c.ballot_id, c.c.imprinted_id).where(
                                c.c.audit == name, c.c.ballot_id.in_(chunk)
                            )
                        )
                    }
                )
        return out

    def cast_vote_records(self, name: str, ids: Sequence[str]) -> dict[str, str]:
        """The cast vote records of the ballots of ``ids`` that have one."""
        out: dict[str, str] = {}
        c = schema.cvr
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(ids))):
                out.update(
                    {
                        r.ballot_id: r.choice
                        for r in conn.execute(
                            select(c.c.ballot_id, c.c.choice).where(
                                c.c.audit == name, c.c.ballot_id.in_(chunk)
                            )
                        )
                    }
                )
        return out

    def load(self, name: str) -> StoredAudit:
        """Everything stored about audit ``name``."""
        try:
            with self.engine.connect() as conn:
                a = conn.execute(select(schema.audit).where(schema.audit.c.name == name)).first()
                if a is None:
                    raise StoreError(
                        f"no audit named {name!r} in this database (audits: {self._known(conn)})"
                    )
                spec = _spec_of(name, a.spec)
                batches = self._batches(conn, name)
                rounds = list(
                    conn.execute(
                        select(schema.round_)
                        .where(schema.round_.c.audit == name)
                        .order_by(schema.round_.c.number)
                    )
                )
                draws = self._draws(conn, name)
                i = schema.interpretation
                hist = tuple(
                    (r[0], r[1], r[2], bool(r[3]), r[4], r[5])
                    for r in conn.execute(
                        select(
                            i.c.ballot_id,
                            i.c.version,
                            i.c.choice,
                            i.c.correction,
                            i.c.note,
                            i.c.recorded_at,
                        )
                        .where(i.c.audit == name)
                        .order_by(i.c.recorded_at, i.c.ballot_id, i.c.version)
                    ).all()
                )
                reported = self._reported(conn, name)
                cvrs = {
                    r.ballot_id: r.choice
                    for r in conn.execute(
                        select(schema.cvr.c.ballot_id, schema.cvr.c.choice).where(
                            schema.cvr.c.audit == name
                        )
                    )
                }
                imprints = {
                    r.ballot_id: r.imprinted_id
                    for r in conn.execute(
                        select(
                            schema.cvr_imprint.c.ballot_id, schema.cvr_imprint.c.imprinted_id
                        ).where(schema.cvr_imprint.c.audit == name)
                    )
                }
                head = conn.execute(
                    select(schema.journal.c.hash, schema.journal.c.seq)
                    .where(schema.journal.c.audit == name)
                    .order_by(schema.journal.c.seq.desc())
                    .limit(1)
                ).first()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read audit {name!r}: {_short(exc)}") from exc
        latest = _latest(hist)
        return StoredAudit(
            spec=spec,
            created_at=a.created_at,
            manifest_source=a.manifest_source,
            manifest_sha256=a.manifest_sha256,
            batches=batches,
            round_sizes=tuple(r.size for r in rounds),
            results=tuple(_result_from_json(r.result) if r.result else None for r in rounds),
            draws=draws,
            interpretations={k: v for k, (_, v) in latest.items()},
            history=hist,
            journal_head=head.hash if head else GENESIS,
            journal_length=head.seq if head else 0,
            cvrs=cvrs,
            reported=reported,
            imprints=imprints,
        )

    def journal(self, name: str) -> Iterator[JournalEntry]:
        """The journal, in order, streamed from the database."""
        with self.engine.connect() as conn:
            yield from map(
                JournalEntry._make,
                _rows(
                    conn,
                    "SELECT seq, kind, payload, prev_hash, hash FROM journal WHERE audit = ?"
                    " ORDER BY seq",
                    (name,),
                    stream=True,
                ),
            )

    # --- verification ------------------------------------------------------------------------

    def verify(self, name: str, *, expected_head: str | None = None) -> tuple[Check, ...]:
        """Check the stored audit against its journal and a recomputation
        (:func:`ballotproof.audit.verify.verify_record`): the draws, the interpretations and the
        journal are streamed to the verifier, never held whole."""
        try:
            return verify_record(
                self._record_of(name),
                self.journal(name),
                expected_head=expected_head,
                pool=self.pool,
            )
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read audit {name!r}: {_short(exc)}") from exc

    def _record_of(self, name: str) -> AuditRecord:
        """The stored copy as the verifier reads it: what is small loaded, the draws (with
        the latest reading of each ballot) and the interpretations (in the journal's order)
        as streams."""
        try:
            with self.engine.connect() as conn:
                a = conn.execute(select(schema.audit).where(schema.audit.c.name == name)).first()
                if a is None:
                    raise StoreError(
                        f"no audit named {name!r} in this database (audits: {self._known(conn)})"
                    )
                spec = _spec_of(name, a.spec)
                batches = self._batches(conn, name)
                rounds = list(
                    conn.execute(
                        select(schema.round_.c.size, schema.round_.c.result)
                        .where(schema.round_.c.audit == name)
                        .order_by(schema.round_.c.number)
                    )
                )
                reported = self._reported(conn, name)
                cvrs = {
                    r.ballot_id: r.choice
                    for r in conn.execute(
                        select(schema.cvr.c.ballot_id, schema.cvr.c.choice).where(
                            schema.cvr.c.audit == name
                        )
                    )
                }
                imprints = {
                    r.ballot_id: r.imprinted_id
                    for r in conn.execute(
                        select(
                            schema.cvr_imprint.c.ballot_id, schema.cvr_imprint.c.imprinted_id
                        ).where(schema.cvr_imprint.c.audit == name)
                    )
                }
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read audit {name!r}: {_short(exc)}") from exc
        return AuditRecord(
            spec=spec,
            batches=batches,
            round_sizes=tuple(r.size for r in rounds),
            results=tuple(_result_from_json(r.result).to_json() for r in rounds if r.result),
            draws=_Reread(lambda: self._claimed_draws(name)),
            draw_rows=self._draw_rows(name),
            history=_Reread(lambda: self._history(name)),
            cvrs=cvrs or None,
            reported=reported or None,
            started={
                "at": a.created_at,
                "manifest_sha256": a.manifest_sha256,
                "manifest_source": a.manifest_source,
            },
            imprints=imprints or None,
        )

    def _claimed_draws(self, name: str) -> Iterator[ClaimedDraw]:
        """Every stored draw, in draw order."""
        for r in self._draw_rows(name):
            yield ClaimedDraw(r[0], r[1], r[2], r[3], r[4], r[5:])

    def _draw_rows(self, name: str) -> Iterator[tuple[Any, ...]]:
        """Every stored draw, in draw order, as the row of its ``DRAW_FIELDS``."""
        with self.engine.connect() as conn:
            yield from _rows(
                conn,
                f"SELECT {', '.join(_DRAW_KEYS)} FROM draw WHERE audit = ? ORDER BY seq",
                (name,),
                stream=True,
            )

    def _history(self, name: str) -> Iterator[Interpretation]:
        """Every stored interpretation, in the order the rows were written, which is the
        journal's (verify then compares them in lockstep; in any other order it compares
        them sorted, so the answer never depends on it)."""
        with self.engine.connect() as conn:
            for r in _rows(
                conn,
                "SELECT ballot_id, version, choice, correction, note, recorded_at"
                f" FROM interpretation{_SCAN[conn.dialect.name]} WHERE audit = ?"
                f" ORDER BY {_WRITTEN.get(conn.dialect.name, 'ballot_id, version')}",
                (name,),
                stream=True,
            ):
                yield Interpretation(r[0], r[1], r[2], bool(r[3]), r[4], r[5])


def _database_url(url_or_path: str | Path) -> str:
    """A SQLAlchemy URL as given (``sqlite:///…``, ``postgresql+psycopg://…``), or a file path
    for SQLite."""
    text = str(url_or_path)
    if "://" not in text:
        return f"sqlite:///{text}"
    try:
        make_url(text)
    except ArgumentError as exc:
        raise StoreError(f"--db: not a database URL or file path: {text}") from exc
    return text


def open_store(url_or_path: str | Path, *, create: bool = True, pooled: bool = False) -> AuditStore:
    """Open an audit database: a SQLAlchemy URL, or a file path (SQLite). ``create=False``
    refuses a missing SQLite file instead of creating an empty database (for commands that
    only read). A server database keeps no idle connections unless ``pooled`` (a long-running
    service wants a pool; a command that ends should leave nothing open)."""
    text = str(url_or_path)
    url = _database_url(text)
    if not create and url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:" and not Path(database).is_file():
            raise StoreError(f"no audit database at {text}")
    try:
        engine = (
            create_engine(url)
            if pooled or url.startswith("sqlite")
            else create_engine(url, poolclass=NullPool)
        )
        if url.startswith("sqlite"):

            @event.listens_for(engine, "connect")
            def _fk(dbapi_conn: Any, _record: Any) -> None:  # pragma: no cover - trivial
                dbapi_conn.execute("PRAGMA foreign_keys=ON")
                dbapi_conn.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
                if pooled:
                    # A service (the workspace) switches the file to a write-ahead log, each
                    # commit synced (synchronous FULL): one sync per entry instead of the
                    # rollback journal's several (an audit board's entry costs half as much),
                    # and readers no longer wait for a writer; an acknowledged entry survives a
                    # crash or power cut as before. Commands leave the file's mode as it is: a
                    # statewide round written in one transaction is faster with the rollback
                    # journal (the log writes every page twice).
                    dbapi_conn.execute("PRAGMA journal_mode=WAL")
                    dbapi_conn.execute("PRAGMA synchronous=FULL")

        migrate(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the audit database {text}: {_short(exc)}") from exc
    except ModuleNotFoundError as exc:
        raise StoreError(f"cannot open the audit database {text}: no driver ({exc.name})") from exc
    return AuditStore(engine)
