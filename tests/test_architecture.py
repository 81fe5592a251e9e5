"""The rooms stay honest: the pure core never imports the edges (files, store, CLI, reports).

Fails as soon as a module in ``model``, ``results``, ``audit`` or ``calls`` imports anything
beyond the standard library, numpy, scipy, the model, the errors and its own room.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ballotproof"
PURE = {
    "model": {"ballotproof.model", "ballotproof.errors"},
    "results": {"ballotproof.model", "ballotproof.errors", "ballotproof.results"},
    "audit": {"ballotproof.model", "ballotproof.errors", "ballotproof.audit"},
    "calls": {
        "ballotproof.model",
        "ballotproof.errors",
        "ballotproof.calls",
        "ballotproof.results",
    },
}
THIRD_PARTY_OK = {"numpy", "scipy"}
EDGE_STDLIB = {
    "sqlite3",
    "socket",
    "urllib",
    "http",
    "subprocess",
    "shutil",
    "tempfile",
    "pathlib",
    "io",
    "os",
    "csv",
    "time",
}  # json is allowed: turning values into text and back is not I/O


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


CASES = [
    (room, p) for room in PURE for p in sorted((SRC / room).rglob("*.py")) if (SRC / room).is_dir()
]


@pytest.mark.parametrize(("room", "path"), CASES, ids=[f"{r}/{p.name}" for r, p in CASES])
def test_pure_core_imports_point_inward(room: str, path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "__future__":
            continue
        if top == "ballotproof":
            assert any(name == ok or name.startswith(ok + ".") for ok in PURE[room]), (
                f"{path.relative_to(SRC)} imports {name}: the {room} room must not reach the "
                "edges (io, store, cli, report)"
            )
        elif top in sys.stdlib_module_names:
            assert top not in EDGE_STDLIB, (
                f"{path.relative_to(SRC)} imports {name}: I/O belongs at the edges"
            )
        else:
            assert top in THIRD_PARTY_OK, f"{path.relative_to(SRC)} imports {name}"


def test_there_is_something_to_check() -> None:
    assert len(CASES) >= 10
