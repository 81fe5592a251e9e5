"""Pure helpers for audits of millions of draws: what a round's risk needs of every draw, held
as a handful of shared objects, and two streams compared without holding either whole.

The store (closing a round) and the verifier both meet every draw of an audit with the latest
reading of its ballot. A statewide round of two million draws as two million objects, and a
mapping of as many ballot ids to readings, is gigabytes of Python objects; what the round's
risk depends on is only each draw's reading (and cast vote record) and where its ballot is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

from ballotproof.audit.process import AuditSpec, DrawnBallot, RoundResult, recompute
from ballotproof.audit.sampler import Batch

__all__ = ["RoundReadings", "SameItems"]

T = TypeVar("T", bound=Hashable)


class RoundReadings:
    """The draws of rounds 1…n, each with the latest reading of its ballot, for
    :func:`ballotproof.audit.process.recompute` (the one place where draws meet readings).

    ``recompute`` looks a draw's reading (and cast vote record) up by its ballot id, and looks
    at where the ballot is only to tell a phantom. So a draw with a reading is given to it as a
    :class:`DrawnBallot` whose id is a *token* standing for that reading (and record), shared
    by every draw with the same reading, record and batch: a round of millions of draws is a
    list of references to a few thousand objects, and the readings a mapping of a handful of
    tokens. ``recompute`` then sees, for every draw, exactly the reading and record it would see
    with the real ids. A draw with no reading keeps its real id, so that the ``KeyError`` of
    ``recompute`` still names the ballot. Tokens begin with a NUL character, which no ballot id
    (``((…), position)`` or ``batch '…'``) does.
    """

    __slots__ = ("_cvrs", "_latest", "_shared", "_tokens", "rounds")

    def __init__(self, rounds: int) -> None:
        self.rounds: list[list[DrawnBallot]] = [[] for _ in range(rounds)]
        self._latest: dict[str, str] = {}
        self._cvrs: dict[str, str] = {}
        self._tokens: dict[tuple[str, str | None], str] = {}
        self._shared: dict[tuple[str, str | None, str | None, str], DrawnBallot] = {}

    def add(
        self,
        number: int,
        ballot_id: str,
        jurisdiction: str | None,
        tabulator: str | None,
        batch: str,
        reading: str | None,
        cvr: str | None = None,
    ) -> None:
        """One draw of round ``number`` (1-based), in draw order; ``reading`` is the latest
        reading of its ballot (``None``: none recorded), ``cvr`` its cast vote record
        (``None``: none, which ``recompute`` treats as a phantom record)."""
        if reading is None:
            drawn = DrawnBallot(ballot_id, jurisdiction, tabulator, batch)
            if cvr is not None:
                self._cvrs[ballot_id] = cvr
        else:
            token = self._tokens.get((reading, cvr))
            if token is None:
                token = self._tokens[(reading, cvr)] = f"\x00{len(self._tokens)}"
                self._latest[token] = reading
                if cvr is not None:
                    self._cvrs[token] = cvr
            key = (token, jurisdiction, tabulator, batch)
            shared = self._shared.get(key)
            if shared is None:
                shared = self._shared[key] = DrawnBallot(token, jurisdiction, tabulator, batch)
            drawn = shared
        self.rounds[number - 1].append(drawn)

    def recompute(
        self,
        spec: AuditSpec,
        batches: Sequence[Batch],
        *,
        reported: Mapping[str, Mapping[str, int]] | None = None,
    ) -> tuple[RoundResult, ...]:
        """``recompute`` of every round added (``KeyError`` names a ballot with no reading)."""
        return recompute(
            spec, batches, self.rounds, self._latest, cvrs=self._cvrs, reported=reported
        )


_END = object()


def _digest(item: object) -> bytes:
    return hashlib.sha256(repr(item).encode()).digest()


class SameItems(Generic[T]):
    """Whether a copy's items (``claimed``, a stream) are the journal's (given one at a time
    to :meth:`journalled`), as multisets: each item as often on both sides, in any order.

    A copy that gives its items in the journal's order is compared in lockstep, holding
    nothing. From the first difference on (a copy in another order, an edit, an item missing
    or added) the rest of both sides are compared as sorted SHA-256 digests of their ``repr``:
    exact (up to SHA-256), and a few dozen bytes an item rather than the items themselves.
    Items are tuples of str, int and bool, whose ``repr`` tells them apart.
    """

    def __init__(self, claimed: Iterable[T]) -> None:
        self._claimed = iter(claimed)
        self.claimed = 0
        self.journalled_count = 0
        self._ours: list[bytes] | None = None
        self._theirs: list[bytes] = []

    def journalled(self, item: T) -> None:
        self.journalled_count += 1
        if self._ours is None:
            other = next(self._claimed, _END)
            if other is not _END:
                self.claimed += 1
                if other == item:
                    return
                self._ours = [_digest(other)]
            else:
                self._ours = []
        self._theirs.append(_digest(item))

    def same(self) -> bool:
        """Reads what is left of ``claimed``; call once, after the journal."""
        for other in self._claimed:
            self.claimed += 1
            if self._ours is None:
                self._ours = []
            self._ours.append(_digest(other))
        if self._ours is None:
            return True
        return sorted(self._ours) == sorted(self._theirs)
