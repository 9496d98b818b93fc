"""Call-graph facts for detectors: callers, reachability and which workspace callees do I/O or run forever."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from trace_advisor.caller_chosen import NONE, CallerChosen
from trace_advisor.datatypes import CallEdge, SpanKey, SymbolId, lambda_owner, split_symbol
from trace_advisor.detect.context import (
    CalleeIO,
    CalleeParameters,
    GraphFacts,
    ObservedFacts,
    ObservedIo,
    Registration,
)
from trace_advisor.resolve.callbacks import handles_messages, handles_requests, runs_as_job
from trace_advisor.workspace import is_test_symbol

if TYPE_CHECKING:
    from trace_advisor.record.observed import ObservedGraph


# How many calls down a lifetime loop is looked for (``cli -> run_worker -> Worker.run -> Worker.main`` is 3).
FOREVER_DEPTH = 12


# Request handlers named for a health, liveness or readiness probe (``health_check``, ``/ready``'s ``ready_check``,
# ``healthz``): an orchestrator or load balancer calls them every few seconds for the life of the service, so a span
# there is one trace per probe, whatever the probe asks its dependencies; whether it answers is the probe's own metric.
PROBE = re.compile(
    r"^_*(health|healthz|health_?check|check_?health|ready|readyz|readiness|ready_?check|readiness_?check"
    r"|live|livez|liveness|liveness_?check|alive)$"
)
# Bare ``ready``, ``live`` and ``alive`` name much besides probes (Django's ``AppConfig.ready``, a CLI's ``ready``): a
# caller is taken for a probe by its name alone, so only the unambiguous names count (``health``, ``ready_check``...).
_PROBE_WORDS = frozenset({"ready", "live", "alive"})
PROBE_DEPTH = 6  # how many callers up a probe is looked for (``ready_check -> check -> probe_db -> count``: 3)


class GraphLike(Protocol):
    """The part of :class:`trace_advisor.callgraph.CallGraph` the detectors use."""

    def callees(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...
    def callers(self, symbol: SymbolId) -> tuple[CallEdge, ...]: ...
    def reachable(self, symbol: SymbolId) -> bool: ...


class GraphFactsBuilder:
    """Builds :class:`GraphFacts` per function; I/O of callees is found lazily, reachability is the graph's."""

    def __init__(
        self,
        graph: GraphLike,
        io_of: Callable[[SymbolId], CalleeIO | None],
        forever_of: Callable[[SymbolId], bool] | None = None,
        observed: ObservedGraph | None = None,
        external_io: Callable[[SymbolId], bool] | None = None,
        work_of: Callable[[SymbolId], bool] | None = None,
        chosen: Callable[[SymbolId], CallerChosen] | None = None,
        passed_io: Callable[[tuple[SymbolId, CallEdge]], CalleeIO | None] | None = None,
        once: Callable[[SymbolId], bool] | None = None,
        route_of: Callable[[CallEdge], str] | None = None,
        runs: Callable[[tuple[SymbolId, CallEdge]], tuple[SymbolId, ...]] | None = None,
        span_helper: Callable[[SymbolId], bool] | None = None,
        call_io: Callable[[tuple[SymbolId, SymbolId]], CalleeIO | None] | None = None,
        per_message: Callable[[SymbolId], frozenset[SymbolId]] | None = None,
        generator_of: Callable[[SymbolId], bool] | None = None,
        parameters_of: Callable[[SymbolId], CalleeParameters | None] | None = None,
        started: Callable[[SymbolId], Mapping[SymbolId, str]] | None = None,
    ) -> None:
        self._started = started  # a function -> the workspace functions it starts as tasks of their own, with input
        self._parameters_of = parameters_of  # a workspace function's parameter names (``GraphFacts.callee_params``)
        self._generator_of = generator_of  # whether a workspace function is a generator (a call only makes it)
        self._span_helper = span_helper  # the project's span helpers (a context manager starting a span)
        self._per_message = per_message  # a consumer -> the workspace functions it calls once per message received
        self._runs = runs  # the decorated function a call of its decorator's closure runs (``charge``, not ``wrapper``)
        self._call_io = call_io  # the I/O of one call (caller, callee): the callee's, as seen from that caller
        self._once = once  # a callee whose work runs once per process: its I/O is none of this call's
        self.graph = graph
        self._route_of = route_of  # the route a registration serves, as written (``GET /core/info``)
        self._work_of = work_of
        self._work: dict[SymbolId, bool] = {}
        self._chosen = chosen  # a function's calls whose targets its callers choose: not its own I/O
        self._passed_io = passed_io  # the I/O of what a call hands to such a function, at that call
        self.observed = observed
        self._external_io = external_io
        self._io_of = io_of
        self._forever_of = forever_of
        self._forever: dict[SymbolId, bool] = {}
        self._forever_depth = 0
        self._probed: dict[SymbolId, tuple[SymbolId, ...] | None] = {}
        self._io: dict[SymbolId, CalleeIO | None] = {}

    def io_label(self, symbol: SymbolId) -> CalleeIO | None:
        if symbol not in self._io:
            self._io[symbol] = None  # guards recursion through cycles
            self._io[symbol] = self._io_of(symbol)
        return self._io[symbol]

    def _io_at(self, caller: SymbolId, callee: SymbolId) -> CalleeIO | None:
        """The I/O of ``callee`` as a call from ``caller`` sees it (:attr:`_call_io`), else the callee's own."""
        return self._call_io((caller, callee)) if self._call_io else self.io_label(callee)

    def forever(self, symbol: SymbolId) -> bool:
        """Whether a workspace function runs for the life of the process, itself or through a callee that does
        (asked callee by callee, so the question recurses down the call graph: bounded by :data:`FOREVER_DEPTH`, and
        a cycle answers no)."""
        if self._forever_of is None:
            return False
        if symbol not in self._forever:
            if self._forever_depth >= FOREVER_DEPTH:
                return False  # a lifetime loop this far below is not what the function's callers are about
            self._forever[symbol] = False  # guards recursion through cycles
            self._forever_depth += 1
            try:
                self._forever[symbol] = self._forever_of(symbol)
            finally:
                self._forever_depth -= 1
        return self._forever[symbol]

    def runs_work(self, symbol: SymbolId) -> bool:
        if self._work_of is None:
            return False
        if symbol not in self._work:
            self._work[symbol] = self._work_of(symbol)
        return self._work[symbol]

    def facts(self, symbol: SymbolId) -> GraphFacts:
        edges = self.graph.callees(symbol)
        callee_io: dict[SymbolId, CalleeIO] = {}
        handed_io: dict[SymbolId, CalleeIO] = {}
        runs: dict[SpanKey, tuple[SymbolId, ...]] = {}
        callee_work: set[SymbolId] = set()
        callee_params: dict[SymbolId, CalleeParameters] = {}
        runners: set[SymbolId] = set()
        chosen = self._chosen(symbol) if self._chosen is not None else NONE
        for edge in edges:
            if not edge.external and not edge.via:
                if self._parameters_of is not None and (params := self._parameters_of(edge.callee)) is not None:
                    callee_params[edge.callee] = params
                if self._chosen is not None and self._chosen(edge.callee).calls:
                    runners.add(edge.callee)
            if edge.external or edge.callee == symbol or edge in chosen or lambda_owner(edge.callee) == symbol:
                continue  # the calls of its own lambdas are among the function's (``ModuleCalls.body_sites``)
            if self._once and self._once(edge.callee):  # work that runs once per process
                continue
            if edge.via and handles_requests(edge.via):
                continue  # a request handler registered at start-up: the framework calls it per request, not this
            if edge.via:  # work handed to a library function (a thread, a pool): not I/O this function does itself
                label = self.io_label(edge.callee)
                if label:
                    handed_io[edge.callee] = label
                continue
            run = self._runs((symbol, edge)) if self._runs is not None else ()
            if run:  # the closure's own work, and that of the function it runs here
                runs[edge.span] = run
                callee_io.update((r, found) for r in run if (found := self._io_at(symbol, r)))
            label = self._io_at(symbol, edge.callee)
            if not label and not run and self._passed_io is not None:
                label = self._passed_io((symbol, edge))
            if label:
                callee_io[edge.callee] = label
            if self.runs_work(edge.callee):
                callee_work.add(edge.callee)
        callers = [e for e in self.graph.callers(symbol) if not is_test_symbol(e.caller)]  # a lambda's: its def's
        return GraphFacts(
            callers=tuple(lambda_owner(e.caller) or e.caller for e in callers if not e.via),
            reachable_from_entry=self.graph.reachable(symbol),
            callee_io=callee_io,
            handed_io=handed_io,
            callee_forever=(forever := self.callee_forever(symbol)),
            endless_generators=self.endless_generators(forever),
            observed=self._observed_facts(symbol, edges),
            submitted_by=tuple(
                sorted({(lambda_owner(e.caller) or e.caller, e.via) for e in callers if e.via and runs_as_job(e.via)})
            ),
            callee_work=frozenset(callee_work),
            registered_by=self._registrations(callers),
            consumes_for=tuple(
                sorted(
                    {(lambda_owner(e.caller) or e.caller, e.via) for e in callers if e.via and handles_messages(e.via)}
                )
            ),
            consumed_by=tuple(
                sorted(
                    {
                        e.caller
                        for e in callers
                        if not e.via and self._per_message is not None and symbol in self._per_message(e.caller)
                    }
                )
            ),
            started_by=self._started_by(symbol, callers),
            probed_by=self.probed_by(symbol) or (),
            runs=runs,
            callee_params=callee_params,
            runners=frozenset(runners),
            span_helpers=tuple(
                dict.fromkeys(
                    e.callee
                    for e in edges
                    if not e.external and not e.via and self._span_helper is not None and self._span_helper(e.callee)
                )
            ),
        )

    def probed_by(self, symbol: SymbolId) -> tuple[SymbolId, ...] | None:
        """The health or readiness probes that are the only way into ``symbol``: every caller is a probe (a function
        named so, :data:`PROBE`) or is itself reached only from probes (seer's ``test_grouping_model``, run by
        ``/health/live`` and ``/health/ready``; a repository's ``count`` run by ``ready_check`` through the helper
        probing the database). None when anything else calls it (or its callers), nothing does, or the search goes
        deeper than :data:`PROBE_DEPTH` or round a cycle: it runs every few seconds for the service's life, once per
        probe, as the probe does. Kept per function; the walk up is not (a chain cut by the depth from one function
        may reach its probes from another), and stops at the first caller reached otherwise."""
        if symbol not in self._probed:
            self._probed[symbol] = self._probes(symbol, 0, frozenset())
        return self._probed[symbol]

    def _probes(self, symbol: SymbolId, depth: int, walked: frozenset[SymbolId]) -> tuple[SymbolId, ...] | None:
        callers = {
            lambda_owner(e.caller) or e.caller for e in self.graph.callers(symbol) if not is_test_symbol(e.caller)
        }
        if not callers or depth >= PROBE_DEPTH or symbol in walked:
            return None
        probes: set[SymbolId] = set()
        for caller in sorted(callers):
            if _is_probe(caller):
                probes.add(caller)
            elif (above := self._probes(caller, depth + 1, walked | {symbol})) is not None:
                probes.update(above)
            else:
                return None
        return tuple(sorted(probes))

    def _started_by(self, symbol: SymbolId, callers: list[CallEdge]) -> tuple[tuple[SymbolId, str], ...]:
        """Where ``symbol`` is started as a task of its own with its input: (caller, primitive), in order; none when
        it runs for the life of the process (a receive loop started with its connection)."""
        started = self._started
        if started is None:
            return ()
        found = {(e.caller, p) for e in callers if not e.via and (p := started(e.caller).get(symbol))}
        return tuple(sorted(found)) if found and not self.forever(symbol) else ()

    def _registrations(self, callers: list[CallEdge]) -> tuple[Registration, ...]:
        """Where the function is registered as a request handler (edges ``via`` a route registration), in order."""
        route = self._route_of or (lambda _: "")
        return tuple(
            sorted(
                {
                    Registration(lambda_owner(e.caller) or e.caller, e.via, route(e))
                    for e in callers
                    if e.via and handles_requests(e.via)
                }
            )
        )

    def callee_forever(self, symbol: SymbolId) -> frozenset[SymbolId]:
        """The workspace functions ``symbol`` calls itself (not hands over) that run for the life of the process."""
        return frozenset(
            e.callee
            for e in self.graph.callees(symbol)
            if not e.external and e.callee != symbol and not e.via and self.forever(e.callee)
        )

    def endless_generators(self, forever: frozenset[SymbolId]) -> frozenset[SymbolId]:
        """The generators among ``forever`` (what :meth:`callee_forever` found): calling one returns at once."""
        generator_of = self._generator_of
        return frozenset(s for s in forever if generator_of(s)) if generator_of is not None else frozenset()

    def _observed_facts(self, symbol: SymbolId, edges: tuple[CallEdge, ...]) -> ObservedFacts | None:
        """What the recording saw of ``symbol``; observed-only calls into I/O count like static ones."""
        observed = self.observed
        if observed is None:
            return None
        totals = observed.totals(symbol)
        io: list[ObservedIo] = []
        for merged in observed.merged_callees(symbol, edges):
            if merged.static or merged.callee == symbol:
                continue
            line = merged.lines[0] if merged.lines else 0
            if merged.external:
                if self._external_io is not None and self._external_io(merged.callee):
                    io.append(ObservedIo(merged.callee, line, merged.count, None))
            else:
                label = self.io_label(merged.callee)
                if label is not None:
                    io.append(ObservedIo(merged.callee, line, merged.count, label))
        if not totals.calls and not io:
            return None
        wall = observed.seconds
        share = min(totals.seconds / wall, 1.0) if wall > 0 else 0.0
        argv = observed.recording.command
        command = " ".join([os.path.basename(argv[0]), *argv[1:]]) if argv else ""
        return ObservedFacts(totals.calls, totals.seconds, share, command, tuple(io))


def _is_probe(symbol: SymbolId) -> bool:
    """Whether a function is named as a health or readiness probe is (:data:`PROBE`), bare ``ready``, ``live`` and
    ``alive`` aside (:data:`_PROBE_WORDS`)."""
    name = split_symbol(symbol)[1].rpartition(".")[2]
    return PROBE.match(name) is not None and name.strip("_") not in _PROBE_WORDS
