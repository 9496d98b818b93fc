"""Keeping the cyclic garbage collector out of allocation-heavy work whose objects hold no cycles (index, analysis)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(*, then_settle: bool = False) -> Iterator[None]:
    """Indexing and analysis allocate millions of objects (facts, syntax trees) freed by reference counting: the
    cyclic GC would rescan them over and over while they are built.

    ``then_settle``: :func:`settle` what is alive before the collector is on again. Otherwise the first allocation
    after it traverses every object made meanwhile (a full index build: ≈0.5 s of the stdlib's), only to find them
    alive (they hold no cycles).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if then_settle:  # not after an exception: its traceback's frames may be garbage cycles
            settle()
    finally:
        if enabled:
            gc.enable()


def settle() -> None:
    """Move the long-lived index data out of the cyclic GC's way (it is acyclic and freed by reference counting).

    Without this every later collection re-traverses millions of fact objects: an edit's parse took seconds.
    """
    gc.freeze()
