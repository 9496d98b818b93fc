"""Resolved calls of workspace modules with their reverse edges, forgotten per module and filled in again lazily."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from trace_advisor.callgraph import ModuleCalls
from trace_advisor.datatypes import CallEdge, SymbolId

_ByModule = tuple[str, tuple[CallEdge, ...]] | dict[str, tuple[CallEdge, ...]]
_MAX_CHANGES = 100_000  # callees remembered as changed between two questions (past that: anything may have)


class CallTable:
    """The index's resolved calls. Not thread-safe on its own: the index calls it under its lock.

    Dropping a module's calls keeps its reverse edges until they are needed again (``settle``), so that an edit
    followed by another edit of the same module costs nothing for the rest of the graph.
    """

    def __init__(self) -> None:
        self._calls: dict[str, ModuleCalls] = {}
        self._stale: dict[str, ModuleCalls] = {}  # dropped calls whose reverse edges are still in _incoming
        # callee -> its incoming edges by calling module; a callee called from one module only (most are) holds the
        # pair (module, edges) instead of a dict
        self._incoming: dict[SymbolId, _ByModule] = {}
        self._sorted: dict[SymbolId, tuple[CallEdge, ...]] = {}  # incoming edges in answer order, per callee
        # calls added without their reverse edges, put in when incoming edges are first asked for (a whole graph
        # taken from the graph cache: ``calls`` asks for none)
        self._unindexed: dict[str, ModuleCalls] = {}
        # whether incoming edges were asked for since the table was made or cleared: until then calls are added
        # without their reverse edges (``calls`` on the standard library asks for none: 10 MB it never reads)
        self._indexed = False
        self.complete = False  # every workspace module's calls are resolved and their reverse edges are in place
        # what changed since ``take_changes`` was last asked: the callees whose incoming edges changed and the modules
        # whose calls were added (None: anything may have)
        self._changed: tuple[set[SymbolId], set[str]] | None = None

    def __contains__(self, module: str) -> bool:
        return module in self._calls

    def modules(self) -> tuple[str, ...]:
        """Modules whose calls are resolved now."""
        return tuple(self._calls)

    def get(self, module: str) -> ModuleCalls | None:
        return self._calls.get(module)

    def add(self, calls: ModuleCalls, *, reverse: bool = True) -> None:
        """Record one module's freshly resolved calls and their reverse edges (``reverse=False``: when incoming
        edges are first asked for; so are all until incoming edges are first asked for). When the module's dropped
        calls still hold their reverse edges, only the edges of the sites that differ are replaced (an edit's
        re-resolution keeps most sites' answers as they were)."""
        reverse = reverse and self._indexed
        stale = self._stale.pop(calls.module, None) if reverse else None
        if stale is None:
            self._unstale(calls.module)
        self._calls[calls.module] = calls
        self._unindexed.pop(calls.module, None)
        if self._changed is not None:
            self._changed[1].add(calls.module)
        if stale is not None:
            self._replace(stale, calls)
        elif reverse:
            self._reverse(calls)
        else:
            self._unindexed[calls.module] = calls

    def _replace(self, old: ModuleCalls, new: ModuleCalls) -> None:
        """``new``'s reverse edges in place of ``old``'s, of the same module: the callees of the sites only one of
        them has (by identity: a site whose answer stood is the same object) get the module's edges to them again,
        in ``new``'s order; the others keep theirs (from the same sites, in the same order)."""
        before = dict(zip(map(id, old.ordered), old.ordered, strict=True))
        after = dict(zip(map(id, new.ordered), new.ordered, strict=True))
        affected: set[SymbolId] = set()
        for sites, changed in ((before, before.keys() - after.keys()), (after, after.keys() - before.keys())):
            for key in changed:
                affected.update(edge.callee for edge in sites[key].edges)
        if not affected:
            return
        by_callee: dict[SymbolId, list[CallEdge]] = {}
        for site in new.ordered:  # (a site's ``held`` is its one edge or a tuple of them: no tuple made per site)
            one = site.held
            if isinstance(one, CallEdge):
                if one.callee in affected:
                    by_callee.setdefault(one.callee, []).append(one)
                continue
            for edge in one:
                if edge.callee in affected:
                    by_callee.setdefault(edge.callee, []).append(edge)
        module, incoming = new.module, self._incoming
        for callee in affected:
            found = by_callee.get(callee)
            if found:
                self._hold(callee, module, tuple(found))
                continue
            held = incoming.get(callee)
            if isinstance(held, tuple):
                if held[0] == module:
                    del incoming[callee]
            elif held is not None:
                held.pop(module, None)
            self._sorted.pop(callee, None)
            self._touch(callee)

    def _reverse(self, calls: ModuleCalls) -> None:
        by_callee: dict[SymbolId, list[CallEdge]] = {}
        for edge in calls.all_edges():
            by_callee.setdefault(edge.callee, []).append(edge)
        for callee, found in by_callee.items():  # kept as tuples: a list per callee and module would cost a third more
            self._hold(callee, calls.module, tuple(found))

    def _hold(self, callee: SymbolId, module: str, edges: tuple[CallEdge, ...]) -> None:
        """``module``'s edges to ``callee`` in its reverse edges (one module's alone as a pair: most callees have
        callers in one module)."""
        incoming = self._incoming
        held = incoming.get(callee)
        if held is None or (isinstance(held, tuple) and held[0] == module):
            incoming[callee] = (module, edges)
        elif isinstance(held, tuple):
            incoming[callee] = {held[0]: held[1], module: edges}
        else:
            held[module] = edges
        self._sorted.pop(callee, None)
        self._touch(callee)

    def _touch(self, callee: SymbolId) -> None:
        changed = self._changed
        if changed is not None:
            changed[0].add(callee)
            if len(changed[0]) > _MAX_CHANGES:  # (nobody asked for a long time: anything may have changed)
                self._changed = None

    def take_changes(self) -> tuple[frozenset[SymbolId], frozenset[str]] | None:
        """The callees whose incoming edges changed and the modules whose calls were added since the last time this
        was asked (None: anything may have changed, or it was never asked)."""
        changed, self._changed = self._changed, (set(), set())
        return (frozenset(changed[0]), frozenset(changed[1])) if changed is not None else None

    def drop(self, modules: Iterable[str]) -> None:
        """Forget these modules' calls; their reverse edges go when the graph is next settled."""
        for module in modules:
            calls = self._calls.pop(module, None)
            if self._unindexed.pop(module, None) is not None:
                self.complete = False
                continue  # its reverse edges were never put in
            if calls is not None and module not in self._stale:
                self._stale[module] = calls
                self.complete = False

    def clear(self) -> None:
        self._changed = None
        self._unindexed.clear()
        self._calls.clear()
        self._stale.clear()
        self._incoming.clear()
        self._sorted.clear()
        self._indexed = False
        self.complete = False

    def settle(self, keep: Collection[str] = ()) -> None:
        """Remove the reverse edges of every dropped module (before the missing modules are resolved again), but
        those of ``keep``, about to be resolved again: their new calls replace only the edges that changed."""
        for module in list(self._stale):
            if module not in keep:
                self._unstale(module)

    def incoming(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        """Calls of ``symbol`` by caller module, position and caller (meaningful once ``complete``)."""
        self._indexed = True
        if self._unindexed:
            for calls in self._unindexed.values():
                self._reverse(calls)
            self._unindexed.clear()
        found = self._sorted.get(symbol)
        if found is None:
            held = self._incoming.get(symbol)
            by_module = (held,) if isinstance(held, tuple) else held.items() if held is not None else ()
            edges = [edge for _, found in by_module for edge in found]
            found = tuple(sorted(edges, key=lambda e: (e.caller.partition(":")[0], e.range.start, e.caller)))
            self._sorted[symbol] = found
        return found

    def _unstale(self, module: str) -> None:
        calls = self._stale.pop(module, None)
        if calls is not None:
            incoming = self._incoming
            for edge in calls.all_edges():
                held = incoming.get(edge.callee)
                if isinstance(held, tuple):
                    if held[0] == module:
                        del incoming[edge.callee]
                elif held is not None:
                    held.pop(module, None)
                self._sorted.pop(edge.callee, None)
                self._touch(edge.callee)
