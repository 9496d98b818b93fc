"""Proves that the statements a span edit inserts only record data, whatever a recommendation asked for.

The engine writes three kinds of code into a function: the span itself (``with tracer.start_as_current_span("n")
as span:``, the same call as a decorator, or a generator's ``start_span`` that records nothing itself), attribute
statements (``span.set_attribute("key", <value>)``, possibly under ``if <parameter> is not None:`` or
``if isinstance(<parameter>, <classes>):``) and, in handlers (a generator's re-raising guard too),
``span.record_exception(exc)`` / ``span.set_status(Status(StatusCode.ERROR, str(exc)))``. Each is checked here
against exactly that shape, with ``<value>`` a capture expression (:mod:`trace_advisor.capture_expressions`), ``str()``
of one or a string constant; and the edited function as a whole must hold no more ``await``, ``yield``, walrus, lambda
or comprehension than the original.
"""

from __future__ import annotations

import ast
from collections import Counter

from trace_advisor.capture_expressions import is_capture_expression

_EFFECTS = (
    ast.Await,
    ast.Yield,
    ast.YieldFrom,
    ast.NamedExpr,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def effects(node: ast.AST) -> Counter[str]:
    """How many nodes of each kind that suspends, rebinds or defines code ``node`` holds."""
    return Counter(type(n).__name__ for n in ast.walk(node) if isinstance(n, _EFFECTS))


def is_span_call(expr: ast.expr) -> bool:
    """``<tracer>.start_as_current_span("<constant name>")`` and nothing more (the web form adds
    ``set_status_on_exception=False``), or a generator's ``<tracer>.start_span("<constant name>",
    record_exception=False, set_status_on_exception=False)``."""
    if not (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and isinstance(expr.func.value, ast.Name)
        and len(expr.args) == 1
        and _is_string(expr.args[0])
    ):
        return False
    quiet = all(isinstance(k.value, ast.Constant) and k.value.value is False for k in expr.keywords)
    keywords = sorted(k.arg or "" for k in expr.keywords)
    if expr.func.attr == "start_as_current_span":  # the web form sets the status itself
        return not keywords or (keywords == ["set_status_on_exception"] and quiet)
    return expr.func.attr == "start_span" and keywords == ["record_exception", "set_status_on_exception"] and quiet


def is_attribute_statement(statement: ast.stmt, span: str) -> bool:
    """``span.set_attribute("<key>", <value>)``, or that statement alone under ``if <name> is not None:`` or
    ``if isinstance(<name>, <class or tuple of classes>):``."""
    if isinstance(statement, ast.If):
        return (
            _is_guard(statement.test)
            and not statement.orelse
            and len(statement.body) == 1
            and _is_set_attribute(statement.body[0], span)
        )
    return _is_set_attribute(statement, span)


def _is_guard(test: ast.expr) -> bool:
    if isinstance(test, ast.Compare):
        return (
            isinstance(test.left, ast.Name)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.IsNot)
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None
        )
    if not (isinstance(test, ast.Call) and _is_name(test.func, "isinstance") and len(test.args) == 2):
        return False
    value, classes = test.args
    names = classes.elts if isinstance(classes, ast.Tuple) else [classes]
    return not test.keywords and isinstance(value, ast.Name) and all(isinstance(n, ast.Name) for n in names)


def is_handler_statement(statement: ast.stmt, span: str, exception: str) -> bool:
    """``span.record_exception(<exc>)`` or ``span.set_status(<Status>(<StatusCode>.ERROR, str(<exc>)))``."""
    found = _span_method_call(statement, span)
    if found is None or found[1].keywords or len(found[1].args) != 1:
        return False
    method, (arg,) = found[0], found[1].args
    if method == "record_exception":
        return _is_name(arg, exception)
    if method != "set_status" or not isinstance(arg, ast.Call) or arg.keywords or len(arg.args) != 2:
        return False
    status, (code, description) = arg.func, arg.args
    return _dotted(status, "Status") and _dotted(code, "ERROR") and _describes(description, exception)


def _describes(description: ast.expr, exception: str) -> bool:
    """``str(<exc>)``, or ``f"{type(<exc>).__name__}: {<exc>}"`` (what ``start_as_current_span`` writes)."""
    if isinstance(description, ast.JoinedStr) and len(description.values) == 3:
        kind, colon, message = description.values
        return (
            isinstance(kind, ast.FormattedValue)
            and isinstance(kind.value, ast.Attribute)
            and kind.value.attr == "__name__"
            and _is_call_of(kind.value.value, "type", exception)
            and isinstance(colon, ast.Constant)
            and colon.value == ": "
            and isinstance(message, ast.FormattedValue)
            and _is_name(message.value, exception)
            and kind.conversion == message.conversion == -1
            and kind.format_spec is None
            and message.format_spec is None
        )
    return _is_call_of(description, "str", exception)


def _is_call_of(expr: ast.expr, function: str, exception: str) -> bool:
    """``function(<exc>)`` and nothing more."""
    return (
        isinstance(expr, ast.Call)
        and _is_name(expr.func, function)
        and len(expr.args) == 1
        and not expr.keywords
        and _is_name(expr.args[0], exception)
    )


def is_client_error_guard(statement: ast.stmt, span: str, exception: str) -> bool:
    """``if not <client error test>: span.set_status(...)`` (edits/web_errors.py): the test only reads the exception:
    ``isinstance(<exc>, <names>)``, alone or ``and 400 <= (<exc>.<attribute> or 0) < 500``, joined by ``or``."""
    if not (
        isinstance(statement, ast.If)
        and not statement.orelse
        and len(statement.body) == 1
        and is_handler_statement(statement.body[0], span, exception)
        and isinstance(statement.test, ast.UnaryOp)
        and isinstance(statement.test.op, ast.Not)
    ):
        return False
    test = statement.test.operand
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) else [test]
    return all(_is_client_error_part(part, exception) for part in parts)


def _is_client_error_part(part: ast.expr, exception: str) -> bool:
    if isinstance(part, ast.Call):
        return _is_isinstance(part, exception)
    if not (isinstance(part, ast.BoolOp) and isinstance(part.op, ast.And) and len(part.values) == 2):
        return False
    check, status = part.values
    return (
        isinstance(check, ast.Call)
        and _is_isinstance(check, exception)
        and isinstance(status, ast.Compare)
        and [type(op) for op in status.ops] == [ast.LtE, ast.Lt]
        and isinstance(status.left, ast.Constant)
        and status.left.value == 400
        and isinstance(status.comparators[1], ast.Constant)
        and status.comparators[1].value == 500
        and _is_code_or_zero(status.comparators[0], exception)
    )


def _is_isinstance(call: ast.Call, exception: str) -> bool:
    if not (_is_name(call.func, "isinstance") and len(call.args) == 2 and not call.keywords):
        return False
    value, classes = call.args
    names = classes.elts if isinstance(classes, ast.Tuple) else [classes]
    return _is_name(value, exception) and all(_is_name_chain(n) for n in names)


def _is_name_chain(expr: ast.expr) -> bool:
    """``Name`` or ``module.Name`` (attribute reads of names only)."""
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name)


def _is_code_or_zero(expr: ast.expr, exception: str) -> bool:
    """``<exc>.<attribute> or 0``."""
    return (
        isinstance(expr, ast.BoolOp)
        and isinstance(expr.op, ast.Or)
        and len(expr.values) == 2
        and isinstance(expr.values[0], ast.Attribute)
        and _is_name(expr.values[0].value, exception)
        and isinstance(expr.values[1], ast.Constant)
        and expr.values[1].value == 0
    )


def _is_set_attribute(statement: ast.stmt, span: str) -> bool:
    found = _span_method_call(statement, span)
    if found is None or found[0] != "set_attribute" or found[1].keywords or len(found[1].args) != 2:
        return False
    key, value = found[1].args
    if isinstance(value, ast.Call) and _is_name(value.func, "str") and len(value.args) == 1 and not value.keywords:
        value = value.args[0]  # the engine's own conversion of a value of unknown type
    # a string constant of any length is inert (the engine's own ``code.file.path``)
    return _is_string(key) and (_is_string(value) or is_capture_expression(value))


def _span_method_call(statement: ast.stmt, span: str) -> tuple[str, ast.Call] | None:
    """(method, call) of a statement ``span.<method>(...)``."""
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        return None
    func = statement.value.func
    if isinstance(func, ast.Attribute) and _is_name(func.value, span):
        return func.attr, statement.value
    return None


def _dotted(expr: ast.expr, last: str) -> bool:
    """A name or attribute chain of names ending in ``last`` (``Status``, ``trace.Status``, ``ot.trace.Status``)."""
    if isinstance(expr, ast.Name):
        return expr.id == last
    if not isinstance(expr, ast.Attribute) or expr.attr != last:
        return False
    node: ast.expr = expr.value
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _is_name(expr: ast.expr, name: str) -> bool:
    return isinstance(expr, ast.Name) and expr.id == name


def _is_string(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and isinstance(expr.value, str)
