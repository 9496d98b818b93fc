"""Which web frameworks' 4xx exceptions can leave a function from the workspace functions it calls, at any depth: a
route whose helper's helper calls ``abort(404)`` answers the client's error too, so its span gets the guard a
function that calls ``abort`` itself gets (edits/web_errors.py), and a 4xx raised below never marks it ERROR."""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from trace_advisor.callgraph import ALL_PACKAGES
from trace_advisor.datatypes import CallEdge, SymbolId
from trace_advisor.runtime.errors import CLIENT_ERRORS, SERVERS, server_module

# what raises a framework's client error when called (or raised, for a class): its helpers, and its exception classes
# (by their own names, an ``exceptions`` module, or aiohttp's/Tornado's ``HTTP...`` classes)
_RAISERS = frozenset({"abort", "get_object_or_404", "get_list_or_404"} | {entry.name for entry in CLIENT_ERRORS})
MAX_FUNCTIONS = 2000  # workspace functions walked below one function (a request's call tree is far smaller)
_FRAMEWORK_PACKAGES = frozenset(server.partition(".")[0] for server in SERVERS)


@runtime_checkable
class Graph(Protocol):
    def callees(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...


@runtime_checkable
class SyntaxGraph(Graph, Protocol):
    """A graph that also gives a workspace function's syntax: its module's tree and its def (the index's)."""

    def function_syntax(self, symbol: SymbolId) -> tuple[ast.Module, ast.AST] | None: ...

    def top_level_imports(self, symbol: SymbolId) -> frozenset[str]: ...


def raised_framework(edge: CallEdge) -> str | None:
    """The framework (its server module, as ``CLIENT_ERRORS`` names it) whose client error a call into it can raise
    (``flask:abort``, ``fastapi:HTTPException``, ``werkzeug.exceptions:NotFound``, ``tornado.web:HTTPError``,
    ``django.shortcuts:get_object_or_404``), else None: a client of the same package (``tornado.httpclient:
    HTTPRequest``, ``aiohttp:ClientResponseError``) raises no server's 4xx."""
    module, _, name = edge.callee.partition(":")
    framework = server_module(module) or server_module(f"{module}.{name}")  # a class: ``...exceptions.BadRequest``
    if framework is None:
        return None
    parts = name.split(".")
    if len(parts) > 1 and parts[-1] == "__init__":
        parts.pop()  # the class constructed (its source read: ``tornado.web:HTTPError.__init__``)
    last = parts[-1]
    if _raiser(module, last):
        return framework
    return None


def client_errors_below(graph: Graph, symbol: SymbolId) -> frozenset[str]:
    """The frameworks whose client errors ``symbol`` or a workspace function it calls (not through a hand-off to a
    thread or task, whose exceptions stay there) may raise."""
    found: set[str] = set()
    seen = {symbol}
    queue = deque([symbol])
    modules: dict[str, bool] = {}  # module -> it imports a web framework (asked once per module of the walk)
    while queue and len(seen) <= MAX_FUNCTIONS:
        node = queue.popleft()
        # ``symbol``'s own code is read by the span engine (edits/web_errors.py); a callee's except clauses name a
        # framework's 4xx only through its module's imports of the framework: other modules are not parsed again
        # (dispatch: a quick fix parsed hundreds of modules below a Slack handler, a minute per request)
        if node != symbol and isinstance(graph, SyntaxGraph) and _imports_a_framework(graph, node, modules):
            syntax = graph.function_syntax(node)
            if syntax is not None:
                found |= reraised_frameworks(*syntax)
        for edge in graph.callees(node):
            if edge.via:
                continue
            if edge.external:
                framework = raised_framework(edge)
                if framework is not None:
                    found.add(framework)
            elif edge.callee not in seen:
                seen.add(edge.callee)
                queue.append(edge.callee)
    return frozenset(found)


def _imports_a_framework(graph: SyntaxGraph, symbol: SymbolId, modules: dict[str, bool]) -> bool:
    module = symbol.partition(":")[0]
    found = modules.get(module)
    if found is None:
        imports = graph.top_level_imports(symbol)
        found = modules[module] = imports is ALL_PACKAGES or not imports.isdisjoint(_FRAMEWORK_PACKAGES)
    return found


def reraised_frameworks(module: ast.Module, function: ast.AST) -> frozenset[str]:
    """The frameworks whose client errors ``function`` re-raises after catching them: an ``except NotFound:`` (or
    ``except (web.HTTPError, ...)``) whose block runs ``raise`` or ``raise <its name>`` — the 4xx came from a call
    the graph cannot tell raises it (werkzeug's ``MapAdapter.match``, Tornado's ``get_argument``) and leaves the
    function all the same. Class names are read through the module's top-level imports."""
    imported = imported_paths(module)
    found: set[str] = set()
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        todo.extend(ast.iter_child_nodes(node))
        if not isinstance(node, ast.ExceptHandler) or node.type is None or not _reraises(node.body, node.name):
            continue
        for caught in node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]:
            head, dot, rest = _dotted(caught).partition(".")
            if head not in imported:
                continue
            module_path, _, name = (imported[head] + dot + rest).rpartition(".")
            framework = server_module(module_path) or server_module(f"{module_path}.{name}")
            if framework is not None and _raiser(module_path, name):
                found.add(framework)
    return frozenset(found)


def _raiser(module: str, name: str) -> bool:
    """A framework name that raises its client error: a helper (``abort``), or an exception class (by its own name,
    an ``exceptions`` module, or aiohttp's/Tornado's ``HTTP...`` classes)."""
    return name in _RAISERS or name.startswith("HTTP") or module.rpartition(".")[2].endswith("exceptions")


def _reraises(body: list[ast.stmt], name: str | None) -> bool:
    """Whether an ``except`` block runs ``raise`` (or ``raise <name>``, the caught exception) in its own code: not in
    a nested def or class, nor in a nested ``try``'s handlers, which re-raise their own exception."""
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Raise) and (
            node.exc is None or (name is not None and isinstance(node.exc, ast.Name) and node.exc.id == name)
        ):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Try | ast.TryStar):
            todo.extend([*node.body, *node.orelse, *node.finalbody])
            continue
        todo.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
    return False


def _dotted(expr: ast.expr) -> str:
    """``web.HTTPError`` -> ``"web.HTTPError"``; anything but a dotted name -> ``""``."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    return ".".join([expr.id, *reversed(parts)]) if isinstance(expr, ast.Name) else ""


def imported_paths(module: ast.Module, *, relative: bool = False) -> dict[str, str]:
    """Names the module's top-level imports bind -> the dotted path they stand for (``import tornado.web`` binds
    ``tornado``; ``from aiohttp import web as w`` binds ``w`` to ``aiohttp.web``); with ``relative``, also the names
    relative imports bind, their path starting with its dots (``from .telemetry import t``: ``.telemetry.t``)."""
    found: dict[str, str] = {}
    for stmt in module.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    found[alias.name.partition(".")[0]] = alias.name.partition(".")[0]
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                found[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
        elif isinstance(stmt, ast.ImportFrom) and relative and stmt.level:
            for alias in stmt.names:
                found[alias.asname or alias.name] = f"{'.' * stmt.level}{stmt.module or ''}.{alias.name}"
    return found


def client_errors_of(graph: Graph | None, module: str | None) -> Callable[[str], frozenset[str]]:
    """``qualname`` -> :func:`client_errors_below` for a function of ``module`` (nothing without a graph)."""
    if graph is None or module is None:
        return _nothing
    return lambda qualname: client_errors_below(graph, f"{module}:{qualname}")


def _nothing(_: str) -> frozenset[str]:
    return frozenset()
