"""The ``ballotproof`` command: thin Typer commands that load, call the pure core, and render.

Conventions: ``--json`` prints exactly one JSON document on stdout (keys in docs/json.md);
tables go to stdout otherwise; progress and logs go to stderr. A ballotproof error prints
``error: <one line>`` on stderr and exits 1 (``--debug`` shows the traceback); usage errors
exit 2.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError  # Typer vendors click
from typer.core import TyperGroup
from typer.exceptions import Abort

from ballotproof import __version__
from ballotproof.cli.render import Format as Format  # re-exported for the command modules
from ballotproof.cli.render import Table, use_format
from ballotproof.cli.render import err as err  # re-exported for the other command modules
from ballotproof.cli.render import out as out
from ballotproof.errors import BallotproofError
from ballotproof.io.load import load_election
from ballotproof.io.recount_rules import load_recount_rules
from ballotproof.model import Election
from ballotproof.model.electors import ElectionRecord
from ballotproof.report import documents

P = ParamSpec("P")
R = TypeVar("R")


class _OneLineErrors(TyperGroup):
    """Usage errors as one line naming the option (``error: Invalid value for '--risk-limit':
    …``), exit status 2; help and every other outcome as Typer shows them."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            rv = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except NoArgsIsHelpError as exc:
            if not standalone_mode:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except ClickException as exc:
            if not standalone_mode:
                raise
            message = " ".join(exc.format_message().split())
            sys.stderr.write(f"error: {message}\n")
            sys.exit(exc.exit_code)
        except Abort:
            if not standalone_mode:
                raise
            sys.stderr.write("aborted\n")
            sys.exit(1)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
    name="ballotproof",
    help=(
        "Turn counted ballots into an election outcome that everyone can check.\n\n"
        "Every command works on the built-in 2020 U.S. presidential election unless --data "
        "points at another election (a folder in the generic CSV format, a folder of the 2020 "
        "files, or a NIST SP 1500-100 JSON or XML file) or --election names a year 1976-2020."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
_state = {"debug": False}

DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        "-d",
        help="Election to analyse: generic CSV folder, 2020-files folder, or NIST .json. "
        "Default: the built-in 2020 presidential election.",
        show_default=False,
    ),
]
ElectionOpt = Annotated[
    int | None,
    typer.Option(
        "--election",
        "--year",
        help="A built-in presidential election, 1976-2020 (with --data: that year of a MEDSL "
        "CSV file). Default: 2020 as above.",
        show_default=False,
    ),
]
ContestOpt = Annotated[
    str | None, typer.Option("--contest", help="Contest id (default: the first contest).")
]
JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print one JSON document on stdout (see docs/json.md); same as --format json.",
    ),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="table (default), json (as --json) or csv (the main table, a header row first).",
        show_default=False,
        case_sensitive=False,
    ),
]


def output_format(as_json: bool, fmt: Format | None) -> Format:
    """The format a command prints in: ``--format``, else ``--json``, else a table."""
    if as_json and fmt not in (None, Format.JSON):
        raise typer.BadParameter(f"--json contradicts --format {fmt}", param_hint="--format")
    return use_format(fmt or (Format.JSON if as_json else Format.TABLE))


def _version(value: bool) -> None:
    if value:
        out.print(f"ballotproof {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback on errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    _state["debug"] = debug


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a ballotproof error into ``error: <one line>`` and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        use_format(Format.TABLE)  # until the command reads its --format / --json
        try:
            return func(*args, **kwargs)
        except BallotproofError as exc:
            if _state["debug"]:
                raise
            err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def emit_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


@functools.cache
def _record(year: int) -> ElectionRecord:
    """A built-in year's record, read once per command (several documents use it)."""
    from ballotproof.io.medsl import load_history_year

    return load_history_year(year)


def _load(data: Path | None, year: int | None = None) -> Election:
    if year is not None and data is None:
        record = _record(year)
        for w in record.warnings:
            err.print(f"warning: {w}", style="yellow")
        return record.election
    return load_election(data, year=year)


def _pledged(data: Path | None, year: int | None) -> Any:
    """For a built-in year, the pledged Electoral College (recorded district electors moved)."""
    if year is None or data is not None:
        return None
    from ballotproof.results.history import pledged_college

    return pledged_college(_record(year))


def _electors_record(year: int) -> dict[str, Any]:
    """Pledged and cast electors of a built-in year (keys in docs/json.md)."""
    from ballotproof.report.history import electors_doc

    return electors_doc(_record(year))


def _pct(x: float) -> str:
    return f"{x:.3f}%"


def _num(x: int | None) -> str:
    return "n/a" if x is None else f"{x:,}"


@app.command()
@handle_errors
def results(
    data: DataOpt = None,
    contest: ContestOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    year: ElectionOpt = None,
) -> None:
    """National popular vote, Electoral College, and the result in every state and district."""
    as_json = output_format(as_json, fmt) is Format.JSON
    election = _load(data, year)
    doc = documents.results_doc(election, contest)
    if year is not None and data is None:
        doc.update(_electors_record(year))
    if as_json:
        emit_json(doc)
        return
    out.print(f"[bold]{doc['election']}[/] — {doc['contest']}")
    pv = Table(title="Popular vote", title_justify="left", main=False)
    for col in ("Candidate", "Party", "Votes", "Share"):
        pv.add_column(col, justify="right" if col in ("Votes", "Share") else "left")
    for row in doc["popular_vote"][:6]:
        pv.add_row(row["name"], row["party"], _num(row["votes"]), _pct(row["share_pct"]))
    out.print(pv)
    ec = doc["electoral_college"]
    if ec:
        winner = ec["winner"] or "nobody (no majority)"
        tallies = ", ".join(f"{c} {n}" for c, n in ec["electors"].items())
        out.print(
            f"Electoral College: {tallies} of {ec['total']} — majority {ec['majority']};"
            f" winner: [bold]{winner}[/]"
        )
    table = Table(title="By unit", title_justify="left")
    for col in ("Unit", "Name", "Electors", "Winner", "Margin", "Margin %"):
        table.add_column(
            col, justify="right" if col in ("Electors", "Margin", "Margin %") else "left"
        )
    for u in doc["units"]:
        table.add_row(
            u["unit"],
            u["name"],
            str(u["electors"]),
            u["winner"] or "tie",
            _num(u["margin"]),
            _pct(u["margin_pct"]),
        )
    out.print(table)


@app.command()
@handle_errors
def margins(
    data: DataOpt = None,
    year: ElectionOpt = None,
    contest: ContestOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    top: Annotated[int, typer.Option(min=0, help="Show only the N closest (0: all).")] = 0,
) -> None:
    """Margins in votes and in percent of votes cast, closest first."""
    as_json = output_format(as_json, fmt) is Format.JSON
    doc = documents.margins_doc(_load(data, year), contest)
    if top:
        doc["units"] = doc["units"][:top]
    if as_json:
        emit_json(doc)
        return
    table = Table(title=f"Margins — {doc['election']}", title_justify="left")
    for col in ("Unit", "Winner", "Runner-up", "Margin", "Margin %", "Electors"):
        table.add_column(
            col, justify="right" if col in ("Margin", "Margin %", "Electors") else "left"
        )
    for u in doc["units"]:
        table.add_row(
            u["unit"],
            u["winner"] or "tie",
            u["runner_up"] or "",
            _num(u["margin"]),
            _pct(u["margin_pct"]),
            str(u["electors"]),
        )
    out.print(table)


@app.command("tipping-point")
@handle_errors
def tipping_point(
    data: DataOpt = None,
    contest: ContestOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    year: ElectionOpt = None,
) -> None:
    """The unit that delivered the winner's majority of electors."""
    as_json = output_format(as_json, fmt) is Format.JSON
    doc = documents.tipping_point_doc(_load(data, year), contest, ec=_pledged(data, year))
    if year is not None and data is None:
        doc["electors_basis"] = "pledged"
    if as_json:
        emit_json(doc)
        return
    out.print(
        f"Tipping point: [bold]{doc['name']} ({doc['unit']})[/], won by {doc['winner']} "
        f"by {_num(doc['margin'])} votes ({_pct(doc['margin_pct'])})."
    )
    table = Table(title="The winner's units, largest margin first", title_justify="left")
    for col in ("Unit", "Margin %", "Electors", "Running total"):
        table.add_column(col, justify="right" if col != "Unit" else "left")
    for row in doc["order"][-8:]:
        table.add_row(
            row["unit"], _pct(row["margin_pct"]), str(row["electors"]), str(row["cumulative"])
        )
    out.print(table)


def _print_flip(title: str, block: dict[str, Any], goal: str) -> None:
    table = Table(title=title, title_justify="left")
    for col in ("Goal", "Unit", "Electors", "From", "To", "Margin", "Votes", "Switchers"):
        table.add_column(
            col, justify="right" if col in ("Electors", "Margin", "Votes", "Switchers") else "left"
        )
    for i in block["units"]:
        table.add_row(
            goal,
            i["unit"],
            str(i["electors"]),
            i["from"],
            i["to"],
            _num(i["margin"]),
            _num(i["votes"]),
            _num(i["switchers"]),
        )
    table.add_row(
        goal,
        "total",
        str(block["electors_moved"]),
        "",
        "",
        _num(block["margin_sum"]),
        _num(block["votes"]),
        _num(block["switchers"]),
        style="bold",
    )
    out.print(table)


@app.command()
@handle_errors
def flip(
    data: DataOpt = None,
    contest: ContestOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    year: ElectionOpt = None,
) -> None:
    """The fewest votes that would have changed the Electoral College outcome (exact)."""
    as_json = output_format(as_json, fmt) is Format.JSON
    doc = documents.flip_doc(_load(data, year), contest, ec=_pledged(data, year))
    if year is not None and data is None:
        doc["electors_basis"] = "pledged"
    if as_json:
        emit_json(doc)
        return
    deny, elect = doc["deny"], doc["elect"]
    _print_flip(
        f"(a) Deny {doc['winner']} a majority: {deny['winner_electors_after']} electors left",
        deny,
        "deny",
    )
    _print_flip(
        f"(b) Elect {doc['runner_up']}: {elect['runner_up_electors_after']} electors",
        elect,
        "elect",
    )
    for goal in ("deny", "elect"):
        if doc[goal]["by_switchers"]["units"] != doc[goal]["units"]:
            _print_flip(
                f"({goal}) optimised by switchers instead",
                doc[goal]["by_switchers"],
                f"{goal}-by-switchers",
            )
    err.print(f"algorithm: {doc['algorithm']}")


@app.command()
@handle_errors
def recounts(
    data: DataOpt = None,
    year: ElectionOpt = None,
    contest: ContestOpt = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    rules: Annotated[
        Path | None,
        typer.Option(help="Recount-rule table (CSV). Default: the packaged 2020 table."),
    ] = None,
    top: Annotated[int, typer.Option(min=0, help="Show only the N closest states (0: all).")] = 0,
) -> None:
    """Recount eligibility per state from the rules in force (unknown where not in the table)."""
    as_json = output_format(as_json, fmt) is Format.JSON
    election = _load(data, year)
    table_rules = load_recount_rules(rules, year=year)
    if data is not None and year is None and rules is None:
        err.print(
            "note: applying the packaged table of recount rules in force in November "
            "2020 (give --election YEAR or --rules for another election's law)",
            style="dim",
        )
    source = str(rules) if rules else "ballotproof/data/recount_rules.csv (see RECOUNT_RULES.md)"
    doc = documents.recounts_doc(election, table_rules, contest, rules_source=source)
    if top:
        doc["states"] = doc["states"][:top]
    if as_json:
        emit_json(doc)
        return
    table = Table(title="Recount eligibility", title_justify="left")
    for col in ("State", "Margin", "Margin %", "Status", "Rule that decides", "Citation"):
        table.add_column(col, justify="right" if col in ("Margin", "Margin %") else "left")
    for s in doc["states"]:
        deciding = next((r for r in s["rules"] if r["qualifies"]), None)
        if deciding is None and s["rules"]:
            deciding = s["rules"][0]
        table.add_row(
            s["state"],
            _num(s["margin"]),
            _pct(s["margin_pct"]),
            s["status"],
            deciding["rule"] + f" ({deciding['kind']})" if deciding else "not in the table",
            deciding["citation"] if deciding else "",
        )
    out.print(table)


@app.command()
@handle_errors
def export(
    output: Annotated[
        Path, typer.Argument(help="Output: a .json or .xml file (NIST) or a folder (CSV).")
    ],
    data: DataOpt = None,
    year: ElectionOpt = None,
    counties: Annotated[
        bool, typer.Option(help="Include the 2020 county results (built-in data only).")
    ] = False,
) -> None:
    """Write an election as NIST SP 1500-100 v2 JSON (*.json) or XML (*.xml), or as generic CSV."""
    from ballotproof.io.generic import write_generic
    from ballotproof.io.nist import write_nist

    election = load_election(data, include_counties=counties, year=year)
    if output.suffix.lower() == ".json":
        write_nist(election, output)
    elif output.suffix.lower() == ".xml":
        from ballotproof.io.nist_xml import write_nist_xml

        write_nist_xml(election, output)
    else:
        write_generic(election, output)
    err.print(f"wrote {output}")


@app.command()
@handle_errors
def demo(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the report and its data.")
    ] = Path("ballotproof-demo"),
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the 2020 demonstration: results, election-night replay, a Georgia audit, claims
    checked, and every election 1976-2020 with the road to certification."""
    from ballotproof.report.demo import run_demo

    summary = run_demo(out_dir, data=data, console=err.rich())
    if as_json:
        emit_json(summary)
        return
    out.print(summary["headline"])
    out.print(f"Results report: [bold]{summary['report']}[/]")
    if "replay" in summary:
        r = summary["replay"]
        out.print(
            f"Election night replay: [bold]{r['replay_report']}[/] (wrong calls: "
            f"{len(r['wrong_calls'])}; not called by the model: "
            f"{', '.join(r['not_called_by_model']) or 'none'}, closed at the feed's end or on "
            "certification)"
        )
    if "audit" in summary:
        a = summary["audit"]
        out.print(
            f"Georgia audit (SQLite {a['audit_db']}): [bold]{a['audit_report']}[/] — "
            f"{a['audit_decision']}, {'verified' if a['audit_verified'] else 'NOT verified'}"
        )


@app.command()
@handle_errors
def replay(
    state: Annotated[
        list[str] | None,
        typer.Option("--state", help="Replay only this state (repeat for several)."),
    ] = None,
    confidence: Annotated[
        float, typer.Option(help="Call a state when its leader's chance reaches this.")
    ] = 0.995,
    compare: Annotated[
        str, typer.Option(help="Other confidence levels to score, comma-separated.")
    ] = "0.99,0.999",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write report.html and replay.json here.")
    ] = None,
    feed: Annotated[
        Path | None,
        typer.Option(
            help="A feed in the generic CSV format (docs/formats.md), by state or by unit and"
            " vote mode. Default: the packaged 2020 NYT/Edison and NYT batch feeds."
        ),
    ] = None,
    data: DataOpt = None,
    year: ElectionOpt = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            help="The previous election, for the prior of states with no returns: a folder, a"
            " NIST .json file, or a built-in name (us2020, or usYEAR for 1976-2016).",
            show_default=False,
        ),
    ] = None,
    calls: Annotated[
        Path | None,
        typer.Option(
            help="Desk call times (CSV: state_po, desk, candidate, called_at_utc). Default: the"
            " packaged 2020 table with the built-in 2020 election, none otherwise.",
            show_default=False,
        ),
    ] = None,
    timeline: Annotated[
        Path | None,
        typer.Option(
            help="Certification dates that close races (CSV as data/certification_2020.csv;"
            " its 'certified' rows). Default: the packaged 2020 table with the built-in 2020"
            " election, none otherwise.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
) -> None:
    """Replay election night through the calling engine and score it against the desks."""
    as_json = output_format(as_json, fmt) is Format.JSON
    from ballotproof.report.replay import replay_doc, write_replay_report
    from ballotproof.usecases.replay import load_replay_inputs, run_replay

    try:
        levels = sorted({confidence, *(float(x) for x in compare.split(",") if x.strip())})
    except ValueError:
        raise typer.BadParameter(
            "comma-separated numbers such as 0.99,0.999", param_hint="--compare"
        ) from None
    for c in levels:
        if not 0.5 < c < 1.0:
            raise typer.BadParameter(f"{c} is not between 0.5 and 1", param_hint="--confidence")
    states = [s.upper() for s in state] if state else None
    inputs = load_replay_inputs(
        feed=feed,
        data=data,
        year=year,
        baseline=baseline,
        calls=calls,
        states=states,
        timeline=timeline,
    )
    engines = run_replay(
        confidences=levels,
        inputs=inputs,
        progress=lambda m: err.print(m, style="dim"),
        main=confidence,
    )
    doc = replay_doc(engines, main=confidence, inputs=inputs)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_replay_report(engines[confidence], doc, out_dir / "report.html")
        (out_dir / "replay.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        err.print(f"wrote {out_dir / 'report.html'}")
    if as_json:
        emit_json(doc)
        return
    table = Table(title=f"Replay at confidence {confidence:g}", title_justify="left")
    for col in ("State", "Call", "Our time (UTC)", "AP (UTC)", "Hours vs AP", "Winner"):
        table.add_column(col, overflow="fold")
    for st, s in sorted(doc["states"].items()):
        call = s["call"]
        how = {"end_of_feed": " (feed end)", "certified": " (certified)"}
        table.add_row(
            st,
            (call["candidate"] + how.get(call["basis"], "")) if call else "—",
            call["time"] if call else "",
            s["ap_call"]["time"] if s["ap_call"] else "",
            "" if s["hours_vs_ap"] is None else f"{s['hours_vs_ap']:+.1f}",
            str(s["final_winner"]) + (" WRONG" if s["wrong"] else ""),
        )
    out.print(table)
    bt = doc["backtest"]
    out.print(
        f"wrong calls: {len(bt['wrong_calls'])}; not called: "
        f"{', '.join(bt['uncalled']) or 'none'}; not called by the model: "
        f"{', '.join(bt['levels'][f'{confidence:g}']['not_called_by_model']) or 'none'}; "
        f"Brier score {bt['brier']}"
    )


@app.command()
@handle_errors
def watch(
    source: Annotated[
        str,
        typer.Argument(
            help="A folder that snapshot files arrive in, or an http(s) URL answering the"
            " current snapshot: the feed so far in the generic CSV format (docs/formats.md), or"
            " a Scytl/Clarity detail.xml (with --state).",
            show_default=False,
        ),
    ],
    data: DataOpt = None,
    year: ElectionOpt = None,
    baseline: Annotated[
        str | None,
        typer.Option(help="The previous election, as for replay.", show_default=False),
    ] = None,
    calls: Annotated[
        Path | None,
        typer.Option(help="Desk call times, as for replay.", show_default=False),
    ] = None,
    confidence: Annotated[
        float, typer.Option(help="Call a state when its leader's chance reaches this.")
    ] = 0.995,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Where live.html and live.json are kept up to date.")
    ] = Path("ballotproof-watch"),
    interval: Annotated[
        float, typer.Option(min=0.0, help="Seconds between polls (and the page's reload).")
    ] = 30.0,
    polls: Annotated[
        int | None,
        typer.Option(min=1, help="Stop after this many polls (default: until interrupted)."),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="The state a Scytl/Clarity detail.xml source reports (its counties are matched"
            " by name to the results data's).",
            show_default=False,
        ),
    ] = None,
    contest: Annotated[
        str | None,
        typer.Option(
            help="The Clarity contest: the one whose name contains this (default: President).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Election night live: poll a feed, run the calling engine, keep a page and JSON current.

    SOURCE's snapshots are the generic feed CSV, or Scytl/Clarity detail.xml with --state."""
    import time as _time
    from datetime import UTC, datetime

    from ballotproof.io.atomic import write_atomic
    from ballotproof.report.replay import replay_doc, write_replay_report
    from ballotproof.usecases.watch import Watcher, source_for

    watcher = Watcher(
        source_for(source),
        data=data,
        year=year,
        baseline=baseline,
        calls=calls,
        confidence=confidence,
        state=state,
        contest=contest,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    logged = 0
    poll = 0
    try:
        while polls is None or poll < polls:
            if poll:
                _time.sleep(interval)
            poll += 1
            taken = watcher.poll()
            for when, text in watcher.log[logged:]:
                err.print(f"{when} {text}", style="yellow", highlight=False)
            logged = len(watcher.log)
            stamp = datetime.now(UTC).strftime("%H:%M:%SZ")
            if not taken or watcher.engine is None:
                err.print(f"{stamp} poll {poll}: nothing new", highlight=False)
                continue
            doc = replay_doc(
                {confidence: watcher.engine}, main=confidence, inputs=watcher.current_inputs()
            )
            doc["watch"] = {"source": watcher.source.name, "polls": poll, "log": watcher.log}
            write_atomic(out_dir / "live.json", json.dumps(doc, indent=2) + "\n")
            write_replay_report(
                watcher.engine, doc, out_dir / "live.html", refresh=max(1, round(interval))
            )
            called = ", ".join(f"{c.state} {c.candidate}" for c in watcher.engine.calls) or "none"
            err.print(f"{stamp} poll {poll}: {taken} new rows; calls: {called}", highlight=False)
    except KeyboardInterrupt:
        err.print("stopped")


# The audit commands live in their own module and register themselves on ``app``.
from ballotproof.cli import audit as _audit  # noqa: E402, F401
from ballotproof.cli import history as _history  # noqa: E402, F401
from ballotproof.cli import serve as _serve  # noqa: E402, F401
from ballotproof.cli import users as _users  # noqa: E402, F401


def _narrowed(args: Sequence[str]) -> typer.Typer:
    """``app`` with only the command or group that ``args`` name, so that Typer builds (and reads
    the signatures of) one command instead of all of them: about half of a short command's
    start-up (issue 11). Anything else (help, an unknown name, no command) gets the whole app."""
    name = next((a for a in args if not a.startswith("-")), None)
    if name is None:
        return app
    slim = copy.copy(app)
    for command in app.registered_commands:
        if command.callback is not None and name == (
            command.name or typer.main.get_command_name(command.callback.__name__)
        ):
            slim.registered_commands, slim.registered_groups = [command], []
            return slim
    for group in app.registered_groups:
        if name == group.name:
            slim.registered_commands, slim.registered_groups = [], [group]
            return slim
    return app


def main() -> None:
    """Console-script entry point."""
    _narrowed(sys.argv[1:])()


if __name__ == "__main__":  # pragma: no cover
    # ``python -m ballotproof.cli.app``: the command modules registered themselves on the app of
    # the importable module, not on this ``__main__`` copy, so run that one.
    from ballotproof.cli.app import main as _main

    _main()
