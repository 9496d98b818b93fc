"""Which web frameworks' 4xx exceptions can leave a function from the workspace functions it calls, at any depth: a
route whose helper's helper calls ``abort(404)`` answers the client's error too, so its span gets the guard a
function that calls ``abort`` itself gets (edits/web_errors.py), and a 4xx raised below never marks it ERROR."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from trace_advisor.datatypes import CallEdge, SymbolId
from trace_advisor.runtime.errors import CLIENT_ERRORS

FRAMEWORKS = frozenset(framework for entry in CLIENT_ERRORS for framework in entry.frameworks)
# what raises a framework's client error when called: its helpers, and its exception classes (by their own names,
# an ``exceptions`` module, or aiohttp's/Tornado's ``HTTP...`` classes)
_RAISERS = frozenset({"abort", "get_object_or_404", "get_list_or_404"} | {entry.name for entry in CLIENT_ERRORS})
MAX_FUNCTIONS = 2000  # workspace functions walked below one function (a request's call tree is far smaller)


@runtime_checkable
class Graph(Protocol):
    def callees(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...


def raised_framework(edge: CallEdge) -> str | None:
    """The framework whose client error a call into it can raise (``flask:abort``, ``fastapi:HTTPException``,
    ``werkzeug.exceptions:NotFound``, ``django.shortcuts:get_object_or_404``), else None."""
    module, _, name = edge.callee.partition(":")
    framework = module.partition(".")[0]
    if framework not in FRAMEWORKS:
        return None
    last = name.rpartition(".")[2]
    if last in _RAISERS or last.startswith("HTTP") or "exceptions" in module.split("."):
        return framework
    return None


def client_errors_below(graph: Graph, symbol: SymbolId) -> frozenset[str]:
    """The frameworks whose client errors ``symbol`` or a workspace function it calls (not through a hand-off to a
    thread or task, whose exceptions stay there) may raise."""
    found: set[str] = set()
    seen = {symbol}
    queue = deque([symbol])
    while queue and len(seen) <= MAX_FUNCTIONS:
        for edge in graph.callees(queue.popleft()):
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


def client_errors_of(graph: Graph | None, module: str | None) -> Callable[[str], frozenset[str]]:
    """``qualname`` -> :func:`client_errors_below` for a function of ``module`` (nothing without a graph)."""
    if graph is None or module is None:
        return _nothing
    return lambda qualname: client_errors_below(graph, f"{module}:{qualname}")


def _nothing(_: str) -> frozenset[str]:
    return frozenset()
