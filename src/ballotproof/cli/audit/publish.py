"""Checking an audit: ``audit verify`` (the store, or a published bundle) and ``export``."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ballotproof.audit import macro
from ballotproof.audit.process import (
    AuditSpec,
    Check,
    verify_published,
)
from ballotproof.cli.app import emit_json, err, handle_errors, out
from ballotproof.cli.audit import (
    DbOpt,
    JsonOpt,
    NameOpt,
    audit_app,
)
from ballotproof.errors import BallotproofError, InputError
from ballotproof.io.atomic import write_all
from ballotproof.io.csvread import parse_int, read_rows
from ballotproof.io.manifest import load_manifest
from ballotproof.store import open_store


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
    write_all(output, texts)  # all written, then renamed: never half a bundle
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
    from ballotproof.store.repository import canonical, ppeb_draws

    path = folder / "reported_batch_tallies.csv"
    if not path.is_file():
        raise InputError(
            "file not found: a batch-comparison audit publishes its reported batch tallies",
            path=str(path),
        )
    reported = load_batch_tallies(path, manifest=manifest)
    missing = [b.name for b in manifest.batches if b.name not in reported]
    if missing:
        raise InputError(
            "every batch of the manifest needs a reported tally",
            path=str(path),
            field="Batch Name",
            got=missing[0],
        )
    committed = _journal_payloads(folder / "journal.jsonl", "batch_tallies_committed")
    digest = hashlib.sha256(
        canonical(sorted((k, dict(v)) for k, v in reported.items())).encode()
    ).hexdigest()
    checks = [
        Check(
            "reported batch tallies match the journal",
            bool(committed) and committed[0]["sha256"] == digest,
            f"{len(reported)} batches hashed",
        )
    ]
    batches = [macro.Batch(b.name, b.ballots, dict(reported[b.name])) for b in manifest.batches]
    total = doc["round_sizes"][-1] if doc["round_sizes"] else 0
    try:
        draws = ppeb_draws(spec, manifest.batches, batches, total, 0)
    except BallotproofError as exc:
        return [
            *checks,
            Check("published draws match the recomputed ones", False, f"cannot redraw: {exc}"),
        ]
    checks += [
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


def _journal_payloads(path: Path, kind: str) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        if e["kind"] == kind:
            out.append(json.loads(e["payload"]))
    return out


def _journal_interpretations(path: Path) -> list[tuple[str, int, str, bool, str, str]]:
    return [
        (p["ballot_id"], p["version"], p["choice"], p["correction"], p["at"], p["note"])
        for p in _journal_payloads(path, "interpretation")
    ]


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
    published_rows: list[tuple[str, int, str, bool, str, str]] = []
    latest: dict[str, tuple[int, str]] = {}
    for row in read_rows(
        folder / "interpretations.csv",
        ("Ballot ID", "Version", "Interpretation"),
        optional=("Correction", "Recorded At", "Note"),
    ):
        bid, version = row.require("Ballot ID"), parse_int(row, "Version", minimum=1)
        published_rows.append(
            (
                bid,
                version,
                row.require("Interpretation"),
                row.get("Correction").lower() == "true",
                row.get("Recorded At"),
                row.get("Note"),
            )
        )
        if bid not in latest or latest[bid][0] < version:
            latest[bid] = (version, row.require("Interpretation"))
    checks.append(
        Check(
            "interpretations match the journal",
            sorted(published_rows) == sorted(_journal_interpretations(folder / "journal.jsonl")),
            f"{len(published_rows)} published",
        )
    )
    draw_rows = list(
        read_rows(folder / "draws.csv", ("Order", "Round", "Ticket", "Ballot ID", "Generation"))
    )
    claimed_draws = [
        (parse_int(r, "Order", minimum=1), r.require("Ticket"), r.require("Ballot ID"))
        for r in draw_rows
    ]
    bounds = [0, *doc["round_sizes"]]
    expected_round = [
        next(j for j in range(1, len(bounds)) if bounds[j - 1] < k <= bounds[j])
        for k in range(1, bounds[-1] + 1)
    ]
    seen_times: dict[str, int] = {}
    generations = []
    for _, _, bid in claimed_draws:
        seen_times[bid] = seen_times.get(bid, 0) + 1
        generations.append(seen_times[bid])
    checks.append(
        Check(
            "draws' rounds and generations are consistent",
            [parse_int(r, "Round", minimum=1) for r in draw_rows] == expected_round
            and [parse_int(r, "Generation", minimum=1) for r in draw_rows] == generations,
            f"{len(draw_rows)} draws",
        )
    )
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
