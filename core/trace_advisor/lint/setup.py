"""Rules about how spans are set up: ``tracer-per-call`` (``get_tracer`` inside a function) and
``context-not-propagated`` (work handed to a thread or executor inside a span without the span's context)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from trace_advisor.client_errors import imported_paths
from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.existing import dotted_name, scan_names
from trace_advisor.edits.imports import plan_module
from trace_advisor.lint.findings import Fix, LintContext, LintFinding
from trace_advisor.lint.fixes import add_import
from trace_advisor.lint.scopes import functions, own_nodes, span_scopes

_CACHES = frozenset({"cache", "lru_cache", "cached_property", "cached"})
_EXECUTOR_HINTS = ("executor", "pool")
_COPIES = ("copy_context", "wrap", "attach", "contextvars")  # already hands the context over


def tracer_per_call(ctx: LintContext) -> Iterator[LintFinding]:
    """``get_tracer()`` inside a function: a lookup on every call where one module-level tracer would do (OTel's
    guidance: get a tracer once per module). Lazy initialisation into a global, cached helpers, the project's own
    tracer getter (a function whose name says so) and a ``get_tracer`` that is not OpenTelemetry's are fine."""
    for function in functions(ctx):
        if {dotted_name(d).rpartition(".")[2] for d in function.decorator_list} & _CACHES:
            continue
        if "tracer" in function.name.lower():
            continue  # the project's tracer getter itself (mcp-agent's ``get_tracer(context)``): what it is for
        declared = {n for node in own_nodes(function) if isinstance(node, ast.Global) for n in node.names}
        for node in own_nodes(function):
            if not isinstance(node, ast.Call) or dotted_name(node).rpartition(".")[2] != "get_tracer":
                continue
            if _projects_own(ctx, node):
                continue
            parent = ctx.parents.get(id(node))
            while isinstance(parent, ast.IfExp | ast.BoolOp):  # ``self._tracer = get_tracer(...) if on else None``
                parent = ctx.parents.get(id(parent))
            if isinstance(parent, ast.Assign) and any(
                isinstance(t, ast.Attribute) or (isinstance(t, ast.Name) and t.id in declared) for t in parent.targets
            ):
                continue  # stored once for later calls
            message = (
                f"get_tracer() runs on every call of {function.name}(); create the tracer once at module level"
                " (tracer = trace.get_tracer(__name__)) and use it here"
            )
            fix = _module_tracer_fix(ctx, node, function)
            yield LintFinding("tracer-per-call", message, ctx.range_of(node), fix)


def _projects_own(ctx: LintContext, call: ast.Call) -> bool:
    """A ``get_tracer`` that is the project's, not OpenTelemetry's: defined in the module, or imported (itself or the
    module it is an attribute of) from outside ``opentelemetry`` (strands' ``get_tracer()`` returns one cached
    instance of its own ``Tracer`` class: calling it per call costs nothing)."""
    root = call.func
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    imported = imported_paths(ctx.module, relative=True).get(root.id)
    if imported is not None:
        return not (imported == "opentelemetry" or imported.startswith("opentelemetry."))
    return isinstance(call.func, ast.Name) and any(
        isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == root.id for stmt in ctx.module.body
    )


def _module_tracer_fix(
    ctx: LintContext, call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> Fix | None:
    """Use the module's tracer (adding ``tracer = trace.get_tracer(__name__)`` when it has none): only for a tracer
    named ``__name__``, so the instrumentation scope stays the same."""
    if (
        len(call.args) != 1
        or not (isinstance(call.args[0], ast.Name) and call.args[0].id == "__name__")
        or call.keywords
    ):
        return None
    counts, mentioned = scan_names(ctx.module)
    setup = plan_module(
        ctx.module, ctx.source, counts, mentioned, len(ctx.module.body), need_status=False, style=ctx.style
    )
    if setup.tracer_statement is not None:
        stmt = ctx.module.body[setup.tracer_statement]
        value = getattr(stmt, "value", None)
        if not (isinstance(value, ast.Call) and value.args and dotted_name(value.args[0]) == "__name__"):
            return None
    if setup.tracer in scan_names(function)[0]:
        return None  # the function binds that name itself: it would read its own local
    edits = (*setup.edits, TextEdit(ctx.range_of(call), setup.tracer))
    if any(e.range.start.line > call.lineno for e in setup.edits):
        return None
    return Fix(f"Use the module tracer {setup.tracer!r}", edits)


def context_not_propagated(ctx: LintContext) -> Iterator[LintFinding]:
    """Inside a span, work handed to a thread (``Thread(target=...)``) or an executor (``submit``, ``map``,
    ``run_in_executor``) runs without the span's context: spans it creates start a new, disconnected trace.
    (``asyncio`` tasks and ``asyncio.to_thread`` copy the context themselves.)"""
    reported: set[int] = set()
    for scope in span_scopes(ctx):
        for node in scope.body():
            if not isinstance(node, ast.Call) or id(node) in reported:
                continue
            handed = _handed_off(node)
            if handed is None:
                continue
            reported.add(id(node))
            what, callable_arg = handed
            if callable_arg is not None and any(h in ast.unparse(callable_arg) for h in _COPIES):
                continue
            message = (
                f"{what} inside a span without its context: spans created there are not children of this one; pass"
                " the context along (contextvars.copy_context().run, or opentelemetry-instrumentation-threading)"
            )
            yield LintFinding("context-not-propagated", message, ctx.range_of(node), _copy_context_fix(ctx, node))


def _handed_off(call: ast.Call) -> tuple[str, ast.expr | None] | None:
    """(what, the callable handed over) for thread and executor hand-offs."""
    name = dotted_name(call)
    tail = name.rpartition(".")[2]
    if tail == "Thread":
        target = next((k.value for k in call.keywords if k.arg == "target"), None)
        return ("a thread", target) if target is not None else None
    if not isinstance(call.func, ast.Attribute):
        return None
    receiver = dotted_name(call.func.value).lower()
    if tail in ("submit", "map") and any(h in receiver for h in _EXECUTOR_HINTS) and call.args:
        return "work submitted to an executor", call.args[0]
    if tail == "run_in_executor" and len(call.args) >= 2:
        return "work run in an executor", call.args[1]
    return None


def _copy_context_fix(ctx: LintContext, call: ast.Call) -> Fix | None:
    """``submit(fn, a)`` -> ``submit(contextvars.copy_context().run, fn, a)`` (``run_in_executor`` likewise), adding
    ``import contextvars`` in the standard-library section."""
    tail = dotted_name(call).rpartition(".")[2]
    if tail not in ("submit", "run_in_executor") or any(isinstance(a, ast.Starred) for a in call.args[:2]):
        return None
    handed = call.args[0] if tail == "submit" else call.args[1]
    start = ctx.range_of(handed).start
    insert = TextEdit(Range(start, start), "contextvars.copy_context().run, ")
    names = {n.id for n in ast.walk(ctx.module) if isinstance(n, ast.Name)}
    imported = any(
        isinstance(s, ast.Import) and any(a.name == "contextvars" and a.asname is None for a in s.names)
        for s in ctx.module.body
    )
    if imported:
        return Fix("Run it in a copy of the current context", (insert,))
    if "contextvars" in names:
        return None  # the name means something else here
    edit = add_import(ctx, "contextvars", "import contextvars")
    if edit is None or edit.range.start >= Position(call.lineno, 0):
        return None
    return Fix("Run it in a copy of the current context", (edit, insert))
