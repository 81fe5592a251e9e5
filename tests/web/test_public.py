"""The workspace's public side: health, the route table's access rules, the public page of an
audit, and its bundle, which ``audit verify --published`` must accept as downloaded."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from markupsafe import escape

from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.process import AuditSpec, Method
from ballotproof.audit.sampler import Batch
from ballotproof.store import AuditStore, open_store
from ballotproof.usecases.verify import verify_bundle
from ballotproof.web.access import Access, rule_of
from ballotproof.web.app import check_routes, create_app
from tests.audit.test_store_backends import _postgres

BATCHES = tuple(Batch("J", "T1", f"B{i}", 100) for i in range(20))
SEED = "31415926535"


def _audit(store: AuditStore) -> None:
    """A BRAVO audit with round 1 read: 'A' on two of every three ballots (it confirms)."""
    spec = AuditSpec(
        "county-mayor", AuditContest("mayor", {"A": 1300, "B": 700}, 2000), 0.1, Method.BRAVO, SEED
    )
    store.start(spec, BATCHES, manifest_source="manifest.csv", manifest_sha256="0" * 64,
                now="2026-11-05T10:00:00Z", round_size=60)  # fmt: skip
    rows = {}
    for i, d in enumerate(store.load("county-mayor").draws):
        rows.setdefault(d.ballot_id, (d.ballot_id, "B" if i % 3 == 0 else "A", ""))
    store.record("county-mayor", list(rows.values()), now="2026-11-05T11:00:00Z")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditStore]:
    if request.param == "sqlite":
        s = open_store(tmp_path / "workspace.sqlite")
        yield s
        s.engine.dispose()
    else:
        for url in _postgres():
            s = open_store(url, pooled=True)
            yield s
            s.engine.dispose()


@pytest.fixture
def client(store: AuditStore) -> Iterator[TestClient]:
    _audit(store)
    with TestClient(create_app("unused", store=store), raise_server_exceptions=False) as c:
        yield c


def test_health_and_the_json_routes_are_described(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/api/health", "/api/audits", "/api/audits/{name}"} <= paths
    # Pages are not JSON routes; the interactive docs need a CDN and are off.
    assert "/audits/{name}" not in paths and "/" not in paths
    assert client.get("/docs").status_code == 404


def test_the_public_page_shows_what_an_observer_needs(
    client: TestClient, store: AuditStore
) -> None:
    status = store.status("county-mayor")
    assert status.decision is Decision.CONFIRM  # the fixture's sample confirms
    doc = client.get("/api/audits/county-mayor").json()
    assert doc["seed"] == SEED and doc["journal_head"] == status.journal_head
    assert doc["decision"] == "confirm"
    assert doc["rounds"][0]["result"]["risk"] <= 0.1
    assert doc["verify"][-1].endswith(f"--expect-head {status.journal_head}")
    page = client.get("/audits/county-mayor")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    html = page.text
    for text in (SEED, status.journal_head, "outcome confirmed", "mayor", "bravo"):
        assert text in html, text
    assert "<svg" in html  # the risk chart, inline: no network needed
    assert not re.search(r"(src|href)=\"https?://", html), "a page must not load from a CDN"
    assert client.get("/static/style.css").status_code == 200
    listing = client.get("/").text
    assert 'href="/audits/county-mayor"' in listing


def test_the_downloaded_bundle_verifies_offline(
    client: TestClient, store: AuditStore, tmp_path: Path
) -> None:
    response = client.get("/audits/county-mayor/bundle.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    head = store.status("county-mayor").journal_head
    checks = verify_bundle(tmp_path / "county-mayor", expected_head=head)
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    # The same record gives the same archive, byte for byte.
    assert client.get("/audits/county-mayor/bundle.zip").content == response.content
    # And the check can fail: the head published before a later change is not this one.
    stale = verify_bundle(tmp_path / "county-mayor", expected_head="0" * 64)
    assert not all(c.ok for c in stale)


def test_the_audit_report_as_a_page_and_as_csv(client: TestClient, store: AuditStore) -> None:
    import csv

    status = store.status("county-mayor")
    page = client.get("/audits/county-mayor")
    assert 'href="/audits/county-mayor/report.html"' in page.text
    html = client.get("/audits/county-mayor/report.html")
    assert html.status_code == 200 and 'id="decision">confirm<' in html.text
    assert "FAIL" not in html.text and status.journal_head in html.text
    response = client.get("/audits/county-mayor/report.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["round"]) for r in rows] == list(range(1, len(status.round_sizes) + 1))
    for row, size, result in zip(rows, status.round_sizes, status.results, strict=True):
        assert int(row["size"]) == size
        assert result is not None and float(row["risk"]) == result.risk
        assert row["decision"] == result.decision.value
        for choice, n in result.sample.items():
            assert int(row[f"sample: {choice}"]) == n
    assert client.get("/audits/nope/report.csv").status_code == 404
    assert client.get("/audits/nope/report.html").status_code == 404


def test_unknown_audits_are_one_clear_error(client: TestClient) -> None:
    api = client.get("/api/audits/nope")
    assert api.status_code == 404
    assert api.json() == {
        "error": {"status": 404, "message": "no audit named 'nope' in this workspace"}
    }
    page = client.get("/audits/nope")
    assert page.status_code == 404 and "no audit named" in page.text
    assert "Traceback" not in page.text
    assert client.get("/audits/nope/bundle.zip").status_code == 404


def test_every_route_declares_its_rule_and_answers_without_500(client: TestClient) -> None:
    app = client.app
    assert isinstance(app.routes, list)
    for route in app.routes:
        assert rule_of(route) is not None, route
        if isinstance(route, APIRoute) and "GET" in route.methods:
            for name in ("county-mayor", "nope"):
                path = route.path.replace("{name}", name).replace("{county}", "Fulton")
                answer = client.get(path, follow_redirects=False)
                assert answer.status_code < 500, (path, answer.status_code)
                if rule_of(route) is not Access.PUBLIC:  # anonymous: refused, never served
                    assert answer.status_code in (303, 401), (path, answer.status_code)


def test_a_route_without_a_rule_stops_the_app(tmp_path: Path) -> None:
    app = create_app(tmp_path / "w.sqlite")

    @app.get("/api/forgotten")
    def forgotten() -> dict[str, str]:
        return {"secret": "x"}

    with pytest.raises(RuntimeError, match="GET /api/forgotten"):
        check_routes(app)
    with pytest.raises(RuntimeError, match="without an access rule"), TestClient(app):
        pass  # the server refuses to start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_and_answers(tmp_path: Path) -> None:
    port = _free_port()
    code = "from ballotproof.cli.app import main; main()"
    args = ["serve", "--port", str(port), "--db", str(tmp_path / "new.sqlite")]
    server = subprocess.Popen([sys.executable, "-c", code, *args], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not answer in 30 s"
                time.sleep(0.1)
        assert answer.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/audits").json() == {"audits": []}
    finally:
        server.terminate()
        server.communicate(timeout=10)  # reaps the process and closes its pipe


def test_the_public_page_shows_the_risk_of_each_contest(tmp_path: Path) -> None:
    from tests.audit.test_multi_cli import _fill, _run, _start, _write_inputs

    files = _write_inputs(tmp_path)
    db = tmp_path / "multi.db"
    _start(tmp_path, db, files)
    _run("audit", "record", "--db", str(db), "--audit", "multi", str(_fill(tmp_path, db)))
    store = open_store(db, create=False)
    try:
        client = TestClient(create_app("unused", store=store))
        doc = client.get("/api/audits/multi").json()
        contests = {c["contest"]: c for c in doc["contests"]}
        assert contests and all(c["risk"] is not None for c in contests.values())
        page = client.get("/audits/multi").text
        assert 'id="contests"' in page
        for name, c in contests.items():
            assert escape(name) in page and format(c["risk"], ".4g") in page
    finally:
        store.engine.dispose()
