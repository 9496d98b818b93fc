"""What analysis runs over one index keep between them: parsed modules and each function's detector results.

An edit re-analyses one file; most of its functions are unchanged. A function's result is reused while everything
the detectors and the scorer read is equal: its lines and where they are, the module-level facts it sees (imports,
known types, its class), its call-graph facts, and what typed look-ups of its calls answered.
"""

from __future__ import annotations

import ast
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from trace_advisor.config_model import Config
from trace_advisor.detect.context import FunctionContext, FunctionDef, GraphFacts, ModuleFacts, Signal
from trace_advisor.detect.instrumentation import InstalledInstrumentations
from trace_advisor.model import Problem, Recommendation, SymbolId

_MAX_MODULES = 64  # parsed modules kept between runs (the edited files and the modules their callees live in)
_MAX_FILES = 32  # files whose per-function results are kept (the recently edited ones)
Slot = tuple[SymbolId, int]  # a function's symbol and which of the defs sharing it (a property's getter, setter)


@dataclass(slots=True)
class ParsedModule:
    """One module's text and what the detectors built from it."""

    text: str
    module: str
    facts: ModuleFacts | Problem
    # graph-less contexts for summaries of what callees do, with their source keys (kept across edits of the file)
    contexts: dict[SymbolId, tuple[object, FunctionContext]] = field(default_factory=dict)
    _module_key: object = None

    def context(self, symbol: SymbolId) -> FunctionContext | None:
        """A graph-less context of one of the module's functions (reused while its source key is unchanged)."""
        facts = self.facts
        fdef = facts.by_qualname.get(symbol.partition(":")[2]) if isinstance(facts, ModuleFacts) else None
        if fdef is None or not isinstance(facts, ModuleFacts):
            return None
        key = self.source_key(fdef)
        found = self.contexts.get(symbol)
        if found is None or found[0] != key:
            found = self.contexts[symbol] = (key, FunctionContext(facts, fdef))
        return found[1]

    def source_key(self, fdef: FunctionDef) -> object:
        """Everything of the module a function's analysis reads: its lines and position, and the module facts."""
        facts = self.facts
        assert isinstance(facts, ModuleFacts)
        if self._module_key is None:
            self._module_key = (
                facts.module,
                facts.path,
                facts.imports,
                facts.module_types,
                frozenset(facts.main_calls),
            )
        node = fdef.node
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        lines = tuple(facts.lines[first - 1 : node.end_lineno or node.lineno])
        owner = fdef.class_name or ""
        return (first, lines, owner, facts.self_types.get(owner), facts.class_bases.get(owner), self._module_key)


@dataclass(frozen=True, slots=True)
class FunctionResult:
    """One function's detector signals and local verdict, with the inputs they were computed from."""

    source_key: object
    graph: GraphFacts
    ctx: FunctionContext
    signals: tuple[Signal, ...]
    recommendation: Recommendation | None
    confidence: float

    def valid_for(self, source_key: object, graph: GraphFacts, lookup: object) -> bool:
        if self.source_key != source_key or self.graph != graph:
            return False
        answers = self.ctx.looked_up
        return not answers or (callable(lookup) and all(lookup(t) == found for t, found in answers.items()))


class AnalysisCache:
    """Kept with the index (``index.extension(AnalysisCache)``); one analysis run uses it at a time (``lock``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.installed = InstalledInstrumentations()
        self._modules: OrderedDict[Path, ParsedModule] = OrderedDict()
        self._results: OrderedDict[Path, dict[Slot, FunctionResult]] = OrderedDict()
        self._setting: object = None

    def module(self, path: Path, text: str, module: str) -> ParsedModule:
        """The parsed module for this text of ``path`` (parsed again only when the text changed)."""
        found = self._modules.get(path)
        if found is not None and found.module == module and (found.text is text or found.text == text):
            self._modules.move_to_end(path)
            return found
        previous = found.contexts if found is not None and found.module == module else {}
        found = ParsedModule(text, module, parse_module(path, text, module), previous)
        self._modules[path] = found
        while len(self._modules) > _MAX_MODULES:
            self._modules.popitem(last=False)
        return found

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


def parse_module(path: Path, text: str, module: str) -> ModuleFacts | Problem:
    """The detectors' facts of one module's text, or why it cannot be analysed."""
    try:
        tree = ast.parse(text, filename=str(path))
        return ModuleFacts(str(path), module, text, tree, is_package=path.name == "__init__.py")
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        return Problem(f"skipped, cannot parse: {getattr(exc, 'msg', exc)}", str(path), line, "error")
    except (RecursionError, MemoryError):
        return Problem("skipped, nested too deeply to analyse", str(path), None, "error")
