"""What analysis runs over one index keep between them: each function's detector results and which functions run
forever, reused while everything they were computed from is unchanged.

An edit re-analyses one file; most of its functions are unchanged. A function's result is reused while everything
the detectors and the scorer read is equal (:func:`source_key`): its lines and where they are, its resolved call
sites and decorators, its class's bases, what the module imports and runs under ``__main__``, and its call-graph
facts. Graph facts, and each file's hot candidates (the cost decision of an editor's file reads those of the files it
reaches), are kept until a change may have altered them: :class:`Changes` notes, once per run, which functions changed
their code, calls or callers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from trace_advisor.advise.calibration import OwnMemo
from trace_advisor.advise.local import Verdict
from trace_advisor.analysed import AnalysedModule, FunctionSyntax
from trace_advisor.config_model import Config
from trace_advisor.cost import CodeFacts, Place, RequestCounts
from trace_advisor.datatypes import CallEdge, Range, Recommendation, ResolvedCall, SymbolId
from trace_advisor.detect.context import CalleeIO, FunctionContext, GraphFacts
from trace_advisor.detect.existing import ModuleSpans
from trace_advisor.detect.findings import Signal
from trace_advisor.detect.instrumentation import InstalledInstrumentations, SentryInit, SetUp

_MAX_FILES = 32  # files whose per-function results are kept beyond those the latest run read (recently edited ones)
_MAX_CALLEES = 4096  # workspace functions whose "runs forever" and "does I/O" answers are kept
T = TypeVar("T")
K = TypeVar("K")
# per module an analysis read: its resolved calls then, and what was read of its functions (None: all of it)
ReadFunctions = dict[str, tuple[object, dict[SymbolId, object] | None]]
# one file's hot candidates (what it recommends for its cost), with what they were read under: the settings, what
# the analysis read of the modules and of the workspace's functions (:class:`Reads`)
HotCandidates = tuple[object, ReadFunctions, "Reads", tuple[Recommendation, ...]]
_KEPT_CHANGES = 256  # refreshes whose changed functions are remembered (a file's hot candidates older are read again)
# whether the scorer recommends a function on its own, with what that was decided from: its facts scope and
# resolved call sites (the same while its module is not edited nor resolved otherwise), the settings, its source_key
KeptVerdict = tuple[object, tuple[ResolvedCall, ...], object, object, bool]
# a function's graph facts, with the Changes epoch they were found at, its call sites then (their positions are in
# the facts) and whether it was reachable from an entry point
KeptFacts = tuple[int, tuple[ResolvedCall, ...], bool | None, GraphFacts]
Slot = tuple[SymbolId, int]  # a function's symbol and which of the defs sharing it (a property's getter, setter)


def source_key(analysed: AnalysedModule, function: FunctionSyntax, alone: bool = False) -> object:
    """Everything of its module a function's analysis reads (the graph facts are compared apart); ``alone``: no
    other def of the module shares its symbol, so every call site resolution gives the symbol is this def's."""
    node = function.node
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines = tuple(analysed.lines[first - 1 : node.end_lineno or node.lineno])
    within = None if alone else analysed.range_of(node)
    sites = tuple(_site_key(s) for s in analysed.sites_of(function.symbol, within=within))
    decorators = tuple(_site_key(analysed.site_at(analysed.range_of(d))) for d in node.decorator_list)
    mro = analysed.mros.get(function.class_name) if function.class_name is not None else None
    main = function.symbol in analysed.main_callees()
    return (str(analysed.path), first, lines, sites, decorators, mro, main, analysed.imported_modules())


def _site_key(site: ResolvedCall | None) -> object:
    """A call site as plain values (cheap to compare): where it is (its packed span: no positions are made), what it
    calls, or its text when unresolved."""
    if site is None:
        return None
    held = site.held
    if isinstance(held, CallEdge):  # (most sites have one edge)
        return (site.span, site.text, held.callee)
    return (site.span, site.text, *(e.callee for e in held))


@dataclass(frozen=True, slots=True)
class FunctionResult:
    """One function's detector signals and local verdict, with the inputs they were computed from."""

    source_key: object
    graph: GraphFacts
    ctx: FunctionContext
    signals: tuple[Signal, ...]
    recommendation: Recommendation | None
    verdict: Verdict

    def valid_for(self, source_key: object, graph: GraphFacts) -> bool:
        return self.source_key == source_key and self.graph == graph


@dataclass(frozen=True, slots=True)
class Reads:
    """What one file's results read of the workspace's functions beyond its own module (found by walking the call
    graph from its functions, a superset of what the analysis reads): the functions whose code or calls they read,
    those whose callers they read, and whether each function whose graph facts they read was reachable from an entry
    point; ``facts`` are the file's module facts (the file unedited while they are the same object), ``epoch`` the
    :class:`Changes` epoch they were read at."""

    facts: object
    epoch: int
    code: frozenset[SymbolId]
    callers: frozenset[SymbolId]
    reachable: Mapping[SymbolId, bool]


@dataclass(frozen=True, slots=True)
class Change:
    """The workspace functions one refresh changed (None: anything may have changed, such as a class's bases or
    methods, or the set of modules): those whose code or calls changed (position aside) and those whose callers did."""

    epoch: int
    code: frozenset[SymbolId] | None
    callers: frozenset[SymbolId]


class Changes:
    """Which workspace functions changed from one refresh to the next, remembered for ``_KEPT_CHANGES`` refreshes:
    per module, the resolved calls and facts last seen (compared by identity: an unchanged module keeps both) and each
    function's state (its code without its position, and its call sites as text and callees)."""

    def __init__(self) -> None:
        self.epoch = 0
        # module -> (resolved calls, module info, class hierarchy, each function's state)
        self.modules: dict[str, tuple[object, object, object, dict[SymbolId, object]]] = {}
        self.log: deque[Change] = deque(maxlen=_KEPT_CHANGES)

    def record(self, code: frozenset[SymbolId] | None, callers: frozenset[SymbolId]) -> None:
        if code is not None and not code and not callers:
            return
        self.epoch += 1
        self.log.append(Change(self.epoch, code, callers))

    def since(self, epoch: int) -> list[Change] | None:
        """The changes after ``epoch``, None when older ones were forgotten."""
        if epoch == self.epoch:
            return []
        if not self.log or self.log[0].epoch > epoch + 1:
            return None
        return [change for change in self.log if change.epoch > epoch]


class AnalysisCache:
    """Kept with the index (``index.extension(AnalysisCache)``); one analysis run uses it at a time (``lock``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.installed = InstalledInstrumentations()
        # per module whose calls may set instrumentation up: its facts, its resolved calls and what they set up
        self.set_up: dict[str, tuple[object, object, tuple[SetUp | SentryInit, ...]]] = {}
        # per workspace function: its facts scope and code when last asked, and whether it runs forever
        self.forever: OrderedDict[SymbolId, tuple[object, list[str], bool]] = OrderedDict()
        self.io: OrderedDict[SymbolId, tuple[object, CalleeIO | None]] = OrderedDict()  # by its modules' calls
        # per workspace function, while its facts scope is the same object (its module was not edited): where its
        # calls run in loops and branches; and whether the scorer recommends it on its own (KeptVerdict)
        self.loops: OrderedDict[SymbolId, tuple[object, Mapping[Range, Place]]] = OrderedDict()
        self.verdicts: OrderedDict[SymbolId, KeptVerdict] = OrderedDict()
        # per workspace function: its facts scope and resolved call sites, and what the cost decision reads of its code
        self.code: OrderedDict[SymbolId, tuple[object, tuple[ResolvedCall, ...], CodeFacts | None]] = OrderedDict()
        # per workspace function: its code when its loops and branches were last read, and where its calls run in
        # them relative to its first line (an edit above it moves it without changing them)
        self.moved_loops: OrderedDict[SymbolId, tuple[tuple[str, ...], Mapping[Range, Place]]] = OrderedDict()
        self.counts: RequestCounts | None = None  # calls per request, renewed by each run (cost.py)
        self.hot_candidates: OrderedDict[Path, HotCandidates] = OrderedDict()
        self.changes = Changes()  # which functions each refresh changed (what kept hot candidates are checked against)
        self.facts: OrderedDict[SymbolId, KeptFacts] = OrderedDict()  # per workspace function: its graph facts
        # per workspace module: the facts its spans were counted from, and its functions and traced ones
        self.spans: dict[str, tuple[object, ModuleSpans]] = {}
        self._results: OrderedDict[Path, dict[Slot, FunctionResult]] = OrderedDict()
        # per file with kept results: what of its module their source keys were read from (:func:`module_read`)
        self.module_read: dict[Path, tuple[object, ...]] = {}
        # per file with kept results: the recommendations its latest run made for verdicts the siblings changed, by
        # the kept result's id (with the result and that verdict)
        self.recommended: dict[Path, dict[int, tuple[FunctionResult, Verdict, Recommendation | None]]] = {}
        # per file with kept results: what the calibrated model's features read of each function alone, by its
        # context (``calibration.features``' memo: the same settings, so the same scorer)
        self.features: dict[Path, OwnMemo] = {}
        self._setting: object = None
        self._run: object = None  # the latest run asking for results, and the files it asked for (never evicted)
        self._run_files: set[Path] = set()

    def remember_forever(self, symbol: SymbolId, known: tuple[object, list[str], bool]) -> None:
        _remember(self.forever, symbol, known)

    def remember_io(self, symbol: SymbolId, key: object, io: CalleeIO | None) -> None:
        _remember(self.io, symbol, (key, io))

    def remember_loops(self, symbol: SymbolId, scope: object, depths: Mapping[Range, Place]) -> None:
        _remember(self.loops, symbol, (scope, depths))

    def remember_moved_loops(self, symbol: SymbolId, code: tuple[str, ...], depths: Mapping[Range, Place]) -> None:
        _remember(self.moved_loops, symbol, (code, depths))

    def remember_hot_candidates(self, path: Path, kept: HotCandidates) -> None:
        _remember(self.hot_candidates, path, kept)

    def remember_code(
        self, symbol: SymbolId, scope: object, sites: tuple[ResolvedCall, ...], code: CodeFacts | None
    ) -> None:
        _remember(self.code, symbol, (scope, sites, code))

    def remember_facts(self, symbol: SymbolId, kept: KeptFacts) -> None:
        _remember(self.facts, symbol, kept, 4 * _MAX_CALLEES)

    def remember_verdict(self, symbol: SymbolId, kept: KeptVerdict) -> None:
        _remember(self.verdicts, symbol, kept)

    def kept_context(self, path: Path, symbol: SymbolId) -> FunctionContext | None:
        """The context the kept result of the first def of ``symbol`` in ``path`` was found with (with its graph
        facts), if there is one; the caller checks it is of the module and def it wants."""
        found = self._results.get(path)
        result = found.get((symbol, 0)) if found is not None else None
        return result.ctx if result is not None else None

    def results(self, path: Path, config: Config, installed: object, run: object) -> dict[Slot, FunctionResult]:
        """The per-function results of ``path`` kept from earlier runs with the same configuration and instrumentation
        (mutable). Every file the latest ``run`` asked for is kept, and ``_MAX_FILES`` others: an edit's refresh reads
        the same files again (those its file reaches), which a smaller bound would evict before the next refresh."""
        setting = (config, installed)
        if self._setting is not setting and self._setting != setting:
            self._results.clear()
            self.module_read.clear()
            self.recommended.clear()
            self.features.clear()
            self._setting = setting
        if run is not self._run:
            self._run, self._run_files = run, set()
        self._run_files.add(path)
        found = self._results.get(path)
        if found is None:
            found = self._results[path] = {}
            while len(self._results) > max(_MAX_FILES, len(self._run_files)):  # the oldest are not the run's
                evicted, _ = self._results.popitem(last=False)
                self.module_read.pop(evicted, None)
                self.recommended.pop(evicted, None)
                self.features.pop(evicted, None)
        else:
            self._results.move_to_end(path)
        return found


def module_read(analysed: AnalysedModule) -> tuple[object, ...]:
    """What :func:`source_key` reads of a module, compared by identity where the index keeps the objects while the
    file is unchanged (its syntax tree, facts and resolved calls): while these are the same, every function's source
    key is the one computed before (an edit elsewhere builds a new ``AnalysedModule`` of the same parts)."""
    return (analysed.path, analysed.tree, analysed.info, analysed.calls, analysed.text, analysed.mros)


def same_module(kept: tuple[object, ...] | None, now: tuple[object, ...]) -> bool:
    """Whether two :func:`module_read` are of the same module: the same objects, the same text and class MROs."""
    if kept is None:
        return False
    path, tree, info, calls, text, mros = kept
    return (
        path == now[0]
        and tree is now[1]
        and info is now[2]
        and calls is now[3]
        and (text is now[4] or text == now[4])
        and mros == now[5]
    )


def _remember(table: OrderedDict[K, T], key: K, value: T, most: int = _MAX_CALLEES) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > most:
        table.popitem(last=False)
