"""Log-in, sessions and the one place where every route's access rule is enforced.

:func:`enforce` runs before every route (an app-wide dependency): it reads the rule the route
declared (:mod:`ballotproof.web.access`), finds the session from the ``bp_session`` cookie, and
refuses what the rule does not permit — ``401`` for the JSON API, a redirect to the log-in page
for pages, ``403`` for a role the rule does not name. State-changing requests of a logged-in
user carry the session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``).

Cookies are ``HttpOnly`` and ``SameSite=Lax``, and ``Secure`` unless the site is served on
the local machine. Failed log-ins are limited per client address and e-mail
(:class:`LoginLimiter`).
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import HTTPException, Request

from ballotproof.store import Accounts
from ballotproof.usecases.accounts import Session, session_of
from ballotproof.web.access import Access, permits, rule_of_endpoint

__all__ = [
    "CSRF_HEADER",
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "LoginLimiter",
    "LoginRequired",
    "enforce",
    "is_local",
    "new_csrf",
]

SESSION_COOKIE = "bp_session"
LOGIN_CSRF_COOKIE = "bp_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_LOCAL = frozenset({"localhost", "127.0.0.1", "::1"})


class LoginRequired(Exception):
    """A page needs a log-in: the app answers with a redirect to ``/login``."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def is_local(request: Request) -> bool:
    """Served on this machine (the cookie may go without ``Secure``)."""
    return (request.url.hostname or "") in _LOCAL


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class LoginLimiter:
    """At most ``attempts`` failed log-ins per ``window`` seconds, per client address and per
    e-mail address (a sliding window, in memory: a restart forgets it)."""

    attempts: int = 5
    window: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def _keys(self, client: str, email: str) -> tuple[str, str]:
        return (f"client:{client}", f"email:{email.strip().lower()}")

    def retry_after(self, client: str, email: str) -> int:
        """Seconds to wait before another attempt (0: go ahead)."""
        now = self.clock()
        wait = 0.0
        for key in self._keys(client, email):
            q = self._failures[key]
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.attempts:
                wait = max(wait, q[0] + self.window - now)
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, client: str, email: str) -> None:
        for key in self._keys(client, email):
            self._failures[key].append(self.clock())

    def succeeded(self, client: str, email: str) -> None:
        self._failures.pop(self._keys(client, email)[1], None)


async def enforce(request: Request) -> None:
    """The access check of every route (see the module's docstring)."""
    endpoint = request.scope.get("endpoint")
    rule = rule_of_endpoint(endpoint)
    if rule is None:  # pragma: no cover - the app refuses to start with such a route
        raise HTTPException(403, "this route declares no access rule")
    accounts: Accounts = request.app.state.accounts
    session: Session | None = session_of(accounts, request.cookies.get(SESSION_COOKIE))
    request.state.session = session
    if rule is Access.PUBLIC:
        return
    if session is None:
        if request.url.path.startswith("/api/"):
            raise HTTPException(401, "log in first")
        raise LoginRequired(request.url.path)
    if not permits(rule, session.role):
        raise HTTPException(403, f"this needs the {rule.value} role")
    if request.method not in _SAFE:
        token = request.headers.get(CSRF_HEADER)
        if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get("csrf")
            token = value if isinstance(value, str) else None
        if token is None or not secrets.compare_digest(token, session.csrf):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page")
