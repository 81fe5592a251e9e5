"""Generate the CLI reference (docs/cli.md) from the commands' own ``--help``.

Run ``python -m ballotproof.cli.reference > docs/cli.md``; a test fails when the file and the
commands disagree, so the reference cannot drift.
"""

from __future__ import annotations

import sys

from typer.testing import CliRunner

from ballotproof.cli.app import app


def commands() -> list[list[str]]:
    """Every command and group of the app, as Typer builds them (so a new command is in the
    reference without anyone listing it), in the order of the root help, groups then theirs."""
    import typer
    from typer._click.core import Context  # Typer vendors click
    from typer.core import TyperGroup as Group

    out: list[list[str]] = []

    def walk(group: Group, path: list[str]) -> None:
        for name in group.list_commands(Context(group)):
            command = group.get_command(Context(group), name)
            if command is None or command.hidden:
                continue
            out.append([*path, name])
            if isinstance(command, Group):
                walk(command, [*path, name])

    root = typer.main.get_command(app)
    assert isinstance(root, Group)
    walk(root, [])
    return out


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
    for args in [[], *commands()]:
        title = " ".join(["ballotproof", *args])
        result = runner.invoke(app, [*args, "--help"], env=ENV, terminal_width=100)
        text = "\n".join(line.rstrip() for line in result.output.strip().splitlines())
        parts += [f"## `{title}`", "", "```text", text, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
