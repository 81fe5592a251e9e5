"""``audit georgia``: Georgia 2020 sized at its risk limit, and replayed on its hand count."""

from __future__ import annotations

from typing import Annotated

import typer

from ballotproof.cli.app import Format, FormatOpt, emit_json, err, handle_errors, out, output_format
from ballotproof.cli.audit import (
    JsonOpt,
    _fmt,
    _now,
    _print_status,
    _status_doc,
    audit_app,
)
from ballotproof.cli.render import Table


@audit_app.command()
@handle_errors
def georgia(
    county: Annotated[str | None, typer.Option(help="One county (default: statewide).")] = None,
    replay: Annotated[bool, typer.Option(help="Run the audit on the hand-count batches.")] = False,
    db: Annotated[str, typer.Option("--db", help="Database for --replay (file or URL).")] = (
        "georgia-audit.db"
    ),
    name: Annotated[str | None, typer.Option(help="Audit name for --replay.")] = None,
    method: Annotated[str, typer.Option(help="bravo or minerva (for --replay).")] = "bravo",
    seed: Annotated[str | None, typer.Option(help="Seed (default: Georgia's own).")] = None,
    round_size: Annotated[int | None, typer.Option(help="Round 1 size (default: 90%).")] = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
) -> None:
    """Georgia 2020: sizes at its 10% risk limit, or (--replay) an audit of its hand count."""
    as_json = output_format(as_json, fmt) is Format.JSON
    from ballotproof.audit.process import Method
    from ballotproof.report.georgia import plan_georgia
    from ballotproof.store import open_store
    from ballotproof.usecases.georgia import replay_georgia

    doc: dict[str, object] = {"plan": plan_georgia(county)}
    if replay:
        if method not in ("bravo", "minerva"):
            raise typer.BadParameter(
                "bravo or minerva (the hand count has no cast vote records to compare with)",
                param_hint="--method",
            )
        m_ = Method(method)
        audit_name = name or f"ga2020-{(county or 'statewide').lower()}-{method}"
        stored = replay_georgia(
            open_store(db),
            name=audit_name,
            county=county,
            method=m_,
            seed=seed,
            round_size=round_size,
            now=_now,
            progress=lambda msg: err.print(msg, style="dim"),
        )
        doc["replay"] = _status_doc(stored)
    if as_json:
        emit_json(doc)
        return
    p = doc["plan"]
    assert isinstance(p, dict)
    out.print(
        f"[bold]{p['contest']}[/]: margin {p['margin']:,} votes "
        f"({p['margin_pct']}% of {p['ballots']:,} ballots), risk limit {p['risk_limit']:g}"
    )
    table = Table(title_justify="left")
    for col in ("Method", "ASN", "70%", "80%", "90%"):
        table.add_column(col)
    b, m = p["bravo"], p["minerva"]
    table.add_row(
        "BRAVO (ballot polling)",
        _fmt(b["asn"]),
        *(_fmt(b["sizes"][k]) for k in ("70%", "80%", "90%")),
    )
    table.add_row(
        "Minerva (ballot polling)", "", *(_fmt(m["sizes"][k]) for k in ("70%", "80%", "90%"))
    )
    ss = p["supersimple"]
    table.add_row(
        "super-simple (comparison)",
        f"{ss['no_errors']:,} (no errors)",
        f"{ss['customary_rates']:,} with customary error rates",
        "",
        "",
    )
    out.print(table)
    if "replay" in doc:
        r = doc["replay"]
        assert isinstance(r, dict)
        _print_status(r)
