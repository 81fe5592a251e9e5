"""The workspace in a real browser (Debian's chromium, Playwright): a state admin, two county
managers and their audit boards run a ballot-polling audit through the pages until the round
closes, with the network closed to everything but the workspace. Screenshots at desktop and
tablet width are kept in ``artifacts/browser/``."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from ballotproof.store import Accounts, open_store
from ballotproof.usecases.accounts import add_user
from tests.web.test_workspace import PASSWORD, PEOPLE, _manifest

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


def test_an_audit_through_the_pages_in_chromium(server: str, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run must install it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import Page, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []

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
