"""Kaplan–Markov ballot-level comparison audit ("super-simple").

Sources
-------
P. B. Stark, "Super-Simple Simultaneous Single-Ballot Risk-Limiting Audits", Proc. 2010
EVT/WOTE (USENIX), 2010.  [S10]
M. Lindeman and P. B. Stark, "A Gentle Introduction to Risk-Limiting Audits", IEEE Security &
Privacy 10(5):42–49, 2012.  [AGI]
P. B. Stark, "Risk-limiting post-election audits: P-values from common probability
inequalities", IEEE Trans. Inf. Forensics Security 4(4):1005–1014, 2009 (the Kaplan–Markov
P-value).  [S09]

Setting and symbols
-------------------
N ballots (cards) could contain the contest.  For each reported winner w and reported loser ℓ
the reported pairwise margin is ``V_wℓ = v_w − v_ℓ > 0`` votes; ``V = min V_wℓ`` and the
*diluted margin* is ``μ = V / N``.  Each ballot carries at most one vote per choice.

For a sampled ballot p, with cast-vote record c and hand interpretation m, the overstatement of
the pair (w, ℓ) is ``e_pwℓ = (c_w − c_ℓ) − (m_w − m_ℓ) ∈ {−2, …, 2}`` votes, and the maximum
relative overstatement is ``e_p = max_wℓ e_pwℓ / V_wℓ`` [S10].  If the reported outcome is
wrong then ``Σ_p e_p ≥ 1``.

Because ``e_pwℓ ≤ 2``, ``e_p ≤ 2/V``.  Super-simple uses the inflated bound ``u_p = 2γ/V``
with the *error inflation* ``γ > 1`` (default 1.03905, the value of Stark's audit tools, AGI and
Colorado's RLA software), so the total bound is ``U = N·2γ/V = 2γ/μ`` and the taint of ballot
p is ``t_p = e_p/u_p = V·e_p/(2γ) ≤ 1/γ < 1``.  This module writes ``ẽ_p = V·e_p`` ("the
overstatement in votes of the closest pair"): an integer in {−2, …, 2} when the discrepancy
is in a closest pair, a fraction of it otherwise.

Kaplan–Markov P-value [S09 (P_KM); S10].  Ballots are drawn uniformly *with
replacement* (all u_p are equal, so probability-proportional-to-error-bound sampling is
uniform); a ballot drawn k times contributes k factors.  After n draws ::

    P = Π_{i=1..n} (1 − 1/U) / (1 − t_{p_i}) = Π_{i=1..n} (1 − μ/(2γ)) / (1 − ẽ_{p_i}/(2γ))

Under the null (``Σ e_p ≥ 1``) the mean taint of a draw is at least 1/U, so
``Π (1 − t)/(1 − 1/U)`` is a non-negative supermartingale with mean ≤ 1 and, by Ville's
inequality, ``Pr{P ≤ α at any draw} ≤ α``: the audit may stop as soon as ``P ≤ α``.  When every
discrepancy is in a closest pair, with o1, o2 one- and two-vote overstatements and u1, u2
one- and two-vote understatements ::

    P = (1 − μ/(2γ))^n (1 − 1/(2γ))^(−o1) (1 − 1/γ)^(−o2) (1 + 1/(2γ))^(−u1) (1 + 1/γ)^(−u2)

Sample size [S10; AGI, ballot-level comparison audits].  Since ``ln(1 − x) ≤ −x``, the
log of the first factor is at most ``−nμ/(2γ)``, so ``P ≤ α`` as soon as ::

    n ≥ −2γ [ln α + o1 ln(1 − 1/(2γ)) + o2 ln(1 − 1/γ) + u1 ln(1 + 1/(2γ)) + u2 ln(1 + 1/γ)] / μ

(and never fewer ballots than discrepancies seen).  With α = 10 % and μ = 0.2 this is
``⌈4.7853/0.2⌉ = 24`` with no discrepancies.

Planning with expected rates.  The counts in the formula are unknown before the audit.  The
rule of Stark's online tool (auditTools.htm, which AGI points to; Arlo and rlacalc reproduce
it) is: (1) solve ``P = α`` for n with the *exact* logarithm and counts equal to rate × n,
``n0 = ⌈ln α / (ln(1 − μ/(2γ)) − r1 ln(1 − 1/(2γ)) − r2 ln(1 − 1/γ) − s1 ln(1 + 1/(2γ))
− s2 ln(1 + 1/γ))⌉``; (2) take expected counts ``o1 = ⌈r1 n0⌉``, ``u1 = ⌈s1 n0⌉`` (one-vote
counts rounded *up*) and ``o2, u2`` = r·n0 rounded to the nearest integer; (3) n = the formula
above with those counts.  With the customary rates (0.1 % one-vote, 0.01 % two-vote, over and
under) this gives 27 for α = 10 %, μ = 0.2 (rounding nothing gives 25).  Rounding one-vote
*under*statements up lowers n; that is the tool's convention, kept here so that numbers agree.
If the denominator is ≥ 0 the rates could cancel the margin: only a full hand count will do.

Escalation.  After n_s draws with observed counts, the same rule with rates = count / n_s
estimates the total sample needed if discrepancies continue at the observed rate; one
one-vote overstatement in the first 27 ballots (μ = 0.2) gives 38.

Assumptions: CVRs can be matched one-to-one with cards; the ballot manifest and N are right
(otherwise treat missing ballots as two-vote overstatements); sampling is uniform with
replacement; the contest is a plurality (vote-for-k) contest.  A tie (V = 0) cannot be
confirmed by sampling.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from fractions import Fraction

from ballotproof.audit.card_rounds import ComparisonMethod, ComparisonRound
from ballotproof.audit.contest import AuditContest, Decision, Pair, jsonable
from ballotproof.audit.sampler import Batch
from ballotproof.audit.spec import AuditSpec, Method
from ballotproof.errors import AnalysisError

__all__ = [
    "CUSTOMARY_RATES",
    "GAMMA",
    "Discrepancies",
    "DiscrepancyRates",
    "SuperSimpleRisk",
    "SuperSimpleSampleSize",
    "ballot_overstatement",
    "escalated_sample_size",
    "planned_sample_size",
    "rho",
    "risk",
    "risk_from_counts",
    "sample_size",
]

METHOD = "super-simple"
GAMMA = 1.03905
"""γ of Stark's tools, AGI and Colorado's RLA software."""


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise AnalysisError(f"risk limit alpha must be in (0, 1), got {alpha!r}")


def _check_gamma(gamma: float) -> None:
    if not (math.isfinite(gamma) and gamma > 1.0):
        raise AnalysisError(f"error inflation gamma must be a finite number > 1, got {gamma!r}")


def _exact(x: float | Fraction) -> Fraction:
    """A rate as an exact fraction; a float is read as the decimal it prints as."""
    return x if isinstance(x, Fraction) else Fraction(str(x))


@dataclass(frozen=True, slots=True)
class Discrepancies:
    """Counts of one- and two-vote over- and understatements (o1, o2, u1, u2)."""

    o1: int = 0
    o2: int = 0
    u1: int = 0
    u2: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise AnalysisError(f"{f.name} must be a non-negative integer, got {value!r}")

    @property
    def total(self) -> int:
        return self.o1 + self.o2 + self.u1 + self.u2

    @classmethod
    def from_overstatements(cls, overstatements: Iterable[int | Fraction]) -> Discrepancies:
        """Tally integer overstatements in votes (2 → o2, 1 → o1, −1 → u1, −2 → u2).

        Fractional values (discrepancies outside a closest pair) and zeros are not counted.
        """
        tally = {2: 0, 1: 0, -1: 0, -2: 0}
        for e in overstatements:
            if e in tally:
                tally[int(e)] += 1
        return cls(o1=tally[1], o2=tally[2], u1=tally[-1], u2=tally[-2])


@dataclass(frozen=True, slots=True)
class DiscrepancyRates:
    """Expected discrepancies per ballot: r1, r2 (over), s1, s2 (under) in [0, 1]."""

    o1: float | Fraction = 0.0
    o2: float | Fraction = 0.0
    u1: float | Fraction = 0.0
    u2: float | Fraction = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not (isinstance(value, float | int | Fraction) and 0 <= value <= 1):
                raise AnalysisError(f"rate {f.name} must be in [0, 1], got {value!r}")
        if sum(_exact(getattr(self, f.name)) for f in fields(self)) > 1:
            raise AnalysisError("discrepancy rates add up to more than 1")


CUSTOMARY_RATES = DiscrepancyRates(o1=0.001, o2=0.0001, u1=0.001, u2=0.0001)
"""0.1 % one-vote and 0.01 % two-vote over- and understatements (Stark's tool, AGI, Arlo)."""


@dataclass(frozen=True, slots=True)
class SuperSimpleSampleSize:
    """A super-simple sample size and everything it was computed from.

    Attributes
    ----------
    method : "super-simple"
    rule : "nmin" (observed counts), "planned" (expected rates) or "escalated" (observed rates)
    alpha : risk limit α
    gamma : error inflation γ
    mu : diluted margin μ = V/N
    V : smallest reported pairwise margin, votes
    N : ballots that could contain the contest
    pair : a closest winner–loser pair
    o1, o2, u1, u2 : discrepancy counts put into the sample-size formula
    rates : expected rates per ballot (planned, escalated), else None
    sampled : ballots already drawn (escalated), else 0
    n0 : first-step size from the exact logarithm (planned, escalated), else None
    n : sample size; N when a full hand count is needed
    decision : NEXT_ROUND (draw up to n) or FULL_HAND_COUNT (tie, or n would reach N)
    """

    method: str
    rule: str
    alpha: float
    gamma: float
    mu: float
    V: int
    N: int
    pair: Pair
    o1: int
    o2: int
    u1: int
    u2: int
    rates: DiscrepancyRates | None
    sampled: int
    n0: int | None
    n: int
    decision: Decision

    @property
    def U(self) -> float:
        """Total error bound U = 2γ/μ (infinite for a tie)."""
        return math.inf if self.mu == 0 else 2 * self.gamma / self.mu

    @property
    def additional(self) -> int:
        """Ballots still to draw beyond those already sampled (never negative)."""
        return max(0, self.n - self.sampled)

    def to_json(self) -> dict[str, object]:
        out = {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}
        out["U"] = self.U
        return out


@dataclass(frozen=True, slots=True)
class SuperSimpleRisk:
    """The Kaplan–Markov P-value of a super-simple sample.

    Attributes
    ----------
    method, alpha, gamma, mu, V, N, pair : as in :class:`SuperSimpleSampleSize`
    n : draws (with multiplicity)
    o1, o2, u1, u2 : integer discrepancies among the draws
    other : draws with a fractional ẽ (a discrepancy outside the closest pairs)
    p_value : P (S09's P_KM), capped at 1
    decision : CONFIRM if P ≤ α; FULL_HAND_COUNT for a tie or when n ≥ N; else NEXT_ROUND
    """

    method: str
    alpha: float
    gamma: float
    mu: float
    V: int
    N: int
    pair: Pair
    n: int
    o1: int
    o2: int
    u1: int
    u2: int
    other: int
    p_value: float
    decision: Decision

    @property
    def U(self) -> float:
        return math.inf if self.mu == 0 else 2 * self.gamma / self.mu

    def to_json(self) -> dict[str, object]:
        out = {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}
        out["U"] = self.U
        return out


def _closest(contest: AuditContest) -> tuple[Pair, int]:
    pair = min(
        contest.pairs(),
        key=lambda p: (contest.tally[p.winner] - contest.tally[p.loser], p.winner, p.loser),
    )
    return pair, contest.tally[pair.winner] - contest.tally[pair.loser]


def _log_terms(gamma: float) -> tuple[float, float, float, float]:
    """ln(1 − 1/(2γ)), ln(1 − 1/γ), ln(1 + 1/(2γ)), ln(1 + 1/γ)."""
    return (
        math.log1p(-1 / (2 * gamma)),
        math.log1p(-1 / gamma),
        math.log1p(1 / (2 * gamma)),
        math.log1p(1 / gamma),
    )


def _nmin(alpha: float, gamma: float, mu: float, counts: Discrepancies) -> int:
    l1, l2, l3, l4 = _log_terms(gamma)
    s = math.fsum([math.log(alpha), counts.o1 * l1, counts.o2 * l2, counts.u1 * l3, counts.u2 * l4])
    return max(counts.total, math.ceil(-2 * gamma * s / mu))


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def _size_result(
    contest: AuditContest,
    *,
    rule: str,
    alpha: float,
    gamma: float,
    counts: Discrepancies,
    rates: DiscrepancyRates | None,
    sampled: int,
    n0: int | None,
    n: int | None,
) -> SuperSimpleSampleSize:
    pair, v = _closest(contest)
    big_n = contest.ballots
    if n is None or n >= big_n:
        n, decision = big_n, Decision.FULL_HAND_COUNT
    else:
        decision = Decision.NEXT_ROUND
    return SuperSimpleSampleSize(
        method=METHOD,
        rule=rule,
        alpha=alpha,
        gamma=gamma,
        mu=v / big_n,
        V=v,
        N=big_n,
        pair=pair,
        o1=counts.o1,
        o2=counts.o2,
        u1=counts.u1,
        u2=counts.u2,
        rates=rates,
        sampled=sampled,
        n0=n0,
        n=n,
        decision=decision,
    )


def sample_size(
    contest: AuditContest,
    *,
    alpha: float,
    gamma: float = GAMMA,
    observed: Discrepancies | None = None,
) -> SuperSimpleSampleSize:
    """Ballots needed for P ≤ α given these discrepancy counts ("nmin", S10, AGI).

    Parameters
    ----------
    contest : the reported results
    alpha : risk limit in (0, 1)
    gamma : error inflation γ > 1
    observed : discrepancies found (default none)

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> sample_size(c, alpha=0.1).n
    24
    >>> sample_size(c, alpha=0.1, observed=Discrepancies(o1=1)).n
    31
    """
    _check_alpha(alpha)
    _check_gamma(gamma)
    counts = observed or Discrepancies()
    n = None if contest.tied else _nmin(alpha, gamma, contest.diluted_margin(), counts)
    return _size_result(
        contest,
        rule="nmin",
        alpha=alpha,
        gamma=gamma,
        counts=counts,
        rates=None,
        sampled=0,
        n0=None,
        n=n,
    )


def _extrapolated(
    contest: AuditContest,
    *,
    rule: str,
    alpha: float,
    gamma: float,
    rates: DiscrepancyRates,
    sampled: int,
) -> SuperSimpleSampleSize:
    r1, r2, s1, s2 = (_exact(rates.o1), _exact(rates.o2), _exact(rates.u1), _exact(rates.u2))
    mu = contest.diluted_margin()
    l1, l2, l3, l4 = _log_terms(gamma)
    denominator = math.log1p(-mu / (2 * gamma)) - math.fsum(
        [float(r1) * l1, float(r2) * l2, float(s1) * l3, float(s2) * l4]
    )
    if contest.tied or denominator >= 0:
        return _size_result(
            contest,
            rule=rule,
            alpha=alpha,
            gamma=gamma,
            counts=Discrepancies(),
            rates=rates,
            sampled=sampled,
            n0=None,
            n=None,
        )
    n0 = math.ceil(math.log(alpha) / denominator)
    counts = Discrepancies(
        o1=math.ceil(r1 * n0),
        o2=_round_half_up(r2 * n0),
        u1=math.ceil(s1 * n0),
        u2=_round_half_up(s2 * n0),
    )
    return _size_result(
        contest,
        rule=rule,
        alpha=alpha,
        gamma=gamma,
        counts=counts,
        rates=rates,
        sampled=sampled,
        n0=n0,
        n=_nmin(alpha, gamma, mu, counts),
    )


def planned_sample_size(
    contest: AuditContest,
    *,
    alpha: float,
    gamma: float = GAMMA,
    rates: DiscrepancyRates = CUSTOMARY_RATES,
) -> SuperSimpleSampleSize:
    """Initial sample size when discrepancies are expected at ``rates`` (Stark's tool rule).

    See the module docstring for the rounding: one-vote counts up, two-vote counts to nearest.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> planned_sample_size(c, alpha=0.1).n
    27
    """
    _check_alpha(alpha)
    _check_gamma(gamma)
    return _extrapolated(contest, rule="planned", alpha=alpha, gamma=gamma, rates=rates, sampled=0)


def escalated_sample_size(
    contest: AuditContest,
    *,
    alpha: float,
    sampled: int,
    observed: Discrepancies,
    gamma: float = GAMMA,
) -> SuperSimpleSampleSize:
    """Total sample size if discrepancies continue at the rates seen in ``sampled`` draws.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> r = escalated_sample_size(c, alpha=0.1, sampled=27, observed=Discrepancies(o1=1))
    >>> r.n, r.additional
    (38, 11)
    """
    _check_alpha(alpha)
    _check_gamma(gamma)
    if isinstance(sampled, bool) or not isinstance(sampled, int) or sampled < 1:
        raise AnalysisError(f"sampled must be a positive integer, got {sampled!r}")
    if observed.total > sampled:
        raise AnalysisError(f"{observed.total} discrepancies cannot come from {sampled} draws")
    rates = DiscrepancyRates(
        o1=Fraction(observed.o1, sampled),
        o2=Fraction(observed.o2, sampled),
        u1=Fraction(observed.u1, sampled),
        u2=Fraction(observed.u2, sampled),
    )
    return _extrapolated(
        contest, rule="escalated", alpha=alpha, gamma=gamma, rates=rates, sampled=sampled
    )


def rho(alpha: float, gamma: float = GAMMA, lam: float = 0.0) -> float:
    """Sample-size multiplier ρ of S10: with n = ρ/μ the audit can stop with up to λρ
    one-vote overstatements (and no other discrepancies).

    ρ = −ln α / (1/(2γ) + λ ln(1 − 1/(2γ))); it follows from the sample-size formula with
    o1 = λρ.  Raises AnalysisError if λ is so large that no sample suffices.
    """
    _check_alpha(alpha)
    _check_gamma(gamma)
    denominator = 1 / (2 * gamma) + lam * math.log1p(-1 / (2 * gamma))
    if not (lam >= 0 and denominator > 0):
        limit = -1 / (2 * gamma * math.log1p(-1 / (2 * gamma)))
        raise AnalysisError(f"lambda must be in [0, {limit:.6g}), got {lam!r}")
    return -math.log(alpha) / denominator


def ballot_overstatement(
    contest: AuditContest, cvr: Mapping[str, int], mvr: Mapping[str, int]
) -> Fraction:
    """ẽ_p = V·e_p: the maximum relative overstatement of one ballot, in votes of the closest
    pair.

    ``cvr`` and ``mvr`` map choices to 0 or 1 (missing choices are 0): the machine's and the
    auditors' reading of the card.  A card that cannot be found should be scored as a vote for
    every loser and no winner (the worst case).

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> ballot_overstatement(c, {"w": 1}, {"l": 1})
    Fraction(2, 1)
    """
    if contest.tied:
        raise AnalysisError(f"contest {contest.name} is tied: relative overstatements undefined")
    for label, record in (("cvr", cvr), ("mvr", mvr)):
        for choice, mark in record.items():
            if choice not in contest.tally:
                raise AnalysisError(f"{label}: unknown choice {choice!r} in {contest.name}")
            if mark not in (0, 1):
                raise AnalysisError(f"{label}: a choice has 0 or 1 votes, got {mark!r}")
    _, v = _closest(contest)

    def relative(p: Pair) -> Fraction:
        e = (cvr.get(p.winner, 0) - cvr.get(p.loser, 0)) - (
            mvr.get(p.winner, 0) - mvr.get(p.loser, 0)
        )
        return Fraction(e * v, contest.tally[p.winner] - contest.tally[p.loser])

    return max(relative(p) for p in contest.pairs())


def risk(
    contest: AuditContest,
    overstatements: Sequence[int | Fraction],
    *,
    alpha: float,
    gamma: float = GAMMA,
) -> SuperSimpleRisk:
    """Kaplan–Markov P-value after drawing ballots with these ẽ values (one per draw).

    Parameters
    ----------
    overstatements : ẽ of each draw (repeat a ballot drawn twice), each in [−2, 2]; see
        :func:`ballot_overstatement`.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> round(risk(c, [0] * 27, alpha=0.1).p_value, 5)
    0.06507
    """
    _check_alpha(alpha)
    _check_gamma(gamma)
    es = [Fraction(e) for e in overstatements]
    if any(not -2 <= e <= 2 for e in es):
        raise AnalysisError("an overstatement in votes must be between -2 and 2")
    counts = Discrepancies.from_overstatements(es)
    other = sum(1 for e in es if e != 0 and e.denominator != 1)
    pair, v = _closest(contest)
    n, big_n = len(es), contest.ballots
    mu = v / big_n
    if contest.tied:
        p_value = 1.0
    else:
        log_p = n * math.log1p(-mu / (2 * gamma)) - math.fsum(
            math.log1p(-float(e) / (2 * gamma)) for e in es if e != 0
        )
        p_value = min(1.0, math.exp(log_p))
    if not contest.tied and p_value <= alpha:
        decision = Decision.CONFIRM
    elif contest.tied or n >= big_n:
        decision = Decision.FULL_HAND_COUNT
    else:
        decision = Decision.NEXT_ROUND
    return SuperSimpleRisk(
        method=METHOD,
        alpha=alpha,
        gamma=gamma,
        mu=mu,
        V=v,
        N=big_n,
        pair=pair,
        n=n,
        o1=counts.o1,
        o2=counts.o2,
        u1=counts.u1,
        u2=counts.u2,
        other=other,
        p_value=p_value,
        decision=decision,
    )


def risk_from_counts(
    contest: AuditContest,
    n: int,
    observed: Discrepancies,
    *,
    alpha: float,
    gamma: float = GAMMA,
) -> SuperSimpleRisk:
    """Kaplan–Markov P-value from n draws and counts of closest-pair discrepancies.

    Examples
    --------
    >>> c = AuditContest("A", {"w": 60000, "l": 40000}, ballots=100000)
    >>> risk_from_counts(c, 27, Discrepancies(o1=1), alpha=0.1).decision
    <Decision.NEXT_ROUND: 'next_round'>
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < observed.total:
        raise AnalysisError(f"n must be an integer ≥ the {observed.total} discrepancies, got {n!r}")
    draws: list[int] = (
        [1] * observed.o1 + [2] * observed.o2 + [-1] * observed.u1 + [-2] * observed.u2
    )
    draws += [0] * (n - len(draws))
    return risk(contest, draws, alpha=alpha, gamma=gamma)


# ----------------------------------------------------------------------------- stored method


class _StoredSupersimple(ComparisonMethod):
    """Super-simple as a stored audit: the Kaplan–Markov P-value of the overstatements of
    the closest pair; a later round grows to Stark's escalated size."""

    def first_round_size(
        self,
        spec: AuditSpec,
        *,
        batches: Sequence[Batch] = (),
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> int:
        c = spec.contest
        planned = planned_sample_size(c, alpha=spec.risk_limit).n
        return c.ballots if planned is None else min(planned, c.ballots)

    def round_risk(
        self,
        spec: AuditSpec,
        es: Sequence[Fraction],
        readings: Sequence[str],
        records: Sequence[str],
    ) -> ComparisonRound:
        c = spec.contest
        r = risk(c, es, alpha=spec.risk_limit)
        next_size = None
        if r.decision is Decision.NEXT_ROUND:
            counts = Discrepancies.from_overstatements(es)
            grown = escalated_sample_size(
                c, alpha=spec.risk_limit, sampled=len(es), observed=counts
            ).n
            # Grow to Stark's escalated size; should it not exceed the sample, add a round.
            next_size = c.ballots if grown is None else grown
            if next_size <= len(es):
                next_size = len(es) + self.first_round_size(spec)
        return ComparisonRound(r.p_value, {"closest pair": r.p_value}, r.decision, next_size)


STORED = _StoredSupersimple(
    Method.SUPERSIMPLE,
    "ballot comparison",
    "super-simple: Kaplan-Markov on overstatements",
    "Stark, 'Super-simple simultaneous single-ballot RLAs', EVT/WOTE 2010 (audit/supersimple.py)",
    "Stark's escalation: the size at which the discrepancies seen would still suffice",
)
