"""The statewide Georgia replay and its verification: wall time and peak memory of each.

Run with ``.venv/bin/python benchmarks/bench_georgia.py`` (a few minutes). It runs, each as a
child process of its own, exactly what a user would type::

    ballotproof audit georgia --replay --db DB          (BRAVO, ~2.17 million draws)
    ballotproof audit verify --db DB --audit ga2020-statewide-bravo

in a fresh SQLite file (``--db`` to choose it; it is deleted first unless ``--keep``; a
``postgresql+psycopg://`` URL names a database that must exist and hold no such audit), and
prints each one's wall time and peak resident memory (see :func:`measure`), and whether
it meets its target (audit-engine issue): the replay in ≤ 60 s and ≤ 1 GiB, the
verification in ≤ 30 s and ≤ 1 GiB. Exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIB = 1024**3
TARGETS = {"replay": (60.0, GIB), "verify": (30.0, GIB)}


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("ballotproof")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "from ballotproof.cli.app import main; main()"]


def _hwm(pid: int) -> int:
    """VmHWM of a live process, in bytes (0 once it has exited)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def measure(args: list[str]) -> tuple[float, float, int, int, str]:
    """Run ``args``: wall and CPU seconds, peak RSS in bytes, exit code and the output's last
    lines (CPU time tells what the wall time would be on a machine with nothing else running).

    The peak is the larger of the child's own ``ru_maxrss`` from ``wait4`` (this child alone,
    not the running maximum over all children that ``RUSAGE_CHILDREN`` gives; it would
    include this small parent's figure, inherited at the fork before the exec) and its
    ``VmHWM`` read every 50 ms while it runs."""
    with tempfile.TemporaryFile("w+") as log:
        t0 = time.perf_counter()
        child = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        peak = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _hwm(child.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        child.returncode = code = os.waitstatus_to_exitcode(status)
        peak = max(peak, usage.ru_maxrss * 1024)
        log.seek(0)
        tail = log.read().splitlines()[-8:]
    return wall, usage.ru_utime + usage.ru_stime, peak, code, "\n".join(tail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/bench-georgia.db")
    parser.add_argument("--keep", action="store_true", help="keep an existing --db file")
    parser.add_argument("--skip-replay", action="store_true", help="only verify --db")
    parser.add_argument("--audit", default="ga2020-statewide-bravo", help="audit to verify")
    args = parser.parse_args()
    cli = _cli()
    name = args.audit
    if not args.skip_replay and "://" not in args.db and not args.keep:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(args.db + suffix).unlink(missing_ok=True)
    runs = []
    if not args.skip_replay:
        runs.append(("replay", [*cli, "audit", "georgia", "--replay", "--db", args.db]))
    runs.append(("verify", [*cli, "audit", "verify", "--db", args.db, "--audit", name]))
    print(f"{'step':<8} {'wall (s)':>9} {'CPU (s)':>8} {'peak RSS (MiB)':>15} {'exit':>5}   target")
    failed = False
    for step, command in runs:
        wall, cpu, peak, code, tail = measure(command)
        limit_s, limit_b = TARGETS[step]
        met = code == 0 and wall <= limit_s and peak <= limit_b
        failed = failed or not met
        print(
            f"{step:<8} {wall:>9.1f} {cpu:>8.1f} {peak / 2**20:>15.0f} {code:>5}   "
            f"≤ {limit_s:.0f} s, ≤ {limit_b / 2**20:.0f} MiB: {'met' if met else 'NOT met'}"
        )
        if code != 0:
            print(tail)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
