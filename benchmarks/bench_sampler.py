"""Benchmark: ballotproof's sampler against ``consistent_sampler`` on a 5,000,000-ballot manifest.

Run with ``.venv/bin/python benchmarks/bench_sampler.py`` (about six minutes on two cores, nearly
all of it the reference sampler; the 1,000,000-draw run of the reference needs about 2 GB). It
writes a synthetic Arlo manifest (5,000 batches of 1,000 ballots) to a temporary CSV file and,
for each sample size, runs two child processes one after the other, each in a fresh interpreter:

* ``ours``: ``load_manifest`` + ``draw_sample`` (the manifest is read from the CSV) with the
  process pool the ``audit`` commands hand it (``ballotproof.parallel.ProcessPool``: the first
  tickets of a manifest of a million ballots or more are hashed in one part per core, the
  first part in the calling process; ``BALLOTPROOF_WORKERS=1`` turns it off), then reading
  ``sample.draws``, which builds the :class:`~ballotproof.audit.sampler.Draw` and ``Ballot``
  objects from the sample's columns;
* ``oracle``: what Arlo's ``server/audit_math/sampler.py::draw_sample`` does: read the same CSV,
  list every ballot id ``((jurisdiction, tabulator, batch), position)`` and call
  ``consistent_sampler.sampler(ids, seed=…, take=n, with_replacement=…, output="tuple",
  digits=18)`` (Rivest, "Consistent Sampling with Replacement", arXiv:1808.10016, 2018),
  collecting its tuples in a list.

Time: wall-clock seconds of that work (``time.perf_counter``), and its CPU seconds (user + system of
the process and of its ended children, ``getrusage``: ours counts its workers' CPU too), which a
busy shared machine disturbs less; the ``cpu`` ratio is therefore the one that says how much less
work ours does, the wall ratio how much sooner it answers. Ours is timed twice: until
``draw_sample`` returns (``sample``), and until the ``Draw`` objects exist too (``+draws``); the
reference's time includes building its tuples. Writing the draws out for the comparison (and ``str``
of the reference's tuple ids) comes after the clock stops. The ratio is the reference's time over
ours.

Memory: each child reads the peak resident set size of its own process, ``VmHWM`` in
``/proc/self/status``, once after its imports (``base``: interpreter + imports, before any
work) and again after the work (``peak``, which includes ``base``). A
child is a new process image (``exec``), and ``VmHWM`` belongs to that image, so nothing of the
parent's memory is counted. (``ru_maxrss`` of ``getrusage``, used before, is not: Linux carries
the parent's resident size at ``fork`` into the child's ``ru_maxrss`` across ``exec``, so once
the parent held the draws of a large run, every later child reported at least that much.) For
ours, peaks are read after ``draw_sample`` and after ``.draws``.

The draws: each child writes ``ticket<TAB>id<TAB>generation`` lines to a file; the parent
compares the files (same tickets, ids and generations in the same order, and the same number of
ballots), so it never holds a million draws itself. It prints a table and exits with status 1 if
the draws differ or a target is missed: at least 15 times faster than the reference up to
10,000 draws and 10 times beyond (both the ``sample`` and the ``+draws`` time), and a peak under
300 MiB until ``draw_sample`` returns.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = "76592018374650192837"  # 20 dice digits
JURISDICTION = "Synthetic County"
TARGET_MIB = 300.0
MIB = 1024.0  # VmHWM is in KiB


def target_ratio(size: int) -> float:
    """At least 15 times faster up to 10,000 draws, 10 times beyond."""
    return 15.0 if size <= 10_000 else 10.0


def peak_mib() -> float:
    """``VmHWM`` of this process: its own peak resident set size since its ``exec``."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / MIB
    raise RuntimeError("no VmHWM in /proc/self/status (this benchmark needs Linux)")


def write_manifest(path: Path, batches: int, per_batch: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Container", "Tabulator", "Batch Name", "Number of Ballots"])
        for i in range(batches):
            out.writerow([f"Box {i // 50:03d}", f"TAB-{i % 7 + 1}", f"Batch {i:05d}", per_batch])


def write_draws(path: Path, draws: list[tuple[str, str, int]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.writelines(f"{ticket}\t{id_}\t{generation}\n" for ticket, id_, generation in draws)


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (the sampler's worker
    processes are joined before ``draw_sample`` returns)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child_ours(manifest: Path, size: int, with_replacement: bool, out: Path) -> dict[str, object]:
    from ballotproof.audit.sampler import draw_sample
    from ballotproof.io.manifest import load_manifest
    from ballotproof.parallel import ProcessPool

    pool = ProcessPool()  # what `audit start` / `audit sample` hand the sampler
    base = peak_mib()
    wall, cpu = time.perf_counter(), cpu_seconds()
    loaded = load_manifest(manifest, jurisdiction=JURISDICTION)
    sample = draw_sample(loaded.batches, SEED, size, with_replacement=with_replacement, pool=pool)
    sample_wall, sample_cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    sample_peak = peak_mib()
    draws = sample.draws
    draws_wall, draws_cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    draws_peak = peak_mib()
    worker_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    write_draws(out, [(d.ticket, d.id, d.generation) for d in draws])
    return {
        "seconds": sample_wall,
        "cpu": sample_cpu,
        "draws_seconds": draws_wall,
        "draws_cpu": draws_cpu,
        "base_mib": base,
        "peak_mib": sample_peak,
        "draws_peak_mib": draws_peak,
        "ballots": loaded.total_ballots,
        "workers": pool.size,
        "worker_peak_mib": worker_kib / MIB,
    }


def child_oracle(manifest: Path, size: int, with_replacement: bool, out: Path) -> dict[str, object]:
    import consistent_sampler

    base = peak_mib()
    wall, cpu = time.perf_counter(), cpu_seconds()
    with manifest.open(newline="", encoding="utf-8") as f:
        pool = {
            (JURISDICTION, row["Tabulator"], row["Batch Name"]): list(
                range(1, int(row["Number of Ballots"]) + 1)
            )
            for row in csv.DictReader(f)
        }
    ids = [(key, position) for key, positions in pool.items() for position in positions]
    listed = time.perf_counter() - wall
    draws = list(
        consistent_sampler.sampler(
            ids,
            seed=SEED,
            take=size,
            with_replacement=with_replacement,
            output="tuple",
            digits=18,
        )
    )
    seconds, cpu_used = time.perf_counter() - wall, cpu_seconds() - cpu
    peak = peak_mib()
    write_draws(out, [(ticket, str(id_), generation) for ticket, id_, generation in draws])
    return {
        "seconds": seconds,
        "cpu": cpu_used,
        "listing_seconds": listed,
        "base_mib": base,
        "peak_mib": peak,
        "ballots": len(ids),
    }


def run_child(
    which: str, manifest: Path, size: int, with_replacement: bool, out: Path
) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", which, "--manifest", str(manifest)]
    command += ["--size", str(size), "--replacement", "1" if with_replacement else "0"]
    command += ["--out", str(out)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def first_difference(a: Path, b: Path) -> str:
    """Where two draw files part: the first differing line (1-based) and both versions."""
    with a.open(encoding="utf-8") as fa, b.open(encoding="utf-8") as fb:
        for number, (x, y) in enumerate(itertools.zip_longest(fa, fb), start=1):
            if x != y:
                return f"line {number}: ours {x!r}, oracle {y!r}"
    return "no difference"


def num(value: object, spec: str) -> str:
    return format(float(value), spec)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--batches", type=int, default=5_000)
    parser.add_argument("--per-batch", type=int, default=1_000)
    parser.add_argument(
        "--runs",
        default="100:1,10000:1,1000000:1,10000:0",
        help="size:with_replacement pairs, comma separated (default: %(default)s)",
    )
    parser.add_argument("--child", choices=["ours", "oracle"], help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--replacement", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        work = child_ours if args.child == "ours" else child_oracle
        print(json.dumps(work(args.manifest, args.size, bool(args.replacement), args.out)))
        return 0

    runs = [(int(s), r == "1") for s, r in (item.split(":") for item in args.runs.split(","))]
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "manifest.csv"
        write_manifest(manifest, args.batches, args.per_batch)
        ballots = args.batches * args.per_batch
        print(
            f"manifest: {args.batches:,} batches x {args.per_batch:,} = {ballots:,} ballots "
            f"({manifest.stat().st_size / 1e6:.1f} MB CSV); seed {SEED}; "
            f"Python {sys.version.split()[0]}"
        )
        print(
            "time: wall s (cpu s); ours until draw_sample returns | +draws: until the Draw "
            "objects exist\nmemory: VmHWM of each child, MiB (peak includes base = after imports)"
        )
        print(
            f"load: 1-minute load average before ours | before the oracle ({os.cpu_count()} CPUs)"
        )
        header = (
            f"{'draws':>9} {'repl':>4} | {'ours s':>13} {'+draws s':>13} | "
            f"{'oracle s':>14} | {'ratio':>5} {'+draws':>6} {'cpu':>5} | "
            f"{'ours MiB':>8} {'+draws':>6} {'oracle':>6} | {'same':>4} | {'load':>9}"
        )
        print(header)
        print("-" * len(header))
        bases: dict[str, set[int]] = {"ours": set(), "oracle": set()}
        workers: set[int] = set()
        worker_peaks: list[float] = []
        for size, with_replacement in runs:
            ours_file = Path(tmp) / f"ours-{size}-{int(with_replacement)}.tsv"
            ref_file = Path(tmp) / f"oracle-{size}-{int(with_replacement)}.tsv"
            load_ours = os.getloadavg()[0]
            ours = run_child("ours", manifest, size, with_replacement, ours_file)
            load_ref = os.getloadavg()[0]
            ref = run_child("oracle", manifest, size, with_replacement, ref_file)
            bases["ours"].add(round(float(ours["base_mib"])))  # type: ignore[arg-type]
            workers.add(int(ours["workers"]))  # type: ignore[call-overload]
            worker_peaks.append(float(ours["worker_peak_mib"]))  # type: ignore[arg-type]
            bases["oracle"].add(round(float(ref["base_mib"])))  # type: ignore[arg-type]
            same = (
                file_digest(ours_file) == file_digest(ref_file)
                and ours["ballots"] == ref["ballots"] == ballots
            )
            ref_s = float(ref["seconds"])  # type: ignore[arg-type]
            ratio = ref_s / float(ours["seconds"])  # type: ignore[arg-type]
            draws_ratio = ref_s / float(ours["draws_seconds"])  # type: ignore[arg-type]
            cpu_ratio = float(ref["cpu"]) / float(ours["draws_cpu"])  # type: ignore[arg-type]
            print(
                f"{size:>9,} {'yes' if with_replacement else 'no':>4} | "
                f"{num(ours['seconds'], '6.2f')} ({num(ours['cpu'], '5.2f')}) "
                f"{num(ours['draws_seconds'], '6.2f')} ({num(ours['draws_cpu'], '5.2f')}) | "
                f"{num(ref['seconds'], '6.1f')} ({num(ref['cpu'], '6.1f')}) | "
                f"{ratio:>4.1f}x {draws_ratio:>5.1f}x {cpu_ratio:>4.1f}x | "
                f"{num(ours['peak_mib'], '8.0f')} {num(ours['draws_peak_mib'], '6.0f')} "
                f"{num(ref['peak_mib'], '6.0f')} | {'yes' if same else 'NO':>4} | "
                f"{load_ours:>4.2f}|{load_ref:<4.2f}",
                flush=True,
            )
            label = f"{size:,} draws, with_replacement={with_replacement}"
            if not same:
                failures.append(
                    f"{label}: the draws differ, {first_difference(ours_file, ref_file)}"
                )
            least = target_ratio(size)
            if min(ratio, draws_ratio) < least:
                failures.append(
                    f"{label}: only {ratio:.1f}x (+draws {draws_ratio:.1f}x) faster "
                    f"(target {least:.0f}x)"
                )
            if float(ours["peak_mib"]) >= TARGET_MIB:  # type: ignore[arg-type]
                failures.append(
                    f"{label}: peak {num(ours['peak_mib'], '.0f')} MiB ≥ {TARGET_MIB:.0f}"
                )
            ours_file.unlink()
            ref_file.unlink()
        print(
            f"ours ran on {sorted(workers)} process(es) (the first part in its own process); "
            f"its workers' peak RSS at most {max(worker_peaks, default=0):.0f} MiB (getrusage "
            "of the children: an upper bound, it counts what a child inherits at fork)"
        )
        print(
            "base (after imports, before work), MiB: "
            f"ours {'/'.join(map(str, sorted(bases['ours'])))}, "
            f"oracle {'/'.join(map(str, sorted(bases['oracle'])))}; "
            f"this parent's own peak {peak_mib():.0f} MiB (not in any figure above)"
        )
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        print("OK: identical draws; every run meets its speed target and the memory target")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
