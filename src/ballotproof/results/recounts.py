"""Recount eligibility: does a state's margin fall within its recount thresholds?

For every state the margin between the winner and the runner-up is compared with each rule of
that state in the rule table (:class:`~ballotproof.model.recount.RecountRule`):

* a percentage threshold p of base B qualifies when ``margin ≤ p/100 · B`` (``<`` when the rule
  is strict), computed exactly with fractions; B is the votes cast for all candidates
  (``office_total``), for the top two (``top_two_total``, ``winner_and_petitioner``), for the
  winner alone (``winner_votes``), or all votes including blank lines
  (``jurisdiction_total_votes``);
* a vote threshold V qualifies when ``margin ≤ V``;
* a rule with both combines them as the statute says (``lesser``: both must hold).

The status of a state is ``automatic`` if an automatic rule qualifies, else ``requestable`` if a
request rule does, else ``not_eligible``; ``no_recount`` where the law provides no recount for
the office (Mississippi; Tennessee, where only a court hearing an election contest may order
one). A state with no rule in the table is ``unknown``: never reported as ineligible.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from ballotproof.model import Election, UnitType
from ballotproof.model.recount import MarginBase, RecountKind, RecountRule, ThresholdCombine
from ballotproof.results.tabulate import UnitResult, tabulate_unit

__all__ = ["RecountCheck", "RecountStatus", "RuleCheck", "check_rule", "recount_eligibility"]


class RecountStatus(StrEnum):
    AUTOMATIC = "automatic"
    REQUESTABLE = "requestable"
    NOT_ELIGIBLE = "not_eligible"
    NO_RECOUNT = "no_recount"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule applied to one state's result.

    ``threshold_votes`` is the largest margin (in votes, possibly fractional) that still
    qualifies, or ``None`` when any margin qualifies (or, for a rule of kind ``none``, none
    does: ``qualifies`` is then false); ``spare`` is that minus the margin.
    """

    rule: RecountRule
    threshold_votes: Fraction | None
    qualifies: bool

    def spare(self, margin: int) -> Fraction | None:
        return None if self.threshold_votes is None else self.threshold_votes - margin


@dataclass(frozen=True, slots=True)
class RecountCheck:
    """A state's recount status, with every rule checked."""

    state: str
    result: UnitResult
    status: RecountStatus
    checks: tuple[RuleCheck, ...]

    @property
    def margin(self) -> int:
        return self.result.margin


def _base_votes(result: UnitResult, base: MarginBase) -> int:
    if base is MarginBase.OFFICE_TOTAL:
        return result.votes_cast
    if base is MarginBase.JURISDICTION_TOTAL:
        return result.votes_cast + result.other_lines
    if base is MarginBase.WINNER_VOTES:
        return result.votes[0][1] if result.votes else 0
    return sum(v for _, v in result.votes[:2])


def check_rule(rule: RecountRule, result: UnitResult) -> RuleCheck:
    """Apply one rule to one unit's result (exact arithmetic)."""
    if rule.kind is RecountKind.NONE:
        return RuleCheck(rule, None, False)
    if rule.any_margin:
        return RuleCheck(rule, None, True)
    limits: list[Fraction] = []
    if rule.threshold_pct is not None:
        limits.append(rule.threshold_pct / 100 * _base_votes(result, rule.base))
    if rule.threshold_votes is not None:
        limits.append(Fraction(rule.threshold_votes))
    if len(limits) == 1:
        limit = limits[0]
    elif rule.combine is ThresholdCombine.LESSER:
        limit = min(limits)
    else:  # greater or either: the more generous threshold decides
        limit = max(limits)
    margin = Fraction(result.margin)
    ok = margin <= limit if rule.inclusive else margin < limit
    return RuleCheck(rule, limit, ok)


def recount_eligibility(
    election: Election, rules: Iterable[RecountRule], contest_id: str | None = None
) -> tuple[RecountCheck, ...]:
    """Recount status of every state, closest margin first."""
    contest = election.contest(contest_id)
    by_state: dict[str, list[RecountRule]] = {}
    for r in rules:
        by_state.setdefault(r.state, []).append(r)
    out: list[RecountCheck] = []
    for unit in election.units:
        if unit.type is not UnitType.STATE or unit.id not in contest.totals:
            continue
        result = tabulate_unit(contest, unit.id)
        checks = tuple(check_rule(r, result) for r in by_state.get(unit.id, []))
        if not checks:
            status = RecountStatus.UNKNOWN
        elif all(c.rule.kind is RecountKind.NONE for c in checks):
            status = RecountStatus.NO_RECOUNT
        elif any(c.qualifies and c.rule.kind is RecountKind.AUTOMATIC for c in checks):
            status = RecountStatus.AUTOMATIC
        elif any(c.qualifies and c.rule.kind is RecountKind.REQUEST for c in checks):
            status = RecountStatus.REQUESTABLE
        else:
            status = RecountStatus.NOT_ELIGIBLE
        out.append(RecountCheck(unit.id, result, status, checks))
    out.sort(key=lambda c: (c.result.margin_fraction, c.state))
    return tuple(out)
