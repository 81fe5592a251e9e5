"""Setting up an audit with counties through the JSON API: create, upload, launch, retrieve,
and the public page — each county confined to its own data."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from ballotproof.store import Accounts, AuditStore, Workspace, open_store
from ballotproof.usecases.accounts import add_user
from ballotproof.usecases.verify import verify_bundle
from ballotproof.web.app import create_app
from tests.audit.test_store_backends import _postgres

PASSWORD = "correct horse battery"
PEOPLE = {
    "admin@state.example": ("state-admin", None),
    "fulton@county.example": ("county-manager", "Fulton"),
    "cobb@county.example": ("county-manager", "Cobb"),
}
NEW = {
    "name": "mayor-2026",
    "contest": {"name": "Mayor", "tally": {"Alice": 1200, "Bob": 750}, "ballots": 2000},
    "method": "bravo",
    "risk_limit": 0.05,
    "seed": "8264 1937 5510 2846 0193",
    "seed_ceremony": "ten 10-sided dice rolled in public on 2026-11-20 by three observers",
    "counties": [
        {"name": "Fulton", "manager_email": "fulton@county.example"},
        {"name": "Cobb", "manager_email": "cobb@county.example"},
    ],
}


def _manifest(prefix: str) -> bytes:
    rows = "".join(f"C{i // 5},TAB{i % 2},{prefix}{i},100\n" for i in range(10))
    return ("Container,Tabulator,Batch Name,Number of Ballots\n" + rows).encode()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditStore]:
    urls = [str(tmp_path / "ws.sqlite")] if request.param == "sqlite" else _postgres()
    for url in urls:
        s = open_store(url, pooled=True)
        for email, (role, county) in PEOPLE.items():
            add_user(Accounts(s.engine), email, role, PASSWORD, jurisdiction=county)
        yield s
        s.engine.dispose()


def _as(store: AuditStore, email: str) -> TestClient:
    c = TestClient(create_app("unused", store=store), base_url="http://localhost",
                   raise_server_exceptions=False)  # fmt: skip
    answer = c.post("/api/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    c.headers["X-CSRF-Token"] = answer.json()["csrf"]
    return c


def _upload(c: TestClient, county: str, content: bytes, filename: str = "manifest.csv") -> object:
    return c.put(
        f"/api/workspace/audits/mayor-2026/counties/{county}/manifest",
        files={"file": (filename, content, "text/csv")},
    )


def test_a_state_and_two_counties_set_up_and_launch_an_audit(
    store: AuditStore, tmp_path: Path
) -> None:
    admin = _as(store, "admin@state.example")
    fulton = _as(store, "fulton@county.example")
    cobb = _as(store, "cobb@county.example")

    created = admin.post("/api/workspace/audits", json=NEW)
    assert created.status_code == 201, created.text
    assert created.json()["ready"] is False
    assert admin.post("/api/workspace/audits", json=NEW).status_code == 400  # the name is taken
    # Counties cannot set up audits, and the admin cannot upload for a county.
    assert fulton.post("/api/workspace/audits", json={**NEW, "name": "x"}).status_code == 403
    assert _upload(admin, "Fulton", _manifest("F")).status_code == 403

    # A bad file is one error naming file, line and field, and nothing is kept.
    bad = _manifest("F").replace(b"F3,100", b"F3,1O0")
    refused = _upload(fulton, "Fulton", bad, "fulton.csv")
    assert refused.status_code == 400
    message = refused.json()["error"]["message"]
    assert "fulton.csv:5" in message and "Number of Ballots" in message, message
    assert admin.get("/api/workspace/audits/mayor-2026").json()["counties"][1]["manifest"] is None

    # Each county reaches only its own county: another's is not found, never shown.
    assert _upload(cobb, "Fulton", _manifest("X")).status_code == 404
    assert cobb.get("/api/workspace/audits/mayor-2026/counties/Fulton").status_code == 404
    ok = _upload(fulton, "Fulton", _manifest("F"), "fulton.csv")
    assert ok.status_code == 200, ok.text
    assert ok.json()["manifest"]["summary"] == "10 batches, 1,000 ballots"

    # Launching waits for every county.
    early = admin.post("/api/workspace/audits/mayor-2026/launch", json={})
    assert early.status_code == 409 and "Cobb" in early.json()["error"]["message"]
    assert _upload(cobb, "Cobb", _manifest("C"), "cobb.csv").status_code == 200
    status = admin.get("/api/workspace/audits/mayor-2026").json()
    assert status["ready"] is True and status["status"] is None
    launched = admin.post("/api/workspace/audits/mayor-2026/launch", json={})
    assert launched.status_code == 200, launched.text
    doc = launched.json()
    assert doc["seed"] == NEW["seed"] and len(doc["rounds"]) == 1
    size = doc["rounds"][0]["size"]
    # After the launch the files are committed: a new upload is refused.
    assert _upload(cobb, "Cobb", _manifest("C")).status_code == 409

    # Each county's retrieval list holds its own ballots only; together, the whole round.
    lists = {}
    for county, client in (("Fulton", fulton), ("Cobb", cobb)):
        answer = client.get(f"/api/workspace/audits/mayor-2026/counties/{county}/retrieval.csv")
        assert answer.status_code == 200
        rows = answer.text.splitlines()[1:]
        assert rows and all(r.startswith(f"{county},") for r in rows)
        lists[county] = rows
    drawn = sum(int(r.split(",")[6]) for rows in lists.values() for r in rows)
    assert drawn == size

    # The public page tells how the seed was made; the bundle verifies offline.
    public = TestClient(create_app("unused", store=store)).get("/api/audits/mayor-2026").json()
    assert public["seed_ceremony"] == NEW["seed_ceremony"]
    archive = TestClient(create_app("unused", store=store)).get("/audits/mayor-2026/bundle.zip")
    zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path)
    checks = verify_bundle(tmp_path / "mayor-2026", expected_head=public["journal_head"])
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert Workspace(store.engine).draft("mayor-2026") is not None
    # Status pages read the uploads' summaries, never the files' text (up to 50 MiB each).
    assert {u.content for u in Workspace(store.engine).uploads("mayor-2026")} == {""}
    texts = Workspace(store.engine).uploads("mayor-2026", content=True)
    assert {u.county: u.content.encode() for u in texts} == {
        "Cobb": _manifest("C"),
        "Fulton": _manifest("F"),
    }


def test_setting_up_refuses_what_the_workspace_cannot_launch(store: AuditStore) -> None:
    admin = _as(store, "admin@state.example")
    for change, field in (
        ({"method": "macro"}, "method"),
        ({"method": "shangrla-comparison"}, "method"),
        ({"seed_ceremony": "  "}, "seed_ceremony"),
        ({"counties": []}, "counties"),
        ({"risk_limit": 1.5}, "risk limit"),
        ({"method": "nonsense"}, "method"),
    ):
        answer = admin.post("/api/workspace/audits", json={**NEW, **change})
        assert answer.status_code == 400, (change, answer.text)
        assert field in answer.json()["error"]["message"], (change, answer.json())
    assert admin.get("/api/workspace/audits/mayor-2026").status_code == 404


def _launched(store: AuditStore) -> tuple[TestClient, TestClient, TestClient]:
    admin = _as(store, "admin@state.example")
    fulton = _as(store, "fulton@county.example")
    cobb = _as(store, "cobb@county.example")
    assert admin.post("/api/workspace/audits", json=NEW).status_code == 201
    assert _upload(fulton, "Fulton", _manifest("F")).status_code == 200
    assert _upload(cobb, "Cobb", _manifest("C")).status_code == 200
    assert admin.post("/api/workspace/audits/mayor-2026/launch", json={}).status_code == 200
    return admin, fulton, cobb


def _board(store: AuditStore, manager: TestClient, county: str, name: str) -> TestClient:
    made = manager.post(
        f"/api/workspace/audits/mayor-2026/counties/{county}/boards",
        json={"name": name, "members": [f"{name} R", f"{name} D"]},
    )
    assert made.status_code == 201, made.text
    doc = made.json()
    board = TestClient(create_app("unused", store=store), base_url="http://localhost",
                       raise_server_exceptions=False)  # fmt: skip
    page = board.get(doc["link"])
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    # The passphrase works typed in lower case with spaces around it.
    answer = board.post(
        doc["link"], data={"passphrase": f" {doc['passphrase'].lower()} ", "csrf": csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/board"
    board.headers["X-CSRF-Token"] = board.get("/api/me").json()["csrf"]
    board.headers["X-Board-Code"] = doc["code"]
    return board


def test_audit_boards_enter_ballots_until_the_round_closes(store: AuditStore) -> None:
    admin, fulton, cobb = _launched(store)
    board = _board(store, fulton, "Fulton", "Board 1")
    other = _board(store, cobb, "Cobb", "Board 1")
    doc = board.get("/api/board").json()
    assert doc["county"] == "Fulton" and doc["round"] == 1
    ballots = [b for b in doc["ballots"] if not b["already_read"]]
    assert ballots and all(b["label"].startswith("Fulton/") for b in ballots)
    members = doc["members"]
    first = ballots[0]["ballot_id"]
    page = board.get("/board").text  # the tablet page: one form per ballot, every field labelled
    assert "Fulton, Board 1: round 1" in page and f'value="{escape(first)}"' in page
    assert page.count('type="radio"') == len(ballots) * len(doc["choices"])

    def enter(client: TestClient, ballot: str, reading: str, who: list[str]) -> object:
        return client.post(
            "/api/board/readings",
            json={"ballot_id": ballot, "interpretation": reading, "confirmed_by": who},
        )

    # Both members confirm each entry.
    alone = enter(board, first, "Alice", members[:1])
    assert alone.status_code == 400 and "confirmed_by" in alone.json()["error"]["message"]
    done = enter(board, first, "Alice", members)
    assert done.status_code == 200 and done.json()["recorded"] is True
    # A retry records nothing new; a different reading is a conflict, nothing is overwritten.
    assert enter(board, first, "Alice", members).json()["recorded"] is False
    clash = enter(board, first, "Bob", members)
    assert clash.status_code == 409
    # Another county's board cannot reach this county's ballots.
    assert enter(other, first, "Bob", other.get("/api/board").json()["members"]).status_code == 409
    # The county manager corrects it, with a reason; both versions stay in the record.
    fixed = fulton.post(
        "/api/workspace/audits/mayor-2026/counties/Fulton/corrections",
        json={"ballot_id": first, "interpretation": "Bob", "note": "second look: Bob"},
    )
    assert fixed.status_code == 200, fixed.text
    history = [h for h in store.load("mayor-2026").history if h[0] == first]
    assert [h[2] for h in history] == ["Alice", "Bob"]
    assert (
        cobb.post(
            "/api/workspace/audits/mayor-2026/counties/Fulton/corrections",
            json={"ballot_id": first, "interpretation": "Alice", "note": "x"},
        ).status_code
        == 404
    )

    # Both counties read everything ("Alice" on two of three): the round closes by itself.
    for client in (board, other):
        listing = client.get("/api/board").json()
        for i, b in enumerate(listing["ballots"]):
            if b["reading"] is None and not b["already_read"] and not b["phantom"]:
                answer = enter(client, b["ballot_id"], "Bob" if i % 3 == 0 else "Alice",
                               listing["members"])  # fmt: skip
                assert answer.status_code == 200, answer.text
    status = admin.get("/api/workspace/audits/mayor-2026").json()["status"]
    assert status["rounds"][0]["result"] is not None
    assert status["rounds"][0]["result"]["decision"] in ("confirm", "next_round")

    # Signing off ends the board's round; revoking ends the board.
    assert (
        board.post("/api/board/sign-off").json()["signed_off_round"]
        == status["rounds"][-1]["round"]
    )
    code = board.headers["X-Board-Code"]
    revoked = fulton.post(f"/api/workspace/audits/mayor-2026/counties/Fulton/boards/{code}/revoke")
    assert revoked.status_code == 200
    assert board.get("/api/board").status_code == 401  # its session is gone
    listed = fulton.get("/api/workspace/audits/mayor-2026/counties/Fulton/boards").json()
    assert listed["boards"][0]["revoked"] is True and "passphrase" not in listed["boards"][0]
    assert (
        cobb.post(
            f"/api/workspace/audits/mayor-2026/counties/Fulton/boards/{code}/revoke"
        ).status_code
        == 404
    )


def test_the_demo_loads_georgia_counties_through_the_same_use_cases(tmp_path: Path) -> None:
    from ballotproof.usecases.demo_workspace import DEMO_AUDIT, DEMO_COUNTIES, load_demo

    store = open_store(tmp_path / "demo.sqlite")
    logins = load_demo(store, now=lambda: "2026-12-01T00:00:00Z")
    roles = [login.role for login in logins]
    assert roles.count("county-manager") == roles.count("audit-board") == len(DEMO_COUNTIES)
    assert roles.count("state-admin") == roles.count("public") == 1
    status = store.status(DEMO_AUDIT)
    assert status.current_round == 1 and status.spec.risk_limit == 0.1
    # Every county's ballots are in the draw's reach: the manifest is the three counties'.
    jurisdictions = {b.jurisdiction for b in store.load(DEMO_AUDIT).batches}
    assert jurisdictions == set(DEMO_COUNTIES)
    board = next(x for x in logins if x.role == "audit-board")
    client = TestClient(create_app("unused", store=store), base_url="http://localhost")
    page = client.get(board.link)
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    client.post(board.link, data={"passphrase": board.secret, "csrf": csrf})
    listing = client.get("/api/board").json()
    assert listing["choices"][:3] == list(status.spec.contest.tally)[:3]
    assert listing["ballots"] and listing["county"] == DEMO_COUNTIES[0]
    store.engine.dispose()


def test_an_idempotency_key_makes_a_retry_record_nothing(store: AuditStore) -> None:
    _admin, fulton, _cobb = _launched(store)
    board = _board(store, fulton, "Fulton", "Board 1")
    doc = board.get("/api/board").json()
    first, second = [b["ballot_id"] for b in doc["ballots"] if not b["already_read"]][:2]
    entry = {"ballot_id": first, "interpretation": "Alice", "confirmed_by": doc["members"]}
    key = {"Idempotency-Key": "tablet-7/entry-1"}
    done = board.post("/api/board/readings", json=entry, headers=key)
    assert done.status_code == 200 and done.json()["recorded"] is True
    # The retry gets the first answer, byte for byte, and writes nothing.
    before = store.status("mayor-2026").journal_length
    again = board.post("/api/board/readings", json=entry, headers=key)
    assert again.status_code == 200 and again.json() == done.json()
    assert store.status("mayor-2026").journal_length == before
    # The same key for another entry is refused; a new key is a new entry.
    other = {**entry, "ballot_id": second}
    reused = board.post("/api/board/readings", json=other, headers=key)
    assert reused.status_code == 422 and "another entry" in reused.json()["error"]["message"]
    fresh = board.post("/api/board/readings", json=other, headers={"Idempotency-Key": "k2"})
    assert fresh.status_code == 200 and fresh.json()["recorded"] is True
    versions = [h for h in store.load("mayor-2026").history if h[0] == first]
    assert len(versions) == 1
