"""One span per operation, at the layer that names it: a function whose only I/O is one database operation that an
auto-instrumentation already traces (a ``get_by_name`` around one query, an ``update`` around one commit), whose
every caller has a span of its own, adds a span between two that already show its work. Its callers name the
operation (the flow, the request handler); the query's own span shows the database call."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trace_advisor.advise.local import Verdict
from trace_advisor.advise.units import covered_by
from trace_advisor.datatypes import EvidenceKind, SymbolId
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.external_io import io_operations
from trace_advisor.detect.findings import Finding, Signal

MAX_CALLERS = 25  # callers read to decide; a wrapper with more keeps its span (and the editor stays fast)
# findings that make a database wrapper more than one query: its own entry, work or messages, a loop, retries,
# errors it swallows or items it skips, concurrency or a hand-off, a cost seen at run time
_OWN_WORTH = frozenset(
    {
        Finding.ROUTE,
        Finding.CLI_COMMAND,
        Finding.CLI_GROUP,
        Finding.MAIN,
        Finding.JOB,
        Finding.SERVERLESS,
        Finding.TASK_CONSUMER,
        Finding.MESSAGE_CONSUMER,
        Finding.PUBLISHES,
        Finding.RECEIVES,
        Finding.RUNS_WORK,
        Finding.SUBMITS_WORK,
        Finding.CONTEXT_GAP,
        Finding.IO_LOOP,
        Finding.CALLS_IO_FUNCTION_IN_LOOP,
        Finding.FILE_LOOP,
        Finding.NESTED_LOOPS,
        Finding.POLLING,
        Finding.HEAVY_COMPUTE,
        Finding.RECURSION,
        Finding.RETRIES,
        Finding.SWALLOWS,
        Finding.SKIPS,
        Finding.FAN_OUT,
        Finding.CONCURRENT,
        Finding.HOT_PATH,
        Finding.HOT_CALLEE,
    }
)


def database_wrapper(ctx: FunctionContext, signals: Sequence[Signal]) -> bool:
    """Whether the function's only I/O is one database operation an auto-instrumentation package traces (called
    directly, or through one workspace function doing database I/O) and nothing else of it is worth a span."""
    kinds = {s.evidence.kind for s in signals if s.evidence.kind is not None}
    if kinds != {EvidenceKind.DB} or any(s.finding in _OWN_WORTH for s in signals):
        return False
    direct = [s for s in signals if s.finding is Finding.CLIENT_CALL]
    if any(s.instrumentation is None for s in direct):
        return False
    delegated = {s.evidence.detail for s in signals if s.delegated}
    return len(io_operations(ctx)) + len(delegated) == 1


def covered_wrappers(
    functions: Sequence[tuple[FunctionContext, Sequence[Signal], Verdict]],
    min_confidence: float,
    covers: Callable[[SymbolId], bool],
) -> dict[int, Verdict]:
    """Verdicts of the recommended database wrappers (:func:`database_wrapper`) whose every caller has a span
    (``covers``: traced, recommended, or a request handler its framework's instrumentation gives a span), by index:
    not recommended, their callers named."""
    out: dict[int, Verdict] = {}
    for number, (ctx, signals, verdict) in enumerate(functions):
        if not verdict.deserves_span(min_confidence) or verdict.traced is not None or verdict.consistency:
            continue
        callers = sorted(set(ctx.graph.callers) - {ctx.symbol})
        if not callers or len(callers) > MAX_CALLERS or not database_wrapper(ctx, signals):
            continue
        if all(covers(caller) for caller in callers):
            names = [c.partition(":")[2] for c in callers]
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            out[number] = covered_by(
                verdict, f"its one database call has its instrumentation's span and every caller a span ({shown})"
            )
    return out
