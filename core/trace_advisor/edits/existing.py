"""What a module already has: spans in a function, an ``opentelemetry.trace`` import, a module tracer, used names."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from trace_advisor.edits.locate import FunctionNode

# calls that create a span; seeing one in a function (or its decorators) means it is already traced
SPAN_STARTERS = frozenset({"start_as_current_span", "start_span", "use_span"})
ABSTRACT = frozenset({"abstractmethod", "abstractproperty", "abstractclassmethod", "abstractstaticmethod"})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def own_scope(node: FunctionNode) -> Iterator[ast.AST]:
    """Nodes of a function's own body, not descending into nested functions, classes or lambdas."""
    stack: list[ast.AST] = list(reversed(node.body))
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, _SCOPES):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(current))))


def dotted_name(expr: ast.expr) -> str:
    """``functools.wraps(f)`` -> ``functools.wraps``; ``app.route("/")`` -> ``app.route``; otherwise ``""``."""
    if isinstance(expr, ast.Call):
        expr = expr.func
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return ""


def _starts_span(expr: ast.AST) -> bool:
    return any(
        isinstance(sub, ast.Call)
        and (
            (isinstance(sub.func, ast.Attribute) and sub.func.attr in SPAN_STARTERS)
            or (isinstance(sub.func, ast.Name) and sub.func.id in SPAN_STARTERS)
        )
        for sub in ast.walk(expr)
    )


def has_span(node: FunctionNode) -> bool:
    """True when a decorator or the function's own body starts a span (any form)."""
    if any(_starts_span(decorator) for decorator in node.decorator_list):
        return True
    return any(isinstance(sub, ast.Call) and _starts_span(sub) for sub in own_scope(node))


def reads_locals(node: FunctionNode) -> bool:
    """The function calls ``locals()`` or ``vars()``: a new local (``span``, ``exc``) would show up in them."""
    return any(
        isinstance(sub, ast.Call)
        and isinstance(sub.func, ast.Name)
        and sub.func.id in ("locals", "vars")
        and not sub.args
        for sub in own_scope(node)
    )


def is_generator(node: FunctionNode) -> bool:
    return any(isinstance(sub, ast.Yield | ast.YieldFrom) for sub in own_scope(node))


# decorators that make a generator a context manager: its ``yield`` runs the caller's ``with`` body, which belongs
# inside the span, and both ends run in the caller's context
CONTEXT_MANAGERS = frozenset({"contextmanager", "asynccontextmanager"})


def yields_to_consumer(node: FunctionNode) -> bool:
    """A generator whose ``yield`` hands control back to the code iterating it: a span made current in it would stay
    current there (the consumer's spans would nest under it, and an async generator closed from another task fails
    to detach it)."""
    return is_generator(node) and not decorator_tails(node) & CONTEXT_MANAGERS


def decorator_tails(node: FunctionNode) -> set[str]:
    """Last component of each decorator's dotted name (``typing.overload`` -> ``overload``)."""
    return {dotted_name(d).rpartition(".")[2] for d in node.decorator_list}


def docstring_count(node: FunctionNode) -> int:
    first = node.body[0]
    is_doc = (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    )
    return 1 if is_doc else 0


def is_stub(node: FunctionNode) -> bool:
    """A body of only a docstring, ``pass`` and ``...``: nothing runs that a span could measure."""
    for stmt in node.body[docstring_count(node) :]:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis:
            continue
        return False
    return True


def _bound(node: ast.AST) -> tuple[str, ...]:
    """Names a node binds (assignment targets, defs, parameters, imports, handlers, globals, match captures)."""
    if isinstance(node, ast.Name):
        return () if isinstance(node.ctx, ast.Load) else (node.id,)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return (node.name,)
    if isinstance(node, ast.arg):
        return (node.arg,)
    if isinstance(node, ast.alias):
        return (node.asname or node.name.partition(".")[0],)
    if isinstance(node, ast.Global | ast.Nonlocal):
        return tuple(node.names)
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
        return (node.name,) if node.name else ()
    if isinstance(node, ast.MatchMapping):
        return (node.rest,) if node.rest else ()
    return ()


def scan_names(tree: ast.AST) -> tuple[Counter[str], set[str]]:
    """One walk: how often each name is bound anywhere in ``tree``, and every identifier bound or read there
    (attribute names excluded)."""
    counts: Counter[str] = Counter()
    mentioned: set[str] = set()
    for node in ast.walk(tree):
        bound = _bound(node)
        if bound:
            counts.update(bound)
            mentioned.update(bound)
        elif isinstance(node, ast.Name):
            mentioned.add(node.id)
    return counts, mentioned


def mentioned_names(tree: ast.AST) -> set[str]:
    return scan_names(tree)[1]


@dataclass(frozen=True, slots=True)
class ModuleBinding:
    name: str  # the name bound at module level
    expression: str  # how code refers to the bound object (``trace``, ``otel_trace``, ``opentelemetry.trace``)
    statement: int  # index into ``module.body``


def trace_imports(module: ast.Module) -> list[ModuleBinding]:
    """Top-level imports that bind ``opentelemetry.trace`` (``from opentelemetry import trace as t``...)."""
    found: list[ModuleBinding] = []
    for index, stmt in enumerate(module.body):
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "opentelemetry" and stmt.level == 0:
            found.extend(
                ModuleBinding(a.asname or a.name, a.asname or a.name, index) for a in stmt.names if a.name == "trace"
            )
        elif isinstance(stmt, ast.Import):
            for a in stmt.names:
                if a.name == "opentelemetry.trace":
                    found.append(
                        ModuleBinding(a.asname, a.asname, index)
                        if a.asname
                        else ModuleBinding("opentelemetry", "opentelemetry.trace", index)
                    )
    return found


def status_imports(module: ast.Module) -> tuple[ModuleBinding, ModuleBinding] | None:
    """Top-level ``from opentelemetry.trace import Status, StatusCode`` (any aliases), if present."""
    status: ModuleBinding | None = None
    code: ModuleBinding | None = None
    for index, stmt in enumerate(module.body):
        if isinstance(stmt, ast.ImportFrom) and stmt.module in ("opentelemetry.trace", "opentelemetry.trace.status"):
            for a in stmt.names:
                bound = a.asname or a.name
                if a.name == "Status":
                    status = ModuleBinding(bound, bound, index)
                elif a.name == "StatusCode":
                    code = ModuleBinding(bound, bound, index)
    return (status, code) if status and code else None


def module_tracers(module: ast.Module) -> list[ModuleBinding]:
    """Top-level names bound to ``<anything>.get_tracer(...)`` or ``get_tracer(...)``, or to a call of the project's
    own helper when the module starts spans on that name (bookwyrm's ``tracer = open_telemetry.tracer()`` and
    ``@tracer.start_as_current_span(...)``): the module's tracer, never a second one beside it."""
    found: list[ModuleBinding] = []
    starts: set[str] | None = None
    for index, stmt in enumerate(module.body):
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        if not isinstance(target, ast.Name) or not isinstance(value, ast.Call):
            continue
        if dotted_name(value).rpartition(".")[2] == "get_tracer":
            found.append(ModuleBinding(target.id, target.id, index))
            continue
        if starts is None:
            starts = _span_starters(module)
        if target.id in starts:
            found.append(ModuleBinding(target.id, target.id, index))
    return found


def _span_starters(module: ast.Module) -> set[str]:
    """The names the module calls ``start_as_current_span``/``start_span`` on (``tracer.start_span(...)``)."""
    return {
        node.func.value.id
        for node in ast.walk(module)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("start_as_current_span", "start_span")
        and isinstance(node.func.value, ast.Name)
    }
