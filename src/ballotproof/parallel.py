"""Work spread over processes: the pools the edges hand to the pure core.

The core never starts a process itself; it takes a pool (:class:`ballotproof.audit.sampler.
PartPool`) and stays a function of its inputs. :class:`ProcessPool` runs the first job in the
calling process and the others in fresh interpreters (the ``spawn`` start method: safe in a
threaded server, where forking could copy a lock another thread holds), so ``n`` jobs use ``n``
cores and one fewer process start.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

__all__ = ["WORKERS_ENV", "ProcessPool", "worker_count"]

WORKERS_ENV = "BALLOTPROOF_WORKERS"
_MOST = 8
J = TypeVar("J")
R = TypeVar("R")


def worker_count() -> int:
    """The processes to use: ``$BALLOTPROOF_WORKERS`` if set (1 turns parallel work off), else
    the cores this process may run on, at most 8."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    if text:
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"{WORKERS_ENV} must be a whole number ≥ 1, got {text!r}")
        return int(text)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(_MOST, cores or 1))


class ProcessPool:
    """``map`` over processes: the first job here, the rest in ``size - 1`` others at once."""

    def __init__(self, size: int | None = None) -> None:
        self._size = worker_count() if size is None else max(1, size)

    @property
    def size(self) -> int:
        return self._size

    def map(self, fn: Callable[[J], R], jobs: Sequence[J]) -> list[R]:
        if self._size == 1 or len(jobs) < 2:
            return [fn(job) for job in jobs]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(self._size, len(jobs)) - 1, mp_context=context
        ) as ex:
            others = [ex.submit(fn, job) for job in jobs[1:]]
            first = fn(jobs[0])
            return [first, *(f.result() for f in others)]
