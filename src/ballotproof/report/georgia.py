"""Georgia 2020: why the audit became a full hand count, and an audit replayed on its batches.

``plan`` sizes the audit of the presidential contest at Georgia's 10% risk limit for ballot
polling (BRAVO, Minerva) and for ballot-level comparison (super-simple), from the reported
machine tabulation. ``replay`` runs an audit through the store exactly as an election office
would — start, draw with the public seed, record what the hand count says each drawn ballot
shows, close rounds — with the hand-count batches as the manifest and the hand count as the
truth (see :mod:`ballotproof.io.georgia` for the conventions).
"""

from __future__ import annotations

from typing import Any

from ballotproof.audit import bravo, minerva, supersimple
from ballotproof.audit.contest import AuditContest
from ballotproof.io.georgia import reported_contest, settings

__all__ = ["plan_georgia"]


def plan_georgia(county: str | None = None, *, risk_limit: float | None = None) -> dict[str, Any]:
    """Sizes for the Georgia contest (statewide or one county) at its risk limit."""
    s = settings()
    alpha = risk_limit if risk_limit is not None else float(s["risk_limit"])
    c: AuditContest = reported_contest(county)
    asn = bravo.bravo_asn(c, alpha=alpha)
    b = bravo.bravo_sample_sizes(c, alpha=alpha)
    m = minerva.minerva_sample_sizes(c, alpha=alpha)
    ss0 = supersimple.sample_size(c, alpha=alpha)
    ss1 = supersimple.planned_sample_size(c, alpha=alpha)
    w, loser = c.reported_winners[0], c.reported_losers[0]
    return {
        "contest": c.name,
        "tally": dict(c.tally),
        "ballots": c.ballots,
        "margin": c.tally[w] - c.tally[loser],
        "margin_pct": round(100 * (c.tally[w] - c.tally[loser]) / c.ballots, 4),
        "risk_limit": alpha,
        "bravo": {
            "asn": asn.asn,
            "sizes": {f"{round(x.probability * 100)}%": x.n for x in b.sizes},
        },
        "minerva": {"sizes": {f"{round(x.probability * 100)}%": x.n for x in m.sizes}},
        "supersimple": {
            "no_errors": ss0.n,
            "customary_rates": ss1.n,
            "diluted_margin": c.diluted_margin(),
        },
        "georgia_used": {
            "method": s["audit_math_type"],
            "risk_limit": float(s["risk_limit"]),
            "seed": s["random_seed"],
            "round_1_sample_size": int(s["round_1_sample_size"]),
        },
    }
