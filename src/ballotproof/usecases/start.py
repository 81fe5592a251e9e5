"""Starting an audit: check every input, then draw round 1 in one transaction.

The checks, in order (each error is one line naming the file, line and field):

1. **The manifest accounts for every ballot cast.** A manifest listing fewer ballots than the
   contest's ballots cast is refused: ballots left out of the manifest can never be drawn, and
   if they were all for the reported winner a wrong outcome would be confirmed (Bañuelos &
   Stark 2012). With ``allow_phantoms`` the shortfall becomes phantom ballots that always read
   as the worst case (:func:`ballotproof.audit.process.phantom_batch`). A manifest that lists
   more ballots than were cast is accepted with a note (cards without the contest).
2. **Comparison audits:** the cast vote records add up to the reported tally; a record whose
   ballot is not in the manifest is an error; a ballot of the manifest without a record gets
   the phantom record (the worst case for the reported winners). The records may come in
   several files, one per county (:class:`CvrSource`, the county as each file's
   jurisdiction): each is read by the same loader, and a ballot with a record in two files is
   an error naming both (which record would the audit compare with?).
3. **Batch comparison:** every batch of the manifest has a reported tally, with exactly the
   contest's choices, adding up to the reported tally.
4. **Without replacement** (``replacement=False``; ALPHA methods only): the martingale's
   population is the contest's N ballots, so the manifest (with its phantoms) must list
   exactly N. The store and the verifier then draw distinct ballots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import (
    BLANK,
    OVERVOTE,
    AuditSpec,
    Method,
    batch_first_round,
    first_round_size,
    macro_batches,
    phantom_batch,
)
from ballotproof.audit.sampler import Batch
from ballotproof.errors import AnalysisError, InputError
from ballotproof.io.cvr import CvrFile
from ballotproof.io.manifest import Manifest, load_manifest
from ballotproof.store import AuditStatus, AuditStore

__all__ = [
    "CVR_FORMATS",
    "CvrSource",
    "NewAudit",
    "prepare_audit",
    "prepare_multi_audit",
    "read_cvr_source",
    "start_audit",
]

CVR_FORMATS = ("dominion-csv", "dominion-json", "ess", "nist")


def _check_without_replacement(
    contest: AuditContest, m: Manifest, phantoms: int, manifest: Path
) -> None:
    if m.total_ballots + phantoms != contest.ballots:
        raise InputError(
            f"the manifest lists {m.total_ballots:,} ballots but {contest.ballots:,} were cast: "
            "an audit without replacement tests the mean of exactly the ballots it draws from",
            path=str(manifest),
            field="Number of Ballots",
        )


@dataclass(frozen=True, slots=True)
class CvrSource:
    """One file of cast vote records: where it is, its format (:data:`CVR_FORMATS`), the
    jurisdiction its ballots belong to (the manifest's ``Jurisdiction``, so the ids match
    :func:`ballotproof.io.cvr.to_ballot`'s), the ES&S ballots file if any, and the name errors
    give it (``display``; default: the path) — a file uploaded to the workspace is read from a
    temporary copy but named as uploaded."""

    path: Path
    format: str = "dominion-csv"
    jurisdiction: str | None = None
    ess_ballots: Path | None = None
    display: str | None = None

    @property
    def name(self) -> str:
        return self.display or str(self.path)


@dataclass(frozen=True)
class NewAudit:
    """A checked audit, ready to start.

    ``full_hand_count`` gives the reason when no sample can help (a reported tie, or a first
    round as large as the population): then nothing is stored.
    """

    spec: AuditSpec
    batches: tuple[Batch, ...]
    manifest_source: str
    manifest_sha256: str
    first_round: int
    notes: tuple[str, ...] = ()
    cvrs: Mapping[str, str] | None = None
    cvr_source: str = ""
    imprints: Mapping[str, str] | None = None
    reported: Mapping[str, Mapping[str, int]] | None = None
    full_hand_count: str | None = None
    phantom_cvrs: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_cvrs(
    path: Path,
    fmt: str,
    contest: str,
    jurisdiction: str | None,
    choices: set[str],
    ess_ballots: Path | None = None,
    display: str | None = None,
) -> tuple[dict[str, str], dict[str, str], Callable[[str], dict[str, Any]]]:
    """Ballot id → the record's reading of ``contest`` (a choice, blank or overvote), ballot
    id → the id imprinted on the card, and ballot id → where its record is in the file (the
    ``path``/``line``/``field`` of an error about it; the file named ``display`` if given)."""
    from ballotproof.io.cvr import to_ballot

    name = display or str(path)
    cvr_file = _cvr_file(path, fmt, ess_ballots, display)
    if contest not in cvr_file.contests:
        raise InputError(
            path=name,
            field="contest",
            expected="one of " + ", ".join(cvr_file.contests),
            got=contest,
        )
    out: dict[str, str] = {}
    imprints: dict[str, str] = {}
    index: dict[str, int] = {}
    for i, record in enumerate(cvr_file.records):
        marks = record.votes.get(contest, frozenset())
        if contest in record.overvotes or len(marks) > 1:
            choice = OVERVOTE
        elif not marks:
            choice = BLANK
        else:
            (choice,) = marks
            if choice not in choices:
                raise InputError(
                    f"card {record.imprinted_id}",
                    **{**cvr_file.place(i, contest), "path": name},
                    expected="a choice of --tally",
                    got=choice,
                )
        bid = to_ballot(record, jurisdiction).id
        out[bid] = choice
        imprints[bid] = record.imprinted_id
        index[bid] = i
    return out, imprints, _locator(cvr_file, index, name)


def _load_cvr_sources(
    sources: Sequence[CvrSource], contest: str, choices: set[str]
) -> tuple[dict[str, str], dict[str, str], Callable[[str], dict[str, Any]]]:
    """:func:`_load_cvrs` of every file, joined: a ballot with a record in two files is an
    error naming both (with the second's line); ``where`` finds each record in its own file."""
    committed: dict[str, str] = {}
    imprints: dict[str, str] = {}
    owner: dict[str, int] = {}
    locators: list[Callable[[str], dict[str, Any]]] = []
    for k, source in enumerate(sources):
        records, prints, where = _load_cvrs(
            source.path,
            source.format,
            contest,
            source.jurisdiction,
            choices,
            source.ess_ballots,
            source.display,
        )
        locators.append(where)
        for bid in records:
            if bid in owner:
                first = sources[owner[bid]]
                at = locators[owner[bid]](bid)
                line = f":{at['line']}" if "line" in at else ""
                raise InputError(
                    f"ballot {bid} has a cast vote record in {first.name}{line} and in "
                    f"{source.name}: give each ballot's record once",
                    **{**where(bid), "field": "ballot"},
                )
            owner[bid] = k
        committed.update(records)
        imprints.update(prints)
    return committed, imprints, lambda bid: locators[owner[bid]](bid)


def read_cvr_source(source: CvrSource, contest: AuditContest) -> dict[str, str]:
    """One file's records as a comparison audit of ``contest`` reads them (ballot id → the
    record's choice, blank or overvote): the file parses, the contest is in it, and every
    choice marked is one of the contest's. The check the workspace runs on an upload, by the
    loader :func:`prepare_audit` uses at the launch."""
    records, _imprints, _where = _load_cvrs(
        source.path,
        source.format,
        contest.name,
        source.jurisdiction,
        set(contest.tally),
        source.ess_ballots,
        source.display,
    )
    return records


def _locator(
    cvr_file: CvrFile, index: Mapping[str, int], name: str
) -> Callable[[str], dict[str, Any]]:
    """Ballot id → the ``path``/``line``/``field`` of an error about its record (the file
    named as the user gave it)."""
    return lambda bid: {**cvr_file.place(index[bid], "ballot"), "path": name}


def _cvr_file(
    path: Path, fmt: str, ess_ballots: Path | None, display: str | None = None
) -> CvrFile:
    """The CVR file in any supported format (named ``display`` in errors, if given)."""
    from ballotproof.io.cvr_dominion import load_dominion_csv, load_dominion_json

    if fmt == "dominion-csv":
        cvr_file = load_dominion_csv(path, display=display)
    elif fmt == "dominion-json":
        cvr_file = load_dominion_json(path, display=display)
    elif fmt == "nist":
        from ballotproof.io.cvr_nist import load_nist_cvr

        cvr_file = load_nist_cvr(path, display=display)
    elif fmt == "ess":
        from ballotproof.io.cvr_ess import load_ess_csv

        if ess_ballots is None:
            raise InputError(field="--ess-ballots", expected="the ES&S ballots file", got="nothing")
        cvr_file = load_ess_csv(path, ess_ballots, display=display)
    else:
        raise InputError(field="--cvr-format", expected=" or ".join(CVR_FORMATS), got=fmt)
    return cvr_file


def _check_in_manifest(
    committed: Mapping[str, str],
    manifest: Manifest,
    path: str | Path,
    imprints: Mapping[str, str] | None = None,
    where: Callable[[str], dict[str, Any]] | None = None,
) -> None:
    """Every record is a ballot of the manifest (the error names the record by its imprint,
    and its line or JSON pointer when ``where`` knows it)."""
    # A record whose ballot is not in the manifest: match by batch first (cheap), then by
    # position within the batch, without listing every ballot.
    sizes = {(b.jurisdiction, b.tabulator, b.name): b.ballots for b in manifest.batches}
    ids = {b.ballot(1).id[: -len("1)")]: b for b in manifest.batches}
    for bid in committed:
        prefix, _, pos = bid.rpartition(", ")
        batch = ids.get(prefix + ", ")
        position = pos.rstrip(")")
        if (
            batch is None
            or not position.isdigit()
            or not 1 <= int(position) <= sizes[(batch.jurisdiction, batch.tabulator, batch.name)]
        ):
            imprint = (imprints or {}).get(bid)
            raise InputError(
                "a cast vote record"
                + (f" (imprinted id {imprint!r})" if imprint else "")
                + " matches no ballot of the manifest (check the jurisdiction or county it "
                "was given and the manifest's tabulator and batch names)",
                **{"path": str(path), "field": "ballot", **(where(bid) if where else {})},
                got=bid,
            )


def _check_cvrs(
    committed: Mapping[str, str],
    contest: AuditContest,
    manifest: Manifest,
    path: str | Path,
    imprints: Mapping[str, str] | None = None,
    where: Callable[[str], dict[str, Any]] | None = None,
) -> int:
    """The records add up to the tally and every record is a ballot of the manifest; returns
    the number of manifest ballots without a record (phantom records)."""
    recorded = dict.fromkeys(contest.tally, 0)
    for choice in committed.values():
        if choice in recorded:
            recorded[choice] += 1
    if recorded != dict(contest.tally):
        by_file: dict[str, dict[str, int]] = {}
        if where is not None:  # several files (one per county): say what each holds
            for bid, choice in committed.items():
                counts = by_file.setdefault(str(where(bid).get("path", path)), {})
                counts[choice] = counts.get(choice, 0) + 1
        files = (
            "; by file: "
            + "; ".join(
                f"{f}: " + ", ".join(f"{k}={c.get(k, 0)}" for k in contest.tally)
                for f, c in sorted(by_file.items())
            )
            if len(by_file) > 1
            else ""
        )
        raise InputError(
            "the cast vote records do not add up to the reported tally (records: "
            + ", ".join(f"{k}={v}" for k, v in recorded.items())
            + files
            + "): a comparison audit checks the outcome the records report",
            path=str(path),
            field="tally",
        )
    _check_in_manifest(committed, manifest, path, imprints, where)
    return manifest.total_ballots - len(committed)


def prepare_audit(
    *,
    name: str,
    contest: AuditContest,
    manifest: Path,
    seed: str,
    risk_limit: float = 0.1,
    method: Method = Method.BRAVO,
    jurisdiction: str | None = None,
    allow_phantoms: bool = False,
    cvrs: Path | None = None,
    cvr_format: str = "dominion-csv",
    ess_ballots: Path | None = None,
    cvr_files: Sequence[CvrSource] | None = None,
    batch_tallies: Path | None = None,
    round_size: int | None = None,
    replacement: bool = True,
) -> NewAudit:
    """Check a new audit's inputs (module docstring) and size its first round.

    A comparison audit's records are ``cvrs`` (one file, its ballots in ``jurisdiction``, as
    the command line gives them) or ``cvr_files`` (one or more files, each with its own format
    and jurisdiction: the workspace's one file per county), not both."""
    m = load_manifest(manifest, jurisdiction=jurisdiction)
    notes: list[str] = []
    shortfall = contest.ballots - m.total_ballots
    phantoms = 0
    if shortfall > 0:
        if not allow_phantoms:
            raise InputError(
                f"the manifest lists {m.total_ballots:,} ballots but {contest.ballots:,} were "
                f"cast: {shortfall:,} ballots could never be drawn (give --allow-phantoms to "
                "count them as phantoms, the worst case for the reported winner)",
                path=str(manifest),
                field="Number of Ballots",
            )
        if method.is_batch:
            raise InputError(
                "a batch-comparison audit needs a manifest of every ballot cast (phantom "
                f"ballots are not supported there; {shortfall:,} missing)",
                path=str(manifest),
                field="Number of Ballots",
            )
        phantoms = shortfall
        notes.append(f"{shortfall:,} phantom ballots stand for the ballots the manifest lacks")
    elif shortfall < 0:
        notes.append(
            f"the manifest lists {m.total_ballots:,} ballots; {contest.ballots:,} were cast "
            "in the contest"
        )
    spec = AuditSpec(
        name, contest, risk_limit, method, seed, phantoms=phantoms, replacement=replacement
    )
    if not replacement:
        _check_without_replacement(contest, m, phantoms, manifest)
    phantom = phantom_batch(spec)
    batches = m.batches + ((phantom,) if phantom is not None else ())
    committed: dict[str, str] | None = None
    imprints: dict[str, str] | None = None
    phantom_cvrs = 0
    cvr_source = str(cvrs) if cvrs else ""
    if cvrs is not None and cvr_files is not None:
        raise InputError(
            field="--cvrs", expected="one file or a list of files, not both", got=str(cvrs)
        )
    if method.is_comparison:
        if cvrs is not None:
            cvr_files = [CvrSource(cvrs, cvr_format, jurisdiction, ess_ballots)]
        if not cvr_files:
            raise InputError(field="--cvrs", expected="the cast vote records", got="nothing")
        if contest.ballots < m.total_ballots:
            raise InputError(
                f"--ballots is {contest.ballots:,} but the manifest lists {m.total_ballots:,}: "
                "a comparison audit's diluted margin needs every ballot",
                path=str(manifest),
                field="Number of Ballots",
            )
        committed, imprints, where = _load_cvr_sources(cvr_files, contest.name, set(contest.tally))
        cvr_source = ", ".join(f.name for f in cvr_files)
        phantom_cvrs = _check_cvrs(committed, contest, m, cvr_source, imprints, where)
        if phantom_cvrs:
            notes.append(
                f"{phantom_cvrs:,} ballots of the manifest have no cast vote record: each "
                "counts as a record for the reported winner (the worst case)"
            )
    reported = None
    if method.is_batch:
        if batch_tallies is None:
            raise InputError(
                field="--batch-tallies", expected="the reported batch tallies", got="nothing"
            )
        from ballotproof.io.batch_tallies import load_batch_tallies

        reported = load_batch_tallies(batch_tallies, manifest=m)
        missing = [b.name for b in m.batches if b.name not in reported]
        if missing:
            raise InputError(
                "every batch of the manifest needs a reported tally",
                path=str(batch_tallies),
                field="Batch Name",
                got=missing[0],
            )
        columns = set(next(iter(reported.values()), {}))
        if columns != set(contest.tally):
            raise InputError(
                path=str(batch_tallies),
                line=1,
                field="choices",
                expected="exactly the choices of --tally: " + ", ".join(contest.tally),
                got=", ".join(sorted(columns)),
            )
        sums = {k: sum(t.get(k, 0) for t in reported.values()) for k in contest.tally}
        if sums != dict(contest.tally):
            raise InputError(
                "the batch tallies do not add up to --tally ("
                + ", ".join(f"{k}={v}" for k, v in sums.items())
                + ")",
                path=str(batch_tallies),
            )
        first = batch_first_round(spec, macro_batches(m.batches, reported))
        size = round_size if round_size is not None else first
        population, unit = len(m.batches), "batches"
    else:
        size = round_size if round_size is not None else first_round_size(spec)
        population, unit = contest.ballots, "ballots"
    reason = None
    if contest.tied:
        reason = "the reported result is a tie"
    elif size >= population:
        reason = f"round 1 would need {size:,} draws, as many as there are {unit}"
    return NewAudit(
        spec=spec,
        batches=batches,
        manifest_source=str(manifest),
        manifest_sha256=_sha256(manifest),
        first_round=size,
        notes=tuple(notes),
        cvrs=committed,
        cvr_source=cvr_source,
        imprints=imprints,
        reported=reported,
        full_hand_count=reason,
        phantom_cvrs=phantom_cvrs,
    )


def prepare_multi_audit(
    *,
    name: str,
    contests: Path,
    manifest: Path,
    cvrs: Path,
    seed: str,
    risk_limit: float = 0.1,
    ballots: int | None = None,
    jurisdiction: str | None = None,
    allow_phantoms: bool = False,
    cvr_format: str = "dominion-csv",
    ess_ballots: Path | None = None,
    round_size: int | None = None,
) -> NewAudit:
    """Check a multi-contest (``shangrla-comparison``) audit's inputs and size round 1.

    The CVRs give each card's contests (card style).  A card of the manifest with no CVR, and
    each phantom (``ballots`` beyond the manifest, with ``allow_phantoms``), has the phantom
    record: every contest of the audit, no vote.  So contest c's population is
    N_c = CVRs containing c + manifest cards without a CVR + phantoms, and each assertion's
    reported margin is computed over those N_c cards (:func:`ballotproof.audit.assertions.margins`).
    """
    from ballotproof.audit.assertions import AuditedContest, Rule, margins
    from ballotproof.audit.multi import card_text
    from ballotproof.io.contests import load_contests
    from ballotproof.io.cvr import to_ballot

    entries = load_contests(contests)
    m = load_manifest(manifest, jurisdiction=jurisdiction)
    cast = m.total_ballots if ballots is None else ballots
    notes: list[str] = []
    phantoms = 0
    if cast > m.total_ballots:
        if not allow_phantoms:
            raise InputError(
                f"the manifest lists {m.total_ballots:,} cards but {cast:,} were cast (give "
                "--allow-phantoms to count the missing ones as phantoms, the worst case)",
                path=str(manifest),
                field="Number of Ballots",
            )
        phantoms = cast - m.total_ballots
        notes.append(f"{phantoms:,} phantom cards stand for the cards the manifest lacks")
    cvr_file = _cvr_file(cvrs, cvr_format, ess_ballots)
    info = cvr_file.contests
    names = {e.name for e in entries}
    for e in entries:
        if e.name not in cvr_file.contests:
            raise InputError(
                path=str(contests),
                line=e.line,
                field="name",
                expected="a contest of the CVRs: " + ", ".join(cvr_file.contests),
                got=e.name,
            )
    committed: dict[str, str] = {}
    imprints: dict[str, str] = {}
    index: dict[str, int] = {}
    cards: list[dict[str, tuple[str, ...]]] = []
    for i, record in enumerate(cvr_file.records):
        card = {k: tuple(sorted(v)) for k, v in record.votes.items() if k in names}
        bid = to_ballot(record, jurisdiction).id
        committed[bid] = card_text(card)
        imprints[bid] = record.imprinted_id
        index[bid] = i
        cards.append(card)
    _check_in_manifest(
        committed,
        m,
        cvrs,
        imprints,
        _locator(cvr_file, index, str(cvrs)),
    )
    without = m.total_ballots - len(committed)
    if without:
        notes.append(
            f"{without:,} cards of the manifest have no cast vote record: each is a phantom "
            "record holding every contest of the audit with no vote (the worst case)"
        )
    audited: list[AuditedContest] = []
    for e in entries:
        described = info.get(e.name)
        choices = e.choices or (described.choices if described is not None else ())
        votes = e.votes_allowed or (described.votes_allowed if described is not None else None)
        n_c = sum(1 for card in cards if e.name in card) + without + phantoms
        try:
            audited.append(
                AuditedContest(
                    e.name,
                    tuple(choices),
                    e.winners,
                    n_c,
                    e.targeted,
                    Rule(e.rule),
                    votes or 1,
                    e.share_to_win,
                )
            )
        except AnalysisError as exc:
            raise InputError(str(exc), path=str(contests), line=e.line, field="contests") from None
        marked = {x for card in cards for x in card.get(e.name, ())}
        unknown = sorted(marked - set(choices))
        if unknown:
            raise InputError(
                path=str(cvrs), field=e.name, expected="a choice of " + e.name, got=unknown[0]
            )
    reported = {(c.name, a.name): v for c in audited for a, v in margins(c, cards).items()}
    first = next(c for c in audited if c.targeted) if any(c.targeted for c in audited) else None
    if first is None:
        raise InputError(
            path=str(contests), field="targeted", expected="at least one targeted contest"
        )
    tally = {x: sum(1 for card in cards if x in card.get(first.name, ())) for x in first.choices}
    headline = AuditContest(first.name, tally, m.total_ballots + phantoms, len(first.winners))
    spec = AuditSpec(
        name, headline, risk_limit, Method.SHANGRLA_COMPARISON, seed, phantoms=phantoms,
        contests=tuple(audited), margins=reported,
    )  # fmt: skip
    phantom = phantom_batch(spec)
    batches = m.batches + ((phantom,) if phantom is not None else ())
    size = round_size if round_size is not None else first_round_size(spec)
    reason = None
    lost = [
        f"{c}: {a}" for (c, a), v in reported.items() if v <= 0 and
        next(x for x in audited if x.name == c).targeted
    ]  # fmt: skip
    if lost:
        reason = "the CVRs do not show the reported winners of " + "; ".join(lost)
    elif size >= headline.ballots:
        reason = f"round 1 would need {size:,} draws, as many as there are cards"
    return NewAudit(
        spec=spec,
        batches=batches,
        manifest_source=str(manifest),
        manifest_sha256=_sha256(manifest),
        first_round=size,
        notes=tuple(notes),
        cvrs=committed,
        cvr_source=str(cvrs),
        imprints=imprints,
        full_hand_count=reason,
        phantom_cvrs=without,
    )


def start_audit(store: AuditStore, new: NewAudit, *, now: Callable[[], str]) -> AuditStatus:
    """Store a checked audit and draw round 1 (one transaction)."""
    if new.full_hand_count is not None:
        raise InputError(f"no sample can help: {new.full_hand_count}; count every ballot")
    return store.start(
        new.spec,
        new.batches,
        manifest_source=new.manifest_source,
        manifest_sha256=new.manifest_sha256,
        now=now(),
        round_size=new.first_round,
        cvrs=new.cvrs,
        cvr_source=new.cvr_source,
        reported=new.reported,
        imprints=new.imprints,
    )
