"""The JSON documents of ``ballotproof history`` and of the electors' record (``--election``).

Keys are documented in docs/json.md (section ``history``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from ballotproof.model.electors import ElectionRecord
from ballotproof.report.documents import _flip_set
from ballotproof.results.history import (
    ElectorCount,
    YearSummary,
    cast_electors,
    pledged_college,
    summarize_year,
    swing,
)

__all__ = ["electors_doc", "history_doc", "year_doc"]


def _count(c: ElectorCount) -> dict[str, Any]:
    return {
        "basis": c.basis,
        "electors": [{"key": k, "name": n, "electors": v} for k, n, v in c.totals],
        "abstained": c.abstained,
        "notes": [{"key": k, "note": t} for k, t in c.notes],
    }


def electors_doc(record: ElectionRecord) -> dict[str, Any]:
    """The pledged and cast electors of one year, with the record's sources and warnings."""
    ec = pledged_college(record)
    cast = cast_electors(record, pledged=ec)
    pledged = {str(k): v for k, v in ec.totals if v}
    return {
        "electors_pledged": pledged,
        "electors_cast": _count(cast),
        "electors_sources": sorted(
            {d.source for d in record.deviations}
            | {a.source for a in record.district_awards}
            | {t.source for t in record.cast_totals}
        ),
        "warnings": list(record.warnings),
    }


def year_doc(s: YearSummary) -> dict[str, Any]:
    tp = s.tipping.result
    return {
        "year": s.year,
        "election": s.election,
        "source": s.source,
        "electors_basis": s.basis,
        "winner": s.winner,
        "winner_name": s.winner_name,
        "runner_up": s.runner_up,
        "runner_up_name": s.runner_up_name,
        "majority": s.majority,
        "total_electors": s.total_electors,
        "electors_pledged": _count(s.pledged),
        "electors_cast": _count(s.cast),
        "popular_vote": {
            "winner": s.popular_votes(s.winner),
            "runner_up": s.popular_votes(s.runner_up),
            "leader": s.popular_leader,
            "votes_cast": s.popular.votes_cast,
            "other_lines": s.popular.other_lines,
        },
        "inversion": s.inversion,
        "tipping_point": {
            "unit": s.tipping.unit,
            "name": s.tipping_name,
            "margin": tp.margin,
            "margin_pct": round(tp.margin_pct, 4),
        },
        "flip": {"deny": _flip_set(s.deny), "elect": _flip_set(s.elect)},
        "summary": s.summary(),
        "warnings": list(s.warnings),
    }


def history_doc(records: Sequence[ElectionRecord]) -> dict[str, Any]:
    """Every year's summary, and each state's swing from the year before."""
    years = [year_doc(summarize_year(r)) for r in records]
    swings: dict[str, list[dict[str, Any]]] = {}
    for before, after in itertools.pairwise(records):
        swings[str(after.year)] = [
            {
                "state": s.state,
                "dem_margin_pct": round(s.dem_margin_pct, 4),
                "previous_dem_margin_pct": round(float(100 * s.previous_dem_margin), 4),
                "swing_pct": round(s.swing_pct, 4),
            }
            for s in swing(before, after)
        ]
    return {
        "electors_basis": "pledged",
        "years": years,
        "swing": swings,
        "sources": sorted({r.election.source for r in records}),
    }
