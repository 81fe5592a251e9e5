"""Users and log-in for the workspace: add a user, log in, find the session, log out.

Passwords are hashed with argon2id (``argon2-cffi``'s defaults, RFC 9106); only the hash is
kept. A session is a random token (256 bits) that lives in the browser's cookie; the database
keeps its SHA-256, so a copy of the database does not let anyone log in. Each session has its
own CSRF token for state-changing requests.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ballotproof.errors import InputError
from ballotproof.store.accounts import Accounts, UserRow

__all__ = [
    "ROLES",
    "LoggedIn",
    "Session",
    "add_user",
    "log_in",
    "log_out",
    "session_of",
]

ROLES = ("state-admin", "county-manager", "audit-board")
MIN_PASSWORD = 12
SESSION_HOURS = 12

_hasher = PasswordHasher()
# A hash to verify against when the e-mail is unknown, so that a wrong e-mail and a wrong
# password take the same time.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def _utc(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Session:
    """A live session: who, and the CSRF token its forms must carry."""

    email: str
    role: str
    jurisdiction: str | None
    csrf: str


@dataclass(frozen=True, slots=True)
class LoggedIn:
    """A new session: the token for the cookie (shown once, never stored) and the session."""

    token: str
    session: Session
    expires_at: str


def add_user(
    accounts: Accounts,
    email: str,
    role: str,
    password: str,
    *,
    jurisdiction: str | None = None,
    now: Callable[[], datetime] = _now,
) -> UserRow:
    """Add a user. County managers name their county; other roles name none.

    Raises
    ------
    InputError
        A bad e-mail, role, county or a password shorter than 12 characters (the field named).
    """
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        raise InputError("the e-mail address is not valid", field="--email")
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}", field="--role", got=role)
    if role == "county-manager" and not jurisdiction:
        raise InputError("a county manager needs a county", field="--jurisdiction")
    if role != "county-manager" and jurisdiction:
        raise InputError("only a county manager has a county", field="--jurisdiction")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password needs at least {MIN_PASSWORD} characters", field="password")
    return accounts.add_user(email, role, _hasher.hash(password), jurisdiction, now=_utc(now()))


def log_in(
    accounts: Accounts, email: str, password: str, *, now: Callable[[], datetime] = _now
) -> LoggedIn | None:
    """A new session for the right e-mail and password (``None`` otherwise, in the same time)."""
    user = accounts.user(email.strip().lower())
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None:  # pragma: no cover - the dummy hash's password is never known
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        accounts.set_password_hash(user.id, _hasher.hash(password))
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    start = now()
    expires = _utc(start + timedelta(hours=SESSION_HOURS))
    accounts.open_session(user.id, _digest(token), csrf, now=_utc(start), expires_at=expires)
    return LoggedIn(token, Session(user.email, user.role, user.jurisdiction, csrf), expires)


def session_of(
    accounts: Accounts, token: str | None, *, now: Callable[[], datetime] = _now
) -> Session | None:
    """The live session of a cookie's token (``None`` if absent, unknown or expired)."""
    if not token:
        return None
    row = accounts.session(_digest(token), now=_utc(now()))
    if row is None:
        return None
    return Session(row.user.email, row.user.role, row.user.jurisdiction, row.csrf)


def log_out(accounts: Accounts, token: str | None) -> None:
    """End the session of this token (nothing if there is none)."""
    if token:
        accounts.close_session(_digest(token))
