"""What analysis runs over one index keep between them: each function's detector results and which functions run
forever, reused while everything they were computed from is unchanged.

An edit re-analyses one file; most of its functions are unchanged. A function's result is reused while everything
the detectors and the scorer read is equal (:func:`source_key`): its lines and where they are, its resolved call
sites and decorators, its class's bases, what the module imports and runs under ``__main__``, and its call-graph
facts.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from trace_advisor.analysed import AnalysedModule, FunctionSyntax
from trace_advisor.config_model import Config
from trace_advisor.detect.context import FunctionContext, GraphFacts
from trace_advisor.detect.findings import Signal
from trace_advisor.detect.instrumentation import InstalledInstrumentations
from trace_advisor.model import Recommendation, SymbolId

_MAX_FILES = 32  # files whose per-function results are kept (the recently edited ones)
_MAX_FOREVER = 4096  # functions whose "runs forever" answer is kept
Slot = tuple[SymbolId, int]  # a function's symbol and which of the defs sharing it (a property's getter, setter)


def source_key(analysed: AnalysedModule, function: FunctionSyntax) -> object:
    """Everything of its module a function's analysis reads (the graph facts are compared apart)."""
    node = function.node
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines = tuple(analysed.lines[first - 1 : node.end_lineno or node.lineno])
    sites = analysed.sites_of(function.symbol, within=analysed.range_of(node))
    decorators = tuple(analysed.site_at(analysed.range_of(d)) for d in node.decorator_list)
    mro = analysed.mros.get(function.class_name) if function.class_name is not None else None
    main = function.symbol in analysed.main_callees()
    return (str(analysed.path), first, lines, sites, decorators, mro, main, analysed.imported_modules())


@dataclass(frozen=True, slots=True)
class FunctionResult:
    """One function's detector signals and local verdict, with the inputs they were computed from."""

    source_key: object
    graph: GraphFacts
    ctx: FunctionContext
    signals: tuple[Signal, ...]
    recommendation: Recommendation | None
    confidence: float

    def valid_for(self, source_key: object, graph: GraphFacts) -> bool:
        return self.source_key == source_key and self.graph == graph


class AnalysisCache:
    """Kept with the index (``index.extension(AnalysisCache)``); one analysis run uses it at a time (``lock``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.installed = InstalledInstrumentations()
        self.forever: OrderedDict[SymbolId, tuple[object, bool]] = OrderedDict()  # by source key of the function
        self._results: OrderedDict[Path, dict[Slot, FunctionResult]] = OrderedDict()
        self._setting: object = None

    def remember_forever(self, symbol: SymbolId, key: object, forever: bool) -> None:
        self.forever[symbol] = (key, forever)
        self.forever.move_to_end(symbol)
        while len(self.forever) > _MAX_FOREVER:
            self.forever.popitem(last=False)

    def results(self, path: Path, config: Config, installed: frozenset[str]) -> dict[Slot, FunctionResult]:
        """The per-function results of ``path`` kept from earlier runs with the same configuration (mutable)."""
        setting = (config, installed)
        if self._setting is not setting and self._setting != setting:
            self._results.clear()
            self._setting = setting
        found = self._results.get(path)
        if found is None:
            found = self._results[path] = {}
            while len(self._results) > _MAX_FILES:
                self._results.popitem(last=False)
        else:
            self._results.move_to_end(path)
        return found
