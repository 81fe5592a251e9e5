"""Writing files so that an interrupted run leaves no half-written one."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

__all__ = ["write_all", "write_atomic"]


def write_all(folder: Path, texts: Mapping[str, str]) -> None:
    """Write every file under a temporary name first, then rename them all into place."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f".{name}.tmp").write_text(text, encoding="utf-8")
    for name in texts:
        (folder / f".{name}.tmp").replace(folder / name)


def write_atomic(path: Path, text: str) -> None:
    """Write one file through a temporary name and a rename."""
    write_all(path.parent, {path.name: text})
