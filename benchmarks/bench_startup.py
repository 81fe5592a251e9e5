"""Benchmark: start-up of ``ballotproof results --json``, ``margins --json`` and ``flip --json``.

Run with ``nice -n 5 .venv/bin/python benchmarks/bench_startup.py`` (about ten seconds). Each
command runs in a fresh interpreter (``python -m ballotproof.cli.app …``, what the console
script does), five times after one warm-up run that also writes the bytecode caches; the figure is
the median wall-clock time of the five, from ``subprocess.run`` to its return, output discarded.
The baseline is the same measurement of ``python -c pass`` (the interpreter alone), printed
beside each command together with the command's time above it.

Target (issue 11): each command at most 0.25 s wall on the built-in 2020 election. The exit
status is 1 if a command misses it, so that the benchmark can gate; a shared, busy machine can
miss it by noise alone: read the ``over python`` column, which load disturbs less.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

TARGET = 0.25
RUNS = 5
COMMANDS = (["results", "--json"], ["margins", "--json"], ["flip", "--json"])


def wall(args: list[str]) -> float:
    """Median wall-clock seconds of ``python args`` over RUNS runs (after one warm-up)."""
    subprocess.run([sys.executable, *args], check=True, capture_output=True)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    base = wall(["-c", "pass"])
    print(f"python -c pass: {base:.3f} s (median of {RUNS})")
    print(f"{'command':<28} {'wall':>8} {'over python':>12} {'target':>8}  verdict")
    missed = 0
    for command in COMMANDS:
        t = wall(["-m", "ballotproof.cli.app", *command])
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
