"""``ballotproof history`` and ``ballotproof import medsl``: the record 1976–2020."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ballotproof.cli.app import (
    Format,
    FormatOpt,
    JsonOpt,
    app,
    emit_json,
    err,
    handle_errors,
    out,
    output_format,
)
from ballotproof.cli.render import Table

import_app = typer.Typer(
    name="import",
    help="Convert other formats into the generic CSV folder (docs/formats.md).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


@app.command()
@handle_errors
def history(
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    year: Annotated[
        list[int] | None,
        typer.Option("--election", "--year", help="Only this year (repeat for several)."),
    ] = None,
) -> None:
    """Every presidential election 1976-2020: winner, electors, tipping point, flips, swing."""
    as_json = output_format(as_json, fmt) is Format.JSON
    from ballotproof.io.medsl import load_history
    from ballotproof.report.history import history_doc

    records = load_history(tuple(sorted(set(year))) if year else None)
    doc = history_doc(records)
    if as_json:
        emit_json(doc)
        return
    table = Table(title="U.S. presidential elections (pledged electors)", title_justify="left")
    for col in (
        "Year",
        "Winner",
        "Electors",
        "Cast",
        "Popular vote",
        "Inversion",
        "Tipping point",
        "Fewest votes to deny (states)",
    ):
        table.add_column(col, overflow="fold")
    for y in doc["years"]:
        pv = y["popular_vote"]
        tp = y["tipping_point"]
        deny = y["flip"]["deny"]
        cast = {e["key"]: e["electors"] for e in y["electors_cast"]["electors"]}
        pledged = {e["key"]: e["electors"] for e in y["electors_pledged"]["electors"]}
        table.add_row(
            str(y["year"]),
            f"{y['winner_name']} over {y['runner_up_name']}",
            f"{pledged.get(y['winner'], 0)}–{pledged.get(y['runner_up'], 0)}",
            f"{cast.get(y['winner'], 0)}–{cast.get(y['runner_up'], 0)}",
            f"{pv['winner']:,} – {pv['runner_up']:,}",
            "yes" if y["inversion"] else "",
            f"{tp['unit']} {tp['margin']:,} ({tp['margin_pct']:.3f}%)",
            f"{deny['votes']:,} ({_states(deny['units'])})",
        )
    out.print(table)
    for y in doc["years"]:
        err.print(y["summary"])
        for w in y["warnings"]:
            err.print(f"warning: {w}", style="yellow")


def _states(units: list[dict[str, object]]) -> str:
    names = [str(u["unit"]) for u in units]
    return ", ".join(names) if len(names) <= 4 else f"{len(names)} states"


@import_app.command("medsl")
@handle_errors
def import_medsl(
    source: Annotated[Path, typer.Argument(help="A MEDSL-format presidential CSV file.")],
    output: Annotated[Path, typer.Argument(help="Folder to write (generic CSV format).")],
    year: Annotated[int, typer.Option("--year", "--election", help="The election year.")],
) -> None:
    """Write one year of a MEDSL presidential file as a generic CSV folder."""
    from ballotproof.io.generic import write_generic
    from ballotproof.io.medsl import load_medsl

    election = load_medsl(source, year=year)
    write_generic(election, output)
    err.print(f"wrote {output}")


@app.command()
@handle_errors
def timeline(
    state: Annotated[
        list[str] | None, typer.Option("--state", help="Only this state (repeat for several).")
    ] = None,
    on: Annotated[
        str | None, typer.Option(help="Also say where each state stood on this date (YYYY-MM-DD).")
    ] = None,
    federal: Annotated[
        int | None,
        typer.Option(
            help="Only the federal calendar of this year's presidential election (any year from"
            " 1940; the Electoral Count Reform Act's rules from 2024), computed from the statutes.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
) -> None:
    """The road to certification in 2020: calls, recounts, audits, certifications, court cases."""
    as_json = output_format(as_json, fmt) is Format.JSON
    from datetime import date

    if federal is not None:
        from ballotproof.results.calendar import federal_calendar

        try:
            dates = federal_calendar(federal)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--federal") from None
        fed = {
            "year": federal,
            "dates": [
                {"key": d.key, "date": d.day.isoformat(), "title": d.title, "citation": d.citation}
                for d in dates
            ],
        }
        if as_json:
            emit_json(fed)
            return
        cal = Table(title=f"Federal calendar — {federal} election", title_justify="left")
        for col in ("Date", "What", "Rule"):
            cal.add_column(col, overflow="fold")
        for d in dates:
            cal.add_row(d.day.isoformat(), d.title, d.citation)
        out.print(cal)
        return

    from ballotproof.report.timeline import timeline_doc

    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        raise typer.BadParameter("a date as YYYY-MM-DD", param_hint="--on") from None
    states = [s.upper() for s in state] if state else None
    doc = timeline_doc(states, day)
    if states and not doc["states"]:
        raise typer.BadParameter(f"no state {', '.join(states)}", param_hint="--state")
    if as_json:
        emit_json(doc)
        return
    table = Table(title=f"Road to certification — {doc['election']}", title_justify="left")
    for col in ("State", "AP call", "Certified", "Deadlines", "Recounts/audits", "Court cases"):
        table.add_column(col, overflow="fold")
    if day is not None:
        table.add_column(f"Stage on {day}")
    for s in doc["states"]:
        deadlines = "; ".join(
            f"{d['due']} {'met' if d['met'] else 'MISSED' if d['met'] is False else 'n/a'}"
            for d in s["deadlines"]
        )
        row = [
            s["state"],
            s["called"] or "",
            s["certified"] or "not recorded",
            deadlines,
            str(sum(e["kind"] in ("recount", "audit") for e in s["events"])),
            str(sum(e["kind"] == "court_case" for e in s["events"])),
        ]
        if day is not None:
            row.append(s["stage"] or "")
        table.add_row(*row)
    out.print(table)
    if states:
        for s in doc["states"]:
            for e in s["events"]:
                out.print(
                    f"{e['date']} {s['state']} {e['kind']}: {e['title']}"
                    + (f" — {e['outcome']}" if e["outcome"] else "")
                    + f" [{e['citation'] or e['source_url']}]",
                    markup=False,
                )
    for e in doc["federal"]:
        err.print(
            f"{e['date']} {e['title']} ({e['citation'] or e['source_url']})",
            style="dim",
            markup=False,
        )


@app.command()
@handle_errors
def check(
    claim: Annotated[
        str, typer.Argument(help='A claim, e.g. "margin(GA, 2020) < 0.5%" (the language: below).')
    ],
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            "-d",
            help="Check against this election instead (generic CSV folder, 2020-files folder, "
            "NIST .json/.xml); its year is its date's. Default: the built-in record 1976-2020.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a claim against the record 1976-2020: true, false, or cannot be decided.

    Functions: winner(Y), runner_up(Y), popular_winner(Y), electors(C, Y), electors_cast(C, Y),
    votes(C, Y), votes(C, S, Y), margin(S, Y), margin_votes(S, Y), leader(S, Y),
    hand_winner(S, Y), tipping(Y), tipping_margin(Y), flip(Y), flip(Y, elect), flip_votes(Y),
    flip_votes(Y, elect), states(flip(Y)), mail_share(S, Y),
    rank(Y, Q) (1 = smallest; Q: flip_votes, elect_votes, flip_units, tipping_margin,
    tipping_votes, popular_margin, popular_votes, votes_cast, winner_electors). Y is a year, S
    a state (code or name), C a candidate (last name, full name or id; case does not matter).
    Compare with = != < <= > >=; combine with and, or, not and parentheses. Shares compare with
    0.5% or 0.005. A quantity the data does not hold makes the answer "cannot be decided from
    this data".
    """
    as_json = output_format(as_json, fmt) is Format.JSON
    from ballotproof.report.claims import check_election, check_record

    if data is None:
        result = check_record(claim)
    else:
        from ballotproof.io.load import load_election

        result = check_election(claim, load_election(data), source=data.name)
    if as_json:
        emit_json(result.to_json())
        return
    out.print(f"{result.verdict.value}: {result.sentence}", markup=False, highlight=False)
    for e in result.evidence:
        err.print(f"  {e.quantity} = {e.value}  [{e.source}, {e.rows}]", markup=False)
