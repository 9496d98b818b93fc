"""The workspace call graph: outgoing and incoming edges per symbol, entry points, and call trees from a root."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from trace_advisor.model import CallEdge, CallTreeNode, Definition, SymbolId, UnresolvedCall


@dataclass(frozen=True, slots=True)
class ModuleCalls:
    """One module's resolved call sites, grouped by calling symbol, in source order."""

    module: str
    edges: dict[SymbolId, tuple[CallEdge, ...]] = field(default_factory=dict)
    unresolved: dict[SymbolId, tuple[UnresolvedCall, ...]] = field(default_factory=dict)

    @staticmethod
    def build(module: str, edges: Iterable[CallEdge], unresolved: Iterable[UnresolvedCall]) -> ModuleCalls:
        by_caller: dict[SymbolId, list[CallEdge]] = {}
        for edge in edges:
            by_caller.setdefault(edge.caller, []).append(edge)
        missing: dict[SymbolId, list[UnresolvedCall]] = {}
        for call in unresolved:
            missing.setdefault(call.caller, []).append(call)
        return ModuleCalls(
            module,
            {caller: tuple(found) for caller, found in by_caller.items()},
            {caller: tuple(found) for caller, found in missing.items()},
        )


class CallSource(Protocol):
    """What the graph reads from the index; every method computes lazily what it needs."""

    def module_calls(self, module: str) -> ModuleCalls | None: ...

    def incoming(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...

    def definition(self, symbol: SymbolId) -> Definition | None: ...

    def graph_symbols(self) -> tuple[SymbolId, ...]: ...


class CallGraph:
    """A live view of the index's call graph: it always answers for the index's current state."""

    def __init__(self, source: CallSource) -> None:
        self._source = source

    def callees(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        """Outgoing calls of ``symbol`` in source order (a call site with several possible targets gives several)."""
        calls = self._source.module_calls(symbol.partition(":")[0])
        return calls.edges.get(symbol, ()) if calls else ()

    def callers(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        """Incoming calls of ``symbol`` from the whole workspace."""
        return self._source.incoming(symbol)

    def unresolved(self, symbol: SymbolId) -> tuple[UnresolvedCall, ...]:
        calls = self._source.module_calls(symbol.partition(":")[0])
        return calls.unresolved.get(symbol, ()) if calls else ()

    def symbols(self) -> tuple[SymbolId, ...]:
        """Every workspace function, method and ``<module>`` body, by module and source order."""
        return self._source.graph_symbols()

    def entry_points(self) -> tuple[SymbolId, ...]:
        """Roots for reports: module bodies that call something, ``main`` functions, and functions nobody calls."""
        found: list[SymbolId] = []
        for symbol in self.symbols():
            qualname = symbol.partition(":")[2]
            if qualname == "<module>":
                if self.callees(symbol):
                    found.append(symbol)
            elif qualname == "main" or qualname.endswith(".main"):
                found.append(symbol)
            elif "<locals>" not in qualname and not any(e.caller != symbol for e in self.callers(symbol)):
                found.append(symbol)
        return tuple(found)

    def tree(self, root: SymbolId, depth: int = 8) -> CallTreeNode:
        """The call tree under ``root``: a symbol already on the path is marked ``cycle`` and not expanded."""
        return self._node(root, (root,), max(depth, 0), None)

    def _node(self, symbol: SymbolId, path: tuple[SymbolId, ...], depth: int, edge: CallEdge | None) -> CallTreeNode:
        definition = self._source.definition(symbol)
        node_id = _node_id(path)
        file = definition.file if definition else None
        line = definition.name_range.start.line if definition else None
        external = edge.external if edge is not None else definition is None
        if external or definition is None:
            return CallTreeNode(node_id, symbol, file, line, external=external)
        edges = self.callees(symbol)
        if depth == 0:
            return CallTreeNode(node_id, symbol, file, line, truncated=bool(edges))
        children: list[CallTreeNode] = []
        seen: set[SymbolId] = set()
        for child in edges:
            if child.callee in seen:  # the same callee called twice is shown once
                continue
            seen.add(child.callee)
            child_path = (*path, child.callee)
            if child.callee in path:
                target = self._source.definition(child.callee)
                children.append(
                    CallTreeNode(
                        _node_id(child_path),
                        child.callee,
                        target.file if target else None,
                        target.name_range.start.line if target else None,
                        cycle=True,
                    )
                )
            else:
                children.append(self._node(child.callee, child_path, depth - 1, child))
        return CallTreeNode(node_id, symbol, file, line, tuple(children))


def _node_id(path: tuple[SymbolId, ...]) -> str:
    """Stable across runs and edits elsewhere: a hash of the symbol path from the root."""
    return hashlib.blake2b("\x1f".join(path).encode("utf-8"), digest_size=8).hexdigest()
