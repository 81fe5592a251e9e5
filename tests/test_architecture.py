"""The rooms stay honest: every package imports only the rooms below it.

::

    cli                         Typer commands: parse, call a use case, render
    api                         the Python API's conveniences (docs/api.md); like the CLI, it
                                opens the audit store and hands it to a use case
    web                         the audit workspace (FastAPI): routes, pages, access rules
    report                      HTML, charts and the --json documents
    usecases                    the application layer (CLI now, the web workspace next)
    io, store                   files in and out; the audit database (persists only)
    calls → results             pure election-night engine (may use results)
    claims → results            pure claim language: parse and check claims (may use results)
    results, audit              pure math
    model, errors               the vocabulary

The pure core (``model``, ``results``, ``audit``, ``calls``) imports nothing beyond the
standard library (no file, network or clock modules), numpy, scipy and the rooms it may see.
The check reads every import statement, relative ones included, and refuses dynamic imports
(``importlib``, ``__import__``) anywhere in the package, so the rule cannot be walked around.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ballotproof"

BASE = {"model", "errors"}
ALLOWED: dict[str, set[str]] = {
    "model": {"errors"},
    "errors": set(),
    "results": BASE,
    "audit": BASE,
    "calls": BASE | {"results"},
    "claims": BASE | {"results"},
    "io": BASE | {"audit", "results", "calls"},
    "store": BASE | {"audit", "parallel"},
    "testing": BASE | {"audit", "results", "calls"},
    "data": set(),
    "usecases": BASE | {"claims", "audit", "results", "calls", "io", "store", "parallel"},
    "report": BASE | {"claims", "audit", "results", "calls", "io", "store", "usecases"},
    "web": BASE | {"claims", "audit", "results", "calls", "io", "store", "usecases", "report"},
    "cli": BASE
    | {"claims", "audit", "results", "calls", "io", "store", "usecases", "report", "web"}
    | {"parallel"},
    "api": BASE | {"claims", "audit", "results", "calls", "io", "store", "usecases", "report"},
    "__main__": {"cli"},  # ``python -m ballotproof`` runs the command line, nothing else
    "parallel": set(),  # process pools the edges hand to the pure core; imports no room
}
PURE = {"model", "results", "audit", "calls", "claims"}
THIRD_PARTY_OK = {"numpy", "scipy", "_typeshed"}  # _typeshed: type-checking stubs only
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
}  # json and hashlib are allowed: turning values into text or digests is not I/O


def _room(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def _module(path: Path) -> list[str]:
    rel = path.relative_to(SRC).with_suffix("")
    parts = ["ballotproof", *rel.parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(path: Path, source: str | None = None) -> list[str]:
    """Absolute names of everything the file imports (relative imports resolved)."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    names = []
    package = _module(path)
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                names.append(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                names.append(node.module)
    return names


DATA_ONLY = {"importlib.resources", "importlib.metadata"}  # packaged files, not code


def _dynamic(path: Path, source: str | None = None) -> list[str]:
    """Ways to import a module by a name computed at run time."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "__import__":
            found.append("__import__")
        if isinstance(node, ast.Import):
            found += [
                a.name for a in node.names if a.name.split(".")[0] == "importlib"
                and a.name not in DATA_ONLY
            ]  # fmt: skip
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("importlib")
            and node.module not in DATA_ONLY
        ):
            found += [f"{node.module}.{a.name}" for a in node.names if a.name != "resources"]
    return found


FILES = sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SRC)) for p in FILES])
def test_imports_point_down(path: Path) -> None:
    room = _room(path)
    if room == "__init__":
        return  # the package's own __init__ may re-export anything
    assert room in ALLOWED, f"{path.relative_to(SRC)}: new room {room!r}: add it to ALLOWED"
    assert not _dynamic(path), f"{path.relative_to(SRC)} imports dynamically: {_dynamic(path)}"
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "__future__":
            continue
        if top == "ballotproof":
            parts = name.split(".")
            target = parts[1] if len(parts) > 1 else "__init__"
            assert target == room or target in ALLOWED[room] or target == "__init__", (
                f"{path.relative_to(SRC)} imports {name}: the {room} room may import only "
                f"{sorted(ALLOWED[room])}"
            )
        elif room in PURE:
            if top in sys.stdlib_module_names:
                assert top not in EDGE_STDLIB, (
                    f"{path.relative_to(SRC)} imports {name}: I/O belongs at the edges"
                )
            else:
                assert top in THIRD_PARTY_OK, f"{path.relative_to(SRC)} imports {name}"


def test_relative_and_dynamic_imports_are_seen() -> None:
    where = SRC / "audit" / "process.py"
    assert _imports(where, "from ..store import open_store\nfrom . import bravo\n") == [
        "ballotproof.store",
        "ballotproof.audit",
    ]
    assert _imports(SRC / "audit" / "__init__.py", "from .sampler import x\n") == [
        "ballotproof.audit.sampler"
    ]
    assert _dynamic(where, "import importlib\n") == ["importlib"]
    assert _dynamic(where, "from importlib import import_module\n") == ["importlib.import_module"]
    assert _dynamic(where, "x = __import__('ballotproof.store')\n") == ["__import__"]
    assert _dynamic(where, "from importlib import resources\n") == []


def test_there_is_something_to_check() -> None:
    assert len(FILES) >= 60


def test_every_stored_method_is_registered_and_offered() -> None:
    from ballotproof.audit.methods import METHODS
    from ballotproof.audit.process import Method
    from ballotproof.cli.audit import METHOD_HELP, method_names

    assert set(METHODS) == set(Method)
    assert method_names() == [m.value for m in Method]
    assert all(m.value in METHOD_HELP for m in Method)
    for method, entry in METHODS.items():
        assert entry.method is method
        assert entry.kind in ("ballot polling", "ballot comparison", "batch comparison")
        assert entry.is_batch == (entry.kind == "batch comparison")
        assert entry.is_comparison == (entry.kind == "ballot comparison")
        assert method.is_batch == entry.is_batch and method.is_comparison == entry.is_comparison


def test_the_methods_page_is_made_from_the_registry() -> None:
    from ballotproof.audit.methods import methods_markdown

    page = (SRC.parents[1] / "docs" / "methods.md").read_text(encoding="utf-8")
    assert page == methods_markdown(), "run: python -m ballotproof.audit.methods > docs/methods.md"
