"""The workspace in a real browser (Debian's chromium, Playwright): a state admin, two county
managers and their audit boards run a ballot-polling audit, and a ballot-comparison audit
(manifests and cast vote records, then the discrepancy report), through the pages until the
round closes, with the network closed to everything but the workspace. Screenshots at desktop
and tablet width are kept in ``artifacts/browser/``."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from ballotproof.store import Accounts, open_store
from ballotproof.usecases.accounts import add_user
from tests.web.test_workspace import PASSWORD, PEOPLE, _manifest
from tests.web.test_workspace_comparison import CHOICES, cvrs, manifest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
WIDTHS = {"desktop": 1280, "tablet": 820}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    db = tmp_path / "ws.sqlite"
    store = open_store(db)
    for email, (role, county) in PEOPLE.items():
        add_user(Accounts(store.engine), email, role, PASSWORD, jurisdiction=county)
    store.engine.dispose()
    port = _free_port()
    code = "from ballotproof.cli.app import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--port", str(port), "--db", str(db)],
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/api/health", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def _chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run must install it")
        pytest.skip("chromium is not installed (apt-get install chromium)")


def _helpers(
    server: str, blocked: list[str]
) -> tuple[Callable[[Any], None], Callable[[Any, str], None], Callable[[Any, str], None]]:
    """``guard(page)`` (the network closed but for the workspace), ``shoot(page, name)`` (a
    screenshot at each width, no sideways scrolling) and ``login(page, email)``."""
    from playwright.sync_api import Page

    def guard(page: Page) -> None:
        def route(r: object) -> None:
            req = r.request  # type: ignore[attr-defined]
            if req.url.startswith(server):
                r.continue_()  # type: ignore[attr-defined]
            else:
                blocked.append(req.url)
                r.abort()  # type: ignore[attr-defined]

        page.route("**/*", route)

    def shoot(page: Page, name: str) -> None:
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{name} scrolls sideways at {width}px"

    def login(page: Page, email: str) -> None:
        page.goto(server + "/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

    return guard, shoot, login


def test_an_audit_through_the_pages_in_chromium(server: str, tmp_path: Path) -> None:
    _chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    guard, shoot, login = _helpers(server, blocked)

    manifests = {}
    for county, prefix in (("Fulton", "F"), ("Cobb", "C")):
        path = tmp_path / f"{county}.csv"
        path.write_bytes(_manifest(prefix))
        manifests[county] = path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            admin = browser.new_context().new_page()
            guard(admin)
            login(admin, "admin@state.example")
            admin.goto(server + "/admin")
            admin.get_by_label("Audit name").fill("mayor-2026")
            admin.get_by_label("Contest", exact=True).fill("Mayor")
            admin.get_by_label("Reported votes").fill("Alice=1500\nBob=400")
            admin.get_by_label("Ballots cast in the contest").fill("2000")
            admin.get_by_label("Risk limit").fill("0.1")
            admin.get_by_label("Public random seed").fill("3141 5926 5358 9793")
            admin.get_by_label("How the seed was made").fill("dice rolled at the public meeting")
            admin.get_by_label("Counties").fill(
                "Fulton, fulton@county.example\nCobb, cobb@county.example"
            )
            shoot(admin, "admin-set-up")
            admin.get_by_role("button", name="Set up").click()
            assert "Launch opens when every county" in admin.content()

            boards = {}
            for email, (role, county) in PEOPLE.items():
                if role != "county-manager":
                    continue
                manager = browser.new_context().new_page()
                guard(manager)
                login(manager, email)
                manager.goto(server + "/county/audits/mayor-2026")
                manager.set_input_files("#file", str(manifests[str(county)]))
                manager.get_by_role("button", name="Upload").click()
                assert "10 batches, 1,000 ballots" in manager.content()
                boards[str(county)] = manager

            admin.goto(server + "/admin/audits/mayor-2026")
            admin.get_by_role("button", name="Launch round 1").click()
            assert admin.locator("#rounds").is_visible()
            shoot(admin, "admin-launched")

            for county, manager in boards.items():
                manager.goto(server + "/county/audits/mayor-2026")
                manager.get_by_label("First member").fill(f"{county} A")
                manager.get_by_label("Second member").fill(f"{county} B")
                manager.get_by_role("button", name="Create board").click()
                link = manager.locator("#board-link").inner_text()
                secret = manager.locator("#passphrase").inner_text()
                shoot(manager, f"board-created-{county}")
                board = browser.new_context().new_page()
                guard(board)
                board.goto(link)
                board.get_by_label("Passphrase").fill(secret)
                board.get_by_role("button", name="Start").click()
                shoot(board, f"board-{county}")
                # Read every ballot: Alice on all but every fourth.
                n = 0
                while board.locator("form:has(input[name=ballot_id])").count():
                    form = board.locator("form:has(input[name=ballot_id])").first
                    choice = "Bob" if n % 4 == 3 else "Alice"
                    form.get_by_label(choice, exact=True).check()
                    form.get_by_label(f"{county} A confirms").check()
                    form.get_by_label(f"{county} B confirms").check()
                    with board.expect_navigation():  # the next list, not the page leaving
                        form.get_by_role("button", name="Save").click()
                    n += 1
                assert n > 0
                boards[county] = board

            public = browser.new_context().new_page()
            guard(public)
            public.goto(server + "/audits/mayor-2026")
            decision = public.locator("#decision").inner_text()
            assert decision in ("outcome confirmed", "another round", "full hand count")
            assert "dice rolled at the public meeting" in public.content()
            shoot(public, "public-page")
        finally:
            browser.close()
    assert not blocked, f"pages reached outside the workspace: {blocked}"


def test_a_comparison_audit_through_the_pages_in_chromium(server: str, tmp_path: Path) -> None:
    """Each county uploads its manifest and its Dominion CVR file; the boards read every drawn
    ballot as its record says but one (a Bob record read as Alice: a two-vote
    understatement), which the public discrepancy report then shows."""
    _chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    guard, shoot, login = _helpers(server, blocked)
    files = {}
    for county in CHOICES:
        files[county] = (tmp_path / f"{county}-manifest.csv", tmp_path / f"{county}-cvr.csv")
        files[county][0].write_bytes(manifest(county))
        files[county][1].write_bytes(cvrs(county))
    # What each card's record says, by its imprinted id (the board pages show it).
    said = {}
    for county in CHOICES:
        for row in cvrs(county).decode().splitlines()[4:]:
            cells = row.split(",")
            marks = cells[6:]
            said[(county, cells[4])] = (
                "Alice" if marks[0] == "1" else "Bob" if marks[1] == "1" else "blank"
            )

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            admin = browser.new_context().new_page()
            guard(admin)
            login(admin, "admin@state.example")
            admin.goto(server + "/admin")
            admin.get_by_label("Audit name").fill("mayor-cmp")
            admin.get_by_label("Contest", exact=True).fill("Mayor")
            admin.get_by_label("Reported votes").fill("Alice=125\nBob=68")
            admin.get_by_label("Ballots cast in the contest").fill("200")
            admin.get_by_label("Method").select_option("supersimple")
            admin.get_by_label("Risk limit").fill("0.1")
            admin.get_by_label("Public random seed").fill("2718 2818 2845 9045")
            admin.get_by_label("How the seed was made").fill("dice rolled at the public meeting")
            admin.get_by_label("Counties").fill(
                "Fulton, fulton@county.example\nCobb, cobb@county.example"
            )
            admin.get_by_role("button", name="Set up").click()
            assert "and its cast vote records" in admin.content()
            assert admin.locator("#round-one").is_visible()
            shoot(admin, "comparison-admin-set-up")

            managers = {}
            for email, (role, county) in PEOPLE.items():
                if role != "county-manager":
                    continue
                manager = browser.new_context().new_page()
                guard(manager)
                login(manager, email)
                manager.goto(server + "/county/audits/mayor-cmp")
                manager.set_input_files("#file", str(files[str(county)][0]))
                manager.get_by_role("button", name="Upload", exact=True).click()
                assert "4 batches, 100 ballots" in manager.content()
                manager.get_by_label("Format of the cast vote records").select_option(
                    "dominion-csv"
                )
                manager.get_by_label(f"Cast vote records of {county}").set_input_files(
                    str(files[str(county)][1])
                )
                manager.get_by_role("button", name="Upload the cast vote records").click()
                assert "100 records: Alice" in manager.locator("#cvrs").inner_text()
                shoot(manager, f"comparison-county-{county}")
                managers[str(county)] = manager

            admin.goto(server + "/admin/audits/mayor-cmp")
            assert admin.locator("#counties").inner_text().count("100 records") == 2
            admin.get_by_role("button", name="Launch round 1").click()
            assert admin.locator("#rounds").is_visible()

            changed = None
            for county, manager in managers.items():
                manager.goto(server + "/county/audits/mayor-cmp")
                manager.get_by_label("First member").fill(f"{county} A")
                manager.get_by_label("Second member").fill(f"{county} B")
                manager.get_by_role("button", name="Create board").click()
                link = manager.locator("#board-link").inner_text()
                secret = manager.locator("#passphrase").inner_text()
                board = browser.new_context().new_page()
                guard(board)
                board.goto(link)
                board.get_by_label("Passphrase").fill(secret)
                board.get_by_role("button", name="Start").click()
                shoot(board, f"comparison-board-{county}")
                n = 0
                while board.locator("li.ballot:has(form)").count():
                    item = board.locator("li.ballot:has(form)").first
                    where = item.locator(".where").inner_text()
                    found = re.search(r"imprinted id (\S+)", where)
                    assert found, where
                    choice = said[(county, found.group(1))]
                    if changed is None and choice == "Bob":
                        changed, choice = (county, found.group(1)), "Alice"
                    form = item.locator("form")
                    form.get_by_label(choice, exact=True).check()
                    form.get_by_label(f"{county} A confirms").check()
                    form.get_by_label(f"{county} B confirms").check()
                    with board.expect_navigation():
                        form.get_by_role("button", name="Save").click()
                    n += 1
                assert n > 0
            assert changed is not None, "no Bob record was drawn"

            public = browser.new_context().new_page()
            guard(public)
            public.goto(server + "/audits/mayor-cmp")
            assert public.locator("#decision").inner_text() == "outcome confirmed"
            shoot(public, "comparison-public-page")
            public.locator("#discrepancies").click()
            table = public.locator("#discrepancies").inner_text()
            assert changed[1] in table and "u2" in table, table
            shoot(public, "comparison-discrepancies")
            admin.goto(server + "/admin/audits/mayor-cmp")
            assert "1 of" in admin.locator("#discrepancy-counts").inner_text()
            shoot(admin, "comparison-admin-launched")
        finally:
            browser.close()
    assert not blocked, f"pages reached outside the workspace: {blocked}"
