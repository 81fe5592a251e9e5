"""The demo report opened in a real browser: Debian's chromium, driven by Playwright.

The browser runs with the network closed (every request that is not ``file:`` is aborted and
counted), so the test proves the page is self-contained. Every page of the demonstration is
then opened at phone, tablet and desktop widths: none may scroll sideways, and a full-page
screenshot of each is kept in ``artifacts/browser/`` for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ballotproof.report.demo import run_demo

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"
WIDTHS = {"phone": 375, "tablet": 768, "desktop": 1280}
PAGES = {
    "results": "report.html",
    "replay": "replay/report.html",
    "audit": "audit/report.html",
    "claims": "claims/report.html",
    "history": "history/report.html",
}
# Any element whose content is wider than its own box (a table scrolling inside a frame).
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + e.scrollWidth + '>'
       + e.clientWidth)"""
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    run_demo(out)
    return out / "report.html"


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run must install it")
        pytest.skip("chromium is not installed (apt-get install chromium)")


def test_report_renders_in_chromium(report: Path, tmp_path: Path) -> None:
    _need_chromium()
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})

            def route(r: object) -> None:
                req = r.request  # type: ignore[attr-defined]
                if req.url.startswith("file:"):
                    r.continue_()  # type: ignore[attr-defined]
                else:
                    blocked.append(req.url)
                    r.abort()  # type: ignore[attr-defined]

            page.route("**/*", route)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report.as_uri())
            assert page.title().startswith("ballotproof — 2020 United States presidential")
            assert page.locator("svg.tilemap g.tile").count() == 51
            assert page.locator("svg.tilemap rect.district").count() == 5
            box = page.locator("svg.tilemap").bounding_box()
            assert box is not None and box["width"] > 500 and box["height"] > 300
            assert "Wisconsin" in page.locator("#summary").inner_text()
            assert page.locator("#recount-chart svg").count() == 1
            deny = page.locator("#flip-deny").inner_text()
            assert "42,918" in deny
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
            # The other two reports of the demonstration, reached by their links.
            page.click("#nav a[href='replay/report.html']")
            assert page.locator("#wrong").inner_text() == "0"
            assert page.locator("figure.state svg").count() == 7
            assert page.locator("#ec-chart svg").count() == 1
            page.goto(report.with_name("audit").joinpath("report.html").as_uri())
            assert page.locator("#decision").inner_text() == "confirm"
            assert "FAIL" not in page.locator("#checks").inner_text()
            assert page.locator("#risk-chart svg").count() == 1
        finally:
            browser.close()
    assert (tmp_path / "report.png").stat().st_size > 20_000
    assert blocked == []
    assert errors == []


def test_no_page_scrolls_sideways(report: Path) -> None:
    """Phone (375 px), tablet and desktop: the page is never wider than the screen, and no
    table scrolls sideways in a box of its own: at phone width the tables reflow."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    too_wide: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for device, width in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": 800})
                for name, rel in PAGES.items():
                    page.goto(report.parent.joinpath(rel).as_uri())
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    if scroll > width:
                        too_wide.append(f"{name} at {device} ({width} px): {scroll} px wide")
                    for inner in page.evaluate(OVERFLOWING):
                        too_wide.append(f"{name} at {device} ({width} px): {inner} scrolls")
                    if device == "phone":
                        # Every data table reflowed: its cells are labelled blocks.
                        labelled = page.locator("table.reflow td[data-label]").count()
                        assert labelled > 0, name
                        flat = page.locator("table:not(.reflow):not(.legend)").count()
                        assert flat == 0, f"{name}: {flat} data tables do not reflow"
                    shot = ARTIFACTS / f"{name}-{device}-{width}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    assert shot.stat().st_size > 10_000
                    # Every chart has a text alternative.
                    figures = page.locator("figure")
                    for i in range(figures.count()):
                        fig = figures.nth(i)
                        assert fig.locator("figcaption").count() == 1, f"{name}: figure {i}"
                page.close()
        finally:
            browser.close()
    assert not too_wide, too_wide
