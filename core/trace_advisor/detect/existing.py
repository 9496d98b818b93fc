"""Functions that already create a span, or that the user silenced with ``# trace-advisor: ignore``; and the same
function with its tracing code taken out, so a traced function is scored on its own work."""

from __future__ import annotations

import ast
import copy
import dataclasses
import re
from collections.abc import Mapping

from trace_advisor.analysed import FunctionSyntax
from trace_advisor.datatypes import dotted_name
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.names import walk_body
from trace_advisor.facts import ModuleFacts
from trace_advisor.facts.records import FROM, IMPORT
from trace_advisor.work_units import called_name

_SPAN_CALLS = frozenset({"start_as_current_span", "start_span", "start_active_span", "trace_span", "use_span"})
_SPAN_DECORATORS = frozenset(
    {
        "start_as_current_span",
        "instrument",
        "traced",
        "trace",
        "with_span",
        "observe",
        "tracer_span",
        "span",
        "instrument_method",
    }
)
_OTHER_SPAN_METHODS = frozenset({"trace", "span", "start_transaction", "start_child"})
# words in a span decorator's dotted name that say it belongs to a tracing library: OpenTelemetry's, ddtrace's,
# Sentry's, and the SDKs built on OpenTelemetry (logfire's ``@logfire.instrument``, langfuse's and laminar's
# ``@observe``); a decorator named ``instrument`` or ``observe`` from anywhere else is not taken for a span
_TRACING_WORDS = ("trac", "otel", "opentelemetry", "logfire", "langfuse", "lmnr", "sentry")
_SPAN_NAMES = _SPAN_CALLS | _OTHER_SPAN_METHODS | _SPAN_DECORATORS  # a call's last name, before anything is unparsed
IGNORE_MARK = re.compile(r"#\s*trace-advisor\s*:\s*ignore\b", re.IGNORECASE)


def existing_span(ctx: FunctionContext) -> str | None:
    """Why the function already has a span, or None."""
    for dec in _span_decorators(ctx):
        return f"decorated with {ast.unparse(dec.func if isinstance(dec, ast.Call) else dec)}"
    for call in ctx.calls:
        if _is_span_call(call.text):
            return f"already calls {call.text}"
    if ctx.graph.span_helpers:
        helper = ctx.graph.span_helpers[0].partition(":")[2]
        return f"already starts a span through {helper} (a span helper of the project)"
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class WrittenSpans:
    """The spans a function starts, read from its syntax alone: ``names``, the literal names (span calls in its own
    body, nested scopes excluded, and span decorators called with a name); ``any``, whether it starts one at all
    (names built at run time, or a bare span decorator whose name says it traces)."""

    names: tuple[str, ...]
    any: bool


def written_spans(node: ast.FunctionDef | ast.AsyncFunctionDef) -> WrittenSpans:
    """What :class:`WrittenSpans` says of ``node``: one walk over its body (the traces check asks this of every
    function of the workspace, where running the detectors, whose ``existing_span`` also resolves decorators, would
    cost a whole analysis)."""
    found: list[str] = []
    starts = False
    for call in walk_body(node):  # its decorators too
        if not isinstance(call, ast.Call) or called_name(call.func) not in _SPAN_NAMES:
            continue
        text = ast.unparse(call.func)
        if _is_span_call(text):
            starts = True
        elif not (call in node.decorator_list and text.rpartition(".")[2] in _SPAN_DECORATORS):
            continue
        first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value not in found:
            found.append(first.value)
    for dec in node.decorator_list:
        text = ast.unparse(dec.func if isinstance(dec, ast.Call) else dec)
        if text.rpartition(".")[2] in _SPAN_DECORATORS and any(w in text.lower() for w in ("trac", "otel", "span")):
            starts = True
    return WrittenSpans(tuple(found), starts or bool(found))


@dataclasses.dataclass(frozen=True, slots=True)
class ModuleSpans:
    """What a module's facts say of its spans: its functions (not nested, not lambdas) and those of them that start
    a span in their own body or through a span decorator."""

    functions: int
    traced: frozenset[str]


def spans_in_facts(facts: ModuleFacts) -> ModuleSpans:
    """:class:`ModuleSpans` of a module, from its facts alone (a span call among a function's own call sites, as
    written, or a decorator :func:`written_spans` counts): the project-wide census of the spans a project already
    has costs no parse and no resolution. Spans started through a project's own span helper are not counted, nor
    the tracing helpers themselves (a function named for spans or tracing: ``_create_tool_span``, ``trace_call``)."""
    functions = {
        s.qualname
        for s in facts.scopes
        if s.kind == "function" and "<" not in s.qualname and not _tracing_helper(s.qualname.rpartition(".")[2])
    }
    traced = {call.scope for call in facts.calls if call.scope in functions and _is_span_call(call.text)}
    imported = _imported_from(facts)
    for scope in facts.scopes:
        if scope.qualname in functions and any(_span_decorator_text(d.text, imported) for d in scope.decorators):
            traced.add(scope.qualname)
    return ModuleSpans(len(functions), frozenset(traced))


def _imported_from(facts: ModuleFacts) -> dict[str, str]:
    """The modules the module's top-level imports bind names from (``from langfuse import observe``: observe ->
    langfuse), so a decorator written as a bare name still says which library it is."""
    module = facts.scopes[0] if facts.scopes else None
    found: dict[str, str] = {}
    for name, bindings in module.bindings.items() if module is not None else ():
        for binding in bindings:
            if binding.kind in (IMPORT, FROM) and binding.target:
                found[name] = binding.target
    return found


def _tracing_helper(name: str) -> bool:
    return any(word in name.lower() for word in ("span", "trac"))


def _span_decorator_text(text: str, imported: Mapping[str, str]) -> bool:
    """A decorator, as written, that starts a span (``@tracer.start_as_current_span("x")``, ``@traced``...): what
    :func:`existing_span` counts, read without resolving it beyond the module's imports (``imported``: name ->
    module); a project's ``@with_span()`` helper is not counted."""
    name = text.partition("(")[0].strip()
    last = name.rpartition(".")[2]
    head = name.partition(".")[0]
    return last in _SPAN_DECORATORS and (
        last == "start_as_current_span" or _tracing(name) or _tracing(imported.get(head, ""))
    )


def _tracing(name: str) -> bool:
    """A dotted name holding a word of a tracing library (:data:`_TRACING_WORDS`)."""
    lowered = name.lower()
    return any(word in lowered for word in _TRACING_WORDS)


def _span_decorators(ctx: FunctionContext) -> list[ast.expr]:
    found: list[ast.expr] = []
    for dec in ctx.node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""
        resolved = " ".join(dotted_name(callee) for callee in ctx.decorator_callees(dec))
        if name in _SPAN_DECORATORS and (
            name == "start_as_current_span" or _tracing(resolved) or "tracer" in ast.unparse(target)
        ):
            found.append(dec)
    return found


def _is_span_call(text: str) -> bool:
    """A call (as written) that creates a span."""
    receiver, _, method = text.rpartition(".")
    if method in _SPAN_CALLS:
        return True
    # ddtrace ``tracer.trace(...)``, logfire ``logfire.span(...)``, sentry ``sentry_sdk.start_transaction(...)``
    return method in _OTHER_SPAN_METHODS and any(
        word in receiver.lower() for word in ("trac", "logfire", "sentry", "span")
    )


def without_span(ctx: FunctionContext) -> FunctionSyntax:
    """The function as it was before its span was added: span decorators dropped, ``with <span>:`` blocks replaced
    by their bodies, and statements that only feed the span (``span.set_attribute(...)`` and the ``if x is not
    None:`` around it, ``record_exception``, ``set_status``, ``span = tracer.start_span(...)``, ``span.end()``)
    removed. Line numbers of what remains are unchanged, so evidence still points at the real code."""
    node = copy.deepcopy(ctx.node)
    spans = {id(dec) for dec in _span_decorators(ctx)}
    node.decorator_list = [
        new for old, new in zip(ctx.node.decorator_list, node.decorator_list, strict=True) if id(old) not in spans
    ]
    _Unspan().strip(node)
    return dataclasses.replace(ctx.function, node=node)


class _Unspan:
    """Removes tracing statements from a copied function body (not descending into nested scopes)."""

    def __init__(self) -> None:
        self.span_names: set[str] = set()

    def strip(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        node.body = self._body(node.body) or [_pass(node)]

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in body:
            out.extend(self._stmt(stmt))
        return out

    def _stmt(self, stmt: ast.stmt) -> list[ast.stmt]:
        if isinstance(stmt, ast.With | ast.AsyncWith):
            kept = [item for item in stmt.items if not self._span_item(item)]
            body = self._body(stmt.body)
            if len(kept) == len(stmt.items):
                stmt.body = body or [_pass(stmt)]
                return [stmt]
            if not kept:
                return body
            stmt.items, stmt.body = kept, body or [_pass(stmt)]
            return [stmt]
        if self._feeds_span(stmt):
            return []
        if isinstance(stmt, ast.If) and not stmt.orelse and all(self._feeds_span(s) for s in stmt.body):
            return []  # ``if note is not None: span.set_attribute(...)``
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return [stmt]
        for field in ("body", "orelse", "finalbody"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block:
                setattr(stmt, field, self._body(block) or ([] if field != "body" else [_pass(stmt)]))
        if isinstance(stmt, ast.Try | ast.TryStar):
            for handler in stmt.handlers:
                handler.body = self._body(handler.body) or [_pass(handler)]
            if not stmt.handlers and not stmt.finalbody:
                return stmt.body  # only ``finally: span.end()`` was there
        if isinstance(stmt, ast.Match):
            for case in stmt.cases:
                case.body = self._body(case.body) or [_pass(stmt)]
        return [stmt]

    def _span_item(self, item: ast.withitem) -> bool:
        expr = item.context_expr
        if isinstance(expr, ast.Call) and _is_span_call(ast.unparse(expr.func)):
            if isinstance(item.optional_vars, ast.Name):
                self.span_names.add(item.optional_vars.id)
            return True
        return False

    def _feeds_span(self, stmt: ast.stmt) -> bool:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            text = ast.unparse(stmt.value.func)
            if _is_span_call(text) or text.endswith("get_current_span"):
                self.span_names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
                return True
        if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
            return False
        func = stmt.value.func
        return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in self.span_names


def ignored(ctx: FunctionContext) -> bool:
    """``# trace-advisor: ignore`` on the ``def`` line (or on a decorator line of it) silences the function."""
    first = min([ctx.node.lineno, *(d.lineno for d in ctx.node.decorator_list)])
    lines = ctx.lines
    return any(IGNORE_MARK.search(lines[i - 1]) for i in range(first, ctx.node.lineno + 1) if 0 < i <= len(lines))


def _pass(where: ast.stmt | ast.excepthandler) -> ast.Pass:
    """A ``pass`` standing for a block that held only tracing code, placed where the block's statement is."""
    return ast.Pass(
        lineno=where.lineno, col_offset=where.col_offset, end_lineno=where.lineno, end_col_offset=where.col_offset
    )
