"""PPEB: batches drawn with replacement, with probability proportional to their error bound.

Sources
-------
J. A. Aslam, R. A. Popa and R. L. Rivest, "On Auditing Elections When Precincts Have Different
Sizes", USENIX/ACCURATE Electronic Voting Technology Workshop (EVT 2008): sample precinct ``p``
with probability ``u_p / U``, with replacement, where ``u_p`` bounds the error precinct ``p`` can
hide and ``U = Σ_p u_p`` ("probability proportional to error bound", PPEB). P. B. Stark,
"Efficient post-election audits of multiple contests: 2009 California tests", SSRN (2009),
doi:10.2139/ssrn.1443314, uses PPEB with MACRO, the maximum across-contest relative
overstatement, as ``u_p`` (as does Arlo's ``server/audit_math/macro.py``); computing ``u_p`` is the
audit method's business, not this module's.

The draw
--------
Draws use Rivest's SHA-256 ticket numbers (:mod:`ballotproof.audit.sampler`; Rivest 2018,
arXiv:1808.10016), so anyone holding the seed can redo them with ``consistent_sampler``:

1. The ``k``-th draw (``k = 1, 2, …``) has the ticket ``t_k = T("PPEB draw k", 1)``: the SHA-256
   of ``hex(SHA-256(seed)) + "PPEB draw " + str(k)``, written in decimal and reversed, as
   ``consistent_sampler.first_fraction(f"PPEB draw {k}", seed)`` computes it.
2. ``t_k`` is read as the exact decimal ``x_k`` in ``[0, 1)`` it spells.
3. The batches are put in order of their names (Python string order, i.e. by code point), which
   makes the draw independent of the order in which they were given, and
   ``C_j = u_1 + … + u_j``. Draw ``k`` is the batch ``j`` with ``C_{j-1} ≤ x_k · U < C_j``.

Everything is exact (bounds are ``Fraction``s, the comparison is done in integers), so a batch
with ``u_p = 0`` is never drawn. The first 64 digits of ``x_k`` are the 256-bit digest modulo
``10**64``, uniform up to a relative error below ``10**-13``, so ``Pr(draw k = p) = u_p / U`` to
that accuracy and the draws are independent. Draw ``k`` depends only on the seed, ``k`` and the
bounds, so round 2 (``skip = n``) continues round 1 exactly.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Final

from ballotproof.audit.sampler import ARLO_DIGITS, first_ticket, trim_ticket
from ballotproof.errors import AnalysisError, InputError

__all__ = ["METHOD", "PpebDraw", "PpebSample", "draw_label", "draw_ppeb"]

METHOD: Final = "PPEB (Aslam, Popa & Rivest 2008) with SHA-256 tickets (Rivest 2018)"


def draw_label(k: int) -> str:
    """The id whose ticket decides the ``k``-th draw: ``"PPEB draw k"``."""
    return f"PPEB draw {k}"


@dataclass(frozen=True, slots=True)
class PpebDraw:
    """One PPEB draw.

    Attributes
    ----------
    order : int
        ``k``: 1-based place of the draw in the whole stream (across rounds).
    ticket : str
        ``t_k``, trimmed as ``consistent_sampler`` prints tickets.
    id : str
        The string hashed after the seed hash, :func:`draw_label` of ``order``.
    batch : str
        The batch drawn.
    generation : int
        How many times ``batch`` has been drawn in draws ``1 … order`` (1 the first time).
    """

    order: int
    ticket: str
    id: str
    batch: str
    generation: int


@dataclass(frozen=True, slots=True)
class PpebSample:
    """Draws ``skip + 1 … skip + size`` of the PPEB stream.

    Attributes
    ----------
    seed : str
    size, skip : int
        Draws in this round; draws made in earlier rounds.
    digits : int
        Digits kept in printed tickets.
    bounds : mapping batch → Fraction
        ``u_p``, in the order used for the cumulative distribution (sorted by batch name).
    total_bound : Fraction
        ``U = Σ u_p``.
    draws : tuple of PpebDraw
    method : str
    """

    seed: str
    size: int
    skip: int
    digits: int
    bounds: Mapping[str, Fraction]
    total_bound: Fraction
    draws: tuple[PpebDraw, ...]
    method: str = field(default=METHOD)

    def probability(self, batch: str) -> Fraction:
        """``u_p / U``: the chance that any one draw is ``batch``."""
        return self.bounds[batch] / self.total_bound

    def counts(self) -> dict[str, int]:
        """Times each batch is drawn in this sample (batches never drawn are left out)."""
        out: dict[str, int] = {}
        for d in self.draws:
            out[d.batch] = out.get(d.batch, 0) + 1
        return out

    def to_json(self) -> dict[str, object]:
        """Stable keys: method, seed, size, skip, digits, total_bound, bounds, draws."""
        return {
            "method": self.method,
            "seed": self.seed,
            "size": self.size,
            "skip": self.skip,
            "digits": self.digits,
            "total_bound": str(self.total_bound),
            "bounds": {k: str(v) for k, v in self.bounds.items()},
            "draws": [
                {
                    "order": d.order,
                    "ticket": d.ticket,
                    "id": d.id,
                    "batch": d.batch,
                    "generation": d.generation,
                }
                for d in self.draws
            ],
        }


def _checked_bounds(bounds: Mapping[str, Fraction | int]) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for batch in sorted(bounds):
        if not isinstance(batch, str) or not batch:
            raise InputError(field="bounds", expected="non-empty batch names", got=batch)
        value = bounds[batch]
        if isinstance(value, bool) or not isinstance(value, Fraction | int):
            raise InputError(
                f"batch {batch!r}", field="bounds", expected="an int or a Fraction", got=value
            )
        if value < 0:
            raise InputError(
                f"batch {batch!r}", field="bounds", expected="a bound ≥ 0", got=str(value)
            )
        out[batch] = Fraction(value)
    return out


def _pick(ticket: str, cumulative: list[int], scale: int) -> int:
    """Index ``j`` with ``C_{j-1} ≤ x·U < C_j``, all scaled to integers by ``Q``.

    ``cumulative[j] = C_{j+1}·Q`` and ``scale = U·Q``. With ``x = D / 10**L`` and integer
    ``C``s, ``C ≤ x·U`` iff ``C ≤ ⌊D·U / 10**L⌋``, so one floor division decides.
    """
    digits = ticket[2:]
    point = int(digits) * scale // 10 ** len(digits)
    return bisect.bisect_right(cumulative, point)


def draw_ppeb(
    bounds: Mapping[str, Fraction | int],
    seed: str,
    size: int,
    *,
    skip: int = 0,
    digits: int = ARLO_DIGITS,
) -> PpebSample:
    """Draw batches with replacement with probability ``u_p / U`` (PPEB; see module docstring).

    Parameters
    ----------
    bounds : mapping batch name → int or Fraction
        The error bound ``u_p ≥ 0`` of every batch (never a float: ``Fraction("0.1")``, not
        ``0.1``).
    seed : str
        The public random seed.
    size : int
        Draws in this round.
    skip : int, keyword-only
        Draws made in earlier rounds; this round is draws ``skip + 1 … skip + size``.
    digits : int, keyword-only
        Digits of printed tickets after the leading 9s.

    Returns
    -------
    PpebSample

    Raises
    ------
    InputError
        An empty batch name, a bound that is negative or not an int or Fraction, an empty seed,
        negative ``size`` or ``skip``, ``digits < 1``.
    AnalysisError
        Every bound is 0 (or there are no batches): no batch can hide an error, so there is
        nothing to sample.

    Examples
    --------
    >>> sample = draw_ppeb({"B1": 1, "B2": 0, "B3": Fraction(3, 2)}, "314159", 3)
    >>> [(d.order, d.batch, d.generation) for d in sample.draws]
    [(1, 'B1', 1), (2, 'B3', 1), (3, 'B1', 2)]
    >>> sample.probability("B3")
    Fraction(3, 5)
    """
    for name, value, least in (("size", size, 0), ("skip", skip, 0), ("digits", digits, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InputError(field=name, expected=f"an integer ≥ {least}", got=value)
    checked = _checked_bounds(bounds)
    total = sum(checked.values(), Fraction(0))
    if total == 0:
        raise AnalysisError("PPEB: every error bound is 0, so there is nothing to sample")
    names = list(checked)
    common = math.lcm(*(u.denominator for u in checked.values()))
    cumulative: list[int] = []
    running = 0
    for u in checked.values():
        running += u.numerator * (common // u.denominator)
        cumulative.append(running)
    seen: dict[str, int] = {}
    draws: list[PpebDraw] = []
    for k in range(1, skip + size + 1):
        label = draw_label(k)
        ticket = first_ticket(seed, label)
        batch = names[_pick(ticket, cumulative, running)]
        seen[batch] = seen.get(batch, 0) + 1
        if k > skip:
            draws.append(PpebDraw(k, trim_ticket(ticket, digits), label, batch, seen[batch]))
    return PpebSample(seed, size, skip, digits, MappingProxyType(checked), total, tuple(draws))
