"""The analysis facade: detectors over every function of the requested files, local scoring, optional model advice."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import logging
import re
import textwrap
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

from trace_advisor.advise.calibration import ENTRY_DEPTH, RULES_THRESHOLD, Scored, calibrated, shipped
from trace_advisor.advise.instrumentation_hints import instrumentation_hints
from trace_advisor.advise.layers import covered_closures, covered_forwards, covered_wrappers
from trace_advisor.advise.library import (
    NETWORK,
    as_boundary,
    boundary_forwards,
    gateway_classes,
    inside,
    network_boundaries,
    no_io_helper,
    own_packages,
    private_method_of,
    private_transports,
)
from trace_advisor.advise.local import SERVER_SPAN_SHOWS, LocalScorer, Verdict, has_work, served_request
from trace_advisor.advise.provider import Candidate, Provider, ProviderResult
from trace_advisor.advise.traced_units import (
    MIN_SPANS,
    ProjectThreshold,
    SpanCensus,
    fit_threshold,
    follow_own_spans,
    plumbing,
)
from trace_advisor.advise.units import (
    MAJORITY,
    MIN_PUBLIC_METHODS,
    client_operations,
    consistent,
    covered_by,
    public_method,
    with_floor,
    with_run,
    work_runs,
)
from trace_advisor.analysed import AnalysedModule, FunctionSyntax
from trace_advisor.analysis_cache import (
    AnalysisCache,
    Change,
    FunctionResult,
    ReadFunctions,
    Reads,
    module_read,
    same_module,
    source_key,
)
from trace_advisor.caller_chosen import NONE, CallerChosen, chosen_in, own_site
from trace_advisor.callgraph import ModuleCalls
from trace_advisor.cancel import NEVER, CancelToken
from trace_advisor.config_model import Config
from trace_advisor.cost import (
    COST_PRIORITY,
    CodeFacts,
    CostDecision,
    GraphCalls,
    LoopCalls,
    Place,
    Promotion,
    RequestCounts,
    call_places,
    code_facts,
    cost_notes,
    costly,
    unit_phrase,
)
from trace_advisor.cost import Graph as CostGraph
from trace_advisor.datatypes import (
    AnalysisResult,
    CallEdge,
    CostNote,
    CoveredFunction,
    Definition,
    Evidence,
    InstrumentationHint,
    Position,
    Problem,
    Range,
    Recommendation,
    ResolvedCall,
    SpanKey,
    SymbolId,
    Unit,
    UnitOf,
    lambda_owner,
    make_symbol,
    span_name,
    split_symbol,
)
from trace_advisor.decorated_calls import CLOSURE, named_by_call
from trace_advisor.detect import run_detectors
from trace_advisor.detect.apis import ApiMatch, classify, io_site, match_symbol
from trace_advisor.detect.async_boundaries import may_start_tasks, started_tasks
from trace_advisor.detect.context import CalleeIO, CalleeParameters, FunctionContext, GraphFacts, mapping_names
from trace_advisor.detect.django_databases import dependency_texts, driver_instrumentations, is_settings_module
from trace_advisor.detect.entry_points import may_call_stored, stored_call
from trace_advisor.detect.existing import existing_span, ignored, spans_in_facts, without_span, written_spans
from trace_advisor.detect.findings import Finding, Signal
from trace_advisor.detect.graph_facts import GraphFactsBuilder, GraphLike
from trace_advisor.detect.instrumentation import (
    SentryInit,
    SetUp,
    graphql_set_up,
    instrumentation_set_up,
    may_set_up,
    set_up_in_module,
)
from trace_advisor.detect.kinds import entry_unit
from trace_advisor.detect.once import guarded_once, memoised
from trace_advisor.detect.routes import route_at
from trace_advisor.detect.shape import may_run_forever, runs_forever
from trace_advisor.facts.records import CallSite, loc_parts, plain_name
from trace_advisor.facts.records import Scope as FactsScope
from trace_advisor.gcpause import gc_paused
from trace_advisor.index import Index
from trace_advisor.positions import source_lines
from trace_advisor.record.observed import ObservedGraph, RecordingWatch
from trace_advisor.resolve.callbacks import mounts_routes, runs_later
from trace_advisor.resolve.modules import ModuleInfo
from trace_advisor.span_names import SpanNames
from trace_advisor.workspace import is_test_module, is_test_symbol

LOG = logging.getLogger(__name__)
# Which functions a model is asked about: those whose local verdict it can change. Below half of min_confidence the
# local engine found nothing worth a span; at _CERTAIN and above the evidence is overwhelming (I/O plus several other
# priorities) and a model could only restate it, so both keep their local verdict and cost no tokens.
_CANDIDATE_FLOOR = 0.5
_CERTAIN = 0.9
_MAX_REACHED = 2000  # workspace functions walked below one file's for the cost decision (a request's tree is smaller)
# How far below a function its I/O is looked for: an SDK's public operation reaches the network through a few layers
# of its own (``oauth_v2_access -> api_call -> _send -> _request -> ClientSession.request``); at most _IO_WALK
# functions are read per function.
_IO_DEPTH = 3
_IO_WALK = 200
# how far down a client library's operation may reach its transport, for the client library questions only (which
# classes every operation goes through, where their network boundary is): redis-py's Redis.execute_command reaches
# the socket 5 calls down, stripe's StripeService._request its HTTP client 5 calls down
_GATEWAY_DEPTH = 8
_CONTEXT_MANAGERS = frozenset({"contextmanager", "asynccontextmanager"})
_IMPLEMENTATIONS = 12  # of one method, in the I/O walk (sorted: the same ones every run)
_A = TypeVar("_A")
_R = TypeVar("_R")


_YIELD = re.compile(r"\byield\b")  # a generator (a nested def's yield too: then it is taken for one)


class Analyzer:
    """One analysis run: graph facts and scorer shared across files.

    Per-function results are kept between runs in ``cache`` (by default the index's :class:`AnalysisCache`), so
    re-analysing an edited file recomputes only the functions the edit affected.
    """

    def __init__(
        self,
        index: Index,
        config: Config,
        graph: GraphLike | None = None,
        installed: frozenset[str] | None = None,
        cache: AnalysisCache | None = None,
    ) -> None:
        self.index = index
        self.config = config
        self.cache = cache if cache is not None else index.extension(AnalysisCache)
        self.graph = graph
        self.priorities = [p for p in config.priorities if config.weight(p) > 0]
        self.scorer = LocalScorer(
            config,
            self.cache.installed.get(config.python) if installed is None else installed,
            _instrumentation_set_up(index, self.cache),
            _django_query_instrumentation(index),
        )
        self.builder = (
            GraphFactsBuilder(
                graph,
                _weakly(self, Analyzer._io_of),
                _weakly(self, Analyzer._forever_of),
                _observed_of(index),
                _client_api,
                _weakly(self, Analyzer._runs_work_of),
                _weakly(self, Analyzer.chosen),
                _weakly(self, Analyzer.passed_io),
                _weakly(self, Analyzer.once),
                _weakly(self, Analyzer._route_of),
                runs=_weakly(self, Analyzer.runs),
                span_helper=_weakly(self, Analyzer.span_helper),
                call_io=_weakly(self, Analyzer._call_io),
                per_message=_weakly(self, Analyzer._per_message),
                generator_of=_weakly(self, Analyzer._generator_of),
                parameters_of=_weakly(self, Analyzer._parameters_of),
                started=_weakly(self, Analyzer._started_tasks),
            )
            if graph is not None
            else None
        )
        self.candidates: list[tuple[FunctionContext, tuple[Signal, ...], Recommendation | None, float]] = []
        # request handlers of this run left to their framework's instrumentation (package, handler)
        self.covered: list[tuple[str, CoveredFunction]] = []
        self._verdicts: dict[SymbolId, bool] = {}
        self._counts: RequestCounts | None = None
        self._lines: dict[Path, list[str] | None] = {}
        self._run_files: set[Path] | None = None  # the files of the last run (None: none yet)
        self._promote_anywhere = False  # callers promoted for cost may be in any workspace file (one file's decision)
        self._contexts: dict[SymbolId, FunctionContext] = {}  # the first def of each function this run analysed
        self._scored_files: dict[Path, tuple[list[FunctionResult], tuple[Verdict, ...]]] = {}  # this run's (_scored)
        self._fit: tuple[SpanCensus, ProjectThreshold | None] | None = None  # this run's project threshold
        self._covering: dict[SymbolId, bool] = {}  # callers found to have a span of their own (_covers)
        self._around: _Around | None = None  # other files' rules verdicts and entry distances (calibration features)
        self._library: dict[str, frozenset[str]] | None = None  # client library packages -> gateway classes (_gateways)
        self._deep_network: dict[SymbolId, CalleeIO | None] = {}  # the network I/O each reaches, as _network looks
        self._handed: dict[SymbolId, frozenset[SymbolId]] = {}  # runners -> what they may run (_handed_targets)
        self._messages: dict[SymbolId, frozenset[SymbolId]] = {}  # consumers -> what they call per message
        self._tasks: dict[SymbolId, Mapping[SymbolId, str]] = {}  # -> what it starts as tasks (_started_tasks)
        self._once: dict[SymbolId, tuple[object, bool]] = {}  # (the facts scope it was found for, runs once)
        self._span_helpers: dict[SymbolId, tuple[object, bool]] = {}  # (the facts scope, starts the caller's span)
        self._call_facts: dict[str, tuple[object, dict[tuple[str, SpanKey], CallSite]]] = {}  # calls with arguments
        self._token = object()  # this run, to the cache (the files it reads are kept for the next)
        self._census: SpanCensus | None = None  # this run's (span_census)
        self._changes_noted = False  # whether this run brought ``cache.changes`` up to the index (_note_changes)
        self._affected: dict[int, frozenset[SymbolId] | None] = {}  # per change: whose graph facts it may change

    def _sites(self, symbol: SymbolId) -> tuple[ResolvedCall, ...]:
        """A function's call sites, with those of the lambdas written in it."""
        calls = self.index.module_calls(symbol.partition(":")[0])
        return calls.body_sites(symbol) if calls is not None else ()

    def chosen(self, symbol: SymbolId) -> CallerChosen:
        """``symbol``'s calls whose target its callers choose (:mod:`trace_advisor.caller_chosen`)."""
        module, _, qualname = symbol.partition(":")
        info = self.index.module_info(module)
        return chosen_in(info, qualname) if info is not None else NONE

    def _own_sites(self, symbol: SymbolId) -> Iterator[ResolvedCall]:
        """``symbol``'s call sites without the edges to what its callers choose (:meth:`chosen`): the calls of a
        parameter are left out, a call handing one on keeps its own callee."""
        chosen = self.chosen(symbol)
        info = self.index.module_info(symbol.partition(":")[0])
        for site in self._sites(symbol):
            own = own_site(site, chosen) if info is None else io_site(info.facts, site, chosen)
            if own is not None:
                yield own

    def _io_walk(self, symbol: SymbolId) -> list[tuple[SymbolId, int]]:
        """``symbol`` (at 0) and the workspace functions it reaches in at most ``_IO_DEPTH`` calls, breadth first, with
        how many calls below ``symbol`` each is (at most ``_IO_WALK`` of them): where :meth:`_find_io` looks. Calls
        whose target a caller chooses (a parameter called or handed on) are not followed: their targets are what
        every caller passes. A method is also where the workspace subclasses' implementations of it run
        (:meth:`_implementations`, at the method's depth): a call of an abstract ``LLMClient.complete`` does the I/O
        of ``OpenAIClient.complete``."""
        return self._io_walk_through(symbol)[0]

    def _io_walk_through(
        self, symbol: SymbolId, implemented: bool = True, deepest: int = _IO_DEPTH
    ) -> tuple[list[tuple[SymbolId, int]], dict[SymbolId, SymbolId]]:
        """:meth:`_io_walk`, and for each function of the walk reached through an implementation of ``symbol``
        itself, that implementation (for the rationale: "implemented by ``OpenAIClient.complete``"); without those
        when not ``implemented`` (``super().m()`` runs ``m`` itself)."""
        found = [(symbol, 0)]
        seen = {symbol}
        through: dict[SymbolId, SymbolId] = {}

        def add(callee: SymbolId, depth: int, origin: SymbolId | None) -> None:
            if callee not in seen and len(seen) < _IO_WALK:
                seen.add(callee)
                found.append((callee, depth))
                if origin is not None:
                    through[callee] = origin

        for implementation in self._implementations(symbol) if implemented else ():
            add(implementation, 0, implementation)
        for depth in range(1, deepest + 1):
            for caller, _ in [item for item in found if item[1] == depth - 1]:
                chosen = self.chosen(caller)
                origin = through.get(caller)
                for edge in self.graph.callees(caller) if self.graph is not None else ():
                    if edge.external or edge in chosen or (edge.via and runs_later(edge.via)) or self.once(edge.callee):
                        continue
                    # and what this call hands to a runner (a function, or a library's, such as ``Path.write_text``)
                    for callee in (edge.callee, *self._passed(caller, edge), *self.runs((caller, edge))):
                        add(callee, depth, origin)
                        for implementation in self._implementations(callee, caller):
                            add(implementation, depth, origin)
        return found, through

    def _implementations(self, symbol: SymbolId, caller: SymbolId | None = None) -> tuple[SymbolId, ...]:
        """The workspace methods standing for a method on its subclasses' instances, called from ``caller``
        (``Index.implementations``; not those of tests: a test's fake client is none of production's I/O), at most
        ``_IMPLEMENTATIONS``."""
        if ":" not in symbol or "." not in symbol.partition(":")[2] or "<" in symbol:
            return ()
        found = [s for s in self.index.implementations(symbol, caller) if not is_test_symbol(s)]
        return tuple(found[:_IMPLEMENTATIONS])

    def once(self, symbol: SymbolId) -> bool:
        """Whether a workspace function's work runs once per process (:mod:`trace_advisor.detect.once`): a memoised
        getter, or one guarded by a module-level flag it sets. Its I/O is none of its callers'."""
        return self._by_scope(self._once, symbol, self._runs_once)

    def _runs_once(self, module: str, scope: FactsScope) -> bool:
        if memoised([d.text for d in scope.decorators]):
            return True  # (with arguments too: a call is a lookup, the body runs on a miss: CTFd's ``_get_config``)
        path = self.index.path_for_module(module)
        lines = self._source_lines(path) if path is not None else None
        if lines is None:
            return False
        first, _, last, _ = loc_parts(scope.loc)
        return guarded_once("\n".join(lines[first - 1 : last]))

    def span_helper(self, symbol: SymbolId) -> bool:
        """Whether a workspace function is the project's span helper: a context manager (``@contextmanager``) whose
        body starts a span (snuba's ``with _query_span(sql) as span:`` around each ClickHouse query). A function
        using it in a ``with`` has its span. Read from the facts first (the decorator), the syntax only then."""
        return self._by_scope(self._span_helpers, symbol, self._starts_span)

    def _starts_span(self, module: str, scope: FactsScope) -> bool:
        if not any(d.text.rpartition(".")[2] in _CONTEXT_MANAGERS for d in scope.decorators):
            return False
        syntax = _syntax_of(self.index, f"{module}:{scope.qualname}")
        return syntax is not None and written_spans(syntax[1].node).any

    def _parameters_of(self, symbol: SymbolId) -> CalleeParameters | None:
        """A workspace function's parameter names (a class's: its ``__init__``'s), from its facts."""
        module, _, qualname = symbol.partition(":")
        info = self.index.module_info(module)
        if info is None:
            return None
        scope = info.scopes.get(qualname)
        if scope is not None and scope.kind == "class":
            scope = info.scopes.get(f"{qualname}.__init__")
        if scope is None or scope.kind != "function":
            return None
        parent = info.scopes.get(scope.parent) if scope.parent is not None else None
        bound = parent is not None and parent.kind == "class" and scope.method_kind != "static"
        return CalleeParameters(scope.params, scope.positional, bound)

    def _by_scope(
        self, kept: dict[SymbolId, tuple[object, bool]], symbol: SymbolId, find: Callable[[str, FactsScope], bool]
    ) -> bool:
        """``find(module, scope)`` of a workspace function, kept while its facts scope is the same object (its module
        was not edited); False for anything else."""
        module, _, qualname = symbol.partition(":")
        info = self.index.module_info(module)
        scope = info.scopes.get(qualname) if info is not None else None
        if scope is None or scope.kind != "function":
            return False
        found = kept.get(symbol)
        if found is not None and found[0] is scope:
            return found[1]
        result = find(module, scope)
        kept[symbol] = (scope, result)
        return result

    def _passed(self, caller: SymbolId, edge: CallEdge) -> tuple[SymbolId, ...]:
        """What ``caller`` hands at ``edge``'s call to a runner (a function that calls or hands on its parameter):
        of the functions the runner may run, those named like an argument of this call
        (``self.sys_run_in_executor(self._write_state)``: ``Core._write_state``, not what other callers pass)."""
        return self._named_targets(caller, edge, by_callee=False)

    def runs(self, call: tuple[SymbolId, CallEdge]) -> tuple[SymbolId, ...]:
        """The decorated function a call runs through the closure its decorator returned: ``charge(1)`` calling
        ``timer``'s ``wrapper`` runs ``charge``, not every function ``@timer`` decorates (the closure calls its
        decorator's parameter, :mod:`~trace_advisor.caller_chosen`)."""
        caller, edge = call
        return self._named_targets(caller, edge, by_callee=True) if CLOSURE in edge.callee else ()

    def _named_targets(self, caller: SymbolId, edge: CallEdge, *, by_callee: bool) -> tuple[SymbolId, ...]:
        """Of the functions ``edge``'s callee may run for its callers, those the call names: by an argument, or
        (``by_callee``) by the name it calls; the closest to ``caller`` when several."""
        targets = self._handed_targets(edge.callee)
        if not targets:
            return ()
        module, _, qualname = caller.partition(":")
        info = self.index.module_info(module)
        if info is None:
            return ()
        kept = self._call_facts.get(module)
        if kept is None or kept[0] is not info.facts:
            kept = self._call_facts[module] = (info.facts, {(c.scope, c.loc): c for c in info.facts.calls})
        site = kept[1].get((qualname, edge.span))
        if site is not None and by_callee:
            named = list(named_by_call(self.index.module_info, caller, site.chain or (), targets))
        else:
            names = {plain_name(chain[-1]) for _, chain in site.args if chain} if site is not None else set()
            named = [t for t in targets if t.rpartition(".")[2].rpartition(":")[2] in names]
        if not named:
            return ()
        closeness = {t: _closeness(caller, t) for t in named}
        best = min(closeness.values())
        return tuple(sorted(t for t, rank in closeness.items() if rank == best))

    def _handed_targets(self, symbol: SymbolId, depth: int = 0) -> frozenset[SymbolId]:
        """Every function ``symbol`` calls or hands on from its parameters, through the runners it hands them to
        (``sys_run_in_executor(funct)`` -> ``CoreSys.run_in_executor(funct)`` -> ``loop.run_in_executor``), or that
        its implementations do (an abstract ``Executor.execute(task)`` runs ``task`` in ``AsyncioExecutor.execute``)."""
        kept = self._handed.get(symbol)
        if kept is not None:
            return kept
        chosen = self.chosen(symbol)
        found: set[SymbolId] = set()
        self._handed[symbol] = frozenset()  # guards recursion
        if (chosen.calls or chosen.hands) and self.graph is not None:
            for edge in self.graph.callees(symbol):
                if edge in chosen:
                    found.add(edge.callee)
                elif edge.span in chosen.hands and not edge.via and not edge.external and depth < _IO_DEPTH:
                    found.update(self._handed_targets(edge.callee, depth + 1))
        for implementation in self._implementations(symbol):
            found.update(self._handed_targets(implementation, depth))
        self._handed[symbol] = frozenset(found)
        return self._handed[symbol]

    def passed_io(self, call: tuple[SymbolId, CallEdge]) -> CalleeIO | None:
        """The I/O of what a call hands to a runner (:meth:`_passed`), as the I/O of the runner at that call."""
        caller, edge = call
        for target in self._passed(caller, edge):
            # a workspace function's I/O is what is found inside it, never its name's catalog entry (in the openai
            # SDK, its own quoting helper handed to ``_interpolate`` is no "LLM API call")
            ours = self.index.module_info(target.partition(":")[0]) is not None
            io = self._io_of(target) if ours else None
            api = match_symbol(target) if not ours else None
            if api is not None:
                return CalleeIO(api.kind, f"{api.label} via {api.shown}", 1)
            if io is not None:
                return CalleeIO(io.kind, f"I/O through {target}", io.below + 1)
        return None

    def _io_of(self, symbol: SymbolId) -> CalleeIO | None:
        """What I/O a workspace function does directly, or through the functions it calls (up to ``_IO_DEPTH`` calls
        down: an SDK's operation reaches its transport through a few layers) or through the implementations of it
        that workspace subclasses define; kept while the resolved call sites of every function of that walk are the
        same (an edit elsewhere in a module keeps the site objects it did not touch: comparing them is an identity
        check)."""
        return self._io(symbol, True)

    def _call_io(self, call: tuple[SymbolId, SymbolId]) -> CalleeIO | None:
        """The I/O of a call from a workspace function to another: :meth:`_io_of` the callee, without the callee's
        implementations when the caller is inside its class or a subclass (``super().m()`` runs ``m`` itself,
        ``self.m()`` reaches the overrides through its own class-hierarchy edges)."""
        caller, callee = call
        if self._implementations(callee) and not self._implementations(callee, caller):
            return self._io(callee, False)
        return self.builder.io_label(callee) if self.builder is not None else self._io_of(callee)

    def _io(self, symbol: SymbolId, implemented: bool) -> CalleeIO | None:
        walk, through = self._io_walk_through(symbol, implemented)
        key = tuple(self._sites(s) for s, _ in walk)
        kept_as = symbol if implemented else f"{symbol} (itself)"  # a symbol id never has a space
        kept = self.cache.io.get(kept_as)
        if kept is not None and kept[0] == key:
            return kept[1]
        found = self._find_io(walk, through)
        self.cache.remember_io(kept_as, key, found)
        return found

    def _find_io(
        self, walk: Sequence[tuple[SymbolId, int]], through: Mapping[SymbolId, SymbolId] | None = None
    ) -> CalleeIO | None:
        """The I/O of a walk: the function's own client call, else that of the closest function below it doing any
        kind but files (an upload's file reads are not the remote call it makes), else the closest file access;
        named after the implementation it runs in when that is how the function reaches it (``through``)."""
        for api in self._own_apis(walk[0][0]):
            return CalleeIO(api.kind, f"{api.label} via {api.shown}")
        best: tuple[int, SymbolId, set[str], list[ApiMatch]] | None = None
        for callee, depth in walk[1:]:
            if best is not None and best[2] != {"file"}:
                break
            apis = self._apis_of(callee)
            kinds = {api.kind for api in apis}
            if kinds and (best is None or kinds != {"file"}):
                best = (depth, callee, kinds, apis)
        if best is None:
            return None
        depth, callee, kinds, apis = best
        kind = "file" if kinds == {"file"} else sorted(kinds - {"file"})[0]
        implementation = (through or {}).get(callee)
        if implementation is None:
            return CalleeIO(kind, f"I/O through {callee}", depth)
        api = next(api for api in apis if api.kind == kind)
        how = f"{api.label} via {api.shown}" if implementation == callee else f"I/O through {callee}"
        count = len(set((through or {}).values()))
        among = f" (one of {count})" if count > 1 else ""
        return CalleeIO(kind, f"implemented by {implementation}{among}: {how}", depth)

    def _apis_of(self, callee: SymbolId) -> list[ApiMatch]:
        """The client APIs a function of a walk calls itself (a library's function handed to a runner: itself)."""
        if self.index.module_info(callee.partition(":")[0]) is None:
            return [api] if (api := match_symbol(callee)) is not None else []
        return list(self._own_apis(callee))

    def _own_apis(self, symbol: SymbolId) -> Iterator[ApiMatch]:
        """The client APIs of ``symbol``'s own call sites, as its context reads them: a guess by a receiver's name
        only when the function does not use that receiver as a mapping (:func:`~trace_advisor.detect.context
        .mapping_names`: celery's ``cache['status']`` then ``cache.get('traceback')`` is no cache call)."""
        mappings: set[str] | None = None
        for site in self._own_sites(symbol):
            api = classify(site)
            if api is not None and not api.resolved:
                if mappings is None:
                    syntax = _syntax_of(self.index, symbol)
                    mappings = mapping_names(ast.walk(syntax[1].node)) if syntax is not None else set()
                if site.text.rpartition(".")[0] in mappings:
                    continue
            if api is not None:
                yield api

    def _route_of(self, edge: CallEdge) -> str:
        """The route a registration of a request handler serves, as its call writes it (``GET /core/info``), under
        the paths of the mounts it is written in (``Mount("/api", routes=[Route("/users", users)])``:
        ``/api/users``)."""
        module = edge.caller.partition(":")[0]
        path = self.index.path_for_module(module)
        lines = self._source_lines(path) if path is not None else None
        if lines is None:
            return ""
        calls = self.index.module_calls(module)
        sites = calls.sites.get(edge.caller, ()) if calls is not None else ()
        start, end = edge.range.start, edge.range.end
        mounts = sorted(
            (
                site.range
                for site in sites
                if site.range.start <= start and end <= site.range.end and site.range != edge.range
                and any(mounts_routes(callee) for callee in site.callees)
            ),
            key=lambda r: r.start,
        )  # fmt: skip
        return route_at(lines, edge.range, edge.via, mounts)

    def _source_lines(self, path: Path) -> list[str] | None:
        """A file's lines, read once per run (for looking at callees without building their syntax trees)."""
        if path not in self._lines:
            text = self.index.source(path)
            kept = self.index.kept_lines(path, text) if text is not None and "\r" not in text else None
            if kept is not None and text is not None:  # the same strings as the analysed module's lines
                # ``text.split("\n")``: ``source_lines`` drops the empty line after a final line break
                self._lines[path] = [*kept, ""] if not text or text.endswith("\n") else list(kept)
            else:
                self._lines[path] = text.split("\n") if text is not None else None
        return self._lines[path]

    def _forever_of(self, symbol: SymbolId) -> bool:
        """Whether a workspace function runs for the life of the process (itself, or through what it calls: the
        callers of ``Worker.main`` run as long as it does); kept while its facts scope is the same object (its module
        was not edited) or its code is unchanged (wherever it moved)."""
        module, _, qualname = symbol.partition(":")
        info = self.index.module_info(module)
        scope = info.scopes.get(qualname) if info is not None else None
        kept = self.cache.forever.get(symbol)
        if scope is None:
            return False
        if kept is not None and kept[0] is scope:
            return kept[2]
        path = self.index.path_for_module(module)
        lines = self._source_lines(path) if path is not None else None
        first, _, last, _ = loc_parts(scope.loc)
        if lines is not None and len(lines) >= last:
            code = lines[first - 1 : last]  # the lines the facts say the def spans
            never_end = self.builder.callee_forever(symbol) if self.builder is not None else frozenset()
            calls_forever = self.builder is not None and bool(never_end - self.builder.endless_generators(never_end))
            if not calls_forever and not may_run_forever(self._sites(symbol), "\n".join(code)):
                self.cache.remember_forever(symbol, (scope, code, False))
                return False
        analysed = self.index.analysed(path) if path is not None else None
        function = analysed.function(symbol) if isinstance(analysed, AnalysedModule) else None
        if function is None or not isinstance(analysed, AnalysedModule):
            return False
        node = function.node
        code = analysed.lines[node.lineno - 1 : node.end_lineno or node.lineno]
        if kept is not None and kept[1] == code:
            forever = kept[2]
        else:  # with its callees that never end: a loop over such a generator, or a call of such a function
            never_end = self.builder.callee_forever(symbol) if self.builder is not None else frozenset()
            endless = self.builder.endless_generators(never_end) if self.builder is not None else frozenset()
            facts = GraphFacts(callee_forever=never_end, endless_generators=endless)
            forever = runs_forever(FunctionContext(analysed, function, facts))
        self.cache.remember_forever(symbol, (scope, code, forever))
        return forever

    def _generator_of(self, symbol: SymbolId) -> bool:
        """Whether a workspace function is a generator, read from its lines (asked of the few that run forever)."""
        module, _, qualname = symbol.partition(":")
        info = self.index.module_info(module)
        scope = info.scopes.get(qualname) if info is not None else None
        path = self.index.path_for_module(module)
        lines = self._source_lines(path) if path is not None and scope is not None else None
        if scope is None or lines is None:
            return False
        first, _, last, _ = loc_parts(scope.loc)
        return any(_YIELD.search(line) for line in lines[first - 1 : last])

    def _runs_work_of(self, symbol: SymbolId) -> bool:
        """Whether a workspace function is where a job's own work runs: it calls the callable stored on an object with
        the arguments stored beside it, itself or through a private method of its class (``Job.perform`` through
        ``Job._execute``)."""
        owner = symbol.rpartition(".")[0] if "." in symbol.partition(":")[2] else None
        private = [
            e.callee
            for e in (self.graph.callees(symbol) if self.graph is not None else ())
            if not e.external and not e.via and owner and e.callee.rpartition(".")[0] == owner
            and e.callee.rpartition(".")[2].startswith("_") and not e.callee.endswith("__")
        ]  # fmt: skip
        return any(self._calls_stored(s) for s in (symbol, *private))

    def _per_message(self, symbol: SymbolId) -> frozenset[SymbolId]:
        """The workspace functions a consumer calls once per message it receives: ``symbol`` receives messages from a
        queue client (a call the catalog says receives) and, inside a loop, calls a callable stored on ``self``
        (``self.handler(message)``, ``handler`` being no method of that name: what its constructor was given)."""
        kept = self._messages.get(symbol)
        if kept is not None:
            return kept
        found: set[SymbolId] = set()
        receives = any(api.kind == "messaging" and api.operation == "receive" for api in self._own_apis(symbol))
        syntax = _syntax_of(self.index, symbol) if receives else None
        if syntax is not None:
            ctx = FunctionContext(*syntax)
            for call in ctx.calls:
                node = call.node
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "self"
                    and ctx.loop_depth(node)
                ):
                    stored = node.func.attr  # a method of that name is the class's own code, not what it was given
                    found.update(c for c in call.workspace_callees if split_symbol(c)[1].rpartition(".")[2] != stored)
        self._messages[symbol] = frozenset(found)
        return self._messages[symbol]

    def _started_tasks(self, symbol: SymbolId) -> Mapping[SymbolId, str]:
        """The workspace functions ``symbol`` starts as tasks of their own with their input (:func:`~trace_advisor
        .detect.async_boundaries.started_tasks`), its source read first so most functions build no syntax tree."""
        kept = self._tasks.get(symbol)
        if kept is not None:
            return kept
        found: Mapping[SymbolId, str] = {}
        module, _, qualname = symbol.partition(":")
        info = self.index.module_info(module)
        scope = info.scopes.get(qualname) if info is not None else None
        path = self.index.path_for_module(module)
        lines = self._source_lines(path) if path is not None and scope is not None else None
        if scope is not None and lines is not None:
            first, _, last, _ = loc_parts(scope.loc)
            syntax = _syntax_of(self.index, symbol) if may_start_tasks("\n".join(lines[first - 1 : last])) else None
            if syntax is not None:
                found = started_tasks(FunctionContext(*syntax))
        self._tasks[symbol] = found
        return found

    def _calls_stored(self, symbol: SymbolId) -> bool:
        """Whether a workspace function calls a callable stored on an object with its stored arguments."""
        module, _, qualname = symbol.partition(":")
        info = self.index.module_info(module)
        scope = info.scopes.get(qualname) if info is not None else None
        path = self.index.path_for_module(module)
        lines = self._source_lines(path) if path is not None else None
        if scope is None or lines is None:
            return False
        first, _, last, _ = loc_parts(scope.loc)
        if not may_call_stored("\n".join(lines[first - 1 : last])):
            return False
        syntax = _syntax_of(self.index, symbol)
        return syntax is not None and stored_call(FunctionContext(*syntax)) is not None

    def analyze_file(self, path: Path, cancel: CancelToken = NEVER) -> tuple[list[Recommendation], Problem | None]:
        results, problem = self.function_results(path, cancel)
        recs: list[Recommendation] = []
        for result in results:
            verdict = result.verdict
            if result.recommendation is not None:
                recs.append(result.recommendation)
            if verdict.covered_by is not None:  # recommended or not: the hint stands either way
                ctx = result.ctx
                clients = {
                    p
                    for s in result.signals
                    if s.finding is not Finding.ROUTE and s.instrumentation is not None
                    for p in self.scorer.packages(s.instrumentation)
                }
                function = CoveredFunction(
                    ctx.symbol,
                    str(ctx.analysed.path),
                    ctx.name_range(),
                    tuple(sorted(p for p in clients if p not in self.scorer.installed)),
                )
                self.covered.append((verdict.covered_by, function))
            if (
                verdict.traced is None
                and self.config.min_confidence * _CANDIDATE_FLOOR <= verdict.confidence < _CERTAIN
            ):
                self.candidates.append((result.ctx, result.signals, result.recommendation, verdict.confidence))
        return recs, problem

    def function_results(self, path: Path, cancel: CancelToken = NEVER) -> tuple[list[FunctionResult], Problem | None]:
        """Every function's signals and verdict in one file (from the cache where still valid), in file order."""
        scored = self._scored(path, cancel)
        if isinstance(scored, Problem):
            return [], scored
        results, verdicts = list(scored[0]), list(scored[1])  # the run keeps the scored ones as they are
        calibrate = self.config.scoring == "calibrated"
        threshold = RULES_THRESHOLD if calibrate else self.config.min_confidence
        # the spans the project already has, as labels (advise/traced_units.py)
        census = self.span_census()
        fit = self.project_threshold(census, cancel)
        ours = [(r.ctx, v) for r, v in zip(results, verdicts, strict=True)]
        instrumented = frozenset(self.scorer.set_up.values())  # spans a setup gives (strawberry's resolvers)
        for number, verdict in follow_own_spans(ours, census, self.config.min_confidence, fit, instrumented).items():
            verdicts[number] = verdict
        if self.builder is not None:
            functions = [(r.ctx, r.signals, v) for r, v in zip(results, verdicts, strict=True)]
            own = {r.ctx.symbol: v for r, v in zip(results, verdicts, strict=True)}
            covers = partial(self._covers, own, threshold)
            for number, verdict in covered_wrappers(functions, self.config.min_confidence, covers).items():
                verdicts[number] = verdict
            # read after the wrappers': a wrapper its forward covers is no span to forward to
            functions = [(r.ctx, r.signals, v) for r, v in zip(results, verdicts, strict=True)]
            covers = partial(self._covers, {f[0].symbol: f[2] for f in functions}, threshold)
            for number, verdict in covered_forwards(functions, self.config.min_confidence, covers).items():
                verdicts[number] = verdict
        pairs = [(r.ctx, v) for r, v in zip(results, verdicts, strict=True)]
        for number, verdict in covered_closures(pairs, self.config.min_confidence).items():
            verdicts[number] = verdict
        for result in results:
            if result.verdict.traced is None:  # a traced function's context is its code without the span
                self._contexts.setdefault(result.ctx.symbol, result.ctx)
        # a verdict the siblings changed gives its function another recommendation: the one made by an earlier run
        # while the result is the same object (its context and signals) and the verdict is equal
        before = self.cache.recommended.get(path, {})
        made: dict[int, tuple[FunctionResult, Verdict, Recommendation | None]] = {}
        for number, verdict in enumerate(verdicts):
            result = results[number]
            if verdict is not result.verdict:
                known = before.get(id(result))
                if known is not None and known[0] is result and known[1] == verdict:
                    recommendation = known[2]
                else:
                    recommendation = self.scorer.recommend(result.ctx, result.signals, verdict)
                made[id(result)] = (result, verdict, recommendation)
                results[number] = dataclasses.replace(result, verdict=verdict, recommendation=recommendation)
        self.cache.recommended[path] = made
        return results, None

    def scored(self, path: Path, cancel: CancelToken = NEVER) -> list[tuple[FunctionResult, Verdict]]:
        """Every function's result in one file with its verdict as decided with its siblings, before the project's own
        spans are read: what the calibration is fitted on (there the spans are the labels). Empty when the file cannot
        be analysed."""
        found = self._scored(path, cancel)
        return [] if isinstance(found, Problem) else list(zip(*found, strict=True))

    def _scored(self, path: Path, cancel: CancelToken) -> tuple[list[FunctionResult], tuple[Verdict, ...]] | Problem:
        """Every function's result in one file and its verdict as the scorer decides it with its siblings (class
        consistency, the calibrated model, where jobs' work runs), before the project's own spans are read; kept for
        the run (the project's threshold reads those of every file with spans)."""
        kept_scored = self._scored_files.get(path)
        if kept_scored is not None:
            return kept_scored
        analysed = self.index.analysed(path)
        if isinstance(analysed, Problem):
            return analysed
        kept = self.cache.results(path, self.config, self.scorer.instrumentation, self._token)
        read = module_read(analysed)
        same = same_module(self.cache.module_read.get(path), read)  # every kept source key stands
        fresh: dict[tuple[SymbolId, int], FunctionResult] = {}
        seen: dict[SymbolId, int] = {}
        defs = Counter(function.symbol for function in analysed.functions())
        for function in analysed.functions():
            cancel.check()
            symbol = function.symbol
            seen[symbol] = seen.get(symbol, -1) + 1
            slot = (symbol, seen[symbol])  # defs can share a qualname (a property's getter and setter)
            graph_facts = self._graph_facts(symbol)
            result = kept.get(slot)
            alone = defs[symbol] == 1
            key = result.source_key if same and result is not None else source_key(analysed, function, alone)
            if result is None or not result.valid_for(key, graph_facts):
                result = self._analyse_function(analysed, function, key, graph_facts)
                if result is None:
                    continue
            fresh[slot] = result
        kept.clear()
        kept.update(fresh)
        self.cache.module_read[path] = read  # what the kept results' source keys were read from
        results = list(fresh.values())
        # What depends on the siblings' verdicts is recomputed, never cached: class consistency, then the
        # calibrated model (which reads the rules' verdicts at their own threshold, as when it was fitted).
        calibrate = self.config.scoring == "calibrated"
        threshold = RULES_THRESHOLD if calibrate else self.config.min_confidence
        verdicts = [r.verdict for r in results]
        pairs = [(r.ctx, r.verdict) for r in results]
        for number, verdict in consistent(pairs, threshold).items():
            verdicts[number] = verdict
        if calibrate:
            scored = [Scored(r.ctx, r.signals, v) for r, v in zip(results, verdicts, strict=True)]
            memo = self.cache.features.setdefault(path, {})
            verdicts = calibrated(scored, self.scorer, shipped(), client_operations(pairs), self.around(), memo)
        work = work_runs([(r.ctx, r.signals) for r in results])
        floor = shipped().threshold if calibrate else self.config.min_confidence
        for number, verdict in enumerate(verdicts if calibrate else ()):
            if _server_span_shows_all(verdict) and verdict.confidence >= floor:
                # a handler doing nothing its framework's server span does not show (its route, status, duration):
                # that span is the one it gets, installed or advised (plane's Django views read 0.46 with the refit;
                # the rules weigh such findings down themselves)
                verdicts[number] = dataclasses.replace(verdict, confidence=round(floor * _BELOW_THE_CUT, 4))
        for number, reason in self._like_other_implementations(results, verdicts, threshold).items():
            verdicts[number] = with_floor(verdicts[number], max(floor, verdicts[number].confidence), reason)
        for number, run in work.runs.items():
            verdicts[number] = with_run(verdicts[number], run, floor)
        for number, caller in work.covered.items():
            verdicts[number] = covered_by(verdicts[number], f"covered by the span in `{caller}`")
        gateways = self._gateways(results[0].ctx.module) if results else None
        if gateways is not None:  # a client library's: one span per API call, at the layer that names it
            final = [(r.ctx, v) for r, v in zip(results, verdicts, strict=True)]
            boundaries = network_boundaries(final, gateways, self._network)
            for number, owner in boundaries.items():
                deeper = self._transport_signal(results[number].ctx)
                verdicts[number] = as_boundary(verdicts[number], floor, owner, deeper)
            for number, boundary in boundary_forwards(final, boundaries).items():
                reason = f"covered by the span in `{boundary}`, the client's network boundary it forwards to"
                verdicts[number] = covered_by(verdicts[number], reason)
            for number, operations in private_transports(final, floor, boundaries).items():
                transport = final[number]
                for above in operations:  # the public operation takes its transport's place
                    if transport[1].deserves_span(floor) and transport[1].confidence > verdicts[above].confidence:
                        reason = f"the public operation over `{transport[0].name}`, the transport doing its I/O"
                        verdicts[above] = with_floor(verdicts[above], transport[1].confidence, reason)
                name = final[operations[0]][0].qualname
                reason = f"covered by the span in `{name}`, the public operation it is the transport of"
                verdicts[number] = covered_by(verdicts[number], reason)
            for number, ctx in enumerate(r.ctx for r in results):
                verdict = verdicts[number]  # as the boundaries left it: a boundary is no helper
                if no_io_helper(ctx, verdict) and verdict.consistency is None and not self._network(ctx.symbol):
                    reason = "a helper of the client library reaching no I/O: the spans of its operations hold it"
                    verdicts[number] = covered_by(verdicts[number], reason)
        found = (results, tuple(verdicts))
        self._scored_files[path] = found
        return found

    def _like_other_implementations(
        self, results: Sequence[FunctionResult], verdicts: Sequence[Verdict], threshold: float
    ) -> dict[int, str]:
        """The methods with evidence of their own (by index; public, or a template method's private hook) that
        implement an operation most of whose workspace implementations deserve a span on their own (the rules'
        verdicts at ``threshold``), with the reason: every notification transport's ``notify`` is one operation,
        traced whichever class runs it; also when all it shows is how it handles errors (a payment backend's
        ``create_invoice`` whose SDK call resolves nowhere, beside backends calling an HTTP client). The reason is
        evidence whether or not the function already scores above the floor (the floor only decides whether it
        raises the confidence): its rationale says so either way."""
        raised: dict[int, str] = {}
        for number, (result, verdict) in enumerate(zip(results, verdicts, strict=True)):
            ctx = result.ctx
            if verdict.priority is None and not verdict.handling_only:
                continue
            if not _implementation(ctx):
                continue
            operation = self._operation_of(ctx)
            if operation is None:
                continue
            others = [m for m in self.index.implementations(operation) if m != ctx.symbol]
            deserving = sum(self._deserves_alone(m, threshold) for m in others)
            if deserving >= MIN_PUBLIC_METHODS and deserving / len(others) >= MAJORITY:
                name = operation.partition(":")[2]
                raised[number] = (
                    f"{deserving} of {len(others)} other implementations of {name} deserve a span: one operation, "
                    "traced whichever class runs it"
                )
        return raised

    def _operation_of(self, ctx: FunctionContext) -> SymbolId | None:
        """The workspace method ``ctx`` stands for: its name on the topmost workspace base class of its class that
        defines it (``Transport.notify`` for ``Discord.notify``), None when no workspace base does."""
        mro = ctx.analysed.mros.get(ctx.class_name or "", ())
        for base in reversed(mro):
            method = f"{base}.{ctx.name}"
            definition = self.index.definition(method) if ":" in base else None
            if definition is not None and definition.kind in ("function", "method"):
                return method
        return None

    def _deserves_alone(self, symbol: SymbolId, threshold: float) -> bool:
        """Whether a workspace function (any file) is traced, deserves a span by the rules (the run's rules verdicts
        of other files' functions, :meth:`_Around.verdict`) or is recommended for work of its own (I/O, a message, a
        job: :func:`has_work`) at any confidence: the rules lower a generator's (x0.55), and semantic-kernel's
        streaming ``_inner_get_streaming_chat_message_contents``, an LLM call in each of 9 connectors, deserved a span
        in none of them at the rules' cut, while each non-streaming twin was raised with its siblings."""
        around = self.around()
        rules = around.verdict(symbol) if around is not None else None
        if rules is None:
            return False
        return (
            rules.traced is not None
            or rules.deserves_span(threshold)
            or (rules.priority is not None and has_work(rules.signals))
        )

    def _gateways(self, module: str) -> frozenset[str] | None:
        """When ``module`` belongs to a client library (a package the workspace's packaging metadata publishes, with
        classes every operation goes through to the network: advise/library.py), those classes (``module:Class``);
        else None. Found once per run."""
        if self._library is None:
            self._library = self._client_libraries()
        return next((found for p, found in self._library.items() if inside(module, p)), None)

    def _client_libraries(self) -> dict[str, frozenset[str]]:
        packages = []
        for name in self.index.workspace_modules():
            path = self.index.path_for_module(name)
            if path is not None and path.name == "__init__.py" and name.count(".") < 3:
                packages.append((name, path))
        published = own_packages(packages)
        if not published or self.graph is None or self.builder is None:
            return {}
        graph = self.index.graph()
        symbols = graph.symbols()
        found = {p: frozenset(gateway_classes(symbols, graph.callers, p, self._network)) for p in sorted(published)}
        return {p: gateways for p, gateways in found.items() if gateways}

    def _network(self, symbol: SymbolId) -> bool:
        """Whether a workspace function reaches I/O that leaves the process within ``_GATEWAY_DEPTH`` calls (its own
        client call or a function below it): for the client library questions only, whose transport sits deeper than
        the evidence's I/O walk looks. Kept for the run, as the client libraries are."""
        return self._network_io(symbol) is not None

    def _network_io(self, symbol: SymbolId) -> CalleeIO | None:
        """The I/O leaving the process that :meth:`_network` finds (the closest), None without."""
        if symbol not in self._deep_network:
            walk, _ = self._io_walk_through(symbol, True, _GATEWAY_DEPTH)  # closest first
            apis = ((depth, callee, api) for callee, depth in walk for api in self._apis_of(callee))
            found = next(((depth, callee, api) for depth, callee, api in apis if api.kind in NETWORK), None)
            self._deep_network[symbol] = None
            if found is not None:
                depth, callee, api = found
                how = f"{api.label} via {api.shown}" if callee == symbol else f"{api.label} through {callee}"
                self._deep_network[symbol] = CalleeIO(api.kind, how, depth)
        return self._deep_network[symbol]

    def _transport_signal(self, ctx: FunctionContext) -> Signal | None:
        """For a network boundary whose evidence shows no I/O: its call of the private method of its class that
        reaches the network deeper than the evidence looks (redis-py's ``execute_command`` -> ``_execute_command``,
        the socket five calls down), as the evidence of a call of a workspace function doing I/O."""
        for call in ctx.calls:
            for callee in call.workspace_callees:
                transport = private_method_of(ctx, callee) and callee not in ctx.callee_io
                io = self._network_io(callee) if transport else None
                if io is not None:
                    reason = f"calls {call.named(callee)} ({io.label})"
                    return Signal(Evidence("external_io", reason, call.range, callee), 0.5, Finding.CALLS_IO_FUNCTION)
        return None

    def around(self) -> _Around | None:
        """What the calibration features read of other files (:class:`trace_advisor.advise.calibration.Around`), one
        per run; None without a call graph."""
        if self._around is None and self.builder is not None and self.graph is not None:
            self._around = _Around(self.index, self.graph, self.builder, self.scorer, self.priorities)
        return self._around

    def project_threshold(self, census: SpanCensus, cancel: CancelToken = NEVER) -> ProjectThreshold | None:
        """The threshold that best reproduces the spans the project already has (:func:`fit_threshold` over the
        functions of the files with spans), None below ``MIN_SPANS`` of them; one per run."""
        if self._fit is not None and self._fit[0] == census:
            return self._fit[1]
        found = None
        if census.traced >= MIN_SPANS:
            labelled: list[tuple[Verdict, bool]] = []
            for path in census.files:
                scored = self._scored(path, cancel)
                if isinstance(scored, Problem):
                    continue
                labelled.extend(
                    (v, v.traced is not None) for r, v in zip(*scored, strict=True) if "<" not in r.ctx.qualname
                )
            found = fit_threshold(labelled, self.config.min_confidence)
        self._fit = (census, found)
        return found

    def span_census(self) -> SpanCensus:
        """The spans the workspace's modules already start, read from their facts (each module's count kept while
        its facts are the same), once per run; tests and the tracing machinery (:func:`traced_units.plumbing`) are not
        counted."""
        if self._census is not None:
            return self._census
        counted = []
        kept = self.cache.spans
        for module, path, facts in self.index.workspace_facts():
            if is_test_module(module) or plumbing(module):
                continue
            found = kept.get(module)
            if found is None or found[0] is not facts:
                found = kept[module] = (facts, spans_in_facts(facts))
            counted.append((path, found[1]))
        self._census = SpanCensus.of(counted)
        return self._census

    def _covers(self, own: Mapping[SymbolId, Verdict], threshold: float, symbol: SymbolId) -> bool:
        """Whether a caller has a span of its own or gets one: it is traced, recommended (its verdict in ``own``, the
        file being decided; else the rules' with its graph facts, at ``threshold``), or a request handler whose
        framework's instrumentation gives it its server span. Remembered for the run."""
        if symbol in own:
            verdict = own[symbol]
            return (
                verdict.traced is not None
                or verdict.deserves_span(self.config.min_confidence)
                or served_request(verdict.signals)
            )
        found = self._covering.get(symbol)
        if found is None:
            found = False
            if self.builder is not None:
                rules = _rules_verdict(self.index, self.builder, self.scorer, self.priorities, symbol)
                found = rules is not None and (
                    rules.traced is not None or rules.deserves_span(threshold) or served_request(rules.signals)
                )
            self._covering[symbol] = found
        return found

    def _analyse_function(
        self, analysed: AnalysedModule, function: FunctionSyntax, key: object, graph_facts: GraphFacts
    ) -> FunctionResult | None:
        try:
            ctx = FunctionContext(analysed, function, graph_facts)
            traced = existing_span(ctx)
            if traced is not None:  # scored on its own work, as if the span were not there (for coverage)
                ctx = FunctionContext(analysed, without_span(ctx), graph_facts)
            signals = tuple(run_detectors(ctx, self.priorities))
        except RecursionError:  # absurdly deep expressions: skip the function, never the run
            LOG.warning("skipped %s: expression too deep", function.symbol)
            return None
        verdict = self.scorer.verdict(ctx, signals, traced=traced)
        return FunctionResult(key, graph_facts, ctx, signals, self.scorer.recommend(ctx, signals, verdict), verdict)

    def run(
        self, files: Sequence[Path], cancel: CancelToken, progress: Callable[[int, int], None] | None
    ) -> tuple[list[Recommendation], list[Problem], int]:
        with gc_paused():  # syntax trees and contexts hold no cycles: a collection mid-run only rescans them
            if not self.cache.lock.acquire(blocking=False):  # another run is using the cache: this one works alone
                self.cache = AnalysisCache()
                return self._run(files, cancel, progress)
            try:
                return self._run(files, cancel, progress)
            finally:
                self.cache.lock.release()

    def _run(
        self, files: Sequence[Path], cancel: CancelToken, progress: Callable[[int, int], None] | None
    ) -> tuple[list[Recommendation], list[Problem], int]:
        recs: list[Recommendation] = []
        problems: list[Problem] = []
        done = 0
        self._run_files = {Path(f).resolve() for f in files}
        for number, path in enumerate(files, 1):
            cancel.check()
            found, problem = self.analyze_file(path, cancel)
            recs.extend(found)
            if problem is not None:
                problems.append(problem)
            else:
                done += 1
            if progress is not None:
                progress(number, len(files))
        return self.scorer.ordered(recs), problems, done

    def instrumentation(self, recs: Sequence[Recommendation]) -> tuple[InstrumentationHint, ...]:
        """The instrumentation packages to install rather than a span per request handler of this run (handlers
        with nothing else worth a span), those ``recs`` recommend after all apart (the server span is still theirs)."""
        return instrumentation_hints(self.covered, {rec.symbol for rec in recs})

    def weigh_costs(self, recs: list[Recommendation]) -> tuple[list[Recommendation], tuple[CostNote, ...]]:
        """Leave out the recommendations a span would cost too much for (cost.py), each with why, and recommend the
        callers promoted in place of hot functions; what the kept ones cost per request is
        :mod:`trace_advisor.volume`'s estimate."""
        decision = self.costly(recs)
        kept = [rec for rec in recs if rec.symbol not in decision.reasons]
        kept.extend(self.promoted(decision, recs))
        kept.sort(key=lambda r: (r.file, r.range.start))
        return kept, cost_notes(recs, decision.reasons)

    def weigh_file_costs(
        self, path: Path, recs: list[Recommendation], cancel: CancelToken = NEVER, *, reached: bool = True
    ) -> list[Recommendation]:
        """:meth:`weigh_costs` of one file's recommendations (the editor's) as a run over the whole workspace decides
        it: the hot functions in other files that the file's functions reach are weighed too, so a caller here
        promoted in place of one of them is recommended here, as ``analyze``/``apply --all`` recommend it
        (``reached=False``: the file's own alone, the quick first answer while those are not analysed yet)."""
        hot = self._reached_hot_candidates(path.resolve(), cancel) if reached else []
        self._promote_anywhere = True
        try:
            kept, _ = self.weigh_costs([*recs, *hot])
        finally:
            self._promote_anywhere = False
        own = self.index.module_for_path(path)
        return [rec for rec in kept if rec.symbol.partition(":")[0] == own]

    def _reached_hot_candidates(self, path: Path, cancel: CancelToken) -> list[Recommendation]:
        """The recommendations of other files whose evidence is their cost (the hot functions a caller may be
        promoted for), among the workspace functions ``path``'s functions call at any depth (not through hand-offs);
        each file's as a run over it selects them."""
        analysed = self.index.analysed(path)
        if self.graph is None or not isinstance(analysed, AnalysedModule):
            return []
        queue = [function.symbol for function in analysed.functions()]
        seen = set(queue)
        modules: set[str] = set()
        while queue and len(seen) <= _MAX_REACHED:
            for edge in self.graph.callees(queue.pop()):
                if edge.external or edge.via or edge.callee in seen:
                    continue
                seen.add(edge.callee)
                queue.append(edge.callee)
                modules.add(edge.callee.partition(":")[0])
        modules.discard(self.index.module_for_path(path) or "")
        files = {Path(found) for module in modules if (found := self.index.path_for_module(module)) is not None}
        self._note_changes()
        reached: list[Recommendation] = []
        for other in sorted(files):
            cancel.check()
            reached.extend(self._hot_candidates(other, cancel))
        return reached

    def _hot_candidates(self, path: Path, cancel: CancelToken) -> tuple[Recommendation, ...]:
        """The recommendations of one file whose evidence is their cost, as a run over it selects them; kept while
        the settings, the recording, the project's spans, the file's module and what its analysis read of other
        functions are the same: the call sites and "runs forever" of its functions' callees and of the functions
        their I/O is looked for in (what their graph facts are found from), and no function it may read (its
        neighbours, what they call at any depth, their callers, the callers up to an entry point: :meth:`_reads`)
        changed its code, calls or callers since (:class:`~trace_advisor.analysis_cache.Changes`), nor whether its
        functions and their neighbours are reachable from an entry point."""
        census = self.span_census()
        fit = self.project_threshold(census, cancel)
        spans = census if census.traced else None  # without spans, the project's are not followed: none read
        observed = _observed_of(self.index)
        # a recording's calls are no edges of the graph (Reads does not walk them): any change of its shape counts
        shape = self.index.graph_shape() if observed is not None else None
        setting = (self.config, self.scorer.instrumentation, observed, shape, spans, fit)
        kept = self.cache.hot_candidates.get(path)
        if kept is not None and kept[0] == setting and self._still_read(kept[1]) and kept[2].facts is self._facts(path):
            reads = self._unchanged(kept[2])
            if reads is not None:
                self.cache.remember_hot_candidates(path, (setting, kept[1], reads, kept[3]))
                return kept[3]
        results, _ = self.function_results(path, cancel)
        recs = [r.recommendation for r in results if r.recommendation is not None]
        found = tuple(r for r in self.scorer.ordered(recs) if any(e.priority == COST_PRIORITY for e in r.evidence))
        reads = self._reads(path)
        self.cache.remember_hot_candidates(path, (setting, self._read_by(path, results), reads, found))
        return found

    def _graph_facts(self, symbol: SymbolId) -> GraphFacts:
        """A function's graph facts, kept from an earlier run while its call sites are the same and no change since
        may have changed them (:meth:`_affected`), nor whether it is reachable from an entry point; found anew with
        a recording (its calls are no edges of the graph)."""
        if self.builder is None:
            return GraphFacts()
        if self.builder.observed is not None:
            return self.builder.facts(symbol)
        self._note_changes()
        sites = self._sites(symbol)
        kept = self.cache.facts.get(symbol)
        epoch = self.cache.changes.epoch
        if kept is not None and kept[1] == sites and (kept[0] == epoch or self._facts_stand(symbol, kept[0], kept[2])):
            found = kept[3]
        else:
            found = self.builder.facts(symbol)
        self.cache.remember_facts(symbol, (epoch, sites, found.reachable_from_entry, found))
        return found

    def _facts_stand(self, symbol: SymbolId, epoch: int, reachable: bool | None) -> bool:
        """Whether the graph facts a function had at ``epoch`` are still its own: no change since may have changed
        them, and it is as reachable from an entry point as it was when the callers of any function changed."""
        assert self.graph is not None
        changes = self.cache.changes.since(epoch)
        if changes is None:
            return False
        for change in changes:
            affected = self._affected_by(change)
            if affected is None or symbol in affected:
                return False
        return not any(change.callers for change in changes) or self.graph.reachable(symbol) == reachable

    def _affected_by(self, change: Change) -> frozenset[SymbolId] | None:
        """The functions whose graph facts ``change`` may change (None: any): those whose callers changed, the callees
        of the functions that changed (what a caller does per message, the route it registers), and every function
        calling a changed one at any depth, or a method it implements (the I/O, "runs forever" and work found below a
        function); remembered for the run."""
        if change.epoch in self._affected:
            return self._affected[change.epoch]
        found: frozenset[SymbolId] | None = None
        if change.code is not None and self.graph is not None:
            graph = self.graph
            above = set(change.code)
            queue = list(above)
            while queue:
                symbol = queue.pop()
                callers = [edge.caller for edge in graph.callers(symbol)]
                for caller in (*callers, *(lambda_owner(c) for c in callers), *self._bases(symbol)):
                    if caller is not None and caller not in above:
                        above.add(caller)
                        queue.append(caller)
            below = {edge.callee for symbol in change.code for edge in graph.callees(symbol) if not edge.external}
            found = frozenset(above | below | change.callers)
        self._affected[change.epoch] = found
        return found

    def _bases(self, symbol: SymbolId) -> list[SymbolId]:
        """The methods ``symbol`` may implement: those of its name in its class's bases (workspace subclasses'
        methods are where a call of the base method looks for I/O)."""
        module, _, qualname = symbol.partition(":")
        owner, _, name = qualname.rpartition(".")
        if not owner or "<" in qualname:
            return []
        path = self.index.path_for_module(module)
        analysed = self.index.analysed(path) if path is not None else None
        if not isinstance(analysed, AnalysedModule):
            return []
        return [f"{base}.{name}" for base in analysed.mros.get(owner, ())]

    def _note_changes(self) -> None:
        """Bring ``cache.changes`` up to the index's current state (once per run): per module whose resolved calls or
        facts are other objects than last time, which functions' state changed (:meth:`_states`), and whose callers
        did (the callees a changed function gained or lost); anything, when a class's bases or methods changed (where
        a method's implementations run) or modules came or went."""
        if self._changes_noted:
            return
        self._changes_noted = True
        changes = self.cache.changes
        before = changes.modules
        now: dict[str, tuple[object, object, object, dict[SymbolId, object]]] = {}
        code: set[SymbolId] = set()
        callers: set[SymbolId] = set()
        anything = bool(before) and set(self.index.workspace_modules()) != before.keys()
        for module in self.index.workspace_modules():
            calls, info = self.index.module_calls(module), self.index.module_info(module)
            old = before.get(module)
            if old is not None and old[0] is calls and old[1] is info:
                now[module] = old
                continue
            if old is not None and old[1] is info and _same_sites(old[0], calls):  # resolved again, unedited
                now[module] = (calls, info, old[2], old[3])
                continue
            hierarchy, states = self._states(module, calls, info)
            now[module] = (calls, info, hierarchy, states)
            if old is None:
                continue
            anything = anything or old[2] != hierarchy
            for symbol in old[3].keys() | states.keys():
                was, state = old[3].get(symbol), states.get(symbol)
                if was != state:
                    code.add(symbol)
                    callers.update(callee for callee, _ in _callees_of(was) ^ _callees_of(state))
        changes.modules = now
        if before:
            changes.record(None if anything else frozenset(code), frozenset(callers))

    def _states(
        self, module: str, calls: ModuleCalls | None, info: ModuleInfo | None
    ) -> tuple[object, dict[SymbolId, object]]:
        """A module's classes (bases and methods), and each function's, lambda's or body's state: its code (a
        function's or lambda's lines, wherever they are) and its call sites as text, callees and why unresolved."""
        sites = calls.sites if calls is not None else {}
        path = self.index.path_for_module(module)
        lines = self._source_lines(path) if path is not None else None
        states: dict[SymbolId, object] = {}
        classes: list[tuple[str, object]] = []
        for scope in info.facts.scopes if info is not None else ():
            symbol = make_symbol(module, scope.qualname)
            text = None
            if scope.kind in ("function", "lambda") and lines is not None:
                first, _, last, _ = loc_parts(scope.loc)
                text = lines[first - 1 : last]
            if scope.kind == "class":
                classes.append((scope.qualname, scope.bases))
            elif scope.kind == "function" and scope.parent and info is not None:
                parent = info.scopes.get(scope.parent)
                if parent is not None and parent.kind == "class":
                    classes.append((scope.qualname, scope.method_kind))
            states[symbol] = (scope.kind, text, _sites_state(sites.get(symbol, ())))
        for symbol, found in sites.items():
            if symbol not in states:
                states[symbol] = (None, None, _sites_state(found))
        return tuple(classes), states

    def _unchanged(self, reads: Reads) -> Reads | None:
        """``reads`` as of now when no change since it was read touches it (else None): no function it read the code,
        calls or callers of changed, and, after a change of who calls whom, every function it read as reachable from
        an entry point (or not) still is."""
        assert self.graph is not None
        changes = self.cache.changes.since(reads.epoch)
        if changes is None:
            return None
        for change in changes:
            if change.code is None or not change.code.isdisjoint(reads.code):
                return None
            if not change.callers.isdisjoint(reads.callers):
                return None
        if any(change.callers for change in changes) and any(
            self.graph.reachable(symbol) != was for symbol, was in reads.reachable.items()
        ):
            return None
        return dataclasses.replace(reads, epoch=self.cache.changes.epoch)

    def _reads(self, path: Path) -> Reads:
        """What the file's results may read of the workspace's functions (a superset): its functions' neighbours
        (callers and callees, read by the graph facts, the calibration features and the wrappers' coverage), what
        these call at any depth with the workspace implementations of the methods among them (their I/O, whether they
        run forever or run a job's work), the neighbours' callers (what a consumer calls per message, the routes
        they register) and the callers up to ``ENTRY_DEPTH`` + 1 calls above its functions (their entry distance)."""
        graph = self.graph
        assert graph is not None
        analysed = self.index.analysed(path)
        own = {f.symbol for f in analysed.functions()} if isinstance(analysed, AnalysedModule) else set()
        near: set[SymbolId] = set()
        for symbol in own:
            for edge in graph.callers(symbol):
                near.update((edge.caller, lambda_owner(edge.caller) or edge.caller))
            near.update(edge.callee for edge in graph.callees(symbol) if not edge.external)
        near -= own
        code = own | near
        queue = list(code)
        while queue:
            symbol = queue.pop()
            below = [edge.callee for edge in graph.callees(symbol) if not edge.external]
            module, _, qualname = symbol.partition(":")
            if "." in qualname and "<" not in qualname:
                below.extend(self.index.implementations(symbol))
            for callee in below:
                if callee not in code:
                    code.add(callee)
                    queue.append(callee)
        for symbol in own | near:
            for edge in graph.callers(symbol):
                code.update((edge.caller, lambda_owner(edge.caller) or edge.caller))
        above, level = set(own), list(own)
        for _ in range(ENTRY_DEPTH + 1):
            level = [e.caller for s in level for e in graph.callers(s) if e.caller not in above]
            above.update(level)
        code |= above
        reachable = {symbol: graph.reachable(symbol) for symbol in own | near}
        return Reads(
            self._facts(path), self.cache.changes.epoch, frozenset(code), frozenset(own | near | above), reachable
        )

    def _facts(self, path: Path) -> object:
        """The file's module facts (the same object while the file is not edited)."""
        module = self.index.module_for_path(path)
        info = self.index.module_info(module) if module is not None else None
        return info.facts if info is not None else None

    def _read_by(self, path: Path, results: Sequence[FunctionResult]) -> ReadFunctions:
        """Per module, its resolved calls now and, for the functions its callees are (None: the file's own module,
        read whole), what a function's graph facts read of them."""
        assert self.graph is not None
        own = self.index.module_for_path(path)
        read: ReadFunctions = {own: (self.index.module_calls(own), None)} if own is not None else {}
        walked: set[SymbolId] = set()
        for result in results:
            for edge in self.graph.callees(result.ctx.symbol):
                if edge.external or edge.callee in walked:
                    continue
                walked.add(edge.callee)
                for callee, _ in self._io_walk(edge.callee):  # the callee, and where its I/O is looked for
                    module = callee.partition(":")[0]
                    if module != own:
                        symbols = read.setdefault(module, (self.index.module_calls(module), {}))[1]
                        if symbols is not None and callee not in symbols:
                            symbols[callee] = self._facts_read(callee)
        return read

    def _facts_read(self, symbol: SymbolId) -> object:
        """What graph facts read of a workspace callee: its call sites (an edit elsewhere in its module keeps the
        objects) and whether it runs forever."""
        assert self.builder is not None
        return self._sites(symbol), self.builder.forever(symbol)

    def _still_read(self, read: ReadFunctions) -> bool:
        """Whether what :meth:`_read_by` found is still so (a module whose resolved calls are the same object is
        taken as it is; for another, each function read of it is compared)."""
        for module, (calls, symbols) in read.items():
            now = self.index.module_calls(module)
            if now is calls:
                continue
            if symbols is None:  # the file's own: resolved again (a reader pass) to the same sites (unedited: Reads)
                if not _same_sites(calls, now):
                    return False
            elif any(self._facts_read(s) != seen for s, seen in symbols.items()):
                return False
            read[module] = (now, symbols)  # the same for what was read: compared by identity from now on
        return True

    def within(self, files: Iterable[Path]) -> None:
        """Decide as a run over ``files`` would (the callers promoted for cost are theirs), without running it."""
        self._run_files = {Path(f).resolve() for f in files}

    def promoted(self, decision: CostDecision, recs: Sequence[Recommendation]) -> list[Recommendation]:
        """The recommendations of the callers ``decision`` promotes in place of hot functions among ``recs``."""
        by_symbol = {rec.symbol: rec for rec in recs}
        found = (self._promoted(p, by_symbol[p.hot]) for p in decision.promoted.values() if p.hot in by_symbol)
        return [rec for rec in found if rec is not None]

    def span_of(self, symbol: SymbolId) -> tuple[Path, int, str] | None:
        """The file, def line and existing span of a workspace function that already creates one, else None."""
        path = self.index.path_for_module(symbol.partition(":")[0])
        ctx = _function_of(self.index, symbol, self.cache)
        span = existing_span(ctx) if ctx is not None else None
        if path is None or ctx is None or span is None:
            return None
        return Path(path), ctx.node.lineno, span

    def costly(self, recs: Sequence[Recommendation]) -> CostDecision:
        """The recommendations a span would cost too much for, with why, and the callers promoted in place of hot
        functions (nothing without a call graph)."""
        counts = self.request_counts()
        if counts is None or not isinstance(self.graph, CostGraph):
            return CostDecision({}, {})
        chosen = {rec.symbol for rec in recs}

        def recommended(symbol: SymbolId) -> bool:
            return symbol in chosen or self._would_recommend(symbol)

        hot_calls = self.config.hot_calls_per_unit
        return costly(recs, self.graph, counts, recommended, self._code, hot_calls, self._promotable, self.entry_unit)

    def _code(self, symbol: SymbolId) -> CodeFacts | None:
        """What the cost decision reads of a workspace function's code (None outside the workspace): kept while its
        facts scope is the same object (its module was not edited) and its resolved call sites are the same (an edit
        elsewhere keeps the site objects: an identity check), else read from the context this run built for it, or
        from one built now."""
        scope = _scope_of(self.index, symbol)
        sites = self._sites(symbol) if scope is not None else ()
        kept = self.cache.code.get(symbol)
        if kept is not None and scope is not None and kept[0] is scope and kept[1] == sites:
            return kept[2]
        ctx = self._contexts.get(symbol) or _function_of(self.index, symbol, self.cache)
        found = code_facts(ctx) if ctx is not None else None
        if scope is not None:
            self.cache.remember_code(symbol, scope, sites, found)
        return found

    def context(self, symbol: SymbolId) -> FunctionContext | None:
        """A workspace function's first def as the detectors see it (None outside the workspace): the context this
        run built for it when it has one (the def without its span for a traced one aside), else one built now."""
        ctx = self._contexts.get(symbol)
        if ctx is not None and ctx.analysed.function(symbol) is ctx.function:
            return ctx
        return _function_of(self.index, symbol, self.cache)

    def entry_unit(self, symbol: SymbolId) -> Unit:
        """What one call of the entry point ``symbol`` serves (a request, a job, a CLI run...), from what the entry
        point and message bus detectors find about it (:func:`trace_advisor.detect.kinds.entry_unit`)."""
        ctx = self._contexts.get(symbol) or _function_of(self.index, symbol, self.cache)
        if ctx is None:
            return Unit.CALL
        decorators = [callee for dec in ctx.node.decorator_list for callee in ctx.decorator_callees(dec)]
        return entry_unit((s.finding for s in run_detectors(ctx, ("entry_points", "message_bus"))), decorators)

    def _promotable(self, symbol: SymbolId) -> bool:
        """Whether a function may be recommended in place of a hot callee: of this run's files (any workspace file
        for :meth:`weigh_file_costs`), not silenced (a traced one is a recommended caller already)."""
        path = self.index.path_for_module(symbol.partition(":")[0])
        if path is None:
            return False
        if not self._promote_anywhere and (self._run_files is None or Path(path).resolve() not in self._run_files):
            return False
        ctx = _function_of(self.index, symbol, self.cache)
        return ctx is not None and not ignored(ctx)

    def _promoted(self, promotion: Promotion, hot: Recommendation) -> Recommendation | None:
        """The recommendation of a caller promoted in place of the hot function ``hot``: its own evidence and the
        call that leads to ``hot``, at least ``hot``'s confidence, saying why in the rationale."""
        path = self.index.path_for_module(promotion.caller.partition(":")[0])
        results = self.function_results(path)[0] if path is not None else []
        result = next((r for r in results if r.ctx.symbol == promotion.caller), None)
        if result is None:
            return None
        hot_name = span_name(hot.qualname)
        counts = self.request_counts()
        of = counts.unit_of(promotion.entry, self.entry_unit) if counts is not None else UnitOf(Unit.CALL)
        per = unit_phrase(of, promotion.entry)
        reason = f"calls {hot_name}, too hot for a span of its own (about {promotion.calls:,.0f} calls per {per})"
        own = result.verdict
        lead = Signal(Evidence(COST_PRIORITY, reason, promotion.site, promotion.hot), 0.6, Finding.HOT_CALLEE)
        signals = (*own.signals, lead)
        confidence = max(own.confidence if own.priority is not None else 0.0, hot.confidence)
        verdict = dataclasses.replace(own, confidence=confidence, priority=COST_PRIORITY, reasons=(), signals=signals)
        rec = self.scorer.recommend(result.ctx, signals, verdict)
        if rec is None:
            return None
        calls = "once" if promotion.caller_calls == 1 else f"about {promotion.caller_calls:,.0f} times"
        note = (
            f" Recommended in place of {hot_name}, left out for cost (from {promotion.entry}), which no recommended"
            f" function measures: the nearest caller cheap enough for a span (called {calls} per {of.unit.noun})."
        )
        return dataclasses.replace(rec, rationale=rec.rationale + note)

    def request_counts(self) -> RequestCounts | None:
        """Calls per request through this run's call graph (None without one), shared by the cost decision and
        the spans-per-request figures."""
        if self._counts is None and isinstance(self.graph, CostGraph):
            # outlives the run (volume): reads this run's contexts while it lives, without holding it
            loops = LoopCalls(partial(_places, self.index, self.cache, _contexts_of(self)))
            kept = self.cache.counts
            shape = self.index.graph_shape()
            if kept is not None and kept.graph is self.graph:
                self._counts = kept.renewed(loops, shape)  # an edit that changes no function's calls keeps them all
            else:
                calls = GraphCalls(self.graph, loops, self.index.module_calls)
                self._counts = RequestCounts(self.graph, calls, shape)
            self.cache.counts = self._counts
        return self._counts

    def _would_recommend(self, symbol: SymbolId) -> bool:
        """Whether a function outside this run's files has a span or the local scorer recommends it (its verdict
        without graph facts; remembered, and kept while the settings are the same and its module is not edited nor its
        calls resolved otherwise, or what its analysis reads is the same: :func:`source_key`)."""
        found = self._verdicts.get(symbol)
        if found is not None:
            return found
        scope, setting = _scope_of(self.index, symbol), (self.config, self.scorer.instrumentation)
        sites = self._sites(symbol)
        kept = self.cache.verdicts.get(symbol)
        if kept is not None and scope is not None and kept[0] is scope and kept[1] == sites and kept[2] == setting:
            found = kept[4]
        else:  # its module was edited: the same answer while what its analysis reads is (source_key)
            syntax = _syntax_of(self.index, symbol)
            key = source_key(*syntax) if syntax is not None else None
            if kept is not None and key is not None and kept[2] == setting and kept[3] == key:
                found = kept[4]
            else:
                ctx = FunctionContext(*syntax) if syntax is not None else None
                found = False
                if ctx is not None and existing_span(ctx) is not None:
                    found = True  # already traced: its span measures the loop as a recommended one's would
                elif ctx is not None:
                    verdict = self.scorer.verdict(ctx, tuple(run_detectors(ctx, self.priorities)))
                    found = verdict.priority is not None and verdict.confidence >= self.config.min_confidence
            if scope is not None:
                self.cache.remember_verdict(symbol, (scope, sites, setting, key, found))
        self._verdicts[symbol] = found
        return found

    def build_candidates(self) -> tuple[Candidate, ...]:
        out: list[Candidate] = []
        graph = self.graph
        for ctx, signals, rec, _ in self.candidates:
            code = ctx.code()
            callers = tuple(dict.fromkeys(e.caller for e in graph.callers(ctx.symbol))) if graph else ()
            callees = tuple(dict.fromkeys(e.callee for e in graph.callees(ctx.symbol))) if graph else ()
            out.append(
                Candidate(
                    symbol=ctx.symbol,
                    file=str(ctx.analysed.path),
                    qualname=ctx.qualname,
                    range=ctx.full_range(),
                    code=code,
                    evidence=tuple(s.evidence for s in signals),
                    callers=callers[:10],
                    callees=callees[:20],
                    local=rec,
                    content_hash=hashlib.sha256(code.encode("utf-8")).hexdigest(),
                )
            )
        return tuple(out)


def merge(
    local: Iterable[Recommendation], remote: Iterable[Recommendation], scorer: LocalScorer, min_confidence: float
) -> list[Recommendation]:
    """Per function, the model's answer wins (its ``source`` names the model); local answers fill the rest."""
    by_symbol = {r.symbol: r for r in local}
    for rec in remote:
        if rec.confidence >= min_confidence:
            by_symbol[rec.symbol] = rec
        else:
            by_symbol.pop(rec.symbol, None)  # the model looked and judged it not worth a span
    return scorer.ordered(by_symbol.values())


def with_model_answers(
    local: Iterable[Recommendation],
    answers: Iterable[Recommendation],
    definitions: Sequence[Definition],
    text: str,
    config: Config,
) -> tuple[list[Recommendation], tuple[Recommendation, ...]]:
    """A file's findings for its current ``text``: the local ones merged (as :func:`merge`) with the model's
    ``answers`` about functions whose code is still what the model saw, each placed at its def's current range.
    Also returns the answers that still stand (the others are stale for good: the function changed or got its span).
    """
    lines = source_lines(text)
    standing: list[Recommendation] = []
    placed: list[Recommendation] = []
    for answer in answers:
        definition = _def_as_seen(answer, definitions, lines)
        if definition is not None:
            standing.append(answer)
            placed.append(dataclasses.replace(answer, range=definition.range, name_range=definition.name_range))
    if not standing:
        return list(local), ()
    return merge(local, placed, LocalScorer(config), config.min_confidence), tuple(standing)


def _def_as_seen(answer: Recommendation, definitions: Sequence[Definition], lines: list[str]) -> Definition | None:
    """The def of ``answer``'s symbol whose code is the ``code_block`` the model saw (the def with its decorators,
    dedented, so a method's block is not a substring of the file); without a code block, the first such def."""
    for definition in definitions:
        if definition.symbol != answer.symbol:
            continue
        code = "\n".join(lines[definition.range.start.line - 1 : definition.range.end.line])
        if not answer.code_block or textwrap.dedent(code) == answer.code_block:
            return definition
    return None


def analyze(
    index: Index,
    config: Config,
    files: Sequence[Path] | None = None,
    *,
    provider: Provider | None = None,
    cancel: CancelToken = NEVER,
    progress: Callable[[int, int], None] | None = None,
) -> AnalysisResult:
    """Recommend spans for every function of ``files`` (all indexed files when None); see docs/architecture.md."""
    local, analyzer = _analyze_locally(index, config, files, cancel, progress)
    if provider is None:
        return local
    request = ModelRequest(local, analyzer.build_candidates(), analyzer.scorer, _span_names(index))
    return finish_model_request(request, provider, ask_provider(provider, request.candidates, cancel))


@dataclasses.dataclass(frozen=True, slots=True)
class ModelRequest:
    """The local half of :func:`analyze`: its result without a provider and the candidates a model is asked about."""

    local: AnalysisResult
    candidates: tuple[Candidate, ...]
    scorer: LocalScorer
    span_names: Mapping[SymbolId, str] = dataclasses.field(default_factory=dict)


def prepare_model_request(
    index: Index,
    config: Config,
    files: Sequence[Path] | None = None,
    *,
    cancel: CancelToken = NEVER,
    progress: Callable[[int, int], None] | None = None,
) -> ModelRequest:
    """Local analysis of ``files`` and the model candidates; with :func:`ask_provider` and
    :func:`finish_model_request` it is ``analyze(provider=...)`` in steps (a server waits for the network elsewhere)."""
    local, analyzer = _analyze_locally(index, config, files, cancel, progress)
    return ModelRequest(local, analyzer.build_candidates(), analyzer.scorer, _span_names(index))


def _analyze_locally(
    index: Index,
    config: Config,
    files: Sequence[Path] | None,
    cancel: CancelToken,
    progress: Callable[[int, int], None] | None,
) -> tuple[AnalysisResult, Analyzer]:
    analyzer = Analyzer(index, config, index.graph())
    wanted = list(files) if files is not None else list(index.files())
    recs, problems, done = analyzer.run(wanted, cancel, progress)
    recs, left_out = analyzer.weigh_costs(recs)
    problems = _index_problems(index, wanted) + [p for p in problems if p.file not in _problem_files(index)]
    local = AnalysisResult(
        recommendations=_named(_span_names(index), recs),
        problems=tuple(problems),
        engine="local",
        files_analysed=done,
        extra={
            "installed_instrumentation": sorted(analyzer.scorer.installed),
            "instrumentation_set_up": dict(sorted(analyzer.scorer.set_up.items())),
        },
        left_out=left_out,
        instrumentation=analyzer.instrumentation(recs),
    )
    return local, analyzer


def ask_provider(provider: Provider, candidates: tuple[Candidate, ...], cancel: CancelToken) -> ProviderResult:
    """The provider's answer; any failure becomes a problem and the local results stand."""
    if not candidates:
        return ProviderResult(())
    try:
        return provider.advise(candidates, cancel)
    except Exception as exc:  # noqa: BLE001 - a broken provider must never lose the local results
        if cancel.cancelled:
            raise
        LOG.exception("provider %s failed", provider.name)
        message = f"{provider.name} ({provider.model}) failed: {exc}; showing local results"
        return ProviderResult((), problems=(Problem(message, severity="error"),))


def finish_model_request(request: ModelRequest, provider: Provider, answer: ProviderResult) -> AnalysisResult:
    """The local result with the provider's answers merged in per function, its usage and its problems."""
    local = request.local
    config = request.scorer.config
    recs = merge(local.recommendations, answer.recommendations, request.scorer, config.min_confidence)
    covered = ((hint.package, function) for hint in local.instrumentation for function in hint.handlers)
    return dataclasses.replace(
        local,
        recommendations=_named(request.span_names, recs),
        instrumentation=instrumentation_hints(covered, {rec.symbol for rec in recs}),
        problems=(*local.problems, *answer.problems),
        usage=answer.usage,
        engine=f"{provider.name}:{provider.model}",
        usage_by_file=dict(sorted(answer.usage_by_file.items())),
    )


def _span_names(index: Index) -> Mapping[SymbolId, str]:
    """The workspace's span names."""
    return index.extension(SpanNames).table(index)


def _named(names: Mapping[SymbolId, str], recs: Iterable[Recommendation]) -> tuple[Recommendation, ...]:
    """Recommendations carrying their workspace-unique span names (``module.Class.method`` where a bare name would
    collide)."""
    return tuple(dataclasses.replace(rec, span=names.get(rec.symbol, "")) for rec in recs)


def _instrumentation_set_up(index: Index, cache: AnalysisCache) -> dict[str, str]:
    """Instrumentation the workspace's code sets up (``detect.instrumentation``): OpenTelemetry package -> where.
    A module is read again only when its facts or its resolved calls changed; most never call anything that could
    set instrumentation up and are not resolved for it."""
    kept: dict[str, tuple[object, object, tuple[SetUp | SentryInit, ...]]] = {}
    for module, path, facts in index.workspace_facts():
        known = cache.set_up.get(module)
        if known is not None and known[0] is facts and known[1] is None:
            kept[module] = known
            continue
        place = module.replace(".", "/") + ("/__init__.py" if path.name == "__init__.py" else ".py")
        if not may_set_up(call.chain for call in facts.calls):
            kept[module] = (facts, None, graphql_set_up(facts, partial(index.source, path), place))
            continue
        calls = index.module_calls(module)
        if known is not None and known[0] is facts and known[1] is calls:
            kept[module] = known
            continue
        found = (
            *graphql_set_up(facts, partial(index.source, path), place),
            *set_up_in_module(calls.ordered if calls is not None else (), index.source(path), place),
        )
        kept[module] = (facts, calls, found)
    cache.set_up = kept
    return instrumentation_set_up(found for _, _, found in kept.values())


def _django_query_instrumentation(index: Index) -> tuple[str, ...]:
    """The instrumentation packages that span a Django project's ORM queries: its database drivers' (read from its
    settings modules and declared dependencies; only Django ORM evidence reads them)."""
    settings = [path for module, path in index.workspace_paths() if is_settings_module(module)]
    texts = [text for text in map(index.source, settings) if text is not None and "DATABASE" in text]
    return driver_instrumentations(texts, dependency_texts(index.roots))


def _function_of(index: Index, symbol: SymbolId, cache: AnalysisCache | None = None) -> FunctionContext | None:
    """A workspace function as the detectors see it (without graph facts); None outside the workspace. From the
    context of ``cache``'s kept result for it when that was built from the same module and def objects (the index
    keeps them while the file is unchanged): the same context but for its graph facts, without walking it again."""
    syntax = _syntax_of(index, symbol)
    if syntax is None:
        return None
    analysed, function = syntax
    kept = cache.kept_context(analysed.path, symbol) if cache is not None else None
    if kept is not None and kept.analysed is analysed and kept.function is function:
        return kept.without_graph()
    return FunctionContext(analysed, function)


def _rules_verdict(
    index: Index, builder: GraphFactsBuilder, scorer: LocalScorer, priorities: list[str], symbol: SymbolId
) -> Verdict | None:
    """The rules' verdict of a workspace function of another file, with its graph facts (None without its syntax);
    one with a span is scored on its own work, as if the span were not there (as :meth:`Analyzer._analyse_function`
    scores it in its own file): the span's code is no evidence of what the function does."""
    syntax = _syntax_of(index, symbol)
    if syntax is None:
        return None
    analysed, function = syntax
    facts = builder.facts(symbol)
    ctx = FunctionContext(analysed, function, facts)
    traced = existing_span(ctx)
    if traced is not None:
        ctx = FunctionContext(analysed, without_span(ctx), facts)
    return scorer.verdict(ctx, tuple(run_detectors(ctx, priorities)), traced=traced)


class _Around:
    """Other files' functions as the calibration features read them: each one's rules verdict with its graph facts
    (as :meth:`Analyzer._covers` reads a caller), and the distance up to an entry point; both remembered for the
    run."""

    def __init__(
        self, index: Index, graph: GraphLike, builder: GraphFactsBuilder, scorer: LocalScorer, priorities: list[str]
    ) -> None:
        self.index = index
        self.graph = graph
        self.builder = builder
        self.scorer = scorer
        self.priorities = priorities
        self._verdicts: dict[SymbolId, Verdict | None] = {}
        self._distances: dict[SymbolId, int | None] = {}

    def verdict(self, symbol: SymbolId) -> Verdict | None:
        if symbol in self._verdicts:
            return self._verdicts[symbol]
        self._verdicts[symbol] = None  # guards recursion
        found = None
        if not is_test_symbol(symbol):
            found = _rules_verdict(self.index, self.builder, self.scorer, self.priorities, symbol)
        self._verdicts[symbol] = found
        return found

    def entry_distance(self, symbol: SymbolId) -> int | None:
        """How many calls up the nearest entry point is (0: it is one; a function no production code calls counts as
        one), searched breadth first over workspace callers outside tests, at most ``ENTRY_DEPTH`` calls and
        ``_IO_WALK`` functions; None when none is that close."""
        if symbol in self._distances:
            return self._distances[symbol]
        is_entry = getattr(self.graph, "is_entry_point", None)
        seen = {symbol}
        level = [symbol]
        found = None
        for distance in range(ENTRY_DEPTH + 1):
            if is_entry is not None and any(is_entry(s) for s in level):
                found = distance
                break
            above = []
            for current in level:
                for edge in self.graph.callers(current):
                    caller = edge.caller
                    if edge.external or caller in seen or is_test_symbol(caller):
                        continue
                    seen.add(caller)
                    above.append(caller)
            if not above:  # no production code calls these: the top of the workspace's calls
                found = distance
                break
            if len(seen) > _IO_WALK:
                break
            level = sorted(above)
        self._distances[symbol] = found
        return found


def _sites_state(sites: Sequence[ResolvedCall]) -> tuple[object, ...]:
    """Call sites without their positions: the text, each edge's callee and kind, why it is unresolved."""
    return tuple(
        (
            site.text,
            tuple((edge.callee, edge.kind) for edge in site.edges),
            (site.unresolved.reason, site.unresolved.detail) if site.unresolved is not None else None,
        )
        for site in sites
    )


def _same_sites(kept: object, now: ModuleCalls | None) -> bool:
    """Whether a module resolved again has the same call sites (positions, callees, why unresolved) as before."""
    return isinstance(kept, ModuleCalls) and now is not None and kept.ordered == now.ordered


def _callees_of(state: object) -> set[tuple[SymbolId, object]]:
    """The callees (with their edges' kinds) of a function's state (:meth:`Analyzer._states`)."""
    if not isinstance(state, tuple):
        return set()
    return {edge for site in state[2] for edge in site[1]}


def _implementation(ctx: FunctionContext) -> bool:
    """A method that can implement an operation its base class declares: public, or a private hook of a template
    method (``_inner_get_chat_message_contents``, which each connector implements and the base's public method
    calls); not a dunder, not nested."""
    return public_method(ctx) or (
        ctx.class_name is not None and "<" not in ctx.qualname and not ctx.name.startswith("__")
    )


_BELOW_THE_CUT = 0.8  # where a handler the server span covers is left: under the threshold, still listed below it


# What a request handler's I/O shows by itself once its clients are instrumented: each instrumented client call is a
# client span under the server span, and whether it ran (the branch deciding it), what it wrote, and the workspace
# functions doing it (each with its own span when it deserves one) are read from those spans. A span around the
# handler's body would repeat the server span: same start, same end, same request.
_CLIENT_SPANS_SHOW = frozenset({Finding.CALLS_IO_FUNCTION, Finding.IO_BRANCH, Finding.DB_WRITE, Finding.PERSISTS})


def _server_span_shows_all(verdict: Verdict) -> bool:
    """A request handler whose every finding is what its framework's server span shows, with the client spans of
    its instrumented calls (README: a handler is recommended only for what it does inside the request that those
    spans do not show: a swallowed error, a loop, concurrent work, a call no instrumentation traces)."""
    return served_request(verdict.signals) and all(_shown_around(s) for s in verdict.signals)


def _shown_around(signal: Signal) -> bool:
    if signal.finding is Finding.CLIENT_CALL:
        return signal.instrumentation is not None
    return signal.finding in SERVER_SPAN_SHOWS or signal.finding in _CLIENT_SPANS_SHOW


def _closeness(caller: SymbolId, target: SymbolId) -> int:
    """How close ``target`` is to ``caller``: 0 its own nested function, 1 of its class, 2 of its module, 3 other."""
    module, _, qualname = caller.partition(":")
    owner = caller.rpartition(".")[0] if "." in qualname else caller
    if target.startswith(f"{caller}."):
        return 0
    if target.startswith(f"{owner}."):
        return 1
    return 2 if target.startswith(f"{module}:") else 3


def _syntax_of(index: Index, symbol: SymbolId) -> tuple[AnalysedModule, FunctionSyntax] | None:
    """A workspace function's module as the analysis reads it, and its (first) def; None outside the workspace."""
    path = index.path_for_module(symbol.partition(":")[0])
    analysed = index.analysed(path) if path is not None else None
    if not isinstance(analysed, AnalysedModule):
        return None
    function = analysed.function(symbol)
    return (analysed, function) if function is not None else None


def _scope_of(index: Index, symbol: SymbolId) -> object | None:
    """A workspace function's facts scope: the same object while its module is not edited."""
    module, _, qualname = symbol.partition(":")
    info = index.module_info(module)
    return info.scopes.get(qualname) if info is not None else None


def _places(
    index: Index,
    cache: AnalysisCache,
    context: Callable[[SymbolId], FunctionContext | None],
    symbol: SymbolId,
) -> Mapping[Range, Place]:
    """Where a workspace function's calls run in its loops and branches (read from ``context(symbol)``): kept while
    its module is not edited, and while its code is the same wherever an edit moved it (kept relative to its first
    line)."""
    scope = _scope_of(index, symbol)
    kept = cache.loops.get(symbol)
    if kept is not None and scope is not None and kept[0] is scope:
        return kept[1]
    path = index.path_for_module(symbol.partition(":")[0])
    analysed = index.analysed(path) if path is not None and isinstance(scope, FactsScope) else None
    if not isinstance(analysed, AnalysedModule) or not isinstance(scope, FactsScope):
        ctx = context(symbol)
        return call_places(ctx) if ctx is not None else {}
    first, _, last, _ = loc_parts(scope.loc)
    code = tuple(analysed.lines[first - 1 : last])
    moved = cache.moved_loops.get(symbol)
    if moved is not None and moved[0] == code:
        found = {_shifted(where, first): nest for where, nest in moved[1].items()}
    else:
        ctx = context(symbol)
        found = call_places(ctx) if ctx is not None else {}
        cache.remember_moved_loops(symbol, code, {_shifted(where, -first): nest for where, nest in found.items()})
    cache.remember_loops(symbol, scope, found)
    return found


def _shifted(where: Range, lines: int) -> Range:
    return Range(
        Position(where.start.line + lines, where.start.column), Position(where.end.line + lines, where.end.column)
    )


def _weakly(analyzer: Analyzer, method: Callable[[Analyzer, _A], _R]) -> Callable[[_A], _R]:
    """``analyzer.method`` for the helpers the analyzer keeps in its own attributes, without holding the analyzer:
    a cycle would keep each run's data (its files' lines, syntax trees) until a cyclic collection, and for good
    once the index froze it (:func:`~trace_advisor.gcpause.settle` runs during a run): ~0.6 MB per keystroke."""
    owner = weakref.ref(analyzer)

    def call(arg: _A) -> _R:
        alive = owner()
        assert alive is not None, "called after its analyzer was freed"
        return method(alive, arg)

    return call


def _contexts_of(analyzer: Analyzer) -> Callable[[SymbolId], FunctionContext | None]:
    """:meth:`Analyzer.context` while the analyzer lives (the contexts its run built), then contexts built when asked,
    without holding the analyzer (see :func:`_weakly`)."""
    owner, index, cache = weakref.ref(analyzer), analyzer.index, analyzer.cache

    def context(symbol: SymbolId) -> FunctionContext | None:
        alive = owner()
        return alive.context(symbol) if alive is not None else _function_of(index, symbol, cache)

    return context


def _observed_of(index: Index) -> ObservedGraph | None:
    """The calls a recording of the workspace saw (``trace-advisor calls --record``), when there is one."""
    return index.extension(RecordingWatch).graph()


def _client_api(symbol: SymbolId) -> bool:
    """Whether a callee outside the workspace is a client API the catalog knows (``requests.api:get``)."""
    found = match_symbol(symbol)
    return found is not None and found.kind != "messaging"


def _problem_files(index: object) -> set[str | None]:
    return {p.file for p in getattr(index, "problems", ())}


def _index_problems(index: object, files: Sequence[Path]) -> list[Problem]:
    wanted = {str(p) for p in files}
    found: tuple[Problem, ...] = getattr(index, "problems", ())
    return [p for p in found if p.file is None or p.file in wanted or not files]
