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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ballotproof.audit.contest import AuditContest
    from ballotproof.audit.verify import Check
    from ballotproof.model import Election
    from ballotproof.results import RecountCheck
    from ballotproof.store import AuditStatus, AuditStore

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
    from ballotproof.report.replay import replay_doc
    from ballotproof.usecases.replay import load_replay_inputs, run_replay

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


@contextmanager
def _store(db: str | Path, *, create: bool = False) -> Iterator[AuditStore]:
    """The audit store at ``db``, closed (its connections released) when done."""
    from ballotproof.store import open_store

    store = open_store(db, create=create)
    try:
        yield store
    finally:
        store.engine.dispose()


def start_audit(
    db: str | Path,
    *,
    name: str,
    contest: AuditContest,
    manifest: str | Path,
    seed: str,
    risk_limit: float = 0.1,
    method: str = "bravo",
    jurisdiction: str | None = None,
    allow_phantoms: bool = False,
    cvrs: str | Path | None = None,
    cvr_format: str = "dominion-csv",
    ess_ballots: str | Path | None = None,
    batch_tallies: str | Path | None = None,
    round_size: int | None = None,
    replacement: bool = True,
) -> AuditStatus:
    """Check the inputs, size round 1 and store a new audit (``audit start``).

    ``method`` is a method id of ``ballotproof audit methods`` (``bravo``, ``minerva``,
    ``alpha``, ``supersimple``, ``alpha-comparison``, ``macro``, …); the other keywords are
    those of :func:`ballotproof.usecases.start.prepare_audit` (and of ``audit start``). ``db``
    is a SQLite file (created if missing) or a database URL.

    Raises
    ------
    InputError
        An unknown ``method``, or an input the checks of ``audit start`` refuse.
    AnalysisError
        When the margin is so small that the audit is a full hand count from the start (no
        sample is drawn and nothing is stored).
    """
    from ballotproof.audit.spec import Method
    from ballotproof.errors import AnalysisError, InputError
    from ballotproof.usecases.start import prepare_audit
    from ballotproof.usecases.start import start_audit as store_new_audit

    try:
        chosen = Method(method)
    except ValueError:
        raise InputError(
            field="method", expected="one of " + ", ".join(m.value for m in Method), got=method
        ) from None

    def path(value: str | Path | None) -> Path | None:
        return None if value is None else Path(value)

    new = prepare_audit(
        name=name,
        contest=contest,
        manifest=Path(manifest),
        seed=seed,
        risk_limit=risk_limit,
        method=chosen,
        jurisdiction=jurisdiction,
        allow_phantoms=allow_phantoms,
        cvrs=path(cvrs),
        cvr_format=cvr_format,
        ess_ballots=path(ess_ballots),
        batch_tallies=path(batch_tallies),
        round_size=round_size,
        replacement=replacement,
    )
    if new.full_hand_count is not None:
        raise AnalysisError(f"audit {name!r} is a full hand count: {new.full_hand_count}")
    with _store(db, create=True) as store:
        return store_new_audit(store, new, now=_now)


def retrieval_sheet(db: str | Path, name: str, number: int | None = None) -> str:
    """The retrieval list of a round (default: the latest) as CSV, as ``audit sample --out``
    writes it: fill each row's ``Interpretation`` and give the file to :func:`record_audit`."""
    from ballotproof.usecases.retrieval import retrieval_csv, retrieval_list

    with _store(db) as store:
        latest = len(store.status(name).round_sizes)
        return retrieval_csv(retrieval_list(store, name, number or latest))


def record_audit(
    db: str | Path, name: str, sheet: str | Path, *, correct: bool = False
) -> AuditStatus:
    """Record a filled retrieval list (or a batch audit's tally sheet), as ``audit record``
    does; a round whose every ballot is read is closed and its risk measured."""
    from ballotproof.usecases.record import record_file

    with _store(db) as store:
        status, _, _ = record_file(store, name, Path(sheet), now=_now, correct=correct)
        return status


def export_audit(db: str | Path, name: str, folder: str | Path) -> list[str]:
    """Write the audit's published bundle (``audit export``); returns the files written."""
    from ballotproof.usecases.bundle import export_bundle

    with _store(db) as store:
        return export_bundle(store, name, Path(folder))


def audit_status(db: str | Path, name: str) -> AuditStatus:
    """A stored audit's rounds, risks and decision (what ``audit status`` prints).

    ``db``: the SQLite file or database URL the ``audit`` commands or the workspace wrote.
    """
    with _store(db) as store:
        return store.status(name)


def verify_audit(
    db: str | Path, name: str, *, expected_head: str | None = None
) -> tuple[Check, ...]:
    """Recompute a stored audit from its journal (``audit verify --db``): every check, each
    with ``name``, ``ok`` and ``detail``; the audit is verified when every ``ok`` is true."""
    from ballotproof.usecases.verify import verify_store

    with _store(db) as store:
        return verify_store(store, name, expected_head=expected_head)


def verify_published(folder: str | Path, *, expected_head: str | None = None) -> tuple[Check, ...]:
    """Check a published audit bundle offline (``audit verify --published``): every file
    against the journal's commitments, and the journal head against ``expected_head``."""
    from ballotproof.usecases.verify import verify_bundle

    return verify_bundle(Path(folder), expected_head=expected_head)
