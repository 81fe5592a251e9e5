"""The published bundle of an audit: every file a member of the public needs to check it.

=============================  ==============================================================
file                           what
=============================  ==============================================================
``audit.json``                 specification, round sizes, results, journal head
``manifest.csv``               the manifest (phantom ballots are not in it: see audit.json)
``draws.csv``                  every draw: order, round, ticket, ballot id, generation
``interpretations.csv``        every recorded version of every reading (corrections too)
``journal.jsonl``              the hash-chained journal, one entry per line
``cvrs.csv``                   comparison audits: the committed cast vote records
``imprints.csv``               comparison audits: the id printed on each card, where known
``reported_batch_tallies.csv`` batch comparison: the reported tally of every batch
=============================  ==============================================================

``ballotproof audit verify --published DIR`` checks every file against the journal's
commitments and recomputes the draws and the risk (:mod:`ballotproof.usecases.verify`). The
files are written under temporary names and renamed at the end: never half a bundle.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

from ballotproof.audit.journal import cvr_digest
from ballotproof.audit.process import phantom_batch, spec_to_json
from ballotproof.io.atomic import write_all
from ballotproof.store import AuditStore

__all__ = ["bundle_texts", "bundle_zip", "export_bundle"]


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def export_bundle(store: AuditStore, name: str, folder: Path) -> list[str]:
    """Write the bundle of audit ``name`` into ``folder``; returns the files written."""
    texts = bundle_texts(store, name)
    write_all(folder, texts)
    return list(texts)


def bundle_zip(store: AuditStore, name: str) -> bytes:
    """The bundle of audit ``name`` as one zip archive (a folder ``name/`` of its files), for
    downloading; unpacked, ``ballotproof audit verify --published`` checks it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file, text in bundle_texts(store, name).items():
            # A fixed time stamp: the same record always gives the same archive.
            info = zipfile.ZipInfo(f"{name}/{file}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


def bundle_texts(store: AuditStore, name: str) -> dict[str, str]:
    """Every file of the bundle of audit ``name``, by file name (``audit.json`` first)."""
    stored = store.load(name)
    # The manifest as loaded; the phantom batch is not a batch of paper, and the verifier
    # appends it again from the specification.
    phantom = phantom_batch(stored.spec)
    batches = stored.batches[:-1] if phantom is not None else stored.batches
    columns = [
        ("Jurisdiction", "jurisdiction"),
        ("Container", "container"),
        ("Tabulator", "tabulator"),
    ]
    present = [(h, a) for h, a in columns if all(getattr(b, a) is not None for b in batches)]
    manifest_text = _csv(
        [h for h, _ in present] + ["Batch Name", "Number of Ballots"],
        [[getattr(b, a) for _, a in present] + [b.name, b.ballots] for b in batches],
    )
    texts = {
        "manifest.csv": manifest_text,
        "interpretations.csv": _csv(
            ["Ballot ID", "Version", "Interpretation", "Correction", "Recorded At", "Note"],
            [
                [bid, version, choice, str(correction).lower(), at, note]
                for bid, version, choice, correction, note, at in stored.history
            ],
        ),
        "draws.csv": _csv(
            ["Order", "Round", "Ticket", "Ballot ID", "Generation"],
            [[d.seq, d.round, d.ticket, d.ballot_id, d.generation] for d in stored.draws],
        ),
        "journal.jsonl": "".join(
            json.dumps(
                {
                    "seq": e.seq,
                    "kind": e.kind,
                    "payload": e.payload,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                },
                ensure_ascii=False,
            )
            + "\n"
            for e in store.journal(name)
        ),
    }
    if stored.cvrs:
        texts["cvrs.csv"] = _csv(
            ["Ballot ID", "CVR"], [[bid, choice] for bid, choice in sorted(stored.cvrs.items())]
        )
    if stored.imprints:
        texts["imprints.csv"] = _csv(
            ["Ballot ID", "Imprinted ID"], [list(x) for x in sorted(stored.imprints.items())]
        )
    if stored.reported:
        choices = list(stored.spec.contest.tally)
        texts["reported_batch_tallies.csv"] = _csv(
            ["Batch Name", *choices],
            [[b.name, *(stored.reported[b.name].get(c, 0) for c in choices)] for b in batches],
        )
    doc = {
        "spec": spec_to_json(stored.spec),
        "round_sizes": list(stored.round_sizes),
        "results": [r.to_json() for r in stored.results if r is not None],
        "journal_head": stored.journal_head,
        "manifest_source": stored.manifest_source,
        "manifest_sha256": hashlib.sha256(manifest_text.encode()).hexdigest(),
        "cvrs_sha256": cvr_digest(stored.cvrs) if stored.cvrs else None,
    }
    return {"audit.json": json.dumps(doc, indent=2, ensure_ascii=False) + "\n", **texts}
