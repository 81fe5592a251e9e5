"""Generate the CLI reference (docs/cli.md) from the commands' own ``--help``.

Run ``python -m ballotproof.cli.reference > docs/cli.md``; a test fails when the file and the
commands disagree, so the reference cannot drift.
"""

from __future__ import annotations

import sys

from typer.testing import CliRunner

from ballotproof.cli.app import app

COMMANDS = [
    ["results"],
    ["margins"],
    ["tipping-point"],
    ["flip"],
    ["recounts"],
    ["export"],
    ["demo"],
    ["replay"],
    ["check"],
    ["audit"],
    ["audit", "plan"],
    ["audit", "risk"],
    ["audit", "sample"],
    ["audit", "start"],
    ["audit", "record"],
    ["audit", "status"],
    ["audit", "report"],
    ["audit", "verify"],
    ["audit", "export"],
    ["audit", "georgia"],
]
ENV = {"COLUMNS": "100", "TERMINAL_WIDTH": "100", "NO_COLOR": "1", "TERM": "dumb"}


def render() -> str:
    runner = CliRunner()
    parts = [
        "# Command-line reference",
        "",
        "Generated from `--help` by `python -m ballotproof.cli.reference > docs/cli.md`;",
        "`tests/test_docs.py` fails when this file and the commands disagree.",
        "",
    ]
    for args in [[], *COMMANDS]:
        title = " ".join(["ballotproof", *args])
        result = runner.invoke(app, [*args, "--help"], env=ENV, terminal_width=100)
        text = "\n".join(line.rstrip() for line in result.output.strip().splitlines())
        parts += [f"## `{title}`", "", "```text", text, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
