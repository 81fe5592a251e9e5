"""Schemathesis against ``/openapi.json``: every JSON route, with generated requests (a bounded
number of examples), as an anonymous visitor and as each role, never answers 500."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from ballotproof.store import Accounts, open_store
from ballotproof.usecases.accounts import add_user, log_in
from ballotproof.web.app import create_app
from tests.web.test_public import _audit

_FOLDER = Path(tempfile.mkdtemp(prefix="bp-fuzz-"))
_STORE = open_store(_FOLDER / "fuzz.sqlite")
_audit(_STORE)
_PASSWORD = "fuzzing passphrase"
_ROLES = {
    "state-admin": ("admin@fuzz.example", None),
    "county-manager": ("manager@fuzz.example", "J"),
    "audit-board": ("board@fuzz.example", None),
}
for _role, (_email, _county) in _ROLES.items():
    add_user(Accounts(_STORE.engine), _email, _role, _PASSWORD, jurisdiction=_county)
APP = create_app("unused", store=_STORE)
# Log-out would end the shared session half-way; it is tested in test_auth.py.
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path="/api/logout")


def _headers(role: str | None) -> dict[str, str]:
    if role is None:
        return {}
    new = log_in(Accounts(_STORE.engine), _ROLES[role][0], _PASSWORD)
    assert new is not None
    return {"Cookie": f"bp_session={new.token}", "X-CSRF-Token": new.session.csrf}


_SESSIONS = {role: _headers(role) for role in (None, *_ROLES)}


@pytest.mark.parametrize("role", list(_SESSIONS), ids=lambda r: r or "anonymous")
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_json_route_answers_500(case: schemathesis.Case, role: str | None) -> None:
    response = case.call(headers=_SESSIONS[role])
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
