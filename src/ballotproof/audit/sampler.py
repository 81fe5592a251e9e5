"""Consistent sampling of ballots with SHA-256 ticket numbers, reproducible from a public seed.

Sources
-------
R. L. Rivest, "Consistent Sampling with Replacement", arXiv:1808.10016 (2018), and its reference
implementation, the PyPI package ``consistent_sampler`` 1.0.10 (function ``sampler``). Arlo, the
open-source risk-limiting audit software of VotingWorks used for Georgia's 2020 audit, draws its
ballot-polling and ballot-comparison samples by calling that package
(``server/audit_math/sampler.py``, ``draw_sample``). This module draws exactly the same ballots, in
the same order, with the same ticket numbers and generations, as ``consistent_sampler.sampler``
given the same ids and seed; it only does so faster and in less memory.

Ticket numbers (Rivest 2018; ``consistent_sampler.first_fraction`` and ``next_fraction``)
----------------------------------------------------------------------------------------
Let ``S = hex(SHA-256(utf8(seed)))``, 64 lower-case hex digits. For a byte string ``m`` let
``U(m) = "0." + reversed(format(int(SHA-256(m)), "064d"))``: the digest read as a big-endian
integer, written in decimal with zero padding to at least 64 digits, read backwards (the
low-order decimal digits are the unbiased ones). A ticket number is such a decimal string in
``[0, 1)``: a first ticket has 64 to 78 digits. For an id string ``id``:

* generation 1: ``T(id, 1) = U(utf8(S + id))``;
* generation ``g + 1``: with ``x = T(id, g)``, ``P = "0."`` followed by the leading run of 9s of
  ``x``'s digits, ``T(id, g + 1) = P + U(utf8(x + ":" + str(i)))[2:]`` for the least
  ``i = 1, 2, …`` for which this string is greater than ``x + "0"``.

Tickets are compared as Python strings, exactly as ``consistent_sampler`` compares them in its
heap; equal tickets (which would need a SHA-256 collision) fall back to comparing the id strings.
Without replacement, ids are drawn in increasing order of ``T(id, 1)``. With replacement, the
draws are all tickets ``T(id, g)`` of all ids and generations, in increasing order: the ``g``-th
draw of an id has generation ``g``. A printed ticket is trimmed as ``consistent_sampler.trim``
does: keep the leading 9s, then ``digits`` more digits, truncated (Arlo uses ``digits=18``).

Ballot ids (Arlo)
-----------------
Arlo builds its ballot pool from every jurisdiction's manifest as
``{(jurisdiction.name, batch.tabulator, batch.name): list(range(1, batch.num_ballots + 1))}``
(``server/api/rounds.py``, ``sample_ballots``), and ``draw_sample`` passes the ids
``(batch_key, ballot_position)`` to ``consistent_sampler.sampler``, which hashes ``str(id)``. So
the string hashed for a ballot is the ``str`` of the nested tuple::

    ((jurisdiction, tabulator, batch_name), position)

for example ``(('Fulton', 'TAB-1', 'Box 7'), 12)``, or ``(('Fulton', None, 'Box 7'), 12)`` when
the manifest has no ``Tabulator`` column. Each text is written with Python's ``repr`` (usually
single quotes; double quotes when the text holds a single quote and no double quote; backslash
escapes for backslashes and unprintable characters), ``None`` as ``None``, the position (1-based)
in decimal. The container is not part of the id: Arlo keeps it only for retrieval. See
:func:`ballot_id`.

How it is fast (same draws, different work)
-------------------------------------------
``consistent_sampler`` builds every ticket as a Python string and a heap of all ``N`` tickets.
Here, ``S`` is exactly one SHA-256 block, so its hash state is computed once and copied; the
batch's id prefix is absorbed once per batch, so each ballot costs one copy, one short update and
one digest. Ballot ids are never materialised: each batch of digests is reduced with numpy to an
order-preserving integer key made of the ticket's first 8 digits (the digest modulo ``10**8``,
digits reversed), and only keys no larger than the running ``n``-th smallest are kept. The full
ticket strings are then rebuilt, exactly, for those few candidates (ties in the 8-digit key are
all kept, so the selection is exact). With replacement, an id that the first ``n`` draws contain
has ``T(id, 1) ≤ T(id, g) ≤`` the ``n``-th smallest ticket of all generations ``≤`` the ``n``-th
smallest first ticket, so only the ``n`` ids with the smallest first tickets can be drawn: the
heap of Rivest's method is run on those alone.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from ballotproof.errors import InputError, IntegrityError

if TYPE_CHECKING:
    from hashlib import _Hash

__all__ = [
    "ARLO_DIGITS",
    "METHOD",
    "Ballot",
    "Batch",
    "Draw",
    "IdDraw",
    "RetrievalRow",
    "Sample",
    "ballot_id",
    "draw_ids",
    "draw_sample",
    "first_ticket",
    "next_ticket",
    "retrieval_list",
    "trim_ticket",
]

METHOD: Final = "consistent sampling with SHA-256 tickets (Rivest 2018, consistent_sampler 1.0.10)"

#: Arlo trims its ticket numbers to 18 digits (``draw_sample(..., digits=18)``).
ARLO_DIGITS: Final = 18

_CHUNK: Final = 1 << 16  # ballots hashed before their keys are reduced with numpy
_KEY_DIGITS: Final = 8  # digits of the ticket in the prefilter key
# Weight of each big-endian 32-bit limb of a digest modulo 10**8: sum(limb * weight) is below
# 8 * 2**32 * 10**8 < 2**64, so the dot product is exact in uint64.
_LIMB_WEIGHTS: Final = np.array(
    [pow(2, 32 * (7 - j), 10**_KEY_DIGITS) for j in range(8)], dtype=np.uint64
)
_REVERSED_4: Final = np.array([int(f"{i:04d}"[::-1]) for i in range(10_000)], dtype=np.uint64)
_POSITION_CACHE: Final = 1 << 16  # suffixes b"1)", b"2)", … kept for reuse


# --- the ballot and the batch ---------------------------------------------------------------


def _check_text(value: str | None, name: str, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value:
        raise InputError(field=name, expected="a non-empty text", got=value)


@dataclass(frozen=True, slots=True)
class Ballot:
    """One paper ballot, located as a ballot manifest locates it.

    Attributes
    ----------
    jurisdiction : str or None
        The jurisdiction's name as Arlo knows it (part of the id); ``None`` outside Arlo.
    tabulator : str or None
        The manifest's ``Tabulator`` (``None`` when the manifest has no such column).
    batch : str
        The manifest's ``Batch Name``.
    position : int
        1-based place of the ballot in its batch.
    container : str or None
        The manifest's ``Container``: where to find the batch; not part of the id.
    """

    jurisdiction: str | None
    tabulator: str | None
    batch: str
    position: int
    container: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.jurisdiction, "jurisdiction", optional=True)
        _check_text(self.tabulator, "tabulator", optional=True)
        _check_text(self.batch, "batch", optional=False)
        _check_text(self.container, "container", optional=True)
        if isinstance(self.position, bool) or not isinstance(self.position, int):
            raise InputError(field="position", expected="an integer ≥ 1", got=self.position)
        if self.position < 1:
            raise InputError(field="position", expected="an integer ≥ 1", got=self.position)

    @property
    def id(self) -> str:
        """The string hashed for this ballot; see :func:`ballot_id`."""
        return ballot_id(self)


def _id_prefix(jurisdiction: str | None, tabulator: str | None, batch: str) -> str:
    # str() of a tuple joins the repr() of its items with ", ".
    return f"(({jurisdiction!r}, {tabulator!r}, {batch!r}), "


def ballot_id(ballot: Ballot) -> str:
    """The id string Arlo hashes: ``str(((jurisdiction, tabulator, batch), position))``.

    Parameters
    ----------
    ballot : Ballot

    Returns
    -------
    str
        ``consistent_sampler`` hashes ``str(id)`` of the tuple id Arlo gives it
        (``server/audit_math/sampler.py``); this is that string. The container is not part.

    Examples
    --------
    >>> ballot_id(Ballot("Fulton", "TAB-1", "Box 7", 12, container="C-3"))
    "(('Fulton', 'TAB-1', 'Box 7'), 12)"
    >>> print(ballot_id(Ballot("Fulton", None, "Dave's box", 1)))
    (('Fulton', None, "Dave's box"), 1)
    """
    return f"{_id_prefix(ballot.jurisdiction, ballot.tabulator, ballot.batch)}{ballot.position})"


@dataclass(frozen=True, slots=True)
class Batch:
    """A batch of a ballot manifest: ``ballots`` ballots at positions ``1 … ballots``.

    Attributes
    ----------
    jurisdiction, tabulator : str or None
        As in :class:`Ballot`; with ``name`` they identify the batch.
    name : str
        The manifest's ``Batch Name``.
    ballots : int
        Number of ballots, at least 1.
    container : str or None
        Where the batch is stored.
    """

    jurisdiction: str | None
    tabulator: str | None
    name: str
    ballots: int
    container: str | None = None

    def __post_init__(self) -> None:
        _check_text(self.jurisdiction, "jurisdiction", optional=True)
        _check_text(self.tabulator, "tabulator", optional=True)
        _check_text(self.name, "batch", optional=False)
        _check_text(self.container, "container", optional=True)
        if isinstance(self.ballots, bool) or not isinstance(self.ballots, int):
            raise InputError(field="ballots", expected="an integer ≥ 1", got=self.ballots)
        if self.ballots < 1:
            raise InputError(field="ballots", expected="an integer ≥ 1", got=self.ballots)

    @property
    def key(self) -> tuple[str | None, str | None, str]:
        """``(jurisdiction, tabulator, name)``: Arlo's batch key, unique in a manifest."""
        return (self.jurisdiction, self.tabulator, self.name)

    def ballot(self, position: int) -> Ballot:
        """The ballot at a 1-based position."""
        if not 1 <= position <= self.ballots:
            raise IndexError(f"position {position} is outside 1..{self.ballots}")
        return Ballot(self.jurisdiction, self.tabulator, self.name, position, self.container)


# --- draws and results -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draw:
    """One draw of a ballot.

    Attributes
    ----------
    order : int
        1-based place of the draw in the whole stream (round 2 continues where round 1 ended).
    ticket : str
        The ticket number, trimmed exactly as ``consistent_sampler`` prints it.
    id : str
        The id string that was hashed, :func:`ballot_id` of ``ballot``.
    generation : int
        1 for the first draw of this ballot, 2 for the second … (always 1 without replacement).
    ballot : Ballot
    """

    order: int
    ticket: str
    id: str
    generation: int
    ballot: Ballot


@dataclass(frozen=True, slots=True)
class IdDraw:
    """One draw from a list of id strings (:func:`draw_ids`).

    Attributes
    ----------
    order, ticket, id, generation : as in :class:`Draw`
    index : int
        0-based place of ``id`` in the list given.
    """

    order: int
    ticket: str
    id: str
    generation: int
    index: int


@dataclass(frozen=True, slots=True)
class Sample:
    """Draws ``skip + 1 … skip + size`` of the consistent-sampling stream of a manifest.

    Attributes
    ----------
    seed : str
        The public random seed.
    population : int
        Ballots in the manifest (N).
    size : int
        Draws asked for in this round.
    skip : int
        Draws made in earlier rounds (this round starts at draw ``skip + 1``).
    with_replacement : bool
    digits : int
        Digits kept in printed ticket numbers.
    draws : tuple of Draw
        In draw order; fewer than ``size`` only without replacement when the manifest runs out.
    method : str
    """

    seed: str
    population: int
    size: int
    skip: int
    with_replacement: bool
    digits: int
    draws: tuple[Draw, ...]
    method: str = field(default=METHOD)

    def ballots(self) -> tuple[Ballot, ...]:
        """Distinct ballots drawn, in the order of their first draw in this sample."""
        return tuple(dict.fromkeys(d.ballot for d in self.draws))

    def to_json(self) -> dict[str, object]:
        """Stable keys: method, seed, population, size, skip, with_replacement, digits, draws."""
        return {
            "method": self.method,
            "seed": self.seed,
            "population": self.population,
            "size": self.size,
            "skip": self.skip,
            "with_replacement": self.with_replacement,
            "digits": self.digits,
            "draws": [
                {
                    "order": d.order,
                    "ticket": d.ticket,
                    "id": d.id,
                    "generation": d.generation,
                    "jurisdiction": d.ballot.jurisdiction,
                    "container": d.ballot.container,
                    "tabulator": d.ballot.tabulator,
                    "batch": d.ballot.batch,
                    "position": d.ballot.position,
                }
                for d in self.draws
            ],
        }


@dataclass(frozen=True, slots=True)
class RetrievalRow:
    """One ballot to pull, with every ticket that drew it.

    Attributes
    ----------
    jurisdiction, container, tabulator, batch, position : where the ballot is
    tickets : tuple of str
        Ticket numbers of its draws, in draw order.
    times_drawn : int
        ``len(tickets)``: how many times the ballot counts in the sample.
    """

    jurisdiction: str | None
    container: str | None
    tabulator: str | None
    batch: str
    position: int
    tickets: tuple[str, ...]
    times_drawn: int


def _none_first(value: str | None) -> tuple[bool, str]:
    return (value is not None, value or "")


def retrieval_list(draws: Iterable[Draw]) -> tuple[RetrievalRow, ...]:
    """The ballots to pull, one row each, sorted for walking the storage room.

    Rows are sorted by jurisdiction (each jurisdiction pulls its own), then container, tabulator,
    batch name and position (numerically); a missing value sorts first.

    Parameters
    ----------
    draws : iterable of Draw
        Usually ``sample.draws``.

    Returns
    -------
    tuple of RetrievalRow
    """
    tickets: dict[Ballot, list[str]] = {}
    for d in draws:
        tickets.setdefault(d.ballot, []).append(d.ticket)
    ordered = sorted(
        tickets,
        key=lambda b: (
            _none_first(b.jurisdiction),
            _none_first(b.container),
            _none_first(b.tabulator),
            b.batch,
            b.position,
        ),
    )
    return tuple(
        RetrievalRow(
            b.jurisdiction,
            b.container,
            b.tabulator,
            b.batch,
            b.position,
            tuple(tickets[b]),
            len(tickets[b]),
        )
        for b in ordered
    )


# --- ticket numbers ----------------------------------------------------------------------------


def _uniform(digest: bytes) -> str:
    """``U(m)`` from the digest of ``m``: the decimal digits of the digest, backwards."""
    return "0." + f"{int.from_bytes(digest, 'big'):064d}"[::-1]


def _nines(ticket: str) -> int:
    """Index of the first digit after the leading 9s (``len(ticket)`` if all are 9s)."""
    mantissa = ticket[2:]
    return 2 + len(mantissa) - len(mantissa.lstrip("9"))


def trim_ticket(ticket: str, digits: int) -> str:
    """A ticket as printed: the leading 9s, then ``digits`` digits, truncated.

    Same as ``consistent_sampler.trim``.

    Examples
    --------
    >>> trim_ticket("0.9991234567890", 4)
    '0.9991234'
    """
    return ticket[: _nines(ticket) + digits]


def next_ticket(ticket: str) -> str:
    """The next-generation ticket after ``ticket`` (Rivest 2018; ``next_fraction``).

    The leading 9s of ``ticket`` are kept and the rest is replaced by the digits of
    ``U(ticket + ":" + i)`` for ``i = 1, 2, …`` until the result exceeds ``ticket + "0"``.

    Examples
    --------
    >>> next_ticket("0.25471")
    '0.642853261655004694691182528114375607701032283189922170593838029306715548381901'
    """
    if not ticket.startswith("0."):
        raise InputError(field="ticket", expected="a decimal string '0.ddd…'", got=ticket)
    floor = ticket + "0"
    head = floor[: _nines(ticket)]
    i = 0
    candidate = "0."
    while candidate <= floor:
        i += 1
        digest = hashlib.sha256(f"{ticket}:{i}".encode()).digest()
        candidate = head + _uniform(digest)[2:]
    return candidate


def _seed_state(seed: str) -> _Hash:
    """SHA-256 state after absorbing ``S``, exactly one 64-byte block."""
    if not isinstance(seed, str) or not seed:
        raise InputError(field="seed", expected="a non-empty seed, e.g. 20 dice digits", got=seed)
    seed_hex = hashlib.sha256(seed.encode()).hexdigest()
    return hashlib.sha256(seed_hex.encode())


def _first_ticket(state: _Hash, id_: str) -> str:
    h = state.copy()
    h.update(id_.encode())
    return _uniform(h.digest())


def first_ticket(seed: str, id_: str) -> str:
    """``T(id, 1)``, the full generation-1 ticket of an id (``first_fraction``).

    Examples
    --------
    >>> first_ticket("01382438112797316654", "AB-130")[:20]
    '0.262997141228380084'
    """
    return _first_ticket(_seed_state(seed), id_)


def _prefix_keys(digests: bytes) -> npt.NDArray[np.uint64]:
    """Each digest's ticket's first 8 digits as an integer: the order of tickets, coarsely.

    If two keys differ, the tickets compare the same way; equal keys say nothing.
    """
    limbs = np.frombuffer(digests, dtype=">u4").reshape(-1, 8).astype(np.uint64)
    low = limbs @ _LIMB_WEIGHTS
    low %= np.uint64(10**_KEY_DIGITS)  # the ticket's first 8 digits, backwards
    block = np.uint64(10_000)
    key: npt.NDArray[np.uint64] = _REVERSED_4[low % block] * block + _REVERSED_4[low // block]
    return key


def _smallest(keys: Iterable[npt.NDArray[np.uint64]], n: int) -> npt.NDArray[np.int64]:
    """Indices (into the concatenated ``keys``) of every key ≤ the ``n``-th smallest key.

    That is the ``n`` smallest and every key tied with the last of them, in increasing index
    order; all indices when there are at most ``n`` keys. Memory stays O(n + chunk).
    """
    best_keys = np.empty(0, dtype=np.uint64)
    best_index = np.empty(0, dtype=np.int64)
    bound: np.uint64 | None = None
    offset = 0
    for chunk in keys:
        index = np.arange(offset, offset + len(chunk), dtype=np.int64)
        offset += len(chunk)
        if n == 0:
            continue
        if bound is not None:
            keep = chunk <= bound
            chunk, index = chunk[keep], index[keep]
        best_keys = np.concatenate((best_keys, chunk))
        best_index = np.concatenate((best_index, index))
        if len(best_keys) > n:
            bound = np.partition(best_keys, n - 1)[n - 1]
            keep = best_keys <= bound
            best_keys, best_index = best_keys[keep], best_index[keep]
    return best_index


_Entry = tuple[str, str, int, int]  # (full ticket, id, generation, index): heap order = draw order


def _stream(
    digest_chunks: Iterable[bytes],
    ids_of: Callable[[npt.NDArray[np.int64]], list[str]],
    state: _Hash,
    count: int,
    *,
    with_replacement: bool,
) -> list[_Entry]:
    """The first ``count`` draws, given every id's first-ticket digest in index order."""
    if count == 0:
        return []
    candidates = _smallest((_prefix_keys(c) for c in digest_chunks), count)
    ids = ids_of(candidates)
    first = sorted(
        (_first_ticket(state, id_), id_, 1, int(index))
        for id_, index in zip(ids, candidates, strict=True)
    )[:count]
    if not with_replacement:
        return first
    heap = first  # a sorted list is a heap
    drawn: list[_Entry] = []
    while heap and len(drawn) < count:
        ticket, id_, generation, index = heap[0]
        drawn.append(heap[0])
        heapq.heapreplace(heap, (next_ticket(ticket), id_, generation + 1, index))
    return drawn


def _check_counts(size: int, skip: int, digits: int) -> None:
    for name, value, least in (("size", size, 0), ("skip", skip, 0), ("digits", digits, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InputError(field=name, expected=f"an integer ≥ {least}", got=value)


# --- drawing from a manifest -------------------------------------------------------------------


def _positions(start: int, stop: int, cache: list[bytes]) -> Iterable[bytes]:
    """The id suffixes ``b"start)" … b"(stop-1))"``."""
    while len(cache) < min(stop, _POSITION_CACHE + 1):
        cache.append(f"{len(cache)})".encode())
    if stop <= len(cache):
        return cache[start:stop]
    return [f"{p})".encode() for p in range(start, stop)]


def _batch_digests(state: _Hash, batches: Sequence[Batch]) -> Iterator[bytes]:
    """First-ticket digests of every ballot, in manifest order, ``_CHUNK`` or so at a time."""
    cache: list[bytes] = [b""]  # cache[p] == b"p)"
    pending: list[bytes] = []
    waiting = 0
    for batch in batches:
        batch_state = state.copy()
        batch_state.update(_id_prefix(batch.jurisdiction, batch.tabulator, batch.name).encode())
        copy = batch_state.copy
        for start in range(1, batch.ballots + 1, _CHUNK):
            stop = min(start + _CHUNK, batch.ballots + 1)
            out: list[bytes] = []
            append = out.append
            for suffix in _positions(start, stop, cache):
                h = copy()
                h.update(suffix)
                append(h.digest())
            pending.append(b"".join(out))
            waiting += stop - start
            if waiting >= _CHUNK:
                yield b"".join(pending)
                pending, waiting = [], 0
    if pending:
        yield b"".join(pending)


def _check_unique(batches: Sequence[Batch]) -> None:
    seen: dict[tuple[str | None, str | None, str], int] = {}
    for i, batch in enumerate(batches):
        first = seen.setdefault(batch.key, i)
        if first != i:
            raise IntegrityError(
                f"batches {first} and {i} are both {batch.key!r}: ballot ids must be distinct",
                field="batches",
            )


def draw_sample(
    batches: Sequence[Batch],
    seed: str,
    size: int,
    *,
    skip: int = 0,
    with_replacement: bool = True,
    digits: int = ARLO_DIGITS,
) -> Sample:
    """Draw ballots from a manifest by consistent sampling (Rivest 2018), as Arlo does.

    Draws number ``skip + 1 … skip + size`` of the stream are returned, so a later round that
    asks for ``skip = n`` continues exactly where a round of ``n`` draws stopped, and
    ``draw_sample(…, n + k)`` begins with ``draw_sample(…, n)``. The result equals
    ``consistent_sampler.sampler(ids, seed=seed, with_replacement=…, drop=skip, take=size,
    output="tuple", digits=digits)`` with ``ids`` the Arlo tuples
    ``((jurisdiction, tabulator, name), position)`` of every ballot (see :func:`ballot_id`).

    Parameters
    ----------
    batches : sequence of Batch
        The manifest, e.g. ``load_manifest(path).batches``; the order does not change the draws.
    seed : str
        The public random seed, e.g. 20 digits from rolling dice.
    size : int
        Draws in this round.
    skip : int, keyword-only
        Draws made in earlier rounds.
    with_replacement : bool, keyword-only
        Arlo samples with replacement (the default).
    digits : int, keyword-only
        Digits of printed tickets after the leading 9s (Arlo: 18; ``consistent_sampler``'s
        own default is 9).

    Returns
    -------
    Sample

    Raises
    ------
    InputError
        Empty seed, negative size or skip, ``digits < 1``.
    IntegrityError
        Two batches with the same ``(jurisdiction, tabulator, name)``.

    Examples
    --------
    >>> sample = draw_sample([Batch("J", None, "B1", 3), Batch("J", None, "B2", 2)], "314159", 3)
    >>> for d in sample.draws:
    ...     print(d.order, d.ticket, d.id, d.generation)
    1 0.190469883381556569 (('J', None, 'B1'), 3) 1
    2 0.264831724648499900 (('J', None, 'B2'), 2) 1
    3 0.301237583446393301 (('J', None, 'B2'), 2) 2
    """
    _check_counts(size, skip, digits)
    _check_unique(batches)
    state = _seed_state(seed)
    counts = np.fromiter((b.ballots for b in batches), dtype=np.int64, count=len(batches))
    ends = np.cumsum(counts)
    starts = ends - counts
    population = int(ends[-1]) if len(batches) else 0

    def locate(indices: npt.NDArray[np.int64]) -> list[Ballot]:
        which = np.searchsorted(ends, indices, side="right")
        positions = indices - starts[which] + 1
        return [batches[int(b)].ballot(int(p)) for b, p in zip(which, positions, strict=True)]

    located: dict[int, Ballot] = {}

    def ids_of(indices: npt.NDArray[np.int64]) -> list[str]:
        ballots = locate(indices)
        located.update(zip((int(i) for i in indices), ballots, strict=True))
        return [ballot_id(b) for b in ballots]

    entries = _stream(
        _batch_digests(state, batches),
        ids_of,
        state,
        skip + size,
        with_replacement=with_replacement,
    )
    draws = tuple(
        Draw(order, trim_ticket(ticket, digits), id_, generation, located[index])
        for order, (ticket, id_, generation, index) in enumerate(entries, start=1)
        if order > skip
    )
    return Sample(seed, population, size, skip, with_replacement, digits, draws)


def draw_ids(
    ids: Sequence[str],
    seed: str,
    size: int,
    *,
    skip: int = 0,
    with_replacement: bool = False,
    digits: int = 9,
) -> tuple[IdDraw, ...]:
    """Consistent sampling from a list of distinct id strings.

    The same as ``consistent_sampler.sampler(ids, seed=seed, with_replacement=…, drop=skip,
    take=size, output="tuple", digits=digits)``, whose defaults (without replacement, 9 digits)
    this function shares. For ballots in a manifest use :func:`draw_sample`.

    Parameters
    ----------
    ids : sequence of str
        Distinct ids; each is hashed as given.
    seed, size, skip, with_replacement, digits
        As in :func:`draw_sample`.

    Returns
    -------
    tuple of IdDraw

    Raises
    ------
    InputError
        Empty seed, an id that is not a string, negative size or skip, ``digits < 1``.
    IntegrityError
        An id listed twice.

    Examples
    --------
    >>> [(d.ticket, d.id) for d in draw_ids(["ab-1", "ab-2", "cd-1", "ef-3"], "314159", 2)]
    [('0.317685817', 'cd-1'), ('0.832984519', 'ef-3')]
    """
    _check_counts(size, skip, digits)
    state = _seed_state(seed)
    seen: set[str] = set()
    for i, id_ in enumerate(ids):
        if not isinstance(id_, str):
            raise InputError(field="ids", expected="id strings", got=id_)
        if id_ in seen:
            raise IntegrityError(f"id {id_!r} is listed twice (again at index {i})", field="ids")
        seen.add(id_)

    def digests() -> Iterator[bytes]:
        copy = state.copy
        for start in range(0, len(ids), _CHUNK):
            out: list[bytes] = []
            for id_ in ids[start : start + _CHUNK]:
                h = copy()
                h.update(id_.encode())
                out.append(h.digest())
            yield b"".join(out)

    entries = _stream(
        digests(),
        lambda indices: [ids[int(i)] for i in indices],
        state,
        skip + size,
        with_replacement=with_replacement,
    )
    return tuple(
        IdDraw(order, trim_ticket(ticket, digits), id_, generation, index)
        for order, (ticket, id_, generation, index) in enumerate(entries, start=1)
        if order > skip
    )
