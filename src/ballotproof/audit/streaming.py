"""Pure helpers for audits of millions of draws: the latest reading of every ballot, and what a
round's risk needs of every draw, held as a handful of shared objects.

The store (closing a round) and the verifier both meet every draw of an audit with the latest
reading of its ballot. A statewide round of two million draws as two million objects, and a
mapping of as many ballot ids to readings, is gigabytes of Python objects; what the round's
risk depends on is only each draw's reading (and cast vote record) and where its ballot is.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from ballotproof.audit.process import AuditSpec, DrawnBallot, RoundResult, recompute
from ballotproof.audit.sampler import Batch

__all__ = ["LatestReadings", "RoundReadings", "gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside (and resume it if it was running).

    Streaming millions of rows through pieces of thousands of short-lived tuples, beside the
    millions of objects of the latest readings, sets off collections of the oldest generation
    over and over, each walking everything held: a sixth of the time of verifying a statewide
    audit. Nothing here makes reference cycles; reference counting frees every row."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


class LatestReadings:
    """The latest reading of each ballot, given every version in any order: one entry a ballot,
    each distinct reading one shared string, the version kept only where it is not 1 (a
    correction). The same reading as the latest of ``(version, choice)`` kept per ballot: the
    first version seen, replaced by any higher one."""

    __slots__ = ("_choice", "_shared", "_version")

    def __init__(self) -> None:
        self._choice: dict[str, str] = {}
        self._version: dict[str, int] = {}
        self._shared: dict[str, str] = {}

    def add(self, ballot_id: str, version: int, choice: str) -> None:
        self.extend(((ballot_id, version, choice),))

    def extend(self, rows: Iterable[tuple[str, int, str]]) -> None:
        """:meth:`add` of each ``(ballot id, version, choice)``, in one loop."""
        chosen, versions, shared = self._choice, self._version, self._shared
        for ballot_id, version, choice in rows:
            if ballot_id in chosen and versions.get(ballot_id, 1) >= version:
                continue
            text = shared.get(choice)
            if text is None:
                text = shared[choice] = choice
            chosen[ballot_id] = text
            if version != 1:
                versions[ballot_id] = version
            elif versions:
                versions.pop(ballot_id, None)

    def get(self, ballot_id: str) -> str | None:
        return self._choice.get(ballot_id)

    @property
    def lookup(self) -> Callable[[str], str | None]:
        """:meth:`get` as the mapping's own bound method (no Python call a lookup)."""
        return self._choice.get

    def __len__(self) -> int:
        return len(self._choice)


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
        self.extend(((number, ballot_id, jurisdiction, tabulator, batch, reading, cvr),))

    def extend(
        self,
        draws: Iterable[tuple[int, str, str | None, str | None, str, str | None, str | None]],
    ) -> None:
        """:meth:`add` of each ``(number, ballot id, jurisdiction, tabulator, batch, reading,
        cvr)``, in draw order, in one loop (millions of draws are millions of calls less)."""
        tokens, shared, latest, cvrs = self._tokens, self._shared, self._latest, self._cvrs
        rounds = self.rounds
        current, out = 0, rounds[0] if rounds else []
        append = out.append
        for number, ballot_id, jurisdiction, tabulator, batch, reading, cvr in draws:
            if number != current:
                current, out = number, rounds[number - 1]
                append = out.append
            if reading is None:
                append(DrawnBallot(ballot_id, jurisdiction, tabulator, batch))
                if cvr is not None:
                    cvrs[ballot_id] = cvr
                continue
            token = tokens.get((reading, cvr))
            if token is None:
                token = tokens[(reading, cvr)] = f"\x00{len(tokens)}"
                latest[token] = reading
                if cvr is not None:
                    cvrs[token] = cvr
            key = (token, jurisdiction, tabulator, batch)
            drawn = shared.get(key)
            if drawn is None:
                drawn = shared[key] = DrawnBallot(token, jurisdiction, tabulator, batch)
            append(drawn)

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
