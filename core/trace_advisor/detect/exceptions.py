"""Exception handling that swallows, retries or translates errors, and raises of domain errors."""

from __future__ import annotations

import ast
import builtins

from trace_advisor.client_errors import raised_framework
from trace_advisor.datatypes import CallEdge, Evidence, Range
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.names import expr_text, walk_body

PRIORITY = "exceptions"
_BUILTIN_EXCEPTIONS = frozenset(n for n in dir(builtins) if n.endswith(("Error", "Exception", "Warning")))
_VALIDATION = frozenset(
    {
        "ValueError",
        "TypeError",
        "KeyError",
        "NotImplementedError",
        "AssertionError",
        "AttributeError",
        "IndexError",
        "StopIteration",
        "StopAsyncIteration",
    }
)


def _caught(handler: ast.ExceptHandler) -> str:
    return expr_text(handler.type, 60) if handler.type is not None else "everything"


def _raise_name(node: ast.Raise) -> str | None:
    if node.exc is None:
        return None
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return expr_text(exc, 60)


# Exceptions used for ordinary control flow or input parsing rather than operational failures.
_CONTROL_FLOW = frozenset(
    {
        "InvalidOperation",
        "JSONDecodeError",
        "UnicodeDecodeError",
        "ValidationError",
        "Empty",
        "Full",
        "ImportError",
        "ModuleNotFoundError",
        "GeneratorExit",
        "OverflowError",
        "ZeroDivisionError",
        "LookupError",
        "UnicodeEncodeError",
    }
)


_MISSING_MODULE = frozenset({"ImportError", "ModuleNotFoundError"})
_ATTEMPT_WORDS = ("attempt", "retry", "retries", "tries", "try_", "backoff")


def _attempt_loop(ctx: FunctionContext, handler: ast.ExceptHandler) -> bool:
    """The handler sits in a ``while`` loop or a ``for attempt in ...`` loop: the loop is a retry."""
    for node in ctx.nodes:
        if isinstance(node, ast.While | ast.For | ast.AsyncFor) and any(n is handler for n in ast.walk(node)):
            if isinstance(node, ast.While):
                return True
            target = expr_text(node.target).lower()
            if any(word in target for word in _ATTEMPT_WORDS) or target == "_":
                return True
    return False


def _caught_names(handler: ast.ExceptHandler) -> set[str]:
    """The last names of the classes a handler catches; empty for a bare ``except:``."""
    if handler.type is None:
        return set()
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {expr_text(t).split(".")[-1] for t in types}


def _validation_only(handler: ast.ExceptHandler) -> bool:
    """Handlers of builtin parsing/lookup errors only: input validation, not an operational failure."""
    names = _caught_names(handler)
    return bool(names) and names <= _VALIDATION | _CONTROL_FLOW


_NEVER = ("NoReturn", "Never")


def _always_raises(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Raise | None:
    """The ``raise`` a function ends with when it never returns: annotated ``NoReturn``/``Never``, or a body that
    ends by raising with no ``return`` of its own; None otherwise (also when it returns)."""
    annotated = node.returns is not None and expr_text(node.returns).rpartition(".")[2] in _NEVER
    last = node.body[-1]
    if any(isinstance(n, ast.Return) for n in walk_body(node)):
        return None
    if isinstance(last, ast.Raise):
        return last
    if annotated:
        return next((n for n in reversed(list(ast.walk(last))) if isinstance(n, ast.Raise)), None)
    return None


def _raised_by_helper(ctx: FunctionContext, handler: ast.ExceptHandler) -> tuple[str | None, str] | None:
    """``except E as e: self._handle_request_error(e)`` where the handler ends by calling a function of this module
    that never returns (:func:`_always_raises`): the handler translates, it does not swallow. The exception the
    helper raises (None: it re-raises the one handled) and the helper's name."""
    last = handler.body[-1]
    call = last.value if isinstance(last, ast.Expr) else None
    call = call.value if isinstance(call, ast.Await) else call
    if not isinstance(call, ast.Call):
        return None
    site = ctx.analysed.site_at(ctx.range_of(call))
    if site is None or not site.callees:
        return None
    raised = []
    for callee in site.callees:
        found = ctx.analysed.function(callee)
        raise_node = _always_raises(found.node) if found is not None else None
        if raise_node is None:
            return None
        raised.append(_raise_name(raise_node))  # None: a bare ``raise``, the exception being handled
    return raised[0], expr_text(call.func, 60)


def _falls_back(handler: ast.ExceptHandler) -> bool:
    """A handler that only gives names a literal default (``except Exception: val = "(disabled)"``): the failure of a
    best-effort lookup turned into a value, what the code goes on with; not an operational failure swallowed."""
    return all(
        isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None and _literal(stmt.value)
        for stmt in handler.body
    )


def _literal(value: ast.expr) -> bool:
    if isinstance(value, ast.Constant):
        return True
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        return not value.elts
    return isinstance(value, ast.Dict) and not value.keys


def _handler_signal(ctx: FunctionContext, try_node: ast.Try | ast.TryStar, handler: ast.ExceptHandler) -> Signal:
    caught = _caught(handler)
    raises = [n for n in ast.walk(handler) if isinstance(n, ast.Raise)]
    helper = _raised_by_helper(ctx, handler) if not raises else None
    if helper is not None:  # worded and weighed as the same ``raise`` written in the handler (:func:`_classify`)
        exc, through = helper
        rng = ctx.range_of(handler)
        if exc is None:
            return Signal(
                Evidence(PRIORITY, f"re-raises {caught} (through {through})", rng, caught), 0.2, Finding.RERAISES
            )
        what = f"raises {caught} anew" if exc == caught else f"translates {caught} into {exc}"
        return Signal(Evidence(PRIORITY, f"{what} (through {through})", rng, exc), 0.7, Finding.TRANSLATES)
    loops = ctx.loop_depth(try_node) > 0
    body_text = {type(s).__name__ for s in handler.body}
    sleeps = any(isinstance(n, ast.Call) and expr_text(n.func).endswith("sleep") for n in ast.walk(handler))
    rng = ctx.range_of(handler)
    weak = 0.45 if _validation_only(handler) else 1.0
    signal = _classify(ctx, caught, raises, loops, sleeps, body_text, handler, rng)
    if weak < 1.0:
        reason = signal.evidence.reason + " (input validation)"
        return Signal(Evidence(PRIORITY, reason, rng, signal.evidence.detail), signal.strength * weak, signal.finding)
    return signal


def _classify(
    ctx: FunctionContext,
    caught: str,
    raises: list[ast.Raise],
    loops: bool,
    sleeps: bool,
    body_text: set[str],
    handler: ast.ExceptHandler,
    rng: Range,
) -> Signal:
    if not raises:
        if loops and (sleeps or _attempt_loop(ctx, handler)):
            return Signal(Evidence(PRIORITY, f"retries after {caught}", rng, caught), 0.9, Finding.RETRIES)
        if loops and any(isinstance(n, ast.Continue) for n in ast.walk(handler)):
            return Signal(
                Evidence(PRIORITY, f"skips items failing with {caught} (swallowed)", rng, caught),
                0.8,
                Finding.SKIPS,
            )
        if _falls_back(handler):
            return Signal(
                Evidence(PRIORITY, f"falls back to a default value on {caught}", rng, caught), 0.35, Finding.SWALLOWS
            )
        silent = body_text <= {"Pass", "Continue"}
        how = "silently swallows" if silent else "handles and swallows"
        broad = caught in {"Exception", "BaseException", "everything"}
        return Signal(
            Evidence(PRIORITY, f"{how} {caught}", rng, caught),
            0.85 if broad or silent else 0.75,
            Finding.SWALLOWS,
        )
    bare = [r for r in raises if r.exc is None]
    translated = [name for r in raises if (name := _raise_name(r)) and name not in {handler.name, caught}]
    if translated:
        return Signal(
            Evidence(PRIORITY, f"translates {caught} into {translated[0]}", rng, translated[0]),
            0.7,
            Finding.TRANSLATES,
        )
    if not bare and any(_raise_name(r) == caught for r in raises):
        # a new error of the very class caught (``except E as e: raise E(f"... {x}") from e``): translated all the
        # same (a message of its own, the same class), not "into" itself
        return Signal(Evidence(PRIORITY, f"raises {caught} anew", rng, caught), 0.7, Finding.TRANSLATES)
    if bare and len(handler.body) > 1:
        return Signal(
            Evidence(PRIORITY, f"cleans up or logs, then re-raises {caught}", rng, caught), 0.4, Finding.RERAISES
        )
    return Signal(Evidence(PRIORITY, f"re-raises {caught}", rng, caught), 0.2, Finding.RERAISES)


def _answers_client(node: ast.Raise, constructed: dict[int, tuple[CallEdge, ...]]) -> bool:
    """``raise HTTPException(status_code=404)``, ``raise web.HTTPError(403)``, ``raise NotFound()``: a web
    framework's exception that answers the request with a client error (the server span records the status), not an
    operational failure; one with a literal 5xx status stays one."""
    exc = node.exc
    if not isinstance(exc, ast.Call) or not any(raised_framework(e) for e in constructed.get(id(exc), ())):
        return False
    given = [k.value for k in exc.keywords if k.arg in {"status_code", "code", "status"}] + exc.args[:1]
    status = next((v.value for v in given if isinstance(v, ast.Constant) and isinstance(v.value, int)), None)
    return status is None or status < 500


def detect(ctx: FunctionContext) -> list[Signal]:
    signals: list[Signal] = []
    handled: set[int] = set()
    for node in ctx.nodes:
        if isinstance(node, ast.Try | ast.TryStar):
            imports_only = all(isinstance(stmt, ast.Import | ast.ImportFrom) for stmt in node.body)
            for handler in node.handlers:
                handled.update(id(n) for n in ast.walk(handler))
                if imports_only and (caught := _caught_names(handler)) and caught <= _MISSING_MODULE:
                    continue  # an optional dependency checked where it is needed: no failure of the operation
                signals.append(_handler_signal(ctx, node, handler))
    constructed = {id(c.node): c.site.edges for c in ctx.calls if isinstance(c.node, ast.Call)}
    for node in ctx.nodes:
        if isinstance(node, ast.Raise) and id(node) not in handled:
            name = _raise_name(node)
            short = (name or "").split(".")[-1]
            if name is None or short in _VALIDATION or _answers_client(node, constructed):
                continue
            if any(word in short for word in ("Validation", "Invalid", "BadRequest", "Malformed")):
                continue  # input validation, not an operational outcome
            domain = short not in _BUILTIN_EXCEPTIONS
            strength = 0.45 if domain else 0.2
            what = "domain error" if domain else "error"
            signals.append(
                Signal(
                    Evidence(PRIORITY, f"raises {what} {name}", ctx.range_of(node), name),
                    strength,
                    Finding.RAISES,
                )
            )
    return signals
