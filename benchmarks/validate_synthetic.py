"""Out-of-sample validation of the election-night engine on synthetic elections.

Draws N synthetic election nights (:mod:`ballotproof.calls.synthetic`: swings, turnout, vote
modes, reporting orders, expected-vote paths and feed glitches, from the shipped 2020 county
results and Georgia's 2020 vote-method counts), runs the engine on each with the constants it
ships with (``Engine(setups, candidates, CallRule(0.995), ModelParams())``, the 51 states'
public recount thresholds from ``setups_for``), and scores the calls against each election's
drawn truth (:mod:`ballotproof.calls.validate`).

Frozen constants: the generator's parameters (``SynthParams``) and the engine's
(``ModelParams``, ``CallRule``, ``UnitParams``) scored here are those of commit
76b9a7b (``FROZEN_COMMIT`` below), committed before any synthetic election was
scored. The JSON records the commit the run was made from.

Election i of a run with seed S uses ``numpy.random.default_rng([S, i])``: a run of N
elections is a prefix of a longer run with the same seed.

Run: .venv/bin/python benchmarks/validate_synthetic.py --elections N --seed S [--json PATH]
     [--minutes M]  (stop drawing after M minutes of wall time; the JSON says how many ran)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ballotproof.calls.engine import Engine
from ballotproof.calls.outstanding import ModelParams
from ballotproof.calls.rule import CallRule
from ballotproof.calls.synthetic import CANDIDATES, SynthParams, draw_election
from ballotproof.calls.units import UnitParams
from ballotproof.calls.validate import Scores
from ballotproof.io.synthetic_inputs import county_baseline, georgia_mode_profiles
from ballotproof.io.us2020 import load_us2020
from ballotproof.usecases.replay import setups_for

FROZEN_COMMIT = "76b9a7b"  # the freeze: constants committed before any scoring
CONFIDENCE = 0.995


def _git_head() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run(n: int, seed: int, minutes: float | None, console: Console) -> dict[str, Any]:
    baseline = county_baseline()
    profiles = georgia_mode_profiles()
    setups = setups_for(load_us2020())
    scores = Scores()
    t_gen = t_eng = t_score = 0.0
    updates = glitches = 0
    start = time.perf_counter()
    with Progress(
        TextColumn("synthetic elections"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=console,
    ) as bar:
        task = bar.add_task("run", total=n, status="")
        for i in range(n):
            if minutes is not None and time.perf_counter() - start > 60.0 * minutes:
                break
            t0 = time.perf_counter()
            el = draw_election(baseline, profiles, np.random.default_rng([seed, i]))
            t1 = time.perf_counter()
            engine = Engine(setups, CANDIDATES, CallRule(CONFIDENCE), ModelParams())
            engine.run(el.updates, track_ec=False, close=True)
            t2 = time.perf_counter()
            scores.add(i, engine, el.truth)
            t3 = time.perf_counter()
            t_gen, t_eng, t_score = t_gen + t1 - t0, t_eng + t2 - t1, t_score + t3 - t2
            updates += len(el.updates)
            glitches += len(el.glitches)
            bar.update(
                task,
                advance=1,
                status=f"loser calls {len(scores.wrong)}, withdrawn {len(scores.withdrawn)}",
            )
    done = scores.elections
    doc = scores.summary()
    doc["run"] = {
        "seed": seed,
        "elections_requested": n,
        "elections_scored": done,
        "minutes_budget": minutes,
        "git_head": _git_head(),
        "frozen_commit": FROZEN_COMMIT,
        "confidence": CONFIDENCE,
        "seconds_per_election": round((t_gen + t_eng + t_score) / done, 3) if done else None,
        "seconds_generate": round(t_gen / done, 3) if done else None,
        "seconds_engine": round(t_eng / done, 3) if done else None,
        "seconds_score": round(t_score / done, 3) if done else None,
        "updates_per_election": round(updates / done, 1) if done else None,
        "glitches_per_election": round(glitches / done, 2) if done else None,
        "synth_params": asdict(SynthParams()),
        "model_params": asdict(ModelParams()),
        "unit_params": asdict(UnitParams()),
        "mode_profiles": len(profiles),
    }
    return doc


def _print(doc: dict[str, Any], console: Console) -> None:
    r = doc["run"]
    console.print(
        f"[bold]{doc['elections']} synthetic elections[/bold] (seed {r['seed']}), "
        f"{doc['state_races']} state races; {r['seconds_per_election']} s per election "
        f"(generate {r['seconds_generate']}, engine {r['seconds_engine']}); "
        f"{r['updates_per_election']} updates and {r['glitches_per_election']} glitches per "
        "election"
    )
    console.print(
        f"calls by the model {doc['model_calls']}, at the end of the feed "
        f"{doc['end_of_feed_calls']}, uncalled {doc['uncalled']}"
    )
    console.print(
        f"[bold]calls for the loser {doc['calls_for_loser']}[/bold]; withdrawn "
        f"{doc['withdrawn']} ({doc['withdrawn_per_1000_races']} per 1,000 races); near misses "
        f"(lowest P after call < {doc['near_miss_threshold']}) {doc['near_misses']}"
    )
    for key in ("lowest_p_after_model_call", "hours_after_close", "hours_vs_clinch"):
        q = doc[key]
        if q:
            console.print(
                f"{key}: min {q['min']:.4g}, p10 {q['p10']:.4g}, median {q['median']:.4g}, "
                f"p90 {q['p90']:.4g}, max {q['max']:.4g}"
            )
    t = Table(title="Calibration of P(current leader wins), moments while vote remained")
    for col in ("band", "n", "mean predicted", "observed", "gap (points)"):
        t.add_column(col, justify="right")
    for b in doc["calibration"]:
        if b["n"]:
            t.add_row(
                f"{b['low']:g}–{b['high']:g}",
                f"{b['n']:,}",
                f"{b['mean_predicted']:.4f}",
                f"{b['observed']:.4f}",
                f"{b['gap_points']:+.2f}",
            )
    console.print(t)
    t2 = Table(title="Brier score by checkpoint (true share of the final vote counted)")
    for col in ("counted", "n", "Brier"):
        t2.add_column(col, justify="right")
    for c in doc["brier_by_checkpoint"]:
        t2.add_row(
            f"{c['counted_from']:g}–{c['counted_to']:g}",
            f"{c['n']:,}",
            "—" if c["brier"] is None else f"{c['brier']:.5f}",
        )
    console.print(t2)
    console.print(f"Brier overall {doc['brier']}; goals: {doc['goals']}")
    for r_ in doc["near_miss_calls"][:20]:
        console.print(f"near miss: {r_}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--elections", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--minutes", type=float, default=None)
    ap.add_argument("--json", type=Path, default=Path("validate_synthetic.json"))
    args = ap.parse_args()
    console = Console()
    doc = run(args.elections, args.seed, args.minutes, console)
    _print(doc, console)
    args.json.write_text(json.dumps(doc, indent=1, default=str), encoding="utf-8")
    console.print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
