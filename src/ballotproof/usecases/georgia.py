"""The Georgia 2020 replay: an audit run through the store on the state's hand count.

The job an election office would do — start, draw with the public seed, record what the hand
count says each drawn ballot shows, close rounds — with the hand-count batches as the manifest
and the hand count as the truth (see :mod:`ballotproof.io.georgia` for the conventions). The
demonstration runs it for Fulton County; ``audit georgia --replay`` for any county or the state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from ballotproof.audit.contest import Decision
from ballotproof.audit.process import AuditSpec, Method
from ballotproof.io.georgia import BATCHES, load_ga_batches, reported_contest, settings
from ballotproof.io.us2020 import data_dir
from ballotproof.store import AuditStatus, AuditStore

__all__ = ["replay_georgia"]


def _popped(ids: list[str], truths: list[str]) -> Iterator[tuple[str, str, str]]:
    """The rows to record, in draw order, each let go once the store has read it (so that the
    round's ids are not held while it closes, which reads the whole audit)."""
    ids.reverse()
    truths.reverse()
    while ids:
        yield ids.pop(), truths.pop(), "hand count"


def replay_georgia(
    store: AuditStore,
    *,
    name: str,
    county: str | None = None,
    method: Method = Method.BRAVO,
    risk_limit: float | None = None,
    seed: str | None = None,
    round_size: int | None = None,
    max_rounds: int = 6,
    now: Callable[[], str],
    progress: Callable[[str], None] | None = None,
) -> AuditStatus:
    """Run an audit on the hand-count batches, recording the hand count as interpretations."""
    s = settings()
    gb = load_ga_batches(county)
    contest = reported_contest(county)
    spec = AuditSpec(
        name,
        contest,
        risk_limit if risk_limit is not None else float(s["risk_limit"]),
        method,
        seed or s["random_seed"],
    )
    digest = hashlib.sha256((data_dir() / BATCHES).read_bytes()).hexdigest()
    audit = store.start(
        spec,
        gb.batches,
        manifest_source=f"{BATCHES} ({county or 'statewide'})",
        manifest_sha256=digest,
        now=now(),
        round_size=round_size,
    )
    for _ in range(max_rounds):
        if audit.decision not in (None, Decision.NEXT_ROUND):
            break
        number = audit.current_round
        # The round's ballots and what the hand count says of each, read to the end before
        # recording (SQLite lets no write finish while a read is open): ids and readings only,
        # the readings a handful of shared strings. A ballot drawn twice is given twice; the
        # store counts the second as a repeat. Recorded in the order of their ids, the order
        # of the store's indexes: for millions of ballots several times faster than at a
        # random place of each index for every ballot (a hand count has no order of its own).
        ids: list[str] = []
        truths: list[str] = []
        for ballot_id, jurisdiction, _, batch, position in store.round_ballots(
            name, number, by_ballot=True
        ):
            ids.append(ballot_id)
            truths.append(gb.truth(str(jurisdiction), batch, position))
        if progress:
            progress(f"round {number}: recording {audit.missing[number - 1]:,} ballots")
        audit, _, _ = store.record(name, _popped(ids, truths), now=now())
    return audit
