"""Read a span back from the function the span engine wrote: its name and where each attribute's value comes from,
so a runtime wrapper records exactly what ``trace-advisor apply`` would have written."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

from trace_advisor.runtime.plan import AttributePlan, Scalar

_STARTERS = frozenset({"start_as_current_span", "start_span"})


@dataclass(frozen=True, slots=True)
class WrittenSpan:
    name: str
    attributes: tuple[AttributePlan, ...]
    notes: tuple[str, ...]  # what the edit records that a wrapper cannot (values computed in the body)


def read_span(function_source: str) -> WrittenSpan | None:
    """The span of an edited function (decorator or leading ``with`` block), or None when it has none."""
    try:
        tree = ast.parse(textwrap.dedent(function_source))
    except SyntaxError:
        return None
    node = next((n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)), None)
    if node is None:
        return None
    for decorator in node.decorator_list:
        name = _span_name(decorator)
        if name is not None:
            return WrittenSpan(name, _start_attributes(decorator), ())
    body = node.body[1:] if _is_docstring(node.body[0]) else node.body
    with_block = body[0] if body and isinstance(body[0], ast.With | ast.AsyncWith) else None
    if with_block is None:
        return None
    item = with_block.items[0]
    name = _span_name(item.context_expr)
    if name is None:
        return None
    variable = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
    attributes = list(_start_attributes(item.context_expr))
    notes: list[str] = []
    for stmt in with_block.body:
        found = _set_attribute(stmt, variable)
        if found is None:
            break  # the function's own code starts here
        if isinstance(found, str):
            notes.append(found)
        else:
            attributes.append(found)
    return WrittenSpan(name, tuple(attributes), tuple(notes))


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _span_name(expr: ast.expr) -> str | None:
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in _STARTERS
        and expr.args
        and isinstance(expr.args[0], ast.Constant)
        and isinstance(expr.args[0].value, str)
    ):
        return expr.args[0].value
    return None


def _start_attributes(expr: ast.expr) -> tuple[AttributePlan, ...]:
    """Constant attributes passed to the span's start (``attributes={"code.function.name": "..."}``)."""
    if not isinstance(expr, ast.Call):
        return ()
    found: list[AttributePlan] = []
    for keyword in expr.keywords:
        if keyword.arg == "attributes" and isinstance(keyword.value, ast.Dict):
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                constant = _constant(value)
                if isinstance(key, ast.Constant) and isinstance(key.value, str) and constant is not None:
                    found.append(AttributePlan(key.value, value=constant))
    return tuple(found)


def _set_attribute(stmt: ast.stmt, span: str | None) -> AttributePlan | str | None:
    """One attribute statement at the top of the with block: the plan, a note when a wrapper cannot reproduce it,
    or None when ``stmt`` is not an attribute statement (the function's code)."""
    skip_none = None
    if (
        isinstance(stmt, ast.If)
        and not stmt.orelse
        and len(stmt.body) == 1
        and isinstance(stmt.test, ast.Compare)
        and isinstance(stmt.test.left, ast.Name)
        and len(stmt.test.ops) == 1
        and isinstance(stmt.test.ops[0], ast.IsNot)
        and isinstance(stmt.test.comparators[0], ast.Constant)
        and stmt.test.comparators[0].value is None
    ):
        skip_none = stmt.test.left.id
        stmt = stmt.body[0]
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "set_attribute"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == span
        and len(call.args) == 2
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    ):
        return None
    key, value = call.args[0].value, call.args[1]
    constant = _constant(value)
    if constant is not None and skip_none is None:
        return AttributePlan(key, value=constant)
    convert = "none"
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "str"
        and len(value.args) == 1
    ):
        convert, value = "str", value.args[0]
    if isinstance(value, ast.Name) and skip_none in (None, value.id):
        return AttributePlan(key, parameter=value.id, convert=convert, skip_none=skip_none is not None)
    return f"{key} = {ast.unparse(value)} is computed in the function: not recorded by the runtime"


def _constant(expr: ast.expr) -> Scalar | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str | int | float | bool):
        return expr.value
    return None
