"""Benchmark of the election-night engine (issue 3).

Prints:
* updates per second for the whole 2020 replay (both feeds, every state), with the exact
  Electoral College distribution recomputed after every update;
* the national headline after a one-state change: recomputed from all 51 states (51
  convolutions) against the incremental product tree (``IncrementalOdds``), CPU per update;
* three confidence levels (0.99, 0.995, 0.999) scored by one engine per level, as before,
  and in one pass (``Engine(also=...)``), CPU seconds of each and the ratio;
* the time for 1,000,000 correlated Electoral College simulations (ρ = 0.5, 51 states), and
  for the same distribution computed exactly by the Gauss–Hermite mixture.

Run: .venv/bin/python benchmarks/bench_replay.py
"""

from __future__ import annotations

import time

from ballotproof.calls.electoral import (
    IncrementalOdds,
    correlated_pmf,
    majority_chances,
    odds_from_pmf,
    simulate_pmf,
)
from ballotproof.calls.engine import Engine
from ballotproof.calls.rule import CallRule
from ballotproof.io.feeds import load_2020_feed
from ballotproof.io.us2020 import data_dir, load_us2020
from ballotproof.usecases.replay import setups_for

CANDIDATES = ("biden", "trump")


def main() -> None:
    t0 = time.perf_counter()
    updates = load_2020_feed(data_dir())
    t1 = time.perf_counter()
    setups = setups_for(load_us2020())
    engine = Engine(setups, CANDIDATES)
    t2 = time.perf_counter()
    engine.run(updates, track_ec=True)
    t3 = time.perf_counter()
    n = len(updates)
    print(f"feeds loaded: {n:,} updates in {t1 - t0:.2f} s")
    print(
        f"replay with exact EC after each update: {t3 - t2:.2f} s "
        f"= {n / (t3 - t2):,.0f} updates/s ({len(engine.ec):,} EC distributions)"
    )

    probs = {st: p.get("biden", 0.0) for st, p in engine.p_win().items()}
    # one unit per state: its districts (Maine, Nebraska) move with it, as in the engine
    units = [(st.state, sum(e for _, e in st.units)) for st in setups]
    electors = [e for _, e in units]
    p = [min(max(probs[s], 0.02), 0.98) for s, _ in units]  # keep the states in play
    t4 = time.perf_counter()
    pmf = simulate_pmf(electors, p, n=1_000_000, rho=0.5, seed=1)
    t5 = time.perf_counter()
    odds = odds_from_pmf(pmf)
    print(
        f"1,000,000 correlated EC simulations ({len(units)} units, rho=0.5): "
        f"{t5 - t4:.2f} s (P(Biden ≥ 270) = {odds.p_a_majority:.4f})"
    )
    t6 = time.perf_counter()
    exact = odds_from_pmf(correlated_pmf(electors, p, rho=0.5))
    t7 = time.perf_counter()
    print(
        f"the same exactly (Gauss–Hermite, 40 nodes): {(t7 - t6) * 1e3:.1f} ms "
        f"(P(Biden ≥ 270) = {exact.p_a_majority:.4f})"
    )

    # The headline after each of 5,000 one-state changes, both ways (same answers).
    import random

    rng = random.Random(1)
    cands = ("biden", "trump")
    p_now = [{"biden": q, "trump": 1 - q} for q in p]
    changes = [(rng.randrange(len(p_now)), rng.random()) for _ in range(5_000)]
    c0 = time.process_time()
    full = []
    for i, q in changes:
        p_now[i] = {"biden": q, "trump": 1 - q}
        full.append(majority_chances(electors, p_now, cands).p_majority["biden"])
    c1 = time.process_time()
    p_now = [{"biden": q, "trump": 1 - q} for q in p]
    inc = IncrementalOdds(electors, p_now, cands)
    fast = []
    for i, q in changes:
        inc.set(i, {"biden": q, "trump": 1 - q})
        fast.append(inc.odds().p_majority["biden"])
    c2 = time.process_time()
    worst = max(abs(a - b) for a, b in zip(full, fast, strict=True))
    print(
        f"headline after a one-state change: full {1e6 * (c1 - c0) / len(changes):.0f} µs, "
        f"incremental {1e6 * (c2 - c1) / len(changes):.0f} µs CPU "
        f"({(c1 - c0) / (c2 - c1):.1f}x; largest difference {worst:.1e})"
    )

    levels = (0.99, 0.995, 0.999)
    c0 = time.process_time()
    separate = []
    for c in levels:
        e = Engine(setups, CANDIDATES, CallRule(c))
        e.run(updates, track_ec=False, close=True)
        separate.append(e.level(c).calls)
    c1 = time.process_time()
    one = Engine(setups, CANDIDATES, CallRule(0.995), also=[CallRule(0.99), CallRule(0.999)])
    one.run(updates, track_ec=False, close=True)
    c2 = time.process_time()
    same = all(
        [(x.state, x.time) for x in one.level(c).calls] == [(x.state, x.time) for x in calls]
        for c, calls in zip(levels, separate, strict=True)
    )
    print(
        f"three confidence levels: one engine per level {c1 - c0:.2f} s CPU, one pass "
        f"{c2 - c1:.2f} s CPU ({(c1 - c0) / (c2 - c1):.1f}x; same calls: {same})"
    )


if __name__ == "__main__":
    main()
