"""Log-in, sessions, CSRF and the access matrix of every route × every role.

The matrix is generated from the app's own route table, so a new route is tested as soon as
it exists (and cannot be served without declaring its rule: see test_public.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from ballotproof.cli.app import app as cli
from ballotproof.store import Accounts, AuditStore, open_store
from ballotproof.store.accounts import web_user
from ballotproof.usecases.accounts import add_user
from ballotproof.web.access import Access, permits, rule_of
from ballotproof.web.app import create_app
from ballotproof.web.auth import LoginLimiter
from tests.web.test_public import _audit

PASSWORD = "correct horse battery"
USERS = {
    "state-admin": ("admin@state.example", None),
    "county-manager": ("manager@fulton.example", "Fulton"),
    "audit-board": ("board1@fulton.example", None),
}


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AuditStore]:
    s = open_store(tmp_path / "workspace.sqlite")
    _audit(s)
    accounts = Accounts(s.engine)
    for role, (email, county) in USERS.items():
        add_user(accounts, email, role, PASSWORD, jurisdiction=county)
    yield s
    s.engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(store: AuditStore, clock: Clock) -> Iterator[TestClient]:
    web = create_app("unused", store=store, limiter=LoginLimiter(clock=clock))
    with TestClient(web, base_url="http://localhost", raise_server_exceptions=False) as c:
        yield c


def _login(client: TestClient, role: str) -> str:
    email = USERS[role][0]
    answer = client.post("/api/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["csrf"])


def test_the_cookie_is_http_only_same_site_and_secure_off_this_machine(store: AuditStore) -> None:
    for base, secure in (("http://localhost", False), ("https://audit.example.org", True)):
        with TestClient(create_app("unused", store=store), base_url=base) as c:
            answer = c.post(
                "/api/login", json={"email": USERS["state-admin"][0], "password": PASSWORD}
            )
            cookie = answer.headers["set-cookie"].lower()
            assert "bp_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
            assert ("secure" in cookie.split("; ")) is secure
            assert answer.json()["role"] == "state-admin"


def test_wrong_passwords_and_unknown_users_get_the_same_answer(client: TestClient) -> None:
    wrong = client.post(
        "/api/login", json={"email": USERS["state-admin"][0], "password": "nope" * 4}
    )
    unknown = client.post("/api/login", json={"email": "who@x.example", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {"error": {"status": 401, "message": "wrong e-mail or password"}}
    )
    assert "set-cookie" not in wrong.headers


def test_log_ins_are_rate_limited(client: TestClient, clock: Clock) -> None:
    email = USERS["county-manager"][0]
    for _ in range(5):
        assert (
            client.post("/api/login", json={"email": email, "password": "x" * 12}).status_code
            == 401
        )
    # Even the right password waits now.
    blocked = client.post("/api/login", json={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429 and "try again in" in blocked.json()["error"]["message"]
    clock.t += 301  # the window has passed
    assert client.post("/api/login", json={"email": email, "password": PASSWORD}).status_code == 200


def test_sessions_csrf_and_log_out(client: TestClient) -> None:
    assert client.get("/api/me").status_code == 401
    csrf = _login(client, "audit-board")
    assert client.get("/api/me").json()["role"] == "audit-board"
    # A state-changing request without the session's CSRF token is refused.
    assert client.post("/api/logout").status_code == 403
    assert client.post("/api/logout", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.post("/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/api/me").status_code == 401


def test_the_log_in_page_and_form(client: TestClient) -> None:
    # A page that needs a log-in sends the browser to the log-in page, then back.
    first = client.get("/admin", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login?next=/admin"
    page = client.get("/login?next=/admin")
    assert 'for="email"' in page.text and 'for="password"' in page.text
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    form = {"email": USERS["state-admin"][0], "password": PASSWORD, "next": "/admin"}
    # Without the token of the page the form is refused (cross-site log-in).
    refused = client.post("/login", data={**form, "csrf": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    done = client.post("/login", data={**form, "csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin"
    assert "State administration" in client.get("/admin").text
    # Logging in from the log-in page itself leads to the role's own page.
    client.post("/api/logout", headers={"X-CSRF-Token": client.get("/api/me").json()["csrf"]})
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    home = client.post("/login", data={**form, "next": "/", "csrf": csrf}, follow_redirects=False)
    assert home.headers["location"] == "/admin"
    assert 'href="/admin"' in client.get("/").text  # the header leads back to it
    # Never off-site after log-in.
    page = client.get("/login?next=//evil.example/")
    assert 'name="next" value="/"' in page.text


def test_passwords_are_stored_as_argon2_hashes_only(store: AuditStore, tmp_path: Path) -> None:
    with store.engine.connect() as conn:
        hashes = [r.password_hash for r in conn.execute(select(web_user))]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    # The database and its write-ahead log (SQLite in WAL mode keeps recent pages there).
    files = [tmp_path / "workspace.sqlite", tmp_path / "workspace.sqlite-wal"]
    assert files[0].is_file()
    assert all(PASSWORD.encode() not in f.read_bytes() for f in files if f.is_file())


def test_users_add_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "w.sqlite")
    runner = CliRunner()
    args = ["users", "add", "--email", "Chief@State.example", "--role", "state-admin", "--db", db]
    done = runner.invoke(cli, [*args, "--password-stdin", "--json"], input=PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {
        "email": "chief@state.example",
        "role": "state-admin",
        "jurisdiction": None,
    }
    again = runner.invoke(cli, [*args, "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code == 1 and "already exists" in again.output
    short = runner.invoke(cli, [*args[:-1], db + "2", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    # The password never goes on the command line.
    no_stdin = runner.invoke(cli, args)
    assert no_stdin.exit_code == 2 and "--password-stdin" in no_stdin.output
    county = runner.invoke(cli, ["users", "add", "--email", "m@c.example", "--role",
                                 "county-manager", "--db", db, "--password-stdin"],
                           input=PASSWORD + "\n")  # fmt: skip
    assert county.exit_code == 1 and "--jurisdiction" in county.output


ROLES: tuple[str | None, ...] = (None, "state-admin", "county-manager", "audit-board")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_route_for_every_role(client: TestClient, role: str | None) -> None:
    csrf = _login(client, role) if role else ""
    routes = [r for r in client.app.routes if isinstance(r, APIRoute)]
    assert routes
    for route in routes:
        rule = rule_of(route)
        assert rule is not None
        path = route.path.replace("{name}", "county-mayor").replace("{county}", "Fulton")
        for method in sorted(route.methods):
            if route.path in ("/api/logout", "/logout") and role:
                continue  # would end this session; tested above
            answer = client.request(
                method, path, headers={"X-CSRF-Token": csrf}, follow_redirects=False
            )
            assert answer.status_code < 500, (method, path, role, answer.text)
            refused = answer.status_code in (401, 403) or (
                answer.status_code == 303 and answer.headers["location"].startswith("/login")
            )
            if route.path in ("/login", "/api/login"):
                continue  # public; its answers are about credentials, tested above
            assert refused is not permits(rule, role), (method, path, role, answer.status_code)


def test_rules_do_not_nest() -> None:
    assert permits(Access.PUBLIC, None)
    assert not permits(Access.SIGNED_IN, None) and permits(Access.SIGNED_IN, "audit-board")
    assert permits(Access.COUNTY_MANAGER, "county-manager")
    assert not permits(Access.COUNTY_MANAGER, "state-admin")
    assert not permits(Access.STATE_ADMIN, "county-manager")
