"""The workspace call graph: outgoing and incoming edges per symbol, entry points, reachability, and call trees."""

from __future__ import annotations

import ast
import hashlib
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol

from trace_advisor.datatypes import (
    LOCALS,
    MODULE_QUALNAME,
    CallEdge,
    CallTreeNode,
    Definition,
    ResolvedCall,
    SpanKey,
    SymbolId,
    UnresolvedCall,
    lambda_owner,
    narrow_span,
)
from trace_advisor.decorated_calls import CLOSURE, closure_callees, runs_through
from trace_advisor.facts.records import FROM, IMPORT
from trace_advisor.workspace import is_test_symbol

if TYPE_CHECKING:
    from trace_advisor.record.observed import ObservedGraph
    from trace_advisor.resolve.modules import ModuleInfo


_ASKED_ALONE = 2  # callers of a module whose edges are found from their own sites before its views are made
ALL_PACKAGES: frozenset[str] = frozenset({"*"})  # ``top_level_imports`` when the module's imports are not known


class ModuleCalls:
    """One module's resolved call sites: every site in the order of the facts' call sites, then the property reads
    that run a getter (``ordered``), and the views of them grouped by calling symbol in source order (``sites``,
    ``edges``, ``unresolved``), made when first asked for: the reverse edges are filled from ``all_edges()``, and most
    modules' views are never read.

    ``serial``: which resolution of the module this is (a new number every time it is resolved again)."""

    __slots__ = ("module", "serial", "ordered", "_sites", "_edges", "_unresolved", "_lambdas", "_asked")

    def __init__(self, module: str, ordered: tuple[ResolvedCall, ...] = (), serial: int = 0) -> None:
        self.module = module
        self.serial = serial
        self.ordered = ordered
        self._sites: dict[SymbolId, tuple[ResolvedCall, ...]] | None = None
        self._edges: dict[SymbolId, tuple[CallEdge, ...]] | None = None
        self._unresolved: dict[SymbolId, tuple[UnresolvedCall, ...]] | None = None
        self._lambdas: dict[SymbolId, list[SymbolId]] | None = None  # a def -> the lambdas written in it
        self._asked = 0  # callers whose edges were asked for before the views were made (edges_of)

    @staticmethod
    def build(module: str, sites: Sequence[ResolvedCall], serial: int = 0) -> ModuleCalls:
        return ModuleCalls(module, tuple(sites), serial)

    @property
    def sites(self) -> dict[SymbolId, tuple[ResolvedCall, ...]]:
        """Every site by calling symbol, in source order."""
        found = self._sites
        if found is None:
            by_caller: dict[SymbolId, list[ResolvedCall]] = {}
            for site in _source_order(self.ordered):  # property reads come after the calls: source order again
                by_caller.setdefault(site.caller, []).append(site)
            found = self._sites = {caller: tuple(sites) for caller, sites in by_caller.items()}
        return found

    def body_sites(self, symbol: SymbolId) -> tuple[ResolvedCall, ...]:
        """The sites of ``symbol`` and of the lambdas written in it, in source order: the calls of the code a span
        around the def holds (the detectors read these; a lambda is a node of the graph, but no place for a span)."""
        own = self.sites.get(symbol, ())
        if self._lambdas is None:
            self._lambdas = {}
            for caller in self.sites:
                if (owner := lambda_owner(caller)) is not None:
                    self._lambdas.setdefault(owner, []).append(caller)
        lambdas = self._lambdas.get(symbol)
        if not lambdas:
            return own
        return tuple(_source_order((*own, *(site for name in lambdas for site in self.sites[name]))))

    def all_edges(self) -> Iterator[CallEdge]:
        """Every edge, site by site in the order of ``ordered``."""
        for site in self.ordered:
            yield from site.edges

    @property
    def edges(self) -> dict[SymbolId, tuple[CallEdge, ...]]:
        found = self._edges
        if found is None:
            found = {}
            for caller, sites in self.sites.items():
                edges: list[CallEdge] = []
                for site in sites:  # a site's one edge is held as it is (``ResolvedCall.held``): no tuple made for it
                    held = site.held
                    if isinstance(held, CallEdge):
                        edges.append(held)
                    elif held:
                        edges.extend(held)
                if edges:
                    found[caller] = tuple(edges)
            self._edges = found
        return found

    def edges_of(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        """``edges[symbol]``: the first few callers asked for are answered from their own sites (a module just
        resolved again after an edit is asked about one or two functions: grouping all its sites would cost more
        than the answer), then from the views."""
        if self._edges is None and self._sites is None and self._asked < _ASKED_ALONE:
            self._asked += 1
            own = _source_order([site for site in self.ordered if site.caller == symbol])
            return tuple(edge for site in own for edge in site.edges)
        return self.edges.get(symbol, ())

    def forget_views(self) -> None:
        """Drop the views (made again when next asked for): a reader going through the whole graph module by module
        keeps one module's at a time (the standard library's views: 17 MB)."""
        self._sites = self._edges = self._unresolved = self._lambdas = None

    @property
    def unresolved(self) -> dict[SymbolId, tuple[UnresolvedCall, ...]]:
        found = self._unresolved
        if found is None:
            found = self._unresolved = {
                caller: missing
                for caller, sites in self.sites.items()
                if (missing := tuple(s.unresolved for s in sites if s.unresolved is not None))
            }
        return found


def _start(site: ResolvedCall) -> tuple[int, int, int, int]:
    """A site's range as its four numbers: sorted as ``Range`` orders (by them), compared in C, not by ``__lt__``."""
    return site.range.parts()


def _span(site: ResolvedCall) -> SpanKey:
    return site.span


def _source_order(sites: Sequence[ResolvedCall]) -> list[ResolvedCall]:
    """The sites sorted by range; by their packed keys when all are narrow (they order like their ranges then, and
    comparing ints makes no ``Range`` objects: nearly every module)."""
    if all(type(site.span) is int and narrow_span(site.span) for site in sites):
        return sorted(sites, key=_span)
    return sorted(sites, key=_start)


class CallSource(Protocol):
    """What the graph reads from the index; every method computes lazily what it needs."""

    def module_calls(self, module: str) -> ModuleCalls | None: ...

    def incoming(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...

    def definition(self, symbol: SymbolId) -> Definition | None: ...

    def graph_symbols(self) -> tuple[SymbolId, ...]: ...

    def graph_shape(self) -> int: ...


@dataclass(slots=True)
class _Memo:
    """Answers derived from the whole graph, valid while the source's graph shape is ``version``."""

    version: int
    entry_points: tuple[SymbolId, ...] | None = None
    entry: dict[SymbolId, bool] = field(default_factory=dict)
    reachable: dict[SymbolId, bool] = field(default_factory=dict)


class CallGraph:
    """A live view of the index's call graph: it always answers for the index's current state."""

    def __init__(self, source: CallSource) -> None:
        self._source = source
        self._memo = _Memo(-1)
        self._listed: _Memo | None = None  # the memo whose entry points were last listed
        self._listing = threading.Lock()

    def _current(self) -> _Memo:
        """The memo of the graph's current shape (a fresh one after an edit that changed who calls whom; old ones are
        simply dropped)."""
        version = self._source.graph_shape()
        memo = self._memo
        if memo.version != version:
            memo = self._memo = _Memo(version)
        return memo

    def callees(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        """Outgoing calls of ``symbol`` in source order (a call site with several possible targets gives several)."""
        calls = self._source.module_calls(symbol.partition(":")[0])
        return calls.edges_of(symbol) if calls else ()

    def function_syntax(self, symbol: SymbolId) -> tuple[ast.Module, ast.AST] | None:
        """The syntax tree of a workspace function's module and its def, when the source can give them (the
        index's), else None: what the 4xx analysis reads of the functions it walks (client_errors.py)."""
        read = getattr(self._source, "function_syntax", None)
        found = read(symbol) if read is not None else None
        return found if isinstance(found, tuple) else None

    def top_level_imports(self, symbol: SymbolId) -> frozenset[str]:
        """The packages (first component) a workspace function's module imports at its top level, from its facts
        (no parse); every package when the source cannot tell (``ALL_PACKAGES``)."""
        read = getattr(self._source, "module_info", None)
        info = read(symbol.partition(":")[0]) if read is not None else None
        module = info.scopes.get(MODULE_QUALNAME) if info is not None else None
        if module is None:
            return ALL_PACKAGES
        return frozenset(
            b.target.partition(".")[0]
            for bindings in module.bindings.values()
            for b in bindings
            if b.kind in (IMPORT, FROM) and not b.level and b.target
        )

    def callers(self, symbol: SymbolId) -> tuple[CallEdge, ...]:
        """Incoming calls of ``symbol`` from the whole workspace."""
        return self._source.incoming(symbol)

    def unresolved(self, symbol: SymbolId) -> tuple[UnresolvedCall, ...]:
        calls = self._source.module_calls(symbol.partition(":")[0])
        return calls.unresolved.get(symbol, ()) if calls else ()

    def symbols(self) -> tuple[SymbolId, ...]:
        """Every workspace function, method and ``<module>`` body, by module and source order."""
        return self._source.graph_symbols()

    def module_by_module(self, symbols: Iterable[SymbolId]) -> Iterator[SymbolId]:
        """``symbols`` (by module, as :meth:`symbols` gives them) in turn; once past a module's, the views of its calls
        (per function: its sites, edges and unresolved calls) are dropped, so that a pass over the whole graph holds
        one module's views at a time."""
        current = None
        for symbol in symbols:
            module = symbol.partition(":")[0]
            if module != current:
                if current is not None:
                    self._forget_views(current)
                current = module
            yield symbol
        if current is not None:
            self._forget_views(current)

    def _forget_views(self, module: str) -> None:
        calls = self._source.module_calls(module)
        if calls is not None:
            calls.forget_views()

    def entry_points(self) -> tuple[SymbolId, ...]:
        """Roots for reports: module bodies that call something, ``main`` functions, and functions nobody calls."""
        memo = self._current()
        if memo.entry_points is None:
            with self._listing:  # (one listing at a time: each carries from the one before)
                if memo.entry_points is None:
                    self._carry_entries(memo)
                    memo.entry_points = tuple(s for s in self.symbols() if self._is_entry(s, memo))
                    self._listed = memo
        return memo.entry_points

    def _carry_entries(self, memo: _Memo) -> None:
        """Into a new shape's memo, whether each function was an entry point in the shape the entry points were last
        listed for, where nothing it reads changed since (its callers, its module's calls and definitions: the
        source's ``graph_changes``): an edit lists them again by asking about what it changed only."""
        take = getattr(self._source, "graph_changes", None)
        if take is None:
            return
        self._source.incoming("")  # every module resolved, as the answers read them (they would ask for it anyway)
        changes = take()  # (taken at every listing: what changed since the last one)
        last, self._listed = self._listed, None
        if changes is None or last is None or last is memo:
            return
        callees, modules = changes
        entry = memo.entry
        for symbol, known in last.entry.items():
            if symbol not in callees and symbol not in entry and symbol.partition(":")[0] not in modules:
                entry[symbol] = known

    def is_entry_point(self, symbol: SymbolId) -> bool:
        """Whether ``symbol`` is one of :meth:`entry_points` (answered for one symbol, without listing them all)."""
        return self._is_entry(symbol, self._current())

    def _is_entry(self, symbol: SymbolId, memo: _Memo) -> bool:
        known = memo.entry.get(symbol)
        if known is None:
            known = memo.entry[symbol] = self._entry_rule(symbol)
        return known

    def _entry_rule(self, symbol: SymbolId) -> bool:
        qualname = symbol.partition(":")[2]
        if qualname == "<module>":
            return bool(self.callees(symbol))
        definition = self._source.definition(symbol)
        if (
            definition is None
            or definition.kind in ("class", "lambda")
            or self._source.module_calls(symbol.partition(":")[0]) is None
        ):
            return False  # not a workspace function (classes, code read from search paths), or a lambda
        if is_test_symbol(symbol):
            return False  # tests run the code, they are not how it is entered (nor, below, what calls it)
        if qualname == "main" or qualname.endswith(".main"):
            return True
        return "<locals>" not in qualname and not any(
            e.caller != symbol and not is_test_symbol(e.caller) for e in self.callers(symbol)
        )

    def reachable(self, symbol: SymbolId) -> bool:
        """Whether some entry point reaches ``symbol`` through workspace calls.

        Searched backwards from ``symbol`` over its callers and memoised per graph shape: an edit that changes who
        calls whom costs the symbols asked about afterwards, not a walk over the whole workspace.
        """
        memo = self._current()
        known = memo.reachable.get(symbol)
        if known is not None:
            return known
        called: dict[SymbolId, SymbolId | None] = {symbol: None}  # each caller seen -> the function it calls
        queue = deque([symbol])
        while queue:
            current = queue.popleft()
            known = memo.reachable.get(current)
            if known is False:
                continue  # everything above it is known not to reach it from an entry point
            if known or self._is_entry(current, memo):
                step: SymbolId | None = current
                while step is not None:  # the path from there down to ``symbol`` is reachable too
                    memo.reachable[step] = True
                    step = called[step]
                return True
            above = [
                edge.caller for edge in self.callers(current) if not edge.external and not is_test_symbol(edge.caller)
            ]
            if (owner := self._defining_code(current)) is not None:
                above.append(owner)  # a lambda runs if the code making it does (a library may call it)
            for caller in above:
                if caller not in called:
                    called[caller] = current
                    queue.append(caller)
        memo.reachable.update(dict.fromkeys(called, False))  # every ancestor searched: none is reachable either
        return False

    def _defining_code(self, symbol: SymbolId) -> SymbolId | None:
        """The function or module body whose code makes the lambda ``symbol`` (out of class bodies); None when
        ``symbol`` is not a lambda."""
        owner = lambda_owner(symbol)
        while owner is not None and (found := self._source.definition(owner)) is not None and found.kind == "class":
            module, _, qualname = owner.partition(":")
            outer = qualname.rpartition(".")[0].removesuffix(f".{LOCALS}")
            owner = f"{module}:{outer or MODULE_QUALNAME}"
        return owner

    def tree(self, root: SymbolId, depth: int = 8, observed: ObservedGraph | None = None) -> CallTreeNode:
        """The call tree under ``root``: a symbol already on the path is marked ``cycle`` and not expanded. With
        ``observed``, edges seen at run time join the static ones (``static=False`` when only observed)."""
        return self._node(root, (root,), max(depth, 0), _Child(root, None, True, 0), observed)

    def _children(self, symbol: SymbolId, observed: ObservedGraph | None, runs: tuple[SymbolId, ...]) -> list[_Child]:
        info_of = getattr(self._source, "module_info", None)
        edges = self.callees(symbol)
        if runs and info_of is not None:  # a decorator's closure, reached by a call that runs ``runs`` through it
            edges = closure_callees(info_of, self.callees, symbol, runs)
        if observed is None:  # one child per callee, and per decorated function a call runs through a closure
            return list(dict.fromkeys(_Child(e.callee, e.external, True, 0, self._runs(info_of, e)) for e in edges))
        return [
            _Child(m.callee, m.external, m.static, m.count)
            for m in observed.merged_callees(symbol, edges)
            if m.static or not (m.external and m.callee.startswith("builtins:"))  # len, isinstance... are noise
        ]

    def _runs(self, info_of: Callable[[str], ModuleInfo | None] | None, edge: CallEdge) -> tuple[SymbolId, ...]:
        """The decorated function ``edge``'s call runs through its callee, when that is a decorator's closure."""
        if info_of is None or edge.external or CLOSURE not in edge.callee:
            return ()

        def chain() -> tuple[str, ...]:
            info = info_of(edge.caller.partition(":")[0])
            found = next((c.chain for c in info.facts.calls if c.loc == edge.span), None) if info is not None else None
            return found or ()

        return runs_through(info_of, self.callees, edge.caller, edge.callee, chain)

    def _node(
        self, symbol: SymbolId, path: tuple[SymbolId, ...], depth: int, edge: _Child, observed: ObservedGraph | None
    ) -> CallTreeNode:
        definition = self._source.definition(symbol)
        node_id = _node_id(path, edge.runs)
        file = definition.file if definition else None
        line = definition.name_range.start.line if definition else None
        external = edge.external if edge.external is not None else definition is None
        if external or definition is None:
            return CallTreeNode(node_id, symbol, file, line, external=external, static=edge.static, observed=edge.calls)
        children_of = self._children(symbol, observed, edge.runs)
        if depth == 0:
            return CallTreeNode(
                node_id, symbol, file, line, truncated=bool(children_of), static=edge.static, observed=edge.calls
            )
        children: list[CallTreeNode] = []
        for child in children_of:
            child_path = (*path, child.callee)
            if child.callee in path:
                target = self._source.definition(child.callee)
                children.append(
                    CallTreeNode(
                        _node_id(child_path, child.runs),
                        child.callee,
                        target.file if target else None,
                        target.name_range.start.line if target else None,
                        cycle=True,
                        static=child.static,
                        observed=child.calls,
                    )
                )
            else:
                children.append(self._node(child.callee, child_path, depth - 1, child, observed))
        return CallTreeNode(
            node_id, symbol, file, line, tuple(children), static=edge.static, observed=edge.calls, runs=edge.runs
        )


class _Child(NamedTuple):
    """An edge of a call tree: its callee, whether the callee is outside the workspace (None: unknown, the root),
    whether the static graph has it, and how often it was observed."""

    callee: SymbolId
    external: bool | None
    static: bool
    calls: int
    runs: tuple[SymbolId, ...] = ()  # through a decorator's closure: the decorated function the call runs


def _node_id(path: tuple[SymbolId, ...], runs: tuple[SymbolId, ...] = ()) -> str:
    """Stable across runs and edits elsewhere: a hash of the symbol path from the root (and, for a decorator's
    closure, of what the call runs through it: ``settle`` calls ``wrapper`` twice, for ``total`` and ``charge``)."""
    key = "\x1f".join(path) + ("\x1e" + "\x1f".join(runs) if runs else "")
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
