"""ALPHA drawing distinct ballots: the finite-population martingale against SHANGRLA, the same
test in the stored audit's risk and in its planned sizes, the specification's JSON, the
command line, and (slow tier) validity — a wrong outcome confirmed at most α of the time.

Peer numbers: SHANGRLA (github.com/pbstark/SHANGRLA, commit 9d5db92edf1b, package version
0.1.0), ``shangrla/core/NonnegMean.py`` run unmodified: ``NonnegMean(test=alpha_mart,
estim=fixed_alternative_mean | optimal_comparison | shrink_trunc, u, N, t=1/2, eta=…)``,
``.test(x)[0]``, with ``N`` given and with ``N=np.inf``.  Its floating-point path is not ours
(it multiplies ``(x η/m + (u − x)(u − η)/(u − m))/u``), so P-values agree to rounding
(rel 1e-9) and sizes exactly.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ballotproof.audit import alpha as al
from ballotproof.audit import alpha_audit
from ballotproof.audit.contest import AuditContest, Decision
from ballotproof.audit.process import (
    BLANK,
    AuditSpec,
    Method,
    evaluate,
    first_round_size,
    spec_from_json,
    spec_to_json,
)
from ballotproof.cli.app import app
from ballotproof.errors import AnalysisError
from tests.audit.test_stored_methods import TRIALS, _bound
from tests.conftest import TESTDATA

INF = math.inf
P1 = [1, 1, 0, 1, 0.5, 1, 1, 0, 1, 1, 1, 0, 1, 0.5, 1, 1, 0, 1, 1, 1]
P2 = [1, 0, 1, 1, 0, 1, 0.5, 0.5, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1]
V = 0.2
U = 2 / (2 - V)
CLEAN, O1, U1 = 1 / (2 - V), 0.5 / (2 - V), 1.5 / (2 - V)
C1 = [CLEAN] * 10 + [O1] + [CLEAN] * 9
C2 = [CLEAN] * 5 + [0.0] + [CLEAN] * 30 + [U1] + [CLEAN] * 4

# (draws, η0, N, SHANGRLA with N=inf, SHANGRLA with N) — polling, fixed_alternative_mean.
SHANGRLA_POLLING = [
    (P1, 0.6, 100, 0.19015274859045264, 0.12983181409011818),
    (P1, 0.6, 40, 0.19015274859045264, 0.0392526279272715),
    (P2, 0.55, 60, 0.2796992103058355, 0.07873748588904422),
    (P2, 0.55, 1000, 0.2796992103058355, 0.27018251062380777),
]
# (draws, N, SHANGRLA with N=inf, with N) — overstatement assorter, v = 0.2, optimal_comparison.
SHANGRLA_COMPARISON = [
    (C1, 200, 0.24318005852543675, 0.22310462085371144),
    (C1, 50, 0.24318005852543675, 0.15628969897455516),
    (C2, 1000, 0.5905195253857551, 0.5898617279544639),
    (C2, 100, 0.5905195253857551, 0.5837821010635698),
]
# (tally, N, α, SHANGRLA size with N=inf, with N): the first n with p ≤ α when every CVR is
# right (optimal_comparison η, p2 = 1e-5).
SHANGRLA_CLEAN_SIZES = [
    ({"A": 600, "B": 400}, 1000, 0.1, 22, 22),
    ({"A": 60, "B": 40}, 100, 0.1, 22, 20),
    ({"A": 1050, "B": 950}, 2000, 0.05, 119, 115),
    ({"A": 5100, "B": 4900}, 10000, 0.1, 230, 227),
    ({"A": 5100, "B": 4900}, 10000, 0.05, 299, 294),
]
# (α, N, first stop with N=inf, with N) of P2 repeated five times, η0 = 0.55.
SHANGRLA_POLLING_STOPS = [(0.05, 500, 74, 64), (0.05, 200, 74, 55), (0.1, 1000, 56, 55)]


def _polling_p(x: list[float], eta: float, n_pop: int | None) -> float:
    return al.risk(
        x, alpha=0.1, eta0=eta, N=n_pop, d=INF, epsilon=0.0, eta_remaining=n_pop is not None
    ).p_value


@pytest.mark.parametrize(("x", "eta", "n_pop", "with_r", "without_r"), SHANGRLA_POLLING)
def test_polling_p_values_are_shangrlas(
    x: list[float], eta: float, n_pop: int, with_r: float, without_r: float
) -> None:
    assert _polling_p(x, eta, None) == pytest.approx(with_r, rel=1e-9)
    assert _polling_p(x, eta, n_pop) == pytest.approx(without_r, rel=1e-9)
    assert without_r < with_r  # drawing distinct ballots is evidence sooner


@pytest.mark.parametrize(("x", "n_pop", "with_r", "without_r"), SHANGRLA_COMPARISON)
def test_comparison_p_values_are_shangrlas(
    x: list[float], n_pop: int, with_r: float, without_r: float
) -> None:
    eta = al.optimal_comparison_eta(U)
    for n, want in ((None, with_r), (n_pop, without_r)):
        got = al.risk(x, alpha=0.1, eta0=eta, u=U, N=n, d=INF, epsilon=0.0).p_value
        assert got == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize(("tally", "n_pop", "alpha", "with_r", "without_r"), SHANGRLA_CLEAN_SIZES)
def test_clean_comparison_sizes_are_shangrlas(
    tally: dict[str, int], n_pop: int, alpha: float, with_r: int, without_r: int
) -> None:
    c = AuditContest("c", tally, n_pop)
    w = al.comparison_sample_size(c, alpha=alpha, replacement=True)
    wo = al.comparison_sample_size(c, alpha=alpha, replacement=False)
    assert (w.n, wo.n) == (with_r, without_r)
    assert (w.replacement, wo.replacement) == (True, False)


@pytest.mark.parametrize(("alpha", "n_pop", "with_r", "without_r"), SHANGRLA_POLLING_STOPS)
def test_polling_stopping_draws_are_shangrlas(
    alpha: float, n_pop: int, with_r: int, without_r: int
) -> None:
    x = P2 * 5
    for n, want in ((None, with_r), (n_pop, without_r)):
        t = al.alpha_martingale(x, eta0=0.55, N=n, d=INF, epsilon=0.0, eta_remaining=n is not None)
        assert int(np.flatnonzero(1 / t <= alpha)[0]) + 1 == want


def test_shrink_trunc_with_n_is_shangrlas() -> None:
    # shrink_trunc, η = 0.6, d = 100, f = 0, c = (η − 1/2)/2: SHANGRLA 3.8342970754583124e-07
    # with N = inf and 1.5160799844152188e-14 with N = 300.
    x = P2 * 5
    assert al.risk(x, alpha=0.1, eta0=0.6, d=100).p_value == pytest.approx(
        3.8342970754583124e-07, rel=1e-9
    )
    assert al.risk(x, alpha=0.1, eta0=0.6, N=300, d=100).p_value == pytest.approx(
        1.5160799844152188e-14, rel=1e-9
    )


def test_eta_remaining_is_the_alternatives_remaining_mean_by_hand() -> None:
    # N = 10, η0 = 0.6: η_2 = (6 − 1)/9, μ_2 = (5 − 1)/9; η_3 = 4/8, μ_3 = 3/8.
    t = al.alpha_martingale([1, 1, 0], eta0=0.6, N=10, d=INF, eta_remaining=True)
    f2 = (5 / 9 - 4 / 9) / (4 / 9 * 5 / 9) + (4 / 9) / (5 / 9)
    f3 = (1 - 0.5) / (1 - 3 / 8)
    assert t.tolist() == pytest.approx([1.2, 1.2 * f2, 1.2 * f2 * f3], rel=1e-12)
    with pytest.raises(AnalysisError, match="d = inf"):
        al.alpha_martingale([1], eta0=0.6, N=10, d=100, eta_remaining=True)


@pytest.mark.parametrize("replacement", [True, False])
def test_clean_draws_to_confirm_is_the_martingales_first_crossing(replacement: bool) -> None:
    c = AuditContest("c", {"A": 5100, "B": 4900}, 10000)
    v = float(al.assorter_margin(c, c.pairs()[0]))
    u = al.comparison_upper_bound(v)
    eta = al.optimal_comparison_eta(u)
    clean = 1 / (2 - v)
    x = [clean] * 40 + [0.5 / (2 - v)] + [clean] * 20  # one one-vote overstatement
    more = al.clean_draws_to_confirm(
        x, alpha=0.1, eta=eta, u=u, clean=clean, N=10000, replacement=replacement
    )
    assert more is not None and more > 0
    n_pop = None if replacement else 10000
    t = al.alpha_martingale(x + [clean] * more, eta0=eta, u=u, N=n_pop, d=INF, epsilon=0.0)
    assert t[-1] >= 10 and t[-2] < 10


def test_polling_sizes_without_replacement_are_reproducible_and_smaller() -> None:
    c = AuditContest("c", {"A": 600, "B": 400}, 1000)
    a = al.polling_sample_sizes_without_replacement(c, alpha=0.1)
    b = al.polling_sample_sizes_without_replacement(c, alpha=0.1)
    w = al.polling_sample_sizes(c, alpha=0.1)
    assert [s.n for s in a.sizes] == [s.n for s in b.sizes] == [114, 147, 195]
    assert all(x.n < y.n for x, y in zip(a.sizes, w.sizes, strict=True))
    assert a.replacement is False and w.replacement is True
    tie = al.polling_sample_sizes_without_replacement(
        AuditContest("t", {"A": 5, "B": 5}, 10), alpha=0.1
    )
    assert tie.decision is Decision.FULL_HAND_COUNT


def test_polling_sizes_without_replacement_refuse_what_would_take_too_long() -> None:
    # Georgia-like: the simulation would run to millions of draws.
    c = AuditContest("c", {"A": 2_473_633, "B": 2_461_000}, 5_000_000)
    with pytest.raises(AnalysisError, match=r"too long here; the sizes with replacement are"):
        al.polling_sample_sizes_without_replacement(c, alpha=0.1)


def test_the_simulated_size_stops_that_often() -> None:
    """The 90 % size, checked on fresh simulations (other seed) of the reported population."""
    c = AuditContest("c", {"A": 600, "B": 400}, 1000)
    n90 = al.polling_sample_sizes_without_replacement(c, alpha=0.1, probabilities=[0.9]).sizes[0].n
    times = al.stopping_times(
        (0.0, 0.5, 1.0), [400.0, 0.0, 600.0], alpha=0.1, eta0=0.6, replacement=False,
        d=INF, epsilon=0.0, eta_remaining=True, reps=2000, rng=np.random.default_rng(5),
    )  # fmt: skip
    share = float(((times > 0) & (times <= n90)).mean())
    assert share == pytest.approx(0.9, abs=3 * math.sqrt(0.09 / 2000) + 0.01)


# ----------------------------------------------------------------------------- stored audits

CONTEST = AuditContest("c", {"A": 600, "B": 300}, 1000)


def test_the_spec_records_sampling_without_replacement_and_reads_old_specs() -> None:
    spec = AuditSpec("s", CONTEST, 0.1, Method.ALPHA, "1", replacement=False)
    doc = spec_to_json(spec)
    assert doc["replacement"] is False
    back = spec_from_json(json.loads(json.dumps(doc)))
    assert back.replacement is False and spec_to_json(back) == doc
    # Absent: with replacement, and the JSON of such a spec does not change (same hash).
    old = spec_to_json(AuditSpec("s", CONTEST, 0.1, Method.ALPHA, "1"))
    assert "replacement" not in old
    assert spec_from_json(old).replacement is True
    with pytest.raises(AnalysisError, match="true or false"):
        spec_from_json({**doc, "replacement": "no"})


@pytest.mark.parametrize("method", [Method.BRAVO, Method.MINERVA, Method.SUPERSIMPLE, Method.MACRO])
def test_only_alpha_draws_without_replacement(method: Method) -> None:
    with pytest.raises(AnalysisError, match="only alpha and alpha-comparison"):
        AuditSpec("s", CONTEST, 0.1, method, "1", replacement=False)


def test_stored_polling_risk_is_the_finite_population_test() -> None:
    spec = AuditSpec("s", CONTEST, 0.1, Method.ALPHA, "1", replacement=False)
    readings = ["A", "B", BLANK, "A", "not_found", "A", "A"]
    x = [1.0, 0.0, 0.5, 1.0, 0.0, 1.0, 1.0]
    eta0 = (1 + (600 - 300) / 1000) / 2
    result = evaluate(spec, [readings])[0]
    assert result.risk == pytest.approx(_polling_p(x, eta0, 1000), rel=1e-12)
    assert (
        result.risk < evaluate(AuditSpec("s", CONTEST, 0.1, Method.ALPHA, "1"), [readings])[0].risk
    )
    assert (
        first_round_size(spec)
        == al.polling_sample_sizes_without_replacement(CONTEST, alpha=0.1, probabilities=[0.9])
        .sizes[0]
        .n
    )
    assert result.next_size == len(readings) + first_round_size(spec)


def test_stored_comparison_without_replacement_plans_and_measures_alike() -> None:
    c = AuditContest("c", {"A": 60, "B": 40}, 100)
    spec = AuditSpec("s", c, 0.1, Method.ALPHA_COMPARISON, "1", replacement=False)
    n = first_round_size(spec)
    assert n == 20  # SHANGRLA's clean size with N = 100 (with replacement: 22)
    assert first_round_size(AuditSpec("s", c, 0.1, Method.ALPHA_COMPARISON, "1")) == 22
    assert evaluate(spec, [["A"] * n], [["A"] * n])[0].decision is Decision.CONFIRM
    short = evaluate(spec, [["A"] * (n - 1)], [["A"] * (n - 1)])[0]
    assert short.decision is Decision.NEXT_ROUND and short.next_size == n
    # After a two-vote overstatement the next round is what the martingale itself needs.
    worse = evaluate(spec, [["B"] + ["A"] * (n - 1)], [["A"] * n])[0]
    assert worse.decision is Decision.NEXT_ROUND and worse.next_size is not None
    more = worse.next_size - n
    marks_c = [{"A": 1}] * worse.next_size
    marks_m = [{"B": 1}] + [{"A": 1}] * (worse.next_size - 1)
    risks = alpha_audit.comparison_pair_risks(c, marks_c, marks_m, risk_limit=0.1, N=100)
    assert max(risks.values()) <= 0.1
    risks = alpha_audit.comparison_pair_risks(c, marks_c[:-1], marks_m[:-1], risk_limit=0.1, N=100)
    assert max(risks.values()) > 0.1 and more > 1


# ----------------------------------------------------------------------------- command line

runner = CliRunner()


def _cli(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def test_plan_without_replacement_is_what_a_stored_audit_plans() -> None:
    base = ("audit", "plan", "--tally", "A=600,B=300", "--ballots", "1000")
    doc = _cli(*base, "--method", "alpha", "--without-replacement")
    ap = doc["methods"]["alpha-polling"]  # type: ignore[index]
    spec = AuditSpec("s", CONTEST, 0.1, Method.ALPHA, "1", replacement=False)
    assert ap["sizes"]["90%"] == first_round_size(spec)
    assert (ap["replacement"], ap["exact"], ap["reps"]) == (False, False, al.PLAN_REPS)
    doc = _cli(*base, "--method", "alpha-comparison", "--replacement")
    ac = doc["methods"]["alpha-comparison"]  # type: ignore[index]
    spec = AuditSpec("s", CONTEST, 0.1, Method.ALPHA_COMPARISON, "1")
    assert ac["no_errors"] == first_round_size(spec) and ac["replacement"] is True


def test_risk_alpha_from_counts_and_from_the_sequence() -> None:
    base = ("audit", "risk", "--tally", "A=600,B=400", "--ballots", "1000")
    doc = _cli(*base, "--method", "alpha", "--sample", "A=60,B=30")
    assert doc["risk"] == pytest.approx(1 / (1.2**60 * 0.8**30), rel=1e-9)
    assert doc["replacement"] is True and doc["decision"] == "confirm"
    seq = ["A", "A", "B", "A", "blank", "A"]
    doc = _cli(*base, "--method", "alpha", "--sequence", ",".join(seq), "--without-replacement")
    x = [{"A": 1.0, "B": 0.0, "blank": 0.5}[r] for r in seq]
    assert doc["risk"] == pytest.approx(_polling_p(x, 0.6, 1000), rel=1e-12)
    assert doc["replacement"] is False
    result = runner.invoke(
        app, [*base, "--method", "alpha", "--sample", "A=60,B=30", "--without-replacement"]
    )
    assert result.exit_code == 2 and "--sequence" in result.output
    result = runner.invoke(
        app, [*base, "--method", "bravo", "--sample", "A=60,B=30", "--without-replacement"]
    )
    assert result.exit_code == 2


def test_risk_alpha_comparison_with_and_without_replacement() -> None:
    base = ("audit", "risk", "--tally", "A=60,B=40", "--ballots", "100")
    clean = ",".join(["0"] * 20)
    wo = _cli(*base, "--method", "alpha-comparison", "--sequence", clean, "--without-replacement")
    w = _cli(*base, "--method", "alpha-comparison", "--sample-size", "20")
    assert wo["decision"] == "confirm" and w["decision"] == "next_round"  # 20 vs 22 (above)
    seq = _cli(*base, "--method", "alpha-comparison", "--sequence", clean)
    assert seq["risk"] == pytest.approx(w["risk"], rel=1e-12)


def test_stored_audit_without_replacement_end_to_end(tmp_path: Path) -> None:
    """Start, list, record and verify an audit of distinct ballots: no ballot is drawn twice,
    within a round or across rounds, and verify redraws the same distinct ballots."""
    db = str(tmp_path / "a.db")
    _cli(
        "audit", "start", "--db", db, "--name", "m",
        "--manifest", str(TESTDATA / "manifests" / "good_arlo.csv"),
        "--tally", "A=200,B=122", "--ballots", "322", "--seed", "12345678901234567890",
        "--method", "alpha", "--without-replacement",
    )  # fmt: skip
    seen: set[str] = set()
    for number in (1, 2):
        sheet = tmp_path / f"r{number}.csv"
        result = runner.invoke(
            app, ["audit", "sample", "--db", db, "--audit", "m", "--out", str(sheet)]
        )
        assert result.exit_code == 0, result.output
        with sheet.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        ids = {r["Ballot ID"] for r in rows}
        assert all(r["Times Drawn"] == "1" for r in rows) and not ids & seen
        seen |= ids
        for i, r in enumerate(rows):  # a 50-50 sample: the audit goes on, then counts all
            r["Interpretation"] = "A" if i % 2 else "B"
        with sheet.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        status = _cli("audit", "record", str(sheet), "--db", db, "--audit", "m")
    assert status["replacement"] is False
    results = [r["result"] for r in status["rounds"]]  # type: ignore[index]
    assert [r["decision"] for r in results] == ["next_round", "full_hand_count"]
    checks = _cli("audit", "verify", "--db", db, "--audit", "m")["checks"]
    assert all(c["ok"] for c in checks), checks  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- validity


Take = Callable[[int, int], tuple[list[str], list[str] | None]]


def _confirms(spec: AuditSpec, take: Take) -> bool:
    """Run the stored audit's rounds until it stops; ``take(have, target)`` gives the readings
    (and records) of draws ``have + 1 … target``.  Whether it confirmed."""
    rounds: list[list[str]] = []
    cvrs: list[list[str]] = []
    target: int | None = first_round_size(spec)
    while target is not None:
        have = sum(len(r) for r in rounds)
        readings, records = take(have, target)
        rounds.append(readings)
        if records is not None:
            cvrs.append(records)
        last = evaluate(spec, rounds, cvrs if spec.method.is_comparison else None)[-1]
        if last.decision is Decision.CONFIRM:
            return True
        target = last.next_size
    return False


def _polling_trial(spec: AuditSpec, truth: np.ndarray, rng: np.random.Generator) -> bool:
    """One audit drawing distinct ballots (a random order of the true ballots)."""
    order = np.array(["A", "B", BLANK])[truth[rng.permutation(truth.size)]].tolist()
    return _confirms(spec, lambda have, target: (order[have:target], None))


def _comparison_trial(spec: AuditSpec, wrong: int, rng: np.random.Generator) -> bool:
    """CVRs A 1,100, B 900 of 2,000; ``wrong`` A records are B votes on paper; the cards
    drawn without replacement."""
    order = rng.permutation(spec.contest.ballots)

    def take(have: int, target: int) -> tuple[list[str], list[str] | None]:
        idx = order[have:target]
        paper = ["B" if i < wrong or i >= 1100 else "A" for i in idx]
        return paper, ["A" if i < 1100 else "B" for i in idx]

    return _confirms(spec, take)


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_stored_polling_without_replacement_confirms_a_tie_at_most_alpha(alpha: float) -> None:
    # Reported A 1,100 to B 900 of 2,000; in truth 950 each and 100 blank: a tie.
    contest = AuditContest("c", {"A": 1100, "B": 900}, 2000)
    spec = AuditSpec("s", contest, alpha, Method.ALPHA, "1", replacement=False)
    truth = np.array([0] * 950 + [1] * 950 + [2] * 100)
    rng = np.random.default_rng(17 + int(alpha * 100))
    trials = [_polling_trial(spec, truth, rng) for _ in range(TRIALS)]
    assert sum(trials) / TRIALS <= _bound(alpha, TRIALS)


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_stored_comparison_without_replacement_confirms_a_wrong_outcome_at_most_alpha(
    alpha: float,
) -> None:
    # 100 A records are B votes on paper: the paper is a 1,000-1,000 tie.
    contest = AuditContest("c", {"A": 1100, "B": 900}, 2000)
    spec = AuditSpec("s", contest, alpha, Method.ALPHA_COMPARISON, "1", replacement=False)
    rng = np.random.default_rng(19 + int(alpha * 100))
    trials = [_comparison_trial(spec, 100, rng) for _ in range(TRIALS)]
    assert sum(trials) / TRIALS <= _bound(alpha, TRIALS)
