"""Several contests from one sample: each contest's risk on the same draws, the sample size of
the set with card-style sampling, and the stored method ``shangrla-comparison``.

Sources: [SHANGRLA] and [ALPHA] as in :mod:`ballotproof.audit.assertions`, whose assertions,
assorters and phantom rule this module tests.

Risk
----
Every draw whose CVR contains contest c is a uniform draw (with replacement) from c's N_c
cards, so each assertion's ALPHA test [ALPHA] runs on those draws in draw order with μ = 1/2,
d = ∞, ε = 0 and η fixed: SHANGRLA's ``optimal_comparison`` value for u_B (comparison,
:func:`ballotproof.audit.alpha.optimal_comparison_eta`), or the reported assorter mean (1 + v)/2
(polling).  Its P-value is ``min(1, 1/max_k T_k)``.  A contest's risk is the largest P-value
of its assertions; the set is confirmed when every *targeted* contest's risk is at most α.
Opportunistic contests are measured on the same draws and reported, not required.

Sample sizes and card-style sampling [SHANGRLA §4; ``Audit.find_sample_size``]
------------------------------------------------------------------------------
The sample is drawn uniformly, with replacement, from a *universe* of U cards that includes
every card of every contest of the audit (targeted or opportunistic), so that the draws whose
CVR contains contest c are uniform over c's N_c cards.  For a targeted contest needing n_c
draws of its own cards, the expected number of universe draws is n_c · U / N_c; the set needs
the largest of these (:func:`set_sample_size`).  SHANGRLA's consistent sampling
(``Audit.find_sample_size`` with ``use_style``, ``CVR.consistent_sampling``) instead gives
each card the probability max over its contests of n_c/N_c and needs fewer cards in all;
this module's rule is the simpler one that uniform draws from one frame allow.  When every
CVR is right, each comparison draw of c has B = 1/(2 − v/u) and T grows by the constant
factor ``f = 1 + λ(B − 1/2)``, ``λ = (η − 1/2)/((u_B − 1/2)/2)``, so
``n_c = max over assertions ⌈ln(1/α) / ln f⌉`` (exact: SHANGRLA's ``NonnegMean.alpha_mart``
with ``optimal_comparison`` on error-free data crosses α at the same draw, with replacement).
Later rounds: the same from ``ln T_n`` of each assertion not yet confirmed
(:func:`next_round_size`).  T is a nonnegative supermartingale under each null whatever rule
chooses when to look, so this keeps the risk limit.

The stored method (``shangrla-comparison``) draws from the whole ballot manifest (U = the
manifest's cards plus phantoms: every contest's cards are in it).  A drawn card whose CVR holds
none of the audit's contests counts for no contest: the retrieval list marks it not to be
pulled and fills in its reading, ``{}`` (:mod:`ballotproof.usecases.retrieval`), so only cards
holding an audited contest are retrieved, and the sizes above already count the draws that
land elsewhere (U/N_c).  A frame made of those cards alone (a smaller U, fewer draws) is not
built yet.

Assumptions: the CVRs' card styles are right (a card whose CVR lacks a contest does not contain
it); N_c counts every card containing c; draws are uniform with replacement from the universe.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np

from ballotproof.audit import alpha
from ballotproof.audit.assertions import (
    Assertion,
    AuditedContest,
    Card,
    assertions_for,
    comparison_bound,
    margins,
    overstatement_value,
    polling_value,
)
from ballotproof.audit.contest import Decision, jsonable
from ballotproof.audit.sampler import Batch
from ballotproof.audit.spec import (
    NOT_FOUND,
    AuditSpec,
    DrawnBallot,
    Method,
    RoundResult,
    is_phantom,
)
from ballotproof.errors import AnalysisError

__all__ = [
    "STORED",
    "AssertionRisk",
    "ContestRisk",
    "SetRisk",
    "assertion_sample_size",
    "card_text",
    "contest_sample_size",
    "next_round_size",
    "parse_card",
    "reported_problems",
    "set_risk",
    "set_sample_size",
]


def _eta_and_bound(assertion: Assertion, v: Fraction, *, comparison: bool) -> tuple[float, float]:
    if comparison:
        u_b = float(comparison_bound(assertion, v))
        return alpha.optimal_comparison_eta(u_b), u_b
    return float((1 + v) / 2), float(assertion.u)


@dataclass(frozen=True, slots=True)
class AssertionRisk:
    """One assertion's ALPHA test on the draws of its contest.

    Attributes
    ----------
    contest, assertion : which (``"w v ℓ"``)
    v : the reported assorter margin
    u : the test's upper bound (u_B for comparison, the assorter's u for polling)
    eta : the fixed alternative η
    n : draws of the contest's cards so far
    T : max_k T_k
    p_value : min(1, 1/T)
    T_n : T after the last draw (where the next draws start from)
    """

    contest: str
    assertion: str
    v: float
    u: float
    eta: float
    n: int
    T: float
    p_value: float
    T_n: float


@dataclass(frozen=True, slots=True)
class ContestRisk:
    """A contest's risk: the largest P-value of its assertions.

    Attributes
    ----------
    contest : its name
    targeted : whether the audit must confirm it
    n : draws of its cards so far
    risk : max over its assertions (1 if it has no positive margin: no sample can confirm it)
    assertions : every assertion's test
    confirmed : risk ≤ α
    """

    contest: str
    targeted: bool
    n: int
    risk: float
    assertions: tuple[AssertionRisk, ...]
    confirmed: bool


@dataclass(frozen=True, slots=True)
class SetRisk:
    """Every contest's risk on the same draws.

    Attributes
    ----------
    risk_limit : α
    comparison : ballot comparison (True) or ballot polling
    n : draws so far
    contests : every contest's risk, targeted ones first as given
    risk : the largest risk of a targeted contest
    decision : CONFIRM when every targeted contest is confirmed, else NEXT_ROUND
    """

    risk_limit: float
    comparison: bool
    n: int
    contests: tuple[ContestRisk, ...]
    risk: float
    decision: Decision

    def to_json(self) -> dict[str, object]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}


def _values(
    assertion: Assertion,
    v: Fraction,
    cvrs: Sequence[Card],
    mvrs: Sequence[Card | None],
    *,
    comparison: bool,
) -> np.ndarray:
    """The test's data: one value per draw whose CVR contains the contest, in draw order."""
    c = assertion.contest
    out = [
        overstatement_value(assertion, v, cvr, mvr) if comparison else polling_value(assertion, mvr)
        for cvr, mvr in zip(cvrs, mvrs, strict=True)
        if c in cvr
    ]
    return np.asarray([float(x) for x in out], dtype=np.float64)


def _test(
    x: np.ndarray, assertion: Assertion, v: Fraction, *, comparison: bool
) -> tuple[float, float, float, float, float]:
    """(η, u, max T, p, last T) of the assertion's ALPHA test on x: p = 1 / max T (T_0 = 1),
    as :func:`ballotproof.audit.alpha.risk` computes it, from one pass of the martingale."""
    eta, u = _eta_and_bound(assertion, v, comparison=comparison)
    if v <= 0 or eta <= 0.5:
        return eta, u, 0.0, 1.0, 0.0
    if not len(x):
        return eta, u, 1.0, 1.0, 1.0
    e = min(eta, u)
    t = alpha.alpha_martingale(x, eta0=e, u=u, N=None, d=math.inf, epsilon=0.0)
    big_t = float(np.max(t))
    return eta, u, big_t, 1.0 if big_t <= 1.0 else 1.0 / big_t, float(t[-1])


def set_risk(
    contests: Sequence[AuditedContest],
    reported_margins: Mapping[Assertion, Fraction],
    cvrs: Sequence[Card],
    mvrs: Sequence[Card | None],
    *,
    risk_limit: float,
    comparison: bool = True,
) -> SetRisk:
    """Every contest's risk from the draws so far (module notes).

    ``cvrs[i]`` and ``mvrs[i]`` are the CVR and the reading of draw i, in draw order (a phantom
    draw's CVR contains its contests with no votes; its reading is ``None``).
    ``reported_margins`` are :func:`margins` of every contest's assertions.
    """
    if not 0.0 < risk_limit < 1.0:
        raise AnalysisError(f"risk limit must be in (0, 1), got {risk_limit!r}")
    if len(cvrs) != len(mvrs):
        raise AnalysisError("every draw needs its CVR and its reading")
    out: list[ContestRisk] = []
    for contest in contests:
        tests: list[AssertionRisk] = []
        n = sum(1 for cvr in cvrs if contest.name in cvr)
        for a in assertions_for(contest):
            v = reported_margins[a]
            x = _values(a, v, cvrs, mvrs, comparison=comparison)
            eta, u, t, p, t_n = _test(x, a, v, comparison=comparison)
            tests.append(AssertionRisk(contest.name, a.name, float(v), u, eta, n, t, p, t_n))
        risk = max(t.p_value for t in tests)
        out.append(
            ContestRisk(contest.name, contest.targeted, n, risk, tuple(tests), risk <= risk_limit)
        )
    targeted = [c for c in out if c.targeted]
    if not targeted:
        raise AnalysisError("an audit needs at least one targeted contest")
    worst = max(c.risk for c in targeted)
    decision = Decision.CONFIRM if all(c.confirmed for c in targeted) else Decision.NEXT_ROUND
    return SetRisk(risk_limit, comparison, len(cvrs), tuple(out), worst, decision)


def _clean_factor(assertion: Assertion, v: Fraction) -> tuple[float, float]:
    """(f, η): T's factor for an error-free comparison draw, and η."""
    eta, u_b = _eta_and_bound(assertion, v, comparison=True)
    clean = float(1 / (2 - v / assertion.u))
    lam = (eta - 0.5) / (0.5 * (u_b - 0.5))
    return 1.0 + lam * (clean - 0.5), eta


def assertion_sample_size(
    assertion: Assertion, v: Fraction, *, risk_limit: float, log_t: float = 0.0
) -> int | None:
    """Draws of the contest's cards after which the assertion's comparison test reaches 1/α
    if every CVR is right, from ln T = ``log_t`` so far: ``⌈(ln(1/α) − ln T)/ln f⌉`` (module
    notes); 0 if already there, ``None`` if it never gets there (margin ≤ 0).

    Examples
    --------
    >>> a = Assertion("M", "A", "B", Fraction(1))
    >>> assertion_sample_size(a, Fraction(1, 10), risk_limit=0.05)
    59
    """
    if v <= 0:
        return None
    f, eta = _clean_factor(assertion, v)
    if eta <= 0.5 or f <= 1.0:
        return None
    left = math.log(1.0 / risk_limit) - log_t
    return max(0, math.ceil(left / math.log(f) - 1e-12))


def contest_sample_size(
    contest: AuditedContest,
    reported_margins: Mapping[Assertion, Fraction],
    *,
    risk_limit: float,
    log_t: Mapping[str, float] | None = None,
) -> int | None:
    """n_c: the largest :func:`assertion_sample_size` of the contest's assertions (``log_t``:
    ln T so far by assertion name); ``None`` if one can never be confirmed."""
    need = 0
    for a in assertions_for(contest):
        n = assertion_sample_size(
            a, reported_margins[a], risk_limit=risk_limit, log_t=(log_t or {}).get(a.name, 0.0)
        )
        if n is None:
            return None
        need = max(need, n)
    return need


def set_sample_size(
    contests: Sequence[AuditedContest],
    reported_margins: Mapping[Assertion, Fraction],
    *,
    universe: int,
    risk_limit: float,
    log_t: Mapping[str, Mapping[str, float]] | None = None,
) -> int | None:
    """Universe draws for every targeted contest to expect its n_c own cards:
    max over targeted c of ⌈n_c · U / N_c⌉ (card-style sampling, module notes); ``None`` if a
    targeted contest can never be confirmed."""
    size = 0
    for c in contests:
        if not c.targeted:
            continue
        n = contest_sample_size(
            c, reported_margins, risk_limit=risk_limit, log_t=(log_t or {}).get(c.name)
        )
        if n is None:
            return None
        size = max(size, math.ceil(Fraction(n * universe, c.cards)))
    return size


def next_round_size(
    contests: Sequence[AuditedContest],
    reported_margins: Mapping[Assertion, Fraction],
    so_far: SetRisk,
    *,
    universe: int,
) -> int | None:
    """Universe draws to add so that, if every card drawn from now on is error-free, every
    targeted contest is confirmed (from each assertion's T so far); at least 1, ``None`` if
    some targeted contest cannot be confirmed."""
    log_t = {
        c.contest: {
            # an assertion already confirmed needs nothing more; the others start from T_n
            a.assertion: (
                math.log(1 / so_far.risk_limit)
                if a.p_value <= so_far.risk_limit
                else math.log(a.T_n)
                if a.T_n > 0
                else -math.inf
            )
            for a in c.assertions
        }
        for c in so_far.contests
        if c.targeted and not c.confirmed
    }
    if any(math.isinf(x) for d in log_t.values() for x in d.values()):
        return None
    pending = [c for c in contests if c.name in log_t]
    more = set_sample_size(
        pending, reported_margins, universe=universe, risk_limit=so_far.risk_limit, log_t=log_t
    )
    return None if more is None else max(1, more)


# ----------------------------------------------------------------------------- stored method


def parse_card(spec: AuditSpec, text: str, *, what: str = "a reading") -> Card | None:
    """A reading or CVR as stored: canonical JSON ``{"contest": ["choice", …], …}`` naming
    only contests of the audit and their choices, or ``not_found`` (``None``)."""
    if text == NOT_FOUND:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise AnalysisError(
            f"{what} is not_found or a JSON object of contest: [choices], got {text!r}"
        ) from None
    if not isinstance(data, dict):
        raise AnalysisError(f"{what} is a JSON object of contest: [choices], got {text!r}")
    choices = {c.name: set(c.choices) for c in spec.contests}
    card: dict[str, tuple[str, ...]] = {}
    for contest, marks in data.items():
        if contest not in choices:
            raise AnalysisError(f"{contest!r} in {what} is not a contest of the audit")
        if not isinstance(marks, list) or any(not isinstance(m, str) for m in marks):
            raise AnalysisError(f"contest {contest!r} in {what} needs a list of choices")
        if len(set(marks)) != len(marks) or any(m not in choices[contest] for m in marks):
            raise AnalysisError(
                f"contest {contest!r} in {what} takes distinct choices among "
                + ", ".join(sorted(choices[contest]))
                + f", got {marks!r}"
            )
        card[contest] = tuple(sorted(marks))
    return card


def card_text(card: Card) -> str:
    """A card as canonical JSON: contests and choices sorted, no spaces."""
    return json.dumps(
        {k: sorted(card[k]) for k in sorted(card)}, separators=(",", ":"), ensure_ascii=False
    )


@dataclass(frozen=True, slots=True)
class _StoredShangrla:
    """Several contests from one sample, ballot comparison (module notes).

    Readings and CVRs are canonical JSON cards (:func:`card_text`); a ballot with no CVR has
    the phantom record, a card containing every contest of the audit with no vote, and a
    phantom's reading is ``not_found``."""

    method: Method
    kind: str
    title: str
    source: str
    later_rounds: str

    @property
    def is_comparison(self) -> bool:
        return True

    @property
    def is_batch(self) -> bool:
        return False

    def valid_readings(self, spec: AuditSpec) -> frozenset[str]:
        return frozenset()  # parsed: canonical_reading

    def canonical_reading(self, spec: AuditSpec, text: str) -> str:
        card = parse_card(spec, text)
        return NOT_FOUND if card is None else card_text(card)

    def first_round_size(
        self,
        spec: AuditSpec,
        *,
        batches: Sequence[Batch] = (),
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> int:
        universe = spec.contest.ballots
        size = set_sample_size(
            spec.contests, _margins(spec), universe=universe, risk_limit=spec.risk_limit
        )
        return universe if size is None else min(size, universe)

    def evaluate(
        self,
        spec: AuditSpec,
        rounds: Sequence[Sequence[Card | None]],
        cvrs: Sequence[Sequence[Card]],
    ) -> tuple[RoundResult, ...]:
        """Every contest's risk and the set's decision after each round, from the readings
        and CVRs of every draw in draw order."""
        margins_ = _margins(spec)
        universe = spec.contest.ballots
        results: list[RoundResult] = []
        mvrs: list[Card | None] = []
        records: list[Card] = []
        for number, (draws, cvr) in enumerate(zip(rounds, cvrs, strict=True), start=1):
            if results and results[-1].decision is not Decision.NEXT_ROUND:
                raise AnalysisError(f"round {number} follows a round that ended the audit")
            mvrs += list(draws)
            records += list(cvr)
            r = set_risk(spec.contests, margins_, records, mvrs, risk_limit=spec.risk_limit)
            decision, next_size = r.decision, None
            if decision is Decision.NEXT_ROUND:
                more = next_round_size(spec.contests, margins_, r, universe=universe)
                next_size = None if more is None else len(records) + more
                if next_size is None or next_size >= universe:
                    decision, next_size = Decision.FULL_HAND_COUNT, None
            sample = {c.contest: c.n for c in r.contests}
            sample[NOT_FOUND] = sum(1 for m in mvrs if m is None)
            risks: dict[str, float] = {}
            for c in r.contests:
                risks[c.contest] = c.risk
                risks.update({f"{c.contest}: {t.assertion}": t.p_value for t in c.assertions})
            results.append(
                RoundResult(number, len(records), sample, r.risk, risks, decision, next_size)
            )
        return tuple(results)

    def recompute(
        self,
        spec: AuditSpec,
        batches: Sequence[Batch],
        rounds: Sequence[Sequence[DrawnBallot]],
        latest: Mapping[str, str],
        *,
        cvrs: Mapping[str, str] | None = None,
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> tuple[RoundResult, ...]:
        table = cvrs or {}
        phantom_record: Card = {c.name: () for c in spec.contests}
        parsed: dict[str, Card | None] = {}

        def reading(d: DrawnBallot) -> Card | None:
            if is_phantom(spec, d.jurisdiction, d.tabulator, d.batch):
                return None
            text = latest[d.ballot_id]
            if text not in parsed:
                parsed[text] = parse_card(spec, text)
            return parsed[text]

        def record(d: DrawnBallot) -> Card:
            text = table.get(d.ballot_id)
            if text is None:
                return phantom_record
            card = parse_card(spec, text, what="a cast vote record")
            if card is None:
                raise AnalysisError(
                    f"the cast vote record of ballot {d.ballot_id} reads not_found: a record "
                    "is what the machine read, never a missing card"
                )
            return card

        return self.evaluate(
            spec,
            [[reading(d) for d in r] for r in rounds],
            [[record(d) for d in r] for r in rounds],
        )


def _margins(spec: AuditSpec) -> dict[Assertion, Fraction]:
    out: dict[Assertion, Fraction] = {}
    for c in spec.contests:
        for a in assertions_for(c):
            out[a] = spec.margins[(c.name, a.name)]
    return out


STORED = _StoredShangrla(
    Method.SHANGRLA_COMPARISON,
    "ballot comparison",
    "Several contests (plurality, vote-for-n, supermajority) from one card-style sample: "
    "SHANGRLA overstatement assertions, ALPHA with SHANGRLA's optimal_comparison η",
    "Stark, SHANGRLA, Voting '20; Stark, Ann. Appl. Stat. 2023 "
    "(audit/assertions.py, audit/multi.py)",
    "sized by the evidence: enough error-free cards of each targeted contest to reach 1/α",
)


def reported_problems(spec: AuditSpec, cvrs: Mapping[str, str], frame: int) -> list[str]:
    """What the specification of a multi-contest audit says that its cast vote records do
    not: each contest's N_c must be the cards whose CVR holds it plus every card of the frame
    (``frame`` cards, phantoms included) without a CVR, and each assertion's margin must be
    :func:`~ballotproof.audit.assertions.margins` of those cards.  Empty when all agree."""
    cards: list[Card] = []
    problems: list[str] = []
    for bid, text in cvrs.items():
        try:
            card = parse_card(spec, text, what=f"the cast vote record of {bid}")
        except AnalysisError as exc:
            problems.append(str(exc))
            continue
        if card is None:
            problems.append(f"the cast vote record of {bid} reads not_found")
            continue
        cards.append(card)
    without = frame - len(cvrs)
    for c in spec.contests:
        want = sum(1 for card in cards if c.name in card) + without
        if c.cards != want:
            problems.append(f"contest {c.name!r}: {c.cards} cards stated, the records give {want}")
            continue
        for a, v in margins(c, cards).items():
            if spec.margins.get((c.name, a.name)) != v:
                problems.append(
                    f"contest {c.name!r}, {a.name}: margin {spec.margins.get((c.name, a.name))} "
                    f"stated, the records give {v}"
                )
    return problems
