"""The JSON documents that ``--json`` prints and the HTML report embeds.

Each function returns plain data (dicts, lists, str, int, float, bool, None) with the stable keys
documented in ``docs/json.md``; a test checks that every key here is documented there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ballotproof.model import ChoiceId, Election
from ballotproof.model.recount import RecountRule
from ballotproof.results import (
    FlipGoal,
    FlipObjective,
    FlipSet,
    UnitResult,
    electoral_college,
    margins,
    minimal_flip,
    popular_vote,
    recount_eligibility,
    tipping_point,
)
from ballotproof.results.electoral import ElectoralResult

__all__ = [
    "flip_doc",
    "margins_doc",
    "recounts_doc",
    "results_doc",
    "tipping_point_doc",
]


def _head(election: Election, contest_id: str | None) -> dict[str, Any]:
    contest = election.contest(contest_id)
    return {"election": election.name, "contest": contest.id, "source": election.source}


def _name(election: Election, contest_id: str | None, choice: ChoiceId | None) -> str | None:
    if choice is None:
        return None
    return election.contest(contest_id).choice(choice).name


def _pct(x: float) -> float:
    return round(x, 4)


def _unit_row(election: Election, r: UnitResult) -> dict[str, Any]:
    unit = election.unit(r.unit)
    return {
        "unit": r.unit,
        "name": unit.name,
        "electors": unit.electors,
        "winner": r.winner,
        "runner_up": r.runner_up,
        "margin": r.margin,
        "margin_pct": _pct(r.margin_pct),
        "votes_cast": r.votes_cast,
        "tied": r.tied,
    }


def results_doc(election: Election, contest_id: str | None = None) -> dict[str, Any]:
    """National popular vote, Electoral College and each elector-bearing unit."""
    contest = election.contest(contest_id)
    pv = popular_vote(election, contest_id)
    doc = _head(election, contest_id)
    doc["popular_vote"] = [
        {
            "choice": c,
            "name": contest.choice(c).name,
            "party": contest.choice(c).party,
            "votes": v,
            "share_pct": _pct(float(100 * pv.share(c))),
            # only when the data gives one (the generic CSV's colour column)
            **({"colour": contest.choice(c).colour} if contest.choice(c).colour else {}),
        }
        for c, v in pv.votes
    ]
    doc["votes_cast"] = pv.votes_cast
    doc["other_lines"] = pv.other_lines
    if election.electoral_units():
        ec = electoral_college(election, contest_id)
        doc["electoral_college"] = {
            "total": ec.total_electors,
            "majority": ec.majority,
            "winner": ec.winner,
            "runner_up": ec.runner_up,
            "electors": {c: n for c, n in ec.totals if n > 0},
            "undecided": ec.undecided,
        }
        rows = [a.result for a in ec.awards]
    else:
        doc["electoral_college"] = None
        rows = list(margins(election, contest_id))
    units = []
    for r in rows:
        row = _unit_row(election, r)
        row["votes"] = dict(r.votes)
        units.append(row)
    doc["units"] = units
    return doc


def margins_doc(election: Election, contest_id: str | None = None) -> dict[str, Any]:
    """Every elector-bearing unit (or state), smallest margin first."""
    doc = _head(election, contest_id)
    doc["units"] = [_unit_row(election, r) for r in margins(election, contest_id)]
    return doc


def tipping_point_doc(
    election: Election, contest_id: str | None = None, *, ec: ElectoralResult | None = None
) -> dict[str, Any]:
    """The tipping-point unit and the ordered list that reaches it."""
    tp = tipping_point(election, contest_id, ec=ec)
    doc = _head(election, contest_id)
    doc.update(
        {
            "winner": tp.winner,
            "unit": tp.unit,
            "name": election.unit(tp.unit).name,
            "margin": tp.result.margin,
            "margin_pct": _pct(tp.result.margin_pct),
            "majority": tp.majority,
            "order": [
                {"unit": u, "margin_pct": _pct(p), "electors": e, "cumulative": c}
                for u, p, e, c in tp.order
            ],
        }
    )
    return doc


def _flip_set(f: FlipSet) -> dict[str, Any]:
    return {
        "units": [
            {
                "unit": i.unit,
                "electors": i.electors,
                "from": i.from_choice,
                "to": i.to_choice,
                "margin": i.margin,
                "votes": i.votes,
                "switchers": i.switchers,
            }
            for i in f.items
        ],
        "margin_sum": f.margin_sum,
        "votes": f.votes,
        "switchers": f.switchers,
        "electors_moved": f.electors_moved,
        "electors_needed": f.electors_needed,
        "winner_electors_after": f.winner_electors_after,
        "runner_up_electors_after": f.runner_up_electors_after,
    }


def flip_doc(
    election: Election, contest_id: str | None = None, *, ec: ElectoralResult | None = None
) -> dict[str, Any]:
    """Both flip questions, each optimised by votes to add and by switchers."""
    ec = ec or electoral_college(election, contest_id)
    doc = _head(election, contest_id)
    sets = {
        (g, o): minimal_flip(election, g, o, contest_id, ec=ec)
        for g in FlipGoal
        for o in FlipObjective
    }
    first = sets[(FlipGoal.DENY, FlipObjective.VOTES)]
    doc["winner"] = first.winner
    doc["runner_up"] = first.runner_up
    doc["algorithm"] = first.algorithm
    for goal in FlipGoal:
        block = _flip_set(sets[(goal, FlipObjective.VOTES)])
        block["by_switchers"] = _flip_set(sets[(goal, FlipObjective.SWITCHERS)])
        doc[goal.value] = block
    return doc


def recounts_doc(
    election: Election,
    rules: Iterable[RecountRule],
    contest_id: str | None = None,
    *,
    rules_source: str = "",
) -> dict[str, Any]:
    """Each state's recount status, closest margin first, with every rule checked."""
    doc = _head(election, contest_id)
    doc["rules_source"] = rules_source
    states = []
    for check in recount_eligibility(election, rules, contest_id):
        row = _unit_row(election, check.result)
        row.pop("unit")
        row = {"state": check.state, **row, "status": check.status.value}
        row["rules"] = [
            {
                "kind": c.rule.kind.value,
                "rule": c.rule.describe(),
                "threshold_votes": None
                if c.threshold_votes is None
                else round(float(c.threshold_votes), 2),
                "qualifies": c.qualifies,
                "requested_by": c.rule.requested_by,
                "who_pays": c.rule.who_pays,
                "citation": c.rule.citation,
                "source_url": c.rule.source_url,
                "verified": c.rule.verified,
            }
            for c in check.checks
        ]
        states.append(row)
    doc["states"] = states
    return doc
