"""What a built index's call graph says, as plain data the graph tests compare."""

from __future__ import annotations

from trace_advisor.index import Index


def graph_of(index: Index) -> dict[str, list[tuple[str, str]]]:
    """Per symbol: its edges (callee, what it came through) then its unresolved calls (text, reason), sorted."""
    graph = index.graph()
    return {
        symbol: sorted({(e.callee, e.via or "") for e in graph.callees(symbol)})
        + sorted({(u.text, u.reason) for u in graph.unresolved(symbol)})
        for symbol in graph.symbols()
    }


def callees(index: Index, symbol: str) -> set[str]:
    return {edge.callee for edge in index.graph().callees(symbol)}
