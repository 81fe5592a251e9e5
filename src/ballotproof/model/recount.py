"""Recount rules: when a state's law recounts a contest automatically, or on request.

One :class:`RecountRule` is one row of the packaged table ``data/recount_rules.csv`` (or a
user's table in the same format). A state may have several rules: Wisconsin, for example, lets a
candidate petition within 1% and recounts free of charge within 0.25%.

Laws change: a rule carries the election years it applies to (``in_force_from`` …
``in_force_until``, inclusive; ``None`` is open-ended), and :meth:`RecountRule.in_force` says
whether it applies in a given year, so each election is judged by the rules of its own year
(Arizona's automatic recount: 0.1% or 200 votes until 2021, 0.5% from 2022).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from ballotproof.errors import IntegrityError

__all__ = ["MarginBase", "RecountKind", "RecountRule", "ThresholdCombine", "rules_in_force"]


class RecountKind(StrEnum):
    AUTOMATIC = "automatic"
    REQUEST = "request"
    NONE = "none"  # the law provides no recount for the office (a court may order one in a contest)


class MarginBase(StrEnum):
    """What a percentage threshold is a share of."""

    OFFICE_TOTAL = "office_total"  # all votes cast for candidates for the office
    TOP_TWO_TOTAL = "top_two_total"  # votes for the two leading candidates
    WINNER_AND_PETITIONER = "winner_and_petitioner"  # same as top two for the runner-up
    WINNER_VOTES = "winner_votes"  # the leading candidate's votes (Colorado)
    JURISDICTION_TOTAL = "jurisdiction_total_votes"  # all votes incl. blank lines (New Hampshire)
    NONE = ""


class ThresholdCombine(StrEnum):
    """How a percentage and a vote threshold combine when a rule gives both."""

    LESSER = "lesser"  # e.g. NC: 0.5% or 10,000 votes, whichever is less
    GREATER = "greater"
    EITHER = "either"
    NONE = ""


@dataclass(frozen=True, slots=True)
class RecountRule:
    """A recount rule in force in one state.

    Attributes
    ----------
    state : str
        Postal code.
    kind : RecountKind
    threshold_pct : Fraction or None
        Percent (``Fraction(1, 2)`` is 0.5 %); ``None`` if the rule has no percentage.
    threshold_votes : int or None
    any_margin : bool
        The rule applies whatever the margin (e.g. Nevada: any defeated candidate may demand).
    combine, base, inclusive : how the margin is compared with the threshold
    requested_by, who_pays, citation, source_url, note : the law as a reader needs it
    verified : bool
        Whether the row was checked against a retrieved source (see RECOUNT_RULES.md).
    in_force_from, in_force_until : int or None
        First and last election year the rule applies to (``None``: no bound known).
    """

    state: str
    kind: RecountKind
    threshold_pct: Fraction | None
    threshold_votes: int | None
    any_margin: bool
    combine: ThresholdCombine
    base: MarginBase
    inclusive: bool
    requested_by: str
    who_pays: str
    citation: str
    source_url: str = ""
    note: str = ""
    verified: bool = False
    in_force_from: int | None = None
    in_force_until: int | None = None

    def __post_init__(self) -> None:
        if (
            self.in_force_from is not None
            and self.in_force_until is not None
            and self.in_force_until < self.in_force_from
        ):
            raise IntegrityError(
                f"recount rule for {self.state}",
                field="in_force_until",
                expected=f"a year from {self.in_force_from} on",
                got=self.in_force_until,
            )
        if self.kind is RecountKind.NONE:
            if (
                self.any_margin
                or self.threshold_pct is not None
                or self.threshold_votes is not None
            ):
                raise IntegrityError(
                    f"recount rule for {self.state}",
                    field="threshold_pct",
                    expected="no threshold for kind 'none' (the law provides no recount)",
                    got="a threshold",
                )
            return
        if not self.any_margin and self.threshold_pct is None and self.threshold_votes is None:
            raise IntegrityError(
                f"recount rule for {self.state}",
                field="threshold_pct",
                expected="a threshold (percent, votes or 'any')",
                got="none",
            )
        if self.threshold_pct is not None and self.base is MarginBase.NONE:
            raise IntegrityError(
                f"recount rule for {self.state}",
                field="base",
                expected="what the percentage is a share of",
                got="",
            )
        if (
            self.threshold_pct is not None
            and self.threshold_votes is not None
            and self.combine is ThresholdCombine.NONE
        ):
            raise IntegrityError(
                f"recount rule for {self.state}",
                field="combine",
                expected="lesser, greater or either",
                got="",
            )

    def in_force(self, year: int) -> bool:
        """Whether the rule applies to the election of ``year``."""
        after = self.in_force_from is None or self.in_force_from <= year
        before = self.in_force_until is None or year <= self.in_force_until
        return after and before

    def describe(self) -> str:
        """The threshold in words: ``margin ≤ 0.5% of office_total``."""
        if self.kind is RecountKind.NONE:
            return "no recount provided for this office"
        if self.any_margin:
            return "any margin"
        op = "≤" if self.inclusive else "<"
        parts = []
        if self.threshold_pct is not None:
            parts.append(f"{float(self.threshold_pct):g}% of {self.base.value}")
        if self.threshold_votes is not None:
            parts.append(f"{self.threshold_votes:,} votes")
        if len(parts) == 2:
            how = {
                ThresholdCombine.LESSER: "whichever is less",
                ThresholdCombine.GREATER: "whichever is greater",
            }.get(self.combine, "either one")
            return f"margin {op} {parts[0]} or {parts[1]}, {how}"
        return f"margin {op} {parts[0]}"


def rules_in_force(rules: tuple[RecountRule, ...], year: int) -> tuple[RecountRule, ...]:
    """The rules that applied in ``year``, leaving out every state whose law that year is not
    fully known.

    A state's rules for ``year`` are known when each of its rules that took effect later has a
    predecessor of the same kind in force in ``year`` that ended before it began (Arizona's
    0.1%/200-vote rule ends in 2021, the 0.5% rule starts in 2022). Otherwise the table does not
    say what the law was before the later rule, so the state is left out and reported as
    ``unknown`` rather than judged by an incomplete set of rules.
    """
    in_force = [r for r in rules if r.in_force(year)]
    unknown: set[str] = set()
    for later in rules:
        if later.in_force_from is None or later.in_force_from <= year:
            continue
        start = later.in_force_from
        known = any(
            r.state == later.state
            and r.kind is later.kind
            and r.in_force_until is not None
            and r.in_force_until < start
            for r in in_force
        )
        if not known:
            unknown.add(later.state)
    return tuple(r for r in in_force if r.state not in unknown)
