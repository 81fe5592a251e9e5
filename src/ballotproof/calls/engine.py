"""The election-night engine: consume updates in time order, keep per-state estimates, call.

The engine is fed one :class:`~ballotproof.calls.feed.Update` at a time, as a live feed
would feed it. It refuses an update older than the last one it processed
(:class:`LookAheadError`), so nothing it decides at time t can depend on data after t: its
state after processing the updates up to t is a function of those updates alone (the tests
check that a replay cut at any moment gives the same decisions as the full replay up to it).

Per state it keeps the trusted count, the latest expected-vote estimate, and the batches
(differences between trusted counts) from which the lean of the remaining vote is learnt.

Untrusted updates are logged, never crashed on:

* **reset** — a total of zero (the NYT feed briefly publishes zeros): ignored;
* **backwards** — a total below the trusted total: held back. If the next update is also
  below the trusted total and not below the held one, the source has revised its count and the
  revision is accepted (logged); otherwise the held update is dropped;
* **rounded after exact** — once a state has exact counts (batch file), later rounded counts
  (Edison shares) are used only for their expected-vote estimate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ballotproof.calls.electoral import EcOdds, exact_pmf, odds_from_pmf
from ballotproof.calls.feed import Update
from ballotproof.calls.outstanding import Batch, ModelParams, OutstandingEstimate, estimate
from ballotproof.calls.rule import CallRule, Threshold
from ballotproof.errors import BallotproofError

__all__ = [
    "Call",
    "Engine",
    "EventKind",
    "FeedEvent",
    "LookAheadError",
    "Moment",
    "StateSetup",
]


class LookAheadError(BallotproofError):
    """An update arrived older than one already processed: the feed is out of order."""


class EventKind(StrEnum):
    RESET = "reset"
    BACKWARDS = "backwards"
    REVISION = "revision_accepted"
    DROPPED = "dropped"
    WITHDRAW = "call_would_be_withdrawn"


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """Something the engine noticed and logged."""

    state: str
    time: datetime
    kind: EventKind
    detail: str


@dataclass(frozen=True, slots=True)
class Call:
    """A race call: never withdrawn once made."""

    state: str
    candidate: str
    time: datetime
    probability: float
    margin: int
    counted: int


@dataclass(frozen=True, slots=True)
class Moment:
    """The engine's view of one state right after one update."""

    state: str
    time: datetime
    estimate: OutstandingEstimate
    called: str | None


@dataclass(frozen=True, slots=True)
class StateSetup:
    """What the engine knows of a state before the night: its electoral units and threshold.

    ``units`` lists (unit id, electors) of every elector-bearing unit in the state (Maine and
    Nebraska: the state unit and its districts, which follow the statewide probability, as
    the feeds carry no district returns).
    """

    state: str
    units: tuple[tuple[str, int], ...]
    threshold: Threshold | None


@dataclass
class _Tracker:
    setup: StateSetup
    votes: dict[str, int] = field(default_factory=dict)
    total: int = 0
    exact: bool = False
    held: Update | None = None
    expected_pct: float | None = None
    counted_at_expected: int | None = None
    from_precincts: bool = False
    batches: list[tuple[dict[str, int], int]] = field(default_factory=list)
    call: Call | None = None
    withdraw_logged: bool = False
    last: OutstandingEstimate | None = None


class Engine:
    """Replays or follows a feed of updates for many states.

    Parameters
    ----------
    setups : what is known of each state before the night
    candidates : the two candidates (A, B) whose race is tracked; A is the one whose chance of
        a majority is reported as ``p_a_majority``
    rule : the call rule
    params : the outstanding-vote model's constants
    """

    def __init__(
        self,
        setups: Iterable[StateSetup],
        candidates: tuple[str, str],
        rule: CallRule | None = None,
        params: ModelParams | None = None,
    ) -> None:
        self.candidates = candidates
        self.rule = rule or CallRule()
        self.params = params or ModelParams()
        self._states = {s.state: _Tracker(s) for s in setups}
        self._clock: datetime | None = None
        self.events: list[FeedEvent] = []
        self.calls: list[Call] = []
        self.moments: list[Moment] = []
        self.ec: list[tuple[datetime, EcOdds]] = []
        self._p_a: dict[str, float] = {s: 0.5 for s in self._states}
        self._units = [(st, e) for st, t in self._states.items() for _, e in t.setup.units]

    @property
    def now(self) -> datetime | None:
        return self._clock

    def state_call(self, state: str) -> Call | None:
        return self._states[state].call

    def p_a(self) -> Mapping[str, float]:
        """Current P(candidate A wins) per state."""
        return dict(self._p_a)

    def _log(self, u: Update, kind: EventKind, detail: str) -> None:
        self.events.append(FeedEvent(u.state, u.time, kind, detail))

    def _accept_counts(self, t: _Tracker, u: Update) -> bool:
        """Decide whether ``u``'s counts are trusted; update the tracker if so."""
        if u.is_reset:
            self._log(u, EventKind.RESET, f"line {u.line}: total 0 after {t.total:,}")
            return False
        if t.exact and not u.exact:
            return False  # rounded counts after exact ones: keep the exact ones
        if u.total < t.total:
            if t.held is not None and t.held.total <= u.total:
                self._log(
                    u,
                    EventKind.REVISION,
                    f"line {u.line}: count revised from {t.total:,} to {u.total:,}",
                )
                t.held = None
            else:
                if t.held is not None:
                    self._log(t.held, EventKind.DROPPED, f"line {t.held.line}: not confirmed")
                self._log(
                    u,
                    EventKind.BACKWARDS,
                    f"line {u.line}: total {u.total:,} below {t.total:,}; held back",
                )
                t.held = u
                return False
        elif t.held is not None:
            self._log(t.held, EventKind.DROPPED, f"line {t.held.line}: not confirmed")
            t.held = None
        if t.votes:
            diff = {c: u.votes.get(c, 0) - t.votes.get(c, 0) for c in self.candidates}
            if all(v >= 0 for v in diff.values()) and sum(diff.values()) > 0:
                t.batches.append((diff, u.total))
        t.votes = {c: u.votes.get(c, 0) for c in self.candidates}
        t.total = u.total
        t.exact = t.exact or u.exact
        return True

    def process(self, u: Update) -> Moment | None:
        """Take one update; return the state's new moment (``None`` if nothing changed)."""
        if self._clock is not None and u.time < self._clock:
            raise LookAheadError(
                f"update for {u.state} at {u.time.isoformat()} (line {u.line}) is older than "
                f"{self._clock.isoformat()}: updates must arrive in time order"
            )
        self._clock = u.time
        t = self._states.get(u.state)
        if t is None:
            return None
        if u.expected_pct is not None and u.total > 0:
            t.expected_pct, t.counted_at_expected, t.from_precincts = u.expected_pct, u.total, False
        elif u.precincts_pct is not None and u.total > 0 and t.expected_pct is None:
            t.expected_pct, t.counted_at_expected = u.precincts_pct, u.total
            t.from_precincts = True
        changed = self._accept_counts(t, u)
        if not changed and t.last is None:
            return None
        a, b = self.candidates
        va, vb = t.votes.get(a, 0), t.votes.get(b, 0)
        leader, trailer = (a, b) if va >= vb else (b, a)
        batches = [Batch(d.get(leader, 0), d.get(trailer, 0)) for d, _ in t.batches[-50:]]
        thr = t.setup.threshold
        est = estimate(
            max(va, vb),
            min(va, vb),
            t.total,
            leader=leader,
            trailer=trailer,
            exact=t.exact,
            expected_pct=t.expected_pct,
            counted_at_expected=t.counted_at_expected,
            from_precincts=t.from_precincts,
            batches=batches,
            threshold_pct=thr.pct if thr else None,
            threshold_votes=thr.votes if thr else None,
            params=self.params,
        )
        t.last = est
        self._p_a[u.state] = est.p_leader if leader == a else 1.0 - est.p_leader
        if t.call is None:
            informed = t.total > 0 and est.expected_total is not None
            if informed and self.rule.may_call(est.p_leader, est.p_within):
                t.call = Call(u.state, leader, u.time, est.p_leader, est.margin, t.total)
                self.calls.append(t.call)
        else:
            p_called = est.p_leader if leader == t.call.candidate else 1.0 - est.p_leader
            if self.rule.would_withdraw(p_called) and not t.withdraw_logged:
                self._log(
                    u,
                    EventKind.WITHDRAW,
                    f"P({t.call.candidate}) fell to {p_called:.4f} after the call",
                )
                t.withdraw_logged = True
        moment = Moment(u.state, u.time, est, t.call.candidate if t.call else None)
        self.moments.append(moment)
        return moment

    def electoral_odds(self) -> EcOdds:
        """Exact distribution of A's electors from the current state probabilities."""
        electors = [e for _, e in self._units]
        probs = [self._p_a[s] for s, _ in self._units]
        return odds_from_pmf(exact_pmf(electors, probs))

    def run(self, updates: Iterable[Update], *, track_ec: bool = True) -> None:
        """Process every update; after each, record the Electoral College odds."""
        for u in updates:
            if self.process(u) is not None and track_ec:
                self.ec.append((u.time, self.electoral_odds()))
