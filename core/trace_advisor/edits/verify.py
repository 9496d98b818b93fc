"""Prove an edit is right before handing it out: the new function parses and equals the old one plus the span, and
what the span adds only records data (``inert``: no new call beyond the span's own, no await, yield or walrus)."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Sequence

from trace_advisor.datatypes import Position, TextEdit
from trace_advisor.edits.existing import docstring_count, has_span, own_scope
from trace_advisor.edits.handlers import HandlerPlan
from trace_advisor.edits.inert import (
    effects,
    is_attribute_statement,
    is_client_error_guard,
    is_handler_statement,
    is_span_call,
)
from trace_advisor.edits.locate import FunctionNode
from trace_advisor.edits.source import SourceText
from trace_advisor.parsing import parse_as_written


def edited_function(source: SourceText, first_line: int, last_line: int, edit: TextEdit) -> FunctionNode:
    """Parse lines ``first_line..last_line`` with ``edit`` applied, on their own; raises SyntaxError/ValueError."""
    region_start = source.offset(Position(first_line, 0))
    region_end = source.offset(Position(last_line, len(source.line(last_line))))
    start, end = source.offset(edit.range.start), source.offset(edit.range.end)
    if not region_start <= start <= end <= region_end:
        raise ValueError("the edit leaves the function")
    text = source.text
    region = text[region_start:start] + edit.new_text + text[end:region_end]
    indented = region[:1] in (" ", "\t", "\f")
    tree = parse_as_written("if 1:\n" + region if indented else region)
    block = tree.body[0].body if indented and isinstance(tree.body[0], ast.If) else tree.body
    if len(block) != 1 or not isinstance(block[0], ast.FunctionDef | ast.AsyncFunctionDef):
        raise ValueError("the edited text is not one function definition")
    return block[0]


def same_with_decorator(old: FunctionNode, new: FunctionNode) -> bool:
    if len(new.decorator_list) != len(old.decorator_list) + 1 or not has_span(new):
        return False
    if not is_span_call(new.decorator_list.pop()) or effects(new) != effects(old):
        return False
    return same_tree(new, old)


def same_with_block(
    old: FunctionNode,
    new: FunctionNode,
    attributes: int,
    handlers: Sequence[HandlerPlan],
    guarded: bool = False,
    helper: str | None = None,
) -> bool:
    """``new`` is ``old`` with its body (after the docstring) inside one ``with`` block that starts a span, preceded
    by ``attributes`` statements, and the planned statements at the top of each planned handler; ``guarded``: the
    body is in a ``try`` whose one ``except Exception`` handler ends by re-raising; ``helper``: the ``with`` enters
    ``<helper>(<span>)`` after the span (the module's status helper class, web_errors.py)."""
    doc = docstring_count(old)
    block = new.body[doc] if len(new.body) == doc + 1 else None
    if not isinstance(block, ast.With):
        return False
    if len(block.items) != (1 if helper is None else 2) or not is_span_call(block.items[0].context_expr):
        return False
    if effects(new) != effects(old):
        return False
    span = block.items[0].optional_vars
    span_name = span.id if isinstance(span, ast.Name) else None
    if span is not None and span_name is None:
        return False
    if helper is not None and (span_name is None or not _enters_helper(block.items[1], helper, span_name)):
        return False
    if attributes and (
        span_name is None or not all(is_attribute_statement(s, span_name) for s in block.body[:attributes])
    ):
        return False
    body = block.body[attributes:]
    if guarded:
        guard = body[0] if len(body) == 1 else None
        if span_name is None or not isinstance(guard, ast.Try) or not _is_reraising_guard(guard, span_name):
            return False
        body = guard.body
    new.body = new.body[:doc] + body
    if not new.body:
        return False
    found = [n for n in own_scope(new) if isinstance(n, ast.ExceptHandler)]
    for plan in handlers:
        if plan.index >= len(found) or len(found[plan.index].body) < plan.statements:
            return False
        handler = found[plan.index]
        inserted = handler.body[: plan.statements]
        if span_name is None or not all(is_handler_statement(s, span_name, plan.name) for s in inserted):
            return False
        del handler.body[: plan.statements]
        if not handler.body:  # the statements replaced the handler's lone ``pass``
            handler.body = [ast.Pass()]
        if plan.add_name:
            handler.name = None
            if plan.node.type is None:
                handler.type = None
    return same_tree(new, old)


def same_tree(a: ast.AST, b: ast.AST) -> bool:
    """``ast.dump(a) == ast.dump(b)`` (positions ignored) without recursion: generated code such as a 1,000-term sum
    is deeper than Python's stack allows ``ast.dump``. Docstrings compare as ``inspect.cleandoc`` gives them: the
    project's formatter re-indents a nested function's docstring with the span's indent (whitespace that ``help``
    and Python 3.13's compiler remove)."""
    docstrings = _docstrings(a) | _docstrings(b)
    pairs: list[tuple[object, object]] = [(a, b)]
    while pairs:
        x, y = pairs.pop()
        if type(x) is not type(y):
            return False
        if id(x) in docstrings and id(y) in docstrings:
            if _cleaned(x.value) != _cleaned(y.value):  # type: ignore[attr-defined]
                return False
            continue
        if isinstance(x, ast.AST):
            pairs.extend((getattr(x, field, None), getattr(y, field, None)) for field in x._fields)
        elif isinstance(x, list):
            if len(x) != len(y):  # type: ignore[arg-type]
                return False
            pairs.extend(zip(x, y, strict=True))  # type: ignore[call-overload]
        elif x != y:
            return False
    return True


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring constants of ``tree``'s module, classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and type(first.value.value) is str:
                found.add(id(first.value))
    return found


def _cleaned(docstring: str) -> str:
    return "\n".join(line.rstrip() for line in inspect.cleandoc(docstring).splitlines())


def _enters_helper(item: ast.withitem, helper: str, span: str) -> bool:
    """``<helper>(<span>)`` with nothing bound."""
    call = item.context_expr
    return (
        item.optional_vars is None
        and isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == helper
        and not call.keywords
        and len(call.args) == 1
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id == span
    )


def _is_reraising_guard(guard: ast.Try, span: str) -> bool:
    """``try: <body> except Exception as <e>: <record on span> raise``: the generator form's own error handling, and
    the web form's (its ``set_status`` under ``if not <client error test>:``)."""
    if guard.orelse or guard.finalbody or len(guard.handlers) != 1:
        return False
    handler = guard.handlers[0]
    if not (isinstance(handler.type, ast.Name) and handler.type.id == "Exception" and handler.name):
        return False
    *recorded, last = handler.body
    name = handler.name
    return (
        isinstance(last, ast.Raise)
        and last.exc is None
        and last.cause is None
        and all(is_handler_statement(s, span, name) or is_client_error_guard(s, span, name) for s in recorded)
    )
