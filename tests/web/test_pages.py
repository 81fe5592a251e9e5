"""The same workflow through the pages (server-rendered forms), as people use it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ballotproof.audit.process import first_round_size
from ballotproof.store import Accounts, AuditStore, Workspace, open_store
from ballotproof.usecases.accounts import add_user
from ballotproof.usecases.workspace import draft_of, round_one_sizes
from ballotproof.web.app import create_app
from tests.web.test_workspace import PASSWORD, PEOPLE, _manifest


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AuditStore]:
    s = open_store(tmp_path / "ws.sqlite")
    for email, (role, county) in PEOPLE.items():
        add_user(Accounts(s.engine), email, role, PASSWORD, jurisdiction=county)
    yield s
    s.engine.dispose()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _login(store: AuditStore, email: str) -> TestClient:
    c = TestClient(create_app("unused", store=store), base_url="http://localhost",
                   raise_server_exceptions=False)  # fmt: skip
    page = c.get("/login")
    answer = c.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf": _csrf(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return c


def _labelled(html: str) -> None:
    """Every visible form field has a label (for= or wrapping)."""
    for field in re.finditer(r"<(input|select|textarea)\b([^>]*)>", html):
        attrs = field.group(2)
        if 'type="hidden"' in attrs or 'type="submit"' in attrs:
            continue
        ident = re.search(r'id="([^"]+)"', attrs)
        before = html[: field.start()]
        wrapped = before.rfind("<label") > before.rfind("</label>")
        assert wrapped or (ident and f'for="{ident.group(1)}"' in html), field.group(0)


def test_set_up_upload_launch_boards_and_entry_through_the_pages(store: AuditStore) -> None:
    admin = _login(store, "admin@state.example")
    page = admin.get("/admin").text
    _labelled(page)
    form = {
        "csrf": _csrf(page),
        "name": "mayor-2026",
        "contest": "Mayor",
        "tally": "Alice=1200\nBob=750",
        "ballots": "2000",
        "method": "bravo",
        "risk_limit": "0.05",
        "seed": "8264 1937 5510 2846 0193",
        "seed_ceremony": "dice rolled in public",
        "counties": "Fulton, fulton@county.example\nCobb, cobb@county.example",
    }
    made = admin.post("/admin/audits", data=form, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/admin/audits/mayor-2026"
    again = admin.post("/admin/audits", data=form)
    assert again.status_code == 400 and "already exists" in again.text
    unknown = admin.post("/admin/audits", data={**form, "name": "x", "method": "nonsense"})
    assert unknown.status_code == 400 and "method" in unknown.text  # never quietly BRAVO

    for email, county, prefix in (
        ("fulton@county.example", "Fulton", "F"),
        ("cobb@county.example", "Cobb", "C"),
    ):
        manager = _login(store, email)
        home = manager.get("/county").text
        assert 'href="/county/audits/mayor-2026"' in home
        page = manager.get("/county/audits/mayor-2026").text
        _labelled(page)
        bad = manager.post(
            "/county/audits/mayor-2026/manifest",
            data={"csrf": _csrf(page)},
            files={"file": ("bad.csv", b"Batch Name,Number of Ballots\nB1,-3\n", "text/csv")},
        )
        assert bad.status_code == 400 and "bad.csv:2" in bad.text
        good = manager.post(
            "/county/audits/mayor-2026/manifest",
            data={"csrf": _csrf(page)},
            files={"file": (f"{county}.csv", _manifest(prefix), "text/csv")},
        )
        assert good.status_code == 200 and "10 batches, 1,000 ballots" in good.text

    page = admin.get("/admin/audits/mayor-2026").text
    assert page.count("10 batches, 1,000 ballots") == 2
    # Before launch: round 1's size under each method, as the engine sizes it.
    draft = draft_of(Workspace(store.engine), "mayor-2026")
    assert draft is not None
    sizes = round_one_sizes(draft)
    assert {(s.method.value, s.chance) for s in sizes} == {
        (m, q) for m in ("bravo", "minerva", "alpha") for q in (0.7, 0.8, 0.9)
    }
    for size in sizes:
        spec = replace(draft.spec, method=size.method, stop_probability=size.chance)
        assert size.size == first_round_size(spec)
        row = f"<td>{size.method.value}{' (chosen)' if size.chosen else ''}</td>"
        assert f"{row}<td>{size.chance * 100:g} %</td><td>{size.size:,}</td>" in page
    # A larger chance of finishing costs more ballots, under every method.
    for m in ("bravo", "minerva", "alpha"):
        mine = sorted((s.chance, s.size) for s in sizes if s.method.value == m)
        assert [n for _, n in mine] == sorted(n for _, n in mine)
    assert [s for s in sizes if s.chosen] == [
        next(s for s in sizes if s.method.value == "bravo" and s.chance == 0.9)
    ]
    launched = admin.post("/admin/audits/mayor-2026/launch", data={"csrf": _csrf(page)})
    assert launched.status_code == 200 and 'id="rounds"' in launched.text

    fulton = _login(store, "fulton@county.example")
    page = fulton.get("/county/audits/mayor-2026").text
    listing = fulton.get("/county/audits/mayor-2026/retrieval").text
    assert (
        'id="retrieval-list"' in listing
        and "Cobb" not in listing.split("<main>")[1].split("</h1>")[1]
    )
    created = fulton.post(
        "/county/audits/mayor-2026/boards",
        data={"csrf": _csrf(page), "board": "Board 1", "member_1": "Ann", "member_2": "Ben"},
    )
    link = re.search(r'id="board-link">[^<]*(/board/[0-9a-f]+)<', created.text)
    passphrase = re.search(r'id="passphrase">([A-Z0-9-]+)<', created.text)
    assert link and passphrase

    board = TestClient(create_app("unused", store=store), base_url="http://localhost")
    login = board.get(link.group(1)).text
    _labelled(login)
    board.post(link.group(1), data={"passphrase": passphrase.group(1), "csrf": _csrf(login)})
    page = board.get("/board").text
    _labelled(page)
    ballot = re.search(r'name="ballot_id" value="([^"]+)"', page)
    assert ballot
    # The form needs both members' confirmations.
    entry = {
        "csrf": _csrf(page),
        "ballot_id": html.unescape(ballot.group(1)),
        "interpretation": "Alice",
        "member_1": "yes",
    }
    one = board.post("/board", data=entry)
    assert one.status_code == 400 and "both members" in one.text
    both = board.post("/board", data={**entry, "member_2": "yes"})
    assert both.status_code == 200 and "Recorded: <b>Alice</b>" in both.text
