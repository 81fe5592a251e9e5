"""Synthetic election nights: a "true" result per state and the feed a desk would have seen.

The engine's constants (:class:`~ballotproof.calls.outstanding.ModelParams`,
:class:`~ballotproof.calls.rule.CallRule`) were set while replaying 2020, so every 2020 score
is in-sample. This module draws elections the engine has never seen, from stated
distributions fixed *before* any of them was scored, so that the calls can be scored out of
sample (:mod:`ballotproof.calls.validate`, ``benchmarks/validate_synthetic.py``). Pure: a
seeded :class:`numpy.random.Generator` in, updates and truth out; no file is read here (the
baseline and the mode profiles are loaded by the caller).

What is modelled, and why
-------------------------

* **Baseline.** Each state's counties with their two-party and total vote in a baseline
  election (the caller passes the shipped 2020 county results). A county's share for party
  ``dem`` is β_c = dem/(dem + rep); its third-party fraction is kept.
* **Swing** (two-party share, applied on the logit scale as ``4·swing`` so that the sizes are
  share points near 50 % and shares stay inside (0, 1)): national N(0, σ_nat²) + state
  N(0, σ_st²) + county N(0, σ_co²). σ_nat = 0.042 and σ_st = 0.033 were measured before any
  scoring from the packaged MEDSL state results 1976–2020 (``data/history``): the RMS of the
  11 national changes of the Democratic two-party share between consecutive elections is
  0.042, and the standard deviation of the states' changes around the national one, averaged
  over the 11 cycles, is 0.033. No county history is packaged: σ_co = 0.03 is an assumption.
* **Turnout.** County total = baseline total × exp(national + state + county Normal noise),
  sds 0.05 each (assumption; 2016→2020 turnout grew by about 16 %, so a national sd of 5 % is
  modest, but the engine sees only the expected-vote estimate, not the baseline).
* **Vote modes.** Every county's vote is split into in-person (election day and early
  in-person) and mail. The mail share and the county's deviation of the mail lean are
  resampled from *mode profiles* (the caller passes Georgia's 159 counties from the 2020
  hand-count batches, whose ``batch_type`` gives the method): the county's mail share is the
  state's mail level (uniform on ``mail_share_range``) shifted on the logit scale by the
  profile's deviation from Georgia's overall share. The mail lean (mail minus in-person
  two-party share) is national N(0, 0.12²) + state N(0, 0.04²) + the profile's deviation
  from Georgia's mean county lean. Georgia's 2020 mail lean (about +0.2 for Biden) is then
  a 1.7-σ draw; in other years mail leaned Republican — the sign is random.
* **Late mail.** A fraction of each county's mail (uniform on ``late_mail_range`` per state)
  arrives or is counted late; its lean differs from the rest of the mail by N(0, 0.05²).
* **Reporting order.** Per state, at random: *election-day first* (in-person counted on the
  night, mail over the next days, as Pennsylvania, Michigan and Wisconsin counted in 2020) or
  *mail first* (pre-processed mail released at poll close, then election day, as Florida,
  North Carolina and Arizona in 2020); the late mail comes last over up to ten days. Each
  county has a speed factor; each mode comes in 1–4 chunks whose composition varies around
  the mode's (precinct heterogeneity, log-sd 0.15 per candidate).
* **Feed.** Edison-like state updates on a publication grid (every 5 minutes for 12 hours
  after the state's poll close, every 30 minutes to 48 hours, every 2 hours after): the
  total is exact, the candidates' votes are shares rounded to 0.1 point × total
  (``exact=False``), as in the 2020 NYT/Edison series. The last update is the certified
  count, exact, from another source (``UpdateSource.BATCH``), with ``expected_pct`` 100.
* **Expected vote.** The source's estimate of the uncounted vote is the true uncounted vote
  × exp(ξ), ξ ~ N(0, 0.35²) at first and redrawn with sd 0.2 at 1–3 revision times; in a
  fraction ``hidden_tail_rate`` of states the source does not know of the late mail until
  its first chunk is counted. The published percentage is 100·V/Ê in whole percent, capped
  at 99 until the certified count (Edison's 2020 series never shows 100 before
  certification), the design of AP/Edison's "expected vote" as publicly described.
* **Glitches.** After each regular update, with probability ``glitch_rate`` (0.02), one of
  four glitches at random (each seen in the 2020 feeds): a *reset* (a total of zero, 30 s
  later), a *duplicate* (the same rounded update again a minute later), a *temporary drop*
  (every update for 3–15 minutes shows 5–15 % fewer votes, then the count comes back), or a
  *replay* (an update from 2–10 updates earlier published again a minute later).

The truth (:class:`StateTruth`) is computed from the drawn county votes, never from the
updates; the certified update equals it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from ballotproof.calls.feed import Update, UpdateSource

__all__ = [
    "CANDIDATES",
    "DEM",
    "REP",
    "CountyBase",
    "Glitch",
    "GlitchKind",
    "ModeProfile",
    "Order",
    "StateTruth",
    "SynthParams",
    "SyntheticElection",
    "draw_election",
]

DEM = "dem"
REP = "rep"
CANDIDATES = (DEM, REP)
NIGHT = datetime(2020, 11, 4, 0, 0, tzinfo=UTC)  # 7 pm Eastern, the first polls' close

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class CountyBase:
    """One county in the baseline election: the two parties' votes and all votes."""

    unit: str
    dem: int
    rep: int
    total: int


@dataclass(frozen=True, slots=True)
class ModeProfile:
    """One county's vote-method profile (Georgia 2020): the mail share of its vote and the
    mail lean (mail minus in-person ``dem`` two-party share)."""

    mail_share: float
    mail_lean: float


@dataclass(frozen=True, slots=True)
class SynthParams:
    """The generator's constants, fixed before any scoring (see the module docstring)."""

    national_swing_sd: float = 0.042
    state_swing_sd: float = 0.033
    county_swing_sd: float = 0.03
    turnout_sd: float = 0.05  # each of national, state, county (log scale)
    mail_lean_national_sd: float = 0.12
    mail_lean_state_sd: float = 0.04
    late_lean_sd: float = 0.05
    mail_share_range: tuple[float, float] = (0.1, 0.9)
    late_mail_range: tuple[float, float] = (0.02, 0.15)
    chunk_lean_sd: float = 0.15
    county_speed_sd: float = 0.5
    expected_uncounted_sd: float = 0.35
    expected_revised_sd: float = 0.2
    hidden_tail_rate: float = 0.25
    expected_cap_pct: float = 99.0
    glitch_rate: float = 0.02
    drop_range: tuple[float, float] = (0.05, 0.15)
    drop_minutes: tuple[float, float] = (3.0, 15.0)
    replay_back: tuple[int, int] = (2, 10)
    close_window_hours: float = 5.0


class Order(StrEnum):
    ELECTION_DAY_FIRST = "election-day first"
    MAIL_FIRST = "mail first"


class GlitchKind(StrEnum):
    RESET = "reset"
    DUPLICATE = "duplicate"
    DROP = "drop"
    REPLAY = "replay"


@dataclass(frozen=True, slots=True)
class Glitch:
    state: str
    time: datetime
    kind: GlitchKind
    detail: str


@dataclass(frozen=True, slots=True)
class StateTruth:
    """The drawn result of one state, from its county votes (never from the feed).

    ``clinched`` is the first regular update after which the final winner led by more than
    all the two-party vote still uncounted (``None``: only at the certified count).
    """

    state: str
    votes: Mapping[str, int]
    total: int
    winner: str
    poll_close: datetime
    order: Order
    mail_lean: float
    late_fraction: float
    hidden_tail: bool
    clinched: datetime | None
    regular_updates: int

    @property
    def margin_pct(self) -> float:
        """The winner's two-party margin, in points of the two-party vote."""
        two = sum(self.votes.values())
        a, b = sorted(self.votes.values(), reverse=True)
        return 100.0 * (a - b) / two if two else 0.0


@dataclass(frozen=True, slots=True)
class SyntheticElection:
    """The feed (in time order), the truth per state, and the glitches injected."""

    updates: tuple[Update, ...]
    truth: Mapping[str, StateTruth]
    glitches: tuple[Glitch, ...]


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    out: FloatArray = np.log(q / (1 - q))
    return out


def _expit(x: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-x))
    return out


def _split(rng: np.random.Generator, counts: IntArray, k: int, lean_sd: float) -> IntArray:
    """Split a (candidates,) vector of votes into k chunks (k, candidates) that sum to it,
    each chunk's composition varying around the whole's (log-sd ``lean_sd`` per candidate)."""
    if k == 1:
        return counts.reshape(1, -1).copy()
    frac = rng.dirichlet(np.full(k, 2.0))
    w = frac[:, None] * np.exp(rng.normal(0.0, lean_sd, (k, counts.size)))
    w /= w.sum(axis=0, keepdims=True)
    out = np.floor(w * counts[None, :]).astype(np.int64)
    out[-1] = counts - out[:-1].sum(axis=0)  # the last chunk takes what rounding left
    return out


def _grid(t0: datetime, t: datetime) -> datetime:
    """The first publication time at or after ``t`` (5 min / 30 min / 2 h after ``t0``)."""
    h = max((t - t0).total_seconds() / 3600.0, 0.0)
    step = 5.0 / 60.0 if h < 12 else 0.5 if h < 48 else 2.0
    base = 0.0 if h < 12 else 12.0 if h < 48 else 48.0
    n = math.ceil((h - base) / step - 1e-9)
    return t0 + timedelta(hours=base + max(n, 0) * step)


@dataclass
class _Chunk:
    time: datetime
    votes: IntArray  # dem, rep, other
    late: bool


def _rounded(votes: IntArray, total: int) -> dict[str, int]:
    """Edison-like: each candidate's share of the total rounded to 0.1 point, × the total."""
    return {
        c: round(round(int(v) / total, 3) * total)
        for c, v in zip(CANDIDATES, votes[:2], strict=True)
    }


def _draw_state(
    state: str,
    counties: Sequence[CountyBase],
    profiles: Sequence[ModeProfile],
    ga_share: float,
    ga_lean: float,
    national: tuple[float, float, float],
    rng: np.random.Generator,
    p: SynthParams,
) -> tuple[list[Update], StateTruth, list[Glitch]]:
    nat_swing, nat_turnout, nat_lean = national
    n = len(counties)
    dem = np.array([c.dem for c in counties], dtype=np.float64)
    rep = np.array([c.rep for c in counties], dtype=np.float64)
    tot = np.array([c.total for c in counties], dtype=np.float64)
    two = dem + rep
    beta = np.where(two > 0, dem / np.maximum(two, 1.0), 0.5)
    third = np.where(tot > 0, 1.0 - two / np.maximum(tot, 1.0), 0.0)

    swing = nat_swing + rng.normal(0, p.state_swing_sd) + rng.normal(0, p.county_swing_sd, n)
    share = _expit(_logit(beta) + 4.0 * swing)
    turnout = np.exp(nat_turnout + rng.normal(0, p.turnout_sd) + rng.normal(0, p.turnout_sd, n))
    total = np.maximum(np.round(tot * turnout), 1.0)

    pick = rng.integers(0, len(profiles), n)
    prof_share = np.array([profiles[i].mail_share for i in pick])
    prof_lean = np.array([profiles[i].mail_lean for i in pick])
    level = rng.uniform(*p.mail_share_range)
    mail_frac = _expit(
        _logit(np.full(n, level)) + _logit(prof_share) - _logit(np.array([ga_share]))
    )
    state_lean = nat_lean + rng.normal(0, p.mail_lean_state_sd)
    lean = state_lean + (prof_lean - ga_lean)
    late = rng.uniform(*p.late_mail_range)
    late_shift = rng.normal(0, p.late_lean_sd)

    # Shares by mode keep the county's overall share: m·p_mail + (1 − m)·p_ip = share.
    p_ip = np.clip(share - mail_frac * lean, 0.01, 0.99)
    p_mail = np.clip(p_ip + lean, 0.01, 0.99)
    p_late = np.clip(p_mail + late_shift, 0.01, 0.99)

    order = Order.ELECTION_DAY_FIRST if rng.random() < 0.5 else Order.MAIL_FIRST
    t0 = NIGHT + timedelta(minutes=round(float(rng.uniform(0, p.close_window_hours)) * 60))
    speed = np.exp(rng.normal(0, p.county_speed_sd, n))
    chunks: list[_Chunk] = []

    def votes_of(n_votes: float, d_share: float, third_frac: float) -> IntArray:
        t_votes = round(n_votes)
        two_p = round(t_votes * (1.0 - third_frac))
        d = round(two_p * d_share)
        return np.array([d, two_p - d, t_votes - two_p], dtype=np.int64)

    def add(
        counts: IntArray, hours: tuple[float, float], k_max: int, scale: float, lt: bool
    ) -> None:
        if counts.sum() <= 0:
            return
        k = int(rng.integers(1, k_max + 1))
        parts = _split(rng, counts, k, p.chunk_lean_sd)
        hs = np.sort(rng.uniform(hours[0], hours[1], k)) * scale
        for part, h in zip(parts, hs, strict=True):
            if part.sum() > 0:
                chunks.append(_Chunk(t0 + timedelta(hours=float(h)), part, lt))

    for i in range(n):
        mail_n = total[i] * mail_frac[i]
        ip = votes_of(total[i] - mail_n, float(p_ip[i]), float(third[i]))
        early = votes_of(mail_n * (1.0 - late), float(p_mail[i]), float(third[i]))
        tail = votes_of(mail_n * late, float(p_late[i]), float(third[i]))
        s = float(speed[i])
        if order is Order.ELECTION_DAY_FIRST:
            add(ip, (0.3, 5.0), 3, s, False)
            add(early, (1.0, 60.0), 4, s, False)
        else:
            add(early, (0.05, 0.75), 1, s, False)
            add(ip, (0.5, 6.0), 3, s, False)
        add(tail, (24.0, 240.0), 2, 1.0, True)

    # Cumulative counts at each publication time.
    chunks.sort(key=lambda c: c.time)
    final = np.sum([c.votes for c in chunks], axis=0).astype(np.int64)
    if final[0] == final[1]:  # an exact tie: one more vote in the last chunk breaks it
        chunks[-1].votes = chunks[-1].votes + np.array([1, 0, 0], dtype=np.int64)
        final[0] += 1
    e_true = int(final.sum())
    two_final = int(final[0] + final[1])
    tail_total = int(sum(int(c.votes.sum()) for c in chunks if c.late))
    hidden = bool(rng.random() < p.hidden_tail_rate)
    times: list[datetime] = []
    cums: list[IntArray] = []
    tail_seen: list[int] = []
    cum = np.zeros(3, dtype=np.int64)
    seen_tail = 0
    for c in chunks:
        t = _grid(t0, c.time)
        cum = cum + c.votes
        if c.late:
            seen_tail += int(c.votes.sum())
        if times and times[-1] == t:
            cums[-1], tail_seen[-1] = cum.copy(), seen_tail
        else:
            times.append(t)
            cums.append(cum.copy())
            tail_seen.append(seen_tail)
    # Expected-vote path: ξ redrawn at 1–3 revision times.
    last = times[-1]
    n_rev = int(rng.integers(1, 4))
    span = max((last - times[0]).total_seconds(), 1.0)
    revisions = sorted(times[0] + timedelta(seconds=float(x)) for x in rng.uniform(0, span, n_rev))
    xi = rng.normal(0, p.expected_uncounted_sd)
    regular: list[Update] = []
    clinched: datetime | None = None
    winner = DEM if final[0] >= final[1] else REP  # an exact tie (never seen) goes to dem
    w_i = 0 if winner == DEM else 1
    for t, cv, ts in zip(times, cums, tail_seen, strict=True):
        while revisions and revisions[0] <= t:
            revisions.pop(0)
            xi = rng.normal(0, p.expected_revised_sd)
        v = int(cv.sum())
        if v <= 0:
            continue
        remaining = e_true - v
        if hidden and ts == 0:
            remaining -= tail_total
        e_hat = v + max(remaining, 0) * math.exp(xi)
        pct = min(float(round(100.0 * v / e_hat)), p.expected_cap_pct)
        regular.append(
            Update(
                state,
                t,
                _rounded(cv, v),
                v,
                exact=False,
                expected_pct=pct,
                source=UpdateSource.EDISON,
            )
        )
        lead = int(cv[w_i] - cv[1 - w_i])
        clinched = (clinched or t) if lead > two_final - int(cv[0] + cv[1]) else None
    # Glitches after regular updates.
    out: list[Update] = []
    glitches: list[Glitch] = []
    drop_until: datetime | None = None
    drop_factor = 1.0
    for i, u in enumerate(regular):
        if drop_until is not None and u.time <= drop_until:
            out.append(_scaled(u, drop_factor, u.time))
        else:
            out.append(u)
        if rng.random() >= p.glitch_rate:
            continue
        kind = list(GlitchKind)[int(rng.integers(0, 4))]
        if kind is GlitchKind.RESET:
            g = Update(state, u.time + timedelta(seconds=30), {DEM: 0, REP: 0}, 0, exact=False,
                       source=UpdateSource.EDISON)  # fmt: skip
            out.append(g)
            detail = "total 0"
        elif kind is GlitchKind.DUPLICATE:
            out.append(_scaled(u, 1.0, u.time + timedelta(minutes=1)))
            detail = f"update of {u.time:%H:%M} again"
        elif kind is GlitchKind.DROP:
            drop_factor = 1.0 - float(rng.uniform(*p.drop_range))
            minutes = float(rng.uniform(*p.drop_minutes))
            drop_until = u.time + timedelta(minutes=minutes)
            out.append(_scaled(u, drop_factor, u.time + timedelta(minutes=1)))
            detail = f"{100 * (1 - drop_factor):.1f}% fewer votes for {minutes:.0f} min"
        else:
            back = int(rng.integers(p.replay_back[0], p.replay_back[1] + 1))
            old = regular[max(i - back, 0)]
            out.append(_scaled(old, 1.0, u.time + timedelta(minutes=1)))
            detail = f"update of {old.time:%Y-%m-%d %H:%M} replayed"
        glitches.append(Glitch(state, u.time, kind, detail))
    certified_at = last + timedelta(hours=float(rng.uniform(1.0, 24.0)))
    out.append(
        Update(
            state,
            certified_at,
            {DEM: int(final[0]), REP: int(final[1])},
            e_true,
            exact=True,
            expected_pct=100.0,
            source=UpdateSource.BATCH,
        )
    )
    truth = StateTruth(
        state,
        {DEM: int(final[0]), REP: int(final[1])},
        e_true,
        winner,
        t0,
        order,
        float(state_lean),
        float(late),
        hidden,
        clinched,
        len(regular),
    )
    return out, truth, glitches


def _scaled(u: Update, factor: float, at: datetime) -> Update:
    total = round(u.total * factor)
    votes = {c: round(v * factor) for c, v in u.votes.items()}
    return Update(
        u.state,
        at,
        votes,
        total,
        exact=u.exact,
        expected_pct=u.expected_pct,
        source=u.source,
    )


def draw_election(
    baseline: Mapping[str, Sequence[CountyBase]],
    profiles: Sequence[ModeProfile],
    rng: np.random.Generator,
    params: SynthParams | None = None,
) -> SyntheticElection:
    """Draw one synthetic election night over the states of ``baseline``.

    ``profiles`` are county vote-method profiles (Georgia 2020's); their overall mail share
    and mean lean are the reference the counties' deviations are taken from. Updates of all
    states are returned in time order (ties: state, then publication order).
    """
    p = params or SynthParams()
    if not profiles:
        raise ValueError("at least one mode profile is needed")
    for x in profiles:
        if not (0.0 < x.mail_share < 1.0 and math.isfinite(x.mail_lean)):
            raise ValueError(f"a mode profile needs 0 < mail share < 1 and a finite lean: {x}")
    ga_share = float(np.mean([x.mail_share for x in profiles]))
    ga_lean = float(np.mean([x.mail_lean for x in profiles]))
    national = (
        float(rng.normal(0, p.national_swing_sd)),
        float(rng.normal(0, p.turnout_sd)),
        float(rng.normal(0, p.mail_lean_national_sd)),
    )
    updates: list[tuple[datetime, str, int, Update]] = []
    truth: dict[str, StateTruth] = {}
    glitches: list[Glitch] = []
    for state in sorted(baseline):
        counties = [c for c in baseline[state] if c.total > 0]
        if not counties:
            continue
        ups, tr, gl = _draw_state(state, counties, profiles, ga_share, ga_lean, national, rng, p)
        updates.extend((u.time, state, i, u) for i, u in enumerate(ups))
        truth[state] = tr
        glitches.extend(gl)
    updates.sort(key=lambda x: (x[0], x[1], x[2]))
    return SyntheticElection(tuple(u for *_, u in updates), truth, tuple(glitches))
