"""The election-night engine: consume updates in time order, keep per-state estimates, call.

The engine is fed one :class:`~ballotproof.calls.feed.Update` at a time, as a live feed
would feed it. It refuses an update older than the last one it processed
(:class:`LookAheadError`), so nothing it decides at time t can depend on data after t: its
state after processing the updates up to t is a function of those updates alone (the tests
check that a replay cut at any moment gives the same decisions as the full replay up to it).

Candidates are ids, as many as the feed carries; at each moment the race of a state is between
the two candidates leading its count, and the others' chance of the state is taken as 0.

Per state it keeps the trusted count, the latest expected-vote estimate, and the batches
(differences between trusted counts) from which the lean of the remaining vote is learnt.

**Feed integrity.** Untrusted updates are logged with their reason, never crashed on:

* **reset** — a total of zero (the NYT feed briefly publishes zeros): rejected;
* **drop** — a total, or any candidate's votes, below what the same source said before (beyond
  the rounding of shares): held. The lower count is accepted as a revision only once the
  source has kept it for ``ModelParams.drop_persist_minutes`` (default 30: every update of that
  source since the drop stayed below the old count) or another source reports the same lower
  count (within 0.1 %); if the source comes back up first, the drop is rejected. A glitch that
  drops 250,000 votes for 11 minutes therefore never replaces the count, and no batch is learnt
  from it. After any held or accepted drop no call is made in that state for
  ``ModelParams.quiet_minutes``;
* **several sources** — each source is checked against itself; the count in use is the largest
  trusted total of any source (exact counts preferred on a tie, so exact counts replace rounded
  ones), and the lean of the remaining vote is learnt only from one source's own counts;
* **expected vote** — an expected total that suddenly drops by more than 2 % is held under the
  same persistence rule; an expected-vote percentage at or above ``ModelParams.expected_cap_pct``
  (Edison's 2020 series never shows more than 99 % before certification) is read as a bound —
  at least that share counted — not as a value;
* **end of the feed** — :meth:`Engine.close` closes every race when the feed ends (the count
  is final): a race not yet called is called for its leader if the final margin is outside the
  public recount threshold (logged ``closed``), and otherwise left uncalled (``closed_in_band``);
* **certification** — :meth:`Engine.certify` closes a race with the certified result and its
  source, as the desks do for a race too close to call from the count (Georgia 2020 was called
  by the AP only after its hand count). A certification for another candidate than an earlier
  call is logged (``certified_other``) and the call stands as made, so the scoring sees it.

Every held, corrected, accepted or rejected update is in :attr:`Engine.events` with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from scipy.special import ndtr

from ballotproof.calls.electoral import RHO, IncrementalOdds, NationalOdds, majority_chances
from ballotproof.calls.feed import UnitCount, Update
from ballotproof.calls.outstanding import Batch, ModelParams, OutstandingEstimate, estimate
from ballotproof.calls.rule import CallRule, Threshold
from ballotproof.calls.units import UnitView, estimate_units
from ballotproof.errors import BallotproofError, IntegrityError

__all__ = [
    "Call",
    "CallBasis",
    "Certification",
    "Engine",
    "EventKind",
    "FeedEvent",
    "LevelScore",
    "LookAheadError",
    "Moment",
    "StateSetup",
    "UnitBaseline",
]


@dataclass(frozen=True, slots=True)
class UnitBaseline:
    """A reporting unit's result in the baseline election, by *current* candidate id (matched
    by party) and in all (``total``)."""

    unit: str
    votes: Mapping[str, int]
    total: int


class LookAheadError(BallotproofError):
    """An update arrived older than one already processed: the feed is out of order."""


class EventKind(StrEnum):
    RESET = "reset"
    BACKWARDS = "backwards"
    REVISION = "revision_accepted"
    DROPPED = "dropped"
    EXPECTED_CAPPED = "expected_capped"
    WITHDRAW = "call_would_be_withdrawn"
    CLOSED = "closed"
    CLOSED_IN_BAND = "closed_in_band"
    CLOSED_INCOMPLETE = "closed_incomplete"
    CERTIFIED = "certified"
    CERTIFIED_OTHER = "certified_other"


class CallBasis(StrEnum):
    """Why a race was called: by the model from partial returns, when the feed ended, or on
    the state's certification of its result."""

    MODEL = "model"
    END_OF_FEED = "end_of_feed"
    CERTIFIED = "certified"


@dataclass(frozen=True, slots=True)
class Certification:
    """A state's certification of its result: when, for whom, and who says so.

    ``time`` is the moment the engine may use it; a source that gives only the date should be
    read as the end of that day in the state's own time (never earlier than it happened).
    """

    state: str
    time: datetime
    winner: str
    source: str

    def __post_init__(self) -> None:
        if self.time.tzinfo is None or self.time.utcoffset() is None:
            raise IntegrityError(
                f"certification of {self.state}: the time must carry its zone (UTC)",
                field="time",
                got=self.time.isoformat(),
            )


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """Something the engine noticed and logged, with its reason."""

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
    basis: CallBasis = CallBasis.MODEL
    source: str = ""  # for a call on certification: who certified, and where that is reported


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
    the feeds carry no district returns). ``prior`` is each candidate's chance of the state
    before any return (empty: an even chance between the first two candidates).
    ``baseline_units`` is the baseline election unit by unit: when it is given and the feed
    reports the state by unit, the state's chance comes from the unit model
    (:mod:`ballotproof.calls.units`) instead of the one-pool model.
    """

    state: str
    units: tuple[tuple[str, int], ...]
    threshold: Threshold | None
    prior: Mapping[str, float] = field(default_factory=dict)
    baseline_units: tuple[UnitBaseline, ...] = ()

    @property
    def electors(self) -> int:
        return sum(e for _, e in self.units)


@dataclass
class _Source:
    """What one source (Edison series, batch file, …) has told about one state."""

    votes: dict[str, int] = field(default_factory=dict)
    total: int = 0
    held: Update | None = None
    held_since: datetime | None = None
    time: datetime | None = None
    seen: Update | None = None  # the latest update, trusted or not


@dataclass
class _Level:
    """What one extra confidence level (scored in the same pass) has decided in one state."""

    call: Call | None = None
    min_p: float = 1.0
    withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class LevelScore:
    """The calls of one confidence level of a pass, for scoring (:meth:`Engine.level`)."""

    confidence: float
    calls: tuple[Call, ...]
    withdrawals: tuple[str, ...]  # states whose call would have had to be withdrawn, sorted
    lowest_after_call: Mapping[str, float]


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
    held_expected: tuple[datetime, float] | None = None
    batches: list[tuple[dict[str, int], frozenset[str]]] = field(default_factory=list)
    call: Call | None = None
    quiet_until: datetime | None = None
    revised: bool = False  # the update being processed revised the count downwards
    capped_logged: bool = False
    min_p_called: float = 1.0
    withdraw_logged: bool = False
    last: OutstandingEstimate | None = None
    last_time: datetime | None = None
    parts: tuple[UnitCount, ...] = ()
    levels: dict[float, _Level] = field(default_factory=dict)
    certified: bool = False

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
    candidates : the candidate ids the feed carries (two or more); the order breaks ties
    rule : the call rule
    params : the outstanding-vote model's constants
    also : more call rules (each at a confidence level of its own) decided in the same pass:
        the estimates do not depend on the calls, so each level makes the calls, withdrawals
        and lowest chances of a separate engine with that rule, at the cost of one
        (:meth:`level`; checked by the tests). The moments (calibration) are the main
        rule's.
    rho : the correlation of the states' errors through one common factor, for the correlated
        national headline (:func:`~ballotproof.calls.electoral.correlated_pmf`), recorded in
        :attr:`ec_correlated` at most every ``correlated_every`` of feed time and at the close;
        :attr:`ec` holds the independent-states headline after every update
    """

    def __init__(
        self,
        setups: Iterable[StateSetup],
        candidates: Sequence[str],
        rule: CallRule | None = None,
        params: ModelParams | None = None,
        *,
        also: Sequence[CallRule] = (),
        rho: float = RHO,
        correlated_every: timedelta = timedelta(minutes=30),
    ) -> None:
        self.candidates = tuple(candidates)
        self.rho = rho
        self.correlated_every = correlated_every
        self.ec_correlated: list[tuple[datetime, NationalOdds]] = []
        if len(self.candidates) < 2 or len(set(self.candidates)) != len(self.candidates):
            raise ValueError("the engine needs two or more distinct candidates")
        self.rule = rule or CallRule()
        self.params = params or ModelParams()
        levels = [self.rule.confidence, *(r.confidence for r in also)]
        if len(set(levels)) != len(levels):
            raise ValueError(f"each call rule needs its own confidence level, got {levels}")
        self.also = tuple(also)
        self._states = {
            s.state: _Tracker(s, levels={r.confidence: _Level() for r in self.also}) for s in setups
        }
        self._level_calls: dict[float, list[Call]] = {r.confidence: [] for r in self.also}
        self._clock: datetime | None = None
        self.events: list[FeedEvent] = []
        self.calls: list[Call] = []
        self.moments: list[Moment] = []
        self.ec: list[tuple[datetime, NationalOdds]] = []
        a, b = self.candidates[:2]
        self._p: dict[str, dict[str, float]] = {
            st: dict(t.setup.prior) or {a: 0.5, b: 0.5} for st, t in self._states.items()
        }
        # Maine's and Nebraska's districts move with their state: one unit per state.
        self._order = list(self._states)
        self._electors = [self._states[st].setup.electors for st in self._order]
        # The independent-states headline, updated unit by unit (national_odds).
        self._odds: IncrementalOdds | None = None
        self._pushed: list[dict[str, float]] = []

    @property
    def now(self) -> datetime | None:
        return self._clock

    def setup(self, state: str) -> StateSetup:
        return self._states[state].setup

    def state_call(self, state: str) -> Call | None:
        return self._states[state].call

    def lowest_after_call(self, state: str) -> float | None:
        """The lowest P(called candidate wins) seen after the call (``None``: not called)."""
        t = self._states[state]
        return None if t.call is None else t.min_p_called

    def p_win(self) -> Mapping[str, Mapping[str, float]]:
        """Current P(candidate wins) per state and candidate."""
        return {st: dict(p) for st, p in self._p.items()}

    def _log(self, state: str, time: datetime, kind: EventKind, detail: str) -> None:
        self.events.append(FeedEvent(state, time, kind, detail))

    def _trust(self, t: _Tracker, u: Update) -> bool:
        """Whether ``u``'s counts are trusted against what its own source said before."""
        src = t.sources.setdefault(u.source.value, _Source())
        if u.is_reset:
            src.seen = u
            self._log(
                u.state,
                u.time,
                EventKind.RESET,
                f"line {u.line}: total 0 after {src.total:,}; rejected",
            )
            return False
        tolerance = 0 if u.exact else int(0.001 * u.total) + 1  # rounded shares: 0.1 point
        went_back = u.total < src.total or any(
            u.votes.get(c, 0) < src.votes.get(c, 0) - tolerance for c in self.candidates
        )
        persist = timedelta(minutes=self.params.drop_persist_minutes)
        if went_back:
            if src.held is None:
                src.held_since = u.time
                self._log(
                    u.state,
                    u.time,
                    EventKind.BACKWARDS,
                    f"line {u.line}: count {u.total:,} goes back on {src.total:,} (the total or "
                    f"a candidate's votes); held until it persists "
                    f"{self.params.drop_persist_minutes:g} min or another source agrees",
                )
            src.held = u
            since = src.held_since or u.time
            other = self._agreeing_source(t, u, since)
            if u.time - since >= persist or other is not None:
                reason = (
                    f"source {other} reports the same count"
                    if other is not None
                    else f"kept for {(u.time - since).total_seconds() / 60:.0f} min"
                )
                self._log(
                    u.state,
                    u.time,
                    EventKind.REVISION,
                    f"line {u.line}: count revised from {src.total:,} to {u.total:,} ({reason})",
                )
                src.held, src.held_since = None, None
                src.votes = {c: u.votes.get(c, 0) for c in self.candidates}
                src.total, src.time, src.seen = u.total, u.time, u
                peer = t.sources.get(other) if other is not None else None
                if peer is not None and peer.held is not None and peer.seen is peer.held:
                    # The agreeing source's own held drop is the same revision: accept it too.
                    h = peer.held
                    peer.votes = {c: h.votes.get(c, 0) for c in self.candidates}
                    peer.total, peer.time = h.total, h.time
                    peer.held, peer.held_since = None, None
                    self._log(
                        u.state,
                        u.time,
                        EventKind.REVISION,
                        f"line {h.line}: count revised to {h.total:,} (source "
                        f"{u.source.value} reports the same count)",
                    )
                t.quiet_until = u.time + timedelta(minutes=self.params.quiet_minutes)
                t.revised = True
                return True
            src.seen = u
            t.quiet_until = u.time + timedelta(minutes=self.params.quiet_minutes)
            return False
        if src.held is not None:
            lasted = (u.time - (src.held_since or u.time)).total_seconds() / 60
            self._log(
                u.state,
                u.time,
                EventKind.DROPPED,
                f"line {src.held.line}: drop to {src.held.total:,} rejected: the source came "
                f"back to {u.total:,} after {lasted:.0f} min",
            )
            src.held, src.held_since = None, None
        new = {c: u.votes.get(c, 0) for c in self.candidates}
        if src.votes:  # the lean is learnt from one source's own successive counts
            diff = {c: new[c] - src.votes.get(c, 0) for c in self.candidates}
            if all(v >= 0 for v in diff.values()) and sum(diff.values()) > 0:
                t.batches.append((diff, frozenset(u.counties)))
        src.votes, src.total, src.time, src.seen = new, u.total, u.time, u
        return True

    def _agreeing_source(self, t: _Tracker, u: Update, since: datetime) -> str | None:
        """Another source whose latest count matches ``u``'s, seen no earlier than the
        persistence time before this drop began."""
        window = since - timedelta(minutes=self.params.drop_persist_minutes)
        for name, other in t.sources.items():
            if name == u.source.value or other.seen is None or other.seen.time < window:
                continue
            if abs(other.seen.total - u.total) <= 0.001 * u.total + 1:
                return name
        return None

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
        """Accept a new expected-vote estimate, holding back a sudden drop until it persists.

        A published expected share that jumps (2020: Arizona's 86% briefly shown as 99%)
        shrinks the expected total at once; a drop of more than ``expected_drop`` is held
        until estimates at that level have persisted ``drop_persist_minutes``, and dropped if
        an estimate comes back up first.
        """
        if u.total <= 0:
            return
        if u.expected_pct is not None and u.expected_pct > 0:
            new = u.total / (u.expected_pct / 100.0)
            old = t.expected_total if not (t.from_precincts or t.revised) else None
            held = t.held_expected
            if old is not None and new < old * (1.0 - self.params.expected_drop):
                since = held[0] if held is not None else u.time
                if u.time - since >= timedelta(minutes=self.params.drop_persist_minutes):
                    self._log(
                        u.state,
                        u.time,
                        EventKind.REVISION,
                        f"line {u.line}: expected total revised to {new:,.0f} (kept for "
                        f"{(u.time - since).total_seconds() / 60:.0f} min)",
                    )
                else:
                    if held is None:
                        self._log(
                            u.state,
                            u.time,
                            EventKind.BACKWARDS,
                            f"line {u.line}: expected total fell from {old:,.0f} to "
                            f"{new:,.0f}; held",
                        )
                    t.held_expected = (since, new)
                    return
            elif held is not None:
                self._log(
                    u.state,
                    u.time,
                    EventKind.DROPPED,
                    f"line {u.line}: lower expected total {held[1]:,.0f} rejected: the "
                    f"estimate came back to {new:,.0f}",
                )
            t.held_expected = None
            if u.expected_pct >= self.params.expected_cap_pct and not t.capped_logged:
                self._log(
                    u.state,
                    u.time,
                    EventKind.EXPECTED_CAPPED,
                    f"line {u.line}: expected vote {u.expected_pct:g}% read as a bound "
                    f"(at least {self.params.expected_cap_pct:g}% counted)",
                )
                t.capped_logged = True
            t.expected_pct, t.counted_at_expected, t.from_precincts = u.expected_pct, u.total, False
        elif (
            u.precincts_pct is not None
            and u.precincts_pct > 0
            and (t.expected_pct is None or t.from_precincts)
        ):
            t.expected_pct, t.counted_at_expected = u.precincts_pct, u.total
            t.from_precincts = True

    def _pair(self, t: _Tracker) -> tuple[str, str]:
        """The two candidates leading the count (ties: the feed's order)."""
        ranked = sorted(self.candidates, key=lambda c: -t.votes.get(c, 0))
        return ranked[0], ranked[1]

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
            if u.parts:
                t.parts = u.parts
        if before == (t.expected_pct, t.counted_at_expected, t.total) and t.last is not None:
            return None  # nothing the model uses has changed
        if t.total == 0:
            return None
        if t.certified:  # the certified result settles the race: no estimate moves it
            return None
        return self._evaluate(t, u.state, u.time)

    def _levels(
        self,
        t: _Tracker,
        state: str,
        time: datetime,
        est: OutstandingEstimate,
        pair: tuple[str, str],
        *,
        final: bool,
    ) -> None:
        """The extra levels' decisions on this estimate: the main rule's logic, level by level."""
        informed = est.expected_total is not None
        settled = final or t.quiet_until is None or time >= t.quiet_until
        leader, trailer = pair
        p = {leader: est.p_leader, trailer: 1.0 - est.p_leader}
        for r in self.also:
            lv = t.levels[r.confidence]
            if lv.call is None:
                if informed and settled and r.may_call(est.p_leader, est.p_within):
                    basis = CallBasis.END_OF_FEED if final else CallBasis.MODEL
                    lv.call = Call(state, leader, time, est.p_leader, est.margin, t.total, basis)
                    self._level_calls[r.confidence].append(lv.call)
            elif not final:  # as a separate engine would: a called race is not reopened at close
                p_called = p.get(lv.call.candidate, 0.0)
                lv.min_p = min(lv.min_p, p_called)
                lv.withdrawn = lv.withdrawn or r.would_withdraw(p_called)

    def level(self, confidence: float) -> LevelScore:
        """The calls of the main rule or of one of the ``also`` rules."""
        if confidence == self.rule.confidence:
            return LevelScore(
                confidence,
                tuple(self.calls),
                tuple(sorted({e.state for e in self.events if e.kind is EventKind.WITHDRAW})),
                {st: t.min_p_called for st, t in self._states.items() if t.call is not None},
            )
        if confidence not in self._level_calls:
            raise ValueError(f"confidence {confidence} was not scored in this pass")
        levels = {st: t.levels[confidence] for st, t in self._states.items()}
        return LevelScore(
            confidence,
            tuple(self._level_calls[confidence]),
            tuple(sorted(st for st, lv in levels.items() if lv.withdrawn)),
            {st: lv.min_p for st, lv in levels.items() if lv.call is not None},
        )

    def _evaluate(
        self,
        t: _Tracker,
        state: str,
        time: datetime,
        *,
        final: bool = False,
        levels_only: bool = False,
    ) -> Moment:
        leader, trailer = self._pair(t)
        batches = [Batch(d.get(leader, 0), d.get(trailer, 0), c) for d, c in t.batches[-50:]]
        thr = t.setup.threshold
        final_total = float(t.total) if final else (t.expected_total or float(t.total))
        capped = (
            not final
            and t.expected_pct is not None
            and not t.from_precincts
            and t.expected_pct >= self.params.expected_cap_pct
        )
        est = estimate(
            t.votes.get(leader, 0),
            t.votes.get(trailer, 0),
            t.total,
            leader=leader,
            trailer=trailer,
            exact=t.exact,
            expected_pct=100.0 if final else t.expected_pct,
            counted_at_expected=t.total if final else t.counted_at_expected,
            from_precincts=t.from_precincts,
            expected_is_bound=capped,
            final=final,
            batches=batches,
            # The threshold in votes at the final total expected *now* (never the certified).
            threshold_votes=thr.votes_at(max(final_total, float(t.total))) if thr else None,
            params=self.params,
        )
        if t.setup.baseline_units and t.parts and not final:
            est = self._by_units(t, est, leader, trailer, thr, final_total)
        if self.also:
            self._levels(t, state, time, est, (leader, trailer), final=final)
        if levels_only:  # the main level has called: only the extra levels are closing
            return Moment(state, time, est, t.call.candidate if t.call else None)
        t.last, t.last_time = est, time
        self._p[state] = {leader: est.p_leader, trailer: 1.0 - est.p_leader}
        if t.call is None:
            informed = est.expected_total is not None
            settled = final or t.quiet_until is None or time >= t.quiet_until
            if informed and settled and self.rule.may_call(est.p_leader, est.p_within):
                basis = CallBasis.END_OF_FEED if final else CallBasis.MODEL
                t.call = Call(state, leader, time, est.p_leader, est.margin, t.total, basis)
                self.calls.append(t.call)
        else:
            p_called = self._p[state].get(t.call.candidate, 0.0)
            t.min_p_called = min(t.min_p_called, p_called)
            if self.rule.would_withdraw(p_called) and not t.withdraw_logged:
                self._log(
                    state,
                    time,
                    EventKind.WITHDRAW,
                    f"P({t.call.candidate}) fell to {p_called:.4f} after the call",
                )
                t.withdraw_logged = True
        moment = Moment(state, time, est, t.call.candidate if t.call else None)
        self.moments.append(moment)
        return moment

    def _by_units(
        self,
        t: _Tracker,
        est: OutstandingEstimate,
        leader: str,
        trailer: str,
        thr: Threshold | None,
        final_total: float,
    ) -> OutstandingEstimate:
        """The state's chance from the unit model (baseline units, the feed's unit counts)."""
        counted = {p.unit: p for p in t.parts}
        views = []
        for b in t.setup.baseline_units:
            p = counted.pop(b.unit, None)
            views.append(
                UnitView(
                    b.unit,
                    0 if p is None else p.votes.get(leader, 0),
                    0 if p is None else p.votes.get(trailer, 0),
                    0 if p is None else p.total,
                    None if p is None else p.expected,
                    b.votes.get(leader, 0),
                    b.votes.get(trailer, 0),
                    b.total,
                )
            )
        for p in counted.values():  # units the baseline does not know
            views.append(
                UnitView(
                    p.unit,
                    p.votes.get(leader, 0),
                    p.votes.get(trailer, 0),
                    p.total,
                    p.expected,
                    0,
                    0,
                    0,
                )
            )
        ue = estimate_units(views)
        if ue.unknown_units:
            return est  # a unit with neither baseline nor estimate: the one-pool model holds
        sd, mu = ue.final_margin_sd, ue.final_margin_mean
        tau = thr.votes_at(max(final_total, float(t.total))) if thr else None
        if tau is None:
            p_within = 0.0
        elif sd > 0:
            p_within = float(ndtr((tau - mu) / sd) - ndtr((-tau - mu) / sd))
        else:
            p_within = 1.0 if abs(mu) <= tau else 0.0
        return replace(
            est,
            p_leader=ue.p_a,
            p_within=p_within,
            final_margin_mean=mu,
            expected_total=float(t.total) + ue.remaining,
            remaining=ue.remaining,
        )

    def close(self, at: datetime | None = None) -> None:
        """The feed has ended: every count is final; close the races not yet called.

        A race is called for its leader when the final count's margin is outside the public
        recount threshold (``closed``); otherwise it stays uncalled (``closed_in_band``). A
        state with no returns stays open, and so does one whose baseline units have not all
        reported (``closed_incomplete``).
        """
        when = at or self._clock
        if when is None:
            return
        for st, t in self._states.items():
            if t.total == 0 or t.certified:
                continue
            reported = {p.unit for p in t.parts}
            missing = [b.unit for b in t.setup.baseline_units if b.unit not in reported]
            if t.call is not None:
                if not missing and any(lv.call is None for lv in t.levels.values()):
                    self._evaluate(t, st, when, final=True, levels_only=True)
                continue
            if missing:
                self._log(
                    st,
                    when,
                    EventKind.CLOSED_INCOMPLETE,
                    f"feed ended before {len(missing)} of its units reported "
                    f"({', '.join(missing[:5])}{'…' if len(missing) > 5 else ''}): not called",
                )
                continue
            m = self._evaluate(t, st, when, final=True)
            if t.call is not None:
                self._log(
                    st,
                    when,
                    EventKind.CLOSED,
                    f"feed ended: called for {t.call.candidate} on the final count "
                    f"(margin {m.estimate.margin:,} of {t.total:,})",
                )
            else:
                self._log(
                    st,
                    when,
                    EventKind.CLOSED_IN_BAND,
                    f"feed ended with a margin of {m.estimate.margin:,} of {t.total:,}, within "
                    "the public recount threshold: not called",
                )

    def certify(self, c: Certification) -> None:
        """Close ``c.state``'s race with its certified result (see the module docstring).

        Raises
        ------
        LookAheadError
            If the certification is older than the last update processed.
        """
        if self._clock is not None and c.time < self._clock:
            raise LookAheadError(
                f"certification of {c.state} at {c.time.isoformat()} is older than the engine's "
                f"clock {self._clock.isoformat()}"
            )
        t = self._states.get(c.state)
        self._clock = c.time
        if t is None:
            return
        t.certified = True
        votes = dict(t.votes)
        margin = votes.get(c.winner, 0) - max(
            (v for k, v in votes.items() if k != c.winner), default=0
        )
        for conf, lv in t.levels.items():
            if lv.call is None:
                lv.call = Call(c.state, c.winner, c.time, 1.0, margin, t.total,
                               CallBasis.CERTIFIED, c.source)  # fmt: skip
                self._level_calls[conf].append(lv.call)
        # The certified result is the state's outcome from now on, whoever was called.
        a, b = self.candidates[:2]
        self._p[c.state] = {k: float(k == c.winner) for k in {a, b, c.winner}}
        if t.call is not None:
            if t.call.candidate != c.winner:
                self._log(
                    c.state,
                    c.time,
                    EventKind.CERTIFIED_OTHER,
                    f"certified for {c.winner}, but called for {t.call.candidate} ({c.source})",
                )
            return
        t.call = Call(
            c.state, c.winner, c.time, 1.0, margin, t.total, CallBasis.CERTIFIED, c.source
        )
        self.calls.append(t.call)
        self._log(c.state, c.time, EventKind.CERTIFIED, f"called for {c.winner} on certification "
                  f"({c.source})")  # fmt: skip

    def national_odds(self) -> NationalOdds:
        """Every candidate's exact chance of a majority of the electors, now.

        States are independent; a state's districts (Maine, Nebraska) go with it, as the
        feeds carry no district returns. A state with no returns yet counts at its prior.
        """
        if self._odds is None:
            self._pushed = [dict(self._p[st]) for st in self._order]
            self._odds = IncrementalOdds(self._electors, self._pushed, self.candidates)
        else:
            for i, st in enumerate(self._order):
                now = self._p[st]
                if now != self._pushed[i]:
                    self._pushed[i] = dict(now)
                    self._odds.set(i, now)
        return self._odds.odds()

    def correlated_odds(self) -> NationalOdds:
        """The same, with the states correlated through one common factor (``rho``)."""
        probs = [self._p[st] for st in self._order]
        return majority_chances(self._electors, probs, self.candidates, rho=self.rho)

    def _track_correlated(self, now: datetime, *, force: bool = False) -> None:
        last = self.ec_correlated[-1][0] if self.ec_correlated else None
        if force or last is None or now - last >= self.correlated_every:
            self.ec_correlated.append((now, self.correlated_odds()))

    def run(
        self,
        updates: Iterable[Update],
        *,
        track_ec: bool = True,
        close: bool = False,
        certifications: Iterable[Certification] = (),
    ) -> None:
        """Process every update; after each, record the national odds; optionally close.

        ``certifications`` are applied in time order among the updates (a certification at
        the same moment as an update comes after it); those after the last update come after
        the close. The correlated headline is recorded every ``correlated_every`` of feed time
        and once more at the end (the last point is the state of the engine after every
        update).
        """
        pending = sorted(certifications, key=lambda c: c.time)
        for u in updates:
            while pending and pending[0].time < u.time:
                self.certify(pending.pop(0))
            if self.process(u) is not None and track_ec:
                self.ec.append((u.time, self.national_odds()))
                self._track_correlated(u.time)
        if close:
            self.close()
        for c in pending:
            self.certify(c)
        if track_ec and self._clock is not None:
            if close:
                self.ec.append((self._clock, self.national_odds()))
            self._track_correlated(self._clock, force=True)
