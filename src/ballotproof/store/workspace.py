"""An audit being set up in the workspace, before its record begins (persisted only).

* ``ws_audit`` — the state admin's choices: contest (canonical JSON), method, risk limit, the
  public seed and how it was made (the ceremony, in the admin's words), who made it, and
  whether it has been launched (then the audit record in ``audit``/``journal`` takes over);
* ``ws_county`` — the counties (jurisdictions) taking part, with their manager's e-mail;
* ``ws_board`` — the audit boards of each county: the board's code (its log-in link), its
  members, the user it logs in as, whether it was revoked, and the round it signed off;
* ``ws_idempotency`` — the answer given to each write that carried an ``Idempotency-Key``
  header, by user and key, so that a retried request gets the same answer and records nothing;
* ``ws_upload`` — each county's files as uploaded (text, SHA-256, the loader's summary, and
  the format of a file that has several: cast vote records). A county may upload again until
  the audit is launched; after that the files are in the journal's commitments and cannot
  change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError as SAIntegrityError

from ballotproof.errors import StoreError
from ballotproof.store.schema import metadata

__all__ = ["BoardRow", "DraftRow", "UploadRow", "Workspace"]

ws_audit = Table(
    "ws_audit",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("contest", Text, nullable=False),
    Column("method", String(40), nullable=False),
    Column("risk_limit", Text, nullable=False),
    Column("seed", Text, nullable=False),
    Column("seed_ceremony", Text, nullable=False),
    Column("created_by", String(320), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("launched", Boolean, nullable=False, default=False),
)

ws_county = Table(
    "ws_county",
    metadata,
    Column("audit", String(200), ForeignKey("ws_audit.name"), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("manager_email", String(320)),
)

ws_upload = Table(
    "ws_upload",
    metadata,
    Column("audit", String(200), primary_key=True),
    Column("county", String(200), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("filename", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("uploaded_by", String(320), nullable=False),
    Column("uploaded_at", String(40), nullable=False),
    Column("format", String(40)),
)

ws_board = Table(
    "ws_board",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("audit", String(200), ForeignKey("ws_audit.name"), nullable=False),
    Column("county", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("members", Text, nullable=False),  # JSON list of the members' names
    Column("user_id", Integer, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("signed_off_round", Integer),
    Column("created_at", String(40), nullable=False),
)

ws_idempotency = Table(
    "ws_idempotency",
    metadata,
    Column("user_email", String(320), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_sha256", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)


@dataclass(frozen=True, slots=True)
class BoardRow:
    code: str
    audit: str
    county: str
    name: str
    members: str
    user_id: int
    revoked: bool
    signed_off_round: int | None


@dataclass(frozen=True, slots=True)
class DraftRow:
    name: str
    contest: str
    method: str
    risk_limit: str
    seed: str
    seed_ceremony: str
    created_by: str
    created_at: str
    launched: bool
    counties: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class UploadRow:
    county: str
    kind: str
    filename: str
    sha256: str
    content: str
    summary: str
    rows: int
    uploaded_by: str
    uploaded_at: str
    format: str | None = None  # cast vote records: the file's format; None for a manifest


class Workspace:
    """Audits being set up, their counties and uploads, on the audit store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, draft: DraftRow) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(ws_audit).values(
                        name=draft.name,
                        contest=draft.contest,
                        method=draft.method,
                        risk_limit=draft.risk_limit,
                        seed=draft.seed,
                        seed_ceremony=draft.seed_ceremony,
                        created_by=draft.created_by,
                        created_at=draft.created_at,
                        launched=False,
                    )
                )
                for county, manager in draft.counties:
                    conn.execute(
                        insert(ws_county).values(
                            audit=draft.name, name=county, manager_email=manager
                        )
                    )
        except SAIntegrityError as exc:
            raise StoreError(f"an audit named {draft.name!r} already exists") from exc

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r.name for r in conn.execute(select(ws_audit.c.name).order_by(ws_audit.c.name))]

    def draft(self, name: str) -> DraftRow | None:
        with self.engine.connect() as conn:
            a = conn.execute(select(ws_audit).where(ws_audit.c.name == name)).first()
            if a is None:
                return None
            counties = tuple(
                (r.name, r.manager_email)
                for r in conn.execute(
                    select(ws_county).where(ws_county.c.audit == name).order_by(ws_county.c.name)
                )
            )
        return DraftRow(
            a.name,
            a.contest,
            a.method,
            a.risk_limit,
            a.seed,
            a.seed_ceremony,
            a.created_by,
            a.created_at,
            bool(a.launched),
            counties,
        )

    def put_upload(self, audit: str, upload: UploadRow) -> None:
        """Keep a county's file, replacing an earlier one of the same kind (before launch)."""
        with self.engine.begin() as conn:
            launched = conn.execute(
                select(ws_audit.c.launched).where(ws_audit.c.name == audit).with_for_update()
            ).scalar_one()
            if launched:
                raise StoreError(f"audit {audit!r} has been launched: its files cannot change")
            conn.execute(
                ws_upload.delete().where(
                    (ws_upload.c.audit == audit)
                    & (ws_upload.c.county == upload.county)
                    & (ws_upload.c.kind == upload.kind)
                )
            )
            conn.execute(
                insert(ws_upload).values(
                    audit=audit,
                    county=upload.county,
                    kind=upload.kind,
                    filename=upload.filename,
                    sha256=upload.sha256,
                    content=upload.content,
                    summary=upload.summary,
                    rows=upload.rows,
                    uploaded_by=upload.uploaded_by,
                    uploaded_at=upload.uploaded_at,
                    format=upload.format,
                )
            )

    def uploads(self, audit: str, *, content: bool = False) -> list[UploadRow]:
        """The audit's uploads; the files' text (up to 50 MiB each) only with ``content``,
        for the launch that combines them (``content`` is ``""`` otherwise)."""
        columns = [c for c in ws_upload.c if content or c.name != "content"]
        with self.engine.connect() as conn:
            return [
                UploadRow(
                    r.county,
                    r.kind,
                    r.filename,
                    r.sha256,
                    r.content if content else "",
                    r.summary,
                    r.rows,
                    r.uploaded_by,
                    r.uploaded_at,
                    r.format,
                )
                for r in conn.execute(
                    select(*columns)
                    .where(ws_upload.c.audit == audit)
                    .order_by(ws_upload.c.county, ws_upload.c.kind)
                )
            ]

    def add_board(self, board: BoardRow, *, now: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(ws_board).values(
                    code=board.code,
                    audit=board.audit,
                    county=board.county,
                    name=board.name,
                    members=board.members,
                    user_id=board.user_id,
                    revoked=False,
                    signed_off_round=None,
                    created_at=now,
                )
            )

    def boards(self, audit: str, county: str) -> list[BoardRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ws_board)
                .where((ws_board.c.audit == audit) & (ws_board.c.county == county))
                .order_by(ws_board.c.created_at, ws_board.c.name)
            )
            return [_board(r) for r in rows]

    def board(self, *, code: str | None = None, user_id: int | None = None) -> BoardRow | None:
        where = ws_board.c.code == code if code is not None else ws_board.c.user_id == user_id
        with self.engine.connect() as conn:
            r = conn.execute(select(ws_board).where(where)).first()
        return None if r is None else _board(r)

    def update_board(
        self, code: str, *, revoked: bool | None = None, signed_off_round: int | None = None
    ) -> None:
        values: dict[str, object] = {}
        if revoked is not None:
            values["revoked"] = revoked
        if signed_off_round is not None:
            values["signed_off_round"] = signed_off_round
        with self.engine.begin() as conn:
            conn.execute(ws_board.update().where(ws_board.c.code == code).values(**values))

    def recall(self, user_email: str, key: str) -> tuple[str, str] | None:
        """The (request digest, answer) remembered for this user's key, if any."""
        with self.engine.connect() as conn:
            r = conn.execute(
                select(ws_idempotency.c.request_sha256, ws_idempotency.c.response).where(
                    (ws_idempotency.c.user_email == user_email) & (ws_idempotency.c.key == key)
                )
            ).first()
        return None if r is None else (r.request_sha256, r.response)

    def remember(
        self, user_email: str, key: str, request_sha256: str, response: str, *, now: str
    ) -> None:
        """Keep the answer to a keyed write (a concurrent twin that got there first wins)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(ws_idempotency).values(
                        user_email=user_email,
                        key=key,
                        request_sha256=request_sha256,
                        response=response,
                        created_at=now,
                    )
                )
        except SAIntegrityError:
            pass

    def mark_launched(self, audit: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(ws_audit.update().where(ws_audit.c.name == audit).values(launched=True))


def _board(r: Any) -> BoardRow:
    return BoardRow(
        r.code,
        r.audit,
        r.county,
        r.name,
        r.members,
        r.user_id,
        bool(r.revoked),
        r.signed_off_round,
    )
