"""Verifying an audit: the stored copy, or a published bundle read from its files.

Both go through the one pure verifier, :func:`ballotproof.audit.verify.verify_record`; this
module only reads. A bundle that cannot be read in part (a missing or malformed file, a
damaged ``audit.json``, an unreadable journal line) gives failed checks naming the file and
line, never a traceback: whoever verifies at home learns what is wrong with what they got.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ballotproof.audit.journal import JournalEntry, cvr_digest
from ballotproof.audit.process import phantom_batch, spec_from_json
from ballotproof.audit.verify import (
    AuditRecord,
    Check,
    ClaimedDraw,
    DamagedEntry,
    Interpretation,
    verify_record,
)
from ballotproof.errors import AnalysisError, BallotproofError
from ballotproof.io.csvread import Row, parse_int, read_rows
from ballotproof.io.manifest import load_manifest
from ballotproof.parallel import ProcessPool
from ballotproof.store import AuditStore

__all__ = ["BUNDLE_FILES", "verify_bundle", "verify_store"]

# Every bundle has these; a comparison audit adds cvrs.csv (and imprints.csv), a batch
# comparison reported_batch_tallies.csv.
BUNDLE_FILES = ("audit.json", "manifest.csv", "interpretations.csv", "draws.csv", "journal.jsonl")


def verify_store(
    store: AuditStore, name: str, *, expected_head: str | None = None
) -> tuple[Check, ...]:
    """Verify a stored audit against its journal and a recomputation."""
    return store.verify(name, expected_head=expected_head)


def _journal(path: Path) -> Iterator[JournalEntry | DamagedEntry]:
    """The published journal, one entry per line; a damaged line is reported, not raised."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, start=1):
            where = f"{path.name}:{number}"
            try:
                e = json.loads(line)
                yield JournalEntry(
                    int(e["seq"]),
                    str(e["kind"]),
                    str(e["payload"]),
                    str(e["prev_hash"]),
                    str(e["hash"]),
                )
            except json.JSONDecodeError as exc:
                yield DamagedEntry(where, f"malformed JSON ({exc.msg})")
            except (KeyError, TypeError, ValueError) as exc:
                yield DamagedEntry(where, f"missing or bad field {exc}")


def _count(row: Row, column: str) -> int:
    """A whole number ≥ 1 written as export writes it: ``01`` or ``+1`` would read as 1, so an
    edit to the file could pass unseen; the bundle's text is what its hashes commit to."""
    value = parse_int(row, column, minimum=1)
    if str(value) != row.get(column):
        raise row.error(column, "an integer written without leading zeros", row.get(column))
    return value


def _flag(row: Row, column: str) -> bool:
    """``true`` or ``false``, exactly as ``audit export`` writes it."""
    value = row.get(column)
    if value not in ("true", "false"):
        raise row.error(column, "true or false", value)
    return value == "true"


def _read_record(folder: Path) -> AuditRecord:
    """The bundle's claims (raises an error naming the file, line and field)."""
    path = folder / "audit.json"
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        spec = spec_from_json(doc["spec"])
        round_sizes = tuple(int(x) for x in doc["round_sizes"])
        results = tuple(dict(r) for r in doc["results"])
        head = str(doc["journal_head"])
        source = str(doc["manifest_source"])
        stated_manifest = doc["manifest_sha256"]
        stated_cvrs = doc["cvrs_sha256"]
    except json.JSONDecodeError as exc:
        raise BallotproofError(f"{path}:{exc.lineno}: malformed JSON ({exc.msg})") from exc
    except (KeyError, TypeError, ValueError, AnalysisError) as exc:
        raise BallotproofError(f"{path}: missing or bad field {exc}") from exc
    manifest = load_manifest(folder / "manifest.csv")
    history = [
        Interpretation(
            row.require("Ballot ID"),
            _count(row, "Version"),
            row.require("Interpretation"),
            _flag(row, "Correction"),
            row.get("Note"),
            row.get("Recorded At"),
        )
        for row in read_rows(
            folder / "interpretations.csv",
            ("Ballot ID", "Version", "Interpretation"),
            optional=("Correction", "Recorded At", "Note"),
        )
    ]
    draws = [
        ClaimedDraw(
            _count(r, "Order"),
            _count(r, "Round"),
            r.require("Ticket"),
            r.require("Ballot ID"),
            _count(r, "Generation"),
        )
        for r in read_rows(
            folder / "draws.csv", ("Order", "Round", "Ticket", "Ballot ID", "Generation")
        )
    ]
    cvrs = imprints = reported = None
    if spec.method.is_comparison or (folder / "cvrs.csv").exists():
        cvrs = {
            r.require("Ballot ID"): r.require("CVR")
            for r in read_rows(folder / "cvrs.csv", ("Ballot ID", "CVR"))
        }
    if (folder / "imprints.csv").exists():
        imprints = {
            r.require("Ballot ID"): r.require("Imprinted ID")
            for r in read_rows(folder / "imprints.csv", ("Ballot ID", "Imprinted ID"))
        }
    if spec.method.is_batch or (folder / "reported_batch_tallies.csv").exists():
        from ballotproof.io.batch_tallies import load_batch_tallies

        reported = load_batch_tallies(folder / "reported_batch_tallies.csv", manifest=manifest)
    # audit.json's own hashes of manifest.csv and cvrs.csv are claims too: they must hold.
    manifest_bytes = (folder / "manifest.csv").read_bytes()
    if stated_manifest != hashlib.sha256(manifest_bytes).hexdigest():
        raise BallotproofError(
            f"{path}: field 'manifest_sha256' is not the SHA-256 of manifest.csv"
        )
    if stated_cvrs != (cvr_digest(cvrs) if cvrs else None):
        raise BallotproofError(f"{path}: field 'cvrs_sha256' is not the digest of cvrs.csv")
    phantom = phantom_batch(spec)
    return AuditRecord(
        spec=spec,
        batches=manifest.batches + ((phantom,) if phantom is not None else ()),
        round_sizes=round_sizes,
        results=results,
        draws=draws,
        history=history,
        cvrs=cvrs,
        reported=reported,
        imprints=imprints,
        head=head,
        started={"manifest_source": source},
    )


def verify_bundle(folder: Path, *, expected_head: str | None = None) -> tuple[Check, ...]:
    """Verify a published bundle (written by ``audit export``) without the database."""
    problems: list[Check] = []
    record = None
    missing = [n for n in BUNDLE_FILES if not (folder / n).is_file()]
    if missing:
        problems.append(
            Check("bundle complete", False, f"missing {', '.join(missing)} in {folder}")
        )
    else:
        try:
            record = _read_record(folder)
        except (BallotproofError, OSError) as exc:
            problems.append(Check("bundle files readable", False, str(exc)))
    journal = folder / "journal.jsonl"
    entries: Iterator[JournalEntry | DamagedEntry] = (
        _journal(journal) if journal.is_file() else iter(())
    )
    return verify_record(
        record, entries, expected_head=expected_head, problems=problems, pool=ProcessPool()
    )
