"""The audit journal's hashes: one definition for the store, the bundles and the verifier.

An audit's record is a hash chain: entry ``i`` stores ``hash_i = SHA-256(hash_{i-1} + "\\n" +
kind + "\\n" + payload)`` with ``hash_0`` = 64 zeros and the payload as canonical JSON (sorted
keys, no spaces, UTF-8). Whatever the journal commits to (the manifest, the cast vote records,
the reported batch tallies, each round's draws) is committed as the SHA-256 of a canonical
JSON text defined here, so the store and a published bundle are checked by the same digests.
Publishing the last hash (the *head*) fixes everything recorded before it: changing any entry
changes every hash after it.

Pure: hashing and JSON are computations on values, not I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any, NamedTuple

__all__ = [
    "DRAW_FIELDS",
    "GENESIS",
    "DrawsDigest",
    "JournalEntry",
    "batches_digest",
    "canonical",
    "chain_hash",
    "cvr_digest",
    "draws_digest",
    "interpretation_payload",
    "tallies_digest",
]

GENESIS = "0" * 64

# What a round's draws commit to: order, round, ticket, id, generation and where the ballot is.
DRAW_FIELDS = (
    "seq",
    "round",
    "ticket",
    "ballot_id",
    "generation",
    "jurisdiction",
    "container",
    "tabulator",
    "batch",
    "position",
)


class JournalEntry(NamedTuple):
    """One entry of the hash chain, as stored and as published (``journal.jsonl``); a named
    tuple, as a journal of millions of entries is read one at a time."""

    seq: int
    kind: str
    payload: str
    prev_hash: str
    hash: str


def canonical(payload: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def interpretation_payload(
    ballot_id: str, version: int, choice: str, correction: bool, note: str, at: str
) -> str:
    """``canonical`` of an ``interpretation`` entry's payload, the same text built directly
    (its keys in sorted order, each string as ``json.dumps`` writes it): recording millions of
    ballots spends no time sorting six keys again for each."""
    if not (
        type(ballot_id) is str
        and type(version) is int
        and type(choice) is str
        and type(correction) is bool
        and type(note) is str
        and type(at) is str
    ):
        return canonical(
            {
                "ballot_id": ballot_id,
                "version": version,
                "choice": choice,
                "correction": correction,
                "note": note,
                "at": at,
            }
        )
    return (
        f'{{"at":{encode_basestring(at)},"ballot_id":{encode_basestring(ballot_id)},'
        f'"choice":{encode_basestring(choice)},"correction":{"true" if correction else "false"},'
        f'"note":{encode_basestring(note)},"version":{version}}}'
    )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def chain_hash(prev: str, kind: str, payload: str) -> str:
    """The hash of an entry given the previous entry's hash."""
    return _sha(f"{prev}\n{kind}\n{payload}")


def cvr_digest(cvrs: Mapping[str, str]) -> str:
    """SHA-256 of the committed cast vote records (canonical: sorted by ballot id)."""
    return _sha(canonical(sorted(cvrs.items())))


def tallies_digest(reported: Mapping[str, Mapping[str, int]]) -> str:
    """SHA-256 of the reported batch tallies (sorted by batch name)."""
    return _sha(canonical(sorted((k, dict(v)) for k, v in reported.items())))


def draws_digest(rows: Sequence[Mapping[str, Any]]) -> str:
    """SHA-256 of a round's draws (the fields of :data:`DRAW_FIELDS`, in draw order)."""
    return _sha(canonical([[r[k] for k in DRAW_FIELDS] for r in rows]))


# Rows of scalars are what canonical() makes them without sorting keys (there are none); this
# encoder skips the sort, a third of the time of hashing millions of rows.
_ROWS = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class DrawsDigest:
    """:func:`draws_digest` fed a piece at a time, so that a round of millions of draws is
    hashed without its text (or its rows) ever being held whole.

    The canonical JSON of a list is ``"[" + ",".join(canonical(item)) + "]"``: each piece's
    canonical text without its brackets is fed, with a comma between pieces, so the digest is
    the same as that of the whole list. Rows are sequences of the fields of
    :data:`DRAW_FIELDS`, in that order (scalars: a row holding a mapping would be written
    with its keys unsorted).
    """

    __slots__ = ("_hash", "_rows")

    def __init__(self) -> None:
        self._hash = hashlib.sha256(b"[")
        self._rows = 0

    def add(self, rows: Iterable[Sequence[Any]], *also: DrawsDigest) -> None:
        """Feed the next rows (to this digest and to each of ``also``: the text is made once)."""
        piece = list(rows)
        if not piece:
            return
        text = _ROWS.encode(piece)[1:-1].encode()
        for digest in (self, *also):
            if digest._rows:
                digest._hash.update(b",")
            digest._hash.update(text)
            digest._rows += len(piece)

    @property
    def rows(self) -> int:
        return self._rows

    def hexdigest(self) -> str:
        h = self._hash.copy()
        h.update(b"]")
        return h.hexdigest()


def batches_digest(batches: Sequence[Any]) -> str:
    """SHA-256 of a manifest's batches (jurisdiction, container, tabulator, name, ballots)."""
    return _sha(
        canonical([[b.jurisdiction, b.container, b.tabulator, b.name, b.ballots] for b in batches])
    )
