"""One span per operation, at the layer that names it: a module function that takes its session from its caller,
whose only I/O is one database or cache operation an auto-instrumentation already traces (a ``get_by_name`` around
one query, an ``update`` around one commit) and whose every caller has a span of its own, adds a span between two
that already show its work. Its callers name the operation (the flow, the request handler); the query's own span
shows the database call. Methods of an object owning its connection (a repository) are left alone: operations of
their own."""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

from trace_advisor.advise.local import Verdict
from trace_advisor.advise.units import covered_by
from trace_advisor.datatypes import EvidenceKind, Range, SymbolId
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.external_io import sets_up
from trace_advisor.detect.findings import Finding, Signal

_STORES = frozenset({EvidenceKind.DB, EvidenceKind.CACHE})  # whose client instrumentations span every command
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
        Finding.TASK,
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
    """Whether the function's only I/O is one database or cache operation an auto-instrumentation package traces
    (called directly, or through one workspace function doing database or cache I/O) and nothing else of it is worth
    a span."""
    if ctx.class_name is not None or "<locals>" in ctx.qualname or not _session_from_caller(ctx):
        return False
    kinds = {s.evidence.kind for s in signals if s.evidence.kind is not None}
    if not kinds or not kinds <= _STORES or any(s.finding in _OWN_WORTH for s in signals):
        return False
    direct = [s for s in signals if s.finding is Finding.CLIENT_CALL]
    if any(s.instrumentation is None for s in direct):
        return False
    delegated = {s.evidence.detail for s in signals if s.delegated}
    others = {c for call in ctx.calls for c in call.workspace_callees} - delegated
    if any(not _constructor(callee) for callee in others):
        return False  # it calls workspace code besides its query: what that does may be I/O unseen (a plugin's send)
    return database_operations(ctx) + len(delegated) == 1


def _constructor(callee: SymbolId) -> bool:
    """A class built (an error raised, a model made): ``Class`` or ``Class.__init__``."""
    name = callee.rpartition(":")[2].split(".")[-1]
    return name == "__init__" or name[:1].isupper()


def _session_from_caller(ctx: FunctionContext) -> bool:
    """Its client calls go through its parameters (``db_session.query(...)``, ``conn.execute(...)``): it takes its
    session from its caller, whose unit of work it is a step of. An object owning its connection (a repository,
    ``self.conn``) is a facade whose methods are operations of their own."""
    parameters = {a.arg for a in ctx.parameters()}
    calls = [c for c in ctx.calls if c.api is not None and not sets_up(c.api)]
    return all(c.text.partition(".")[0] in parameters for c in calls)


def database_operations(ctx: FunctionContext) -> int:
    """How many database or cache operations the function runs itself: its outermost client calls (a chain
    ``session.query(A).filter(...).first()`` is one), not counting connecting or listing, nor a commit after a write
    (a commit alone is one: an ORM session's flushed changes)."""
    sites = [c for c in ctx.calls if c.api is not None]
    outer = [c for c in sites if not any(o is not c and _within(c.range, o.range) for o in sites)]
    operations = [c for c in outer if c.api is not None and not sets_up(c.api)]
    writes = [c for c in operations if c.api is not None and c.api.method not in _ENDS]
    return len(writes) if writes else min(len(operations), 1)


_ENDS = frozenset({"commit", "rollback", "flush", "close"})  # the end of a transaction, not an operation of its own


def _within(inner: Range, outer: Range) -> bool:
    return (outer.start.line, outer.start.column) <= (inner.start.line, inner.start.column) and (
        inner.end.line,
        inner.end.column,
    ) <= (outer.end.line, outer.end.column)


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
                verdict, f"its one database call has its instrumentation's span and every caller has a span ({shown})"
            )
    return out


def covered_forwards(
    functions: Sequence[tuple[FunctionContext, Sequence[Signal], Verdict]],
    min_confidence: float,
    covers: Callable[[SymbolId], bool],
) -> dict[int, Verdict]:
    """Verdicts of the recommended one-line forwards whose one workspace callee has a span (``covers``: traced,
    recommended, or a request handler), by index: not recommended, the callee named. A module function whose body is
    one call of one workspace function (``zero`` returning ``store.update_stock(conn, pid, {"stock": 0})``) and whose
    every finding is that callee's I/O would put a span around the callee's with nothing between them (one span per
    operation, at the layer that names it). On the corpus 1 of 5 such forwards is traced. A method is left alone: a
    client or service class traces its forwards with its other operations (its convention, units.py)."""
    out: dict[int, Verdict] = {}
    for number, (ctx, signals, verdict) in enumerate(functions):
        if not verdict.deserves_span(min_confidence) or verdict.traced is not None or verdict.consistency:
            continue
        if ctx.class_name is not None or "<locals>" in ctx.qualname:
            continue
        if not signals or any(s.finding is not Finding.CALLS_IO_FUNCTION for s in signals):
            continue
        callee = _forwarded(ctx)
        if callee is not None and callee != ctx.symbol and covers(callee):
            out[number] = covered_by(
                verdict, f"covered by the span in `{callee.partition(':')[2]}`, which it forwards to"
            )
    return out


def _forwarded(ctx: FunctionContext) -> SymbolId | None:
    """The one workspace function a one-statement body calls (``return f(...)``, ``await f(...)``, ``f(...)``), its
    arguments aside from calls of their own; None for any other body."""
    body = ctx.body_without_docstring()
    if len(body) != 1 or not isinstance(body[0], ast.Return | ast.Expr) or body[0].value is None:
        return None
    value = body[0].value
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call) or any(isinstance(n, ast.Call) for a in _arguments(value) for n in ast.walk(a)):
        return None
    callees = {c for call in ctx.calls for c in call.workspace_callees}
    return next(iter(callees)) if len(callees) == 1 else None


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(k.value for k in call.keywords)]


def covered_closures(functions: Sequence[tuple[FunctionContext, Verdict]], min_confidence: float) -> dict[int, Verdict]:
    """Verdicts of the recommended nested functions that run inside their enclosing function's span, by index: not
    recommended, the enclosing function named. A closure its enclosing function calls or hands to a call (a retry
    helper's ``_once``, a per-server ``try_call_tool``, a thread pool's ``search_repo``) is a step of that function's
    operation; when the enclosing function is traced or recommended, its span already holds the closure's work (one
    span per operation). A closure it returns (a decorator's ``wrapper``) runs later, outside it, and keeps its own."""
    by_qualname = {ctx.qualname: number for number, (ctx, _) in enumerate(functions)}
    out: dict[int, Verdict] = {}
    for number, (ctx, verdict) in enumerate(functions):
        if "<locals>" not in ctx.qualname or not verdict.deserves_span(min_confidence) or verdict.traced is not None:
            continue
        owner, _, _ = ctx.qualname.rpartition(".<locals>.")
        found = by_qualname.get(owner)
        if found is None:
            continue
        outer, outer_verdict = functions[found]
        if outer_verdict.traced is None and not outer_verdict.deserves_span(min_confidence):
            continue
        if _runs_inside(outer, ctx.name):
            out[number] = covered_by(verdict, f"covered by the span in `{owner}`, which runs it")
    return out


def _runs_inside(outer: FunctionContext, name: str) -> bool:
    """Whether ``outer`` (or code nested in it) calls its nested function ``name`` or passes it to a call, and
    ``outer`` never returns it."""
    if any(
        isinstance(node, ast.Return) and node.value is not None and _hands_out(node.value, name) for node in outer.nodes
    ):
        return False
    for node in ast.walk(outer.node):
        if isinstance(node, ast.Call):
            given = [node.func, *node.args, *(k.value for k in node.keywords)]
            if any(isinstance(g, ast.Name) and g.id == name for g in given):
                return True
    return False


def _hands_out(value: ast.expr, name: str) -> bool:
    """Whether a returned expression holds the function ``name`` itself (``return wrapper``,
    ``return wraps(f)(wrapper)``), not only the result of calling it (``return _once()``)."""
    called = {id(n.func) for n in ast.walk(value) if isinstance(n, ast.Call)}
    return any(isinstance(n, ast.Name) and n.id == name and id(n) not in called for n in ast.walk(value))
