"""Where spans are in a module: ``with`` blocks and decorators that start one, the span's variable, and the code a
span covers (its own scope: nested functions and classes are not covered)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from trace_advisor.edits.existing import dotted_name
from trace_advisor.edits.locate import FunctionNode
from trace_advisor.lint.findings import LintContext

STARTERS = frozenset({"start_as_current_span", "start_span", "use_span"})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def starts_span(expr: ast.AST) -> bool:
    """A call to ``start_as_current_span``/``start_span``/``use_span`` (any receiver)."""
    return isinstance(expr, ast.Call) and dotted_name(expr).rpartition(".")[2] in STARTERS


@dataclass(frozen=True, slots=True)
class SpanScope:
    """Code that runs inside a span: a ``with`` block (``variable`` is its ``as`` name) or a decorated function."""

    node: ast.With | ast.AsyncWith | ast.FunctionDef | ast.AsyncFunctionDef
    variable: str | None
    item: ast.withitem | None  # the with item that starts the span

    def body(self) -> Iterator[ast.AST]:
        """The nodes the span covers, not descending into nested functions, classes or lambdas."""
        stack: list[ast.AST] = list(reversed(self.node.body))
        while stack:
            current = stack.pop()
            yield current
            if not isinstance(current, _SCOPES):
                stack.extend(reversed(list(ast.iter_child_nodes(current))))


def span_scopes(ctx: LintContext) -> Iterator[SpanScope]:
    """Every span scope of the module, outermost first."""
    for node in ctx.nodes:
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if starts_span(item.context_expr):
                    target = item.optional_vars
                    yield SpanScope(node, target.id if isinstance(target, ast.Name) else None, item)
                    break
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if any(starts_span(d) for d in node.decorator_list):
                yield SpanScope(node, None, None)


def functions(ctx: LintContext) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ctx.nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def own_nodes(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """A function's own nodes (not those of nested functions, classes or lambdas)."""
    stack: list[ast.AST] = list(reversed(node.body))
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, _SCOPES):
            stack.extend(reversed(list(ast.iter_child_nodes(current))))


def span_receivers(scope_nodes: Iterator[ast.AST] | list[ast.AST], variable: str | None) -> set[str]:
    """Names that hold a span in some code: the scope's variable and names assigned from ``start_span``/
    ``get_current_span()``."""
    names = {variable} if variable else set()
    for node in scope_nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            tail = dotted_name(node.value).rpartition(".")[2] if isinstance(node.value, ast.Call) else ""
            if tail in ("start_span", "get_current_span", "current_span"):
                names.add(node.targets[0].id)
        elif isinstance(node, ast.withitem) and starts_span(node.context_expr):
            if isinstance(node.optional_vars, ast.Name):
                names.add(node.optional_vars.id)
    return names


def enclosing_function(ctx: LintContext, node: ast.AST) -> FunctionNode | None:
    """The function ``node`` is in (itself when it is one), or None at module level."""
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        current = ctx.parents.get(id(current))
    return current
