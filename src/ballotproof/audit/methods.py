"""The registry of stored audit methods: one line per method.

Each entry maps a :class:`~ballotproof.audit.spec.Method` id to the object its module provides
(a :class:`~ballotproof.audit.spec.StoredMethod`: what it is, which paper it follows, how it
sizes and measures rounds).  The command line's ``--method`` choices and help, ``ballotproof
audit methods``, ``docs/methods.md`` and every dispatch in the process, the store and the
verifier are made from it; tests keep it complete.  Adding a method is its module (with its
tests and planner), its id in ``Method``, and one line here.
"""

from __future__ import annotations

from types import MappingProxyType

from ballotproof.audit import alpha_audit, bravo, macro, minerva, multi, supersimple
from ballotproof.audit.spec import Method, StoredMethod

__all__ = ["METHODS", "method_json", "methods_markdown"]


METHODS: MappingProxyType[Method, StoredMethod] = MappingProxyType(
    {
        Method.BRAVO: bravo.STORED,
        Method.MINERVA: minerva.STORED,
        Method.ALPHA: alpha_audit.POLLING,
        Method.SUPERSIMPLE: supersimple.STORED,
        Method.ALPHA_COMPARISON: alpha_audit.COMPARISON,
        Method.MACRO: macro.STORED,
        Method.SHANGRLA_COMPARISON: multi.STORED,
    }
)


def method_json(m: StoredMethod) -> dict[str, str]:
    """A method described as ``audit methods --json`` prints it."""
    return {
        "method": m.method.value,
        "kind": m.kind,
        "title": m.title,
        "source": m.source,
        "later_rounds": m.later_rounds,
    }


def methods_markdown() -> str:
    """``docs/methods.md``, made from the registry (a test checks that the file matches)."""
    rows = [
        "# Stored audit methods",
        "",
        "Generated from the registry (`src/ballotproof/audit/methods.py`) by",
        "`python -m ballotproof.audit.methods`; a test checks that this page matches it.",
        "",
        "| `--method` | Kind | What | Source | Later rounds |",
        "|---|---|---|---|---|",
    ]
    rows += [
        f"| `{m.method.value}` | {m.kind} | {m.title} | {m.source} | {m.later_rounds} |"
        for m in METHODS.values()
    ]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(methods_markdown(), end="")
