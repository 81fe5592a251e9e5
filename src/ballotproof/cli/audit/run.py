"""Running an audit: ``audit sample``, ``start``, ``record``, ``status`` and ``report``.

Thin: each command parses its options, calls the application layer
(:mod:`ballotproof.usecases`) and renders what comes back.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ballotproof.cli.app import Format, FormatOpt, emit_json, err, handle_errors, out, output_format
from ballotproof.cli.audit import (
    METHOD_HELP,
    DbOpt,
    JsonOpt,
    NameOpt,
    RiskOpt,
    WinnersOpt,
    _check_alpha,
    _contest,
    _now,
    _print_status,
    _status_doc,
    audit_app,
    method_names,
)
from ballotproof.io.atomic import write_atomic
from ballotproof.usecases.retrieval import ballot_label, sample_csv

if TYPE_CHECKING:
    from ballotproof.audit.process import Method
    from ballotproof.audit.sampler import Draw
    from ballotproof.usecases.start import NewAudit

# The store (SQLAlchemy) and the statistics are imported inside the commands that use them:
# importing them costs seconds that ``ballotproof results`` should not pay.


def _draw_json(d: Draw) -> dict[str, Any]:
    b = d.ballot
    return {
        "order": d.order,
        "ticket": d.ticket,
        "id": d.id,
        "label": ballot_label(b.jurisdiction, b.tabulator, b.batch, b.position),
        "generation": d.generation,
        "ballot": {
            "jurisdiction": b.jurisdiction,
            "container": b.container,
            "tabulator": b.tabulator,
            "batch": b.batch,
            "position": b.position,
        },
    }


def _retrieval_csv(draws: list[Draw]) -> str:
    from ballotproof.audit.sampler import retrieval_list

    return sample_csv(retrieval_list(draws))


def _batch_sheet(draws: list[Draw], choices: list[str]) -> str:
    """The batches to hand-count, each once, with empty columns for the hand count."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "Jurisdiction",
            "Container",
            "Tabulator",
            "Batch Name",
            "Ticket Numbers",
            "Times Drawn",
            *choices,
        ]
    )
    seen: dict[str, list[Draw]] = {}
    for d in draws:
        seen.setdefault(d.ballot.batch, []).append(d)
    for name in sorted(seen):
        b = seen[name][0].ballot
        w.writerow(
            [
                b.jurisdiction or "",
                b.container or "",
                b.tabulator or "",
                name,
                ";".join(d.ticket for d in seen[name]),
                len(seen[name]),
                *([""] * len(choices)),
            ]
        )
    return buf.getvalue()


@audit_app.command()
@handle_errors
def sample(
    manifest: Annotated[Path | None, typer.Option(help="Ballot manifest CSV (stateless).")] = None,
    seed: Annotated[str | None, typer.Option(help="Public random seed.")] = None,
    size: Annotated[int | None, typer.Option(help="Draws to make.")] = None,
    skip: Annotated[int, typer.Option(help="Draws made in earlier rounds.")] = 0,
    without_replacement: Annotated[bool, typer.Option(help="Sample without replacement.")] = False,
    jurisdiction: Annotated[
        str | None,
        typer.Option(help="Jurisdiction name for a manifest without that column (as in Arlo)."),
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Audit database (stateful).")] = None,
    audit: Annotated[str | None, typer.Option("--audit", help="Audit name (with --db).")] = None,
    round_number: Annotated[
        int | None, typer.Option("--round", help="Round (default: current).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the retrieval list CSV.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Draw a sample (from --manifest and --seed) or list a stored audit's round (--db)."""
    from ballotproof.audit.sampler import Draw
    from ballotproof.store import open_store
    from ballotproof.usecases.retrieval import retrieval_csv
    from ballotproof.usecases.retrieval import retrieval_list as round_list

    if db is not None:
        if not audit:
            raise typer.BadParameter("give --audit with --db", param_hint="--audit")
        store = open_store(db, create=False)
        status = store.status(audit)
        number = round_number or status.current_round
        if not 1 <= number <= status.current_round:
            raise typer.BadParameter(
                f"audit {audit!r} has rounds 1 to {status.current_round}", param_hint="--round"
            )
        if status.spec.method.is_batch:
            draws = [
                Draw(d.seq, d.ticket, d.ballot_id, d.generation, d.ballot)
                for d in store.round_draws(audit, number)
            ]
            text = _batch_sheet(draws, list(status.spec.contest.tally))
            if output is not None:
                write_atomic(output, text)
                err.print(f"wrote {output} ({len(draws)} batch draws)")
            if as_json:
                emit_json(
                    {
                        "seed": status.spec.seed,
                        "draws": [
                            {
                                "order": d.order,
                                "ticket": d.ticket,
                                "batch": d.ballot.batch,
                                "generation": d.generation,
                            }
                            for d in draws
                        ],
                    }
                )
            elif output is None:
                sys.stdout.write(text)
            return
        entries = round_list(store, audit, number)
        text = retrieval_csv(entries)
        repeats = sum(1 for e in entries if e.read_before)
        if output is not None:
            write_atomic(output, text)
            err.print(
                f"wrote {output} ({len(entries)} ballots"
                + (f", {repeats} of them drawn in an earlier round" if repeats else "")
                + ")"
            )
        if as_json:
            emit_json(
                {
                    "seed": status.spec.seed,
                    "round": number,
                    "ballots": [
                        {
                            "id": e.ballot_id,
                            "label": e.label,
                            "tickets": list(e.tickets),
                            "times_drawn": e.times_drawn,
                            "imprinted_id": e.imprinted_id or None,
                            "first_round": e.first_round,
                            "phantom": e.phantom,
                            "ballot": {
                                "jurisdiction": e.jurisdiction,
                                "container": e.container,
                                "tabulator": e.tabulator,
                                "batch": e.batch,
                                "position": e.position,
                            },
                        }
                        for e in entries
                    ],
                }
            )
        elif output is None:
            sys.stdout.write(text)
        return
    if manifest is None or seed is None or size is None:
        raise typer.BadParameter(
            "give --manifest, --seed and --size (or --db and --audit)", param_hint="--manifest"
        )
    from ballotproof.audit.sampler import draw_sample
    from ballotproof.io.manifest import load_manifest
    from ballotproof.parallel import ProcessPool

    m = load_manifest(manifest, jurisdiction=jurisdiction)
    s = draw_sample(
        m.batches,
        seed,
        size,
        skip=skip,
        with_replacement=not without_replacement,
        pool=ProcessPool(),
    )
    listed = list(s.draws)
    if output is not None:
        write_atomic(output, _retrieval_csv(listed))
        err.print(f"wrote {output} ({len(listed)} draws)")
    if as_json:
        emit_json({"seed": seed, "draws": [_draw_json(d) for d in listed]})
    elif output is None:
        sys.stdout.write(_retrieval_csv(listed))


@audit_app.command()
@handle_errors
def start(
    db: DbOpt,
    name: Annotated[str, typer.Option(help="A name for the audit.")],
    manifest: Annotated[Path, typer.Option(help="Ballot manifest CSV.")],
    seed: Annotated[str, typer.Option(help="Public random seed (e.g. 20 dice digits).")],
    tally: Annotated[
        str | None,
        typer.Option(help='Reported votes, e.g. "A=600,B=400" (every method but shangrla-*).'),
    ] = None,
    ballots: Annotated[
        int | None,
        typer.Option(
            help="Ballots cast in the contest (N); shangrla-*: cards cast, if more "
            "than the manifest lists (with --allow-phantoms)."
        ),
    ] = None,
    risk_limit: RiskOpt = 0.1,
    winners: WinnersOpt = 1,
    method: Annotated[str, typer.Option(help=METHOD_HELP)] = "bravo",
    contest: Annotated[str, typer.Option(help="Contest name (as in the CVRs).")] = "contest",
    cvrs: Annotated[Path | None, typer.Option(help="Cast vote records (comparison).")] = None,
    cvr_format: Annotated[
        str, typer.Option(help="dominion-csv, dominion-json, ess or nist (SP 1500-103 JSON).")
    ] = "dominion-csv",
    ess_ballots: Annotated[
        Path | None, typer.Option(help="ES&S: the ballots file that locates each card.")
    ] = None,
    jurisdiction: Annotated[
        str | None,
        typer.Option(
            help="Jurisdiction name in ballot ids, for a manifest without a Jurisdiction "
            "column (as Arlo names it: reproduces Arlo's draws)."
        ),
    ] = None,
    allow_phantoms: Annotated[
        bool,
        typer.Option(
            help="Accept a manifest with fewer ballots than --ballots: the missing ones are "
            "phantoms, each the worst case for the reported winner."
        ),
    ] = False,
    batch_tallies: Annotated[
        Path | None, typer.Option(help="Reported batch tallies (macro: batch comparison).")
    ] = None,
    round_size: Annotated[int | None, typer.Option(help="Round 1 size (default: planned).")] = None,
    contests: Annotated[
        Path | None,
        typer.Option(
            help="shangrla-comparison: the contests file (JSON; targeted and opportunistic "
            "contests, see docs/formats.md)."
        ),
    ] = None,
    without_replacement: Annotated[
        bool,
        typer.Option(
            "--without-replacement",
            show_default=False,
            help="alpha, alpha-comparison: draw distinct ballots; the risk and the round sizes "
            "use the finite-population test (not yet supported by the store: refused).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Start an audit — ballot polling, ballot comparison (--cvrs), batch comparison
    (--batch-tallies) or several contests from one sample (--contests, --cvrs) — and draw
    round 1."""
    from ballotproof.audit.process import Method
    from ballotproof.usecases.start import prepare_multi_audit

    _check_alpha(risk_limit)
    try:
        m_ = Method(method)
    except ValueError:
        raise typer.BadParameter(", ".join(method_names()), param_hint="--method") from None
    if m_ is Method.SHANGRLA_COMPARISON:
        if without_replacement:
            raise typer.BadParameter(
                "shangrla-comparison draws with replacement; only alpha and alpha-comparison "
                "audits can draw without replacement",
                param_hint="--without-replacement",
            )
        if contests is None or cvrs is None:
            raise typer.BadParameter(
                "shangrla-comparison needs --contests and --cvrs", param_hint="--contests"
            )
        new = prepare_multi_audit(
            name=name,
            contests=contests,
            manifest=manifest,
            cvrs=cvrs,
            seed=seed,
            risk_limit=risk_limit,
            ballots=ballots,
            jurisdiction=jurisdiction,
            allow_phantoms=allow_phantoms,
            cvr_format=cvr_format,
            ess_ballots=ess_ballots,
            round_size=round_size,
        )
    elif tally is None or ballots is None:
        raise typer.BadParameter(f"{method} needs --tally and --ballots", param_hint="--tally")
    elif contests is not None:
        raise typer.BadParameter(
            "--contests is for --method shangrla-comparison", param_hint="--contests"
        )
    else:
        new = _prepare_one(
            name, tally, ballots, winners, contest, manifest, seed, risk_limit, m_,
            jurisdiction, allow_phantoms, cvrs, cvr_format, ess_ballots, batch_tallies,
            round_size, not without_replacement,
        )  # fmt: skip
    _started(db, name, new, as_json)


def _prepare_one(
    name: str,
    tally: str,
    ballots: int,
    winners: int,
    contest: str,
    manifest: Path,
    seed: str,
    risk_limit: float,
    m_: Method,
    jurisdiction: str | None,
    allow_phantoms: bool,
    cvrs: Path | None,
    cvr_format: str,
    ess_ballots: Path | None,
    batch_tallies: Path | None,
    round_size: int | None,
    replacement: bool,
) -> NewAudit:
    from ballotproof.usecases.start import prepare_audit

    return prepare_audit(
        name=name,
        contest=_contest(tally, ballots, winners, contest),
        manifest=manifest,
        seed=seed,
        risk_limit=risk_limit,
        method=m_,
        jurisdiction=jurisdiction,
        allow_phantoms=allow_phantoms,
        cvrs=cvrs,
        cvr_format=cvr_format,
        ess_ballots=ess_ballots,
        batch_tallies=batch_tallies,
        round_size=round_size,
        replacement=replacement,
    )


def _started(db: str, name: str, new: NewAudit, as_json: bool) -> None:
    """Print the notes, then store the audit and say what to do next (or why not)."""
    from ballotproof.audit.contest import Decision
    from ballotproof.store import open_store
    from ballotproof.usecases.start import start_audit

    for note in new.notes:
        err.print(f"note: {note}")
    if new.full_hand_count is not None:
        doc_fc = {
            "audit": name,
            "decision": Decision.FULL_HAND_COUNT.value,
            "reason": new.full_hand_count,
        }
        if as_json:
            emit_json(doc_fc)
        else:
            out.print(f"[bold]Full hand count[/]: {new.full_hand_count}; no sample is drawn.")
        return
    status = start_audit(open_store(db), new, now=_now)
    doc = {
        "audit": name,
        "round": 1,
        "size": status.round_sizes[0],
        "phantoms": new.spec.phantoms,
        "journal_head": status.journal_head,
    }
    if as_json:
        emit_json(doc)
        return
    out.print(
        f"Audit {name!r} started: round 1 draws {status.round_sizes[0]:,} ballots. "
        f"Next: ballotproof audit sample --db {db} --audit {name} --out round1.csv"
    )


@audit_app.command()
@handle_errors
def record(
    file: Annotated[Path, typer.Argument(help="Retrieval list CSV with Interpretation filled.")],
    db: DbOpt,
    audit: NameOpt,
    correct: Annotated[
        bool, typer.Option(help="Allow changing a recorded interpretation.")
    ] = False,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
) -> None:
    """Record readings (a choice, blank, overvote or not_found); closes complete rounds."""
    as_json = output_format(as_json, fmt) is Format.JSON
    from ballotproof.store import open_store
    from ballotproof.usecases.record import record_file

    store = open_store(db, create=False)
    status, written, repeated = record_file(store, audit, file, now=_now, correct=correct)
    doc = _status_doc(status)
    doc["recorded"] = {"new": written, "unchanged": repeated}
    if as_json:
        emit_json(doc)
        return
    out.print(f"recorded {written} reading(s) ({repeated} unchanged)")
    _print_status(doc)


@audit_app.command()
@handle_errors
def status(db: DbOpt, audit: NameOpt, as_json: JsonOpt = False, fmt: FormatOpt = None) -> None:
    """Rounds, risk per contest and pair, and the decision so far."""
    as_json = output_format(as_json, fmt) is Format.JSON
    from ballotproof.store import open_store

    doc = _status_doc(open_store(db, create=False).status(audit))
    if as_json:
        emit_json(doc)
        return
    _print_status(doc)


@audit_app.command()
@handle_errors
def report(
    db: DbOpt,
    audit: NameOpt,
    output: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path(
        "audit-report.html"
    ),
) -> None:
    """A self-contained HTML report with the risk over rounds."""
    from ballotproof.report.audit import render_audit_report
    from ballotproof.store import open_store

    store = open_store(db, create=False)
    checks = [c.to_json() for c in store.verify(audit)]
    html = render_audit_report(_status_doc(store.status(audit)), checks)
    write_atomic(output, html)
    err.print(f"wrote {output}")
