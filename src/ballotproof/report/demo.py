"""The main job: the whole 2020 demonstration, written as reports a person can open.

``report.html`` — results, Electoral College, tipping point, flip sets, recounts;
``replay/report.html`` — election night replayed through the calling engine, scored against AP;
``claims/report.html`` — the claims of November 2020 checked against the record;
``history/report.html`` — every presidential election 1976–2020 (how close each was) and the
road from election day 2020 to the electors' vote;
``audit/report.html`` — a risk-limiting audit of Georgia's Fulton County contest, replayed on the
hand-count batches with Georgia's public seed, kept in the embedded SQLite store
(``audit.sqlite``), exported for publication (``audit/published/``) and verified from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ballotproof.io.atomic import write_all, write_atomic
from ballotproof.io.load import load_election
from ballotproof.io.nist import nist_text
from ballotproof.io.recount_rules import load_recount_rules
from ballotproof.report import documents
from ballotproof.report.html import headline, render_report
from ballotproof.results import electoral_college

__all__ = ["run_demo"]


def run_demo(
    out_dir: Path, *, data: Path | None = None, console: Console | None = None
) -> dict[str, Any]:
    """Load, analyse, and write ``report.html``, ``results.json`` and ``election.nist.json``.

    Files are written to temporary names and renamed at the end, so an interrupted run leaves
    no half-written report. Returns a summary (headline and paths).
    """
    console = console or Console(stderr=True)
    builtin = data is None
    steps = [
        "load results",
        "Electoral College",
        "tipping point",
        "flip sets",
        "recount rules",
        "election night",
        "Georgia audit",
        "claims",
        "render report",
        "write files",
    ]
    docs: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(steps[0], total=len(steps))

        def step(i: int) -> None:
            progress.update(task, advance=1, description=steps[min(i, len(steps) - 1)])

        election = load_election(data)
        step(1)
        ec = electoral_college(election)
        docs["results"] = documents.results_doc(election)
        docs["margins"] = documents.margins_doc(election)
        step(2)
        docs["tipping_point"] = documents.tipping_point_doc(election, ec=ec)
        step(3)
        docs["flip"] = documents.flip_doc(election, ec=ec)
        step(4)
        docs["recounts"] = documents.recounts_doc(
            election,
            load_recount_rules(),
            rules_source="ballotproof/data/recount_rules.csv (see RECOUNT_RULES.md)",
        )
        step(5)
        out_dir.mkdir(parents=True, exist_ok=True)
        links: list[tuple[str, str]] = []
        extra: dict[str, Any] = {}
        if builtin:
            extra["replay"] = _replay(out_dir / "replay")
            links.append(("Election night, replayed", "replay/report.html"))
        step(6)
        if builtin:
            extra["audit"] = _audit(out_dir)
            links.append(("Georgia audit, replayed", "audit/report.html"))
        step(7)
        if builtin:
            extra["claims_report"] = _claims(out_dir / "claims")
            links.append(("Claims and the record", "claims/report.html"))
            extra["history_report"] = _history(out_dir / "history")
            links.append(
                ("Elections 1976–2020 and the road to certification", "history/report.html")
            )
        step(8)
        html = render_report(docs, links=links)
        step(9)
        write_all(
            out_dir,
            {
                "report.html": html,
                "results.json": json.dumps(docs, indent=2, ensure_ascii=False) + "\n",
                "election.nist.json": nist_text(election),
            },
        )
        step(10)
    return {
        "headline": headline(docs),
        "report": str(out_dir / "report.html"),
        "results": str(out_dir / "results.json"),
        "nist": str(out_dir / "election.nist.json"),
        **extra,
    }


def _history(folder: Path) -> str:
    """Every built-in election and the 2020 calendar, as pictures and tables."""
    from ballotproof.io.medsl import load_history
    from ballotproof.report.history import history_doc
    from ballotproof.report.history_page import render_history_page
    from ballotproof.report.timeline import timeline_doc

    history, timeline = history_doc(load_history()), timeline_doc()
    folder.mkdir(parents=True, exist_ok=True)
    write_all(
        folder,
        {
            "report.html": render_history_page(history, timeline),
            "history.json": json.dumps(history, indent=2, ensure_ascii=False) + "\n",
            "timeline.json": json.dumps(timeline, indent=2, ensure_ascii=False) + "\n",
        },
    )
    return str(folder / "report.html")


def _replay(folder: Path) -> dict[str, Any]:
    """Election night 2020 at the default confidence (and two others for comparison)."""
    from ballotproof.report.replay import replay_doc, write_replay_report
    from ballotproof.usecases.replay import run_replay

    engines = run_replay(confidences=(0.99, 0.995, 0.999), main=0.995)
    doc = replay_doc(engines, main=0.995)
    folder.mkdir(parents=True, exist_ok=True)
    write_replay_report(engines[0.995], doc, folder / "report.html")
    write_atomic(folder / "replay.json", json.dumps(doc, indent=2) + "\n")
    bt = doc["backtest"]
    return {
        "replay_report": str(folder / "report.html"),
        "wrong_calls": bt["wrong_calls"],
        "uncalled": bt["uncalled"],
        "not_called_by_model": bt["levels"]["0.995"]["not_called_by_model"],
    }


def _claims(folder: Path) -> str:
    """The claims of November 2020 checked against the record: a page and its JSON."""
    from ballotproof.report.claims import claims_2020_doc, render_claims_page

    doc = claims_2020_doc()
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "report.html", render_claims_page(doc, audit_link="../audit/report.html"))
    write_atomic(folder / "claims.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return str(folder / "report.html")


def _audit(out_dir: Path) -> dict[str, Any]:
    """Georgia's Fulton County contest audited on its hand count, stored, published, verified."""
    from datetime import UTC, datetime

    from ballotproof.report.audit import render_audit_report, status_doc
    from ballotproof.store import open_store
    from ballotproof.usecases.bundle import export_bundle
    from ballotproof.usecases.georgia import replay_georgia
    from ballotproof.usecases.verify import verify_bundle

    db = out_dir / "audit.sqlite"
    db.unlink(missing_ok=True)  # the demonstration's own database, made afresh each run
    store = open_store(db)
    name = "ga2020-fulton-bravo"
    stored = replay_georgia(
        store,
        name=name,
        county="FULTON",
        now=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    checks = store.verify(name)
    folder = out_dir / "audit"
    folder.mkdir(parents=True, exist_ok=True)
    # Verified twice: from the store, and from the bundle the office would publish.
    export_bundle(store, name, folder / "bundle")
    published = verify_bundle(folder / "bundle", expected_head=stored.journal_head)
    status = status_doc(stored)
    html = render_audit_report(
        status,
        [c.to_json() for c in checks]
        + [{**c.to_json(), "name": f"published bundle: {c.name}"} for c in published],
    )
    write_atomic(folder / "report.html", html)
    return {
        "audit_report": str(folder / "report.html"),
        "audit_db": str(db),
        "audit_decision": status["decision"],
        "audit_verified": all(c.ok for c in (*checks, *published)),
    }
