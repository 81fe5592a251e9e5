"""Benchmark: ballotproof's sampler against ``consistent_sampler`` on a 5,000,000-ballot manifest.

Run with ``.venv/bin/python benchmarks/bench_sampler.py`` (about two minutes, nearly all of it the
reference sampler). It writes a synthetic Arlo manifest (5,000 batches of 1,000 ballots) to a
temporary CSV file and, for each sample size, runs two child processes one after the other:

* ``ours``: ``load_manifest`` + ``draw_sample`` (the manifest is read from the CSV);
* ``oracle``: what Arlo's ``server/audit_math/sampler.py::draw_sample`` does: read the same CSV,
  list every ballot id ``((jurisdiction, tabulator, batch), position)`` and call
  ``consistent_sampler.sampler(ids, seed=…, take=n, with_replacement=…, output="tuple",
  digits=18)``.

Each child reports its wall time and its peak resident memory (``ru_maxrss``, which includes the
interpreter and its imports; the memory after imports is shown too, so the rest is the work).
The parent checks that both drew the same tickets, ids and generations in the same order, prints
a table with the speed ratio, and exits with status 1 if the draws differ or the targets (10×
faster, peak under 300 MiB) are missed.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = "76592018374650192837"  # 20 dice digits
JURISDICTION = "Synthetic County"
TARGET_RATIO = 10.0
TARGET_MIB = 300.0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_manifest(path: Path, batches: int, per_batch: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Container", "Tabulator", "Batch Name", "Number of Ballots"])
        for i in range(batches):
            out.writerow([f"Box {i // 50:03d}", f"TAB-{i % 7 + 1}", f"Batch {i:05d}", per_batch])


def child_ours(manifest: Path, size: int, with_replacement: bool) -> dict[str, object]:
    from ballotproof.audit.sampler import draw_sample
    from ballotproof.io.manifest import load_manifest

    baseline = _peak_mib()
    start = time.perf_counter()
    loaded = load_manifest(manifest, jurisdiction=JURISDICTION)
    sample = draw_sample(loaded.batches, SEED, size, with_replacement=with_replacement)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "baseline_mib": baseline,
        "peak_mib": _peak_mib(),
        "ballots": loaded.total_ballots,
        "draws": [[d.ticket, d.id, d.generation] for d in sample.draws],
    }


def child_oracle(manifest: Path, size: int, with_replacement: bool) -> dict[str, object]:
    import consistent_sampler

    baseline = _peak_mib()
    start = time.perf_counter()
    with manifest.open(newline="", encoding="utf-8") as f:
        pool = {
            (JURISDICTION, row["Tabulator"], row["Batch Name"]): list(
                range(1, int(row["Number of Ballots"]) + 1)
            )
            for row in csv.DictReader(f)
        }
    ids = [(key, position) for key, positions in pool.items() for position in positions]
    listed = time.perf_counter() - start
    draws = [
        [ticket, str(id_), generation]
        for ticket, id_, generation in consistent_sampler.sampler(
            ids,
            seed=SEED,
            take=size,
            with_replacement=with_replacement,
            output="tuple",
            digits=18,
        )
    ]
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "listing_seconds": listed,
        "baseline_mib": baseline,
        "peak_mib": _peak_mib(),
        "ballots": len(ids),
        "draws": draws,
    }


def run_child(which: str, manifest: Path, size: int, with_replacement: bool) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", which, "--manifest", str(manifest)]
    command += ["--size", str(size), "--replacement", "1" if with_replacement else "0"]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=5_000)
    parser.add_argument("--per-batch", type=int, default=1_000)
    parser.add_argument(
        "--runs",
        default="500:1,5000:1,5000:0",
        help="size:with_replacement pairs, comma separated (default: %(default)s)",
    )
    parser.add_argument("--child", choices=["ours", "oracle"], help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--replacement", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        work = child_ours if args.child == "ours" else child_oracle
        print(json.dumps(work(args.manifest, args.size, bool(args.replacement))))
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
        header = (
            f"{'draws':>6} {'repl':>5} | {'ours s':>7} {'ours MiB':>9} | "
            f"{'oracle s':>9} {'(list s)':>8} {'oracle MiB':>10} | {'ratio':>6} {'same':>5}"
        )
        print(header)
        print("-" * len(header))
        for size, with_replacement in runs:
            ours = run_child("ours", manifest, size, with_replacement)
            ref = run_child("oracle", manifest, size, with_replacement)
            same = ours["draws"] == ref["draws"] and ours["ballots"] == ref["ballots"] == ballots
            ratio = float(ref["seconds"]) / float(ours["seconds"])  # type: ignore[arg-type]
            print(
                f"{size:>6} {'yes' if with_replacement else 'no':>5} | "
                f"{ours['seconds']:>7.2f} {ours['peak_mib']:>9.0f} | "
                f"{ref['seconds']:>9.2f} {ref['listing_seconds']:>8.2f} {ref['peak_mib']:>10.0f} | "
                f"{ratio:>5.1f}x {'yes' if same else 'NO':>5}",
                flush=True,
            )
            label = f"{size} draws, with_replacement={with_replacement}"
            if not same:
                failures.append(f"{label}: the draws differ")
            if ratio < TARGET_RATIO:
                failures.append(f"{label}: only {ratio:.1f}x faster (target {TARGET_RATIO:.0f}x)")
            if float(ours["peak_mib"]) >= TARGET_MIB:  # type: ignore[arg-type]
                failures.append(f"{label}: peak {ours['peak_mib']:.0f} MiB ≥ {TARGET_MIB:.0f}")
        print(
            f"memory after imports, before work: ours {ours['baseline_mib']:.0f} MiB, "
            f"oracle {ref['baseline_mib']:.0f} MiB (both included in the peaks above)"
        )
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        print(
            f"OK: identical draws; every run ≥ {TARGET_RATIO:.0f}x faster, < {TARGET_MIB:.0f} MiB"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
