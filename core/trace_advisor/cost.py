"""What spans would cost: functions not worth one because a recommended caller runs them in a loop (one span per
iteration, the caller's span already measures the loop), because the call graph estimates too many calls of them per
request and they have no I/O, error handling or entry point of their own (the spans of the recommended functions that
call them measure them), because every caller is recommended and they only compute (the callers' spans measure them),
or because they are tiny helpers the span would dwarf — a function that does I/O itself keeps its span, the
granularity OpenTelemetry's client instrumentations use. Which calls run once per loop iteration (:func:`loop_depths`)
and how many calls of each function one call of an entry point makes (:class:`RequestCounts`) are read here, for both
this decision and the spans-per-request figures of :mod:`trace_advisor.volume`."""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from trace_advisor.datatypes import (
    MODULE_QUALNAME,
    CallEdge,
    CostNote,
    Range,
    Recommendation,
    SymbolId,
    span_name,
    split_symbol,
)
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.shape import unresolved_calls

TINY_STATEMENTS = 2  # a body this short with no I/O of its own is cheaper than the span around it
LOOP_ITERATIONS = 10  # a loop's iterations are unknown from the code: an order of magnitude, stated in every figure
MAX_CALLS = 1_000_000.0  # deep loop nests: beyond this the figure says nothing more
MAX_ENTRIES = 2000  # entry points considered (the busiest is wanted, not all of them)
MAX_NAMED_CALLERS = 3  # recommended callers a "hot" reason names
_MAX_ANCESTORS = 5000  # callers walked when looking for entry points or recommended callers
# evidence that makes even a one-line function an operation worth its span (a handler, a publish, I/O, a hand-off)
_IO_OR_HANDOFF = frozenset({"external_io", "message_bus", "async_boundaries", "context_propagation"})
_OPERATION_PRIORITIES = _IO_OR_HANDOFF | {"entry_points"}
# evidence about the function itself that a span shows even when it runs often: I/O, a write, error handling
_OWN_EVIDENCE = _IO_OR_HANDOFF | {"exceptions", "state_changes"}
COST_PRIORITY = "performance"  # loops, heavy computation: a hot function's time, worth measuring somewhere
_PUBLIC_OPERATION = "operation"  # entry_points' detail for "a public function orchestrating calls" (not an entry)


@runtime_checkable
class Graph(Protocol):
    def callers(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...
    def callees(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...
    def entry_points(self) -> tuple[SymbolId, ...]: ...


class LoopCalls:
    """How many loops of its caller run a call edge once per iteration (``depths(caller)``: :func:`call_loop_depths`
    of the caller, remembered per caller)."""

    def __init__(self, depths: Callable[[SymbolId], Mapping[Range, int]]) -> None:
        self._read = depths
        self._depths: dict[SymbolId, Mapping[Range, int]] = {}

    def depth(self, edge: CallEdge) -> int:
        found = self._depths.get(edge.caller)
        if found is None:
            found = self._depths[edge.caller] = self._read(edge.caller)
        return found.get(edge.range, 0)

    def __call__(self, edge: CallEdge) -> bool:
        return self.depth(edge) > 0


def call_loop_depths(ctx: FunctionContext) -> dict[Range, int]:
    """Where each call of a function that runs in a loop is -> how many of its loops run it per iteration."""
    depths = loop_depths(ctx.node)
    return {c.range: depths[id(c.node)] for c in ctx.calls if depths.get(id(c.node))}


class GraphCalls:
    """Per workspace function, how many times one call of it calls each workspace callee: its resolved call sites
    added (a site with several possible targets counts for each), each multiplied by LOOP_ITERATIONS per loop around
    it (read lazily, remembered). ``stamp(module)`` is an object that stays the same (``is``) while the module's
    resolved calls are the same (the index's ``module_calls``): :meth:`renewed` reads again only those of modules
    whose stamp changed."""

    def __init__(self, graph: Graph, loops: LoopCalls, stamp: Callable[[str], object] = lambda _: None) -> None:
        self._graph = graph
        self.loops = loops
        self._stamp = stamp
        self._calls: dict[SymbolId, dict[SymbolId, float]] = {}
        self._read: dict[str, tuple[object, list[SymbolId]]] = {}  # module -> its stamp when read, its callers read

    def __call__(self, caller: SymbolId) -> Mapping[SymbolId, float]:
        found = self._calls.get(caller)
        if found is None:
            found = self._calls[caller] = self._count(caller)
            module = caller.partition(":")[0]
            read = self._read.get(module)
            if read is None:
                read = self._read[module] = (self._stamp(module), [])
            read[1].append(caller)
        return found

    def _count(self, caller: SymbolId) -> dict[SymbolId, float]:
        found: dict[SymbolId, float] = {}
        for edge in self._graph.callees(caller):
            if not edge.external and edge.callee != caller:
                times = float(LOOP_ITERATIONS ** self.loops.depth(edge))
                found[edge.callee] = found.get(edge.callee, 0.0) + times
        return found

    def renewed(self, loops: LoopCalls) -> tuple[GraphCalls, set[SymbolId]]:
        """These calls for the graph as it is now, and the functions whose calls changed since they were read (other
        callees, other counts, another order). The functions of a module whose stamp is the same are taken as they
        are; those of the others are read again."""
        fresh = GraphCalls(self._graph, loops, self._stamp)
        changed: set[SymbolId] = set()
        for module, (stamp, callers) in self._read.items():
            now = self._stamp(module)
            if now is stamp:
                fresh._read[module] = (stamp, list(callers))
                fresh._calls.update((caller, self._calls[caller]) for caller in callers)
                continue
            for caller in callers:  # in the order a walk reads them: the order of their callees matters too
                if list(fresh(caller).items()) != list(self._calls[caller].items()):
                    changed.add(caller)
        return fresh, changed


def calls_from(entry: SymbolId, calls: Callable[[SymbolId], Mapping[SymbolId, float]]) -> dict[SymbolId, float]:
    """How many times one call of ``entry`` calls each function it reaches (``calls(f)``: callee -> calls per call
    of ``f``; recursion counted once: back edges of a depth-first walk are dropped)."""
    order: list[SymbolId] = []
    state: dict[SymbolId, int] = {}  # 1: on the walk's path, 2: done
    stack: list[tuple[SymbolId, Iterator[SymbolId]]] = [(entry, iter(calls(entry)))]
    state[entry] = 1
    back: set[tuple[SymbolId, SymbolId]] = set()
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            state[node] = 2
            order.append(node)
        elif state.get(child) == 1:
            back.add((node, child))
        elif child not in state:
            state[child] = 1
            stack.append((child, iter(calls(child))))
    counts: dict[SymbolId, float] = {entry: 1.0}
    for node in reversed(order):  # a topological order of the walk without its back edges
        here = counts.get(node, 0.0)
        for callee, times in calls(node).items():
            if (node, callee) not in back and callee in state:
                counts[callee] = min(counts.get(callee, 0.0) + here * times, MAX_CALLS)
    return counts


class RequestCounts:
    """Calls per request: for each entry point of the call graph (module bodies aside), how many times one call of
    it calls each function it reaches; and for one function, the entry point that calls it most. Kept between runs
    over one index (:meth:`renewed`): most edits change no function's calls, and an entry point's counts stand while
    none of the functions it reaches calls anything else."""

    def __init__(self, graph: Graph, calls: GraphCalls, shape: object = None) -> None:
        self._graph = graph
        self.calls = calls
        self._shape = shape  # who calls whom (``index.graph_shape()``): None when unknown
        self._entries: tuple[SymbolId, ...] | None = None
        self._from: dict[SymbolId, dict[SymbolId, float]] = {}
        self._busiest: dict[SymbolId, tuple[float, SymbolId] | None] = {}

    @property
    def graph(self) -> Graph:
        return self._graph

    def renewed(self, loops: LoopCalls, shape: object = None) -> RequestCounts:
        """These counts for the graph as it is now (``shape``: who calls whom now): those of the entry points that
        reach no function whose calls changed are kept (their walks would read the same calls), the others are
        counted again when asked for; the busiest entry points found stand while no count and no caller changed."""
        calls, changed = self.calls.renewed(loops)
        counts = RequestCounts(self._graph, calls, shape)
        counts._from = {entry: found for entry, found in self._from.items() if found.keys().isdisjoint(changed)}
        if not changed and shape is not None and shape == self._shape:
            counts._busiest = self._busiest
        return counts

    def entries(self) -> tuple[SymbolId, ...]:
        if self._entries is None:
            found = [e for e in self._graph.entry_points() if split_symbol(e)[1] != MODULE_QUALNAME]
            self._entries = tuple(found[:MAX_ENTRIES])
        return self._entries

    def from_entry(self, entry: SymbolId) -> dict[SymbolId, float]:
        found = self._from.get(entry)
        if found is None:
            found = self._from[entry] = calls_from(entry, self.calls)
        return found

    def busiest(self, symbol: SymbolId) -> tuple[float, SymbolId] | None:
        """The most calls of ``symbol`` one call of an entry point makes, and that entry point (None: no entry
        point reaches it)."""
        if symbol in self._busiest:
            return self._busiest[symbol]
        found = self._busiest[symbol] = self._find_busiest(symbol)
        return found

    def _find_busiest(self, symbol: SymbolId) -> tuple[float, SymbolId] | None:
        above = set(ancestors(self._graph, symbol, lambda _: False))
        best: tuple[float, SymbolId] | None = None
        for entry in self.entries():  # in order, as :func:`trace_advisor.volume.with_costs` reads them
            if entry in above:
                count = self.from_entry(entry).get(symbol, 0.0)
                if best is None or count > best[0]:
                    best = (count, entry)
        return best


def ancestors(graph: Graph, symbol: SymbolId, stop: Callable[[SymbolId], bool]) -> Iterator[SymbolId]:
    """``symbol`` and its callers, nearest first, not walking past a caller for which ``stop`` is true (which is
    still yielded); at most _MAX_ANCESTORS."""
    seen = {symbol}
    queue = deque([symbol])
    while queue and len(seen) <= _MAX_ANCESTORS:
        node = queue.popleft()
        yield node
        if node != symbol and stop(node):
            continue
        for edge in graph.callers(node):
            if edge.caller not in seen:
                seen.add(edge.caller)
                queue.append(edge.caller)


def repeated_calls(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """ids of the calls of a function that run once per iteration of one of its loops."""
    return {call for call, depth in loop_depths(function).items() if depth}


def loop_depths(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[int, int]:
    """id of each call of a function -> how many of its loops run that call once per iteration: a ``for`` body or
    a ``while`` (test and body), a comprehension's element, conditions and later iterables (one loop per ``for``
    clause); not a ``for``'s iterable, its ``else`` or a comprehension's first iterable, which run once."""
    found: dict[int, int] = {}

    def visit(node: ast.AST, depth: int) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            return
        if isinstance(node, ast.Call):
            found[id(node)] = depth
        if isinstance(node, ast.For | ast.AsyncFor):
            visit(node.target, depth)
            visit(node.iter, depth)
            for stmt in node.body:
                visit(stmt, depth + 1)
            for stmt in node.orelse:
                visit(stmt, depth)
        elif isinstance(node, ast.While):
            visit(node.test, depth + 1)
            for stmt in node.body:
                visit(stmt, depth + 1)
            for stmt in node.orelse:
                visit(stmt, depth)
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            for level, generator in enumerate(node.generators):  # each ``for`` clause nests in the ones before
                visit(generator.iter, depth + level)
                for condition in generator.ifs:
                    visit(condition, depth + level + 1)
            elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for element in elements:
                visit(element, depth + len(node.generators))
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, depth)

    for stmt in function.body:
        visit(stmt, 0)
    return found


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """What the cost decision reads of a function's own code (:func:`code_facts`): whether it calls a client API
    itself, whether its body is short enough for a tiny helper (at most TINY_STATEMENTS statements besides a
    docstring, none a loop, ``try`` or ``with``), and how many of its calls resolution could not follow that may hide
    I/O."""

    own_io: bool
    short: bool
    unresolved: int
    is_async: bool = False
    awaited: frozenset[Range] = frozenset()  # its calls awaited where they are made (the others' coroutines wait)


def code_facts(ctx: FunctionContext) -> CodeFacts:
    body = [s for s in ctx.node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    blocks = any(isinstance(s, ast.For | ast.While | ast.Try | ast.With) for s in body)
    short = len(body) <= TINY_STATEMENTS and not blocks
    is_async = isinstance(ctx.node, ast.AsyncFunctionDef)
    awaited_nodes = {id(n.value) for n in ctx.nodes if isinstance(n, ast.Await)} if is_async else set()
    awaited = frozenset(c.range for c in ctx.calls if id(c.node) in awaited_nodes)
    own_io = any(c.api is not None for c in ctx.calls)
    return CodeFacts(own_io, short, len(unresolved_calls(ctx)), is_async, awaited)


@dataclass(frozen=True, slots=True)
class Promotion:
    """A caller that gets a span in place of a hot function no recommended function measures: the nearest caller
    cheap enough for a span (at most ``hot_calls_per_request`` calls per request)."""

    caller: SymbolId
    hot: SymbolId
    calls: float  # the hot function's estimated calls per request
    entry: SymbolId  # from which entry point
    site: Range  # the caller's call on the way to the hot function
    caller_calls: float  # the caller's own estimated calls per request (1: nothing calls it)


@dataclass(frozen=True, slots=True)
class CostDecision:
    """Recommended functions left out for cost, with why, and callers promoted in place of hot ones."""

    reasons: dict[SymbolId, str]
    promoted: dict[SymbolId, Promotion]
    # a function left out whose evidence is its cost (hot, or in a loop of a recommended caller) -> the nearest
    # callers whose spans (recommended or already there) measure it; absent when a caller is promoted in their place
    measured_by: dict[SymbolId, tuple[SymbolId, ...]] = field(default_factory=dict)


def costly(
    recs: Iterable[Recommendation],
    graph: Graph,
    counts: RequestCounts,
    recommended: Callable[[SymbolId], bool],
    code: Callable[[SymbolId], CodeFacts | None],
    hot_calls: float,
    promotable: Callable[[SymbolId], bool] = lambda _: False,
) -> CostDecision:
    """Recommended functions whose span would cost more than it tells, with why. Functions too hot for a span are
    found first (more than ``hot_calls`` estimated calls per request, the ``hot_calls_per_request`` setting: a span on
    a function with nothing of its own to show would flood every trace with copies of one computation): they are no
    recommended caller whose loop measures a callee, and a hot function's reason names only the callers that keep
    their spans. A hot function whose evidence is its cost (loops, heavy computation) and that no recommended function
    calls would go unmeasured: its nearest ``promotable`` caller cheap enough for a span is promoted instead."""
    found: dict[SymbolId, str] = {}
    promoted: dict[SymbolId, Promotion] = {}
    measuring: dict[SymbolId, tuple[SymbolId, ...]] = {}
    named_last: list[tuple[Recommendation, tuple[float, SymbolId]]] = []
    hot: dict[SymbolId, tuple[float, SymbolId]] = {}
    candidates: list[tuple[Recommendation, CodeFacts | None]] = []
    for rec in recs:
        own = code(rec.symbol)
        if own is not None and own.own_io:
            continue  # it does I/O itself: one span per request is the granularity OpenTelemetry clients use too
        candidates.append((rec, own))
        busiest = None if _stands_alone(rec) else counts.busiest(rec.symbol)
        if busiest is not None and busiest[0] > hot_calls:
            hot[rec.symbol] = busiest

    def kept(symbol: SymbolId) -> bool:
        return symbol not in hot and recommended(symbol)

    in_loop = counts.calls.loops
    for rec, own in candidates:
        # work handed over (``to_thread(f)``, ``pool.submit(f)``: ``CallEdge.via``) is a unit of its own
        callers = {e.caller: e for e in graph.callers(rec.symbol) if e.caller != rec.symbol and not e.via}
        fans_out = own is not None and own.is_async
        looping = next(
            (
                e.caller
                for e in callers.values()
                if in_loop(e) and kept(e.caller) and not (fans_out and _not_awaited(e, code))
            ),
            None,
        )
        computes = not any(e.priority in _IO_OR_HANDOFF for e in rec.evidence)  # no I/O, not even via callees
        if looping is not None:
            if any(e.priority == COST_PRIORITY for e in rec.evidence):
                measuring[rec.symbol] = (looping,)
            found[rec.symbol] = (
                f"called in a loop of {span_name(split_symbol(looping)[1])} (also recommended): one span per"
                " iteration; that span already measures the loop"
            )
        elif rec.symbol in hot:
            named_last.append((rec, hot[rec.symbol]))  # its reason names callers: once the others are decided
        elif own is not None and _tiny(own, rec):
            found[rec.symbol] = (
                f"a tiny helper with {_no_io_found(rec.symbol, graph, code)}: the span would cost more than the work"
            )
        elif computes and callers and all(recommended(caller) for caller in callers):
            # a caller left out as hot runs inside recommended spans too (its reason names them)
            also = sorted(span_name(split_symbol(c)[1]) for c in callers if c in hot)
            who = f"recommended or too hot for a span ({', '.join(also)})" if also else "recommended"
            found[rec.symbol] = (
                f"computation with {_no_io_found(rec.symbol, graph, code)}, and every caller is {who}: the spans"
                " around them already measure it (a span here multiplies the spans per request)"
            )

    measured: dict[SymbolId, bool] = {}  # the answers below, until ``found`` or ``promoted`` takes the symbol

    def measured_by(symbol: SymbolId) -> bool:  # a span that stays, or one promoted for another hot function
        known = measured.get(symbol)
        if known is None:
            known = measured[symbol] = symbol in promoted or (symbol not in found and kept(symbol))
        return known

    for rec, busiest in named_last:
        nearest = [a for a in ancestors(graph, rec.symbol, measured_by) if a != rec.symbol and measured_by(a)]
        promotion = None
        if nearest and any(e.priority == COST_PRIORITY for e in rec.evidence):
            measuring[rec.symbol] = tuple(nearest)
        if not nearest and any(e.priority == COST_PRIORITY for e in rec.evidence):
            promotion = _nearest_affordable(graph, counts, rec.symbol, busiest, hot_calls, promotable)
            if promotion is not None:
                promoted[promotion.caller] = promotion
                measured.pop(promotion.caller, None)
        found[rec.symbol] = _hot_reason(nearest, busiest, promotion)
        measured.pop(rec.symbol, None)
    return CostDecision(found, promoted, measuring)


def _not_awaited(edge: CallEdge, code: Callable[[SymbolId], CodeFacts | None]) -> bool:
    """A coroutine made in a loop and not awaited there (``tasks.append(fetch(url))`` then ``gather``): the calls run
    concurrently, so the caller's span measures the slowest, not each; each call is a unit of its own."""
    caller = code(edge.caller)
    return caller is not None and caller.is_async and edge.range not in caller.awaited


def _nearest_affordable(
    graph: Graph,
    counts: RequestCounts,
    symbol: SymbolId,
    busiest: tuple[float, SymbolId],
    hot_calls: float,
    promotable: Callable[[SymbolId], bool],
) -> Promotion | None:
    """The nearest caller of ``symbol`` (breadth first, callers in name order, not through hand-offs nor module
    bodies) that is ``promotable`` and called at most ``hot_calls`` times per request."""
    seen = {symbol}
    level = [symbol]
    while level and len(seen) <= _MAX_ANCESTORS:
        following: list[tuple[SymbolId, Range]] = []
        for node in level:
            for edge in sorted(graph.callers(node), key=lambda e: (e.caller, e.range.start)):
                if edge.caller not in seen and not edge.via:
                    seen.add(edge.caller)
                    following.append((edge.caller, edge.range))
        for caller, site in following:
            if split_symbol(caller)[1] == MODULE_QUALNAME or not promotable(caller):
                continue
            own = counts.busiest(caller)
            if own is None or own[0] <= hot_calls:
                calls = own[0] if own is not None else 1.0
                return Promotion(caller, symbol, busiest[0], busiest[1], site, calls)
        level = [caller for caller, _ in following]
    return None


def _no_io_found(symbol: SymbolId, graph: Graph, code: Callable[[SymbolId], CodeFacts | None], limit: int = 50) -> str:
    """ "no I/O of its own", or, when calls of the function or of the workspace functions it reaches could not be
    resolved (I/O may hide behind them: ``current_app.search_client.query(...)``), "no I/O found (N calls
    unresolved)"."""
    unresolved, seen, todo = 0, {symbol}, [symbol]
    while todo and len(seen) <= limit:
        function = todo.pop()
        own = code(function)
        if own is None:
            continue
        unresolved += own.unresolved
        for edge in graph.callees(function):
            if not edge.external and edge.callee not in seen:
                seen.add(edge.callee)
                todo.append(edge.callee)
    if not unresolved:
        return "no I/O of its own"
    return f"no I/O found ({unresolved} call{'' if unresolved == 1 else 's'} unresolved)"


def _stands_alone(rec: Recommendation) -> bool:
    """Whether a recommendation's evidence is about the function itself (I/O, a write, error handling, a real entry
    point such as a route or a CLI command), which its span shows however often it runs."""
    return any(
        e.priority in _OWN_EVIDENCE or (e.priority == "entry_points" and e.detail != _PUBLIC_OPERATION)
        for e in rec.evidence
    )


def _hot_reason(nearest: list[SymbolId], busiest: tuple[float, SymbolId], promotion: Promotion | None) -> str:
    """Why a hot function is left out: the nearest recommended callers whose spans measure it, or the caller promoted
    in its place."""
    count, entry = busiest
    names = [span_name(split_symbol(a)[1]) for a in nearest[:MAX_NAMED_CALLERS]]
    more = f" and {len(nearest) - len(names)} more" if len(nearest) > len(names) else ""
    if names:
        instead = f"the spans of {', '.join(names)}{more} (recommended callers) measure it"
    elif promotion is not None:
        instead = (
            f"no recommended function calls it, so its nearest caller cheap enough for a span,"
            f" {span_name(split_symbol(promotion.caller)[1])}, is recommended to measure it"
        )
    else:
        instead = "trace the operation that calls it instead"
    return (
        f"estimated {count:,.0f} calls per request from {entry} (a loop counted as {LOOP_ITERATIONS} iterations),"
        f" with no I/O, error handling or entry point of its own: a span here adds as many spans; {instead}"
    )


def _tiny(own: CodeFacts, rec: Recommendation) -> bool:
    return own.short and not any(e.priority in _OPERATION_PRIORITIES for e in rec.evidence)


def cost_notes(recs: Iterable[Recommendation], reasons: dict[SymbolId, str]) -> tuple[CostNote, ...]:
    return tuple(
        CostNote(rec.symbol, rec.file, rec.range.start.line, reasons[rec.symbol])
        for rec in recs
        if rec.symbol in reasons
    )
