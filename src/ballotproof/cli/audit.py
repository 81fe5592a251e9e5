"""``ballotproof audit …``: plan, run, record, check and verify risk-limiting audits.

Stateless commands (``plan``, ``risk``, ``sample --manifest``) compute from their arguments.
Stateful ones keep the audit in a database (``--db``, SQLite file by default; any SQLAlchemy
URL works): ``start`` draws round 1, ``sample`` writes the retrieval list, ``record`` stores
interpretations and closes rounds, ``status`` and ``report`` show the risk, ``verify``
recomputes everything and checks the record for edits.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ballotproof.audit import alpha as alpha_mod
from ballotproof.audit import bravo, macro, minerva, supersimple
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.process import (
    BLANK,
    AuditSpec,
    Check,
    Method,
    batch_first_round,
    first_round_size,
    verify_published,
)
from ballotproof.audit.sampler import Ballot, Draw, draw_sample, retrieval_list
from ballotproof.cli.app import app, emit_json, err, handle_errors, out
from ballotproof.errors import BallotproofError, InputError
from ballotproof.io.csvread import parse_int, read_rows
from ballotproof.io.manifest import load_manifest
from ballotproof.store import open_store

audit_app = typer.Typer(
    name="audit",
    help="Risk-limiting audits: plan sizes, draw samples, record ballots, measure risk, verify.",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
TallyOpt = Annotated[str, typer.Option(help='Reported votes, e.g. "A=600,B=400".')]
BallotsOpt = Annotated[int, typer.Option(help="Ballots cast in the contest (N).")]
RiskOpt = Annotated[float, typer.Option("--risk-limit", help="Risk limit α, e.g. 0.10.")]
WinnersOpt = Annotated[int, typer.Option(help="Number of winners (vote for n).")]
DbOpt = Annotated[Path, typer.Option("--db", help="Audit database (SQLite file or URL).")]
NameOpt = Annotated[str, typer.Option("--audit", help="The audit's name.")]

POLLING = ("bravo", "minerva", "alpha-polling")
COMPARISON = ("supersimple", "alpha-comparison", "macro")
PROBABILITIES = (0.7, 0.8, 0.9)


def _parse_counts(text: str, option: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name or not value.strip().isdigit():
            raise InputError(
                field=option, expected='name=count pairs such as "A=600,B=400"', got=part
            )
        if name in counts:
            raise InputError("a name appears twice", field=option, got=name)
        counts[name] = int(value)
    if not counts:
        raise InputError(field=option, expected='name=count pairs such as "A=600,B=400"', got=text)
    return counts


def _contest(tally: str, ballots: int, winners: int, name: str = "contest") -> AuditContest:
    return AuditContest(name, _parse_counts(tally, "tally"), ballots, winners)


def _check_alpha(risk_limit: float) -> None:
    if not 0.0 < risk_limit < 1.0:
        raise typer.BadParameter(
            "the risk limit must lie strictly between 0 and 1", param_hint="--risk-limit"
        )


def _discrepancies(text: str | None) -> supersimple.Discrepancies:
    if not text:
        return supersimple.Discrepancies()
    d = _parse_counts(text, "discrepancies")
    unknown = set(d) - {"o1", "o2", "u1", "u2"}
    if unknown:
        raise InputError(
            field="discrepancies", expected="o1, o2, u1 and u2", got=",".join(sorted(unknown))
        )
    return supersimple.Discrepancies(**d)


def _sizes(plan: Any) -> dict[str, int | None]:
    return {f"{round(s.probability * 100)}%": s.n for s in plan.sizes}


def _plan_method(
    method: str,
    c: AuditContest,
    risk_limit: float,
    disc: supersimple.Discrepancies,
    reps: int,
    sampled: int | None = None,
    batch_tallies: dict[str, Any] | None = None,
    batch_ballots: dict[str, int] | None = None,
) -> dict[str, Any]:
    if method == "bravo":
        asn = bravo.bravo_asn(c, alpha=risk_limit)
        plan = bravo.bravo_sample_sizes(c, alpha=risk_limit, probabilities=PROBABILITIES)
        return {
            "kind": "ballot polling",
            "asn": asn.asn,
            "sizes": _sizes(plan),
            "decision": plan.decision.value,
            "source": "Lindeman, Stark & Yates 2012 (BRAVO)",
        }
    if method == "minerva":
        mplan = minerva.minerva_sample_sizes(c, alpha=risk_limit, probabilities=PROBABILITIES)
        return {
            "kind": "ballot polling",
            "sizes": _sizes(mplan),
            "decision": mplan.decision.value,
            "source": "Zagórski et al. 2021 (Minerva), first round",
        }
    if method == "alpha-polling":
        pair = (
            c.pairs()[0]
            if len(c.pairs()) == 1
            else min(c.pairs(), key=lambda p: c.tally[p.winner] - c.tally[p.loser])
        )
        values, counts = alpha_mod.polling_population(c, pair)
        eta0 = (
            c.tally[pair.winner] + 0.5 * (c.ballots - c.tally[pair.winner] - c.tally[pair.loser])
        ) / c.ballots
        sizes = {}
        for p in PROBABILITIES:
            r = alpha_mod.sample_size(
                values, counts, alpha=risk_limit, eta0=eta0, stop_probability=p, reps=reps, seed=1
            )
            sizes[f"{round(p * 100)}%"] = r.n
        return {
            "kind": "ballot polling",
            "sizes": sizes,
            "closest_pair": str(pair),
            "eta0": round(eta0, 6),
            "reps": reps,
            "replacement": False,
            "source": "Stark 2023 (ALPHA), simulated, sampling without replacement",
        }
    if method == "supersimple":
        none = supersimple.sample_size(c, alpha=risk_limit)
        planned = supersimple.planned_sample_size(c, alpha=risk_limit)
        out_: dict[str, Any] = {
            "kind": "ballot comparison",
            "diluted_margin": c.diluted_margin(),
            "no_errors": none.n,
            "customary_rates": planned.n,
            "source": "Stark 2010 (super-simple), γ = 1.03905; customary rates 0.1% one-vote "
            "and 0.01% two-vote over- and understatements",
        }
        if disc.total:
            # Stark's rule: discrepancies continue at the rate seen in the planned sample.
            seen_in = sampled or planned.n or 1
            out_["with_observed"] = supersimple.escalated_sample_size(
                c, alpha=risk_limit, sampled=seen_in, observed=disc
            ).n
            out_["observed_in_sample_of"] = seen_in
            out_["nmin_with_observed"] = supersimple.sample_size(
                c, alpha=risk_limit, observed=disc
            ).n
            out_["discrepancies"] = {"o1": disc.o1, "o2": disc.o2, "u1": disc.u1, "u2": disc.u2}
        return out_
    if method == "macro":
        if batch_tallies is None or batch_ballots is None:
            return {
                "kind": "batch comparison",
                "applicable": False,
                "reason": "needs the reported batch tallies and the ballot manifest "
                "(--batch-tallies FILE --manifest FILE)",
            }
        batches = [
            macro.Batch(name, batch_ballots[name], dict(t)) for name, t in batch_tallies.items()
        ]
        size = macro.sample_size(c, batches, alpha=risk_limit)
        padded = macro.sample_size(c, batches, alpha=risk_limit, pad=1)
        return {
            "kind": "batch comparison",
            "applicable": True,
            "batches": size.K,
            "total_error_bound": float(size.U),
            "no_errors": size.n,
            "padded": padded.n,
            "decision": size.decision.value,
            "source": "Stark 2008/2009 (MACRO), PPEB sampling with replacement; 'padded' "
            "adds the one-batch cushion existing tools add",
        }
    if method == "alpha-comparison":
        pair = min(c.pairs(), key=lambda p: c.tally[p.winner] - c.tally[p.loser])
        values, counts = alpha_mod.comparison_population(c, pair)
        u = max(values)
        sizes = {}
        for p in PROBABILITIES:
            r = alpha_mod.sample_size(
                values,
                counts,
                alpha=risk_limit,
                eta0=0.9 * u,
                u=u,
                stop_probability=p,
                reps=reps,
                seed=1,
            )
            sizes[f"{round(p * 100)}%"] = r.n
        return {
            "kind": "ballot comparison",
            "sizes": sizes,
            "closest_pair": str(pair),
            "reps": reps,
            "source": "Stark 2023 (ALPHA) with SHANGRLA comparison "
            "assorters (Stark 2020), no discrepancies, simulated",
        }
    raise typer.BadParameter(
        f"unknown method {method!r}; one of " + ", ".join(POLLING + COMPARISON),
        param_hint="--method",
    )


@audit_app.command()
@handle_errors
def plan(
    tally: TallyOpt,
    ballots: BallotsOpt,
    risk_limit: RiskOpt = 0.1,
    winners: WinnersOpt = 1,
    method: Annotated[str | None, typer.Option(help="One method only.")] = None,
    discrepancies: Annotated[
        str | None, typer.Option(help="Comparison: seen so far, e.g. o1=1,o2=0,u1=0,u2=0.")
    ] = None,
    sampled: Annotated[
        int | None,
        typer.Option(
            help="Comparison: ballots in which --discrepancies were found "
            "(default: the planned size)."
        ),
    ] = None,
    reps: Annotated[int, typer.Option(help="Simulations for ALPHA sizes.")] = 400,
    batch_tallies: Annotated[
        Path | None, typer.Option(help="MACRO: reported batch tallies (Batch Name + choices).")
    ] = None,
    manifest: Annotated[
        Path | None, typer.Option(help="MACRO: the ballot manifest (ballots per batch).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sample sizes for every applicable method (or one), as a table or JSON."""
    _check_alpha(risk_limit)
    tallies: dict[str, Any] | None = None
    batch_ballots: dict[str, int] | None = None
    if batch_tallies is not None:
        if manifest is None:
            raise typer.BadParameter(
                "MACRO needs --manifest with --batch-tallies", param_hint="--manifest"
            )
        from ballotproof.io.batch_tallies import load_batch_tallies

        m = load_manifest(manifest)
        tallies = load_batch_tallies(batch_tallies, manifest=m)
        batch_ballots = {b.name: b.ballots for b in m.batches}
    c = _contest(tally, ballots, winners)
    disc = _discrepancies(discrepancies)
    methods = [method] if method else list(POLLING + COMPARISON)
    doc: dict[str, Any] = {
        "contest": {
            "tally": dict(c.tally),
            "ballots": c.ballots,
            "winners": c.winners,
            "reported_winners": list(c.reported_winners),
            "diluted_margin": c.diluted_margin(),
            "tied": c.tied,
        },
        "risk_limit": risk_limit,
        "methods": {
            m: _plan_method(m, c, risk_limit, disc, reps, sampled, tallies, batch_ballots)
            for m in methods
        },
    }
    if c.tied:
        doc["decision"] = Decision.FULL_HAND_COUNT.value
    if as_json:
        emit_json(doc)
        return
    table = Table(
        title=f"Sample sizes at risk limit {risk_limit:g} (N = {c.ballots:,})", title_justify="left"
    )
    for col in ("Method", "Kind", "ASN / no errors", "70%", "80%", "90%", "Note"):
        table.add_column(col)
    for m, r in doc["methods"].items():
        sizes = r.get("sizes", {})
        first = r.get("asn", r.get("no_errors", ""))
        note = r.get("reason", "")
        if r.get("applicable") and "padded" in r:
            note = (
                f"{r['batches']} batches, U = {r['total_error_bound']:.3f}; padded: {r['padded']}"
            )
        if "customary_rates" in r:
            note = f"customary rates: {r['customary_rates']}"
            if "with_observed" in r:
                note += f"; with observed: {r['with_observed']}"
        table.add_row(
            m, r["kind"], _fmt(first), *(_fmt(sizes.get(k)) for k in ("70%", "80%", "90%")), note
        )
    out.print(table)
    if c.tied:
        out.print("[bold]The reported result is a tie: only a full hand count can decide it.[/]")
    else:
        big = [
            m
            for m, r in doc["methods"].items()
            if any((v or 0) >= c.ballots for v in r.get("sizes", {}).values())
        ]
        if big:
            out.print(
                f"Sizes reaching all {c.ballots:,} ballots ({', '.join(big)}): a full hand count."
            )


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


@audit_app.command()
@handle_errors
def risk(
    method: Annotated[str, typer.Option(help="bravo, minerva or supersimple.")],
    tally: TallyOpt,
    ballots: BallotsOpt,
    risk_limit: RiskOpt = 0.1,
    winners: WinnersOpt = 1,
    sample: Annotated[
        str | None,
        typer.Option(
            help='Polling: sampled votes, e.g. "A=72,B=47"; Minerva: rounds separated '
            'by ";" (cumulative).'
        ),
    ] = None,
    sample_size: Annotated[int | None, typer.Option(help="Comparison: ballots sampled.")] = None,
    discrepancies: Annotated[
        str | None, typer.Option(help="Comparison: o1=…,o2=…,u1=…,u2=… found in the sample.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The risk (p-value) of a sample, per winner–loser pair, and whether the audit may stop."""
    _check_alpha(risk_limit)
    c = _contest(tally, ballots, winners)
    if method == "bravo":
        if not sample:
            raise typer.BadParameter("give --sample", param_hint="--sample")
        b = bravo.bravo_risk(c, _parse_counts(sample, "sample"), alpha=risk_limit)
        pairs = {str(p.pair): p.risk for p in b.pairs}
        value, decision = b.risk, b.decision
    elif method == "minerva":
        if not sample:
            raise typer.BadParameter("give --sample", param_hint="--sample")
        rounds = [_parse_counts(part, "sample") for part in sample.split(";") if part.strip()]
        m = minerva.minerva_risk(c, rounds, alpha=risk_limit)
        pairs = {str(p.pair): p.risk for p in m.pairs}
        value, decision = m.risk, m.decision
    elif method == "supersimple":
        if sample_size is None:
            raise typer.BadParameter("give --sample-size", param_hint="--sample-size")
        d = _discrepancies(discrepancies)
        s = supersimple.risk_from_counts(c, sample_size, d, alpha=risk_limit)
        pairs = {"closest pair": s.p_value}
        value, decision = s.p_value, s.decision
    else:
        raise typer.BadParameter("bravo, minerva or supersimple", param_hint="--method")
    doc = {
        "method": method,
        "risk_limit": risk_limit,
        "tally": dict(c.tally),
        "ballots": c.ballots,
        "pairs": pairs,
        "risk": value,
        "decision": decision.value,
        "may_stop": decision is Decision.CONFIRM,
    }
    if as_json:
        emit_json(doc)
        return
    for pair, pair_risk in pairs.items():
        out.print(f"{pair}: risk {pair_risk:.4g}")
    out.print(f"risk {value:.4g} against α = {risk_limit:g}: [bold]{decision.value}[/]")


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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    method: Annotated[str, typer.Option(help="bravo, minerva or supersimple.")] = "bravo",
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
    """Start an audit (ballot polling, or ballot comparison with --cvrs) and draw round 1."""
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
    """Hand counts of drawn batches (``Batch Name`` + one column per choice), checked."""
    from ballotproof.audit.process import batch_reading
    from ballotproof.store.repository import batch_id

    choices = list(current.spec.contest.tally)
    drawn = {d.ballot.batch for d in current.draws}
    rows = []
    for row in read_rows(file, ("Batch Name", *choices), allow_prefix=""):
        name = row.require("Batch Name")
        if not any(row.get(c) for c in choices):
            continue  # not counted yet
        if name not in drawn:
            raise row.error("Batch Name", f"a batch drawn in audit {current.spec.name!r}", name)
        tally = {c: parse_int(row, c) for c in choices}
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


def _status_doc(stored: Any) -> dict[str, Any]:
    return {
        "audit": stored.spec.name,
        "contest": stored.spec.contest.name,
        "method": stored.spec.method.value,
        "risk_limit": stored.spec.risk_limit,
        "seed": stored.spec.seed,
        "rounds": [
            {
                "round": i + 1,
                "size": size,
                "missing": len(stored.missing(i + 1)),
                "result": r.to_json() if r else None,
            }
            for i, (size, r) in enumerate(zip(stored.round_sizes, stored.results, strict=True))
        ],
        "decision": stored.decision.value if stored.decision else None,
        "journal_head": stored.journal_head,
    }


def _print_status(doc: dict[str, Any]) -> None:
    table = Table(
        title=f"Audit {doc['audit']} ({doc['method']}, α = {doc['risk_limit']:g})",
        title_justify="left",
    )
    for col in ("Round", "Size", "Missing", "Risk", "Decision"):
        table.add_column(col)
    for r in doc["rounds"]:
        res = r["result"]
        table.add_row(
            str(r["round"]),
            f"{r['size']:,}",
            str(r["missing"]),
            f"{res['risk']:.4g}" if res else "",
            res["decision"] if res else "open",
        )
    out.print(table)
    out.print(f"journal head: {doc['journal_head']}")


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
def verify(
    db: Annotated[Path | None, typer.Option("--db", help="Audit database.")] = None,
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
    """Recompute the sample and the risk, and check the record for edits; exit 1 on failure."""
    if published is not None:
        checks = _verify_published(published, expect_head)
        name = published.name
    elif db is not None and audit:
        checks = open_store(db, create=False).verify(audit, expected_head=expect_head)
        name = audit
    else:
        raise typer.BadParameter(
            "give --db and --audit, or --published DIR", param_hint="--published"
        )
    ok = all(c.ok for c in checks)
    if as_json:
        emit_json(
            {
                "audit": name,
                "ok": ok,
                "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
            }
        )
    else:
        for c in checks:
            mark = "[green]ok[/]  " if c.ok else "[red]FAIL[/]"
            out.print(f"{mark} {c.name}: {c.detail}")
        out.print("[bold]verified[/]" if ok else "[bold red]verification failed[/]")
    if not ok:
        raise typer.Exit(1)


EXPORT_FILES = ("audit.json", "manifest.csv", "interpretations.csv", "draws.csv", "journal.jsonl")


@audit_app.command()
@handle_errors
def export(
    db: DbOpt,
    audit: NameOpt,
    output: Annotated[Path, typer.Option("--out", help="Folder to write the published files.")],
) -> None:
    """Write what an audit publishes: spec and results, manifest, draws, interpretations."""
    from ballotproof.store.repository import cvr_digest, spec_to_json

    stored = open_store(db, create=False).load(audit)
    output.mkdir(parents=True, exist_ok=True)
    batches = stored.batches
    columns = [
        ("Jurisdiction", "jurisdiction"),
        ("Container", "container"),
        ("Tabulator", "tabulator"),
    ]
    present = [(h, a) for h, a in columns if all(getattr(b, a) is not None for b in batches)]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([h for h, _ in present] + ["Batch Name", "Number of Ballots"])
    for b in batches:
        w.writerow([getattr(b, a) for _, a in present] + [b.name, b.ballots])
    manifest_text = buf.getvalue()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Ballot ID", "Version", "Interpretation", "Correction", "Recorded At", "Note"])
    for bid, version, choice, correction, note, at in stored.history:
        w.writerow([bid, version, choice, str(correction).lower(), at, note])
    interp_text = buf.getvalue()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Order", "Round", "Ticket", "Ballot ID", "Generation"])
    for d in stored.draws:
        w.writerow([d.seq, d.round, d.ticket, d.ballot_id, d.generation])
    draws_text = buf.getvalue()
    cvr_text = None
    if stored.cvrs:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["Ballot ID", "CVR"])
        for bid, choice in sorted(stored.cvrs.items()):
            w.writerow([bid, choice])
        cvr_text = buf.getvalue()
    doc = {
        "spec": spec_to_json(stored.spec),
        "round_sizes": list(stored.round_sizes),
        "results": [r.to_json() for r in stored.results if r is not None],
        "journal_head": stored.journal_head,
        "manifest_source": stored.manifest_source,
        "manifest_sha256": hashlib.sha256(manifest_text.encode()).hexdigest(),
        "cvrs_sha256": cvr_digest(stored.cvrs) if stored.cvrs else None,
    }
    texts = {
        "audit.json": json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
        "manifest.csv": manifest_text,
        "interpretations.csv": interp_text,
        "draws.csv": draws_text,
        "journal.jsonl": "".join(
            json.dumps(
                {"seq": q, "kind": k, "payload": p, "prev_hash": ph, "hash": h}, ensure_ascii=False
            )
            + "\n"
            for q, k, p, ph, h in open_store(db, create=False).journal(audit)
        ),
    }
    if cvr_text is not None:
        texts["cvrs.csv"] = cvr_text
    if stored.reported:
        choices = list(stored.spec.contest.tally)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["Batch Name", *choices])
        for b in stored.batches:
            w.writerow([b.name, *(stored.reported[b.name].get(c, 0) for c in choices)])
        texts["reported_batch_tallies.csv"] = buf.getvalue()
    for name, text in texts.items():  # all written, then renamed: never half a bundle
        (output / f".{name}.tmp").write_text(text, encoding="utf-8")
    for name in texts:
        (output / f".{name}.tmp").replace(output / name)
    err.print(f"wrote {', '.join(texts)} to {output}")


def _journal_checks(
    path: Path, doc: dict[str, Any], batches: Any, expect_head: str | None
) -> list[Check]:
    """Replay the published journal: its chain, its head, and what it says was recorded."""
    from ballotproof.store.repository import GENESIS, batches_digest, chain_hash

    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc.msg}", path=str(path), line=number) from exc
    prev, broken = GENESIS, None
    for e in entries:
        if e["prev_hash"] != prev or chain_hash(prev, e["kind"], e["payload"]) != e["hash"]:
            broken = e["seq"]
            break
        prev = e["hash"]
    checks = [
        Check(
            "journal hash chain",
            broken is None,
            "intact" if broken is None else f"broken at entry {broken}",
        )
    ]
    head = entries[-1]["hash"] if entries else GENESIS
    checks.append(
        Check(
            "journal head matches audit.json", head == doc["journal_head"], f"journal {head[:16]}…"
        )
    )
    if expect_head is not None:
        checks.append(
            Check(
                "journal head matches the published hash",
                head == expect_head,
                f"journal {head}, published {expect_head}",
            )
        )
    payloads = [(e["kind"], json.loads(e["payload"])) for e in entries]
    started = next((p for k, p in payloads if k == "audit_started"), None)
    checks.append(
        Check(
            "specification matches the journal",
            started is not None and started["spec"] == doc["spec"],
            "seed, contest, risk limit and method as first journalled",
        )
    )
    checks.append(
        Check(
            "manifest matches the journal",
            started is not None and started.get("batches_sha256") == batches_digest(batches),
            f"{len(batches)} batches hashed",
        )
    )
    checks.append(
        Check(
            "round sizes match the journal",
            [p["size"] for k, p in payloads if k == "round_opened"] == doc["round_sizes"],
            f"sizes {doc['round_sizes']}",
        )
    )
    checks.append(
        Check(
            "round results match the journal",
            [p["result"] for k, p in payloads if k == "round_closed"] == doc["results"],
            f"{len(doc['results'])} result(s)",
        )
    )
    return checks


def _verify_batch_bundle(
    folder: Path,
    spec: AuditSpec,
    manifest: Any,
    doc: dict[str, Any],
    latest: dict[str, tuple[int, str]],
    claimed_draws: list[tuple[int, str, str]],
) -> list[Check]:
    """A batch-comparison bundle: redraw the PPEB sample and recompute the risk."""
    from ballotproof.audit.process import evaluate_batches
    from ballotproof.io.batch_tallies import load_batch_tallies
    from ballotproof.store.repository import ppeb_draws

    path = folder / "reported_batch_tallies.csv"
    if not path.is_file():
        raise InputError(
            "file not found: a batch-comparison audit publishes its reported batch tallies",
            path=str(path),
        )
    reported = load_batch_tallies(path, manifest=manifest)
    batches = [macro.Batch(b.name, b.ballots, dict(reported[b.name])) for b in manifest.batches]
    total = doc["round_sizes"][-1] if doc["round_sizes"] else 0
    draws = ppeb_draws(spec, manifest.batches, batches, total, 0)
    checks = [
        Check(
            "published draws match the recomputed ones",
            [(d.order, d.ticket, d.id) for d in draws] == claimed_draws,
            f"{len(draws)} batch draws recomputed (PPEB)",
        )
    ]
    bounds = [0, *doc["round_sizes"]]
    names = [
        [d.ballot.batch for d in draws[bounds[j] : bounds[j + 1]]]
        for j in range(len(doc["results"]))
    ]
    try:
        readings = {
            d.ballot.batch: latest[d.id][1] for r in names for d in draws if d.ballot.batch in r
        }
        recomputed = [r.to_json() for r in evaluate_batches(spec, batches, names, readings)]
        ok, detail = recomputed == doc["results"], f"{len(recomputed)} round(s) recomputed"
    except KeyError as exc:
        ok, detail = False, f"no hand count published for {exc}"
    except BallotproofError as exc:
        ok, detail = False, str(exc)
    checks.append(Check("risk and decisions recomputed from the hand counts", ok, detail))
    return checks


def _journal_interpretations(path: Path) -> list[tuple[str, int, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        if e["kind"] == "interpretation":
            p = json.loads(e["payload"])
            out.append((p["ballot_id"], p["version"], p["choice"]))
    return out


def _verify_published(folder: Path, expect_head: str | None) -> tuple[Check, ...]:
    from ballotproof.store.repository import cvr_digest, spec_from_json

    for name in EXPORT_FILES:
        if not (folder / name).is_file():
            raise InputError(
                "file not found (write the folder with 'audit export')", path=str(folder / name)
            )
    try:
        doc = json.loads((folder / "audit.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg}", path=str(folder / "audit.json"), line=exc.lineno
        ) from exc
    spec = spec_from_json(doc["spec"])
    manifest = load_manifest(folder / "manifest.csv")
    checks = list(_journal_checks(folder / "journal.jsonl", doc, manifest.batches, expect_head))
    published_rows: list[tuple[str, int, str]] = []
    latest: dict[str, tuple[int, str]] = {}
    for row in read_rows(
        folder / "interpretations.csv",
        ("Ballot ID", "Version", "Interpretation"),
        optional=("Correction", "Recorded At", "Note"),
    ):
        bid, version = row.require("Ballot ID"), parse_int(row, "Version", minimum=1)
        published_rows.append((bid, version, row.require("Interpretation")))
        if bid not in latest or latest[bid][0] < version:
            latest[bid] = (version, row.require("Interpretation"))
    checks.append(
        Check(
            "interpretations match the journal",
            sorted(published_rows) == sorted(_journal_interpretations(folder / "journal.jsonl")),
            f"{len(published_rows)} published",
        )
    )
    claimed_draws = [
        (parse_int(r, "Order", minimum=1), r.require("Ticket"), r.require("Ballot ID"))
        for r in read_rows(
            folder / "draws.csv",
            ("Order", "Round", "Ticket", "Ballot ID"),
            optional=("Generation",),
        )
    ]
    if spec.method.is_batch:
        return tuple(
            checks + _verify_batch_bundle(folder, spec, manifest, doc, latest, claimed_draws)
        )
    cvrs: dict[str, str] | None = None
    if spec.method.is_comparison:
        if not (folder / "cvrs.csv").is_file():
            raise InputError(
                "file not found: a comparison audit publishes its cast vote records",
                path=str(folder / "cvrs.csv"),
            )
        cvrs = {
            r.require("Ballot ID"): r.require("CVR")
            for r in read_rows(folder / "cvrs.csv", ("Ballot ID", "CVR"))
        }
        checks.append(
            Check(
                "cast vote records match their published hash",
                cvr_digest(cvrs) == doc.get("cvrs_sha256"),
                f"{len(cvrs)} records",
            )
        )
    checks += verify_published(
        spec,
        manifest.batches,
        doc["round_sizes"],
        {k: v for k, (_, v) in latest.items()},
        doc["results"],
        claimed_draws=claimed_draws,
        cvrs=cvrs,
    )
    return tuple(checks)


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
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(output)
    err.print(f"wrote {output}")


@audit_app.command()
@handle_errors
def georgia(
    county: Annotated[str | None, typer.Option(help="One county (default: statewide).")] = None,
    replay: Annotated[bool, typer.Option(help="Run the audit on the hand-count batches.")] = False,
    db: Annotated[Path, typer.Option("--db", help="Database for --replay.")] = Path(
        "georgia-audit.db"
    ),
    name: Annotated[str | None, typer.Option(help="Audit name for --replay.")] = None,
    method: Annotated[str, typer.Option(help="bravo or minerva (for --replay).")] = "bravo",
    seed: Annotated[str | None, typer.Option(help="Seed (default: Georgia's own).")] = None,
    round_size: Annotated[int | None, typer.Option(help="Round 1 size (default: 90%).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Georgia 2020: sizes at its 10% risk limit, or (--replay) an audit of its hand count."""
    from ballotproof.report.georgia import plan_georgia, replay_georgia

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
