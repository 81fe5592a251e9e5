"""Simulated ballot-by-ballot BRAVO audits per second, 1 % margin, 5,000,000 ballots.

Run with ``.venv/bin/python benchmarks/bench_polling.py``.  The contest is 2,525,000 to
2,475,000 (α = 10 %); 10,000 audits are simulated with replacement, vectorised across audits
(see :mod:`ballotproof.audit.polling_sim`).  Prints the audits per second and, as a check,
the median and 99th percentile of the ballots drawn next to Table 1 of Lindeman, Stark & Yates
(2012) for a 1 % margin (32,547 and 214,491 ballots).
"""

from __future__ import annotations

import argparse
import time

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.polling_sim import simulate_bravo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    contest = AuditContest(
        "benchmark", {"winner": 2_525_000, "loser": 2_475_000}, ballots=5_000_000
    )
    sim = simulate_bravo(
        contest, alpha=0.1, trials=args.trials, seed=args.seed, clock=time.perf_counter
    )
    print("contest: 2,525,000 v 2,475,000 of 5,000,000 ballots (1 % margin), alpha = 10 %")
    print(f"simulated BRAVO audits: {sim.trials:,} in {sim.seconds:.2f} s")
    print(f"audits per second: {sim.audits_per_second:,.0f}")
    print(
        f"confirmed: {sim.confirm_rate:.4f}; ballots drawn: mean {sim.mean_draws:,.0f}, "
        f"median {sim.quantile(0.5):,} (Table 1: 32,547), "
        f"99th percentile {sim.quantile(0.99):,} (Table 1: 214,491)"
    )


if __name__ == "__main__":
    main()
