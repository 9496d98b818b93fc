"""What spans would cost: functions not worth one because a recommended caller runs them in a loop (one span per
iteration, the caller's span already measures the loop), because every caller is recommended and they only compute
(the callers' spans measure them), or because they are tiny helpers the span would dwarf — a function that does I/O
itself keeps its span, the granularity OpenTelemetry's client instrumentations use. Which calls run once per loop
iteration is read here (:func:`loop_depths`) for both this decision and the spans-per-request estimate of
:mod:`trace_advisor.volume`."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Protocol, runtime_checkable

from trace_advisor.detect.context import FunctionContext
from trace_advisor.model import (
    CallEdge,
    CostNote,
    Range,
    Recommendation,
    SymbolId,
    span_name,
    split_symbol,
)

TINY_STATEMENTS = 2  # a body this short with no I/O of its own is cheaper than the span around it
# evidence that makes even a one-line function an operation worth its span (a handler, a publish, I/O, a hand-off)
_IO_OR_HANDOFF = frozenset({"external_io", "message_bus", "async_boundaries", "context_propagation"})
_OPERATION_PRIORITIES = _IO_OR_HANDOFF | {"entry_points"}


@runtime_checkable
class Graph(Protocol):
    def callers(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...
    def callees(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...
    def entry_points(self) -> tuple[SymbolId, ...]: ...


class LoopCalls:
    """Whether a call edge runs once per iteration of a loop of its caller (read from the caller's syntax,
    remembered per caller)."""

    def __init__(self, context: Callable[[SymbolId], FunctionContext | None]) -> None:
        self._context = context
        self._repeated: dict[SymbolId, frozenset[Range]] = {}

    def __call__(self, edge: CallEdge) -> bool:
        found = self._repeated.get(edge.caller)
        if found is None:
            ctx = self._context(edge.caller)
            repeated = repeated_calls(ctx.node) if ctx is not None else set()
            found = frozenset(c.range for c in ctx.calls if id(c.node) in repeated) if ctx is not None else frozenset()
            self._repeated[edge.caller] = found
        return edge.range in found


def repeated_calls(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """ids of the calls of a function that run once per iteration of one of its loops."""
    return {call for call, depth in loop_depths(function).items() if depth}


def loop_depths(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[int, int]:
    """id of each call of a function -> how many of its loops run that call once per iteration: a ``for`` body or
    a ``while`` (test and body), a comprehension's element, conditions and later iterables (one loop per ``for``
    clause); not a ``for``'s iterable, its ``else`` or a comprehension's first iterable, which run once."""
    found: dict[int, int] = {}

    def visit(node: ast.AST, depth: int) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            return
        if isinstance(node, ast.Call):
            found[id(node)] = depth
        if isinstance(node, ast.For | ast.AsyncFor):
            visit(node.target, depth)
            visit(node.iter, depth)
            for stmt in node.body:
                visit(stmt, depth + 1)
            for stmt in node.orelse:
                visit(stmt, depth)
        elif isinstance(node, ast.While):
            visit(node.test, depth + 1)
            for stmt in node.body:
                visit(stmt, depth + 1)
            for stmt in node.orelse:
                visit(stmt, depth)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            for level, generator in enumerate(node.generators):  # each ``for`` clause nests in the ones before
                visit(generator.iter, depth + level)
                for condition in generator.ifs:
                    visit(condition, depth + level + 1)
            elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for element in elements:
                visit(element, depth + len(node.generators))
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, depth)

    for stmt in function.body:
        visit(stmt, 0)
    return found


def costly(
    recs: Iterable[Recommendation],
    graph: Graph,
    in_loop: LoopCalls,
    recommended: Callable[[SymbolId], bool],
    context: Callable[[SymbolId], FunctionContext | None],
) -> dict[SymbolId, str]:
    """Recommended functions whose span would cost more than it tells, with why."""
    found: dict[SymbolId, str] = {}
    for rec in recs:
        ctx = context(rec.symbol)
        if ctx is not None and any(c.api is not None for c in ctx.calls):
            continue  # it does I/O itself: one span per request is the granularity OpenTelemetry clients use too
        # work handed over (``to_thread(f)``, ``pool.submit(f)``: ``CallEdge.via``) is a unit of its own
        callers = (e for e in graph.callers(rec.symbol) if e.caller != rec.symbol and not e.via and in_loop(e))
        looping = next((e.caller for e in callers if recommended(e.caller)), None)
        if looping is not None:
            found[rec.symbol] = (
                f"called in a loop of {span_name(split_symbol(looping)[1])} (also recommended): one span per"
                " iteration; that span already measures the loop"
            )
        elif ctx is not None and _tiny(ctx, rec):
            found[rec.symbol] = "a tiny helper with no I/O of its own: the span would cost more than the work"
        else:
            every = {e.caller for e in graph.callers(rec.symbol) if e.caller != rec.symbol and not e.via}
            computes = not any(e.priority in _IO_OR_HANDOFF for e in rec.evidence)  # no I/O, not even via callees
            if computes and every and all(recommended(caller) for caller in every):
                found[rec.symbol] = (
                    "computation with no I/O of its own, and every caller is recommended: their spans already"
                    " measure it (a span here multiplies the spans per request)"
                )
    return found


def _tiny(ctx: FunctionContext, rec: Recommendation) -> bool:
    body = [s for s in ctx.node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) > TINY_STATEMENTS or any(isinstance(s, ast.For | ast.While | ast.Try | ast.With) for s in body):
        return False
    return not any(e.priority in _OPERATION_PRIORITIES for e in rec.evidence)


def cost_notes(recs: Iterable[Recommendation], reasons: dict[SymbolId, str]) -> tuple[CostNote, ...]:
    return tuple(
        CostNote(rec.symbol, rec.file, rec.range.start.line, reasons[rec.symbol])
        for rec in recs
        if rec.symbol in reasons
    )
