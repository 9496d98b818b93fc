"""Which ``except`` clauses of a function the span reports on, and how, following the OpenTelemetry error rules.

A span's status is ERROR only when its operation fails (the specification: "set when the operation ... ended with
an error"). So, per handler of the function's own body:

- a handler that raises (re-raises, translates, or only on some path) lets the failure leave the span: the
  ``with`` block's context manager records the propagating exception once and sets ERROR; nothing is added;
- a handler that turns the failure into a failure result (``return False``, a negative or non-zero exit code where
  the function otherwise returns 0, an error response or a 5xx status, ``sys.exit(1)``) fails the operation: it
  records the exception and sets ERROR. ``False`` or a negative number the function also returns outside its
  ``except`` clauses is one of its ordinary answers, not a failure (arq's ``Job.abort`` returns False for "not
  aborted" whether or not the result it waits for has expired);
- a handler answering an exception that turns the caller's input down (``TokenExpired``, ``ValidationError``,
  ``NotFound``...) with an error result gives the caller its outcome, it does not fail the operation (an HTTP server
  span leaves a 4xx unset the same way): an event, status unset;
- a handler that swallows or falls back (logs, retries, returns a default) does not fail the operation: it adds at
  most an exception event (``spans.swallowed_exceptions: event``), status unset; so does one that first tells an
  expected case apart (``if exc.response.status_code == 404: return 0``) before a failure result: at its top the
  failure is not known to be one;
- control flow and lookup fallbacks (``StopIteration``, ``GeneratorExit``, ``KeyboardInterrupt``, ``SystemExit``,
  cancellation, ``KeyError``/``IndexError``/``AttributeError``/``ImportError``...) add nothing at all.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from trace_advisor.edits.existing import dotted_name, own_scope
from trace_advisor.edits.locate import FunctionNode

# exceptions that end iteration, generators, the process or a task: never a failure of the operation
CONTROL_FLOW = frozenset(
    {"StopIteration", "StopAsyncIteration", "GeneratorExit", "KeyboardInterrupt", "SystemExit", "CancelledError"}
)
# exceptions used to look something up and fall back to a default
LOOKUP = frozenset(
    {"KeyError", "IndexError", "LookupError", "AttributeError", "ImportError", "ModuleNotFoundError", "Empty"}
)
QUIET = CONTROL_FLOW | LOOKUP
_EXITS = frozenset({"sys.exit", "exit", "quit", "os._exit"})
# exceptions that say the caller's input was turned down (a link's token expired, a form did not validate, no such
# record): the answer it gets is the outcome, not a failure of the operation (an HTTP server span leaves a 4xx unset)
_REJECTED = re.compile(
    r"Invalid|Missing|Expired|Malformed|Validation|BadRequest|Unauthori[sz]ed|Forbidden|PermissionDenied|NotFound"
    r"|DoesNotExist|NoResultFound"
)
_FAILURE_WORDS = frozenset({"error", "errors", "err", "fail", "failed", "failure", "abort", "aborted", "problem"})
_PREDICATE = re.compile(r"^_*(is|has|can|should|exists|contains|supports|matches|valid|check)(_|$)|_exists$")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


@dataclass(frozen=True, slots=True)
class HandlerPlan:
    """An ``except`` clause that gets span code, with the name it binds (added if missing)."""

    index: int  # position among the function's own handlers, in walk order (for verification)
    node: ast.ExceptHandler
    name: str
    add_name: bool
    fails: bool  # the handler fails the operation: ERROR status after the exception event

    @property
    def statements(self) -> int:
        """How many statements the edit puts at the top of the handler."""
        return 2 if self.fails else 1


def handler_plans(node: FunctionNode, taken: set[str], *, events: bool, preferred: str = "exc") -> list[HandlerPlan]:
    """The handlers of ``node``'s own body that get span code; swallowing ones only when ``events`` is True."""
    plans: list[HandlerPlan] = []
    fresh: str | None = None
    scope = list(own_scope(node))
    handlers = [n for n in scope if isinstance(n, ast.ExceptHandler)]
    answers = plain_answers(scope)
    for index, handler in enumerate(handlers):
        fails = failure_handler(handler, node.name, answers)
        names = caught_names(handler)
        if not fails and (not events or _propagates(handler) or (names and names <= QUIET)):
            continue
        if handler.name:
            plans.append(HandlerPlan(index, handler, handler.name, False, fails))
            continue
        if fresh is None:
            fresh, n = preferred, 1
            while fresh in taken:
                n += 1
                fresh = f"{preferred}_{n}"
        plans.append(HandlerPlan(index, handler, fresh, True, fails))
    return plans


Answers = frozenset[tuple[str, object]]  # constants a function returns outside its except clauses, by type name


def plain_answers(nodes: Iterable[ast.AST]) -> Answers:
    """The constants returned outside ``except`` clauses among ``nodes`` (a function's own scope), with their type
    (``False`` is not ``0``)."""
    nodes = list(nodes)
    in_handlers = {id(sub) for n in nodes if isinstance(n, ast.ExceptHandler) for sub in _handler_scope(n)}
    found = (_constant(n.value) for n in nodes if isinstance(n, ast.Return) and id(n) not in in_handlers)
    return frozenset(c for c in found if c is not None)


def _constant(expr: ast.expr | None) -> tuple[str, object] | None:
    """A returned literal with its type name: ``False`` is ``("bool", False)``, ``-1`` is ``("int", -1)``."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub) and isinstance(expr.operand, ast.Constant):
        operand = expr.operand.value
        return ("int", -operand) if type(operand) is int else None
    return (type(expr.value).__name__, expr.value) if isinstance(expr, ast.Constant) else None


def failure_handler(handler: ast.ExceptHandler, function: str, answers: Answers) -> bool:
    """True when the handler ends the operation as a failure without letting the exception propagate; ``answers``:
    what the function returns outside its ``except`` clauses (:func:`plain_answers`)."""
    names = caught_names(handler)
    if names and names <= QUIET:
        return False
    last = handler.body[-1]
    if isinstance(last, ast.Raise):
        return _exit_failure(last.exc)
    if _propagates(handler):
        return False
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and dotted_name(last.value) in _EXITS:
        return _exit_failure(last.value)
    if _tells_cases_apart(handler) or (names and all(_REJECTED.search(name) for name in names)):
        return False
    if isinstance(last, ast.Return) and last.value is not None:
        return _failure_value(last.value, function, answers)
    return False


def _tells_cases_apart(handler: ast.ExceptHandler) -> bool:
    """The handler first looks at the exception and leaves early for a case it expects (warehouse's breach check:
    ``except RequestException as exc: if exc.response.status_code == 404: return 0`` then ``return -1``): at its top,
    where the span code goes, the failure is not known to be one; an ERROR there would mark every expected case."""
    if handler.name is None:
        return False
    for stmt in handler.body[:-1]:
        if (
            isinstance(stmt, ast.If)
            and any(isinstance(n, ast.Name) and n.id == handler.name for n in ast.walk(stmt.test))
            and isinstance(stmt.body[-1], ast.Return | ast.Continue | ast.Break)
        ):
            return True
    return False


def caught_names(handler: ast.ExceptHandler) -> frozenset[str]:
    """Last components of the exception types a handler catches; empty for a bare ``except:``."""
    if handler.type is None:
        return frozenset()
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return frozenset(dotted_name(t).rpartition(".")[2] or "?" for t in types)


def raises_stop_iteration(node: FunctionNode) -> bool:
    """An iterator protocol method, or a function that raises ``StopIteration``/``StopAsyncIteration`` itself: its
    normal end is an exception leaving the span, which the SDK's context manager would mark as an error."""
    if node.name in ("__next__", "__anext__"):
        return True
    for sub in own_scope(node):
        if isinstance(sub, ast.Raise) and sub.exc is not None:
            raised = sub.exc.func if isinstance(sub.exc, ast.Call) else sub.exc
            if dotted_name(raised).rpartition(".")[2] in ("StopIteration", "StopAsyncIteration"):
                return True
    return False


def _propagates(handler: ast.ExceptHandler) -> bool:
    """A ``raise`` anywhere in the handler (outside nested scopes): the failure can leave the span that way."""
    return any(isinstance(sub, ast.Raise) for sub in _handler_scope(handler))


def _handler_scope(handler: ast.ExceptHandler) -> list[ast.AST]:
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(handler.body)
    while stack:
        current = stack.pop()
        found.append(current)
        if not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(current))
    return found


def _exit_failure(expr: ast.expr | None) -> bool:
    """``SystemExit(1)`` / ``sys.exit("message")``: a process exit with a failure code (not 0 or None)."""
    if not isinstance(expr, ast.Call) or dotted_name(expr).rpartition(".")[2] not in ("SystemExit", "exit", "_exit"):
        return False
    if not expr.args:
        return False
    code = expr.args[0]
    return not (isinstance(code, ast.Constant) and code.value in (0, None, False))


def _words(name: str) -> set[str]:
    return {w.lower() for part in re.split(r"[._\W]+", name) for w in _WORDS.findall(part)}


def _failure_value(value: ast.expr, function: str, answers: Answers) -> bool:
    """A returned value that reports a failure rather than a fallback (``None``, defaults and empty values are not);
    with ``answers``, what the function returns outside its ``except`` clauses: an exit-code style function (it
    returns 0) fails with any other number, and a ``False`` or negative number it also returns there is an answer."""
    if isinstance(value, ast.Constant):
        v = value.value
        if v is False:  # a predicate's False is an answer, not a failure
            return not _PREDICATE.search(function) and ("bool", False) not in answers
        if type(v) is int:
            return (v < 0 and ("int", v) not in answers) or (("int", 0) in answers and v != 0)
        return False
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) and isinstance(value.operand, ast.Constant):
        operand = value.operand.value
        return type(operand) is int and operand > 0 and ("int", -operand) not in answers
    if isinstance(value, ast.Tuple) and value.elts:
        first = value.elts[0]
        if isinstance(first, ast.Constant) and first.value is False and not _PREDICATE.search(function):
            return True
        return any(_server_error(e) for e in value.elts) or _failure_value(first, function, frozenset())
    if isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                word = key.value.lower()
                if word in ("error", "errors", "failure"):
                    return True
                if word in ("ok", "success", "succeeded") and isinstance(item, ast.Constant) and item.value is False:
                    return True
                if word == "status" and isinstance(item, ast.Constant) and str(item.value).lower() in _FAILURE_WORDS:
                    return True
        return False
    if isinstance(value, ast.Call):
        if _words(dotted_name(value).rpartition(".")[2]) & _FAILURE_WORDS:
            return True
        arguments = [*value.args, *(k.value for k in value.keywords if k.arg in ("status", "status_code", "code"))]
        return any(_server_error(a) for a in arguments)
    if isinstance(value, ast.Name | ast.Attribute):
        return bool(_words(dotted_name(value)) & _FAILURE_WORDS)
    return False


def _server_error(expr: ast.expr) -> bool:
    """An HTTP 5xx status: ``500``, ``HTTPStatus.INTERNAL_SERVER_ERROR``, ``status.HTTP_503_SERVICE_UNAVAILABLE``."""
    if isinstance(expr, ast.Constant):
        return type(expr.value) is int and 500 <= expr.value <= 599
    name = dotted_name(expr).rpartition(".")[2].upper()
    return bool(re.match(r"^(HTTP_)?5\d\d(_|$)", name)) or name in (
        "INTERNAL_SERVER_ERROR",
        "BAD_GATEWAY",
        "SERVICE_UNAVAILABLE",
        "GATEWAY_TIMEOUT",
    )
