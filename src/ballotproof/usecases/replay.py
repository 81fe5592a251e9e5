"""Election night replayed: the inputs of a replay and the engine run over them.

The job ``ballotproof replay`` (and the demonstration) does before anything is shown: load the
feed, the results data (the contest's candidates, the electoral units, the recount thresholds and,
after the run, each state's winner for the scoring), an optional baseline election (the prior of
states with no returns), the recount-rule table, the certification dates and the table of desk
call times; then run :class:`~ballotproof.calls.engine.Engine` once, or once per confidence level.
With no options it replays the packaged 2020 feeds against the built-in 2020 results and the
packaged 2020 desk calls. The JSON document and the HTML report are built from the result by
:mod:`ballotproof.report.replay`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from ballotproof.calls.backtest import RaceCall
from ballotproof.calls.engine import Certification, Engine, StateSetup, UnitBaseline
from ballotproof.calls.feed import Update
from ballotproof.calls.outstanding import ModelParams
from ballotproof.calls.rule import CallRule, public_threshold
from ballotproof.errors import InputError
from ballotproof.io.feeds import load_2020_feed, load_generic_feed
from ballotproof.io.race_calls import default_race_calls_path, load_race_calls
from ballotproof.io.recount_rules import load_recount_rules
from ballotproof.io.timeline import default_timeline_path, load_timeline
from ballotproof.io.us2020 import data_dir, load_us2020
from ballotproof.model import Election
from ballotproof.model.election import UnitType
from ballotproof.model.recount import rules_in_force
from ballotproof.model.timeline import EventKind as TimelineKind
from ballotproof.model.timeline import TimelineEvent
from ballotproof.model.zones import zone_for
from ballotproof.results import tabulate_unit

__all__ = [
    "BATTLEGROUND",
    "PRIOR_SD",
    "ReplayInputs",
    "load_replay_inputs",
    "run_replay",
    "setups_for",
    "state_winners",
    "units_of",
]

BATTLEGROUND = ("AZ", "GA", "MI", "NC", "NV", "PA", "WI")
# The prior of a state with no returns: P(party wins) = Φ(baseline two-party margin / PRIOR_SD).
# A priori (not fitted): state margins move by several points between elections.
PRIOR_SD = 0.08


@dataclass(frozen=True)
class ReplayInputs:
    """Everything a replay reads, and where each came from (echoed in the JSON)."""

    election: Election
    election_source: str
    updates: list[Update]
    feed_source: str
    candidates: tuple[str, ...]
    desk_calls: tuple[RaceCall, ...] = ()
    calls_source: str | None = None
    baseline: Election | None = None
    baseline_source: str | None = None
    states: tuple[str, ...] | None = None
    prior: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    year: int | None = None
    baseline_units: Mapping[str, tuple[UnitBaseline, ...]] = field(default_factory=dict)
    certifications: tuple[Certification, ...] = ()
    certifications_source: str | None = None

    def setups(self) -> list[StateSetup]:
        """The engine's state set-ups for these inputs (:func:`setups_for`)."""
        return setups_for(
            self.election,
            states=self.states,
            prior=self.prior,
            year=self.year,
            by_unit=self.baseline_units,
        )


def certifications_from(
    election: Election, events: Sequence[TimelineEvent], source: str
) -> tuple[Certification, ...]:
    """Each state's first certification in a timeline table, for the winner of the election's
    results (the certified count), at the end of that day in the state's own time: the table
    gives dates, not hours, so the engine never learns of a certification before it happened.
    """
    winners = state_winners(election)
    first: dict[str, TimelineEvent] = {}
    for e in sorted(events, key=lambda e: e.day):
        if e.kind is TimelineKind.CERTIFIED and e.state in winners:
            first.setdefault(e.state, e)
    out = []
    for st, e in first.items():
        winner = winners[st]
        if winner is None:
            continue
        zone = zone_for(st)
        end = datetime.combine(e.day + timedelta(days=1), time.min, zone) - timedelta(seconds=1)
        where = e.source_url or e.citation or source
        out.append(Certification(st, end.astimezone(UTC), winner, f"{e.title} — {where}"))
    return tuple(sorted(out, key=lambda c: c.time))


def _load_baseline(baseline: str | Path) -> tuple[Election, str]:
    text = str(baseline)
    name = text.lower()
    if name == "us2020":
        # With its counties (five-digit FIPS codes): the unit model's baseline by county.
        return load_us2020(include_counties=True), "built-in us2020"
    if name.startswith("us") and name[2:].isdigit():
        from ballotproof.io.medsl import load_history_year

        return load_history_year(int(name[2:])).election, f"built-in {name}"
    from ballotproof.io.load import load_election

    if not Path(text).exists():
        raise InputError(
            "--baseline is a folder, a NIST .json file, or a built-in name such as us2020 or "
            "us2016",
            path=text,
        )
    return load_election(Path(text)), text


def _party(election: Election, choice: str) -> str:
    party = election.contest().choice(choice).party  # type: ignore[arg-type]
    return party.split(";")[0].strip().lower()


def prior_from_baseline(
    election: Election, baseline: Election, candidates: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per state, each candidate's chance before any return, from the baseline's result.

    The first two candidates are matched to the baseline's candidates by party (first party
    named); P(first wins) = Φ(m/σ) with m the baseline two-party margin of the first's party,
    σ = ``PRIOR_SD``. States the baseline lacks, or candidates without a matching party, get
    no prior (an even chance).
    """
    a, b = candidates[:2]
    pa, pb = _party(election, a), _party(election, b)
    if not pa or not pb or pa == pb:
        return {}
    contest = baseline.contest()
    by_party: dict[str, str] = {}
    for ch in contest.choices:
        if ch.is_candidate and ch.party:
            by_party.setdefault(ch.party.split(";")[0].strip().lower(), str(ch.id))
    if pa not in by_party or pb not in by_party:
        return {}
    out: dict[str, dict[str, float]] = {}
    for unit in baseline.electoral_units():
        if unit.type is not UnitType.STATE:
            continue
        votes = contest.totals.get(unit.id, {})
        va, vb = votes.get(by_party[pa], 0), votes.get(by_party[pb], 0)  # type: ignore[call-overload]
        if va + vb == 0:
            continue
        m = (va - vb) / (va + vb)
        p = 0.5 * math.erfc(-m / PRIOR_SD / math.sqrt(2.0))
        out[str(unit.id)] = {a: p, b: 1.0 - p}
    return out


def baseline_units(
    election: Election, baseline: Election, candidates: Sequence[str]
) -> dict[str, tuple[UnitBaseline, ...]]:
    """Per state, the baseline's result in each of its units below the state (counties or
    finer), by current candidate id (matched by party, first party named)."""
    contest = baseline.contest()
    by_party: dict[str, str] = {}
    for ch in contest.choices:
        if ch.is_candidate and ch.party:
            by_party.setdefault(ch.party.split(";")[0].strip().lower(), str(ch.id))
    mapping = {c: by_party.get(_party(election, c)) for c in candidates}
    out: dict[str, list[UnitBaseline]] = {}
    for unit in baseline.units:
        if unit.type is UnitType.STATE or unit.electors or unit.parent is None:
            continue
        if not baseline.has_unit(unit.parent):
            continue
        parent = baseline.unit(unit.parent)
        if parent.type is not UnitType.STATE:
            continue
        votes = contest.totals.get(unit.id, {})
        by_candidate = {
            c: votes.get(old, 0)  # type: ignore[call-overload]
            for c, old in mapping.items()
            if old is not None
        }
        out.setdefault(str(parent.id), []).append(
            UnitBaseline(str(unit.id), by_candidate, sum(votes.values()))
        )
    return {st: tuple(us) for st, us in out.items()}


def units_of(election: Election) -> dict[str, frozenset[str]]:
    """Each state's reporting units without electors of their own (its counties), by id: a
    feed by unit forms the state's expected vote from theirs."""
    out: dict[str, frozenset[str]] = {}
    for u in election.units:
        if u.type is not UnitType.STATE and u.parent is not None and election.has_unit(u.parent):
            parent = election.unit(u.parent)
            if parent.type is UnitType.STATE and u.electors == 0:
                out.setdefault(str(parent.id), frozenset())
                out[str(parent.id)] |= {str(u.id)}
    return out


def load_replay_inputs(
    *,
    feed: Path | None = None,
    data: Path | None = None,
    year: int | None = None,
    baseline: str | Path | None = None,
    calls: Path | None = None,
    states: Sequence[str] | None = None,
    timeline: Path | None = None,
) -> ReplayInputs:
    """Load what a replay needs; the built-in 2020 election, feeds, desk calls and
    certification dates by default (``timeline``: a table in the format of
    ``data/certification_2020.csv`` whose ``certified`` rows close races)."""
    builtin = data is None and year is None
    if builtin:
        election, election_source = load_us2020(), "built-in us2020"
    else:
        from ballotproof.io.load import load_election

        election = load_election(data, year=year)
        election_source = str(data) if data is not None else f"built-in us{year}"
    if feed is None:
        updates = load_2020_feed(data_dir(), states)
        feed_source = (
            "NYT/Edison time series and NYT batch file, packaged in ballotproof/data/us2020 "
            "(see PROVENANCE.md); hindsight columns are not read"
        )
    else:
        updates = load_generic_feed(feed, units_of=units_of(election) or None)
        feed_source = str(feed)
        if states is not None:
            updates = [u for u in updates if u.state in states]
    if not updates:
        raise InputError("no updates for the requested states", path=str(feed or data_dir()))
    contest = election.contest()
    known = {str(c.id) for c in contest.choices}
    seen: list[str] = []
    for upd in updates:
        for c in upd.votes:
            if c not in seen:
                seen.append(c)
    unknown = [c for c in seen if c not in known]
    if unknown:
        raise InputError(
            f"candidate {unknown[0]!r} (column votes_{unknown[0]}) is not a choice of contest "
            f"{contest.id} in {election_source}; its choices are {', '.join(sorted(known))}",
            path=str(feed or data_dir()),
        )
    order = [str(c.id) for c in contest.choices]
    candidates = tuple(sorted(seen, key=order.index))
    if len(candidates) < 2:
        raise InputError("the feed names fewer than two candidates", path=str(feed))
    states_known = {str(u.id) for u in election.electoral_units()}
    stray = sorted({u.state for u in updates} - states_known)
    if stray:
        raise InputError(
            f"state {stray[0]!r} of the feed is not an elector-bearing unit of {election_source}",
            path=str(feed or data_dir()),
        )
    if calls is not None:
        desk_calls, calls_source = load_race_calls(calls), str(calls)
    elif builtin:
        desk_calls, calls_source = load_race_calls(), default_race_calls_path().name
    else:
        desk_calls, calls_source = (), None
    base, base_source = (None, None)
    prior: dict[str, dict[str, float]] = {}
    by_unit: dict[str, tuple[UnitBaseline, ...]] = {}
    if baseline is not None:
        base, base_source = _load_baseline(baseline)
        prior = prior_from_baseline(election, base, candidates)
        if any(u.parts for u in updates):
            by_unit = baseline_units(election, base, candidates)
    certs: tuple[Certification, ...] = ()
    certs_source: str | None = None
    if timeline is not None or builtin:
        certs_source = str(timeline) if timeline is not None else default_timeline_path().name
        certs = certifications_from(election, load_timeline(timeline), certs_source)
        if states is not None:
            certs = tuple(c for c in certs if c.state in states)
    return ReplayInputs(
        election,
        election_source,
        updates,
        feed_source,
        candidates,
        desk_calls,
        calls_source,
        base,
        base_source,
        None if states is None else tuple(states),
        prior,
        year,
        by_unit,
        certs,
        certs_source,
    )


def setups_for(
    election: Election,
    *,
    states: Sequence[str] | None = None,
    prior: Mapping[str, Mapping[str, float]] | None = None,
    year: int | None = None,
    by_unit: Mapping[str, tuple[UnitBaseline, ...]] | None = None,
) -> list[StateSetup]:
    """Per state: its elector-bearing units, its public recount threshold and its prior.

    Only the units, their electors and the law are used: nothing from the results.
    """
    rules = load_recount_rules()
    if year is not None:
        rules = rules_in_force(tuple(rules), year)
    units: dict[str, list[tuple[str, int]]] = {}
    for unit in election.electoral_units():
        units.setdefault(str(election.state_of(unit.id).id), []).append((unit.id, unit.electors))
    out = []
    for st, us in units.items():
        if states is not None and st not in states:
            continue
        thr = public_threshold([r for r in rules if r.state == st])
        out.append(
            StateSetup(
                st,
                tuple(us),
                thr,
                dict((prior or {}).get(st, {})),
                (by_unit or {}).get(st, ()),
            )
        )
    return out


def run_replay(
    *,
    states: Sequence[str] | None = None,
    confidences: Sequence[float] = (0.995,),
    feed: Path | None = None,
    inputs: ReplayInputs | None = None,
    track_ec: bool = True,
    progress: Callable[[str], None] | None = None,
    main: float | None = None,
) -> dict[float, Engine]:
    """Run the engine over the feed (the feed's end and certifications close races).

    With ``main`` (one of ``confidences``): one pass, the other levels decided alongside
    (:class:`~ballotproof.calls.engine.Engine` ``also``), every level mapped to that engine —
    read a level's calls with ``engine.level(c)``. Without: one engine per level.
    """
    if inputs is None:
        inputs = load_replay_inputs(feed=feed, states=states)
    setups = inputs.setups()
    engines = {}
    if main is not None and main not in confidences:
        raise ValueError(f"the main level {main} is not one of the levels {list(confidences)}")
    if main is not None:
        if progress:
            progress(f"replaying at confidence {main} (and {len(confidences) - 1} more levels)")
        others = [CallRule(c) for c in confidences if c != main]
        engine = Engine(setups, inputs.candidates, CallRule(main), ModelParams(), also=others)
        engine.run(
            inputs.updates,
            track_ec=track_ec and inputs.states is None,
            close=True,
            certifications=inputs.certifications,
        )
        return dict.fromkeys(confidences, engine)
    for c in confidences:
        if progress:
            progress(f"replaying at confidence {c}")
        engine = Engine(setups, inputs.candidates, CallRule(c), ModelParams())
        engine.run(
            inputs.updates,
            track_ec=track_ec and inputs.states is None,
            close=True,
            certifications=inputs.certifications,
        )
        engines[c] = engine
    return engines


def state_winners(election: Election) -> dict[str, str | None]:
    """Each state's winner in the results; ``None`` for a tie or a state with no results yet
    (a replay of partial results scores only the states it can)."""
    contest = election.contest()
    out: dict[str, str | None] = {}
    for unit in election.electoral_units():
        if unit.id != election.state_of(unit.id).id:
            continue
        out[unit.id] = tabulate_unit(contest, unit.id).winner if unit.id in contest.totals else None
    return out
