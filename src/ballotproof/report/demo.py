"""The main job: the whole 2020 analysis, written as a report a person can open."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ballotproof.io.load import load_election
from ballotproof.io.nist import write_nist
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
    steps = [
        "load results",
        "Electoral College",
        "tipping point",
        "flip sets",
        "recount rules",
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
        html = render_report(docs)
        step(6)
        out_dir.mkdir(parents=True, exist_ok=True)
        outputs = {
            "report.html": html,
            "results.json": json.dumps(docs, indent=2, ensure_ascii=False) + "\n",
        }
        temps = []
        for name, text in outputs.items():
            tmp = out_dir / f".{name}.tmp"
            tmp.write_text(text, encoding="utf-8")
            temps.append((tmp, out_dir / name))
        nist_tmp = out_dir / ".election.nist.json.tmp"
        write_nist(election, nist_tmp)
        temps.append((nist_tmp, out_dir / "election.nist.json"))
        for tmp, final in temps:
            tmp.replace(final)
        step(7)
    return {
        "headline": headline(docs),
        "report": str(out_dir / "report.html"),
        "results": str(out_dir / "results.json"),
        "nist": str(out_dir / "election.nist.json"),
    }
