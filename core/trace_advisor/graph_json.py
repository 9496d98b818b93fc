"""The call graph as JSON values: every function's calls (``trace-advisor calls --format json``), PyCG's format, call
trees, and one function's incoming or outgoing edges (the agent server's ``callers``/``callees``)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from trace_advisor.callgraph import CallGraph
from trace_advisor.datatypes import CallEdge, CallTreeNode, Definition, SymbolId
from trace_advisor.json_text import Entries, Rendered, quote, strings
from trace_advisor.record.observed import ObservedGraph, merged_callees


class Definitions(Protocol):
    def definition(self, symbol: SymbolId) -> Definition | None: ...


def functions_json(
    graph: CallGraph,
    index: Definitions,
    symbols: Sequence[SymbolId],
    observed: ObservedGraph | None = None,
    *,
    lazy: bool = False,
) -> dict[str, object]:
    """``{"functions": {symbol: {"file", "line", "end_line", "calls", "unresolved"}}}``: where each function (a
    lambda: from its keyword) starts and ends, its distinct callees in source order and the calls that could not be
    followed (as written, with their line and why). With a recording
    (``observed``), each function also gets ``edges`` (static, observed or both, with observed counts and seconds)
    and ``observed`` (calls into it and cumulative seconds), and the data gets ``recording`` (what was run).
    ``lazy``: ``functions`` is :class:`~trace_advisor.json_text.Entries`, each function's entry made (and its module
    resolved) as ``json_text.dump_indented`` writes it, and dropped once written (with its module's views, once past
    its module: ``CallGraph.module_by_module``)."""
    if lazy and observed is None:  # each entry's text made at once (the standard library's: 62,000 of them)
        data: dict[str, object] = {"functions": Entries(_rendered_entries(graph, index, symbols))}
        return data
    entries = _function_entries(graph, index, graph.module_by_module(symbols) if lazy else symbols, observed)
    data = {"functions": Entries(entries) if lazy else dict(entries)}
    if observed is not None:
        found = observed.recording
        data["recording"] = {"command": list(found.command), "seconds": found.seconds, "exit_code": found.exit_code}
    return data


def _function_entries(
    graph: CallGraph, index: Definitions, symbols: Iterable[SymbolId], observed: ObservedGraph | None
) -> Iterator[tuple[SymbolId, dict[str, object]]]:
    """Each function's entry of :func:`functions_json`, in the order of ``symbols`` (once each)."""
    classes = _Classes(index)
    seen: set[SymbolId] = set()
    for symbol in symbols:
        if symbol in seen:
            continue
        seen.add(symbol)
        definition = index.definition(symbol)
        static = graph.callees(symbol)
        calls, subclass_calls, queued_calls, via = _callees(static)
        entry: dict[str, object] = {
            "file": definition.file if definition else None,
            "line": definition.name_range.start.line if definition else None,
            "end_line": definition.range.end.line if definition else None,
            "calls": calls,
            "subclass_calls": subclass_calls,
            "queued_calls": queued_calls,
            "via": via,
            # classes constructed without an ``__init__`` with source: no function of the class runs (edges of
            # ``"kind": "construct"``; PyCG's format has none)
            "constructs": classes.constructs(calls),
            "unresolved": [
                {"text": call.text, "line": call.range.parts()[0], "reason": call.reason, "detail": call.detail}
                for call in graph.unresolved(symbol)
            ],
        }
        if observed is not None:
            entry["edges"] = [edge.to_json() for edge in merged_callees(symbol, static, observed)]
            totals = observed.totals(symbol)
            entry["observed"] = {"calls": totals.calls, "seconds": round(totals.seconds, 6)}
        yield symbol, entry


# where :func:`functions_json`'s entries are written: ``{"functions": {symbol: entry}}`` (two levels deep)
_ENTRY_NEWLINE = "\n    "


def _rendered_entries(
    graph: CallGraph, index: Definitions, symbols: Sequence[SymbolId]
) -> Iterator[tuple[SymbolId, Rendered]]:
    """:func:`_function_entries` without a recording, module by module, each entry's JSON text made in one piece
    (the text ``json_text`` writes for the entry's dict, which is not made)."""
    classes = _Classes(index)
    seen: set[SymbolId] = set()
    inner = _ENTRY_NEWLINE + "  "
    item = inner + "  "
    field = item + "  "
    for symbol in graph.module_by_module(symbols):
        if symbol in seen:
            continue
        seen.add(symbol)
        definition = index.definition(symbol)
        calls, subclass_calls, queued_calls, via = _callees(graph.callees(symbol))
        unresolved = graph.unresolved(symbol)
        if definition is not None:  # (the lines from the ranges' numbers: no Position made)
            line, end_line = definition.name_range.parts()[0], definition.range.parts()[2]
            where = f'{quote(definition.file)},{inner}"line": {line},{inner}"end_line": {end_line}'
        else:
            where = f'null,{inner}"line": null,{inner}"end_line": null'
        parts = [
            f'{{{inner}"file": {where},{inner}"calls": {strings(calls, inner)},',
            f'{inner}"subclass_calls": {strings(subclass_calls, inner)},',
            f'{inner}"queued_calls": {strings(queued_calls, inner)},',
            f'{inner}"via": ',
            "{" + item + ("," + item).join([f"{quote(k)}: {quote(v)}" for k, v in via.items()]) + inner + "}"
            if via
            else "{}",
            f',{inner}"constructs": {strings(classes.constructs(calls), inner)},{inner}"unresolved": ',
        ]
        if unresolved:
            parts.append(
                "["
                + item
                + ("," + item).join(
                    [
                        f'{{{field}"text": {quote(call.text)},{field}"line": {call.range.parts()[0]},'
                        f'{field}"reason": {quote(call.reason)},{field}"detail": {quote(call.detail)}{item}}}'
                        for call in unresolved
                    ]
                )
                + inner
                + "]"
            )
        else:
            parts.append("[]")
        parts.append(_ENTRY_NEWLINE + "}")
        yield symbol, Rendered("".join(parts), _ENTRY_NEWLINE)


def _callees(
    edges: Sequence[CallEdge],
) -> tuple[list[SymbolId], list[SymbolId], list[SymbolId], dict[SymbolId, SymbolId]]:
    """``calls``, ``subclass_calls``, ``queued_calls`` and ``via`` of one function, in one pass over its edges: its
    distinct callees in source order; those reached only through class-hierarchy edges (a subclass's override that
    runs when the receiver of ``self.m()`` is an instance of that subclass); those reached only through calls that
    queue a command for a later call to send (``pipe.set(k, v)`` on a redis pipeline: ``pipe.execute()`` is the round
    trip); those reached only through a library function that calls them (``sorted(key=f)``, ``Thread(target=f)``),
    each with that function. Each in the order of ``calls``."""
    if not edges:
        return [], [], [], {}
    calls: dict[SymbolId, None] = {}
    direct: set[SymbolId] = set()  # reached through an edge that is not a class-hierarchy edge
    sent: set[SymbolId] = set()  # ... that is not a queued command
    named: set[SymbolId] = set()  # ... that no library function makes
    vias: dict[SymbolId, SymbolId] = {}
    for edge in edges:
        callee = edge.callee
        calls[callee] = None
        _, dispatch, via = edge.kind
        if dispatch != "subclass":
            direct.add(callee)
        if dispatch != "queued":
            sent.add(callee)
        if via:
            vias.setdefault(callee, via)
        else:
            named.add(callee)
    return (
        list(calls),
        [callee for callee in calls if callee not in direct] if len(direct) < len(calls) else [],
        [callee for callee in calls if callee not in sent] if len(sent) < len(calls) else [],
        {callee: via for callee, via in vias.items() if callee not in named} if vias else {},
    )


def distinct(symbols: Iterable[SymbolId]) -> list[SymbolId]:
    """The symbols in first-seen order, each once."""
    return list(dict.fromkeys(symbols))


def is_class(index: Definitions, symbol: SymbolId) -> bool:
    definition = index.definition(symbol)
    return definition is not None and definition.kind == "class"


class _Classes:
    """Which symbols are classes, each looked up in the index once: a whole workspace's graph asks for every callee
    (the standard library's: 400,000 edges to a tenth as many callees)."""

    def __init__(self, index: Definitions) -> None:
        self._index = index
        self._known: dict[SymbolId, bool] = {}

    def is_class(self, symbol: SymbolId) -> bool:
        found = self._known.get(symbol)
        if found is None:
            found = self._known[symbol] = is_class(self._index, symbol)
        return found

    def constructs(self, calls: list[SymbolId]) -> list[SymbolId]:
        """The classes among ``calls``, in their order."""
        known = self._known  # (most callees are known by now: no method call for them)
        return [callee for callee in calls if (known[callee] if callee in known else self.is_class(callee))]


def pycg_name(symbol: SymbolId) -> str:
    """PyCG's naming: dotted, module bodies are the module, builtins are ``<builtin>.name``."""
    module, _, qualname = symbol.partition(":")
    if module == "builtins":
        return f"<builtin>.{qualname}"
    if qualname == "<module>":
        return module
    return ".".join([module, *(part for part in qualname.split(".") if part != "<locals>")])


def pycg_json(graph: CallGraph, index: Definitions, symbols: Sequence[SymbolId]) -> dict[str, list[str]]:
    """PyCG's format: each function's callees, by PyCG's names; constructing a class without an ``__init__`` with
    source is no call (its external base's ``__init__``, when it has one, is)."""
    classes = _Classes(index)
    # one name per function, however many call it: the standard library's graph has 430,000 edges to a tenth as
    # many callees, and the whole answer is held until it is written
    name = functools.cache(pycg_name)
    return {
        name(symbol): distinct(name(edge.callee) for edge in graph.callees(symbol) if not classes.is_class(edge.callee))
        for symbol in graph.module_by_module(symbols)
    }


def tree_json(node: CallTreeNode) -> dict[str, object]:
    return {
        "id": node.id,
        "symbol": node.symbol,
        "file": node.file,
        "line": node.line,
        "cycle": node.cycle,
        "truncated": node.truncated,
        "external": node.external,
        "static": node.static,
        "observed": node.observed,
        **({"runs": list(node.runs)} if node.runs else {}),
        "children": [tree_json(child) for child in node.children],
    }


def edge_json(edge: CallEdge, other: SymbolId, index: Definitions) -> dict[str, object]:
    """One call seen from one end: ``other`` is the function at the far end (callee or caller); ``file``/``line``
    say where that function is defined (None without source), ``call_line``/``call_column`` where the call is."""
    definition = index.definition(other)
    return {
        "symbol": other,
        "file": definition.file if definition else None,
        "line": definition.name_range.start.line if definition else None,
        "call_line": edge.range.start.line,
        "call_column": edge.range.start.column,
        "external": edge.external,
        "dispatch": edge.dispatch,
        "via": edge.via or None,
        "kind": "construct" if is_class(index, edge.callee) else "call",
    }


def callees_json(graph: CallGraph, index: Definitions, symbol: SymbolId) -> dict[str, object]:
    """What ``symbol`` calls: ``calls`` equals its ``calls`` in :func:`functions_json`; ``edges`` has every call
    site in source order; ``unresolved`` the calls that could not be followed, with their lines."""
    edges = graph.callees(symbol)
    return {
        **_function(index, symbol),
        "calls": distinct(edge.callee for edge in edges),
        "edges": [edge_json(edge, edge.callee, index) for edge in edges],
        "unresolved": [
            {
                "text": call.text,
                "line": call.range.start.line,
                "column": call.range.start.column,
                "reason": call.reason,
                "detail": call.detail,
            }
            for call in graph.unresolved(symbol)
        ],
    }


def callers_json(graph: CallGraph, index: Definitions, symbol: SymbolId) -> dict[str, object]:
    """Who calls ``symbol`` in the workspace: ``callers`` is every function whose ``calls`` include it; ``edges``
    has every call site (the caller's definition and the line of the call)."""
    edges = sorted(graph.callers(symbol), key=lambda e: (e.caller, e.range.start.line, e.range.start.column))
    return {
        **_function(index, symbol),
        "callers": distinct(edge.caller for edge in edges),
        "edges": [edge_json(edge, edge.caller, index) for edge in edges],
    }


def _function(index: Definitions, symbol: SymbolId) -> dict[str, object]:
    definition = index.definition(symbol)
    return {
        "symbol": symbol,
        "file": definition.file if definition else None,
        "line": definition.name_range.start.line if definition else None,
    }
