"""The audit store: start, record, close rounds, load, verify — each a single transaction.

Rules kept here:

* **All or nothing.** Every public method runs in one database transaction; any error rolls it
  back, so an interrupted ``audit record`` never leaves half a round.
* **Nothing recorded is lost or silently changed.** Interpretations are append-only: recording
  the same ballot again with the same choice does nothing; with a different choice it is
  refused unless it is an explicit correction, which is stored as a new version beside the old.
* **Tamper evidence.** Every change is journalled in a SHA-256 hash chain; ``verify`` rebuilds
  every table from the journal, recomputes the draws from the manifest and the seed, recomputes
  the risk from the interpretations, and reports every check that fails.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError

from ballotproof.audit import macro
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.ppeb import draw_ppeb
from ballotproof.audit.process import (
    AuditSpec,
    Check,
    Method,
    RoundResult,
    batch_first_round,
    batch_reading,
    evaluate,
    evaluate_batches,
    first_round_size,
    parse_batch_reading,
)
from ballotproof.audit.sampler import Ballot, Batch, Draw, draw_sample
from ballotproof.errors import AnalysisError, BallotproofError, StoreError
from ballotproof.store import schema

__all__ = [
    "AuditStore",
    "Check",
    "StoredAudit",
    "StoredDraw",
    "open_store",
    "spec_from_json",
    "spec_to_json",
]

GENESIS = "0" * 64


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev: str, kind: str, payload: str) -> str:
    return hashlib.sha256(f"{prev}\n{kind}\n{payload}".encode()).hexdigest()


def cvr_digest(cvrs: dict[str, str]) -> str:
    """SHA-256 of the committed cast vote records (canonical: sorted by ballot id)."""
    return hashlib.sha256(canonical(sorted(cvrs.items())).encode()).hexdigest()


def draws_digest(rows: Sequence[dict[str, Any]]) -> str:
    """SHA-256 of a round's draws: order, round, ticket, id, generation and where the ballot is."""
    keys = (
        "seq",
        "round",
        "ticket",
        "ballot_id",
        "generation",
        "jurisdiction",
        "container",
        "tabulator",
        "batch",
        "position",
    )
    return hashlib.sha256(canonical([[r[k] for k in keys] for r in rows]).encode()).hexdigest()


def batches_digest(batches: Sequence[Batch]) -> str:
    """SHA-256 of a manifest's batches (jurisdiction, container, tabulator, name, ballots)."""
    return hashlib.sha256(
        canonical(
            [[b.jurisdiction, b.container, b.tabulator, b.name, b.ballots] for b in batches]
        ).encode()
    ).hexdigest()


def _short(exc: SQLAlchemyError) -> str:
    """The database's own one-line reason, without SQLAlchemy's SQL and parameter dump."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def spec_to_json(spec: AuditSpec) -> dict[str, Any]:
    c = spec.contest
    return {
        "name": spec.name,
        "contest": {
            "name": c.name,
            "tally": dict(c.tally),
            "ballots": c.ballots,
            "winners": c.winners,
        },
        "risk_limit": spec.risk_limit,
        "method": spec.method.value,
        "seed": spec.seed,
        "stop_probability": spec.stop_probability,
    }


def spec_from_json(data: dict[str, Any]) -> AuditSpec:
    c = data["contest"]
    return AuditSpec(
        name=data["name"],
        contest=AuditContest(
            c["name"],
            {k: int(v) for k, v in c["tally"].items()},
            int(c["ballots"]),
            int(c["winners"]),
        ),
        risk_limit=float(data["risk_limit"]),
        method=Method(data["method"]),
        seed=str(data["seed"]),
        stop_probability=float(data["stop_probability"]),
    )


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


@dataclass(frozen=True, slots=True)
class StoredAudit:
    """Everything stored about one audit.

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

    def macro_batches(self) -> list[macro.Batch]:
        """The batches as reported, for a batch-comparison audit."""
        return [macro.Batch(b.name, b.ballots, self.reported.get(b.name, {})) for b in self.batches]

    def evaluate(self, interpretations: dict[str, str], upto: int) -> tuple[RoundResult, ...]:
        """Recompute rounds 1…upto from the readings (any method)."""
        if self.spec.method.is_batch:
            names = [[d.ballot.batch for d in self.round_draws(r)] for r in range(1, upto + 1)]
            readings = {
                d.ballot.batch: interpretations[d.ballot_id]
                for r in range(1, upto + 1)
                for d in self.round_draws(r)
            }
            return evaluate_batches(self.spec, self.macro_batches(), names, readings)
        per_round, cvr_rounds = self.readings(interpretations, upto)
        return evaluate(self.spec, per_round, cvr_rounds)

    @property
    def current_round(self) -> int:
        return len(self.round_sizes)

    def round_draws(self, number: int) -> tuple[StoredDraw, ...]:
        return tuple(d for d in self.draws if d.round == number)

    def readings(
        self, interpretations: dict[str, str], upto: int
    ) -> tuple[list[list[str]], list[list[str]] | None]:
        """Interpretations (and, for comparison, cast vote records) of rounds 1…upto."""
        rounds = [
            [interpretations[d.ballot_id] for d in self.round_draws(r)] for r in range(1, upto + 1)
        ]
        if not self.spec.method.is_comparison:
            return rounds, None
        cvrs = [
            [self.cvrs.get(d.ballot_id, "blank") for d in self.round_draws(r)]
            for r in range(1, upto + 1)
        ]
        return rounds, cvrs

    def missing(self, number: int | None = None) -> tuple[StoredDraw, ...]:
        """Draws of a round (default: the current one) with no interpretation yet."""
        n = self.current_round if number is None else number
        return tuple(d for d in self.round_draws(n) if d.ballot_id not in self.interpretations)

    @property
    def decision(self) -> Decision | None:
        last = self.results[-1] if self.results else None
        return None if last is None else last.decision


def _result_json(r: RoundResult) -> str:
    return canonical(r.to_json())


def _tally(text: str) -> dict[str, int]:
    value = _loads(text, "batch tally")
    if not isinstance(value, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value.values()
    ):
        raise StoreError("a stored batch tally is damaged")
    return {str(k): int(v) for k, v in value.items()}


def _loads(text: str, what: str) -> Any:
    """Stored JSON, or a StoreError saying the record was damaged."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise StoreError(
            f"the stored {what} is unreadable ({exc}); the record was damaged"
        ) from exc


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


@dataclass
class _Writer:
    """Appends journal entries within one transaction (written in bulk by ``flush``)."""

    conn: Connection
    audit: str
    head: str
    seq: int
    pending: list[dict[str, Any]] = field(default_factory=list)

    def log(self, kind: str, payload: Any) -> None:
        text = canonical(payload)
        new = chain_hash(self.head, kind, text)
        self.seq += 1
        self.pending.append(
            {
                "audit": self.audit,
                "seq": self.seq,
                "kind": kind,
                "payload": text,
                "prev_hash": self.head,
                "hash": new,
            }
        )
        self.head = new

    def flush(self) -> None:
        if self.pending:
            self.conn.execute(schema.journal.insert(), self.pending)
            self.pending = []


class AuditStore:
    """Audits kept in one database (``sqlite:///audit.db`` by default)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- helpers -------------------------------------------------------------------------

    def _writer(self, conn: Connection, name: str) -> _Writer:
        row = conn.execute(
            select(schema.journal.c.seq, schema.journal.c.hash)
            .where(schema.journal.c.audit == name)
            .order_by(schema.journal.c.seq.desc())
            .limit(1)
        ).first()
        return _Writer(conn, name, row.hash if row else GENESIS, row.seq if row else 0)

    def _open_round(
        self,
        w: _Writer,
        spec: AuditSpec,
        batches: Sequence[Batch],
        number: int,
        size: int,
        already: int,
        now: str,
    ) -> list[dict[str, Any]]:
        if spec.method.is_batch:
            rows = self._batch_rows(w.conn, spec, batches, number, size, already)
        else:
            sample = draw_sample(batches, spec.seed, size - already, skip=already)
            rows = [_draw_row(spec.name, number, d) for d in sample.draws]
        if rows:
            w.conn.execute(schema.draw.insert(), rows)
        w.conn.execute(
            schema.round_.insert().values(
                audit=spec.name, number=number, size=size, opened_at=now, result=None
            )
        )
        w.log(
            "round_opened",
            {"round": number, "size": size, "draws_sha256": draws_digest(rows), "at": now},
        )
        return rows

    def _batch_rows(
        self,
        conn: Connection,
        spec: AuditSpec,
        batches: Sequence[Batch],
        number: int,
        size: int,
        already: int,
    ) -> list[dict[str, Any]]:
        """PPEB draws of batches, stored as draws whose 'ballot' is the whole batch."""
        reported = {
            r.batch: _tally(r.tally)
            for r in conn.execute(
                select(schema.batch_report).where(schema.batch_report.c.audit == spec.name)
            )
        }
        macro_batches = [macro.Batch(b.name, b.ballots, reported[b.name]) for b in batches]
        return [
            _draw_row(spec.name, number, d)
            for d in ppeb_draws(spec, batches, macro_batches, size - already, already)
        ]

    def _transaction(self) -> Any:
        try:
            return self.engine.begin()
        except SQLAlchemyError as exc:  # pragma: no cover - connection failures
            raise StoreError(f"cannot open the audit database: {_short(exc)}") from exc

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
        cvrs: dict[str, str] | None = None,
        cvr_source: str = "",
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> StoredAudit:
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
            assert reported is not None
            size = batch_first_round(
                spec, [macro.Batch(b.name, b.ballots, dict(reported[b.name])) for b in batches]
            )
        else:
            size = first_round_size(spec)
        if size < 1:
            raise StoreError(f"round size must be at least 1, got {size}")
        try:
            with self.engine.begin() as conn:
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
                        {
                            "sha256": hashlib.sha256(
                                canonical(sorted(rep.items())).encode()
                            ).hexdigest(),
                            "batches": len(rep),
                        },
                    )
                if cvrs:
                    conn.execute(
                        schema.cvr.insert(),
                        [
                            {"audit": spec.name, "ballot_id": k, "choice": v}
                            for k, v in cvrs.items()
                        ],
                    )
                    w.log(
                        "cvrs_committed",
                        {"sha256": cvr_digest(cvrs), "records": len(cvrs), "source": cvr_source},
                    )
                self._open_round(w, spec, batches, 1, size, 0, now)
                w.flush()
        except SQLAlchemyError as exc:
            raise StoreError(f"the audit database refused the new audit: {_short(exc)}") from exc
        return self.load(spec.name)

    def record(
        self, name: str, rows: Iterable[tuple[str, str, str]], *, now: str, correct: bool = False
    ) -> tuple[StoredAudit, int, int]:
        """Record interpretations ``(ballot id, choice, note)``; close the round when complete.

        Returns the audit after recording, the number of new versions written and the number
        of rows that repeated what was already recorded.
        """
        before = self.load(name)
        if before.decision in (Decision.CONFIRM, Decision.FULL_HAND_COUNT):
            raise StoreError(
                f"audit {name!r} has ended ({before.decision.value}); nothing more can be recorded"
            )
        drawn = {d.ballot_id for d in before.draws}
        sizes = {b.name: b.ballots for b in before.batches}
        batch_size = {d.ballot_id: sizes.get(d.batch, 0) for d in before.draws}
        closed = {d.ballot_id for d in before.draws if before.results[d.round - 1] is not None}
        valid = before.spec.valid_interpretations()
        written = repeated = 0
        try:
            with self.engine.begin() as conn:
                w = self._writer(conn, name)
                if w.head != before.journal_head:
                    # Someone recorded meanwhile: what was checked above may be stale.
                    raise StoreError(
                        f"audit {name!r} changed while recording; run the command again"
                    )
                latest = dict(before.interpretations)
                versions: dict[str, int] = {}
                for bid, _v, *_ in before.history:
                    versions[bid] = max(versions.get(bid, 0), _v)
                new_rows: list[dict[str, Any]] = []
                for ballot_id, choice, note in rows:
                    if ballot_id not in drawn:
                        raise StoreError(f"ballot {ballot_id} was not drawn in audit {name!r}")
                    if before.spec.method.is_batch:
                        try:
                            counted = parse_batch_reading(before.spec, choice)
                        except AnalysisError as exc:
                            raise StoreError(f"batch {ballot_id}: {exc}") from None
                        if sum(counted.values()) > batch_size[ballot_id]:
                            raise StoreError(
                                f"batch {ballot_id}: {sum(counted.values())} votes, but the "
                                f"batch holds {batch_size[ballot_id]} ballots"
                            )
                        choice = batch_reading(counted)
                    elif choice not in valid:
                        raise StoreError(
                            f"ballot {ballot_id}: {choice!r} is not one of "
                            + ", ".join(sorted(valid))
                        )
                    old = latest.get(ballot_id)
                    if old is not None and old != choice and ballot_id in closed:
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
                    version = versions.get(ballot_id, 0) + 1
                    new_rows.append(
                        {
                            "audit": name,
                            "ballot_id": ballot_id,
                            "version": version,
                            "choice": choice,
                            "recorded_at": now,
                            "correction": old is not None,
                            "note": note,
                        }
                    )
                    w.log(
                        "interpretation",
                        {
                            "ballot_id": ballot_id,
                            "version": version,
                            "choice": choice,
                            "correction": old is not None,
                            "note": note,
                            "at": now,
                        },
                    )
                    latest[ballot_id] = choice
                    versions[ballot_id] = version
                    written += 1
                if new_rows:
                    conn.execute(schema.interpretation.insert(), new_rows)
                self._close_if_complete(w, before, latest, now)
                w.flush()
        except SQLAlchemyError as exc:
            raise StoreError(f"the audit database refused the record: {_short(exc)}") from exc
        return self.load(name), written, repeated

    def _close_if_complete(
        self, w: _Writer, audit: StoredAudit, latest: dict[str, str], now: str
    ) -> None:
        number = audit.current_round
        if audit.results[number - 1] is not None:
            return
        if any(d.ballot_id not in latest for d in audit.round_draws(number)):
            return
        result = audit.evaluate(latest, number)[-1]
        w.conn.execute(
            schema.round_.update()
            .where(schema.round_.c.audit == audit.spec.name)
            .where(schema.round_.c.number == number)
            .values(result=_result_json(result))
        )
        w.log("round_closed", {"result": result.to_json(), "at": now})
        if result.decision is Decision.NEXT_ROUND and result.next_size is not None:
            rows = self._open_round(
                w, audit.spec, audit.batches, number + 1, result.next_size, result.size, now
            )
            # The new round may consist only of ballots (batches) already read: close it too.
            drawn = tuple(
                StoredDraw(
                    r["seq"],
                    r["round"],
                    r["ticket"],
                    r["ballot_id"],
                    r["generation"],
                    r["jurisdiction"],
                    r["container"],
                    r["tabulator"],
                    r["batch"],
                    r["position"],
                )
                for r in rows
            )
            grown = replace(
                audit,
                round_sizes=(*audit.round_sizes, result.next_size),
                results=(*audit.results[:-1], result, None),
                draws=(*audit.draws, *drawn),
            )
            self._close_if_complete(w, grown, latest, now)

    # --- reading ---------------------------------------------------------------------------

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return [
                r.name
                for r in conn.execute(select(schema.audit.c.name).order_by(schema.audit.c.name))
            ]

    def load(self, name: str) -> StoredAudit:
        """Everything stored about audit ``name``."""
        try:
            with self.engine.connect() as conn:
                a = conn.execute(select(schema.audit).where(schema.audit.c.name == name)).first()
                if a is None:
                    known = ", ".join(self.names()) or "none"
                    raise StoreError(f"no audit named {name!r} in this database (audits: {known})")
                try:
                    spec = spec_from_json(json.loads(a.spec))
                except (ValueError, KeyError, TypeError, AnalysisError) as exc:
                    raise StoreError(
                        f"audit {name!r}: its stored specification is unreadable "
                        f"({exc}); the record was damaged"
                    ) from exc
                batches = tuple(
                    Batch(r.jurisdiction, r.tabulator, r.name, r.ballots, r.container)
                    for r in conn.execute(
                        select(schema.batch)
                        .where(schema.batch.c.audit == name)
                        .order_by(schema.batch.c.idx)
                    )
                )
                rounds = list(
                    conn.execute(
                        select(schema.round_)
                        .where(schema.round_.c.audit == name)
                        .order_by(schema.round_.c.number)
                    )
                )
                draws = tuple(
                    StoredDraw(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
                    for r in conn.execute(
                        select(
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
                        .where(schema.draw.c.audit == name)
                        .order_by(schema.draw.c.seq)
                    ).all()  # one fetch: row-by-row is slow for millions of draws
                )
                hist = tuple(
                    (r[0], r[1], r[2], bool(r[3]), r[4], r[5])
                    for r in conn.execute(
                        select(
                            schema.interpretation.c.ballot_id,
                            schema.interpretation.c.version,
                            schema.interpretation.c.choice,
                            schema.interpretation.c.correction,
                            schema.interpretation.c.note,
                            schema.interpretation.c.recorded_at,
                        )
                        .where(schema.interpretation.c.audit == name)
                        .order_by(
                            schema.interpretation.c.recorded_at,
                            schema.interpretation.c.ballot_id,
                            schema.interpretation.c.version,
                        )
                    ).all()
                )
                reported = {
                    r.batch: _tally(r.tally)
                    for r in conn.execute(
                        select(schema.batch_report).where(schema.batch_report.c.audit == name)
                    )
                }
                cvrs = {
                    r.ballot_id: r.choice
                    for r in conn.execute(select(schema.cvr).where(schema.cvr.c.audit == name))
                }
                head = conn.execute(
                    select(schema.journal.c.hash, schema.journal.c.seq)
                    .where(schema.journal.c.audit == name)
                    .order_by(schema.journal.c.seq.desc())
                    .limit(1)
                ).first()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot read audit {name!r}: {_short(exc)}") from exc
        latest: dict[str, tuple[int, str]] = {}
        for bid, version, choice, *_ in hist:
            if bid not in latest or latest[bid][0] < version:
                latest[bid] = (version, choice)
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
        )

    def journal(self, name: str) -> list[tuple[int, str, str, str, str]]:
        with self.engine.connect() as conn:
            return [
                (r.seq, r.kind, r.payload, r.prev_hash, r.hash)
                for r in conn.execute(
                    select(schema.journal)
                    .where(schema.journal.c.audit == name)
                    .order_by(schema.journal.c.seq)
                )
            ]

    # --- verification ------------------------------------------------------------------------

    def verify(self, name: str, *, expected_head: str | None = None) -> tuple[Check, ...]:
        """Check the stored audit against its journal and against a recomputation."""
        checks: list[Check] = []
        audit = self.load(name)
        entries = self.journal(name)
        prev = GENESIS
        broken = None
        for seq, kind, payload, prev_hash, h in entries:
            if prev_hash != prev or chain_hash(prev, kind, payload) != h:
                broken = seq
                break
            prev = h
        checks.append(
            Check(
                "journal hash chain",
                broken is None,
                "intact" if broken is None else f"broken at entry {broken}",
            )
        )
        if expected_head is not None:
            checks.append(
                Check(
                    "journal head matches the published hash",
                    audit.journal_head == expected_head,
                    f"stored {audit.journal_head}, published {expected_head}",
                )
            )
        payloads = [(kind, json.loads(p)) for _, kind, p, _, _ in entries]
        started = next((p for k, p in payloads if k == "audit_started"), None)
        checks.append(
            Check(
                "audit specification matches the journal",
                started is not None
                and started["spec"] == spec_to_json(audit.spec)
                and started["manifest_sha256"] == audit.manifest_sha256
                and started.get("manifest_source") == audit.manifest_source
                and started.get("at") == audit.created_at,
                "seed, contest, risk limit, method, manifest hash and source, start time as "
                "first journalled",
            )
        )
        checks.append(
            Check(
                "manifest matches the journal",
                started is not None
                and started["batches"] == len(audit.batches)
                and started.get("batches_sha256") == batches_digest(audit.batches),
                f"{len(audit.batches)} batches stored, every field hashed",
            )
        )
        journalled = [
            (p["ballot_id"], p["version"], p["choice"], p["correction"], p["note"], p["at"])
            for k, p in payloads
            if k == "interpretation"
        ]
        stored = sorted((h[0], h[1], h[2], h[3], h[4], h[5]) for h in audit.history)
        checks.append(
            Check(
                "interpretations match the journal",
                sorted(journalled) == stored,
                f"{len(stored)} stored, {len(journalled)} journalled",
            )
        )
        opened = [p for k, p in payloads if k == "round_opened"]
        stored_digests = [
            draws_digest([_stored_row(name, d) for d in audit.round_draws(r)])
            for r in range(1, len(audit.round_sizes) + 1)
        ]
        checks.append(
            Check(
                "drawn ballots (with where they are) match the journal",
                [p["draws_sha256"] for p in opened] == stored_digests,
                f"{len(opened)} round(s) compared",
            )
        )
        checks.append(
            Check(
                "round sizes match the journal",
                [p["size"] for p in opened] == list(audit.round_sizes),
                f"sizes {list(audit.round_sizes)}",
            )
        )
        # Recompute the draws from the manifest and the seed.
        total = audit.round_sizes[-1] if audit.round_sizes else 0
        try:
            if audit.spec.method.is_batch:
                redrawn: Sequence[Draw] = (
                    ppeb_draws(audit.spec, audit.batches, audit.macro_batches(), total, 0)
                    if total
                    else ()
                )
            else:
                redrawn = draw_sample(audit.batches, audit.spec.seed, total).draws if total else ()
            same = [(d.order, d.ticket, d.id, d.generation) for d in redrawn] == [
                (d.seq, d.ticket, d.ballot_id, d.generation) for d in audit.draws
            ]
            detail = f"{len(redrawn)} draws recomputed, {len(audit.draws)} stored"
        except BallotproofError as exc:  # a damaged manifest or tally cannot even be drawn
            same, detail = False, f"cannot redraw: {exc}"
        checks.append(Check("draws recomputed from manifest and seed", same, detail))
        # Recompute the risk from the interpretations.
        tallies = next((p for k, p in payloads if k == "batch_tallies_committed"), None)
        if audit.spec.method.is_batch or tallies is not None:
            digest = hashlib.sha256(
                canonical(sorted((k, dict(v)) for k, v in audit.reported.items())).encode()
            ).hexdigest()
            checks.append(
                Check(
                    "reported batch tallies match the committed hash",
                    tallies is not None and tallies["sha256"] == digest,
                    f"{len(audit.reported)} batches stored",
                )
            )
        committed = next((p for k, p in payloads if k == "cvrs_committed"), None)
        if audit.spec.method.is_comparison or committed is not None:
            checks.append(
                Check(
                    "cast vote records match the committed hash",
                    committed is not None and committed["sha256"] == cvr_digest(audit.cvrs),
                    f"{len(audit.cvrs)} records stored",
                )
            )
        closed = [r for r in audit.results if r is not None]
        try:
            recomputed = audit.evaluate(audit.interpretations, len(closed)) if closed else ()
            ok = [x.to_json() for x in recomputed] == [r.to_json() for r in closed]
            detail = f"{len(closed)} closed round(s) recomputed"
        except KeyError as exc:
            ok, detail = False, f"a closed round lacks the interpretation of {exc}"
        except BallotproofError as exc:
            ok, detail = False, str(exc)
        checks.append(Check("risk recomputed from interpretations", ok, detail))
        closed_journal = [p["result"] for k, p in payloads if k == "round_closed"]
        checks.append(
            Check(
                "round results match the journal",
                closed_journal == [r.to_json() for r in closed],
                f"{len(closed_journal)} journalled",
            )
        )
        return tuple(checks)


def batch_id(name: str) -> str:
    """The reading key of a drawn batch in a batch-comparison audit."""
    return f"batch {name!r}"


def ppeb_draws(
    spec: AuditSpec,
    batches: Sequence[Batch],
    macro_batches: Sequence[macro.Batch],
    size: int,
    skip: int,
) -> list[Draw]:
    """The PPEB draws of a batch-comparison audit, as draws whose ballot is the batch."""
    bounds = {b.name: macro.error_bound(spec.contest, b) for b in macro_batches}
    by_name = {b.name: b for b in batches}
    sample = draw_ppeb(bounds, spec.seed, size, skip=skip)
    return [
        Draw(d.order, d.ticket, batch_id(d.batch), d.generation, by_name[d.batch].ballot(1))
        for d in sample.draws
    ]


def _stored_row(audit: str, d: StoredDraw) -> dict[str, Any]:
    return {
        "audit": audit,
        "seq": d.seq,
        "round": d.round,
        "ticket": d.ticket,
        "ballot_id": d.ballot_id,
        "generation": d.generation,
        "jurisdiction": d.jurisdiction,
        "container": d.container,
        "tabulator": d.tabulator,
        "batch": d.batch,
        "position": d.position,
    }


def _as_draw(d: StoredDraw) -> Draw:
    return Draw(d.seq, d.ticket, d.ballot_id, d.generation, d.ballot)


def _draw_row(audit: str, number: int, d: Draw) -> dict[str, Any]:
    b = d.ballot
    return {
        "audit": audit,
        "seq": d.order,
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


def open_store(url_or_path: str | Path, *, create: bool = True) -> AuditStore:
    """Open an audit database (a file path means SQLite); ``create=False`` refuses a missing
    file instead of creating an empty database (for commands that only read)."""
    text = str(url_or_path)
    if not create and "://" not in text and not Path(text).is_file():
        raise StoreError(f"no audit database at {text}")
    url = text if "://" in text else f"sqlite:///{text}"
    try:
        engine = create_engine(url, future=True)
        if url.startswith("sqlite"):

            @event.listens_for(engine, "connect")
            def _fk(dbapi_conn: Any, _record: Any) -> None:  # pragma: no cover - trivial
                dbapi_conn.execute("PRAGMA foreign_keys=ON")

        schema.metadata.create_all(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the audit database {text}: {_short(exc)}") from exc
    return AuditStore(engine)
