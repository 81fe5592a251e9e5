"""Who may use the workspace: its users and their log-in sessions (persisted only).

Two tables beside the audit record, created with it (:data:`ballotproof.store.schema.metadata`):

* ``web_user`` — one row per person: e-mail (unique, lower case), role, the county
  (jurisdiction) a county manager looks after, and an argon2 hash of the password (never the
  password; hashing is :mod:`ballotproof.usecases.accounts`'s job);
* ``web_session`` — one row per log-in: the SHA-256 of the session token (the token itself
  lives only in the browser's cookie), the CSRF token of the session, and its expiry.

They are not part of any audit's journal: accounts are the workspace's, not the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.exc import SQLAlchemyError

from ballotproof.errors import StoreError
from ballotproof.store.schema import metadata

__all__ = ["Accounts", "SessionRow", "UserRow"]

web_user = Table(
    "web_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("role", String(40), nullable=False),
    Column("jurisdiction", Text),
    Column("password_hash", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

web_session = Table(
    "web_session",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("web_user.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
)


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    email: str
    role: str
    jurisdiction: str | None
    password_hash: str


@dataclass(frozen=True, slots=True)
class SessionRow:
    user: UserRow
    csrf: str
    expires_at: str


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0]


class Accounts:
    """The users and sessions of a workspace, on the audit store's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_user(
        self, email: str, role: str, password_hash: str, jurisdiction: str | None, *, now: str
    ) -> UserRow:
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(
                    insert(web_user).values(
                        email=email,
                        role=role,
                        jurisdiction=jurisdiction,
                        password_hash=password_hash,
                        created_at=now,
                    )
                ).inserted_primary_key
        except SAIntegrityError as exc:
            raise StoreError(f"a user with e-mail {email!r} already exists") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot add user {email!r}: {_short(exc)}") from exc
        assert new_id is not None
        return UserRow(int(new_id[0]), email, role, jurisdiction, password_hash)

    def user(self, email: str) -> UserRow | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(web_user).where(web_user.c.email == email)).first()
        return (
            None if r is None else UserRow(r.id, r.email, r.role, r.jurisdiction, r.password_hash)
        )

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                web_user.update()
                .where(web_user.c.id == user_id)
                .values(password_hash=password_hash)
            )

    def open_session(
        self, user_id: int, token_sha256: str, csrf: str, *, now: str, expires_at: str
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(web_session).values(
                    token_sha256=token_sha256,
                    user_id=user_id,
                    csrf=csrf,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    def session(self, token_sha256: str, *, now: str) -> SessionRow | None:
        """The live session with this token hash (``None`` if unknown or expired)."""
        with self.engine.connect() as conn:
            r = conn.execute(
                select(web_session, web_user)
                .join(web_user, web_user.c.id == web_session.c.user_id)
                .where(web_session.c.token_sha256 == token_sha256)
                .where(web_session.c.expires_at > now)
            ).first()
        if r is None:
            return None
        user = UserRow(r.id, r.email, r.role, r.jurisdiction, r.password_hash)
        return SessionRow(user, r.csrf, r.expires_at)

    def close_sessions_of(self, user_id: int) -> None:
        """End every session of a user (a revoked audit board, a changed password)."""
        with self.engine.begin() as conn:
            conn.execute(delete(web_session).where(web_session.c.user_id == user_id))

    def close_session(self, token_sha256: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(web_session).where(web_session.c.token_sha256 == token_sha256))
