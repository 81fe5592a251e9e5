"""``ballotproof serve``: the audit workspace (FastAPI on Uvicorn).

The web modules (FastAPI, Jinja2, Uvicorn) are imported only when the command runs, so the
other commands start as fast as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ballotproof.cli.app import app, err, handle_errors


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: Annotated[
        str | None,
        typer.Option(
            help="Audit database: a SQLite file or a SQLAlchemy URL (postgresql+psycopg://…). "
            "Default ./ballotproof.sqlite; with --demo a new file in a temporary folder."
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes (each its own app and connections; log-in limits are kept "
            "per process).",
            min=1,
            max=64,
        ),
    ] = 1,
    demo: Annotated[
        bool,
        typer.Option(help="Load the Georgia 2020 example and print a log-in for every role."),
    ] = False,
) -> None:
    """Run the audit workspace (FastAPI on Uvicorn)."""
    import tempfile
    from datetime import UTC, datetime

    import uvicorn

    from ballotproof.store import open_store
    from ballotproof.web.app import create_app

    if db is None:
        db = (
            str(Path(tempfile.mkdtemp(prefix="ballotproof-demo-")) / "demo.sqlite")
            if demo
            else "ballotproof.sqlite"
        )
    store = open_store(db, pooled=True)
    base = f"http://{host}:{port}"
    if demo:
        from ballotproof.usecases.demo_workspace import load_demo

        def now() -> str:
            return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

        err.print("loading the Georgia 2020 example …")
        for login in load_demo(store, now=now):
            secret = f"  password/passphrase: {login.secret}" if login.secret else ""
            err.print(f"{login.role:15} {login.who:38} {base}{login.link}{secret}", highlight=False)
    err.print(f"ballotproof workspace on {base}/ (database {db})")
    if workers > 1 and (db.startswith("sqlite") or "://" not in db):
        err.print(
            "note: several workers share one SQLite file by taking turns at its write lock; "
            "under heavy entry a write can time out (it is refused, never half-done). Use "
            "PostgreSQL for more than one worker.",
            style="yellow",
        )
    if workers > 1:
        import os

        from ballotproof.web.app import DB_VARIABLE

        store.engine.dispose()
        os.environ[DB_VARIABLE] = db
        uvicorn.run(
            "ballotproof.web.app:app_from_environment",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="warning",
        )
        return
    uvicorn.run(create_app(db, store=store), host=host, port=port, log_level="warning")
