"""Span names that are low-cardinality and unique in the workspace: ``Class.method``, qualified with as many trailing
parts of its module as it takes (``orders.OrderService.place``, ``integrations.django._capture_exception``) when
another function of the workspace would get the same name."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

from trace_advisor.datatypes import Definition, SymbolId, span_name, split_symbol


@runtime_checkable
class Workspace(Protocol):
    """What span names need from an index."""

    def definitions(self) -> tuple[Definition, ...]: ...
    def graph_version(self) -> int: ...


def unique_span_names(symbols: Iterable[SymbolId]) -> dict[SymbolId, str]:
    """Each function's span name: ``span_name(qualname)`` when no other symbol shares it, else prefixed with the
    shortest run of trailing module parts that tells it apart from the others sharing it."""
    groups: dict[str, list[tuple[SymbolId, list[str]]]] = {}
    for symbol in dict.fromkeys(symbols):
        module, qualname = split_symbol(symbol)
        groups.setdefault(span_name(qualname), []).append((symbol, module.split(".")))
    names: dict[SymbolId, str] = {}
    for bare, members in groups.items():
        if len(members) == 1:
            names[members[0][0]] = bare
            continue
        for symbol, parts in members:
            others = [p for s, p in members if s != symbol]
            depth = 1
            while depth < len(parts) and any(o[-depth:] == parts[-depth:] for o in others):
                depth += 1
            names[symbol] = ".".join([*parts[-depth:], bare])
    return names


class SpanNames:
    """The workspace's span names, kept with an index (``index.extension(SpanNames)``) and recomputed when its
    definitions change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = -1
        self._names: Mapping[SymbolId, str] = {}

    def table(self, index: Workspace) -> Mapping[SymbolId, str]:
        version = index.graph_version()
        with self._lock:
            if version != self._version:
                functions = (d.symbol for d in index.definitions() if d.kind in ("function", "method"))
                self._names, self._version = unique_span_names(functions), version
            return self._names

    def name(self, index: Workspace, symbol: SymbolId) -> str:
        """The span name of ``symbol`` (its bare name when the workspace does not know it)."""
        return self.table(index).get(symbol) or span_name(split_symbol(symbol)[1])
