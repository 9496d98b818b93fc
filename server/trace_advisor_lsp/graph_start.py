"""A folder's call graph at start-up: the resolved-graph snapshot an earlier start (or ``trace-advisor analyze``) kept,
else resolved in the analysis' order and kept for the next start; after a start from the snapshot, what resolution
reads (which an edit needs to tell what it affects) is learnt again in the background, in slices on the engine thread
between refreshes (an edit coming before that is done finishes it first: ``Index.update_file``)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from trace_advisor.cancel import CancelledError, CancelToken
from trace_advisor.index import Index
from trace_advisor.resolution_order import ANALYSIS, analysis_sequence, resolve_for_analysis

from trace_advisor_lsp.scheduling import Engine

LOG = logging.getLogger(__name__)
SLICE_S = 0.05  # the engine thread's longest turn learning what resolution reads (refreshes queued go in between)
IDLE_POLL_S = 0.05


def resolve_graph(
    index: Index, token: CancelToken, engine: Engine, progress: Callable[[int, int], None] | None = None
) -> bool:
    """Off the engine thread, before the index serves diagnostics: take the snapshot's graph, else resolve every
    module in the analysis' order (what a snapshot is kept in: the same answers as ``trace-advisor analyze``, whatever
    file the editor opens first, or what the first requests resolved while the files were read), giving way to requests
    between two modules and telling ``progress(done, total)``. Whether the snapshot gave it."""
    if index.reuse_resolved(ANALYSIS, analysis_sequence):
        return True
    index.forget_resolved()  # what the first requests resolved while the files were read: in order now

    def resolved(done: int, total: int) -> None:
        _give_way(engine)
        if progress is not None:
            progress(done, total)

    resolve_for_analysis(index, token, resolved)
    return False


def _tell_slice(index: Index, token: CancelToken, engine: Engine) -> int:
    """Engine thread: learn what resolution reads for ``SLICE_S`` from now (not from when the slice was queued)."""
    return index.tell_readers(token, time.monotonic() + SLICE_S, lambda done, total: _give_way(engine))


def _give_way(engine: Engine) -> None:
    engine.give_way()  # a request answered meanwhile comes first


async def after_start(
    engine: Engine,
    index: Index,
    reused: bool,
    token: CancelToken,
    current: Callable[[], bool],
    busy: Callable[[], int],
) -> None:
    """Once the first refreshes are done (``busy()`` counts nothing but this: none queued, waiting or running): after
    a start from the snapshot, learn what resolution reads, a slice at a time; else keep the resolved graph for the
    next start. Counted as the engine's work from the start (a client waiting for the engine to be idle waits for
    it). Stops when ``token`` is cancelled or ``current()`` says the index is no longer the folder's."""
    with engine.holding():
        await asyncio.sleep(IDLE_POLL_S)  # (the refreshes just scheduled start first)
        while busy() > engine.held and current() and not token.cancelled:
            await asyncio.sleep(IDLE_POLL_S)
        started, left = time.monotonic(), -1
        try:
            if not reused:
                kept = await engine.run_background(lambda: index.keep_resolved(ANALYSIS, analysis_sequence))
                took = time.monotonic() - started
                LOG.info("resolved graph %s for the next start (%.2f s)", "kept" if kept else "not kept", took)
                return
            while left and current():
                left = await engine.run(lambda: _tell_slice(index, token, engine))
            took = time.monotonic() - started
            LOG.info("what resolution reads learnt after a start from the snapshot (%.2f s)", took)
        except CancelledError:
            LOG.debug("learning what resolution reads: cancelled")
