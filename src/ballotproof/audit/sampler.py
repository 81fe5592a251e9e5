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
``consistent_sampler`` builds every ticket as a Python string, a heap of all ``N`` tickets, and
one Python object per draw. Here the work per ballot is one SHA-256 and a few numpy operations,
and the work per draw is a handful of C-level string and numpy operations:

1. *First tickets of every ballot.* ``S`` is exactly one SHA-256 block, so its hash state is
   computed once; the batch's id prefix is absorbed once per batch; each ballot then costs one
   copy of that state, a short update and a digest. Ballot ids are never materialised. Each
   batch of digests is reduced with numpy to an order-preserving key made of the ticket's first
   8 digits (the digest modulo ``10**8``, digits reversed), and only the digests whose key is no
   larger than the running ``n``-th smallest are kept (ties included, so nothing that can be
   drawn is dropped). As tickets are uniform, keys above a generous estimate of that bound are
   not even copied; if the estimate ever proves too tight, the pass is redone without it.
2. *Exact order.* For those candidates the full ticket strings ``U`` are rebuilt from the kept
   digests (no second hash), and each ticket gets a finer key, its first 19 digits as an
   unsigned 64-bit integer (tickets with 19 or more leading 9s get larger keys that count the
   9s). Tickets are sorted on that key with numpy; a run of equal keys (which almost never
   happens) is sorted on the full strings, then the ids, then the generations, in Python. A
   smaller key always means a smaller string: the order is exactly the string order
   ``consistent_sampler`` uses.
3. *With replacement.* Rivest's heap yields every ticket ``T(id, g)`` of every id in increasing
   order, so the first ``n`` draws are the ``n`` smallest tickets of all ids and generations.
   An id not among the candidates has ``T(id, g) ≥ T(id, 1) >`` ``n`` candidates' first tickets,
   so it cannot be drawn. The chains of the candidates are extended in waves, all chains of a
   wave at once: with ``b`` the ``n``-th smallest ticket known so far, the next ticket is
   computed for every known ticket ``≤ b`` whose successor is not known yet, and tickets above
   ``b`` are dropped (``b`` only decreases). The tries ``U(x + ":" + i)`` of a wave are hashed
   in C loops and mostly accepted, refused or dropped on their 8-digit keys, before any string
   is built. When no ticket is left to extend, every ticket not computed is larger than the
   ``n``-th smallest known one, and the ``n`` smallest known tickets, in order, are the draws.
4. *Draws on demand.* :class:`Sample` keeps the draws as columns (trimmed tickets, ballot
   numbers, generations) and builds the :class:`Draw` and :class:`Ballot` objects the first
   time ``sample.draws`` is read, field by field in C-level passes, with the cyclic garbage
   collector paused; the fields of a ballot of a checked :class:`Batch` are not checked again.
   Strings are read in the order they were made: on a virtual machine, reading a million
   strings in another order costs several times more. :meth:`Sample.rows` gives the same
   draws as plain tuples a slice at a time, never building the objects: that is how the store
   writes, and the verifier hashes, a statewide round of millions of draws. Trimmed tickets of
   up to 19 digits are written from the ordering keys of step 2, with no string read.
"""

from __future__ import annotations

import gc
import hashlib
import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Final, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from ballotproof.errors import InputError, IntegrityError

if TYPE_CHECKING:
    from hashlib import _Hash

    from _typeshed import DataclassInstance

__all__ = [
    "ARLO_DIGITS",
    "METHOD",
    "Ballot",
    "Batch",
    "Draw",
    "DrawRow",
    "IdDraw",
    "PartPool",
    "RetrievalRow",
    "Sample",
    "ballot_id",
    "draw_ids",
    "draw_rows",
    "draw_sample",
    "first_ticket",
    "next_ticket",
    "retrieval_list",
    "trim_ticket",
]

_T = TypeVar("_T", bound="DataclassInstance")
_J = TypeVar("_J")
_R = TypeVar("_R")


class PartPool(Protocol):
    """Runs one function over a list of jobs, perhaps in several processes at once (the edges
    supply one: :class:`ballotproof.parallel.ProcessPool`; this module stays free of
    processes). ``size`` is how many jobs it runs at once; ``map`` returns results in job
    order."""

    @property
    def size(self) -> int: ...

    def map(self, fn: Callable[[_J], _R], jobs: Sequence[_J]) -> list[_R]: ...


METHOD: Final = "consistent sampling with SHA-256 tickets (Rivest 2018, consistent_sampler 1.0.10)"

#: Arlo trims its ticket numbers to 18 digits (``draw_sample(..., digits=18)``).
ARLO_DIGITS: Final = 18

_CHUNK: Final = 1 << 16  # ballots hashed before their keys are reduced with numpy
# Hashing a million first tickets takes about a second: below that, starting a process costs
# more than it saves.
_PARALLEL_MIN: Final = 1_000_000
_KEY_DIGITS: Final = 8  # digits of the ticket in the prefilter key
# Weight of each big-endian 32-bit limb of a digest modulo 10**8: sum(limb * weight) is below
# 8 * 2**32 * 10**8 < 2**64, so the dot product is exact in uint64.
_LIMB_WEIGHTS: Final = np.array(
    [pow(2, 32 * (7 - j), 10**_KEY_DIGITS) for j in range(8)], dtype=np.uint64
)
_REVERSED_4: Final = np.array([int(f"{i:04d}"[::-1]) for i in range(10_000)], dtype=np.uint64)
_POSITION_CACHE: Final = 1 << 16  # suffixes b"1)", b"2)", … kept for reuse
_ORDER_DIGITS: Final = 19  # digits of the ticket in the ordering key: 10**19 - 1 < 2**64
_ORDER_POWERS: Final = np.array([10**k for k in range(_ORDER_DIGITS - 1, -1, -1)], dtype=np.uint64)
_NO_BOUND: Final = np.uint64(2**64 - 1)  # above every ordering key
_NINE_FIRST: Final = np.uint64(9 * 10 ** (_ORDER_DIGITS - 1))  # keys of tickets "0.9…"
_ALL_NINES: Final = np.uint64(10**_ORDER_DIGITS - 1)  # first 19 digits all 9s
_AFTER_NINES: Final = 15  # digits after 19 or more leading 9s in the key
_MAX_EXTRA_NINES: Final = 8_000  # 10**19 + 8_001 * 10**15 < 2**64 - 1
_HASH_DIGEST: Final = type(hashlib.sha256()).digest
_FEW: Final = 32  # fewer tickets than this are handled one by one
_TO_PREFIX: Final = np.uint64(10 ** (_ORDER_DIGITS - _KEY_DIGITS))  # order key // this: 8 digits


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


#: A draw as a plain tuple, what a store writes and a verifier hashes: ``(order, ticket, id,
#: generation, jurisdiction, container, tabulator, batch, position)``.
DrawRow = tuple[int, str, str, int, str | None, str | None, str | None, str, int]

_PIECE: Final = 10_000  # draws a slice of :meth:`Sample.rows` holds by default


def draw_rows(draws: Sequence[Draw], piece: int = _PIECE) -> Iterator[list[DrawRow]]:
    """``draws`` as :data:`DrawRow` tuples, ``piece`` at a time."""
    for start in range(0, len(draws), piece):
        yield [
            (
                d.order,
                d.ticket,
                d.id,
                d.generation,
                b.jurisdiction,
                b.container,
                b.tabulator,
                b.batch,
                b.position,
            )
            for d in draws[start : start + piece]
            for b in (d.ballot,)
        ]


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
        :func:`draw_sample` leaves this slot empty and keeps the draws as columns; the
        :class:`Draw` objects are built the first time it is read (the value is the same).
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
    _columns: _DrawColumns | None = field(default=None, init=False, repr=False, compare=False)

    if not TYPE_CHECKING:  # hidden from mypy, which would otherwise accept any attribute

        def __getattr__(self, name: str) -> object:
            # Only called when a slot is empty: ``draws`` of a sample made by draw_sample.
            columns = object.__getattribute__(self, "_columns")
            if name != "draws" or columns is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            draws = columns.draws()
            object.__setattr__(self, "draws", draws)
            object.__setattr__(self, "_columns", None)
            return draws

    def rows(self, piece: int = _PIECE) -> Iterator[list[DrawRow]]:
        """The draws, in order, as :data:`DrawRow` tuples, ``piece`` at a time.

        Made from the sample's columns a slice at a time, without the :class:`Draw` and
        :class:`Ballot` objects (a statewide round of millions of draws is read this way in
        bounded memory); the same values as ``draw_rows(sample.draws)``.
        """
        if piece < 1:
            raise InputError(field="piece", expected="an integer ≥ 1", got=piece)
        columns: _DrawColumns | None = object.__getattribute__(self, "_columns")
        if columns is None:
            return draw_rows(self.draws, piece)
        return columns.rows(piece)

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
    return _next_ticket(ticket, 1)


def _next_ticket(ticket: str, first_try: int) -> str:
    """:func:`next_ticket`, when the tries ``1 … first_try - 1`` are known to fail."""
    floor = ticket + "0"
    head = floor[: _nines(ticket)]
    i = first_try - 1
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


# --- many tickets at once ----------------------------------------------------------------------


def _hash_all(state: _Hash, messages: Iterable[bytes]) -> bytes:
    """``SHA-256(absorbed + message)`` of each message, concatenated.

    A plain loop: each copy is freed before the next is made, which keeps the allocator and the
    cache warm (faster than building all copies first with ``map``).
    """
    copy = state.copy
    out: list[bytes] = []
    append = out.append
    for message in messages:
        h = copy()
        h.update(message)
        append(h.digest())
    return b"".join(out)


def _split_digests(blob: bytes) -> Iterator[bytes]:
    return (blob[i : i + 32] for i in range(0, len(blob), 32))


def _uniforms(digests: Iterable[bytes]) -> list[str]:
    """``U(m)`` for each digest of ``m`` (Rivest 2018; ``sha256_uniform`` of consistent_sampler).

    ``str(int).zfill(64)`` is the ``"{:064d}"`` of Rivest's definition, a little faster.
    """
    return ["0." + str(v).zfill(64)[::-1] for v in map(int.from_bytes, digests)]


def _order_keys(tickets: Sequence[str]) -> npt.NDArray[np.uint64]:
    """An order-preserving integer for each ticket: if two keys differ, the tickets compare the
    same way as strings (equal keys say nothing).

    The key is the ticket's first 19 digits (every ticket has at least 64), below ``10**19``.
    A ticket with 19 or more leading 9s, common when a small manifest is sampled many times
    over, gets a key in ``[10**19, 2**64)`` instead, above all others: ``10**19``, plus
    ``10**15`` times the number of 9s beyond 19 (up to 8,000), plus the 15 digits after the 9s.
    Done ``_CHUNK`` tickets at a time, so that the digit matrix stays small.
    """
    if len(tickets) < _FEW:
        keys = np.array([int(t[2 : 2 + _ORDER_DIGITS]) for t in tickets], dtype=np.uint64)
    else:
        width = 2 + _ORDER_DIGITS
        keys = np.empty(len(tickets), dtype=np.uint64)
        for start in range(0, len(tickets), _CHUNK):
            part = tickets[start : start + _CHUNK]
            text = np.array(part, dtype=f"S{width}").view(np.uint8).reshape(-1, width)
            digits = text[:, 2:].astype(np.uint64) - np.uint64(ord("0"))
            np.matmul(digits, _ORDER_POWERS, out=keys[start : start + len(part)])
    for i in np.flatnonzero(keys == _ALL_NINES).tolist():
        keys[i] = _many_nines_key(tickets[i])
    return keys


def _many_nines_key(ticket: str) -> int:
    """The :func:`_order_keys` key of a ticket with at least 19 leading 9s."""
    first = _nines(ticket)  # the first digit that is not 9
    extra = first - 2 - _ORDER_DIGITS
    if extra > _MAX_EXTRA_NINES:  # all such tickets share the largest key
        return int(_ALL_NINES) + 1 + (_MAX_EXTRA_NINES + 1) * 10**_AFTER_NINES - 1
    after = int(ticket[first : first + _AFTER_NINES].ljust(_AFTER_NINES, "0"))
    return int(_ALL_NINES) + 1 + extra * 10**_AFTER_NINES + after


def _next_tickets(
    tickets: list[str], keys: npt.NDArray[np.uint64], bound: np.uint64
) -> tuple[npt.NDArray[np.int64], list[str], npt.NDArray[np.uint64]]:
    """The successors (:func:`next_ticket`) of ``tickets`` whose key is ``≤ bound``.

    ``keys`` are the tickets' :func:`_order_keys`. Returns the rows of ``tickets`` whose
    successor is kept, those successors and their keys, in no particular order.

    A ticket without leading 9s keeps the prefix ``"0."``, so try ``i`` is ``U(ticket + ":" +
    i)`` (Rivest 2018; ``next_fraction``). Each round hashes the try of every ticket still
    without a successor, in C loops, and reads the tries' 8-digit keys (:func:`_prefix_keys`,
    the first 8 digits of ``U``) instead of strings: a key above the ticket's own first 8 digits
    means the try exceeds ``ticket + "0"`` and is the successor, a key below means the next try
    is needed (probability about ``ticket``), and a successor whose key is above ``bound``'s
    first 8 digits cannot be kept, so its string is never built. Equal 8-digit keys are decided
    on the strings; tickets with leading 9s go through :func:`next_ticket` one by one.
    """
    if len(tickets) < _FEW:  # a small manifest sampled many times over: skip the set-up
        each = [_next_ticket(t, 1) for t in tickets]
        each_key = _order_keys(each)
        rows = np.flatnonzero(each_key <= bound)
        return rows, [each[i] for i in rows.tolist()], each_key[rows]
    own = keys // _TO_PREFIX
    most = bound // _TO_PREFIX
    found: list[npt.NDArray[np.int64]] = []
    successors: list[str] = []
    waiting = np.flatnonzero(keys < _NINE_FIRST)
    attempt = 1
    while len(waiting):
        suffix = f":{attempt}"
        texts = tickets if len(waiting) == len(tickets) else [tickets[r] for r in waiting.tolist()]
        messages = map(str.encode, map(str.__add__, texts, repeat(suffix)))
        digests = list(map(_HASH_DIGEST, map(hashlib.sha256, messages)))
        tried = _prefix_keys(b"".join(digests))
        mine = own[waiting]
        done = tried > mine
        for j in np.flatnonzero(tried == mine).tolist():  # the strings decide
            done[j] = _uniform(digests[j]) > texts[j] + "0"
        kept = np.flatnonzero(done & (tried <= most))
        found.append(waiting[kept])
        successors += _uniforms(map(digests.__getitem__, kept.tolist()))
        waiting = waiting[~done]
        attempt += 1
    nines = np.flatnonzero(keys >= _NINE_FIRST)
    found.append(nines)
    successors += [_next_ticket(tickets[r], 1) for r in nines.tolist()]
    rows = np.concatenate(found)
    successor_keys = _order_keys(successors)
    keep = np.flatnonzero(successor_keys <= bound)
    if len(keep) < len(successors):
        return rows[keep], [successors[i] for i in keep.tolist()], successor_keys[keep]
    return rows, successors, successor_keys


def _trimmed(known: _Known, rows: npt.NDArray[np.int64], digits: int) -> npt.NDArray[np.bytes_]:
    """:func:`trim_ticket` of the tickets at ``rows``, in that order, as ASCII bytes.

    The tickets are read in the order they were made (a million strings read in another order
    cost several times more), ``_CHUNK`` at a time, each chunk written to its places in the
    result; a numpy bytes array takes about a third of the memory of a list of ``str``.
    """
    keys = known.keys[rows]
    nines = np.flatnonzero(keys >= _NINE_FIRST)  # tickets "0.9…": their 9s are kept too
    fixed = [trim_ticket(known.tickets[r], digits) for r in rows[nines].tolist()]
    width = max(2 + digits, *map(len, fixed)) if fixed else 2 + digits
    out = np.empty(len(rows), dtype=f"S{width}")
    if digits <= _ORDER_DIGITS:
        # A ticket without leading 9s is "0." and its first 19 digits, its key: the trimmed
        # ticket is written from the key, no string read.
        out[:] = _key_text(keys, digits)
    else:
        places = np.argsort(rows, kind="stable")
        tickets = known.tickets
        for start in range(0, len(rows), _CHUNK):
            chunk = places[start : start + _CHUNK]
            # numpy cuts each string to the width: the first 2 + digits characters
            out[chunk] = np.array(
                [tickets[r] for r in rows[chunk].tolist()], dtype=f"S{2 + digits}"
            )
    out[nines] = fixed
    return out


def _key_text(keys: npt.NDArray[np.uint64], digits: int) -> npt.NDArray[np.bytes_]:
    """``"0."`` and the first ``digits`` (≤ 19) digits of each key below ``10**19``, as ASCII."""
    value = keys // np.uint64(10 ** (_ORDER_DIGITS - digits))
    text = np.empty((len(keys), 2 + digits), dtype=np.uint8)
    text[:, 0], text[:, 1] = ord("0"), ord(".")
    ten = np.uint64(10)
    for k in range(digits + 1, 1, -1):
        text[:, k] = (value % ten).astype(np.uint8) + np.uint8(ord("0"))
        value //= ten
    return text.view(f"S{2 + digits}").reshape(-1)


# --- choosing the draws ------------------------------------------------------------------------


def _select(
    chunks: Callable[[], Iterable[bytes]], count: int, total: int
) -> tuple[npt.NDArray[np.int64], bytes]:
    """Every ballot whose 8-digit key is ≤ the ``count``-th smallest: indices and digests.

    ``chunks()`` yields the first-ticket digests of all ``total`` ballots in index order. The
    result holds the ``count`` smallest keys and every key tied with the last of them (all
    ballots when there are at most ``count``), in increasing index order, with their digests.

    Keys are the first 8 digits of uniform tickets, so about ``count + 8 * sqrt(count)`` of them
    are at most the same fraction of ``10**8``: rows above that estimate are never copied. If
    fewer than ``count`` keys turn out to lie below it (probability below ``1e-14``), the
    selection is redone without it, so the result never depends on the estimate. What is kept
    lives in three buffers allocated once and cut back to the ``count``-th smallest key in
    place when they fill up: memory O(count + chunk), little fragmentation.
    """
    share = (count + 8 * math.isqrt(count) + 64) / total if total else 1.0
    if share < 1:
        estimate = np.uint64(math.ceil(share * 10**_KEY_DIGITS))
        index, digests = _select_below(chunks(), count, total, estimate)
        if len(index) >= min(count, total):
            return index, digests
    return _select_below(chunks(), count, total, _NO_BOUND)


def _select_below(
    chunks: Iterable[bytes], count: int, total: int, bound: np.uint64
) -> tuple[npt.NDArray[np.int64], bytes]:
    """:func:`_select` among the keys ``≤ bound`` (all of them if there are fewer than
    ``count``)."""
    capacity = min(total, count + count // 4 + 2 * _CHUNK)  # chunks hold up to 2 * _CHUNK
    keys = np.empty(capacity, dtype=np.uint64)
    index = np.empty(capacity, dtype=np.int64)
    rows = np.empty((capacity, 32), dtype=np.uint8)
    held, offset = 0, 0

    def cut() -> int:
        nonlocal bound
        bound = np.partition(keys[:held], count - 1)[count - 1]
        keep = np.flatnonzero(keys[:held] <= bound)
        kept = len(keep)
        keys[:kept], index[:kept], rows[:kept] = keys[keep], index[keep], rows[keep]
        return kept

    for chunk in chunks:
        chunk_keys = _prefix_keys(chunk)
        chosen = np.flatnonzero(chunk_keys <= bound)
        if held + len(chosen) > capacity and held >= count:
            held = cut()
            chosen = chosen[chunk_keys[chosen] <= bound]
        if held + len(chosen) > capacity:  # a long chunk, or many ties with the bound
            capacity = held + len(chosen) + count // 2 + _CHUNK
            keys, index = np.resize(keys, capacity), np.resize(index, capacity)
            rows = np.resize(rows, (capacity, 32))
        stop = held + len(chosen)
        keys[held:stop] = chunk_keys[chosen]
        index[held:stop] = chosen + offset
        rows[held:stop] = np.frombuffer(chunk, dtype=np.uint8).reshape(-1, 32)[chosen]
        held = stop
        offset += len(chunk_keys)
    if held > count:
        held = cut()
    return index[:held].copy(), rows[:held].tobytes()


def _select_part(job: tuple[str, Sequence[Batch], int, int]) -> tuple[npt.NDArray[np.int64], bytes]:
    """:func:`_select_below` over one contiguous part of a manifest (indices within the part):
    ``job`` is the seed, the part's batches, the count and the bound. A module-level function
    of plain values, so that a process pool can run it."""
    seed, part, count, bound = job
    total = sum(b.ballots for b in part)
    return _select_below(_batch_digests(_seed_state(seed), part), count, total, np.uint64(bound))


def _parts(batches: Sequence[Batch], n: int) -> list[Sequence[Batch]]:
    """``batches`` cut into at most ``n`` contiguous parts of about equal ballots."""
    total = sum(b.ballots for b in batches)
    parts: list[Sequence[Batch]] = []
    start, held = 0, 0
    for i, b in enumerate(batches):
        held += b.ballots
        if held * n >= total * (len(parts) + 1) and len(parts) < n - 1:
            parts.append(batches[start : i + 1])
            start = i + 1
    parts.append(batches[start:])
    return [p for p in parts if p]


def _select_parallel(
    seed: str, batches: Sequence[Batch], count: int, total: int, pool: PartPool
) -> tuple[npt.NDArray[np.int64], bytes]:
    """:func:`_select` with the manifest's parts selected at once by ``pool``: each part keeps
    its ``count`` smallest keys (and ties), so their union holds the whole manifest's ``count``
    smallest, and one more cut gives exactly what :func:`_select` gives (same rows, same
    order: parts are contiguous and come back in order)."""
    parts = _parts(batches, pool.size)
    offsets = np.cumsum([0] + [sum(b.ballots for b in p) for p in parts[:-1]])

    def run(bound: np.uint64) -> tuple[npt.NDArray[np.int64], bytes]:
        found = pool.map(_select_part, [(seed, p, count, int(bound)) for p in parts])
        keys = [_prefix_keys(d) for _, d in found]
        if sum(len(k) for k in keys) > count:  # cut to the count-th smallest key, part by part
            last = np.partition(np.concatenate(keys), count - 1)[count - 1]
            for n, ((index, digests), k) in enumerate(zip(found, keys, strict=True)):
                keep = np.flatnonzero(k <= last)
                rows = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 32)
                found[n] = (index[keep], rows[keep].tobytes())
        del keys
        index = np.concatenate(
            [i + np.int64(o) for (i, _), o in zip(found, offsets, strict=True)]
        ).astype(np.int64)
        digests = b"".join(d for _, d in found)
        found.clear()
        return index, digests

    share = (count + 8 * math.isqrt(count) + 64) / total if total else 1.0
    if share < 1:
        index, digests = run(np.uint64(math.ceil(share * 10**_KEY_DIGITS)))
        if len(index) >= min(count, total):
            return index, digests
    return run(_NO_BOUND)


@dataclass(slots=True)
class _Known:
    """Tickets computed so far, as parallel columns: full ticket, key, ballot index, generation."""

    tickets: list[str]
    keys: npt.NDArray[np.uint64]
    index: npt.NDArray[np.int64]
    generation: npt.NDArray[np.int64]

    def take(self, rows: npt.NDArray[np.int64]) -> _Known:
        tickets = self.tickets
        return _Known(
            [tickets[i] for i in rows.tolist()],
            self.keys[rows],
            self.index[rows],
            self.generation[rows],
        )

    def within(self, bound: np.uint64) -> _Known:
        """The rows with a key ``≤ bound`` (``self`` when that is all of them)."""
        rows = np.flatnonzero(self.keys <= bound)
        return self if len(rows) == len(self.keys) else self.take(rows)

    @staticmethod
    def join(parts: Sequence[_Known]) -> _Known:
        return _Known(
            [t for part in parts for t in part.tickets],
            np.concatenate([part.keys for part in parts]),
            np.concatenate([part.index for part in parts]),
            np.concatenate([part.generation for part in parts]),
        )


def _kth_key(keys: npt.NDArray[np.uint64], count: int) -> np.uint64:
    """The ``count``-th smallest key, or no bound at all while fewer keys are known."""
    if len(keys) < count:
        return _NO_BOUND
    kth: np.uint64 = np.partition(keys, count - 1)[count - 1]
    return kth


def _successors(frontier: _Known, bound: np.uint64) -> _Known:
    """The next tickets of ``frontier`` whose key is ``≤ bound``, ``_CHUNK`` tickets at a time."""
    parts: list[_Known] = []
    for start in range(0, len(frontier.tickets), _CHUNK):
        stop = start + _CHUNK
        rows, tickets, keys = _next_tickets(
            frontier.tickets[start:stop], frontier.keys[start:stop], bound
        )
        rows += start
        parts.append(_Known(tickets, keys, frontier.index[rows], frontier.generation[rows] + 1))
    return _Known.join(parts)


def _deepen(frontier: _Known, depth: int) -> _Known:
    """``depth`` further generations of every ticket of ``frontier``, level by level."""
    levels: list[_Known] = []
    level = frontier
    for _ in range(depth):
        level = _successors(level, _NO_BOUND)
        levels.append(level)
    return _Known.join(levels)


def _extend_chains(known: _Known, count: int) -> _Known:
    """Add later generations until the ``count`` smallest tickets of all generations are known.

    Rivest's heap (Rivest 2018; ``consistent_sampler.sampler`` with replacement) draws the
    tickets of all ids and generations in increasing order; here they are found in the waves of
    the module docstring (step 3). ``bound`` is the key of the ``count``-th
    smallest ticket known (none while fewer than ``count`` tickets are known), and ``frontier``
    the known tickets not above that ticket whose successor is not known yet. Keys only filter
    (a key ``> bound`` cannot be drawn); the frontier is decided on the strings where keys tie,
    since tickets with 19 leading 9s, common when a small manifest is sampled many times over,
    all have the same key. While there is no bound, one wave goes deep enough to know ``count``
    tickets; a successor that turns out to be too large wastes time but changes nothing.
    """
    parts = [known]  # everything known, in pieces: only the keys are ever put together
    bound = _kth_key(known.keys, count)
    frontier = known.within(bound)
    while frontier.tickets:
        if bound == _NO_BOUND:
            held = len(known.tickets)  # only in the first wave
            width = len(frontier.tickets)
            new = _deepen(frontier, max(1, -(-(count - held) // width)))
            opened = width  # only the last level has no successor yet
        else:
            new = _successors(frontier, bound)
            opened = len(new.tickets)
        parts.append(new)
        keys = np.concatenate([part.keys for part in parts])
        bound = _kth_key(keys, count)
        last = len(new.tickets) - opened
        rows = np.flatnonzero(new.keys[last:] <= bound) + last
        level = [
            part.tickets[i] for part in parts for i in np.flatnonzero(part.keys == bound).tolist()
        ]
        if len(level) > 1:  # is each tied ticket above the count-th smallest ticket itself?
            kth_ticket = sorted(level)[count - int(np.count_nonzero(keys < bound)) - 1]
            rows = rows[[new.keys[r] < bound or new.tickets[r] <= kth_ticket for r in rows]]
        frontier = new.take(rows)
        if 4 * np.count_nonzero(keys <= bound) < 3 * len(keys):  # drop what cannot be drawn
            parts = [part.within(bound) for part in parts]
    return _Known.join(parts)


def _exact_order(
    known: _Known, count: int, ids_of: Callable[[npt.NDArray[np.int64]], list[str]]
) -> npt.NDArray[np.int64]:
    """Rows of the ``count`` smallest tickets, in the order of (ticket, id, generation).

    This is the order of Rivest's heap (``consistent_sampler`` compares tickets as strings, then
    ids); a run of equal 19-digit keys is sorted on the full strings, which needs the ids only
    when two tickets are equal (a SHA-256 collision).
    """
    keys = known.keys
    if count < len(keys):
        kth = np.partition(keys, count - 1)[count - 1]
        rows = np.flatnonzero(keys <= kth)  # the count smallest and their ties
    else:
        rows = np.arange(len(keys), dtype=np.int64)
    order = rows[np.argsort(keys[rows], kind="stable")]
    sorted_keys = keys[order]
    same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1]).tolist()
    start = 0
    while start < len(same):
        stop = start
        while stop + 1 < len(same) and same[stop + 1] == same[stop] + 1:
            stop += 1
        first, last = same[start], same[stop] + 1  # order[first : last + 1] share one key
        run = order[first : last + 1]
        ids = ids_of(known.index[run])
        entries = sorted(
            (known.tickets[r], ids[j], int(known.generation[r]), r)
            for j, r in enumerate(run.tolist())
        )
        order[first : last + 1] = [entry[3] for entry in entries]
        start = stop + 1
    return order[:count]


def _stream(
    digest_chunks: Callable[[], Iterable[bytes]],
    total: int,
    ids_of: Callable[[npt.NDArray[np.int64]], list[str]],
    count: int,
    *,
    with_replacement: bool,
    select: Callable[[int], tuple[npt.NDArray[np.int64], bytes]] | None = None,
) -> tuple[_Known, npt.NDArray[np.int64]]:
    """The first ``count`` draws; ``digest_chunks()`` yields the first-ticket digests of all
    ``total`` ids in order (``select(count)``, if given, selects among them instead of
    :func:`_select`, e.g. in several processes).

    Returns the tickets known and the rows of the draws among them, in draw order. The tickets
    stay in the order they were made: reading a million strings in another order is slow.
    """
    if count == 0:
        nothing = _Known([], np.empty(0, np.uint64), np.empty(0, np.int64), np.empty(0, np.int64))
        return nothing, np.empty(0, dtype=np.int64)
    index, digests = select(count) if select else _select(digest_chunks, count, total)
    tickets = _uniforms(_split_digests(digests))
    del digests
    keys = _order_keys(tickets)
    generation = np.ones(len(index), dtype=np.int64)
    if with_replacement:
        known = _extend_chains(_Known(tickets, keys, index, generation), count)
    else:
        known = _Known(tickets, keys, index, generation)
    del tickets, keys, index, generation
    return known, _exact_order(known, count, ids_of)


def _check_counts(size: int, skip: int, digits: int) -> None:
    for name, value, least in (("size", size, 0), ("skip", skip, 0), ("digits", digits, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InputError(field=name, expected=f"an integer ≥ {least}", got=value)


# --- drawing from a manifest -------------------------------------------------------------------


def _positions(start: int, stop: int, cache: list[bytes]) -> list[bytes]:
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
        for start in range(1, batch.ballots + 1, _CHUNK):
            stop = min(start + _CHUNK, batch.ballots + 1)
            pending.append(_hash_all(batch_state, _positions(start, stop, cache)))
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


# Frozen dataclasses set each field in __init__ through object.__setattr__, one Python call per
# object plus five dispatches; building many at once, the slot descriptors are called directly
# from C-level maps, one field at a time.
_new: Final = object.__new__
_set: Final = object.__setattr__
_BATCH_KEY: Final = attrgetter("jurisdiction", "tabulator", "name")
_JURISDICTION: Final = attrgetter("jurisdiction")
_TABULATOR: Final = attrgetter("tabulator")
_NAME: Final = attrgetter("name")
_CONTAINER: Final = attrgetter("container")


def _make(kind: type[_T], count: int, *columns: Iterable[object]) -> list[_T]:
    """``count`` new ``kind`` objects, each field (in order) set from its column.

    For frozen dataclasses whose fields are checked elsewhere (:class:`Ballot` of a checked
    :class:`Batch`, :class:`Draw`): no ``__init__`` or ``__post_init__`` runs.
    """
    made = list(map(_new, repeat(kind, count)))
    for field_, values in zip(fields(kind), columns, strict=True):
        deque(map(getattr(kind, field_.name).__set__, made, values), maxlen=0)
    return made


def _unchecked_ballot(batch: Batch, position: int) -> Ballot:
    """``batch.ballot(position)`` without checking again what :class:`Batch` has checked."""
    (ballot,) = _make(
        Ballot,
        1,
        [batch.jurisdiction],
        [batch.tabulator],
        [batch.name],
        [position],
        [batch.container],
    )
    return ballot


class _Manifest:
    """Global ballot index ``0 … N - 1`` to batch and position, by binary search."""

    def __init__(self, batches: Sequence[Batch]) -> None:
        self.batches = batches
        counts = np.fromiter((b.ballots for b in batches), dtype=np.int64, count=len(batches))
        self.ends = np.cumsum(counts)
        self.starts = self.ends - counts
        self.population = int(self.ends[-1]) if len(batches) else 0

    def locate(self, index: npt.NDArray[np.int64]) -> tuple[list[int], list[int]]:
        """Batch numbers and 1-based positions of global ballot indices."""
        which = np.searchsorted(self.ends, index, side="right")
        positions = index - self.starts[which] + 1
        return which.tolist(), positions.tolist()

    def ids(self, index: npt.NDArray[np.int64]) -> list[str]:
        batches = self.batches
        which, positions = self.locate(index)
        return [
            ballot_id(_unchecked_ballot(batches[b], p))
            for b, p in zip(which, positions, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class _DrawColumns:
    """The draws of a :class:`Sample`, one column per field, until ``sample.draws`` is read."""

    manifest: _Manifest
    first_order: int
    tickets: npt.NDArray[np.bytes_]
    index: npt.NDArray[np.int64]
    generation: npt.NDArray[np.int64]

    def rows(self, piece: int) -> Iterator[list[DrawRow]]:
        """:meth:`Sample.rows`: each slice's fields made by C-level passes over its columns."""
        everything = self.manifest.batches
        prefixes: dict[int, str] = {}
        for start in range(0, len(self.index), piece):
            stop = min(start + piece, len(self.index))
            which, positions = self.manifest.locate(self.index[start:stop])
            for b in set(which).difference(prefixes):
                prefixes[b] = _id_prefix(*_BATCH_KEY(everything[b]))
            batches = list(map(everything.__getitem__, which))
            ids = [f"{prefixes[b]}{p})" for b, p in zip(which, positions, strict=True)]
            yield list(
                zip(
                    range(self.first_order + start, self.first_order + stop),
                    self.tickets[start:stop].astype(str).tolist(),
                    ids,
                    self.generation[start:stop].tolist(),
                    map(_JURISDICTION, batches),
                    map(_CONTAINER, batches),
                    map(_TABULATOR, batches),
                    map(_NAME, batches),
                    positions,
                    strict=True,
                )
            )

    def draws(self) -> tuple[Draw, ...]:
        # A million draws are two million new objects, none in a reference cycle: pausing the
        # cyclic garbage collector saves the full collections their allocation would trigger.
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._build()
        finally:
            if paused:
                gc.enable()

    def _build(self) -> tuple[Draw, ...]:
        # Objects are made in passes, in draw order, each field set by a C-level map: no Python
        # call per object, and memory is walked in the order it was allocated.
        count = len(self.index)
        if count == 0:
            return ()
        _, first, inverse = np.unique(self.index, return_index=True, return_inverse=True)
        source = first[inverse.reshape(-1)]  # the draw at which each draw's ballot came first
        fresh = source == np.arange(count)
        which, positions = self.manifest.locate(self.index[fresh])
        batches = list(map(self.manifest.batches.__getitem__, which))
        everything = self.manifest.batches
        prefix = {b: _id_prefix(*_BATCH_KEY(everything[b])) for b in set(which)}
        ids = [f"{prefix[b]}{p})" for b, p in zip(which, positions, strict=True)]
        ballots = _make(
            Ballot,
            len(ids),
            map(_JURISDICTION, batches),
            map(_TABULATOR, batches),
            map(_NAME, batches),
            positions,
            map(_CONTAINER, batches),
        )
        if len(ids) < count:  # a ballot drawn again shares the objects of its first draw
            slot = (np.cumsum(fresh) - 1)[source].tolist()
            ids = list(map(ids.__getitem__, slot))
            ballots = list(map(ballots.__getitem__, slot))
        first_order = self.first_order
        return tuple(
            _make(
                Draw,
                count,
                range(first_order, first_order + count),
                self.tickets.astype(str).tolist(),
                ids,
                self.generation.tolist(),
                ballots,
            )
        )


def draw_sample(
    batches: Sequence[Batch],
    seed: str,
    size: int,
    *,
    skip: int = 0,
    with_replacement: bool = True,
    digits: int = ARLO_DIGITS,
    pool: PartPool | None = None,
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
    pool : PartPool, keyword-only
        Hash a manifest of a million ballots or more in ``pool.size`` parts at once (every
        ballot's first ticket is one SHA-256: most of a small sample's time). The draws do
        not depend on it.

    Returns
    -------
    Sample
        Its ``draws`` are built when first read (see :class:`Sample`).

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
    manifest = _Manifest(batches)
    select = None
    if pool is not None and pool.size > 1 and manifest.population >= max(_PARALLEL_MIN, 1):

        def select(count: int) -> tuple[npt.NDArray[np.int64], bytes]:
            assert pool is not None
            return _select_parallel(seed, batches, count, manifest.population, pool)

    known, order = _stream(
        lambda: _batch_digests(state, batches),
        manifest.population,
        manifest.ids,
        skip + size,
        with_replacement=with_replacement,
        select=select,
    )
    rows = order[skip:]
    columns = _DrawColumns(
        manifest,
        skip + 1,
        _trimmed(known, rows, digits),
        known.index[rows],
        known.generation[rows],
    )
    del known
    sample = _new(Sample)
    for name, value in (
        ("seed", seed),
        ("population", manifest.population),
        ("size", size),
        ("skip", skip),
        ("with_replacement", with_replacement),
        ("digits", digits),
        ("method", METHOD),
        ("_columns", columns),
    ):
        _set(sample, name, value)
    return sample


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
        for start in range(0, len(ids), _CHUNK):
            part = ids[start : start + _CHUNK]
            yield _hash_all(state, map(str.encode, part))

    known, order = _stream(
        digests,
        len(ids),
        lambda indices: [ids[i] for i in indices.tolist()],
        skip + size,
        with_replacement=with_replacement,
    )
    rows = order[skip:]
    tickets = _trimmed(known, rows, digits).astype(str).tolist()
    return tuple(
        IdDraw(order, ticket, ids[index], generation, index)
        for order, ticket, index, generation in zip(
            range(skip + 1, skip + 1 + len(tickets)),
            tickets,
            known.index[rows].tolist(),
            known.generation[rows].tolist(),
            strict=True,
        )
    )
