"""Who may use each route: every route declares its rule, and the app refuses to start if one
does not (as Arlo's ``restrict_access`` does for its endpoints).

A rule is attached with :func:`allow` to the endpoint function; :func:`undeclared` lists the
routes of an app that carry none, so that a route added without a rule cannot be served.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, TypeVar

from starlette.routing import BaseRoute, Mount, Route

__all__ = ["Access", "allow", "permits", "rule_of", "rule_of_endpoint", "undeclared"]

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "__ballotproof_access__"

# Routes FastAPI adds itself, and the vendored style sheet: public by nature.
_BUILT_IN_PUBLIC = frozenset({"/openapi.json"})
_PUBLIC_MOUNTS = frozenset({"static"})


class Access(StrEnum):
    """The roles of the workspace, from the least to the most trusted."""

    PUBLIC = "public"  # anyone, no log-in: the public page of an audit, health, log-in
    SIGNED_IN = "signed-in"  # anyone logged in, whatever the role (log-out, "who am I")
    AUDIT_BOARD = "audit-board"  # the ballots of its own round and county
    COUNTY_MANAGER = "county-manager"  # its own county only
    STATE_ADMIN = "state-admin"  # the whole audit


def allow(rule: Access) -> Callable[[F], F]:
    """Declare the access rule of an endpoint (put it under the route decorator)."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, _ATTRIBUTE, rule)
        return endpoint

    return mark


def rule_of_endpoint(endpoint: object) -> Access | None:
    """The rule declared on an endpoint function (``None`` if none)."""
    rule = getattr(endpoint, _ATTRIBUTE, None)
    return rule if isinstance(rule, Access) else None


def permits(rule: Access, role: str | None) -> bool:
    """Whether a user with ``role`` (``None``: not logged in) may use a route with ``rule``.

    Roles do not nest: a state admin is not a county manager (as in Arlo, where an audit
    administrator does not enter a county's data)."""
    if rule is Access.PUBLIC:
        return True
    if role is None:
        return False
    return rule is Access.SIGNED_IN or rule.value == role


def rule_of(route: BaseRoute) -> Access | None:
    """The declared rule of a route (``None`` if it has none)."""
    if isinstance(route, Mount):
        return Access.PUBLIC if route.name in _PUBLIC_MOUNTS else None
    if isinstance(route, Route) and route.path in _BUILT_IN_PUBLIC:
        return Access.PUBLIC
    return rule_of_endpoint(getattr(route, "endpoint", None))


def undeclared(routes: Iterable[BaseRoute]) -> list[str]:
    """``METHODS path`` of every route without an access rule."""
    missing = []
    for route in routes:
        if rule_of(route) is None:
            methods = sorted(getattr(route, "methods", None) or [])
            path = getattr(route, "path", repr(route))
            missing.append(f"{','.join(methods) or 'ANY'} {path}".strip())
    return missing
