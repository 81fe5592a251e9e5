"""``ballotproof serve``: the audit workspace (FastAPI on Uvicorn).

The web modules (FastAPI, Jinja2, Uvicorn) are imported only when the command runs, so the
other commands start as fast as before.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ballotproof.cli.app import app, err, handle_errors


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: Annotated[
        str,
        typer.Option(
            help="Audit database: a SQLite file or a SQLAlchemy URL (postgresql+psycopg://…)."
        ),
    ] = "ballotproof.sqlite",
) -> None:
    """Run the audit workspace: every audit's public page, its record and its bundle."""
    import uvicorn

    from ballotproof.web.app import create_app

    web = create_app(db)
    err.print(f"ballotproof workspace on http://{host}:{port}/ (database {db})")
    uvicorn.run(web, host=host, port=port, log_level="warning")
