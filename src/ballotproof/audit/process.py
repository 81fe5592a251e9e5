"""The audit as a process: rounds of draws, recorded interpretations, risk, decision.

This module is pure: it turns an audit's specification, the draws of each round and the
interpretations recorded for the drawn ballots into the risk and the decision after each round.
The store (:mod:`ballotproof.store`) keeps these inputs; ``audit verify`` recomputes everything
here from them.

Ballot-polling methods (sampling with replacement, as Arlo does; every draw counts, so a
ballot drawn twice counts twice):

* ``bravo`` — BRAVO (Lindeman, Stark & Yates 2012), :mod:`ballotproof.audit.bravo`, on the
  cumulative sample;
* ``minerva`` — Minerva (Zagórski et al. 2021), :mod:`ballotproof.audit.minerva`, on the
  cumulative sample after each round, with the round schedule.

ALPHA (``alpha``, ``alpha-comparison``; :mod:`ballotproof.audit.alpha_audit`) may also draw
distinct ballots (``AuditSpec.replacement`` false, journalled as ``"replacement": false``):
its tests then use the finite-population martingale and its planned sizes the same test.

Ballot comparison (``supersimple``, Stark 2010, :mod:`ballotproof.audit.supersimple`): each
drawn ballot's interpretation is compared with its cast vote record; the overstatement of the
closest pair's margin enters the Kaplan–Markov p-value. Round 1 is the size planned for the
customary discrepancy rates; a later round grows to the size at which the discrepancies seen so
far, continuing at their observed rate, would still meet the risk limit (Stark's rule).

Batch comparison (``macro``, Stark 2008/2009, :mod:`ballotproof.audit.macro`): batches are
drawn with probability proportional to their error bound (PPEB, :mod:`ballotproof.audit.ppeb`)
and counted by hand; each drawn batch's hand count against its reported tally gives a taint,
and the Kaplan–Markov p-value of the taints is the risk. The reading of a drawn batch is its
hand count, written as canonical JSON (``{"A":60,"B":40}``). Round 1 is
⌈ln α / ln(1 − 1/U)⌉ draws; each later round adds that many again; when the batches already
counted plus one more round could cover every batch, the decision is to count them all.

Interpretations are a choice id, ``blank`` (no vote for the contest), ``overvote`` (more
marks than allowed: no valid vote, kept apart from ``blank`` in the tallies shown), or
``not_found`` (the ballot could not be retrieved). A ballot not found is the worst case for
every pair: in each winner–loser pair's test it counts as a vote for that pair's loser (and,
in a comparison audit, as a vote for every loser against the record). Audits are of
vote-for-one contests: an interpretation is one choice.

Phantoms (Bañuelos & Stark, "Limiting risk by turning manifest phantoms into evil zombies",
arXiv:1207.3413, 2012; SHANGRLA's phantom cards). A manifest that accounts for fewer ballots
than the contest's ballots cast is refused unless phantoms are allowed; then the shortfall
becomes one extra batch of phantom ballots (:func:`phantom_batch`, last in the manifest),
drawn like any other. A drawn phantom has no paper: it always reads as ``not_found``, the
worst case for the reported winners, whatever anyone records. In a comparison audit a ballot
of the manifest with no cast vote record gets the phantom record ``phantom``, which reads as
a vote for every reported winner, so that any reading of the ballot is the largest
overstatement it can be.

Round sizes: round 1 is the size whose chance of finishing the audit is ``stop_probability``
(default 90%) if the reported results are right. Later rounds (``round_rule``):

* ``evidence`` (BRAVO audits started since rounds are sized by evidence): the next round is
  the size that gives that same chance of finishing *given the sample so far*
  (:mod:`ballotproof.audit.rounds`, as Arlo and r2b2 do); valid for BRAVO, whose test may be
  looked at whenever the data suggest;
* ``step`` (Minerva, whose guarantee is for a schedule fixed in advance, and every audit
  stored before): each later round adds the first round's size again.

When the cumulative size would reach the number of ballots, the decision is a full hand count.

The rules above are the process's; each method's statistics live in its module behind the
protocol :class:`~ballotproof.audit.spec.StoredMethod`, and the registry
(:mod:`ballotproof.audit.methods`) maps every :class:`Method` to it.  This module dispatches
through the registry and re-exports the names of :mod:`ballotproof.audit.spec` and
:mod:`ballotproof.audit.card_rounds` that callers have always imported from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ballotproof.audit import macro
from ballotproof.audit.card_rounds import CardMethod, overstatements
from ballotproof.audit.ppeb import draw_ppeb
from ballotproof.audit.sampler import Batch, Draw
from ballotproof.audit.spec import (
    BLANK,
    NOT_FOUND,
    OVERVOTE,
    PHANTOM,
    PHANTOM_BATCH,
    AuditSpec,
    DrawnBallot,
    Method,
    RoundResult,
    StoredMethod,
    batch_id,
    batch_reading,
    is_phantom,
    parse_batch_reading,
    phantom_batch,
    sample_tally,
    spec_from_json,
    spec_to_json,
)
from ballotproof.errors import AnalysisError

__all__ = [
    "BLANK",
    "NOT_FOUND",
    "OVERVOTE",
    "PHANTOM",
    "PHANTOM_BATCH",
    "AuditSpec",
    "DrawnBallot",
    "Method",
    "RoundResult",
    "StoredMethod",
    "batch_first_round",
    "batch_id",
    "batch_reading",
    "evaluate",
    "evaluate_batches",
    "first_round_size",
    "is_phantom",
    "macro_batches",
    "overstatements",
    "parse_batch_reading",
    "phantom_batch",
    "ppeb_draws",
    "recompute",
    "sample_tally",
    "spec_from_json",
    "spec_to_json",
]


def first_round_size(spec: AuditSpec) -> int:
    """The size whose chance of finishing the audit is ``spec.stop_probability`` (card
    methods; a batch method's first round is :func:`batch_first_round`)."""
    return spec.method.stored.first_round_size(spec)


def evaluate(
    spec: AuditSpec,
    rounds: Sequence[Sequence[str]],
    cvrs: Sequence[Sequence[str]] | None = None,
) -> tuple[RoundResult, ...]:
    """Risk and decision after each round.

    ``rounds[j]`` lists the interpretation of every draw of round j + 1, in draw order, and
    for a comparison audit ``cvrs[j]`` the cast vote record of the same draws. The audit stops
    at the first round that confirms or escalates; later rounds are an error.
    """
    method = spec.method.stored
    if not isinstance(method, CardMethod):
        raise AnalysisError(
            f"{spec.method} readings are not one choice per draw: use recompute "
            "(or evaluate_batches for batches)"
        )
    return method.evaluate(spec, rounds, cvrs)


def batch_first_round(spec: AuditSpec, batches: Sequence[macro.Batch]) -> int:
    """MACRO's first round: batches to draw if no errors are expected (Stark 2009)."""
    return macro.sample_size(spec.contest, batches, alpha=spec.risk_limit).n


def evaluate_batches(
    spec: AuditSpec,
    batches: Sequence[macro.Batch],
    rounds: Sequence[Sequence[str]],
    readings: Mapping[str, str],
) -> tuple[RoundResult, ...]:
    """Risk and decision after each round of a batch-comparison (MACRO) audit.

    ``rounds[j]`` names the batch of every draw of round j + 1 (a batch drawn twice appears
    twice); ``readings`` maps each drawn batch to its hand count (:func:`batch_reading`).
    """
    return macro.STORED.evaluate_batches(spec, batches, rounds, readings)


def macro_batches(
    batches: Sequence[Batch], reported: Mapping[str, Mapping[str, int]]
) -> list[macro.Batch]:
    """The manifest's batches with their reported tallies, for a batch-comparison audit."""
    return macro.manifest_batches(batches, reported)


def ppeb_draws(
    spec: AuditSpec,
    batches: Sequence[Batch],
    reported: Sequence[macro.Batch],
    size: int,
    skip: int,
) -> list[Draw]:
    """The PPEB draws of a batch-comparison audit, as draws whose ballot is the batch
    (position 1 stands for the whole batch)."""
    bounds = {b.name: macro.error_bound(spec.contest, b) for b in reported}
    by_name = {b.name: b for b in batches}
    sample = draw_ppeb(bounds, spec.seed, size, skip=skip)
    return [
        Draw(d.order, d.ticket, batch_id(d.batch), d.generation, by_name[d.batch].ballot(1))
        for d in sample.draws
    ]


def recompute(
    spec: AuditSpec,
    batches: Sequence[Batch],
    rounds: Sequence[Sequence[DrawnBallot]],
    latest: Mapping[str, str],
    *,
    cvrs: Mapping[str, str] | None = None,
    reported: Mapping[str, Mapping[str, int]] | None = None,
) -> tuple[RoundResult, ...]:
    """Risk and decision of rounds 1…len(rounds) from the latest reading of each drawn ballot.

    The one place where draws meet readings, for the store (closing a round) and for every
    verification: a phantom reads as ``not_found`` whatever was recorded, a ballot with no cast
    vote record has the record ``phantom``, and a batch's reading is its hand count.
    ``KeyError`` names a drawn ballot with no reading.
    """
    return spec.method.stored.recompute(spec, batches, rounds, latest, cvrs=cvrs, reported=reported)
