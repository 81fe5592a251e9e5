"""Recording one interpretation costs the same in a small audit and in a huge one.

Run with ``.venv/bin/python benchmarks/bench_record.py`` (a few minutes, most of it drawing and
storing the big audit). For each size it starts a BRAVO audit in a fresh SQLite file (or in a
fresh PostgreSQL database with ``--postgres``) whose round 1 has that many draws (manifest:
5,000 batches of 1,000 ballots), then records ballots one at a time, each in its own call of
``AuditStore.record`` as an audit board entering ballots would, and prints the median and the
90th percentile of the wall time per call, and the ratio of the largest audit's median to the
smallest's. Target (audit-engine issue): within 2× between 10,000 and 1,000,000 draws.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import AuditSpec, Method
from ballotproof.audit.sampler import Batch
from ballotproof.store import open_store

BATCHES = tuple(Batch("Synthetic", f"TAB-{i % 7 + 1}", f"Batch {i:05d}", 1000) for i in range(5000))


def run(url: str, draws: int, records: int) -> tuple[float, float, float]:
    store = open_store(url)
    spec = AuditSpec(
        "bench",
        AuditContest("c", {"A": 2_600_000, "B": 2_400_000}, 5_000_000),
        0.1,
        Method.BRAVO,
        "76592018374650192837",
    )
    t0 = time.perf_counter()
    store.start(spec, BATCHES, manifest_source="synthetic", manifest_sha256="0" * 64,
                now="t0", round_size=draws)  # fmt: skip
    setup = time.perf_counter() - t0
    ids = [d.ballot_id for d in store.round_draws("bench", 1)[: records * 2]]
    ids = list(dict.fromkeys(ids))[:records]
    times = []
    for i, bid in enumerate(ids):
        t = time.perf_counter()
        store.record("bench", [(bid, "A", "")], now=f"t{i}")
        times.append(time.perf_counter() - t)
    store.engine.dispose()
    times.sort()
    return setup, statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    medians = []
    print(f"{'draws':>10} {'start (s)':>10} {'record median (ms)':>19} {'p90 (ms)':>9}")
    for n in sizes:
        if args.postgres:
            import uuid

            from sqlalchemy import create_engine, text

            name = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(
                "postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                setup, med, p90 = run(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", n,
                                      args.records)  # fmt: skip
            finally:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                setup, med, p90 = run(str(Path(tmp) / "a.db"), n, args.records)
        medians.append(med)
        print(f"{n:>10,} {setup:>10.1f} {med * 1000:>19.2f} {p90 * 1000:>9.2f}")
    ratio = medians[-1] / medians[0]
    print(f"ratio of medians, {sizes[-1]:,} v {sizes[0]:,} draws: {ratio:.2f} (target ≤ 2)")


if __name__ == "__main__":
    main()
