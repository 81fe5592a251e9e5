"""The Python API: what a notebook needs, in one place, documented in ``docs/api.md``.

Most names are the core's own functions and result types, re-exported (lazily) by
:mod:`ballotproof`; this module adds the conveniences that need the packaged tables or the
audit store: :func:`recounts` (the recount-rule table of the election's year), :func:`replay`
(election night through the calling engine, as the ``replay --json`` document), and a
stored audit as the ``audit`` commands run it: :func:`start_audit`, :func:`retrieval_sheet`,
:func:`record_audit`, :func:`audit_status`, :func:`verify_audit`, :func:`export_audit` and
:func:`verify_published`, each a thin call into :mod:`ballotproof.usecases` (no audit logic
here). Nothing is imported until it is
used, so ``import ballotproof`` stays instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ballotproof.audit.contest import AuditContest
    from ballotproof.audit.verify import Check
    from ballotproof.model import Election
    from ballotproof.results import RecountCheck
    from ballotproof.store import AuditStatus

__all__ = [
    "audit_status",
    "export_audit",
    "record_audit",
    "recounts",
    "replay",
    "retrieval_sheet",
    "start_audit",
    "verify_audit",
    "verify_published",
]


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


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def start_audit(
    db: str | Path,
    *,
    name: str,
    contest: AuditContest,
    manifest: str | Path,
    seed: str,
    risk_limit: float = 0.1,
    method: str = "bravo",
    **options: Any,
) -> AuditStatus:
    """Check the inputs, size round 1 and store a new audit (``audit start``).

    ``method`` is a method id of ``ballotproof audit methods`` (``bravo``, ``minerva``,
    ``alpha``, ``supersimple``, ``alpha-comparison``, ``macro``, …); ``options`` are the other
    keywords of :func:`ballotproof.usecases.start.prepare_audit` (``cvrs=``, ``cvr_format=``,
    ``batch_tallies=``, ``jurisdiction=``, ``allow_phantoms=``, ``round_size=``,
    ``replacement=``). ``db`` is a SQLite file (created if missing) or a database URL.

    Raises
    ------
    AnalysisError
        When the margin is so small that the audit is a full hand count from the start (no
        sample is drawn and nothing is stored).
    """
    from ballotproof.audit.spec import Method
    from ballotproof.errors import AnalysisError
    from ballotproof.store import open_store
    from ballotproof.usecases.start import prepare_audit
    from ballotproof.usecases.start import start_audit as store_new

    files = {"cvrs", "ess_ballots", "batch_tallies"}  # the options that name files
    paths: dict[str, Any] = {
        k: Path(v) if k in files and isinstance(v, str) else v for k, v in options.items()
    }
    new = prepare_audit(
        name=name,
        contest=contest,
        manifest=Path(manifest),
        seed=seed,
        risk_limit=risk_limit,
        method=Method(method),
        **paths,
    )
    if new.full_hand_count is not None:
        raise AnalysisError(f"audit {name!r} is a full hand count: {new.full_hand_count}")
    store = open_store(db)
    try:
        return store_new(store, new, now=_now)
    finally:
        store.engine.dispose()


def retrieval_sheet(db: str | Path, name: str, round: int | None = None) -> str:
    """The retrieval list of a round (default: the latest) as CSV, as ``audit sample --out``
    writes it: fill each row's ``Interpretation`` and give the file to :func:`record_audit`."""
    from ballotproof.store import open_store
    from ballotproof.usecases.retrieval import retrieval_csv, retrieval_list

    store = open_store(db, create=False)
    try:
        number = round if round is not None else len(store.status(name).round_sizes)
        return retrieval_csv(retrieval_list(store, name, number))
    finally:
        store.engine.dispose()


def record_audit(
    db: str | Path, name: str, sheet: str | Path, *, correct: bool = False
) -> AuditStatus:
    """Record a filled retrieval list (or a batch audit's tally sheet), as ``audit record``
    does; a round whose every ballot is read is closed and its risk measured."""
    from ballotproof.store import open_store
    from ballotproof.usecases.record import record_file

    store = open_store(db, create=False)
    try:
        status, _, _ = record_file(store, name, Path(sheet), now=_now, correct=correct)
        return status
    finally:
        store.engine.dispose()


def export_audit(db: str | Path, name: str, folder: str | Path) -> list[str]:
    """Write the audit's published bundle (``audit export``); returns the files written."""
    from ballotproof.store import open_store
    from ballotproof.usecases.bundle import export_bundle

    store = open_store(db, create=False)
    try:
        return export_bundle(store, name, Path(folder))
    finally:
        store.engine.dispose()


def audit_status(db: str | Path, name: str) -> AuditStatus:
    """A stored audit's rounds, risks and decision (what ``audit status`` prints).

    ``db``: the SQLite file or database URL the ``audit`` commands or the workspace wrote.
    """
    from ballotproof.store import open_store

    store = open_store(db, create=False)
    try:
        return store.status(name)
    finally:
        store.engine.dispose()


def verify_audit(
    db: str | Path, name: str, *, expected_head: str | None = None
) -> tuple[Check, ...]:
    """Recompute a stored audit from its journal (``audit verify --db``): every check, each
    with ``name``, ``ok`` and ``detail``; the audit is verified when every ``ok`` is true."""
    from ballotproof.store import open_store
    from ballotproof.usecases.verify import verify_store

    store = open_store(db, create=False)
    try:
        return verify_store(store, name, expected_head=expected_head)
    finally:
        store.engine.dispose()


def verify_published(folder: str | Path, *, expected_head: str | None = None) -> tuple[Check, ...]:
    """Check a published audit bundle offline (``audit verify --published``): every file
    against the journal's commitments, and the journal head against ``expected_head``."""
    from ballotproof.usecases.verify import verify_bundle

    return verify_bundle(Path(folder), expected_head=expected_head)
