"""The call rule: when a state may be called, and which recount threshold holds a call back.

A state is called for its current leader L at the first moment when both

1. P(L wins) ≥ c, the confidence (default 0.995), and
2. P(|final margin| ≤ τ) ≤ 1 − c, where τ is the state's *public recount threshold*: the
   largest margin at which the law recounts automatically or lets the loser demand a recount
   at public expense (``who_pays`` of the state, its counties or the public). A race likely to
   end inside it is not called: a recount could still move it, and a call made then is the
   kind that feeds claims of a stolen count.

A call is never withdrawn. If the called candidate's probability later falls below 1/2 (the
called candidate is no longer even the favourite), the engine records that the call *would
have had to be withdrawn*, and the backtest counts it with the wrong calls; it also reports,
for every call, the lowest probability the called candidate had afterwards. A call for the
candidate who lost in the certified result is a wrong call.

Thresholds come from the results module's recount-rule table
(:mod:`ballotproof.model.recount`); for a percentage of a base other than the office total
the model uses its estimate, at that moment, of the final total of all votes: larger than a
two-candidate base by the third-party share (about 1–2% in 2020) and about twice a
winner's-votes base (Colorado), so τ is generous there — which only makes the rule more
cautious, never less.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ballotproof.model.recount import RecountKind, RecountRule, ThresholdCombine

__all__ = ["PUBLIC_PAYERS", "CallRule", "Threshold", "public_threshold"]

PUBLIC_PAYERS = frozenset({"public", "state", "counties"})


@dataclass(frozen=True, slots=True)
class Threshold:
    """A state's public recount threshold, from one or more rules of its law.

    ``parts`` holds, per rule, (percent of the final total or ``None``, votes or ``None``,
    whether the lesser of the two applies — else the greater). The threshold in votes at a given
    final total is the most generous rule's; it is evaluated at the engine's *current* estimate
    of the final total, never at the certified one.
    """

    parts: tuple[tuple[float | None, float | None, bool], ...]
    citation: str

    def votes_at(self, total: float) -> float:
        best = 0.0
        for pct, votes, lesser in self.parts:
            options = [
                x for x in (None if pct is None else pct / 100.0 * total, votes) if x is not None
            ]
            if options:
                best = max(best, min(options) if lesser else max(options))
        return best


def public_threshold(rules: Iterable[RecountRule]) -> Threshold | None:
    """The automatic or publicly paid recount rules among ``rules``, as one threshold."""
    parts = []
    citations = []
    for rule in rules:
        if rule.any_margin or rule.kind is RecountKind.NONE:
            continue
        if rule.kind is RecountKind.REQUEST and rule.who_pays not in PUBLIC_PAYERS:
            continue
        pct = float(rule.threshold_pct) if rule.threshold_pct is not None else None
        votes = float(rule.threshold_votes) if rule.threshold_votes is not None else None
        parts.append((pct, votes, rule.combine is ThresholdCombine.LESSER))
        citations.append(rule.citation)
    return Threshold(tuple(parts), "; ".join(citations)) if parts else None


@dataclass(frozen=True, slots=True)
class CallRule:
    """The rule's parameters: confidence c, and whether recount thresholds hold calls back."""

    confidence: float = 0.995
    respect_recount: bool = True

    def __post_init__(self) -> None:
        if not 0.5 < self.confidence < 1.0:
            raise ValueError("confidence must lie strictly between 0.5 and 1")

    def may_call(self, p_leader: float, p_within: float) -> bool:
        if p_leader < self.confidence:
            return False
        return not (self.respect_recount and p_within > 1.0 - self.confidence)

    def would_withdraw(self, p_called: float) -> bool:
        """A call is untenable once its candidate is no longer the favourite."""
        return p_called < 0.5
