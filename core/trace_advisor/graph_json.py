"""The call graph as JSON values: every function's calls (``trace-advisor calls --format json``), PyCG's format, call
trees, and one function's incoming or outgoing edges (the agent server's ``callers``/``callees``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from json.encoder import encode_basestring_ascii
from typing import Protocol

from trace_advisor.callgraph import CallGraph
from trace_advisor.datatypes import CallEdge, CallTreeNode, Definition, SymbolId
from trace_advisor.record.observed import ObservedGraph, merged_callees


class Definitions(Protocol):
    def definition(self, symbol: SymbolId) -> Definition | None: ...


def functions_json(
    graph: CallGraph, index: Definitions, symbols: Sequence[SymbolId], observed: ObservedGraph | None = None
) -> dict[str, object]:
    """``{"functions": {symbol: {"file", "line", "end_line", "calls", "unresolved"}}}``: where each function (a
    lambda: from its keyword) starts and ends, its distinct callees in source order and the calls that could not be
    followed (as written, with their line and why). With a recording
    (``observed``), each function also gets ``edges`` (static, observed or both, with observed counts and seconds)
    and ``observed`` (calls into it and cumulative seconds), and the data gets ``recording`` (what was run)."""
    functions: dict[str, object] = {}
    known = _Known(index)  # each callee's definition looked up once (a graph has ~8 edges per distinct callee)
    for symbol in symbols:
        definition = index.definition(symbol)
        static = graph.callees(symbol)
        callees = distinct(edge.callee for edge in static)
        plain = all(edge.kind[1] == "direct" and not edge.kind[2] for edge in static)  # most functions' calls
        entry: dict[str, object] = {
            "file": definition.file if definition else None,
            "line": definition.name_range.parts()[0] if definition else None,
            "end_line": definition.range.parts()[2] if definition else None,
            "calls": callees,
            "subclass_calls": [] if plain else subclass_only(static),
            "queued_calls": [] if plain else queued_only(static),
            "via": {} if plain else called_through(static),
            "constructs": [callee for callee in callees if is_class(known, callee)],
            "unresolved": [
                {"text": call.text, "line": call.range.parts()[0], "reason": call.reason, "detail": call.detail}
                for call in graph.unresolved(symbol)
            ],
        }
        if observed is not None:
            entry["edges"] = [edge.to_json() for edge in merged_callees(symbol, static, observed)]
            totals = observed.totals(symbol)
            entry["observed"] = {"calls": totals.calls, "seconds": round(totals.seconds, 6)}
        functions[symbol] = entry
    data: dict[str, object] = {"functions": functions}
    if observed is not None:
        found = observed.recording
        data["recording"] = {"command": list(found.command), "seconds": found.seconds, "exit_code": found.exit_code}
    return data


class _Known:
    """The definitions of an index, each looked up once."""

    def __init__(self, index: Definitions) -> None:
        self._index = index
        self._found: dict[SymbolId, Definition | None] = {}

    def definition(self, symbol: SymbolId) -> Definition | None:
        found = self._found
        if symbol in found:
            return found[symbol]
        definition = found[symbol] = self._index.definition(symbol)
        return definition


def indented_json(value: object) -> str:
    """``json.dumps(value, indent=2)``, character for character, several times faster: with an indent the standard
    library encodes in Python through nested generators; this appends to one list and encodes every string with the C
    escaper (a list of strings in one join). Values other than dicts with string keys, lists, tuples, strings, ints,
    bools, None and finite floats are left to ``json``."""
    parts: list[str] = []
    try:
        _indented(value, "\n", parts.append)
    except _UnusualValueError:
        return json.dumps(value, indent=2)
    return "".join(parts)


class _UnusualValueError(Exception):
    """A value :func:`indented_json` leaves to ``json`` (whose encoding, or error, it then is)."""


def _indented(value: object, newline: str, append: Callable[[str], None]) -> None:
    kind = type(value)
    if kind is str:
        append(encode_basestring_ascii(value))  # type: ignore[arg-type]
    elif kind is dict:
        if not value:
            append("{}")
            return
        inner = newline + "  "
        first = True
        for key, item in value.items():  # type: ignore[attr-defined]
            if not isinstance(key, str):
                raise _UnusualValueError
            append(("{" if first else ",") + inner + encode_basestring_ascii(key) + ": ")
            first = False
            _indented(item, inner, append)
        append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            append("[]")
            return
        inner = newline + "  "
        if all(type(item) is str for item in value):  # type: ignore[attr-defined]
            append("[" + inner + ("," + inner).join(map(encode_basestring_ascii, value)) + newline + "]")  # type: ignore[call-overload]
            return
        first = True
        for item in value:  # type: ignore[attr-defined]
            append(("[" if first else ",") + inner)
            first = False
            _indented(item, inner, append)
        append(newline + "]")
    elif value is None:
        append("null")
    elif value is True:
        append("true")
    elif value is False:
        append("false")
    elif kind is int:
        append(int.__repr__(value))
    elif isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        append(float.__repr__(value))
    elif isinstance(value, str):  # an enum's value: as json writes it
        append(encode_basestring_ascii(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        append(int.__repr__(value))
    else:
        raise _UnusualValueError


def distinct(symbols: Iterable[SymbolId]) -> list[SymbolId]:
    """The symbols in first-seen order, each once."""
    return list(dict.fromkeys(symbols))


def called_through(edges: Sequence[CallEdge]) -> dict[SymbolId, SymbolId]:
    """The callees (of ``calls``) reached only through a library function that calls them (``sorted(key=f)``,
    ``Thread(target=f)``), each with that function."""
    named = {edge.callee for edge in edges if not edge.via}
    found: dict[SymbolId, SymbolId] = {}
    for edge in edges:
        if edge.via and edge.callee not in named:
            found.setdefault(edge.callee, edge.via)
    return found


def subclass_only(edges: Sequence[CallEdge]) -> list[SymbolId]:
    """The callees (of ``calls``) reached only through class-hierarchy edges: a subclass's override that runs when
    the receiver of ``self.m()`` is an instance of that subclass."""
    direct = {edge.callee for edge in edges if edge.dispatch != "subclass"}
    return distinct(edge.callee for edge in edges if edge.callee not in direct)


def queued_only(edges: Sequence[CallEdge]) -> list[SymbolId]:
    """The callees (of ``calls``) reached only through calls that queue a command for a later call to send
    (``pipe.set(k, v)`` on a redis pipeline: ``pipe.execute()`` is the round trip)."""
    sent = {edge.callee for edge in edges if edge.dispatch != "queued"}
    return distinct(edge.callee for edge in edges if edge.callee not in sent)


def constructed(edges: Sequence[CallEdge], index: Definitions) -> list[SymbolId]:
    """The callees (of ``calls``) that are classes constructed without an ``__init__`` with source: no function of the
    class runs (edges of ``"kind": "construct"``; PyCG's format has none)."""
    return distinct(edge.callee for edge in edges if is_class(index, edge.callee))


def is_class(index: Definitions, symbol: SymbolId) -> bool:
    definition = index.definition(symbol)
    return definition is not None and definition.kind == "class"


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
    return {
        pycg_name(symbol): distinct(
            pycg_name(edge.callee) for edge in graph.callees(symbol) if not is_class(index, edge.callee)
        )
        for symbol in symbols
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
