"""Scoring a replay: wrong calls, timing against the decision desks, calibration.

* **Wrong call** — a call for a candidate who did not win the state in the certified result.
  (A call that would have had to be withdrawn is reported separately by the engine.)
* **Timing** — our call time minus the Associated Press's, in hours (negative: earlier).
* **Calibration** — over every state-moment (each update of each state), the model's
  P(current leader wins) against whether that leader won, in bins: a reliability table
  (Murphy & Winkler 1977, "Reliability of subjective probability forecasts of precipitation and
  temperature", Applied Statistics 26(1)) and the Brier score (Brier 1950, Monthly Weather
  Review 78(1)). State-moments of one state are strongly dependent, so the table describes
  the replay; it is not an independent-sample test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: a desk's call record must not pull in the engine (numpy)
    from ballotproof.calls.engine import Call, Moment

__all__ = ["CalibrationBin", "RaceCall", "StateScore", "calibration", "score_calls"]

BIN_EDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 1.0)


@dataclass(frozen=True, slots=True)
class RaceCall:
    """A decision desk's call of a state (from the shipped table of 2020 call times)."""

    state: str
    desk: str
    candidate: str
    time: datetime
    precision: str
    source_url: str = ""
    verified: bool = False


@dataclass(frozen=True, slots=True)
class StateScore:
    """One state's call, the AP's, and whether ours was right."""

    state: str
    winner: str | None
    call: Call | None
    ap: RaceCall | None

    @property
    def wrong(self) -> bool:
        """A call for someone other than the result's winner (``winner`` ``None``: no result
        on record yet, as in a replay of partial results, so nothing to be wrong against)."""
        return (
            self.call is not None and self.winner is not None and self.call.candidate != self.winner
        )

    @property
    def hours_vs_ap(self) -> float | None:
        if self.call is None or self.ap is None:
            return None
        return (self.call.time - self.ap.time).total_seconds() / 3600.0


def score_calls(
    calls: Iterable[Call],
    winners: Mapping[str, str | None],
    desk_calls: Iterable[RaceCall],
    *,
    desk: str = "AP",
) -> tuple[StateScore, ...]:
    """Score every state in ``winners`` (states not called get ``call=None``)."""
    by_state = {c.state: c for c in calls}
    ap = {c.state: c for c in desk_calls if c.desk == desk}
    return tuple(StateScore(s, winners[s], by_state.get(s), ap.get(s)) for s in sorted(winners))


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """Moments whose P(leader wins) fell in [low, high)."""

    low: float
    high: float
    n: int
    mean_predicted: float
    observed: float


def calibration(
    moments: Sequence[Moment],
    winners: Mapping[str, str | None],
    edges: Sequence[float] = BIN_EDGES,
) -> tuple[tuple[CalibrationBin, ...], float]:
    """Reliability table and Brier score of P(current leader wins) over all moments."""
    n_in = [0] * (len(edges) - 1)
    p_in = [0.0] * (len(edges) - 1)
    won_in = [0] * (len(edges) - 1)
    brier = 0.0
    n_all = 0
    for m in moments:
        p = m.estimate.p_leader
        won = 1 if winners.get(m.state) == m.estimate.leader else 0
        brier += (p - won) ** 2
        n_all += 1
        for i in range(len(edges) - 1):
            last = i == len(edges) - 2
            if edges[i] <= p < edges[i + 1] or (last and p == edges[-1]):
                n_in[i] += 1
                p_in[i] += p
                won_in[i] += won
                break
    bins = tuple(
        CalibrationBin(edges[i], edges[i + 1], n, (s / n) if n else 0.0, (w / n) if n else 0.0)
        for i, (n, s, w) in enumerate(zip(n_in, p_in, won_in, strict=True))
    )
    return bins, (brier / n_all if n_all else 0.0)
