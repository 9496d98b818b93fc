"""Rules about a span's life: ``span-not-ended`` (``start_span`` without ``end()`` on every path),
``exception-not-recorded`` (an ``except`` inside a span that handles the failure without telling the span) and
``span-across-yield`` (a generator's span that is current where it yields, or a decorator's that ends before the
generator runs)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from trace_advisor.datatypes import Position, Range, TextEdit
from trace_advisor.edits.existing import CONTEXT_MANAGERS, decorator_tails, dotted_name, is_generator, mentioned_names
from trace_advisor.edits.handlers import QUIET, caught_names, failure_handler, plain_answers
from trace_advisor.edits.imports import fresh_name
from trace_advisor.edits.layout import Statement
from trace_advisor.lint.findings import Fix, LintContext, LintFinding
from trace_advisor.lint.fixes import handler_edits, try_finally
from trace_advisor.lint.scopes import STARTERS, enclosing_function, functions, own_nodes, span_scopes, starts_span

_RECORDS = frozenset({"record_exception", "set_status", "exception"})  # ``log.exception`` also reports it


def span_not_ended(ctx: LintContext) -> Iterator[LintFinding]:
    """``span = tracer.start_span(...)`` whose ``span.end()`` is missing, or not in a ``finally`` (an exception
    or an early return before it leaves the span open: it is never exported)."""
    for function in functions(ctx):
        nodes = list(own_nodes(function))
        for stmt in nodes:
            if not (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Call)
                and dotted_name(stmt.value).rpartition(".")[2] == "start_span"
            ):
                continue
            name = stmt.targets[0].id
            if _escapes(nodes, name) or _ended_safely(nodes, name):
                continue
            ends = [n for n in nodes if _is_end_call(n, name)]
            block = _block_of(ctx, stmt)
            fix = None
            if block is not None:
                rest = block[block.index(stmt) + 1 :]
                at = next(
                    (i for i, s in enumerate(rest) if isinstance(s, ast.Expr) and _is_end_call(s.value, name)), None
                )
                body = rest if at is None else rest[:at]
                final = _end_statement(ctx, name, body, rest[at] if at is not None else None)
                if body and final and not any(_is_end_call(sub, name) for s in body for sub in ast.walk(s)):
                    edit = try_finally(ctx, body, final)
                    if edit is not None and at is not None:
                        edit = _absorb(ctx, edit, rest[at])
                    if edit is not None:
                        fix = Fix(f"End {name} in a finally block", (edit,))
            if ends:
                message = (
                    f"span {name!r} from start_span() is ended only on the normal path: an exception or early return"
                    f" before {name}.end() leaves it open and it is never exported; end it in a finally block"
                )
            else:
                message = (
                    f"span {name!r} from start_span() is never ended, so it is never exported; call {name}.end() in"
                    " a finally block, or use start_as_current_span() in a with block"
                )
            yield LintFinding("span-not-ended", message, ctx.range_of(stmt), fix)


def _end_statement(ctx: LintContext, name: str, body: list[ast.stmt], end: ast.stmt | None) -> str | None:
    """What the ``finally`` runs: the function's own ``span.end(...)`` as written (``end(end_time=ts)`` keeps its
    time), else ``span.end()``; None when its arguments read a name the moved statements assign (it may be unset
    when an exception leaves them)."""
    if end is None or not isinstance(end, ast.Expr) or not isinstance(end.value, ast.Call):
        return f"{name}.end()"
    call = end.value
    if not call.args and not call.keywords:
        return f"{name}.end()"
    read = {
        n.id for a in [*call.args, *(k.value for k in call.keywords)] for n in ast.walk(a) if isinstance(n, ast.Name)
    }
    bound = {n.id for s in body for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    text = ast.get_source_segment(ctx.source.text, call)
    return None if read & bound or text is None or "\n" in text else text


def _is_end_call(node: ast.AST, name: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "end"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == name
    )


def _escapes(nodes: list[ast.AST], name: str) -> bool:
    """The span leaves the function (returned, stored, passed on): someone else ends it."""
    for node in nodes:
        if isinstance(node, ast.Return | ast.Yield | ast.YieldFrom) and _mentions(node.value, name):
            return True
        if isinstance(node, ast.Assign | ast.AnnAssign) and _mentions(node.value, name):
            return True
        if isinstance(node, ast.Call) and not _is_end_call(node, name):
            if any(_mentions(a, name) for a in [*node.args, *(k.value for k in node.keywords)]):
                tail = dotted_name(node).rpartition(".")[2]
                if tail != "use_span":
                    return True
    return False


def _mentions(expr: ast.AST | None, name: str) -> bool:
    return expr is not None and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(expr))


def _ended_safely(nodes: list[ast.AST], name: str) -> bool:
    """``name.end()`` in a ``finally`` block, or ``with use_span(name, end_on_exit=True)``."""
    for node in nodes:
        if isinstance(node, ast.Try | ast.TryStar) and any(
            _is_end_call(sub, name) for stmt in node.finalbody for sub in ast.walk(stmt)
        ):
            return True
        if isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call):
            call = node.context_expr
            if dotted_name(call).rpartition(".")[2] == "use_span" and any(_mentions(a, name) for a in call.args):
                if any(
                    k.arg == "end_on_exit" and isinstance(k.value, ast.Constant) and k.value.value
                    for k in call.keywords
                ):
                    return True
    return False


def _block_of(ctx: LintContext, stmt: ast.stmt) -> list[ast.stmt] | None:
    parent = ctx.parents.get(id(stmt))
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(s is stmt for s in block):
            return block
    for handler in getattr(parent, "handlers", ()):
        if any(s is stmt for s in handler.body):
            return list(handler.body)
    return None


def _absorb(ctx: LintContext, edit: TextEdit, end_stmt: ast.stmt) -> TextEdit | None:
    """Extend a try/finally edit over the ``span.end()`` statement the ``finally`` now holds (None when something
    other than blank lines sits between them: it would be lost)."""
    last = end_stmt.end_lineno or end_stmt.lineno
    if any(ctx.source.line(n).strip() for n in range(edit.range.end.line + 1, end_stmt.lineno)):
        return None
    if ctx.source.line(end_stmt.lineno).strip().count(";") or last != end_stmt.lineno:
        return None
    return TextEdit(Range(edit.range.start, Position(last, len(ctx.source.line(last)))), edit.new_text)


def exception_not_recorded(ctx: LintContext) -> Iterator[LintFinding]:
    """An ``except`` inside a span that fails the operation (a failure result) or swallows an error without
    recording it: the span looks successful. Control flow, lookup fallbacks and clauses that raise are fine."""
    scopes = list(span_scopes(ctx))
    innermost = {id(n): scope for scope in scopes for n in scope.body()}  # outermost first: inner ones overwrite
    for scope in scopes:
        covered = list(scope.body())
        answers = plain_answers(covered)
        function = scope.node.name if isinstance(scope.node, ast.FunctionDef | ast.AsyncFunctionDef) else ""
        # a clause inside nested spans is the innermost one's: it is the current span there (phoenix's evaluators
        # reported each clause once per enclosing span, and the fix recorded on the outer one)
        for handler in (n for n in covered if isinstance(n, ast.ExceptHandler) and innermost[id(n)] is scope):
            names = caught_names(handler)
            if names and names <= QUIET:
                continue
            inside = [sub for stmt in handler.body for sub in ast.walk(stmt)]
            if any(isinstance(n, ast.Raise) for n in inside) and not failure_handler(handler, function, answers):
                continue
            if any(isinstance(n, ast.Call) and dotted_name(n).rpartition(".")[2] in _RECORDS for n in inside):
                continue
            fails = failure_handler(handler, function, answers)
            if not fails and not ctx.swallowed_events:
                continue
            if _builds_telemetry(ctx, handler):
                continue
            what = "fails the operation" if fails else "handles an exception"
            todo = "record the exception and set the ERROR status" if fails else "record the exception as an event"
            message = f"this except clause {what} inside a span without telling the span: {todo}"
            yield LintFinding(
                "exception-not-recorded", message, ctx.range_of(handler), _record_fix(ctx, scope, handler, fails)
            )


def _record_fix(ctx: LintContext, scope: object, handler: ast.ExceptHandler, fails: bool) -> Fix | None:
    variable = getattr(scope, "variable", None)
    if variable is None:
        return None
    owner = enclosing_function(ctx, handler)
    name = handler.name or fresh_name("exc", mentioned_names(owner) if owner is not None else set())
    statements = [Statement(f"{variable}.record_exception", ("{name}",))]
    if fails:
        status = _status_expression(ctx)
        if status is None:
            return None
        statements.append(Statement(f"{variable}.set_status", (status,)))
    edits = handler_edits(ctx, handler, statements, name)
    title = "Record the exception and set ERROR" if fails else "Record the exception on the span"
    return Fix(title, edits) if edits else None


def _status_expression(ctx: LintContext) -> str | None:
    """How this module can write an ERROR status without new imports: ``trace.Status(trace.StatusCode.ERROR, ...)``
    or ``Status(StatusCode.ERROR, ...)``; None when it imports neither."""
    from trace_advisor.edits.existing import status_imports, trace_imports

    status = status_imports(ctx.module)
    if status is not None:
        return f"{status[0].expression}({status[1].expression}.ERROR, str({{name}}))"
    found = trace_imports(ctx.module)
    if found:
        trace = found[0].expression
        return f"{trace}.Status({trace}.StatusCode.ERROR, str({{name}}))"
    return None


def span_across_yield(ctx: LintContext) -> Iterator[LintFinding]:
    """In a generator (not a ``@contextmanager``): a span made current (``start_as_current_span``/``use_span`` in a
    ``with`` block) around a ``yield`` stays current in the code iterating the generator, so the consumer's spans nest
    under it and an async generator closed from another task fails to detach it; a span decorator ends its span when
    the generator object is created, before any of its code runs. No mechanical fix: the span either moves to the
    caller or becomes a ``start_span`` block that is not current (what ``trace-advisor apply`` writes)."""
    for scope in span_scopes(ctx):
        decorated = scope.node
        if scope.item is None and isinstance(decorated, ast.FunctionDef | ast.AsyncFunctionDef):
            if is_generator(decorated) and not decorator_tails(decorated) & CONTEXT_MANAGERS:
                decorator = next(d for d in decorated.decorator_list if starts_span(d))
                message = (
                    f"the span decorator on generator {decorated.name}() ends its span when the generator is created,"
                    " before any of its code runs; start the span inside it (not current) or in its caller"
                )
                yield LintFinding("span-across-yield", message, ctx.range_of(decorator))
            continue
        if scope.item is None or dotted_name(scope.item.context_expr).rpartition(".")[2] not in (
            "start_as_current_span",
            "use_span",
        ):
            continue
        generator = enclosing_function(ctx, scope.node)
        if generator is None or decorator_tails(generator) & CONTEXT_MANAGERS:
            continue
        if any(isinstance(node, ast.Yield | ast.YieldFrom) for node in scope.body()):
            message = (
                f"this span is current where {generator.name}() yields: it stays current in the code iterating the"
                " generator (its spans nest under it; an async generator closed by another task fails to detach"
                " it); use tracer.start_span(...) as a with block (not current) or start the span in the caller"
            )
            yield LintFinding("span-across-yield", message, ctx.range_of(scope.item.context_expr))


# what a span's own telemetry is written with: its methods and the calls that start one
_SPAN_SINKS = frozenset({"set_attribute", "set_attributes", "add_event", "update_name"}) | STARTERS
_LOGS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "log"})


def _builds_telemetry(ctx: LintContext, handler: ast.ExceptHandler) -> bool:
    """Whether the ``try`` a handler belongs to only builds the span's telemetry: its statements assign or add values
    that end up only in span attributes (``attrs["tools"] = json.dumps(tools)``, ``attrs.update(...)``, then
    ``span.set_attributes(attrs)`` or ``**attrs`` where a span starts), call the span's methods or hand the span to
    a helper (``record_attributes(span, result)``), or log. Its failures are the telemetry code's, not the
    operation's (pipecat's "Error serializing tools for tracing"): recording them on the span would say the
    operation met an error."""
    statement = ctx.parents.get(id(handler))
    function = enclosing_function(ctx, handler)
    if not isinstance(statement, ast.Try) or function is None:
        return False
    nodes = list(own_nodes(function))
    spans = _span_variables(nodes)
    names = _telemetry_names(nodes, spans)
    return all(_feeds_telemetry(s, names, spans) for s in statement.body)


def _span_variables(nodes: list[ast.AST]) -> set[str]:
    """The names a function binds to a span: ``with tracer.start_as_current_span(...) as span``, ``span =
    tracer.start_span(...)``, ``span = trace.get_current_span()``."""
    found: set[str] = set()
    for node in nodes:
        if (
            isinstance(node, ast.withitem)
            and starts_span(node.context_expr)
            and isinstance(node.optional_vars, ast.Name)
        ):
            found.add(node.optional_vars.id)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            called = dotted_name(node.value).rpartition(".")[2]
            if called in STARTERS or called == "get_current_span":
                found.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return found


def _telemetry_names(nodes: list[ast.AST], spans: set[str]) -> set[str]:
    """The names of a function whose values end up only in its spans' telemetry: every read of them (but an ``if``
    test) is in an argument of a span's method, a span start or a helper given a span, or in a value assigned or
    added to another such name (to a fixed point: ``tools_serialized = json.dumps(tools)``, ``attrs["tools"] =
    ...``, ``attrs.update(...)``)."""
    # reads that pass no value on: an ``if tools:`` test, the ``attrs`` of ``attrs["tools"] = ...`` or of
    # ``attrs.update(...)``
    passive = {id(m) for n in nodes if isinstance(n, ast.If | ast.While | ast.IfExp) for m in ast.walk(n.test)}
    passive |= {id(_base(n)) for n in nodes if isinstance(n, ast.Subscript | ast.Attribute) and _stores(n)}
    passive |= {id(_base(added.func)) for n in nodes if (added := _added_to(n)) is not None}

    def reads(expr: ast.AST) -> Iterator[str]:
        yield from (m.id for m in ast.walk(expr) if isinstance(m, ast.Name) and isinstance(m.ctx, ast.Load)
                    and id(m) not in passive)  # fmt: skip

    loads: dict[str, int] = {}
    sinks: dict[str, int] = {}  # reads in a telemetry call's arguments
    feeding: dict[str, list[set[str]]] = {}  # name -> for each read in an assigned value: the names assigned
    for node in nodes:
        for name in reads(node) if isinstance(node, ast.Name) else ():
            loads[name] = loads.get(name, 0) + 1
        if isinstance(node, ast.Call) and _telemetry_call(node, spans):
            for name in (n for arg in _arguments(node) for n in reads(arg)):
                sinks[name] = sinks.get(name, 0) + 1
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            assigned = {b for t in targets for b in _bases(t)}
            for name in reads(node.value):
                feeding.setdefault(name, []).append(assigned)
        elif (added := _added_to(node)) is not None and not _telemetry_call(added, spans):
            into = set(_bases(added.func))
            for name in (n for arg in _arguments(added) for n in reads(arg)):
                feeding.setdefault(name, []).append(into)
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name in (set(sinks) | set(feeding)) - found:
            fed = [u for u in feeding.get(name, ()) if u and u <= found | {name}]  # ``text = text[:1000]`` too
            if sinks.get(name, 0) + len(fed) == loads.get(name, 0) and (name in sinks or any(u & found for u in fed)):
                found.add(name)
                changed = True
    return found


_ADDS = frozenset({"update", "append", "extend", "insert", "setdefault", "add"})


def _added_to(node: ast.AST) -> ast.Call | None:
    """``attrs.update(...)`` as a statement: a call adding to a local collection."""
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return None
    func = node.value.func
    if isinstance(func, ast.Attribute) and func.attr in _ADDS and isinstance(_base(func.value), ast.Name):
        return node.value
    return None


def _feeds_telemetry(statement: ast.stmt, names: set[str], spans: set[str]) -> bool:
    if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return all(b in names for t in targets for b in _bases(t))
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        added = _added_to(statement)
        return (
            _telemetry_call(call, spans)
            or dotted_name(call).rpartition(".")[2] in _LOGS
            or (added is not None and all(b in names for b in _bases(added.func)))
        )
    if isinstance(statement, ast.If | ast.For | ast.AsyncFor | ast.While):
        return all(_feeds_telemetry(s, names, spans) for s in (*statement.body, *statement.orelse))
    if isinstance(statement, ast.Try):
        handlers = [s for h in statement.handlers for s in h.body]
        blocks = (*statement.body, *handlers, *statement.orelse, *statement.finalbody)
        return all(_feeds_telemetry(s, names, spans) for s in blocks)
    return isinstance(statement, ast.Pass | ast.Continue | ast.Break)


def _telemetry_call(call: ast.Call, spans: set[str]) -> bool:
    """A span's method, a span start, or a helper given a span (``record_attributes(span, result)``) or named for
    writing a span's attributes (``add_llm_span_attributes(...)``)."""
    name = dotted_name(call).rpartition(".")[2]
    return (
        name in _SPAN_SINKS
        or ("span" in name.lower() and "attribute" in name.lower())
        or any(isinstance(arg, ast.Name) and arg.id in spans for arg in _arguments(call))
    )


def _stores(target: ast.Subscript | ast.Attribute) -> bool:
    """``attrs["k"] = v``, ``attrs.k = v`` (its ``attrs`` is read, to store into)."""
    return isinstance(target.ctx, ast.Store | ast.Del)


def _base(expr: ast.expr) -> ast.expr:
    """What a chain of subscripts and attributes (or a starred target) starts from: ``attrs`` of ``attrs["k"].v``."""
    while isinstance(expr, ast.Subscript | ast.Attribute | ast.Starred):
        expr = expr.value
    return expr


def _arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(k.value for k in call.keywords)]


def _bases(target: ast.expr) -> list[str]:
    """The local names an assignment target stores into: ``attrs`` for ``attrs["k"]`` and ``attrs.k``."""
    if isinstance(target, ast.Tuple | ast.List):
        return [b for element in target.elts for b in _bases(element)]
    base = _base(target)
    return [base.id] if isinstance(base, ast.Name) else []
