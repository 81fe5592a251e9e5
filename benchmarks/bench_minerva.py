"""Minerva first-round sizes: seconds for ``minerva_sample_sizes``, and for peers in the same run.

Run with ``.venv/bin/python benchmarks/bench_minerva.py``.  Contests (α = 10 %, targets 70, 80
and 90 %): Georgia 2020 president (Biden 2,474,248 v Trump 2,461,468 of 5,023,513 ballots),
a 1 % margin (2,525,000 v 2,475,000 of 5,000,000), a 4 % margin (2,600,000 v 2,400,000 of
5,000,000) and 60 % v 40 % of 100,000.  Each is timed ``--repeat`` times in this process
(best kept).

Wall and CPU seconds are both printed: on a shared machine CPU time is the steadier.

Peers, if ``--peer-python`` names a Python that has them (a separate venv: they are not
dependencies of this project), each run once in a subprocess, timed inside it (imports
excluded):

* Arlo's Minerva planner: ``athena.audit.Audit("minerva", α)`` with the contest added as
  Arlo's ``make_athena_audit`` adds it, then ``find_next_round_size([0.7, 0.8, 0.9])`` (what
  Arlo's ``server/audit_math/minerva.get_sample_size`` calls; athena v0.8.3 at the commit Arlo
  pins).  For margins under 1.5 % athena returns its normal approximation, not an exact size.
* r2b2's ``Minerva(α, 1.0, contest).next_sample_size(q)`` for each target.

A peer that takes longer than ``--peer-timeout`` seconds is reported as such.  Sizes are
printed next to ours: Arlo's are relevant ballots scaled like ours only when every ballot is
relevant, so they are a sanity check, not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.minerva import minerva_sample_sizes

CONTESTS = {
    "Georgia 2020": ({"Biden": 2474248, "Trump": 2461468}, 5023513),
    "1% margin, 5M": ({"w": 2525000, "l": 2475000}, 5000000),
    "4% margin, 5M": ({"w": 2600000, "l": 2400000}, 5000000),
    "60/40, 100k": ({"w": 60000, "l": 40000}, 100000),
}
TARGETS = (0.7, 0.8, 0.9)

PEER = r"""
import json, sys, time
which, tally, ballots, alpha = json.loads(sys.argv[1])
w = max(tally, key=tally.get)
if which == "arlo":
    from athena.audit import Audit
    t, c = time.perf_counter(), time.process_time()
    audit = Audit("minerva", alpha)
    audit.add_election({"name": "ArloElection", "total_ballots": ballots, "contests": {"c1": {
        "contest_ballots": ballots, "tally": tally, "num_winners": 1,
        "reported_winners": [w], "contest_type": "PLURALITY"}}})
    audit.load_contest("c1")
    sizes = audit.find_next_round_size([0.7, 0.8, 0.9])["future_round_sizes"]
else:
    from r2b2.contest import Contest, ContestType
    from r2b2.minerva import Minerva
    t, c = time.perf_counter(), time.process_time()
    m = Minerva(alpha, 1.0, Contest(ballots, tally, 1, [w], ContestType.PLURALITY))
    sizes = [m.next_sample_size(q) for q in (0.7, 0.8, 0.9)]
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": time.process_time() - c,
                  "sizes": [int(s) for s in sizes]}))
"""


def _ours(tally: dict[str, int], ballots: int, repeat: int) -> tuple[float, float, list[int]]:
    """(best wall seconds, best CPU seconds, sizes)."""
    contest = AuditContest("bench", tally, ballots)
    best, best_cpu, sizes = float("inf"), float("inf"), []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = minerva_sample_sizes(contest, alpha=0.1, probabilities=TARGETS)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        sizes = [s.n for s in result.sizes]
    return best, best_cpu, sizes


def _peer(
    python: Path, which: str, tally: dict[str, int], ballots: int, timeout: float
) -> tuple[float | None, float | None, list[int] | None, str]:
    try:
        done = subprocess.run(
            [str(python), "-c", PEER, json.dumps([which, tally, ballots, 0.1])],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, None, None, f"> {timeout:.0f} s (stopped)"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return None, None, None, f"failed: {last[:60]}"
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return float(out["seconds"]), float(out["cpu"]), [int(s) for s in out["sizes"]], ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--peer-python",
        type=Path,
        default=Path("/work/peers/r2b2-venv/bin/python"),
        help="a Python with athena and r2b2 installed (skipped if missing)",
    )
    parser.add_argument("--peer-timeout", type=float, default=300.0)
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    peers = not args.no_peers and args.peer_python.exists()
    for name, (tally, ballots) in CONTESTS.items():
        seconds, cpu, sizes = _ours(tally, ballots, args.repeat)
        print(f"{name}: ballotproof {seconds:.3f} s ({cpu:.3f} s CPU), sizes {sizes}")
        if not peers:
            continue
        for which, label in (("arlo", "Arlo (athena)"), ("r2b2", "r2b2")):
            peer_s, peer_cpu, peer_sizes, note = _peer(
                args.peer_python, which, tally, ballots, args.peer_timeout
            )
            if peer_s is None or peer_cpu is None:
                print(f"  {label}: {note}")
                continue
            print(
                f"  {label}: {peer_s:.3f} s ({peer_cpu:.3f} s CPU), sizes {peer_sizes}; "
                f"ours / theirs = {seconds / peer_s:.2f} ({cpu / max(peer_cpu, 1e-9):.2f} CPU)"
            )
    if not peers:
        print("(peers skipped: no --peer-python with athena and r2b2)")


if __name__ == "__main__":
    main()
