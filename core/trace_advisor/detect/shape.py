"""The shape of a function: how much it does, and whether it is too trivial to deserve a span."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from trace_advisor.detect.context import FunctionContext

_DUNDER_WORTH_TRACING = frozenset({"__call__", "__aenter__", "__aexit__", "__enter__", "__exit__"})


@dataclass(frozen=True, slots=True)
class Shape:
    statements: int  # statements in the body (nested blocks counted, nested defs not)
    calls: int
    distinct_calls: int
    lines: int
    trivial: str | None  # why it is trivial, or None


def _is_stub(body: list[ast.stmt]) -> bool:
    if len(body) != 1:
        return False
    stmt = body[0]
    if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
        return True
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _decorator_names(ctx: FunctionContext) -> set[str]:
    names = set()
    for dec in ctx.node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def shape_of(ctx: FunctionContext, has_io: bool) -> Shape:
    """Measure the function and decide triviality (getters, dunders, stubs, one-line pure helpers)."""
    stmts = ctx.statements()
    calls = [c for c in ctx.calls]
    distinct = {c.text for c in calls}
    lines = (ctx.node.end_lineno or ctx.node.lineno) - ctx.node.lineno + 1
    body = ctx.body_without_docstring()
    decorators = _decorator_names(ctx)
    name = ctx.name
    trivial: str | None = None
    if not body or _is_stub(body):
        trivial = "empty or abstract body"
    elif {"property", "setter", "getter", "cached_property", "abstractmethod", "overload"} & decorators:
        trivial = "property or abstract method"
    elif name.startswith("__") and name.endswith("__") and name not in _DUNDER_WORTH_TRACING:
        trivial = f"special method {name}"
    elif len(body) == 1 and isinstance(body[0], ast.Return | ast.Expr | ast.Assign) and not has_io:
        trivial = "one-line helper without I/O"
    elif len(stmts) <= 2 and not calls:
        trivial = "no calls and almost no logic"
    return Shape(len(stmts), len(calls), len(distinct), lines, trivial)
