"""``ballotproof users add``: bootstrap the workspace's people (the first state admin above all).

The password is read from standard input (``--password-stdin``), never from the command line,
where it would land in the shell's history and the process list.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ballotproof.cli.app import app, emit_json, err, handle_errors

users_app = typer.Typer(name="users", help="Workspace users: add them.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
@handle_errors
def add(
    email: Annotated[str, typer.Option(help="The user's e-mail address (the log-in name).")],
    role: Annotated[str, typer.Option(help="state-admin, county-manager or audit-board.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    jurisdiction: Annotated[
        str | None, typer.Option(help="The county a county manager looks after.")
    ] = None,
    db: Annotated[str, typer.Option(help="Workspace database (file or URL).")] = (
        "ballotproof.sqlite"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Add a user to the workspace database."""
    from ballotproof.store import Accounts, open_store
    from ballotproof.usecases.accounts import add_user

    if not password_stdin:
        raise typer.BadParameter(
            "give the password on standard input with --password-stdin",
            param_hint="--password-stdin",
        )
    password = sys.stdin.readline().rstrip("\r\n")
    store = open_store(db)
    user = add_user(Accounts(store.engine), email, role, password, jurisdiction=jurisdiction)
    if as_json:
        emit_json({"email": user.email, "role": user.role, "jurisdiction": user.jurisdiction})
    else:
        where = f" ({user.jurisdiction})" if user.jurisdiction else ""
        err.print(f"added {user.role} {user.email}{where}")
