"""Which expressions a span may record: a model's answer is data, never code.

A capture expression is written into the user's function (``span.set_attribute("key", <expression>)``) and runs
every time the function runs, so it must only *read* a value that is already there. Allowed, checked on the AST:

- a name (a parameter; the edit engine checks which names exist), optionally followed by at most
  ``MAX_ATTRIBUTE_CHAIN`` attribute reads (``order.customer_id``) — no dunder attributes;
- ``len(...)`` of such a name or chain;
- a constant: a short string, a number or a boolean.

Everything else is refused: any other call (``__import__('os').system(...)``), ``await``, ``yield``, the walrus
(``(cmd := ...)`` rebinds a parameter), lambdas, comprehensions, subscripts (``__getitem__`` may run code or raise),
operators, f-strings, starred and keyword forms.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

MAX_ATTRIBUTE_CHAIN = 3
MAX_EXPRESSION_LENGTH = 120
MAX_CONSTANT_LENGTH = 100
ALLOWED_CALLS = frozenset({"len"})


@dataclass(frozen=True, slots=True)
class CaptureExpression:
    """A checked expression: its parsed form and the names it reads (the first name of each chain)."""

    text: str
    node: ast.expr
    names: frozenset[str]
    calls: frozenset[str]  # built-ins it calls (only ``len``); a function that rebinds one cannot use it


class CaptureExpressionError(ValueError):
    """The expression is not a plain read of a value; the message says what is not allowed."""


def check_capture_expression(text: str) -> CaptureExpression:
    """Parse and check ``text``; raises CaptureExpressionError naming what is not allowed."""
    stripped = text.strip()
    if not stripped:
        raise CaptureExpressionError("empty expression")
    if len(stripped) > MAX_EXPRESSION_LENGTH:
        raise CaptureExpressionError(f"longer than {MAX_EXPRESSION_LENGTH} characters")
    if "\n" in stripped or "\r" in stripped:
        raise CaptureExpressionError("spans several lines")
    try:
        node = ast.parse(stripped, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise CaptureExpressionError("not valid Python") from None
    names: set[str] = set()
    calls: set[str] = set()
    _check(node, names, calls)
    return CaptureExpression(stripped, node, frozenset(names), frozenset(calls))


def is_capture_expression(node: ast.expr) -> bool:
    """Whether an already parsed expression is an allowed capture expression (the edit engine's re-check)."""
    try:
        _check(node, set(), set())
    except CaptureExpressionError:
        return False
    return True


def _check(node: ast.expr, names: set[str], calls: set[str]) -> None:
    if isinstance(node, ast.Constant):
        _check_constant(node)
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        if isinstance(node.operand.value, int | float) and not isinstance(node.operand.value, bool):
            return
        raise CaptureExpressionError("only numbers can be negated")
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in ALLOWED_CALLS):
            raise CaptureExpressionError(f"calls {_describe(node.func)} (only len(...) of a value is allowed)")
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            raise CaptureExpressionError("len(...) takes exactly one value")
        calls.add(node.func.id)
        _check_chain(node.args[0], names)
        return
    _check_chain(node, names)


def _check_chain(node: ast.expr, names: set[str]) -> None:
    hops = 0
    while isinstance(node, ast.Attribute):
        if node.attr.startswith("__"):
            raise CaptureExpressionError(f"reads the dunder attribute {node.attr}")
        hops += 1
        node = node.value
    if hops > MAX_ATTRIBUTE_CHAIN:
        raise CaptureExpressionError(f"more than {MAX_ATTRIBUTE_CHAIN} attribute reads in a row")
    if not isinstance(node, ast.Name):
        raise CaptureExpressionError(f"{_kind(node)} is not allowed (only names, attributes, len(...) and constants)")
    if node.id.startswith("__"):
        raise CaptureExpressionError(f"reads the dunder name {node.id}")
    names.add(node.id)


def _check_constant(node: ast.Constant) -> None:
    value = node.value
    if isinstance(value, bool | int | float):
        return
    if isinstance(value, str):
        if len(value) > MAX_CONSTANT_LENGTH:
            raise CaptureExpressionError(f"a string constant longer than {MAX_CONSTANT_LENGTH} characters")
        return
    raise CaptureExpressionError(f"a {type(value).__name__} constant is not an attribute value")


_KINDS: dict[type[ast.AST], str] = {
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield from",
    ast.NamedExpr: "an assignment expression (:=)",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Subscript: "a subscript",
    ast.BinOp: "an operator",
    ast.BoolOp: "an operator",
    ast.Compare: "a comparison",
    ast.IfExp: "a conditional expression",
    ast.JoinedStr: "an f-string",
    ast.Starred: "a starred expression",
    ast.Slice: "a slice",
}


def _kind(node: ast.expr) -> str:
    return _KINDS.get(type(node), f"{type(node).__name__}")


def _describe(func: ast.expr) -> str:
    try:
        text = ast.unparse(func)
    except (ValueError, RecursionError):
        text = "?"
    return text if len(text) <= 40 else text[:39] + "…"
