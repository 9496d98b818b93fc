"""What analysis runs over one index keep between them: parsed modules and each function's detector results.

An edit re-analyses one file; most of its functions are unchanged. A function's result is reused while everything
the detectors and the scorer read is equal: its lines and where they are, the module-level facts it sees (imports,
known types, its class) and its call-graph facts.
"""

from __future__ import annotations

import ast
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from trace_advisor.advise.local import Verdict
from trace_advisor.config_model import Config
from trace_advisor.detect.context import FunctionContext, FunctionDef, GraphFacts, ModuleFacts
from trace_advisor.detect.findings import Signal
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
    verdict: Verdict

    def valid_for(self, source_key: object, graph: GraphFacts) -> bool:
        return self.source_key == source_key and self.graph == graph


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
        same = found is not None and found.module == module
        previous = found.contexts if found is not None and same else {}
        tree = (
            splice_tree(found.facts.tree, found.text, text)
            if found and same and isinstance(found.facts, ModuleFacts)
            else None
        )
        facts = parse_module(path, text, module) if tree is None else module_facts(path, text, module, tree)
        found = ParsedModule(text, module, facts, previous)
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
        return module_facts(path, text, module, ast.parse(text, filename=str(path)))
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        return Problem(f"skipped, cannot parse: {getattr(exc, 'msg', exc)}", str(path), line, "error")
    except (RecursionError, MemoryError):
        return Problem("skipped, nested too deeply to analyse", str(path), None, "error")


def module_facts(path: Path, text: str, module: str, tree: ast.Module) -> ModuleFacts:
    return ModuleFacts(str(path), module, text, tree, is_package=path.name == "__init__.py")


def splice_tree(old_tree: ast.Module, old_text: str, new_text: str) -> ast.Module | None:
    """The tree of ``new_text`` made of ``old_tree``'s statements around the edit and a parse of only the statements
    the edit touched (inside a class: only its touched methods); None when that is not safe (lines added or removed,
    ``\r`` line ends, a region that does not parse on its own) and the caller parses the whole text.

    Only for edits that keep the number of lines: the untouched statements keep their positions, so their nodes
    are shared with the old tree, never changed (cached contexts still point into it).
    """
    if "\r" in old_text or "\r" in new_text:
        return None
    before, after = old_text.split("\n"), new_text.split("\n")
    if len(before) != len(after):
        return None
    changed = [number for number, (old, new) in enumerate(zip(before, after, strict=True), 1) if old != new]
    if not changed:
        return old_tree
    body = _splice_body(old_tree.body, after, changed[0], changed[-1], None)
    return ast.Module(body=body, type_ignores=[]) if body is not None else None


def _splice_body(
    body: list[ast.stmt], lines: list[str], low: int, high: int, owner: ast.ClassDef | None
) -> list[ast.stmt] | None:
    """``body`` (a module's or ``owner``'s) with the statements touching lines ``low..high`` parsed again."""
    spans = [(_start(s), s.end_lineno or s.lineno) for s in body]
    touched = [(stmt, span) for stmt, span in zip(body, spans, strict=True) if span[0] <= high and span[1] >= low]
    if len(touched) == 1 and isinstance(touched[0][0], ast.ClassDef):
        cls = touched[0][0]
        inner = _splice_body(cls.body, lines, low, high, cls) if low >= _start(cls.body[0]) else None
        if inner is not None:
            fields = {name: getattr(cls, name) for name in cls._fields}
            where = {name: getattr(cls, name) for name in cls._attributes}
            where.update(end_lineno=inner[-1].end_lineno, end_col_offset=inner[-1].end_col_offset)
            return [stmt if stmt is not cls else ast.ClassDef(**{**fields, "body": inner}, **where) for stmt in body]
    grown = True
    while grown:  # the region covers whole statements (and statements sharing a line with them)
        grown = False
        for start, end in spans:
            if start <= high and end >= low and (start < low or end > high):
                low, high, grown = min(low, start), max(high, end), True
    region = _parse_region(lines, low, high, owner)
    if region is None:
        return None
    spliced = (
        [s for s, (_, end) in zip(body, spans, strict=True) if end < low]
        + region
        + [s for s, (start, _) in zip(body, spans, strict=True) if start > high]
    )
    return spliced if spliced or owner is None else None  # a class needs a statement


def _parse_region(lines: list[str], low: int, high: int, owner: ast.ClassDef | None) -> list[ast.stmt] | None:
    """Lines ``low..high`` parsed at their own positions: at module level, or as statements of ``owner``'s body
    (under a stand-in ``class`` line just above them, with a closing ``pass`` just below: comments alone parse)."""
    segment = "\n".join(lines[low - 1 : high])
    try:
        if owner is None:
            return ast.parse("\n" * (low - 1) + segment).body
        indent = owner.body[0].col_offset
        whitespace = lines[owner.body[0].lineno - 1][:indent]  # spaces or tabs, as the class's statements have
        tree = ast.parse("\n" * (low - 2) + "class _:\n" + segment + "\n" + whitespace + "pass")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.ClassDef):
        return None  # a line left the class body
    found = tree.body[0].body[:-1]
    closing = tree.body[0].body[-1]
    if not isinstance(closing, ast.Pass) or closing.lineno != high + 1 or any(s.col_offset != indent for s in found):
        return None  # the closing pass or a statement landed at another depth than the class's own statements
    return found


def _start(stmt: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])
