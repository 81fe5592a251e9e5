"""The round loop shared by the stored methods that draw cards (ballot polling, ballot
comparison), each method supplying only its statistics.

A method module subclasses :class:`PollingMethod` (the risk of every winner–loser pair from
the cumulative sample, and how many draws a later round adds) or :class:`ComparisonMethod`
(the risk of a round from the overstatements so far), and exposes one instance; the registry
(:mod:`ballotproof.audit.methods`) lists it.  The rules common to all of them live here once:

* a ballot not found is the worst case for every pair: when testing the pair w>ℓ it counts
  as a vote for ℓ (one cumulative sample per pair);
* a drawn phantom reads as ``not_found`` whatever was recorded, and a ballot with no cast
  vote record has the record ``phantom`` (:func:`CardMethod.recompute`);
* rounds after one that confirmed or escalated are an error; when the next round's
  cumulative size would reach the number of ballots, the decision is a full hand count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ballotproof.audit.contest import Decision, Pair
from ballotproof.audit.sampler import Batch
from ballotproof.audit.spec import (
    BLANK,
    NOT_FOUND,
    OVERVOTE,
    PHANTOM,
    AuditSpec,
    DrawnBallot,
    Method,
    RoundResult,
    add_overvotes,
    is_phantom,
    marks,
    sample_tally,
)
from ballotproof.errors import AnalysisError

__all__ = [
    "CardMethod",
    "ComparisonMethod",
    "ComparisonRound",
    "PairRisk",
    "PollingMethod",
    "overstatements",
]


@dataclass(frozen=True, slots=True)
class PairRisk:
    """One pair's risk after a round, and whether its test has stopped (confirmed)."""

    risk: float
    confirmed: bool


@dataclass(frozen=True, slots=True)
class ComparisonRound:
    """What a comparison method concludes from the evidence after a round.

    ``pair_risks`` are shown as the round's pair risks; ``risk`` is the contest's.
    """

    risk: float
    pair_risks: Mapping[str, float]
    decision: Decision
    next_size: int | None


@dataclass(frozen=True, slots=True)
class CardMethod:
    """A stored method that draws cards (see :class:`ballotproof.audit.spec.StoredMethod`)."""

    method: Method
    kind: str
    title: str
    source: str
    later_rounds: str

    @property
    def is_comparison(self) -> bool:
        return False

    @property
    def is_batch(self) -> bool:
        return False

    def valid_readings(self, spec: AuditSpec) -> frozenset[str]:
        return frozenset(spec.contest.tally) | {BLANK, OVERVOTE, NOT_FOUND}

    def canonical_reading(self, spec: AuditSpec, text: str) -> str:
        valid = self.valid_readings(spec)
        if text not in valid:
            raise AnalysisError(f"{text!r} is not one of " + ", ".join(sorted(valid)))
        return text

    def first_round_size(
        self,
        spec: AuditSpec,
        *,
        batches: Sequence[Batch] = (),
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> int:
        raise NotImplementedError

    def evaluate(
        self,
        spec: AuditSpec,
        rounds: Sequence[Sequence[str]],
        cvrs: Sequence[Sequence[str]] | None = None,
    ) -> tuple[RoundResult, ...]:
        """Risk and decision after each round from the readings (and records) in draw order."""
        raise NotImplementedError

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
        def reading(d: DrawnBallot) -> str:
            if is_phantom(spec, d.jurisdiction, d.tabulator, d.batch):
                return NOT_FOUND
            return latest[d.ballot_id]

        per_round = [[reading(d) for d in r] for r in rounds]
        if not self.is_comparison:
            return self.evaluate(spec, per_round)
        table = cvrs or {}
        return self.evaluate(
            spec, per_round, [[table.get(d.ballot_id, PHANTOM) for d in r] for r in rounds]
        )


def overstatements(
    spec: AuditSpec, interpretations: Sequence[str], cvrs: Sequence[str]
) -> list[Fraction]:
    """ẽ of each draw: the cast vote record against the auditors' reading (Stark 2010)."""
    # Imported here: supersimple's own stored method subclasses this module's classes.
    from ballotproof.audit import supersimple

    valid = spec.valid_interpretations()
    for choice in interpretations:
        if choice not in valid:
            raise AnalysisError(f"{choice!r} is not a choice of contest {spec.contest.name}")
    for choice in cvrs:
        if choice not in valid and choice != PHANTOM:
            raise AnalysisError(f"{choice!r} is not a choice of contest {spec.contest.name}")
    return [
        supersimple.ballot_overstatement(spec.contest, marks(spec, cvr), marks(spec, mvr))
        for mvr, cvr in zip(interpretations, cvrs, strict=True)
    ]


def _tied(spec: AuditSpec) -> tuple[RoundResult, ...]:
    c = spec.contest
    return (RoundResult(1, 0, dict.fromkeys(c.tally, 0), 1.0, {}, Decision.FULL_HAND_COUNT, None),)


class PollingMethod(CardMethod):
    """Ballot polling: one test per winner–loser pair on the cumulative sample."""

    def pair_risks(
        self,
        spec: AuditSpec,
        readings: Sequence[str],
        per_pair: Mapping[Pair, Sequence[Mapping[str, int]]],
        sizes: Sequence[int],
    ) -> dict[Pair, PairRisk]:
        """Every pair's risk after the latest round.

        ``readings`` are every draw's reading so far; ``per_pair[p][j]`` is the cumulative
        tally after round j + 1 with a ballot not found counted for p's loser; ``sizes`` the
        cumulative sizes.
        """
        raise NotImplementedError

    def more_draws(
        self,
        spec: AuditSpec,
        readings: Sequence[str],
        per_pair: Mapping[Pair, Sequence[Mapping[str, int]]],
    ) -> int:
        """Draws the next round adds; by default the first round's size again (``step``)."""
        return self.first_round_size(spec)

    def evaluate(
        self,
        spec: AuditSpec,
        rounds: Sequence[Sequence[str]],
        cvrs: Sequence[Sequence[str]] | None = None,
    ) -> tuple[RoundResult, ...]:
        c = spec.contest
        if c.tied:
            return _tied(spec)
        results: list[RoundResult] = []
        cumulative: list[str] = []
        sizes: list[int] = []
        per_pair: dict[Pair, list[dict[str, int]]] = {p: [] for p in c.pairs()}
        for number, draws in enumerate(rounds, start=1):
            if results and results[-1].decision is not Decision.NEXT_ROUND:
                raise AnalysisError(f"round {number} follows a round that ended the audit")
            cumulative += list(draws)
            sizes.append(len(cumulative))
            for pair, samples in per_pair.items():
                samples.append(sample_tally(spec, cumulative, not_found_to=pair.loser))
            risks = self.pair_risks(spec, cumulative, per_pair, sizes)
            pairs = {str(p): risks[p].risk for p in c.pairs()}
            confirmed = all(risks[p].confirmed for p in c.pairs())
            decision = Decision.CONFIRM if confirmed else Decision.NEXT_ROUND
            next_size = None
            if decision is Decision.NEXT_ROUND:
                next_size = len(cumulative) + self.more_draws(spec, cumulative, per_pair)
                if next_size >= c.ballots:
                    decision, next_size = Decision.FULL_HAND_COUNT, None
            shown = sample_tally(spec, cumulative, not_found_to=None)
            shown[NOT_FOUND] = sum(1 for x in cumulative if x == NOT_FOUND)
            add_overvotes(shown, cumulative)
            results.append(
                RoundResult(
                    number, len(cumulative), shown, max(pairs.values()), pairs, decision,
                    next_size,
                )
            )  # fmt: skip
        return tuple(results)


class ComparisonMethod(CardMethod):
    """Ballot comparison: each drawn card's reading against its cast vote record."""

    @property
    def is_comparison(self) -> bool:
        return True

    def round_risk(
        self,
        spec: AuditSpec,
        es: Sequence[Fraction],
        readings: Sequence[str],
        records: Sequence[str],
    ) -> ComparisonRound:
        """The risk and decision from every draw so far: ``es`` the overstatements (Stark
        2010's ẽ), ``readings`` and ``records`` the card and its CVR, in draw order."""
        raise NotImplementedError

    def evaluate(
        self,
        spec: AuditSpec,
        rounds: Sequence[Sequence[str]],
        cvrs: Sequence[Sequence[str]] | None = None,
    ) -> tuple[RoundResult, ...]:
        if cvrs is None or [len(r) for r in cvrs] != [len(r) for r in rounds]:
            raise AnalysisError("a comparison audit needs the cast vote record of every draw")
        if spec.contest.tied:
            return _tied(spec)
        from ballotproof.audit import supersimple  # (see overstatements)

        results: list[RoundResult] = []
        es: list[Fraction] = []
        readings: list[str] = []
        records: list[str] = []
        for number, (draws, cvr) in enumerate(zip(rounds, cvrs, strict=True), start=1):
            if results and results[-1].decision is not Decision.NEXT_ROUND:
                raise AnalysisError(f"round {number} follows a round that ended the audit")
            es += overstatements(spec, draws, cvr)
            readings += list(draws)
            records += list(cvr)
            r = self.round_risk(spec, es, readings, records)
            decision, next_size = r.decision, r.next_size
            if decision is Decision.NEXT_ROUND and (
                next_size is None or next_size >= spec.contest.ballots
            ):
                decision, next_size = Decision.FULL_HAND_COUNT, None
            counts = supersimple.Discrepancies.from_overstatements(es)
            sample = sample_tally(spec, readings)
            sample[NOT_FOUND] = sum(1 for x in readings if x == NOT_FOUND)
            add_overvotes(sample, readings)
            sample.update(
                {f"discrepancy_{k}": getattr(counts, k) for k in ("o1", "o2", "u1", "u2")}
            )
            results.append(
                RoundResult(number, len(es), sample, r.risk, r.pair_risks, decision, next_size)
            )
        return tuple(results)
