"""How long ``audit plan`` takes per method, against Arlo's audit_math for the same methods.

Run: ``.venv/bin/python benchmarks/bench_plan.py`` (``--quick`` skips Minerva's slow cases).

For each contest (Georgia 2020, a 1 % margin of 5M ballots, and three of Arlo's and the
papers' small examples) and each method it times what ``ballotproof audit plan`` computes for
that method (``_plan_method``, the function behind the CLI) and, in the same run, Arlo's
``server/audit_math`` in a separate interpreter: ``bravo.get_sample_size``,
``minerva.get_sample_size`` and ``supersimple.get_sample_sizes`` at a 10 % risk limit.  Times
are in-process medians of repeated calls after a first call (the first call is shown too), so
start-up is left out of the ratio; the whole command (imports included) is timed separately.

Arlo is not part of ballotproof and is never imported here: it runs as a subprocess from its
own virtual environment.  Set it up once (nothing of it is committed):

* ``/work/peers/arlo``: ``server/audit_math`` of votingworks/arlo, an empty
  ``server/__init__.py`` and a ``server/config.py`` holding ``MINERVA_MULTIPLE = 1.5`` (the
  only setting audit_math/minerva.py reads; Arlo's default);
* ``/work/peers/arlo-venv``: Python 3.11 with numpy 1.26, scipy 1.11 (Arlo's pins) and
  ``athena`` at filipzz/athena 9e07d15 (Arlo's Minerva).

Other locations: ``BENCH_ARLO_DIR`` and ``BENCH_ARLO_PYTHON``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.supersimple import Discrepancies
from ballotproof.cli.audit.plan import COMPARISON, POLLING, _plan_method

ROOT = Path(__file__).resolve().parents[1]
ARLO_DIR = Path(os.environ.get("BENCH_ARLO_DIR", "/work/peers/arlo"))
ARLO_PYTHON = Path(os.environ.get("BENCH_ARLO_PYTHON", "/work/peers/arlo-venv/bin/python"))
ALPHA = 0.1

CONTESTS: dict[str, tuple[dict[str, int], int]] = {
    "Georgia 2020": ({"Biden": 2_474_248, "Trump": 2_461_468}, 5_023_513),
    "1% of 5M": ({"A": 2_525_000, "B": 2_475_000}, 5_000_000),
    "60/40 of 100k": ({"A": 60_000, "B": 40_000}, 100_000),
    "600/400 of 1k": ({"A": 600, "B": 400}, 1_000),
    "10000/9000/200": ({"A": 10_000, "B": 9_000, "C": 200}, 20_000),
}
ARLO_METHODS = {"bravo": "bravo", "minerva": "minerva", "supersimple": "supersimple"}
CLI_MAIN = "import sys; from ballotproof.cli.app import main; sys.argv[0] = 'ballotproof'; main()"

# Runs in Arlo's interpreter: calls its public functions and prints JSON (no Arlo code here).
ARLO_SCRIPT = r"""
import json, statistics, sys, time
from server.audit_math import bravo, minerva, supersimple
from server.audit_math.sampler_contest import Contest

contests, methods, budget = json.loads(sys.argv[1])
calls = {
    "bravo": lambda c: bravo.get_sample_size(10, c, None, None),
    "minerva": lambda c: minerva.get_sample_size(10, c, None, None),
    "supersimple": lambda c: supersimple.get_sample_sizes(10, c, None),
}
out = {}
for name, (tally, ballots) in contests.items():
    c = Contest("c", {**tally, "ballots": ballots, "numWinners": 1, "votesAllowed": 1})
    for m in methods:
        t0 = time.perf_counter(); first = calls[m](c); t1 = time.perf_counter()
        times = []
        while not times or (sum(times) < budget and len(times) < 25):
            t = time.perf_counter(); calls[m](c); times.append(time.perf_counter() - t)
        out[f"{name}|{m}"] = {"first": t1 - t0, "median": statistics.median(times),
                              "min": min(times),
                              "result": json.loads(json.dumps(first, default=str))}
print(json.dumps(out))
"""


def _time(call: Callable[[], Any], budget: float) -> tuple[float, float, float, Any]:
    """(first call, median and fastest of repeats within ``budget`` seconds (at most 25),
    first result)."""
    t0 = time.perf_counter()
    result = call()
    first = time.perf_counter() - t0
    times: list[float] = []
    while not times or (sum(times) < budget and len(times) < 25):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return first, statistics.median(times), min(times), result


def _ours(methods: list[str], contests: dict[str, Any], budget: float) -> dict[str, Any]:
    out = {}
    for name, (tally, ballots) in contests.items():
        c = AuditContest(name, tally, ballots)
        for m in methods:
            first, median, fastest, result = _time(
                lambda m=m, c=c: _plan_method(m, c, ALPHA, Discrepancies()), budget
            )
            out[f"{name}|{m}"] = {
                "first": first, "median": median, "min": fastest, "result": result
            }  # fmt: skip
    return out


def _arlo(contests: dict[str, Any], budget: float) -> tuple[dict[str, Any] | None, str]:
    if not (ARLO_PYTHON.exists() and (ARLO_DIR / "server" / "audit_math").is_dir()):
        return None, f"Arlo not set up ({ARLO_DIR}, {ARLO_PYTHON}): see this file's docstring"
    env = {**os.environ, "PYTHONPATH": str(ARLO_DIR)}
    arg = json.dumps([contests, list(ARLO_METHODS), budget])
    done = subprocess.run(
        [str(ARLO_PYTHON), "-c", ARLO_SCRIPT, arg],
        cwd=ARLO_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        return None, "Arlo failed: " + done.stderr.strip().splitlines()[-1]
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


def _wall(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True)
    return time.perf_counter() - t


def _sizes(method: str, result: Any, arlo: bool) -> str:
    if arlo:
        if isinstance(result, dict):
            return "/".join(str(result[k]["size"]) for k in result if k != "asn")
        return str(result)
    if "sizes" in result and method != "alpha-comparison":
        return "/".join(str(v) for v in result["sizes"].values())
    if method == "supersimple":
        return f"{result['no_errors']} ({result['customary_rates']} customary)"
    return str(result.get("no_errors", result.get("reason", "")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="leave out Minerva on Georgia")
    ap.add_argument("--budget", type=float, default=1.0, help="seconds of repeats per case")
    args = ap.parse_args()
    methods = [m for m in POLLING + COMPARISON if m != "macro"]
    contests = dict(CONTESTS)
    ours = _ours([m for m in methods if m != "minerva"], contests, args.budget)
    minerva_contests = {k: v for k, v in contests.items() if not (args.quick and "Georgia" in k)}
    ours.update(_ours(["minerva"], minerva_contests, args.budget))
    arlo, why = _arlo(contests, args.budget)

    print(
        f"risk limit {ALPHA:g}; ms per call: fastest / median of repeats (the machine may be "
        "shared, so the fastest is the fairer comparison); ratio = ours / Arlo, fastest"
    )
    head = f"{'contest':<16} {'method':<17} {'ours':>17} {'Arlo':>17} {'ratio':>6}  sizes"
    print(head)
    print("-" * len(head))
    for name in contests:
        for m in methods:
            key = f"{name}|{m}"
            if key not in ours:
                print(f"{name:<16} {m:<17} {'(skipped)':>17}")
                continue
            o = ours[key]
            line = f"{name:<16} {m:<17} {o['min'] * 1e3:>8.2f} /{o['median'] * 1e3:>7.2f}"
            sizes = "ours " + _sizes(m, o["result"], arlo=False)
            if arlo is not None and m in ARLO_METHODS:
                a = arlo[f"{name}|{m}"]
                ratio = o["min"] / a["min"]
                line += f" {a['min'] * 1e3:>8.2f} /{a['median'] * 1e3:>7.2f} {ratio:>6.1f}"
                sizes += "; Arlo " + _sizes(m, a["result"], arlo=True)
            else:
                line += f" {'—':>17} {'':>6}"
            print(f"{line}  {sizes}")
    total = {
        n: sum(ours[f"{n}|{m}"]["min"] for m in methods if f"{n}|{m}" in ours) for n in contests
    }
    print("all methods, fastest, ms: " + ", ".join(f"{n} {t * 1e3:.1f}" for n, t in total.items()))
    if why:
        print(why)

    # Whole commands, start-up included.
    script = Path(sys.executable).with_name("ballotproof")  # the installed console script
    cli = [str(script)] if script.exists() else [sys.executable, "-c", CLI_MAIN]
    ga = ["audit", "plan", "--tally", "Biden=2474248,Trump=2461468", "--ballots", "5023513"]
    print("\nwall time of whole commands (s), imports included:")
    print(f"  python -c 'import ballotproof.cli.app'       "
          f"{_wall([sys.executable, '-c', 'import ballotproof.cli.app']):6.2f}")  # fmt: skip
    for m in methods:
        if args.quick and m == "minerva":
            continue
        print(f"  audit plan Georgia --method {m:<17} {_wall([*cli, *ga, '--method', m]):6.2f}")
    if not args.quick:
        print(f"  audit plan Georgia (all default methods)     {_wall([*cli, *ga]):6.2f}")
    if arlo is not None:
        env = {**os.environ, "PYTHONPATH": str(ARLO_DIR)}
        one = {"1% of 5M": CONTESTS["1% of 5M"]}
        arg = json.dumps([one, list(ARLO_METHODS), 0.0])
        wall = _wall([str(ARLO_PYTHON), "-c", ARLO_SCRIPT, arg], env=env, cwd=ARLO_DIR)
        print(f"  Arlo, 1% of 5M, its three methods (process)  {wall:6.2f}")
        one_cli = ["audit", "plan", "--tally", "A=2525000,B=2475000", "--ballots", "5000000"]
        for m in ARLO_METHODS:
            wall = _wall([*cli, *one_cli, "--method", m])
            print(f"  audit plan 1% of 5M --method {m:<16} {wall:6.2f}")


if __name__ == "__main__":
    main()
