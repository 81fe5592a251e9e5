"""Benchmark: start-up of ``ballotproof results --json``, ``margins --json`` and ``flip --json``.

Run with ``nice -n 5 .venv/bin/python benchmarks/bench_startup.py`` (about ten seconds). Each
command runs in a fresh interpreter through the installed ``ballotproof`` console script (what a
user types), five times after one warm-up run that also writes the bytecode caches; the figure is
the median wall-clock time of the five, from ``subprocess.run`` to its return, output discarded.
The children run with ``PYTHONDONTWRITEBYTECODE`` removed from their environment: some machines
set it, and an interpreter that may not cache bytecode recompiles every module on every start
(a user's installed package has its caches; pip writes them at install).
The baseline is the same measurement of ``python -c pass`` (the interpreter alone), printed
beside each command together with the command's time above it.

Target (issue 11): each command at most 0.25 s wall on the built-in 2020 election. The exit
status is 1 if a command misses it, so that the benchmark can gate; a shared, busy machine can
miss it by noise alone: read the ``over python`` column, which load disturbs less.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 0.25
RUNS = 5
COMMANDS = (["results", "--json"], ["margins", "--json"], ["flip", "--json"])


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def console_script() -> list[str]:
    """The installed ``ballotproof`` entry point beside this interpreter (else its equivalent)."""
    script = Path(sys.executable).parent / "ballotproof"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "import sys; from ballotproof.cli.app import main; main()"]


def wall(argv: list[str]) -> float:
    """Median wall-clock seconds of running ``argv`` over RUNS runs (after one warm-up)."""
    subprocess.run(argv, check=True, capture_output=True, env=ENV)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    base = wall([sys.executable, "-c", "pass"])
    print(f"python -c pass: {base:.3f} s (median of {RUNS})")
    print(f"{'command':<28} {'wall':>8} {'over python':>12} {'target':>8}  verdict")
    missed = 0
    for command in COMMANDS:
        t = wall([*console_script(), *command])
        ok = t <= TARGET
        missed += not ok
        name = "ballotproof " + " ".join(command)
        print(
            f"{name:<28} {t:>7.3f}s {t - base:>11.3f}s {TARGET:>7.2f}s  "
            + ("ok" if ok else "MISSED")
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
