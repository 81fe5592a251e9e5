"""The documentation site builds from docs/ with ``mkdocs build --strict``: a broken link or
anchor fails the build, and so this test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]


def _build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MKDOCS, "--config-file", str(root / "mkdocs.yml"), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_site_builds_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    result = _build(ROOT, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    for page in ("index", "api", "cli", "json", "formats", "methods", "architecture"):
        target = tmp_path / "site" / ("index.html" if page == "index" else f"{page}/index.html")
        assert target.exists(), page


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "docs", copy / "docs")
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    index = copy / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n[gone](nowhere.md)\n", "utf-8")
    result = _build(copy, tmp_path / "site")
    assert result.returncode != 0
    assert "nowhere.md" in result.stderr
