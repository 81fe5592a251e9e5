"""Setting up an audit with counties: create it, take each county's manifest, launch it.

The workspace's path to an audit record, for the web service (and any other front end):

1. :func:`create_audit` — the state admin names the contest, method, risk limit and the public
   seed with how it was made, and the counties taking part. Nothing is drawn yet.
2. :func:`upload_manifest` — a county manager uploads the county's ballot manifest. It is read
   by the same loader as ``audit start`` (:func:`ballotproof.io.manifest.load_manifest`, the
   county's name as the manifest's jurisdiction): a bad file is one error naming the file,
   line and field, and nothing is kept.
   For a ballot-comparison audit the county also uploads its cast vote records
   (:func:`upload_cvrs`, one file in one of :data:`CVR_UPLOAD_FORMATS`), read at once by the
   loader of ``audit start --cvrs`` with the county as jurisdiction.
3. :func:`launch` — when every county has uploaded, the counties' manifests become one
   (counties in name order, each county's batches in file order, the county as the
   ``Jurisdiction`` column) and the audit starts through :func:`ballotproof.usecases.start`
   like any other: the same checks, the same sampler, the same journal. A comparison audit
   passes every county's CVR file (:class:`ballotproof.usecases.start.CvrSource`): the
   checks across files (records add up to the tally, every record a ballot of the manifest,
   no ballot in two files) happen there, all or nothing.

The workspace launches ballot-polling and ballot-comparison audits of one contest (the
methods whose inputs are manifests, and CVR files); batch comparison (batch tallies) and
several contests are started with ``ballotproof audit start``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ballotproof.audit.bravo import DEFAULT_PROBABILITIES
from ballotproof.audit.contest import AuditContest
from ballotproof.audit.process import AuditSpec, Method, first_round_size
from ballotproof.audit.supersimple import CUSTOMARY_RATES
from ballotproof.errors import InputError, StoreError
from ballotproof.io.manifest import Manifest, load_manifest
from ballotproof.store import AuditStatus, AuditStore, Workspace
from ballotproof.store.workspace import DraftRow, UploadRow
from ballotproof.usecases.start import CvrSource, prepare_audit, read_cvr_source, start_audit

__all__ = [
    "COMPARISON_METHODS",
    "CVR_UPLOAD_FORMATS",
    "MAX_UPLOAD_BYTES",
    "POLLING_METHODS",
    "WORKSPACE_METHODS",
    "CountyState",
    "Draft",
    "RoundOneSize",
    "audit_statuses",
    "create_audit",
    "draft_of",
    "drafts",
    "launch",
    "launched_status",
    "round_one_sizes",
    "seed_ceremony",
    "upload_cvrs",
    "upload_manifest",
]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
POLLING_METHODS = (Method.BRAVO, Method.MINERVA, Method.ALPHA)
COMPARISON_METHODS = (Method.SUPERSIMPLE, Method.ALPHA_COMPARISON)
WORKSPACE_METHODS = POLLING_METHODS + COMPARISON_METHODS
MANIFEST = "manifest"
CVRS = "cvrs"
CVR_UPLOAD_FORMATS: Mapping[str, tuple[str, str]] = {
    "dominion-csv": ("dominion-csv", ".csv"),
    "dominion-json": ("dominion-json", ".json"),
    "nist-json": ("nist", ".json"),
}
"""The formats a county's CVR file may be in: each → the ``--cvr-format`` of its loader and
the file's extension. Dominion JSON is read without its contest and candidate manifests (one
file per county), so its contests and choices are named by their ids, as ``audit start``
names them without ``--dominion-manifests``. ES&S is not here: its records need two files."""
ESS_REFUSED = (
    "ES&S cast vote records need two files (the CVR export and its ballots file), which the "
    "workspace does not take yet: start this audit with 'ballotproof audit start --cvr-format "
    "ess'"
)


@dataclass(frozen=True, slots=True)
class CountyState:
    """A county of an audit being set up, and what it has uploaded."""

    county: str
    manager_email: str | None
    manifest: UploadRow | None
    cvrs: UploadRow | None = None  # a comparison audit's cast vote records

    def to_json(self) -> dict[str, object]:
        return {
            "county": self.county,
            "manager_email": self.manager_email,
            "manifest": _upload_json(self.manifest),
            "cvrs": _upload_json(self.cvrs),
        }


def _upload_json(u: UploadRow | None) -> dict[str, object] | None:
    if u is None:
        return None
    doc: dict[str, object] = {
        "filename": u.filename,
        "sha256": u.sha256,
        "summary": u.summary,
        "uploaded_by": u.uploaded_by,
        "uploaded_at": u.uploaded_at,
    }
    if u.format is not None:
        doc["format"] = u.format
    return doc


@dataclass(frozen=True, slots=True)
class Draft:
    """An audit as set up in the workspace."""

    spec: AuditSpec
    seed_ceremony: str
    created_by: str
    launched: bool
    counties: tuple[CountyState, ...]

    @property
    def comparison(self) -> bool:
        """A ballot-comparison audit: every county uploads its cast vote records too."""
        return self.spec.method.is_comparison

    @property
    def ready(self) -> bool:
        return self.counties_ready == len(self.counties)

    @property
    def counties_ready(self) -> int:
        """Counties that have uploaded every file the audit needs."""
        return sum(
            1
            for c in self.counties
            if c.manifest is not None and (c.cvrs is not None or not self.comparison)
        )

    def waiting(self) -> list[str]:
        """What launching waits for: ``"the manifest of Cobb"``, … (empty when ready)."""
        out = [f"the manifest of {c.county}" for c in self.counties if c.manifest is None]
        if self.comparison:
            out += [f"the CVR file of {c.county}" for c in self.counties if c.cvrs is None]
        return out

    def to_json(self) -> dict[str, object]:
        c = self.spec.contest
        return {
            "audit": self.spec.name,
            "contest": {"name": c.name, "tally": dict(c.tally), "ballots": c.ballots},
            "method": self.spec.method.value,
            "risk_limit": self.spec.risk_limit,
            "seed": self.spec.seed,
            "seed_ceremony": self.seed_ceremony,
            "created_by": self.created_by,
            "launched": self.launched,
            "comparison": self.comparison,
            "ready": self.ready,
            "counties": [s.to_json() for s in self.counties],
        }


CHANCES = DEFAULT_PROBABILITIES  # the chances of finishing in round 1 shown, as `audit plan`


@dataclass(frozen=True, slots=True)
class RoundOneSize:
    """How many ballots round 1 draws with a method for a chance of ending the audit there
    (``chance``), or, for a comparison method, if the records are as accurate as the method
    plans for (``chance`` is ``None``; ``basis`` says what it assumes)."""

    method: Method
    size: int
    chance: float | None
    chosen: bool  # the audit's own method at the audit's own stop probability
    basis: str = ""


COMPARISON_BASIS = {
    Method.SUPERSIMPLE: "discrepancies at the customary rates ("
    f"{100 * CUSTOMARY_RATES.o1:g} % one-vote, {100 * CUSTOMARY_RATES.o2:g} % two-vote)",
    Method.ALPHA_COMPARISON: "no discrepancy between the records and the ballots",
}


def round_one_sizes(draft: Draft) -> list[RoundOneSize]:
    """Round 1's size under each method of the audit's kind the workspace launches — so the
    admin sees the cost of each choice before launching — each from
    :func:`ballotproof.audit.process.first_round_size`. Ballot polling: for a 70 %, 80 % and
    90 % chance of confirming in round 1 when the reported result is right (and the audit's
    own stop probability, if it is another). Ballot comparison: one size per method, which
    does not depend on a stop probability but on the discrepancies the method plans for
    (``basis``). The audit itself draws the size of its method (``chosen``)."""
    own = draft.spec.stop_probability
    out = []
    if draft.comparison:
        for method in COMPARISON_METHODS:
            size = first_round_size(replace(draft.spec, method=method))
            chosen = method is draft.spec.method
            out.append(RoundOneSize(method, size, None, chosen, COMPARISON_BASIS[method]))
        return out
    chances = sorted({*CHANCES, own})
    for method in POLLING_METHODS:
        for q in chances:
            spec = replace(draft.spec, method=method, stop_probability=q)
            chosen = method is draft.spec.method and q == own
            out.append(RoundOneSize(method, first_round_size(spec), q, chosen))
    return out


def _spec(name: str, contest_json: str, method: str, risk_limit: str, seed: str) -> AuditSpec:
    c = json.loads(contest_json)
    contest = AuditContest(c["name"], c["tally"], c["ballots"])
    return AuditSpec(name, contest, float(risk_limit), Method(method), seed)


def create_audit(
    workspace: Workspace,
    store: AuditStore,
    *,
    name: str,
    contest: AuditContest,
    method: Method,
    risk_limit: float,
    seed: str,
    seed_ceremony: str,
    counties: Mapping[str, str | None],
    created_by: str,
    now: Callable[[], str],
) -> Draft:
    """Set up an audit (nothing drawn). ``counties`` maps each county to its manager's e-mail.

    Raises
    ------
    InputError
        A field the workspace cannot take (named), or a name already used.
    AnalysisError
        The contest or the parameters cannot make an audit (from :class:`AuditSpec`).
    """
    name = name.strip()
    if not name or len(name) > 200 or "/" in name:
        raise InputError("an audit name of 1-200 characters without '/'", field="name")
    if name in store.names() or workspace.draft(name) is not None:
        raise InputError(f"an audit named {name!r} already exists", field="name")
    if method not in WORKSPACE_METHODS:
        raise InputError(
            "the workspace launches ballot-polling and ballot-comparison audits of one contest ("
            + ", ".join(m.value for m in WORKSPACE_METHODS)
            + "); start batch-comparison and multi-contest audits with 'ballotproof audit "
            "start'",
            field="method",
            got=method.value,
        )
    if not seed_ceremony.strip():
        raise InputError(
            "say how the seed was made (e.g. a public dice roll)", field="seed_ceremony"
        )
    if not counties:
        raise InputError("an audit needs at least one county", field="counties")
    for county in counties:
        if not county.strip() or len(county) > 200 or "/" in county:
            raise InputError("a county name of 1-200 characters without '/'", field="counties")
    spec = AuditSpec(name, contest, risk_limit, method, seed)  # validates the rest
    contest_json = json.dumps(
        {"name": contest.name, "tally": dict(contest.tally), "ballots": contest.ballots},
        sort_keys=True,
    )
    workspace.create(
        DraftRow(
            name,
            contest_json,
            method.value,
            repr(risk_limit),
            seed,
            seed_ceremony.strip(),
            created_by,
            now(),
            False,
            tuple(sorted(counties.items())),
        )
    )
    result = draft_of(workspace, name)
    assert result is not None and result.spec == spec
    return result


def launched_status(store: AuditStore, name: str) -> AuditStatus | None:
    """The audit's status once launched (its record exists), else ``None``."""
    return store.status(name) if name in store.names() else None


def audit_statuses(store: AuditStore) -> list[AuditStatus]:
    """Every audit of the record, by name (the public list)."""
    return [store.status(name) for name in store.names()]


def seed_ceremony(workspace: Workspace, name: str) -> str | None:
    """How the audit's seed was made, as the state admin recorded it (``None`` for an audit
    started from the command line)."""
    row = workspace.draft(name)
    return row.seed_ceremony if row else None


def drafts(workspace: Workspace, *, county: str | None = None) -> list[Draft]:
    """The audits set up here (only those ``county`` takes part in, if given)."""
    found = [d for n in workspace.names() if (d := draft_of(workspace, n)) is not None]
    if county is None:
        return found
    return [d for d in found if county in {c.county for c in d.counties}]


def draft_of(workspace: Workspace, name: str, *, with_files: bool = False) -> Draft | None:
    """The audit ``name`` as set up in the workspace (``None`` if it was not set up here);
    the uploaded files' text only ``with_files`` (the launch needs it, status pages do not)."""
    row = workspace.draft(name)
    if row is None:
        return None
    uploads = {(u.county, u.kind): u for u in workspace.uploads(name, content=with_files)}
    return Draft(
        _spec(row.name, row.contest, row.method, row.risk_limit, row.seed),
        row.seed_ceremony,
        row.created_by,
        row.launched,
        tuple(
            CountyState(c, m, uploads.get((c, MANIFEST)), uploads.get((c, CVRS)))
            for c, m in row.counties
        ),
    )


def upload_manifest(
    workspace: Workspace,
    name: str,
    county: str,
    filename: str,
    content: bytes,
    *,
    uploaded_by: str,
    now: Callable[[], str],
) -> CountyState:
    """Check and keep a county's ballot manifest (all or nothing).

    Raises
    ------
    InputError
        Not a UTF-8 CSV of at most 50 MiB, or any error of the manifest loader (file, line,
        field); nothing is kept.
    StoreError
        No such audit or county, or the audit has been launched.
    """
    draft = _county_draft(workspace, name, county)
    display, text = _checked_text(content, filename, "manifest.csv", ".csv", "a ballot manifest")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "manifest.csv"
        path.write_text(text, encoding="utf-8")
        manifest = load_manifest(path, jurisdiction=county, display=display)
    summary = f"{len(manifest.batches):,} batches, {manifest.total_ballots:,} ballots"
    workspace.put_upload(
        name,
        UploadRow(
            county,
            MANIFEST,
            display,
            hashlib.sha256(content).hexdigest(),
            text,
            summary,
            len(manifest.batches),
            uploaded_by,
            now(),
        ),
    )
    return _county_state(workspace, draft, county)


def _county_draft(workspace: Workspace, name: str, county: str) -> Draft:
    draft = draft_of(workspace, name)
    if draft is None or county not in {c.county for c in draft.counties}:
        raise StoreError(f"no county {county!r} in audit {name!r}")
    return draft


def _county_state(workspace: Workspace, draft: Draft, county: str) -> CountyState:
    found = draft_of(workspace, draft.spec.name) or draft
    return next(c for c in found.counties if c.county == county)


def _checked_text(
    content: bytes, filename: str, default: str, extension: str, what: str
) -> tuple[str, str]:
    """The upload's name (without any folder) and its text: at most 50 MiB, named
    ``*extension``, UTF-8 (with or without a byte order mark)."""
    display = Path(filename).name or default
    if len(content) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB", path=display
        )
    if not display.lower().endswith(extension):
        raise InputError(f"{what} is a {extension} file", path=display, field="file name")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start})", path=display, field="encoding"
        ) from exc
    return display, text


def _cvr_format(fmt: str, filename: str | None = None) -> tuple[str, str]:
    """A CVR upload's format → its loader's ``--cvr-format`` and the file's extension
    (errors name the uploaded file and its ``format`` field)."""
    path = Path(filename).name if filename else None
    if fmt.startswith("ess"):
        raise InputError(ESS_REFUSED, path=path, field="format", got=fmt)
    if fmt not in CVR_UPLOAD_FORMATS:
        raise InputError(
            path=path,
            field="format",
            expected="one of " + ", ".join(CVR_UPLOAD_FORMATS),
            got=fmt,
        )
    return CVR_UPLOAD_FORMATS[fmt]


def upload_cvrs(
    workspace: Workspace,
    name: str,
    county: str,
    filename: str,
    content: bytes,
    fmt: str,
    *,
    uploaded_by: str,
    now: Callable[[], str],
) -> CountyState:
    """Check and keep a county's cast vote records for a ballot-comparison audit (all or
    nothing): one file in one of :data:`CVR_UPLOAD_FORMATS`, read by the loader of ``audit
    start --cvrs`` with the county as jurisdiction — it parses, the audit's contest is in it,
    and every choice marked is one of the contest's. Whether the records match the manifest
    and add up to the tally is checked at the launch, across counties.

    Raises
    ------
    InputError
        Not a comparison audit; a format the workspace does not take (ES&S: two files); not a
        UTF-8 file of at most 50 MiB with the format's extension; any error of the loader
        (file, line or JSON pointer, field); nothing is kept.
    StoreError
        No such audit or county, or the audit has been launched.
    """
    draft = _county_draft(workspace, name, county)
    if not draft.comparison:
        raise InputError(
            f"audit {name!r} is a ballot-polling audit ({draft.spec.method.value}): it takes no "
            "cast vote records",
            field="method",
        )
    loader_format, extension = _cvr_format(fmt, filename)
    display, text = _checked_text(
        content, filename, "cvrs" + extension, extension, f"a {fmt} CVR file"
    )
    contest = draft.spec.contest
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("cvrs" + extension)
        path.write_text(text, encoding="utf-8")
        records = read_cvr_source(CvrSource(path, loader_format, county, display=display), contest)
    counts = Counter(records.values())
    shown = [*contest.tally, *sorted(set(counts) - set(contest.tally))]
    summary = f"{len(records):,} records: " + ", ".join(f"{k} {counts[k]:,}" for k in shown)
    workspace.put_upload(
        name,
        UploadRow(
            county,
            CVRS,
            display,
            hashlib.sha256(content).hexdigest(),
            text,
            summary,
            len(records),
            uploaded_by,
            now(),
            fmt,
        ),
    )
    return _county_state(workspace, draft, county)


def _combined(draft: Draft) -> str:
    """One manifest of every county's batches, with the county as ``Jurisdiction``."""
    loaded: list[Manifest] = []
    with tempfile.TemporaryDirectory() as folder:
        for c in draft.counties:
            assert c.manifest is not None
            path = Path(folder) / f"{len(loaded)}.csv"
            path.write_text(c.manifest.content, encoding="utf-8")
            loaded.append(load_manifest(path, jurisdiction=c.county, display=c.manifest.filename))
    present = [
        (header, attr)
        for header, attr in (("Container", "container"), ("Tabulator", "tabulator"))
        if all(getattr(b, attr) is not None for m in loaded for b in m.batches)
    ]
    partial = [
        header
        for header, attr in (("Container", "container"), ("Tabulator", "tabulator"))
        if (header, attr) not in present
        and any(getattr(b, attr) is not None for m in loaded for b in m.batches)
    ]
    if any(h == "Tabulator" for h in partial):
        raise InputError(
            "some counties' manifests have a Tabulator column and some do not; the tabulator "
            "is part of every ballot's id, so all counties need the same columns",
            field="Tabulator",
        )
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Jurisdiction", *(h for h, _ in present), "Batch Name", "Number of Ballots"])
    for m in loaded:
        for b in m.batches:
            w.writerow([b.jurisdiction, *(getattr(b, a) for _, a in present), b.name, b.ballots])
    return buf.getvalue()


def _cvr_sources(draft: Draft, folder: Path) -> list[CvrSource]:
    """Every county's CVR file written to ``folder``, each named ``County/file`` in errors
    (two counties may upload files of the same name)."""
    out = []
    for i, c in enumerate(draft.counties):
        assert c.cvrs is not None and c.cvrs.format is not None
        loader_format, extension = _cvr_format(c.cvrs.format)
        path = folder / f"cvrs-{i}{extension}"
        path.write_text(c.cvrs.content, encoding="utf-8")
        out.append(
            CvrSource(path, loader_format, c.county, display=f"{c.county}/{c.cvrs.filename}")
        )
    return out


def launch(
    workspace: Workspace,
    store: AuditStore,
    name: str,
    *,
    allow_phantoms: bool = False,
    now: Callable[[], str],
) -> AuditStatus:
    """Start the audit set up as ``name``: one manifest from every county's (and, for a
    comparison audit, every county's CVR file), then round 1.

    Raises
    ------
    StoreError
        No such audit, already launched, or a county has not uploaded its manifest (or, for a
        comparison audit, its CVR file).
    InputError
        From the checks of :func:`ballotproof.usecases.start.prepare_audit` (a manifest short
        of the ballots cast, unless phantoms are allowed; records that do not add up to the
        tally or match no ballot of the manifest, …).
    """
    draft = draft_of(workspace, name, with_files=True)
    if draft is None:
        raise StoreError(f"no audit named {name!r} is being set up")
    if name in store.names():
        # Launched before, and the workspace did not hear of it (a crash between the two
        # writes): the record is the truth.
        workspace.mark_launched(name)
        return store.status(name)
    if draft.launched:  # pragma: no cover - launched means the record exists
        raise StoreError(f"audit {name!r} has been launched")
    waiting = draft.waiting()
    if waiting:
        raise StoreError("waiting for " + ", ".join(waiting))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}-manifest.csv"
        path.write_text(_combined(draft), encoding="utf-8")
        sources = _cvr_sources(draft, Path(folder)) if draft.comparison else None
        new = prepare_audit(
            name=name,
            contest=draft.spec.contest,
            manifest=path,
            seed=draft.spec.seed,
            risk_limit=draft.spec.risk_limit,
            method=draft.spec.method,
            allow_phantoms=allow_phantoms,
            cvr_files=sources,
        )
        source = "workspace: the manifests of " + ", ".join(
            f"{c.county} ({c.manifest.filename}, sha256 {c.manifest.sha256[:12]}…)"
            for c in draft.counties
            if c.manifest is not None
        )
        new = replace(new, manifest_source=source)
        if sources is not None:
            new = replace(
                new,
                cvr_source="workspace: the cast vote records of "
                + ", ".join(
                    f"{c.county} ({c.cvrs.filename}, {c.cvrs.format}, sha256 {c.cvrs.sha256[:12]}…)"
                    for c in draft.counties
                    if c.cvrs is not None
                ),
            )
        status = start_audit(store, new, now=now)
    workspace.mark_launched(name)
    return status
