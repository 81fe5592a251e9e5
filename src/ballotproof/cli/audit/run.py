"""Running an audit: ``audit sample``, ``start``, ``record``, ``status`` and ``report``."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ballotproof.audit import macro
from ballotproof.audit.contest import Decision
from ballotproof.audit.process import (
    BLANK,
    AuditSpec,
    Method,
    batch_first_round,
    first_round_size,
)
from ballotproof.audit.sampler import Ballot, Draw, draw_sample, retrieval_list
from ballotproof.cli.app import emit_json, err, handle_errors, out
from ballotproof.cli.audit import (
    BallotsOpt,
    DbOpt,
    JsonOpt,
    NameOpt,
    RiskOpt,
    TallyOpt,
    WinnersOpt,
    _check_alpha,
    _contest,
    _now,
    _print_status,
    _sha256,
    _status_doc,
    audit_app,
)
from ballotproof.errors import InputError
from ballotproof.io.atomic import write_atomic
from ballotproof.io.csvread import parse_int, read_rows
from ballotproof.io.manifest import load_manifest
from ballotproof.store import open_store


def _draw_json(d: Draw) -> dict[str, Any]:
    b = d.ballot
    return {
        "order": d.order,
        "ticket": d.ticket,
        "id": d.id,
        "generation": d.generation,
        "ballot": {
            "jurisdiction": b.jurisdiction,
            "container": b.container,
            "tabulator": b.tabulator,
            "batch": b.batch,
            "position": b.position,
        },
    }


RETRIEVAL_COLUMNS = [
    "Jurisdiction",
    "Container",
    "Tabulator",
    "Batch Name",
    "Ballot Position",
    "Ticket Numbers",
    "Times Drawn",
    "Ballot ID",
    "Interpretation",
    "Note",
]


def _retrieval_csv(draws: list[Draw]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(RETRIEVAL_COLUMNS)
    for row in retrieval_list(draws):
        b = Ballot(row.jurisdiction, row.tabulator, row.batch, row.position, row.container)
        w.writerow(
            [
                b.jurisdiction or "",
                b.container or "",
                b.tabulator or "",
                b.batch,
                b.position,
                ";".join(row.tickets),
                row.times_drawn,
                b.id,
                "",
                "",
            ]
        )
    return buf.getvalue()


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
    db: Annotated[Path | None, typer.Option("--db", help="Audit database (stateful).")] = None,
    audit: Annotated[str | None, typer.Option("--audit", help="Audit name (with --db).")] = None,
    round_number: Annotated[
        int | None, typer.Option("--round", help="Round (default: current).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the retrieval list CSV.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Draw a sample (from --manifest and --seed) or show a stored audit's round (--db)."""
    if db is not None:
        if not audit:
            raise typer.BadParameter("give --audit with --db", param_hint="--audit")
        stored = open_store(db, create=False).load(audit)
        number = round_number or stored.current_round
        if not 1 <= number <= stored.current_round:
            raise typer.BadParameter(
                f"audit {audit!r} has rounds 1 to {stored.current_round}", param_hint="--round"
            )
        draws = [
            Draw(d.seq, d.ticket, d.ballot_id, d.generation, d.ballot)
            for d in stored.round_draws(number)
        ]
        seed_used = stored.spec.seed
        if stored.spec.method.is_batch:
            text = _batch_sheet(draws, list(stored.spec.contest.tally))
            if output is not None:
                output.write_text(text, encoding="utf-8")
                err.print(f"wrote {output} ({len(draws)} batch draws)")
            if as_json:
                emit_json(
                    {
                        "seed": seed_used,
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
    else:
        if manifest is None or seed is None or size is None:
            raise typer.BadParameter(
                "give --manifest, --seed and --size (or --db and --audit)", param_hint="--manifest"
            )
        m = load_manifest(manifest)
        s = draw_sample(m.batches, seed, size, skip=skip, with_replacement=not without_replacement)
        draws = list(s.draws)
        seed_used = seed
    if output is not None:
        output.write_text(_retrieval_csv(draws), encoding="utf-8")
        err.print(f"wrote {output} ({len(draws)} draws)")
    if as_json:
        emit_json({"seed": seed_used, "draws": [_draw_json(d) for d in draws]})
    elif output is None:
        sys.stdout.write(_retrieval_csv(draws))


def _load_cvrs(
    path: Path, fmt: str, contest: str, jurisdiction: str | None, choices: set[str]
) -> dict[str, str]:
    """Ballot id → the record's reading of ``contest`` (a choice, or blank)."""
    from ballotproof.io.cvr import to_ballot
    from ballotproof.io.cvr_dominion import load_dominion_csv, load_dominion_json

    if fmt == "dominion-csv":
        cvr_file = load_dominion_csv(path)
    elif fmt == "dominion-json":
        cvr_file = load_dominion_json(path)
    else:
        raise typer.BadParameter("dominion-csv or dominion-json", param_hint="--cvr-format")
    if contest not in cvr_file.contests:
        raise InputError(
            path=str(path),
            field="contest",
            expected="one of " + ", ".join(cvr_file.contests),
            got=contest,
        )
    out: dict[str, str] = {}
    for record in cvr_file.records:
        marks = record.votes.get(contest, frozenset())
        if contest in record.overvotes or len(marks) != 1:
            choice = BLANK
        else:
            (choice,) = marks
            if choice not in choices:
                raise InputError(
                    f"card {record.imprinted_id}",
                    path=str(path),
                    field=contest,
                    expected="a choice of --tally",
                    got=choice,
                )
        out[to_ballot(record, jurisdiction).id] = choice
    return out


@audit_app.command()
@handle_errors
def start(
    db: DbOpt,
    name: Annotated[str, typer.Option(help="A name for the audit.")],
    manifest: Annotated[Path, typer.Option(help="Ballot manifest CSV.")],
    tally: TallyOpt,
    ballots: BallotsOpt,
    seed: Annotated[str, typer.Option(help="Public random seed (e.g. 20 dice digits).")],
    risk_limit: RiskOpt = 0.1,
    winners: WinnersOpt = 1,
    method: Annotated[str, typer.Option(help="bravo, minerva, supersimple or macro.")] = "bravo",
    contest: Annotated[str, typer.Option(help="Contest name (as in the CVRs).")] = "contest",
    cvrs: Annotated[Path | None, typer.Option(help="Cast vote records (supersimple).")] = None,
    cvr_format: Annotated[
        str, typer.Option(help="dominion-csv or dominion-json.")
    ] = "dominion-csv",
    jurisdiction: Annotated[
        str | None, typer.Option(help="Jurisdiction name in ballot ids (as in the manifest).")
    ] = None,
    batch_tallies: Annotated[
        Path | None, typer.Option(help="Reported batch tallies (macro: batch comparison).")
    ] = None,
    round_size: Annotated[int | None, typer.Option(help="Round 1 size (default: planned).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Start an audit — ballot polling, ballot comparison (--cvrs) or batch comparison
    (--batch-tallies) — and draw round 1."""
    _check_alpha(risk_limit)
    try:
        m_ = Method(method)
    except ValueError:
        raise typer.BadParameter(
            "bravo, minerva, supersimple or macro", param_hint="--method"
        ) from None
    c = _contest(tally, ballots, winners, contest)
    m = load_manifest(manifest)
    if m.total_ballots != ballots:
        err.print(f"note: the manifest lists {m.total_ballots:,} ballots; --ballots is {ballots:,}")
    committed = None
    if m_.is_comparison:
        if cvrs is None:
            raise typer.BadParameter("a comparison audit needs --cvrs", param_hint="--cvrs")
        if ballots != m.total_ballots:
            raise InputError(
                f"--ballots is {ballots:,} but the manifest lists {m.total_ballots:,}: a "
                "comparison audit's diluted margin needs the true number of ballots",
                path=str(manifest),
            )
        committed = _load_cvrs(cvrs, cvr_format, contest, jurisdiction, set(c.tally))
        recorded = dict.fromkeys(c.tally, 0)
        for choice in committed.values():
            if choice in recorded:
                recorded[choice] += 1
        if recorded != dict(c.tally):
            raise InputError(
                "the cast vote records do not add up to the reported tally (records: "
                + ", ".join(f"{k}={v}" for k, v in recorded.items())
                + "): a comparison audit checks the outcome the records report",
                path=str(cvrs),
                field="tally",
            )
        if len(committed) != m.total_ballots:
            raise InputError(
                f"{len(committed):,} cast vote records but {m.total_ballots:,} "
                "ballots in the manifest: a comparison audit needs one record "
                "per ballot",
                path=str(cvrs),
            )
        ids = {b.ballot(p).id for b in m.batches for p in range(1, b.ballots + 1)}
        stray = next((i for i in committed if i not in ids), None)
        if stray is not None:
            raise InputError(
                "a cast vote record matches no ballot of the manifest (check "
                "--jurisdiction and the manifest's tabulator and batch names)",
                path=str(cvrs),
                field="ballot",
                got=stray,
            )
    reported = None
    if m_.is_batch:
        if batch_tallies is None:
            raise typer.BadParameter(
                "a batch-comparison audit needs --batch-tallies", param_hint="--batch-tallies"
            )
        from ballotproof.io.batch_tallies import load_batch_tallies

        reported = load_batch_tallies(batch_tallies, manifest=m)
        missing = [b.name for b in m.batches if b.name not in reported]
        if missing:
            raise InputError(
                "every batch of the manifest needs a reported tally",
                path=str(batch_tallies),
                field="Batch Name",
                got=missing[0],
            )
        columns = set(next(iter(reported.values()), {}))
        if columns != set(c.tally):
            raise InputError(
                path=str(batch_tallies),
                line=1,
                field="choices",
                expected="exactly the choices of --tally: " + ", ".join(c.tally),
                got=", ".join(sorted(columns)),
            )
        sums = {k: sum(t.get(k, 0) for t in reported.values()) for k in c.tally}
        if sums != dict(c.tally):
            raise InputError(
                "the batch tallies do not add up to --tally ("
                + ", ".join(f"{k}={v}" for k, v in sums.items())
                + ")",
                path=str(batch_tallies),
            )
    spec = AuditSpec(name, c, risk_limit, m_, seed)
    if reported is not None:
        rep = reported
        first = batch_first_round(
            spec, [macro.Batch(b.name, b.ballots, dict(rep.get(b.name, {}))) for b in m.batches]
        )
        size = round_size if round_size is not None else first
        full = c.tied or size >= len(m.batches)
    else:
        size = round_size if round_size is not None else first_round_size(spec)
        full = c.tied or size >= c.ballots
    if full:
        unit = "batches" if reported is not None else "ballots"
        reason = (
            "the reported result is a tie"
            if c.tied
            else f"round 1 would need {size:,} draws, as many as there are {unit}"
        )
        doc_fc = {"audit": name, "decision": Decision.FULL_HAND_COUNT.value, "reason": reason}
        if as_json:
            emit_json(doc_fc)
        else:
            out.print(f"[bold]Full hand count[/]: {reason}; no sample is drawn.")
        return
    stored = open_store(db).start(
        spec,
        m.batches,
        manifest_source=str(manifest),
        manifest_sha256=_sha256(manifest),
        now=_now(),
        round_size=round_size,
        reported=reported,
        cvrs=committed,
        cvr_source=str(cvrs) if cvrs else "",
    )
    doc = {
        "audit": name,
        "round": 1,
        "size": stored.round_sizes[0],
        "journal_head": stored.journal_head,
    }
    if as_json:
        emit_json(doc)
        return
    out.print(
        f"Audit {name!r} started: round 1 draws {stored.round_sizes[0]:,} ballots. "
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
) -> None:
    """Record ballot interpretations (choice, blank or not_found); closes complete rounds."""
    store = open_store(db, create=False)
    current = store.load(audit)
    if current.spec.method.is_batch:
        rows = _batch_rows_from(file, current)
        stored, written, repeated = store.record(audit, rows, now=_now(), correct=correct)
        _report_recorded(stored, written, repeated, as_json)
        return
    drawn = {d.ballot_id for d in current.draws}
    valid = current.spec.valid_interpretations()
    rows = []
    seen: dict[str, tuple[str, int]] = {}
    for row in read_rows(
        file,
        ("Ballot ID", "Interpretation"),
        optional=tuple(c for c in RETRIEVAL_COLUMNS if c not in ("Ballot ID", "Interpretation")),
    ):
        choice = row.get("Interpretation")
        if not choice:
            continue
        ballot_id = row.require("Ballot ID")
        if ballot_id not in drawn:
            raise row.error("Ballot ID", f"a ballot drawn in audit {audit!r}", ballot_id)
        if choice not in valid:
            raise row.error("Interpretation", "one of " + ", ".join(sorted(valid)), choice)
        if ballot_id in seen and seen[ballot_id][0] != choice:
            raise row.error(
                "Interpretation", f"{seen[ballot_id][0]!r} as on line {seen[ballot_id][1]}", choice
            )
        seen[ballot_id] = (choice, row.line)
        rows.append((ballot_id, choice, row.get("Note")))
    stored, written, repeated = store.record(audit, rows, now=_now(), correct=correct)
    doc = _status_doc(stored)
    doc["recorded"] = {"new": written, "unchanged": repeated}
    if as_json:
        emit_json(doc)
        return
    out.print(f"recorded {written} interpretation(s) ({repeated} unchanged)")
    _print_status(doc)


def _batch_rows_from(file: Path, current: Any) -> list[tuple[str, str, str]]:
    """Hand counts of drawn batches (``Batch Name`` + one column per choice), checked row by
    row: drawn, counted once, whole numbers, no more votes than the batch has ballots."""
    from ballotproof.audit.process import batch_reading
    from ballotproof.store.repository import batch_id

    choices = list(current.spec.contest.tally)
    drawn = {d.batch for d in current.draws}
    ballots = {b.name: b.ballots for b in current.batches}
    sheet_columns = {"Jurisdiction", "Container", "Tabulator", "Ticket Numbers", "Times Drawn"}
    rows = []
    seen: dict[str, int] = {}
    for row in read_rows(file, ("Batch Name", *choices), optional=tuple(sheet_columns)):
        name = row.require("Batch Name")
        if not any(row.get(c) for c in choices):
            continue  # not counted yet
        if name not in drawn:
            raise row.error("Batch Name", f"a batch drawn in audit {current.spec.name!r}", name)
        if name in seen:
            raise row.error("Batch Name", f"one row per batch (also on line {seen[name]})", name)
        seen[name] = row.line
        tally = {c: parse_int(row, c) for c in choices}
        if sum(tally.values()) > ballots[name]:
            raise row.error(
                "Batch Name",
                f"at most {ballots[name]} votes (the batch's ballots)",
                f"{sum(tally.values())} votes",
            )
        rows.append((batch_id(name), batch_reading(tally), ""))
    return rows


def _report_recorded(stored: Any, written: int, repeated: int, as_json: bool) -> None:
    doc = _status_doc(stored)
    doc["recorded"] = {"new": written, "unchanged": repeated}
    if as_json:
        emit_json(doc)
        return
    out.print(f"recorded {written} reading(s) ({repeated} unchanged)")
    _print_status(doc)


@audit_app.command()
@handle_errors
def status(db: DbOpt, audit: NameOpt, as_json: JsonOpt = False) -> None:
    """Rounds, risk per contest and pair, and the decision so far."""
    doc = _status_doc(open_store(db, create=False).load(audit))
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

    store = open_store(db, create=False)
    stored = store.load(audit)
    checks = [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in store.verify(audit)]
    html = render_audit_report(_status_doc(stored), checks)
    write_atomic(output, html)
    err.print(f"wrote {output}")
