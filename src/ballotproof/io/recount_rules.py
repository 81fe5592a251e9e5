"""Load a recount-rule table (``data/recount_rules.csv`` format; sources in RECOUNT_RULES.md).

Columns: ``state_po, kind, threshold_pct, threshold_votes, combine, base, inclusive,
requested_by, who_pays, citation, source_url, in_force_note, verified, in_force_from,
in_force_until``. ``threshold_pct`` is a percent (``0.5`` = 0.5 %) or ``any``. Percentages are
read exactly (as fractions), never through a float. ``in_force_from`` / ``in_force_until`` are
the first and last election years a rule applies to (empty: open-ended); the packaged table
gives ``in_force_from`` on every row.
"""

from __future__ import annotations

from fractions import Fraction
from importlib import resources
from pathlib import Path

from ballotproof.io.csvread import Row, parse_bool, parse_fraction, parse_int, read_rows
from ballotproof.model.recount import (
    MarginBase,
    RecountKind,
    RecountRule,
    ThresholdCombine,
    rules_in_force,
)

__all__ = ["default_rules_path", "load_recount_rules"]

COLUMNS = (
    "state_po",
    "kind",
    "threshold_pct",
    "threshold_votes",
    "combine",
    "base",
    "inclusive",
    "requested_by",
    "who_pays",
    "citation",
)
OPTIONAL = ("source_url", "in_force_note", "verified", "in_force_from", "in_force_until")
PACKAGED_YEAR = 2020


def default_rules_path() -> Path:
    """The packaged table of recount rules, each row with the years it was in force."""
    return Path(str(resources.files("ballotproof") / "data" / "recount_rules.csv"))


def _enum(
    row: Row, column: str, kind: type[RecountKind] | type[MarginBase] | type[ThresholdCombine]
) -> str:
    text = row.get(column)
    allowed = [m.value for m in kind]
    if text not in allowed:
        raise row.error(column, "one of " + ", ".join(a or "(empty)" for a in allowed), text)
    return text


def _threshold(
    row: Row,
) -> tuple[Fraction | None, int | None, bool, ThresholdCombine, MarginBase]:
    """A rule's threshold columns, checked: percent, votes, 'any', how they combine, base."""
    pct_text = row.get("threshold_pct").lower()
    any_margin = pct_text == "any"
    pct = None if any_margin else parse_fraction(row, "threshold_pct")
    if pct is not None and (pct > 100 or "/" in row.get("threshold_pct")):
        raise row.error(
            "threshold_pct", "a percentage from 0 to 100 as a decimal", row.get("threshold_pct")
        )
    if any_margin and row.get("threshold_votes"):
        raise row.error(
            "threshold_votes", "nothing when threshold_pct is 'any'", row.get("threshold_votes")
        )
    votes = parse_int(row, "threshold_votes") if row.get("threshold_votes") else None
    if not any_margin and pct is None and votes is None:
        raise row.error("threshold_pct", "a percent, 'any', or a threshold_votes value", "")
    base = MarginBase(_enum(row, "base", MarginBase))
    if pct is not None and base is MarginBase.NONE:
        raise row.error("base", "what the percentage is a share of", "")
    combine = ThresholdCombine(_enum(row, "combine", ThresholdCombine))
    if pct is not None and votes is not None and combine is ThresholdCombine.NONE:
        raise row.error("combine", "lesser, greater or either", "")
    return pct, votes, any_margin, combine, base


def _rule(row: Row) -> RecountRule:
    state = row.require("state_po")
    if len(state) != 2 or not state.isalpha() or not state.isupper():
        raise row.error("state_po", "a two-letter postal code", state)
    kind = RecountKind(_enum(row, "kind", RecountKind))
    if kind is RecountKind.NONE:  # the law provides no recount: no threshold to give
        for column in ("threshold_pct", "threshold_votes", "combine", "base"):
            if row.get(column):
                raise row.error(column, "nothing for kind 'none' (no recount)", row.get(column))
        pct, votes, any_margin, combine, base = (
            None,
            None,
            False,
            ThresholdCombine.NONE,
            MarginBase.NONE,
        )
    else:
        pct, votes, any_margin, combine, base = _threshold(row)
    return RecountRule(
        state=state,
        kind=kind,
        threshold_pct=pct,
        threshold_votes=votes,
        any_margin=any_margin,
        combine=combine,
        base=base,
        inclusive=parse_bool(row, "inclusive", default=True),
        requested_by=row.get("requested_by"),
        who_pays=row.get("who_pays"),
        citation=row.require("citation"),
        source_url=row.get("source_url"),
        note=row.get("in_force_note"),
        verified=parse_bool(row, "verified", default=False),
        in_force_from=_year(row, "in_force_from"),
        in_force_until=_year(row, "in_force_until"),
    )


def _year(row: Row, column: str) -> int | None:
    if not row.get(column):
        return None
    year = parse_int(row, column, minimum=1789)
    if column == "in_force_until" and row.get("in_force_from"):
        start = parse_int(row, "in_force_from", minimum=1789)
        if year < start:
            raise row.error(column, f"a year from in_force_from ({start}) on", year)
    return year


def load_recount_rules(
    path: str | Path | None = None, *, year: int | None = None
) -> tuple[RecountRule, ...]:
    """Read a recount-rule table: the rules in force in ``year`` (states whose law that year
    the table does not fully give are left out, see
    :func:`~ballotproof.model.recount.rules_in_force`), or every row if ``None``.

    The packaged table (no ``path``) gives the rules of the 2020 election unless another
    ``year`` is asked for; a user's table is read whole unless ``year`` is given.

    Raises
    ------
    InputError
        Naming the file, line and field of the first bad value; nothing is returned.
    """
    p = Path(path) if path is not None else default_rules_path()
    display = p.name if path is None else str(path)
    if path is None and year is None:
        year = PACKAGED_YEAR
    rules = tuple(_rule(r) for r in read_rows(p, COLUMNS, optional=OPTIONAL, display=display))
    return rules if year is None else rules_in_force(rules, year)
