"""Scoring engine runs against the truth of synthetic elections (out-of-sample validation).

The truth comes from :class:`~ballotproof.calls.synthetic.StateTruth` (drawn county votes),
never from the updates the engine read. For every state race:

* **call for the loser** — a call (by the model or at the end of the feed) for the candidate
  who did not win the drawn result;
* **withdrawn** — a call whose candidate's chance later fell below 1/2: the engine logs
  :attr:`~ballotproof.calls.engine.EventKind.WITHDRAW` (see :mod:`ballotproof.calls.rule`);
* **lowest chance after the call** — :meth:`Engine.lowest_after_call`; a **near miss** is a
  model call whose lowest chance afterwards fell below ``near_miss`` (default 0.9);
* **timing** — synthetic elections have no decision desks, so a call's time is reported in
  hours after the state's poll close and against the *clinch*: the first update after which
  the winner led by more than all the two-party vote still uncounted (a desk could not be
  wrong after it; a probabilistic call may come before it);
* **calibration** — over every state-moment *while vote remained* (counted < the true final
  total; the moments of the complete count are certain and left out), P(current leader wins)
  against whether that leader won, in the bins of :data:`ballotproof.calls.backtest.BIN_EDGES`
  (a reliability table, Murphy & Winkler 1977), and the Brier score (Brier 1950) overall and
  by *checkpoint*, the true share of the final vote counted at that moment. Moments of one
  state are strongly dependent: the table describes the sample, it is not an
  independent-sample test.

Pure: the engine's results and the truth in, numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ballotproof.calls.backtest import BIN_EDGES
from ballotproof.calls.engine import CallBasis, Engine, EventKind
from ballotproof.calls.synthetic import StateTruth

__all__ = ["CHECKPOINTS", "NEAR_MISS", "RaceResult", "Scores"]

CHECKPOINTS = (0.0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0)
NEAR_MISS = 0.9


@dataclass(frozen=True, slots=True)
class RaceResult:
    """One state race of one synthetic election, scored."""

    election: int
    state: str
    winner: str
    margin_pct: float
    called: str | None
    basis: str | None
    call_time: datetime | None
    wrong: bool
    withdrawn: bool
    lowest_p_after_call: float | None
    hours_after_close: float | None
    hours_vs_clinch: float | None
    counted_share_at_call: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "election": self.election,
            "state": self.state,
            "winner": self.winner,
            "margin_pct": round(self.margin_pct, 3),
            "called": self.called,
            "basis": self.basis,
            "call_time": None if self.call_time is None else self.call_time.isoformat(),
            "wrong": self.wrong,
            "withdrawn": self.withdrawn,
            "lowest_p_after_call": None
            if self.lowest_p_after_call is None
            else round(self.lowest_p_after_call, 6),
            "hours_after_close": None
            if self.hours_after_close is None
            else round(self.hours_after_close, 3),
            "hours_vs_clinch": None
            if self.hours_vs_clinch is None
            else round(self.hours_vs_clinch, 3),
            "counted_share_at_call": None
            if self.counted_share_at_call is None
            else round(self.counted_share_at_call, 4),
        }


def _bin(p: float, edges: tuple[float, ...]) -> int:
    for i in range(len(edges) - 1):
        if edges[i] <= p < edges[i + 1]:
            return i
    return len(edges) - 2


def _quantiles(xs: list[float]) -> dict[str, float] | None:
    if not xs:
        return None
    s = sorted(xs)

    def q(f: float) -> float:
        return s[min(int(f * (len(s) - 1) + 0.5), len(s) - 1)]

    return {
        "n": float(len(s)),
        "min": s[0],
        "p10": q(0.1),
        "median": q(0.5),
        "p90": q(0.9),
        "max": s[-1],
    }


@dataclass
class Scores:
    """Scores accumulated over synthetic elections (:meth:`add` one engine run at a time)."""

    near_miss: float = NEAR_MISS
    edges: tuple[float, ...] = BIN_EDGES
    checkpoints: tuple[float, ...] = CHECKPOINTS
    elections: int = 0
    races: list[RaceResult] = field(default_factory=list)
    _cal_n: list[int] = field(default_factory=list)
    _cal_p: list[float] = field(default_factory=list)
    _cal_won: list[int] = field(default_factory=list)
    _cp_n: list[int] = field(default_factory=list)
    _cp_sq: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        nb, nc = len(self.edges) - 1, len(self.checkpoints) - 1
        self._cal_n, self._cal_p, self._cal_won = [0] * nb, [0.0] * nb, [0] * nb
        self._cp_n, self._cp_sq = [0] * nc, [0.0] * nc

    def add(
        self, election: int, engine: Engine, truth: Mapping[str, StateTruth]
    ) -> list[RaceResult]:
        """Score one engine run (after ``run(..., close=True)``) against its election's truth."""
        self.elections += 1
        withdrawn = {e.state for e in engine.events if e.kind is EventKind.WITHDRAW}
        calls = {c.state: c for c in engine.calls}
        out: list[RaceResult] = []
        for st in sorted(truth):
            tr = truth[st]
            c = calls.get(st)
            clinch = tr.clinched
            out.append(
                RaceResult(
                    election,
                    st,
                    tr.winner,
                    tr.margin_pct,
                    None if c is None else c.candidate,
                    None if c is None else c.basis.value,
                    None if c is None else c.time,
                    c is not None and c.candidate != tr.winner,
                    st in withdrawn,
                    engine.lowest_after_call(st) if c is not None else None,
                    None if c is None else (c.time - tr.poll_close).total_seconds() / 3600.0,
                    None
                    if c is None or clinch is None
                    else (c.time - clinch).total_seconds() / 3600.0,
                    None if c is None else c.counted / tr.total,
                )
            )
        for m in engine.moments:
            mt = truth.get(m.state)
            if mt is None or m.estimate.counted >= mt.total:
                continue
            p = m.estimate.p_leader
            won = 1 if m.estimate.leader == mt.winner else 0
            i = _bin(p, self.edges)
            self._cal_n[i] += 1
            self._cal_p[i] += p
            self._cal_won[i] += won
            j = _bin(m.estimate.counted / mt.total, self.checkpoints)
            self._cp_n[j] += 1
            self._cp_sq[j] += (p - won) ** 2
        self.races.extend(out)
        return out

    @property
    def wrong(self) -> list[RaceResult]:
        return [r for r in self.races if r.wrong]

    @property
    def withdrawn(self) -> list[RaceResult]:
        return [r for r in self.races if r.withdrawn]

    @property
    def near_misses(self) -> list[RaceResult]:
        return [
            r
            for r in self.races
            if r.basis == CallBasis.MODEL.value
            and r.lowest_p_after_call is not None
            and r.lowest_p_after_call < self.near_miss
        ]

    def calibration(self) -> list[dict[str, Any]]:
        """Per bin: n, mean predicted, observed, and observed − predicted in points."""
        rows = []
        for i, n in enumerate(self._cal_n):
            mean_p = self._cal_p[i] / n if n else math.nan
            obs = self._cal_won[i] / n if n else math.nan
            rows.append(
                {
                    "low": self.edges[i],
                    "high": self.edges[i + 1],
                    "n": n,
                    "mean_predicted": None if not n else round(mean_p, 4),
                    "observed": None if not n else round(obs, 4),
                    "gap_points": None if not n else round(100.0 * (obs - mean_p), 2),
                }
            )
        return rows

    def brier(self) -> float:
        n = sum(self._cp_n)
        return sum(self._cp_sq) / n if n else math.nan

    def brier_by_checkpoint(self) -> list[dict[str, Any]]:
        return [
            {
                "counted_from": self.checkpoints[i],
                "counted_to": self.checkpoints[i + 1],
                "n": n,
                "brier": None if not n else round(self._cp_sq[i] / n, 6),
            }
            for i, n in enumerate(self._cp_n)
        ]

    def summary(self, *, band_min: int = 100, band_tolerance: float = 5.0) -> dict[str, Any]:
        """The scores as a JSON-ready document, with the issue's goals checked."""
        races = len(self.races)
        model = [r for r in self.races if r.basis == CallBasis.MODEL.value]
        end = [r for r in self.races if r.basis == CallBasis.END_OF_FEED.value]
        lows = [r.lowest_p_after_call for r in model if r.lowest_p_after_call is not None]
        cal = self.calibration()
        bands = [b for b in cal if b["n"] >= band_min]
        worst = max((abs(b["gap_points"]) for b in bands), default=0.0)
        per_1000 = 1000.0 * len(self.withdrawn) / races if races else math.nan
        return {
            "elections": self.elections,
            "state_races": races,
            "model_calls": len(model),
            "end_of_feed_calls": len(end),
            "uncalled": races - len(model) - len(end),
            "calls_for_loser": len(self.wrong),
            "calls_for_loser_by_model": sum(1 for r in self.wrong if r.basis == "model"),
            "withdrawn": len(self.withdrawn),
            "withdrawn_per_1000_races": round(per_1000, 3),
            "near_miss_threshold": self.near_miss,
            "near_misses": len(self.near_misses),
            "lowest_p_after_model_call": _quantiles(lows),
            "hours_after_close": _quantiles(
                [r.hours_after_close for r in model if r.hours_after_close is not None]
            ),
            "hours_vs_clinch": _quantiles(
                [r.hours_vs_clinch for r in model if r.hours_vs_clinch is not None]
            ),
            "counted_share_at_call": _quantiles(
                [r.counted_share_at_call for r in model if r.counted_share_at_call is not None]
            ),
            "calibration": cal,
            "brier": round(self.brier(), 6),
            "brier_by_checkpoint": self.brier_by_checkpoint(),
            "goals": {
                "no_call_for_loser": len(self.wrong) == 0,
                "withdrawn_at_most_1_per_1000": per_1000 <= 1.0,
                "at_least_1000_elections": self.elections >= 1000,
                "calibration_bands_checked": len(bands),
                "calibration_worst_gap_points": worst,
                "calibration_within_5_points": worst <= band_tolerance,
            },
            "wrong_calls": [r.as_dict() for r in self.wrong],
            "withdrawn_calls": [r.as_dict() for r in self.withdrawn],
            "near_miss_calls": [
                r.as_dict()
                for r in sorted(self.near_misses, key=lambda r: r.lowest_p_after_call or 0.0)
            ],
        }
