"""What spans would cost: functions not worth one because a recommended caller runs them in a loop (one span per
iteration, the caller's span already measures the loop), because the call graph estimates too many calls of them per
request and they have no I/O, error handling or entry point of their own (the spans of the recommended functions that
call them measure them), because every caller is recommended and they only compute (the callers' spans measure them),
or because they are tiny helpers the span would dwarf — a function that does I/O itself keeps its span, the
granularity OpenTelemetry's client instrumentations use. Which calls run once per loop iteration, how many times each
loop runs, which calls exclude each other (:func:`places`) and how many calls of each function one call of an entry
point makes (:class:`RequestCounts`) are read here, for both this decision and the spans-per-request figures of
:mod:`trace_advisor.volume`."""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from trace_advisor.datatypes import (
    LOOP_ITERATIONS,
    MODULE_QUALNAME,
    CallEdge,
    CostNote,
    EvidenceKind,
    LoopRef,
    Range,
    Recommendation,
    SymbolId,
    Unit,
    UnitOf,
    span_name,
    split_symbol,
)
from trace_advisor.detect.branches import returns_cached_first
from trace_advisor.detect.context import FunctionContext
from trace_advisor.detect.shape import unresolved_calls
from trace_advisor.resolve.callbacks import handles_messages, handles_requests, runs_as_unit, runs_later
from trace_advisor.work_units import (
    lifetime_iteration,
    lifetime_unit,
    runs_on_a_timer,
    ticks_until_done,
    waits_for_a_condition,
)
from trace_advisor.workspace import is_test_module, is_test_symbol

TINY_STATEMENTS = 2  # a body this short with no I/O of its own is cheaper than the span around it
MAX_FIXED = 1000  # a loop the code gives a count (``range(64)``) counts that many times, up to this
_LOOP_TEXT = 60  # a loop's header as shown in figures, at most this long
# a name that says a loop retries or follows redirects (``attempt``, ``max_retries``, ``self.max_redirects``)
_RETRY_NAME = re.compile(r"retr|attempt|tries|redirect|backoff", re.IGNORECASE)
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


@dataclass(frozen=True, slots=True)
class Loop:
    """A loop around calls, and how many times it runs them, read from its shape: ``items`` (over items of unknown
    number: LOOP_ITERATIONS), ``fixed`` (a count the code gives: ``range(3)``, a display, a local name bound to one),
    ``retry`` (a retry or redirect loop, or one whose body leaves it: one pass unless the operation fails) or
    ``lifetime`` (a loop that runs for the process's life, each pass one ``unit``: a job, a message, a poll; not a
    multiplier of the call of its function: each pass is counted from the function as an entry point of its own).
    ``periodic`` is no loop but a branch that runs on a timer (``if self.should_run_maintenance_tasks:``, ``if
    time.monotonic() - self.last > self.interval:``): a call in it runs once in a while, not per call of its function
    (0), and its callee is counted as an entry point of its own, per poll. ``handler`` is no loop but an ``except``
    handler: its calls run when something failed, once on every path, not on the typical one."""

    kind: Literal["items", "fixed", "retry", "lifetime", "periodic", "handler"]
    times: float
    text: str  # its header as written, shortened: ``for row in csv.DictReader(handle)``
    unit: Unit | None = None  # what one pass of a ``lifetime`` loop serves

    def count(self, items: float = LOOP_ITERATIONS, passes: float = 0.0, failures: float = 1.0) -> float:
        """Its iterations, with ``items`` for a loop over items of unknown number, ``passes`` for a loop that runs
        for the process's life (0: its passes are units of their own, not counted in a call of its function) and
        ``failures`` for an ``except`` handler (1: every path taken; 0: the typical path, on which nothing fails)."""
        if self.kind == "lifetime":
            return passes
        if self.kind == "periodic":
            return 0.0
        if self.kind == "handler":
            return failures
        return items if self.kind == "items" else self.times


LoopNest = tuple[Loop, ...]  # the loops around a call, outermost first
# the branches around a call, outermost first: (which ``if`` of the function, arm, the arm's share of the calls of the
# function on the typical path: 1/2 for either arm of an ``if`` or a conditional expression, 1/n for a ``match`` case)
Arms = tuple[tuple[int, int, float], ...]


@dataclass(frozen=True, slots=True)
class Place:
    """Where a call runs in its function: the loops that run it per iteration, and the arms of branches (``if``,
    ``match`` cases, conditional expressions) it is in, so that calls in two arms of one branch count as one or the
    other."""

    loops: LoopNest = ()
    arms: Arms = ()


_NOWHERE = Place()


class LoopCalls:
    """Where its caller runs a call edge (``places(caller)``: :func:`call_places` of the caller, remembered per
    caller): in which loops, in which arms."""

    def __init__(self, places: Callable[[SymbolId], Mapping[Range, Place]]) -> None:
        self._read = places
        self._places: dict[SymbolId, Mapping[Range, Place]] = {}

    def place(self, edge: CallEdge) -> Place:
        found = self._places.get(edge.caller)
        if found is None:
            found = self._places[edge.caller] = self._read(edge.caller)
        return found.get(edge.range, _NOWHERE)

    def __call__(self, edge: CallEdge) -> bool:
        """Whether the call repeats per iteration of a loop (a retry loop's one pass does not count, nor a loop that
        runs for the process's life: each pass is a unit, which no span around the loop measures)."""
        return any(loop.kind in ("items", "fixed") for loop in self.place(edge).loops)


def call_places(ctx: FunctionContext) -> dict[Range, Place]:
    """Where each call of a function that runs in a loop or a branch is -> its :class:`Place`."""
    found = places(ctx.node)
    return {c.range: found[id(c.node)] for c in ctx.calls if id(c.node) in found}


def combined(calls: Iterable[tuple[Arms, float]], typical: bool = False) -> float:
    """The calls one call of a function makes of one callee from its call sites (each with its arms and count):
    sites in different arms of one ``if`` count as the larger arm (every path: whichever arm runs), the others add
    up; or, ``typical``, each arm weighted by its share (a static estimate of how often it runs, as compilers make
    one without a profile: either arm of an ``if`` half the time, a ``match`` case 1/n), so that a call in an ``if``
    without ``else`` counts 1/2 and one two ``if``s deep 1/4."""
    return _combined(list(calls), 0, typical)


def _combined(calls: list[tuple[Arms, float]], depth: int, typical: bool) -> float:
    total = 0.0
    branches: dict[int, dict[int, tuple[float, list[tuple[Arms, float]]]]] = {}
    for arms, times in calls:
        if len(arms) == depth:
            total += times
        else:
            which, arm, share = arms[depth]
            branches.setdefault(which, {}).setdefault(arm, (share, []))[1].append((arms, times))
    for by_arm in branches.values():
        inside = [(share, _combined(found, depth + 1, typical)) for share, found in by_arm.values()]
        total += sum(share * n for share, n in inside) if typical else max(n for _, n in inside)
    return total


class GraphCalls:
    """Per workspace function, how many times one call of it calls each workspace callee: its resolved call sites
    added (a site that may call one of n functions, overrides or a parameter's possible values, counts 1/n for each:
    it calls one of them; sites in two arms of one branch count as the larger arm),
    each multiplied by the iterations of the loops around
    it (:class:`Loop`; ``items`` for a loop over items of unknown number), read lazily, remembered; and per callee the
    outermost loop over items around its calls (:meth:`loop`). ``stamp(module)`` is an object that stays the same
    (``is``) while the module's resolved calls are the same (the index's ``module_calls``): :meth:`renewed` reads
    again only those of modules whose stamp changed."""

    def __init__(
        self,
        graph: Graph,
        loops: LoopCalls,
        stamp: Callable[[str], object] = lambda _: None,
        items: float = LOOP_ITERATIONS,
        typical: bool = False,
    ) -> None:
        self._graph = graph
        self.loops = loops
        self._stamp = stamp
        self.items = items
        self.typical = typical  # the typical path (nothing fails, branches weighted), not every path
        self._calls: dict[SymbolId, dict[SymbolId, float]] = {}
        self._loops: dict[SymbolId, dict[SymbolId, Loop]] = {}
        self._lifetime: dict[SymbolId, Loop] = {}  # a function -> its (first) loop that runs for the process's life
        self._timed: dict[SymbolId, dict[SymbolId, Loop]] = {}  # a function -> callees it calls on a timer, the branch
        # a function -> the functions it hands to a job queue or registers as request handlers
        self._handed: dict[SymbolId, frozenset[SymbolId]] = {}
        self._passes: dict[SymbolId, dict[SymbolId, float]] = {}  # such a function -> the calls of one pass
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

    def loop(self, caller: SymbolId, callee: SymbolId) -> Loop | None:
        """The outermost loop over items around the calls of ``callee`` by ``caller`` (the first such call)."""
        self(caller)
        return self._loops.get(caller, {}).get(callee)

    def lifetime(self, caller: SymbolId) -> Loop | None:
        """The loop of ``caller`` that runs for the process's life (the first around a call), if it has one: one call
        of ``caller`` counts none of the calls in it (0 each), :meth:`per_pass` counts one pass."""
        self(caller)
        return self._lifetime.get(caller)

    def timed(self, caller: SymbolId) -> Mapping[SymbolId, Loop]:
        """The callees ``caller`` calls in a branch that runs on a timer (a ``periodic`` :class:`Loop`), each with
        the first such branch: each is counted as an entry point of its own, per poll."""
        self(caller)
        return self._timed.get(caller, {})

    def handed(self, caller: SymbolId) -> frozenset[SymbolId]:
        """The functions ``caller`` hands to a job queue (``queue.enqueue(execute_query, ...)``) or registers as a web
        framework's request handlers (``web.get("/info", api.info)``): an edge whose ``via``
        :func:`~trace_advisor.resolve.callbacks.runs_as_unit`. Each runs later, a job or a request of its own (counted
        0 in a call of ``caller``, and from itself as an entry point)."""
        self(caller)
        return self._handed.get(caller, frozenset())

    def per_pass(self, caller: SymbolId) -> Mapping[SymbolId, float]:
        """The calls one pass of ``caller``'s loops that run for the process's life makes (the calls outside them,
        made once at start-up, aside)."""
        found = self._passes.get(caller)
        if found is None:
            found = self._passes[caller] = self._count(caller, passes=True) if self.lifetime(caller) else {}
        return found

    def _count(self, caller: SymbolId, passes: bool = False) -> dict[SymbolId, float]:
        sites: dict[SymbolId, list[tuple[Arms, float]]] = {}
        loops: dict[SymbolId, Loop] = {}
        edges = [e for e in self._graph.callees(caller) if not e.external and e.callee != caller]
        # a call site -> how many workspace functions it may call: it calls one of them (overrides, a parameter's
        # possible values, a table's entries); the implicit calls of a statement (``__enter__``, ``__exit__``) each run
        targets: dict[tuple[Range, str], int] = {}
        for edge in edges:
            key = _alternatives(edge)
            targets[key] = targets.get(key, 0) + 1
        lifetime: Loop | None = None
        timed: dict[SymbolId, Loop] = {}
        handed: set[SymbolId] = set()
        routes = [e.range for e in edges if e.via and handles_requests(e.via)]
        for edge in edges:
            place = self.loops.place(edge)
            times = 1.0 / targets[_alternatives(edge)]
            if edge.via and runs_as_unit(edge.via):
                handed.add(edge.callee)
                times = 0.0  # run later, per job or per request: stays, counted 0, so that walks still reach it
            elif edge.via and routes and runs_later(edge.via) and _within(edge.range, routes):
                times = 0.0  # ``web.get("/logs", partial(api.logs, follow=True))``: what the partial calls, per request
            ends = next((loop for loop in place.loops if loop.kind == "lifetime"), None)
            lifetime = lifetime or ends
            if passes and ends is None:
                continue  # made once, at start-up: not in a pass
            for loop in place.loops:
                times *= loop.count(self.items, 1.0 if passes else 0.0, 0.0 if self.typical else 1.0)
                if loop.kind == "items" and edge.callee not in loops:
                    loops[edge.callee] = loop
                elif loop.kind == "periodic":
                    timed.setdefault(edge.callee, loop)
            # a call in a loop that runs for the process's life stays, counted 0, so that walks still reach it
            sites.setdefault(edge.callee, []).append((place.arms, times))
        if passes:
            return {callee: combined(found, self.typical) for callee, found in sites.items()}
        if loops:
            self._loops[caller] = loops
        if lifetime is not None:
            self._lifetime[caller] = lifetime
        if timed:
            self._timed[caller] = timed
        if handed:
            self._handed[caller] = frozenset(handed)
        return {callee: combined(found, self.typical) for callee, found in sites.items()}

    def with_items(self, items: float) -> GraphCalls:
        """These calls with ``items`` iterations for each loop over items of unknown number (1: one pass)."""
        return GraphCalls(self._graph, self.loops, self._stamp, items, self.typical)

    def on_typical_path(self) -> GraphCalls:
        """These calls on the typical path: nothing fails (the calls of ``except`` handlers count 0) and each arm of
        a branch counts its share (:func:`combined`)."""
        return GraphCalls(self._graph, self.loops, self._stamp, self.items, typical=True)

    def renewed(self, loops: LoopCalls) -> tuple[GraphCalls, set[SymbolId]]:
        """These calls for the graph as it is now, and the functions whose calls changed since they were read (other
        callees, other counts, another order). The functions of a module whose stamp is the same are taken as they
        are; those of the others are read again."""
        fresh = GraphCalls(self._graph, loops, self._stamp, self.items, self.typical)
        changed: set[SymbolId] = set()
        for module, (stamp, callers) in self._read.items():
            now = self._stamp(module)
            if now is stamp:
                fresh._read[module] = (stamp, list(callers))
                fresh._calls.update((caller, self._calls[caller]) for caller in callers)
                fresh._loops.update((caller, self._loops[caller]) for caller in callers if caller in self._loops)
                fresh._lifetime.update((c, self._lifetime[c]) for c in callers if c in self._lifetime)
                fresh._timed.update((c, self._timed[c]) for c in callers if c in self._timed)
                fresh._handed.update((c, self._handed[c]) for c in callers if c in self._handed)
                fresh._passes.update((c, self._passes[c]) for c in callers if c in self._passes)
                continue
            for caller in callers:  # in the order a walk reads them: the order of their callees matters too
                if (
                    list(fresh(caller).items()) != list(self._calls[caller].items())
                    or fresh._loops.get(caller) != self._loops.get(caller)
                    or fresh._lifetime.get(caller) != self._lifetime.get(caller)
                    or fresh._timed.get(caller) != self._timed.get(caller)
                    or fresh._handed.get(caller) != self._handed.get(caller)
                    or (caller in self._passes and _changed(fresh.per_pass(caller), self._passes[caller]))
                ):
                    changed.add(caller)
        return fresh, changed


def _within(span: Range, outer: Iterable[Range]) -> bool:
    """Whether ``span`` lies inside one of ``outer``."""
    return any(o.start <= span.start and span.end <= o.end for o in outer)


def _changed(now: Mapping[SymbolId, float], before: Mapping[SymbolId, float]) -> bool:
    """Whether a function's calls changed: other callees, other counts or another order."""
    return list(now.items()) != list(before.items())


def _alternatives(edge: CallEdge) -> tuple[Range, str]:
    """The call site of an edge, and for a special method (``__enter__``, ``__iter__``) its name: the edges that
    share this key are the functions one call there may run, one of them."""
    name = edge.callee.rpartition(".")[2].rpartition(":")[2]
    return edge.range, name if name.startswith("__") and name.endswith("__") else ""


def calls_from(entry: SymbolId, calls: Callable[[SymbolId], Mapping[SymbolId, float]]) -> dict[SymbolId, float]:
    """How many times one call of ``entry`` calls each function it reaches (``calls(f)``: callee -> calls per call
    of ``f``; recursion counted once: back edges of a depth-first walk are dropped)."""
    return _propagate(entry, calls)[0]


def heaviest_loops(
    entry: SymbolId,
    calls: Callable[[SymbolId], Mapping[SymbolId, float]],
    loop: Callable[[SymbolId, SymbolId], Loop | None],
) -> dict[SymbolId, tuple[SymbolId, Loop]]:
    """For each function one call of ``entry`` reaches through a loop over items (``loop(caller, callee)``), the
    loop (the nearest on each way in) through which most of its calls come, with the function it is in: the loop
    whose unknown length its figure rests on most."""
    return _propagate(entry, calls, loop)[1]


def _propagate(
    entry: SymbolId,
    calls: Callable[[SymbolId], Mapping[SymbolId, float]],
    loop: Callable[[SymbolId, SymbolId], Loop | None] | None = None,
) -> tuple[dict[SymbolId, float], dict[SymbolId, tuple[SymbolId, Loop]]]:
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
    # per function, its calls by the loop over items they came through (the nearest on their way; None: no loop)
    through: dict[SymbolId, dict[tuple[SymbolId, Loop] | None, float]] = {}
    dominant: dict[SymbolId, tuple[SymbolId, Loop]] = {}
    for node in reversed(order):  # a topological order of the walk without its back edges
        here = counts.get(node, 0.0)
        if loop is not None and through.get(node):
            weights = [(calls_in, key) for key, calls_in in through[node].items() if key is not None]
            if weights:
                dominant[node] = max(weights, key=lambda w: w[0])[1]
        for callee, times in calls(node).items():
            if (node, callee) not in back and callee in state:
                counts[callee] = min(counts.get(callee, 0.0) + here * times, MAX_CALLS)
                if loop is not None:
                    own = loop(node, callee)
                    key = (node, own) if own is not None else dominant.get(node)
                    into = through.setdefault(callee, {})
                    into[key] = into.get(key, 0.0) + here * times
    return counts, dominant


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
        self._wires: dict[SymbolId, bool] = {}
        self._classes: dict[str, list[SymbolId]] | None = None  # a class -> its methods among the entry points

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
        """The entry points counted from: the call graph's, module bodies and test code aside, the functions only
        test code calls (a library's API its tests exercise): tests say nothing about how production calls it, and
        the functions only module bodies call (``if __name__ == "__main__": cli()`` in a package's ``__main__``)."""
        if self._entries is None:
            graph_roots = self._graph.entry_points()
            roots = [e for e in graph_roots if split_symbol(e)[1] != MODULE_QUALNAME]
            found = [e for e in roots if not is_test_symbol(e)]
            found.extend(self._called_only_by_tests([e for e in roots if is_test_symbol(e)]))
            bodies = [e for e in graph_roots if split_symbol(e)[1] == MODULE_QUALNAME]
            found.extend(e for e in self._called_only_by_bodies(bodies) if e not in found)
            self._entries = tuple(found[:MAX_ENTRIES])
        return self._entries

    def _called_only_by_bodies(self, bodies: list[SymbolId]) -> list[SymbolId]:
        """The workspace functions outside test code that module bodies call and nothing else does."""
        found: set[SymbolId] = set()
        for body in bodies:
            if is_test_symbol(body):
                continue
            for edge in self._graph.callees(body):
                module, qualname = split_symbol(edge.callee)
                if edge.external or edge.via or "<" in qualname or is_test_module(module):
                    continue
                callee = edge.callee
                if all(split_symbol(e.caller)[1] == MODULE_QUALNAME for e in self._graph.callers(callee)):
                    found.add(callee)
        return sorted(found)

    def _called_only_by_tests(self, tests: list[SymbolId]) -> list[SymbolId]:
        """The functions outside test code that test code (reached from ``tests``) calls and nothing else does."""
        seen, todo, found = set(tests), list(tests), []
        while todo and len(seen) <= _MAX_ANCESTORS:
            for edge in self._graph.callees(todo.pop()):
                callee = edge.callee
                if edge.external or callee in seen:
                    continue
                seen.add(callee)
                if is_test_symbol(callee):
                    todo.append(callee)
                elif "<locals>" not in callee and all(
                    is_test_symbol(e.caller) or e.caller == callee for e in self._graph.callers(callee)
                ):
                    found.append(callee)
        return sorted(found)

    def units(self) -> tuple[SymbolId, ...]:
        """The functions the entry points reach (their walks read them all) with a loop that runs for the process's
        life, each pass of which is counted from the function as an entry point of its own (:meth:`from_entry`), and
        the functions they call on a timer (``if self.should_run_maintenance_tasks:``), each run counted from the
        callee as an entry point of its own (:meth:`unit_of` says which), and the functions they hand to a job queue
        or register as request handlers (:meth:`GraphCalls.handed`), each a job or a request of its own, in name
        order."""
        reached: set[SymbolId] = set()
        for entry in self.entries():
            reached.update(self.from_entry(entry))
        found = {s for s in reached if self.calls.lifetime(s) is not None}
        found.update(callee for s in reached for callee in self.calls.timed(s))
        found.update(unit for s in reached for unit in self.calls.handed(s))
        # what module-level code registers (``urlpatterns = [path(...)]``, ``app = Starlette(routes=[...])``)
        bodies = [e for e in self._graph.entry_points() if split_symbol(e)[1] == MODULE_QUALNAME]
        found.update(unit for body in bodies if not is_test_symbol(body) for unit in self.calls.handed(body))
        return tuple(sorted(found))

    def unit_of(self, entry: SymbolId, unit: Callable[[SymbolId], Unit]) -> UnitOf:
        """What the figures from ``entry`` are per: one pass of its loop that runs for the process's life, one run of
        the branch on a timer a caller runs it in, a job when a caller hands it to a job queue, a request when one
        registers it as a request handler, or what one call of it serves (``unit``: a request, a CLI run...)."""
        loop = self.calls.lifetime(entry)
        if loop is not None and loop.unit is not None:
            return UnitOf(loop.unit, LoopRef(loop.text, entry))
        handed: Unit | None = None
        for edge in self._graph.callers(entry):
            branch = self.calls.timed(edge.caller).get(entry)
            if branch is not None and branch.unit is not None:
                return UnitOf(branch.unit, LoopRef(branch.text, edge.caller), periodic=True)
            if handed is None and edge.via and entry in self.calls.handed(edge.caller):
                handed = (
                    Unit.REQUEST
                    if handles_requests(edge.via)
                    else Unit.MESSAGE
                    if handles_messages(edge.via)
                    else Unit.JOB
                )
        found = handed or unit(entry)
        return UnitOf(Unit.START if found is Unit.CALL and self.starts_process(entry) else found)

    def starts_process(self, entry: SymbolId) -> bool:
        """Whether the entry point ``entry`` is the process's start-up code, run once per process start, not per
        call: it wires the web application (what it reaches registers request handlers), or it is a method nothing
        calls of a class whose other such method does (supervisor's ``Core.start`` and ``Core.stop`` beside
        ``Core.setup``, which registers the API's handlers)."""
        if self._wired(entry):
            return True
        owner, _, name = split_symbol(entry)[1].rpartition(".")
        if not owner or "<locals>" in owner:
            return False
        if self._classes is None:
            self._classes = {}
            for symbol in self.entries():
                module, qualname = split_symbol(symbol)
                if "." in qualname and "<locals>" not in qualname:
                    self._classes.setdefault(f"{module}:{qualname.rpartition('.')[0]}", []).append(symbol)
        siblings = self._classes.get(f"{split_symbol(entry)[0]}:{owner}", [])
        return any(self._wired(method) for method in siblings if method != entry)

    def _wired(self, entry: SymbolId) -> bool:
        """Whether what ``entry`` reaches registers a web framework's request handlers."""
        found = self._wires.get(entry)
        if found is None:
            found = self._wires[entry] = any(
                edge.via and handles_requests(edge.via)
                for symbol in self.from_entry(entry)
                if self.calls.handed(symbol)
                for edge in self._graph.callees(symbol)
            )
        return found

    def walk(self, entry: SymbolId) -> Callable[[SymbolId], Mapping[SymbolId, float]]:
        """The calls a walk from ``entry`` reads per function: one pass of its loop that runs for the process's life
        for ``entry`` itself when it has one, else every function's calls per call."""
        if self.calls.lifetime(entry) is None:
            return self.calls
        calls, passes = self.calls, self.calls.per_pass
        return lambda symbol: passes(symbol) if symbol == entry else calls(symbol)

    def from_entry(self, entry: SymbolId) -> dict[SymbolId, float]:
        """How many times one call of ``entry`` calls each function it reaches (one pass of its loop that runs for the
        process's life, when it has one); functions reached only inside such loops further on count 0."""
        found = self._from.get(entry)
        if found is None:
            found = self._from[entry] = calls_from(entry, self.walk(entry))
        return found

    def busiest(self, symbol: SymbolId) -> tuple[float, SymbolId] | None:
        """The most calls of ``symbol`` one call of an entry point (or one pass of a loop that runs for the process's
        life) makes, and that entry point (None: no entry point reaches it)."""
        if symbol in self._busiest:
            return self._busiest[symbol]
        found = self._busiest[symbol] = self._find_busiest(symbol)
        return found

    def _find_busiest(self, symbol: SymbolId) -> tuple[float, SymbolId] | None:
        found = list(ancestors(self._graph, symbol, lambda _: False))
        above = set(found)
        units = sorted(
            {a for a in found if a != symbol and self.calls.lifetime(a) is not None}
            | {c for a in found for c in (*self.calls.timed(a), *self.calls.handed(a)) if c in above}
        )
        best: tuple[float, SymbolId] | None = None
        # in order, as :func:`trace_advisor.volume.with_costs` reads them: entry points, then loops' functions
        for entry in (*self.entries(), *units):
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


def places(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[int, Place]:
    """id of each call of a function that runs in a loop or a branch -> its :class:`Place`. Loops (outermost first):
    a ``for`` body or a ``while`` (test and body), a comprehension's element, conditions and later iterables (one loop
    per ``for`` clause); not a ``for``'s iterable, its ``else`` or a comprehension's first iterable, which run once.
    Each loop's count is read from its shape (:func:`loop_of`). Arms: the body and ``else`` of an ``if`` (``if x``
    and a later ``if not x`` in the same block are the two arms of one), the cases of a ``match``, the two values of
    a conditional expression, the operands of ``and`` and ``or`` after the first (each runs only when those before
    it do not decide: an arm of its own, half the time)."""
    found: dict[int, Place] = {}
    displays = _DisplayNames(function)
    ordinals = iter(range(1 << 30))
    flags: dict[tuple[Arms, str], int] = {}  # ``if x`` seen in a block (its arms) -> its ordinal

    def branch(test: ast.expr, arms: Arms) -> tuple[int, int]:
        """The ordinal of an ``if`` and the arm its body is: ``if not x`` after ``if x`` is the other arm of it (each
        half the time)."""
        negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        flag = test.operand if isinstance(test, ast.UnaryOp) and negated else test
        if not isinstance(flag, ast.Name | ast.Attribute):
            return next(ordinals), 0
        key = (arms, ast.unparse(flag))
        if key not in flags:
            flags[key] = next(ordinals)
        return flags[key], int(negated)

    def visit(node: ast.AST, nest: LoopNest, arms: Arms) -> None:
        if isinstance(node, _NOT_WALKED):
            return
        if isinstance(node, ast.Call) and (nest or arms):
            found[id(node)] = Place(nest, arms)
        if isinstance(node, ast.For | ast.AsyncFor | ast.While):
            inner = (*nest, loop_of(node, displays))
            if isinstance(node, ast.While):
                visit(node.test, inner, arms)
            else:
                visit(node.target, nest, arms)
                visit(node.iter, nest, arms)
            for stmt in node.body:
                visit(stmt, inner, arms)
            for stmt in node.orelse:
                visit(stmt, nest, arms)
        elif isinstance(node, ast.If | ast.IfExp):
            visit(node.test, nest, arms)
            which, arm = branch(node.test, arms) if isinstance(node, ast.If) else (next(ordinals), 0)
            timer = isinstance(node, ast.If) and runs_on_a_timer(node.test)
            gated = nest
            if timer:  # (its header is written only then: unparsing every test was a third of this walk's time)
                gated = (*nest, Loop("periodic", 0.0, _header(f"if {ast.unparse(node.test)}"), Unit.POLL))
            for part in node.body if isinstance(node, ast.If) else [node.body]:
                visit(part, gated, (*arms, (which, arm, 0.5)))
            for part in node.orelse if isinstance(node, ast.If) else [node.orelse]:
                visit(part, nest, (*arms, (which, 1 - arm, 0.5)))
        elif isinstance(node, ast.BoolOp):
            visit(node.values[0], nest, arms)
            for value in node.values[1:]:  # ``a and b()``: ``b()`` runs only when ``a`` does not decide
                arms = (*arms, (next(ordinals), 0, 0.5))
                visit(value, nest, arms)
        elif isinstance(node, ast.Try | ast.TryStar):
            for stmt in (*node.body, *node.orelse, *node.finalbody):
                visit(stmt, nest, arms)
            for handler in node.handlers:
                caught = f"except {ast.unparse(handler.type)}" if handler.type is not None else "except"
                failed = (*nest, Loop("handler", 1.0, _header(caught)))
                for stmt in handler.body:
                    visit(stmt, failed, arms)
        elif isinstance(node, ast.Match):
            visit(node.subject, nest, arms)
            which = next(ordinals)
            for number, case in enumerate(node.cases):
                guard: list[ast.AST] = [case.guard] if case.guard else []
                for inside in [*guard, *case.body]:
                    visit(inside, nest, (*arms, (which, number, 1 / len(node.cases))))
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            levels = nest
            for generator in node.generators:  # each ``for`` clause nests in the ones before
                visit(generator.iter, levels, arms)
                levels = (*levels, _clause_loop(generator, displays))
                for condition in generator.ifs:
                    visit(condition, levels, arms)
            elements = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for element in elements:
                visit(element, levels, arms)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, nest, arms)

    try:
        for stmt in function.body:
            visit(stmt, (), ())
    finally:  # the walk calls itself through its closure: a reference cycle, left to the cyclic collector otherwise
        visit = _walked
    return found


# nodes with no call under them, two of every five a walk meets (a name and its ``Load``): not walked into
_NO_CALLS_UNDER = (ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
_NOT_WALKED = (*_NO_CALLS_UNDER, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)  # (their own scopes)


def _walked(node: ast.AST, nest: LoopNest, arms: Arms) -> None:
    """What :func:`places`' walk is once done (so that it no longer refers to itself)."""


def loop_of(node: ast.For | ast.AsyncFor | ast.While, displays: Mapping[str, int]) -> Loop:
    """What a loop statement counts as: a retry or redirect loop (a name that says so in its header, or a guard
    against a bound that says so, ``if len(resp.history) >= self.max_redirects: raise``), or a loop whose body leaves
    it at the end of its first pass, or a ``while`` that sleeps until a condition it asks for changes
    (:func:`trace_advisor.work_units.waits_for_a_condition`), or a loop over a ticker's ticks that leaves once what it
    waits for is there, runs once; a ``while`` that runs for the process's life around a wait for its next unit
    (:func:`trace_advisor.work_units.lifetime_unit`), or a ``for`` over a ticker or a consumer that leaves only when
    told (:func:`trace_advisor.work_units.lifetime_iteration`), is a ``lifetime`` loop; a count
    the code gives is that count (``displays``: local names bound once to a display, with its length); anything else
    is a loop over items of unknown number."""
    if isinstance(node, ast.While):
        text = f"while {ast.unparse(node.test)}"
        header: list[ast.AST] = [node.test]
    else:
        keyword = "async for" if isinstance(node, ast.AsyncFor) else "for"
        text = f"{keyword} {ast.unparse(node.target)} in {ast.unparse(node.iter)}"
        header = [node.target, node.iter]
    text = _header(text)
    if any(_says_retry(part) for part in header) or _leaves_after_one_pass(node.body) or _retry_guard(node.body):
        return Loop("retry", 1.0, text)
    if isinstance(node, ast.While) and waits_for_a_condition(node):
        return Loop("retry", 1.0, text)  # ``while is_suspended(): sleep(1)``: the common case does not wait
    unit = lifetime_unit(node) if isinstance(node, ast.While) else lifetime_iteration(node)
    if unit is not None:
        return Loop("lifetime", 1.0, text, unit)
    if not isinstance(node, ast.While) and ticks_until_done(node):
        return Loop("retry", 1.0, text)  # ``async for _ in poll(0.5): if done: return``: a wait, one pass
    count = None if isinstance(node, ast.While) else _fixed_count(node.iter, displays)
    return Loop("fixed", count, text) if count is not None else Loop("items", LOOP_ITERATIONS, text)


def _header(text: str) -> str:
    """A loop's or branch's header as shown in figures: at most _LOOP_TEXT characters."""
    return text if len(text) <= _LOOP_TEXT else text[: _LOOP_TEXT - 1] + "…"


def _clause_loop(generator: ast.comprehension, displays: Mapping[str, int]) -> Loop:
    text = _header(f"for {ast.unparse(generator.target)} in {ast.unparse(generator.iter)}")
    count = _fixed_count(generator.iter, displays)
    return Loop("fixed", count, text) if count is not None else Loop("items", LOOP_ITERATIONS, text)


def _says_retry(node: ast.AST) -> bool:
    return any(
        _RETRY_NAME.search(n.id if isinstance(n, ast.Name) else n.attr)
        for n in ast.walk(node)
        if isinstance(n, ast.Name | ast.Attribute)
    )


def _leaves_after_one_pass(body: list[ast.stmt]) -> bool:
    """Whether the body's last statement leaves the loop (``return``, ``break``, ``raise``), or is a ``try`` whose
    body or ``else`` ends so: the loop runs again only when something fails (``continue`` in a handler)."""
    last = body[-1] if body else None
    if isinstance(last, ast.Return | ast.Break | ast.Raise):
        return True
    if isinstance(last, ast.Try):
        ends = [last.body[-1]] + ([last.orelse[-1]] if last.orelse else [])
        return any(isinstance(end, ast.Return | ast.Break) for end in ends)
    return False


def _retry_guard(body: list[ast.stmt]) -> bool:
    """An ``if`` in the loop (not in a nested loop or function) that compares against a retry or redirect bound and
    leaves the loop."""
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.For | ast.AsyncFor | ast.While | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Compare)
            and _says_retry(node.test)
            and any(isinstance(s, ast.Raise | ast.Break | ast.Return) for s in node.body)
        ):
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


def _fixed_count(iterable: ast.expr, displays: Mapping[str, int]) -> float | None:
    """The number of items of ``range`` over integer literals, of a display without ``*``, or of a local name bound
    once to one (None: not given by the code)."""
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.func.id == "range":
        bounds = [a.value for a in iterable.args if isinstance(a, ast.Constant) and type(a.value) is int]
        if len(bounds) == len(iterable.args) and 1 <= len(bounds) <= 3 and not iterable.keywords:
            return float(min(max(len(range(*bounds)), 0), MAX_FIXED))
        return None
    if isinstance(iterable, ast.Tuple | ast.List | ast.Set) and not any(
        isinstance(e, ast.Starred) for e in iterable.elts
    ):
        return float(len(iterable.elts))
    if isinstance(iterable, ast.Name) and iterable.id in displays:
        return float(displays[iterable.id])
    return None


class _DisplayNames(Mapping[str, int]):
    """:func:`_display_names` of a function, found when a loop over a local name first asks (most loops are not)."""

    def __init__(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._function = function
        self._found: dict[str, int] | None = None

    def _names(self) -> dict[str, int]:
        if self._found is None:
            self._found = _display_names(self._function)
        return self._found

    def __getitem__(self, name: str) -> int:
        return self._names()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


_GROWS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "__setitem__"})


def _display_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, int]:
    """Local names bound exactly once to a list, tuple or set display without ``*`` and never grown in place."""
    bound: dict[str, int] = {}
    dropped: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
            if name in bound or not isinstance(value, ast.Tuple | ast.List | ast.Set):
                dropped.add(name)
            elif any(isinstance(e, ast.Starred) for e in value.elts):
                dropped.add(name)
            else:
                bound[name] = len(value.elts)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.NamedExpr) and isinstance(node.target, ast.Name):
            dropped.add(node.target.id)
        elif isinstance(node, ast.Attribute) and node.attr in _GROWS and isinstance(node.value, ast.Name):
            dropped.add(node.value.id)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
            dropped.add(node.value.id)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension) and isinstance(node.target, ast.Name):
            dropped.add(node.target.id)
    return {name: size for name, size in bound.items() if name not in dropped}


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
    memoized: bool = False  # returns a cached value before its first ``try`` (:func:`returns_cached_first`)


def code_facts(ctx: FunctionContext) -> CodeFacts:
    body = [s for s in ctx.node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    blocks = any(isinstance(s, ast.For | ast.While | ast.Try | ast.With) for s in body)
    short = len(body) <= TINY_STATEMENTS and not blocks
    is_async = isinstance(ctx.node, ast.AsyncFunctionDef)
    awaited_nodes = {id(n.value) for n in ctx.nodes if isinstance(n, ast.Await)} if is_async else set()
    awaited = frozenset(c.range for c in ctx.calls if id(c.node) in awaited_nodes)
    own_io = any(c.api is not None for c in ctx.calls)
    memoized = returns_cached_first(body)
    return CodeFacts(own_io, short, len(unresolved_calls(ctx)), is_async, awaited, memoized)


@dataclass(frozen=True, slots=True)
class Promotion:
    """A caller that gets a span in place of a hot function no recommended function measures: the nearest caller
    cheap enough for a span (at most ``hot_calls_per_unit`` calls per unit of work)."""

    caller: SymbolId
    hot: SymbolId
    calls: float  # the hot function's estimated calls per unit of ``entry``
    entry: SymbolId  # from which entry point
    site: Range  # the caller's call on the way to the hot function
    caller_calls: float  # the caller's own estimated calls per unit of work (1: nothing calls it)


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
    unit: Callable[[SymbolId], Unit] = lambda _: Unit.CALL,
) -> CostDecision:
    """Recommended functions whose span would cost more than it tells, with why. Functions too hot for a span are
    found first (more than ``hot_calls`` estimated calls per unit of work, the ``hot_calls_per_unit`` setting: a span on
    a function with nothing of its own to show would flood every trace with copies of one computation): they are no
    recommended caller whose loop measures a callee, and a hot function's reason names only the callers that keep
    their spans. A hot function whose evidence is its cost (loops, heavy computation) and that no recommended function
    calls would go unmeasured: its nearest ``promotable`` caller cheap enough for a span is promoted instead."""
    found: dict[SymbolId, str] = {}
    promoted: dict[SymbolId, Promotion] = {}
    measuring: dict[SymbolId, tuple[SymbolId, ...]] = {}
    named_last: list[tuple[Recommendation, tuple[float, SymbolId], CodeFacts | None]] = []
    hot: dict[SymbolId, tuple[float, SymbolId]] = {}
    candidates: list[tuple[Recommendation, CodeFacts | None]] = []
    for rec in recs:
        own = code(rec.symbol)
        if own is not None and own.own_io:
            continue  # it does I/O itself: one span per request is the granularity OpenTelemetry clients use too
        if any(e.kind is EvidenceKind.WORK for e in rec.evidence):
            continue  # a job's run or submission: one span per job, as messaging instrumentations make per message
        candidates.append((rec, own))
        busiest = None if _stands_alone(rec, own) else counts.busiest(rec.symbol)
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
        # no I/O, not even via callees, and no job's own work run (the user's code: whatever it does)
        computes = not any(e.priority in _IO_OR_HANDOFF or e.kind is EvidenceKind.WORK for e in rec.evidence)
        if looping is not None:
            if any(e.priority == COST_PRIORITY for e in rec.evidence):
                measuring[rec.symbol] = (looping,)
            found[rec.symbol] = (
                f"called in a loop of {span_name(split_symbol(looping)[1])} (also recommended): one span per"
                " iteration; that span already measures the loop"
            )
        elif rec.symbol in hot:
            named_last.append((rec, hot[rec.symbol], own))  # its reason names callers: once the others are decided
        elif own is not None and _tiny(own, rec):
            found[rec.symbol] = (
                f"a tiny helper with {_no_io_found(rec.symbol, graph, code)}: the span would cost more than the work"
            )
        elif (
            computes
            and (served := [c for c in callers if not is_test_symbol(c)])
            and all(recommended(caller) for caller in served)
        ):  # a test calling it directly is no caller in production (``analyze`` and ``apply`` skip tests)
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

    for rec, busiest, own in named_last:
        nearest = [a for a in ancestors(graph, rec.symbol, measured_by) if a != rec.symbol and measured_by(a)]
        promotion = None
        if nearest and any(e.priority == COST_PRIORITY for e in rec.evidence):
            measuring[rec.symbol] = tuple(nearest)
        if not nearest and any(e.priority == COST_PRIORITY for e in rec.evidence):
            promotion = _nearest_affordable(graph, counts, rec.symbol, busiest, hot_calls, promotable)
            if promotion is not None:
                promoted[promotion.caller] = promotion
                measured.pop(promotion.caller, None)
        memoized = own is not None and own.memoized
        found[rec.symbol] = _hot_reason(nearest, busiest, promotion, counts.unit_of(busiest[1], unit), memoized)
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


def _stands_alone(rec: Recommendation, own: CodeFacts | None = None) -> bool:
    """Whether a recommendation's evidence is about the function itself (I/O, a write, error handling, a real entry
    point such as a route or a CLI command), which its span shows however often it runs. A memoized function's error
    handling and writes do not count: they run on a miss, once, and every other call returns the cached value
    (dispatch's plugin registry ``InstanceManager.all``: 1,400 spans per request for a list it had built)."""
    cached = own is not None and own.memoized
    return any(
        (e.priority in _OWN_EVIDENCE and not (cached and e.priority in _MISS_ONLY))
        or (e.priority == "entry_points" and e.detail != _PUBLIC_OPERATION)
        for e in rec.evidence
    )


_MISS_ONLY = frozenset({"exceptions", "state_changes"})  # what a memoized function does only on a miss


def _hot_reason(
    nearest: list[SymbolId],
    busiest: tuple[float, SymbolId],
    promotion: Promotion | None,
    of: UnitOf,
    memoized: bool = False,
) -> str:
    """Why a hot function is left out: the nearest recommended callers whose spans measure it, or the caller promoted
    in its place; its calls per unit of ``of``."""
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
        f"estimated {count:,.0f} calls per {unit_phrase(of, entry)} on every path (each branch and handler taken, a"
        f" loop over items counted as {LOOP_ITERATIONS} iterations),"
        f" with no I/O, error handling or entry point of its own{_ON_A_MISS if memoized else ''}: a span here adds as"
        f" many spans; {instead}"
    )


_ON_A_MISS = " (what it handles runs only when its cache misses: every other call returns the cached value)"


def unit_phrase(of: UnitOf, entry: SymbolId) -> str:
    """What a figure from ``entry`` is per, in words: ``job (one pass of `while True` in rq.worker.base:...)``,
    ``request at app.views:order``, ``call of lib:get``."""
    if of.loop is not None:
        how = "each run" if of.periodic else "one pass"
        return f"{of.unit.noun} ({how} of `{of.loop.text}` in {of.loop.function})"
    return f"{of.unit.noun} {'of' if of.unit in (Unit.CALL, Unit.CLI_RUN) else 'at'} {entry}"


def _tiny(own: CodeFacts, rec: Recommendation) -> bool:
    return own.short and not any(e.priority in _OPERATION_PRIORITIES for e in rec.evidence)


def cost_notes(recs: Iterable[Recommendation], reasons: dict[SymbolId, str]) -> tuple[CostNote, ...]:
    return tuple(
        CostNote(rec.symbol, rec.file, rec.range.start.line, reasons[rec.symbol])
        for rec in recs
        if rec.symbol in reasons
    )
