"""Checking an audit: ``audit verify`` (the store, or a published bundle) and ``export``.

``audit verify`` exits 0 when every check passes, 1 when a check fails (a damaged or edited
record included: it is reported as failed checks, never as a traceback), and 2 on a usage
error (a bad or missing option).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ballotproof.cli.app import emit_json, err, handle_errors, out
from ballotproof.cli.audit import DbOpt, JsonOpt, NameOpt, audit_app


@audit_app.command()
@handle_errors
def verify(
    db: Annotated[str | None, typer.Option("--db", help="Audit database (file or URL).")] = None,
    audit: Annotated[str | None, typer.Option("--audit", help="Audit name (with --db).")] = None,
    published: Annotated[
        Path | None,
        typer.Option(help="A folder written by 'audit export': verify without the database."),
    ] = None,
    expect_head: Annotated[
        str | None, typer.Option(help="The journal head hash published earlier.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute the sample and the risk and check the record for edits.

    Exit status: 0 verified, 1 a check failed, 2 usage error.
    """
    from ballotproof.store import open_store
    from ballotproof.usecases.verify import verify_bundle, verify_store

    if published is not None:
        if not published.is_dir():
            raise typer.BadParameter(f"no folder at {published}", param_hint="--published")
        checks = verify_bundle(published, expected_head=expect_head)
        name = published.name
    elif db is not None and audit:
        checks = verify_store(open_store(db, create=False), audit, expected_head=expect_head)
        name = audit
    else:
        raise typer.BadParameter(
            "give --db and --audit, or --published DIR", param_hint="--published"
        )
    ok = all(c.ok for c in checks)
    if as_json:
        emit_json({"audit": name, "ok": ok, "checks": [c.to_json() for c in checks]})
    else:
        for c in checks:
            mark = "[green]ok[/]  " if c.ok else "[red]FAIL[/]"
            out.print(f"{mark} {c.name}: {c.detail}", highlight=False)
        out.print("[bold]verified[/]" if ok else "[bold red]verification failed[/]")
    if not ok:
        raise typer.Exit(1)


@audit_app.command()
@handle_errors
def export(
    db: DbOpt,
    audit: NameOpt,
    output: Annotated[Path, typer.Option("--out", help="Folder to write the published files.")],
) -> None:
    """Write what an audit publishes: spec and results, manifest, draws, readings, journal."""
    from ballotproof.store import open_store
    from ballotproof.usecases.bundle import export_bundle

    written = export_bundle(open_store(db, create=False), audit, output)
    err.print(f"wrote {', '.join(written)} to {output}")
