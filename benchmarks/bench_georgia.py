"""The statewide Georgia replay and its verification: wall time and peak memory of each.

Run with ``.venv/bin/python benchmarks/bench_georgia.py`` (a few minutes). It runs, each as a
child process of its own, exactly what a user would type::

    ballotproof audit georgia --replay --db DB          (BRAVO, ~2.17 million draws)
    ballotproof audit verify --db DB --audit ga2020-statewide-bravo

in a fresh SQLite file (``--db`` to choose it; it is deleted first unless ``--keep``; a
``postgresql+psycopg://`` URL names a database that must exist and hold no such audit), and
prints each one's wall time, CPU time and peak resident memory (see :func:`measure`), the
machine's load average before and after it, and whether it meets its target (audit-engine
issue): the replay in ≤ 60 s and ≤ 1 GiB, the verification in ≤ 30 s and ≤ 1 GiB. Exits 1 if
a target is missed. There is no peer to compare with: Arlo audits Georgia as a web service
with its own database, which does not run here (``bench_sampler.py`` compares the sampler,
the part of the work both share, with the ``consistent_sampler`` Arlo calls).
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


# The command, run so that the child writes its own VmHWM (its peak resident set size, of
# this process image only) to a file as it exits, whatever the exit status.
_CHILD = """\
import atexit, sys
_out = sys.argv.pop(1)
def _peak():
    with open("/proc/self/status") as f, open(_out, "w") as out:
        out.write(next(l for l in f if l.startswith("VmHWM:")).split()[1])
atexit.register(_peak)
sys.argv[0] = "ballotproof"
from ballotproof.cli.app import main
main()
"""


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
    """Run ``ballotproof args``: wall and CPU seconds, peak RSS in bytes, exit code and the
    output's last lines (CPU time tells what the wall time would be on a machine with nothing
    else running).

    The peak is the child's own ``VmHWM`` as it exits (:data:`_CHILD`): that process image
    alone. (Neither ``RUSAGE_CHILDREN``, a running maximum over all children, nor a child's
    ``ru_maxrss``, which Linux starts from the parent's resident size at the fork, is that.)
    ``VmHWM`` read every 50 ms while it runs is the fallback if the child wrote nothing."""
    with tempfile.TemporaryFile("w+") as log, tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "vmhwm"
        t0 = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(peak_file), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        polled = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            polled = max(polled, _hwm(child.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        child.returncode = code = os.waitstatus_to_exitcode(status)
        text = peak_file.read_text() if peak_file.exists() else ""
        peak = int(text) * 1024 if text.strip() else polled
        log.seek(0)
        tail = log.read().splitlines()[-8:]
    return wall, usage.ru_utime + usage.ru_stime, peak, code, "\n".join(tail)


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/bench-georgia.db")
    parser.add_argument("--keep", action="store_true", help="keep an existing --db file")
    parser.add_argument("--skip-replay", action="store_true", help="only verify --db")
    parser.add_argument("--audit", default="ga2020-statewide-bravo", help="audit to verify")
    args = parser.parse_args()
    name = args.audit
    if not args.skip_replay and "://" not in args.db and not args.keep:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(args.db + suffix).unlink(missing_ok=True)
    runs = []
    if not args.skip_replay:
        runs.append(("replay", ["audit", "georgia", "--replay", "--db", args.db]))
    runs.append(("verify", ["audit", "verify", "--db", args.db, "--audit", name]))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; load: 1/5/15-minute averages")
    print(
        f"{'step':<8} {'wall (s)':>9} {'CPU (s)':>8} {'peak RSS (MiB)':>15} {'exit':>5}   "
        f"{'load before':>15} {'load after':>15}   target"
    )
    failed = False
    for step, command in runs:
        before = _load()
        wall, cpu, peak, code, tail = measure(command)
        after = _load()
        limit_s, limit_b = TARGETS[step]
        met = code == 0 and wall <= limit_s and peak <= limit_b
        failed = failed or not met
        print(
            f"{step:<8} {wall:>9.1f} {cpu:>8.1f} {peak / 2**20:>15.0f} {code:>5}   "
            f"{before:>15} {after:>15}   "
            f"≤ {limit_s:.0f} s, ≤ {limit_b / 2**20:.0f} MiB: {'met' if met else 'NOT met'}",
            flush=True,
        )
        if code != 0:
            print(tail)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
