"""The Python API: what a notebook needs, in one place, documented in ``docs/api.md``.

Most names are the core's own functions and result types, re-exported (lazily) by
:mod:`ballotproof`; this module adds the two conveniences that need the packaged tables:
:func:`recounts` (the recount-rule table of the election's year) and :func:`replay`
(election night through the calling engine, as the ``replay --json`` document). Nothing is
imported until it is used, so ``import ballotproof`` stays instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ballotproof.model import Election
    from ballotproof.results import RecountCheck

__all__ = ["recounts", "replay"]


def recounts(
    election: Election,
    *,
    year: int | None = None,
    rules: str | Path | None = None,
    contest: str | None = None,
) -> tuple[RecountCheck, ...]:
    """Each state's recount status, closest margin first, under the packaged rule table.

    Parameters
    ----------
    election : the election (from :func:`ballotproof.load_election`)
    year : apply the law in force that year (``None``: every row of the table, which for the
        built-in data is the law of November 2020)
    rules : another recount-rule CSV instead of the packaged one
    contest : the contest id (``None``: the election's only or first contest)

    Returns
    -------
    tuple of :class:`ballotproof.RecountCheck` (``state``, ``result``, ``status``, ``checks``)
    """
    from ballotproof.io.recount_rules import load_recount_rules
    from ballotproof.results import recount_eligibility

    return recount_eligibility(election, load_recount_rules(rules, year=year), contest)


def replay(
    *,
    states: Sequence[str] | None = None,
    confidence: float = 0.995,
    feed: str | Path | None = None,
    data: str | Path | None = None,
    year: int | None = None,
    baseline: str | Path | None = None,
    calls: str | Path | None = None,
) -> dict[str, Any]:
    """Replay election night through the calling engine; the ``replay --json`` document.

    With no arguments: the packaged 2020 feeds, results and desk calls (about a minute for
    every state; ``states=["PA"]`` takes seconds). The keys are those of ``docs/json.md``
    (``states``, ``backtest``, ``electoral_college``, ``inputs``, …); times are UTC.
    """
    from ballotproof.report.replay import load_replay_inputs, replay_doc, run_replay

    inputs = load_replay_inputs(
        feed=None if feed is None else Path(feed),
        data=None if data is None else Path(data),
        year=year,
        baseline=baseline,
        calls=None if calls is None else Path(calls),
        states=states,
    )
    engines = run_replay(confidences=(confidence,), inputs=inputs)
    return replay_doc(engines, main=confidence, inputs=inputs)
