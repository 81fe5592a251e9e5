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
* **backwards** — a total, or any candidate's votes, below what the same source said before
  (beyond the rounding of shares): held back. If the next update of that source agrees with the
  held one, the source has revised its count and the revision is accepted (logged); otherwise
  the held update is dropped. Either way no call is made in that state for the next 30
  minutes (``ModelParams.quiet_minutes``): a desk does not call on a feed it cannot trust;
* **several sources** — each source is checked against itself; the count in use is the
  largest trusted total of any source (exact counts preferred on a tie), and the lean of the
  remaining vote is learnt only from one source's own successive counts;
* **expected vote** — an expected total that suddenly drops by more than 2% is held until the
  next estimate confirms it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
class _Source:
    """What one source (Edison series, batch file, …) has told about one state."""

    votes: dict[str, int] = field(default_factory=dict)
    total: int = 0
    held: Update | None = None
    time: datetime | None = None


@dataclass
class _Tracker:
    setup: StateSetup
    sources: dict[str, _Source] = field(default_factory=dict)
    votes: dict[str, int] = field(default_factory=dict)
    total: int = 0
    exact: bool = False
    expected_pct: float | None = None
    counted_at_expected: int | None = None
    from_precincts: bool = False
    held_expected: tuple[Update, float] | None = None
    batches: list[tuple[dict[str, int], frozenset[str]]] = field(default_factory=list)
    call: Call | None = None
    quiet_until: datetime | None = None
    revised: bool = False  # the update being processed revised the count downwards
    min_p_called: float = 1.0
    withdraw_logged: bool = False
    last: OutstandingEstimate | None = None

    @property
    def expected_total(self) -> float | None:
        if self.expected_pct and self.counted_at_expected:
            return self.counted_at_expected / (self.expected_pct / 100.0)
        return None


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
        # Maine's and Nebraska's districts move with their state: one unit per state.
        self._units = [(st, sum(e for _, e in t.setup.units)) for st, t in self._states.items()]

    @property
    def now(self) -> datetime | None:
        return self._clock

    def state_call(self, state: str) -> Call | None:
        return self._states[state].call

    def lowest_after_call(self, state: str) -> float | None:
        """The lowest P(called candidate wins) seen after the call (``None``: not called)."""
        t = self._states[state]
        return None if t.call is None else t.min_p_called

    def p_a(self) -> Mapping[str, float]:
        """Current P(candidate A wins) per state."""
        return dict(self._p_a)

    def _log(self, u: Update, kind: EventKind, detail: str) -> None:
        self.events.append(FeedEvent(u.state, u.time, kind, detail))

    def _trust(self, t: _Tracker, u: Update) -> bool:
        """Whether ``u``'s counts are trusted against what its own source said before."""
        src = t.sources.setdefault(u.source.value, _Source())
        if u.is_reset:
            self._log(u, EventKind.RESET, f"line {u.line}: total 0 after {src.total:,}")
            return False
        tolerance = 0 if u.exact else int(0.001 * u.total) + 1  # rounded shares: 0.1 point
        went_back = u.total < src.total or any(
            u.votes.get(c, 0) < src.votes.get(c, 0) - tolerance for c in self.candidates
        )
        if went_back:
            if (
                src.held is not None
                and src.held.total <= u.total
                and all(
                    u.votes.get(c, 0) >= src.held.votes.get(c, 0) - tolerance
                    for c in self.candidates
                )
            ):
                self._log(
                    u,
                    EventKind.REVISION,
                    f"line {u.line}: count revised from {src.total:,} to {u.total:,}",
                )
                src.held = None
                t.quiet_until = u.time + timedelta(minutes=self.params.quiet_minutes)
                t.revised = True
            else:
                if src.held is not None:
                    self._log(src.held, EventKind.DROPPED, f"line {src.held.line}: not confirmed")
                self._log(
                    u,
                    EventKind.BACKWARDS,
                    f"line {u.line}: count {u.total:,} goes back on {src.total:,} "
                    "(the total or a candidate's votes); held back",
                )
                src.held = u
                t.quiet_until = u.time + timedelta(minutes=self.params.quiet_minutes)
                return False
        elif src.held is not None:
            self._log(src.held, EventKind.DROPPED, f"line {src.held.line}: not confirmed")
            src.held = None
        new = {c: u.votes.get(c, 0) for c in self.candidates}
        if src.votes:  # the lean is learnt from one source's own successive counts
            diff = {c: new[c] - src.votes.get(c, 0) for c in self.candidates}
            if all(v >= 0 for v in diff.values()) and sum(diff.values()) > 0:
                t.batches.append((diff, frozenset(u.counties)))
        src.votes, src.total, src.time = new, u.total, u.time
        return True

    def _use_best(self, t: _Tracker) -> None:
        """The count in use: the largest trusted total of any source (exact on a tie)."""
        best_total, best_exact, best_votes = -1, False, t.votes
        for name, src in t.sources.items():
            exact = name != "edison"
            if src.total > best_total or (src.total == best_total and exact and not best_exact):
                best_total, best_exact, best_votes = src.total, exact, src.votes
        if best_total >= 0:
            t.votes, t.total, t.exact = dict(best_votes), best_total, best_exact

    def _take_expected(self, t: _Tracker, u: Update) -> None:
        """Accept a new expected-vote estimate, holding back a sudden drop until confirmed.

        A published expected share that jumps (2020: Arizona's 86% briefly shown as 99%)
        shrinks the expected total at once; a drop of more than ``expected_drop`` is held
        until the next estimate confirms it (within 1%) and dropped otherwise.
        """
        if u.total <= 0:
            return
        if u.expected_pct is not None and u.expected_pct > 0:
            new = u.total / (u.expected_pct / 100.0)
            old = t.expected_total if not (t.from_precincts or t.revised) else None
            held = t.held_expected
            t.held_expected = None
            if old is not None and new < old * (1.0 - self.params.expected_drop):
                if held is not None and abs(new - held[1]) <= 0.01 * held[1]:
                    self._log(
                        u,
                        EventKind.REVISION,
                        f"line {u.line}: expected total revised to {new:,.0f}",
                    )
                else:
                    self._log(
                        u,
                        EventKind.BACKWARDS,
                        f"line {u.line}: expected total fell from {old:,.0f} to "
                        f"{new:,.0f}; held back",
                    )
                    t.held_expected = (u, new)
                    return
            t.expected_pct, t.counted_at_expected, t.from_precincts = u.expected_pct, u.total, False
        elif (
            u.precincts_pct is not None
            and u.precincts_pct > 0
            and (t.expected_pct is None or t.from_precincts)
        ):
            t.expected_pct, t.counted_at_expected = u.precincts_pct, u.total
            t.from_precincts = True

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
        before = (t.expected_pct, t.counted_at_expected, t.total)
        t.revised = False
        if self._trust(t, u):  # an untrusted update's expected vote is not trusted either
            self._take_expected(t, u)
            self._use_best(t)
        if before == (t.expected_pct, t.counted_at_expected, t.total) and t.last is not None:
            return None  # nothing the model uses has changed
        if t.total == 0:
            return None
        a, b = self.candidates
        va, vb = t.votes.get(a, 0), t.votes.get(b, 0)
        leader, trailer = (a, b) if va >= vb else (b, a)
        batches = [Batch(d.get(leader, 0), d.get(trailer, 0), c) for d, c in t.batches[-50:]]
        thr = t.setup.threshold
        final_total = t.expected_total or float(t.total)
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
            # The threshold in votes at the final total expected *now* (never the certified).
            threshold_votes=thr.votes_at(max(final_total, float(t.total))) if thr else None,
            params=self.params,
        )
        t.last = est
        self._p_a[u.state] = est.p_leader if leader == a else 1.0 - est.p_leader
        if t.call is None:
            informed = est.expected_total is not None
            settled = t.quiet_until is None or u.time >= t.quiet_until
            if informed and settled and self.rule.may_call(est.p_leader, est.p_within):
                t.call = Call(u.state, leader, u.time, est.p_leader, est.margin, t.total)
                self.calls.append(t.call)
        else:
            p_called = est.p_leader if leader == t.call.candidate else 1.0 - est.p_leader
            t.min_p_called = min(t.min_p_called, p_called)
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
        """Exact distribution of A's electors from the current state probabilities.

        States are independent; a state's districts (Maine, Nebraska) go with it, as the
        feeds carry no district returns. A state with no returns yet counts as a coin toss.
        """
        electors = [e for _, e in self._units]
        probs = [self._p_a[s] for s, _ in self._units]
        return odds_from_pmf(exact_pmf(electors, probs))

    def run(self, updates: Iterable[Update], *, track_ec: bool = True) -> None:
        """Process every update; after each, record the Electoral College odds."""
        for u in updates:
            if self.process(u) is not None and track_ec:
                self.ec.append((u.time, self.electoral_odds()))
