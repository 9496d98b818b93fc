"""The orders in which commands resolve a whole workspace, each with the name a graph snapshot is kept under.

Where values flow in cycles, the resolver's memo keeps a cycle's first answer, so which module is resolved first can
change what another one resolves to (``Index.reuse_resolved``). A snapshot of the resolved graph (``graph_cache``) is
therefore taken only by a run that would resolve the modules in the order of the run that wrote it: each order has a
name, part of the snapshot's key, and each command resolving a whole workspace resolves it in one named order before
it asks anything else, whatever files it reports on.
"""

from __future__ import annotations

from collections.abc import Callable

from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.gcpause import gc_paused
from trace_advisor.index import Index

# ``calls``: every module one by one in module order (its graph of every function asks for all of them at once)
CALLS = "calls"
# ``analyze``: first the modules that may set up instrumentation, in module order (the analysis reads what they set up
# before any file), then every other module in module order (``resolve_for_analysis``)
ANALYSIS = "analysis"


def resolve_for_analysis(
    index: Index, cancel: CancelToken = NEVER, progress: Callable[[int, int], None] | None = None
) -> None:
    """Resolve every module of a built index in the ``ANALYSIS`` order: the modules whose calls may set up
    instrumentation first (the ones the analysis reads before any file, in the order it reads them), then the rest as
    :meth:`Index.resolve_all` does. Without it, the file analysed first would be resolved before the others: the
    answers would depend on which files a run analyses, and no snapshot could stand for them."""
    from trace_advisor.detect.instrumentation import may_set_up  # the detectors: not loaded by ``calls``

    with gc_paused():
        for module, _, facts in index.workspace_facts():
            cancel.check()
            if may_set_up(call.chain for call in facts.calls):
                index.module_calls(module)
    index.resolve_all(cancel, progress)


def analysis_sequence(index: Index) -> list[str]:
    """Every module of a built index in the ``ANALYSIS`` order, as :func:`resolve_for_analysis` resolves them (for
    ``Index.reuse_resolved``: an index taking a snapshot made in that order resolves them again in it to learn what
    each reads)."""
    from trace_advisor.detect.instrumentation import may_set_up

    first = [module for module, _, facts in index.workspace_facts() if may_set_up(call.chain for call in facts.calls)]
    early = set(first)
    return first + [module for module in index.resolution_order() if module not in early]
