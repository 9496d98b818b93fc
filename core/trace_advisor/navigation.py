"""What a position in a file means to the call graph (an editor's call hierarchy asks this): on a called name, the
call's resolved targets; on a ``def``/``class`` name, that definition; elsewhere, the code's caller as the graph
names it: the innermost function around it, else the module body (class bodies run in the code around them)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.datatypes import MODULE_QUALNAME, CallEdge, Definition, Position, Range, SymbolId, make_symbol
from trace_advisor.decorated_calls import runs_through
from trace_advisor.facts.records import CallSite, loc_parts
from trace_advisor.stubs import Stubs

if TYPE_CHECKING:
    from trace_advisor.index import Index

_FUNCTIONS = ("function", "method", "lambda")
_KEPT_FILES = 8


@dataclass(frozen=True, slots=True)
class AtPosition:
    """``symbols``: the call's targets when ``call`` is set (the position is on its called name and it resolves),
    else the one symbol whose definition name or code the position is in; empty outside the workspace's files.
    ``runs``: for a target that is the closure a decorator returned, the decorated function the call runs through
    it (:mod:`~trace_advisor.decorated_calls`)."""

    symbols: tuple[SymbolId, ...]
    call: CallSite | None = None
    runs: Mapping[SymbolId, tuple[SymbolId, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Located:
    """Where to show a symbol: its definition, in a workspace file, in code outside the workspace (stdlib,
    site-packages, search paths: ``external``), or in a generated stub (``generated``: there is no source)."""

    definition: Definition
    external: bool = False
    generated: bool = False

    @property
    def detail(self) -> str:
        """How an editor labels it: the symbol id, and where it lives when outside the workspace."""
        symbol = self.definition.symbol
        if self.generated:
            return f"{symbol} \u00b7 external, no source"
        return f"{symbol} \u00b7 external" if self.external else symbol


def locate(index: Index, symbol: SymbolId, stubs: Stubs) -> Located | None:
    """Every symbol the call graph names has a place to show: its source, else a line of a generated stub."""
    found = index.definition(symbol)
    if found is not None:
        return Located(found, external=not index.is_indexed(Path(found.file)))
    found = index.stdlib_definition(symbol)
    if found is not None:
        return Located(found, external=True)
    found = stubs.definition(symbol, bool(index.is_external_class(symbol)))
    return Located(found, external=True, generated=True) if found is not None else None


def symbols_at(index: Index, path: Path, pos: Position) -> AtPosition:
    module, facts = index.module_for_path(path), index.facts(path)
    if module is None or facts is None:
        return AtPosition(())
    number = _called_name_at(index, facts.calls, pos)
    if number is not None:
        call = facts.calls[number]
        targets = _targets(index, module, number, Range.packed(call.loc))
        if targets:
            caller, callees, chain = make_symbol(module, call.scope), index.graph().callees, call.chain or ()
            runs = {
                target: found
                for target in targets
                if (found := runs_through(index.module_info, callees, caller, target, lambda: chain))
            }
            return AtPosition(targets, call, runs)
    definitions = index.definitions(path)
    at = (pos.line, pos.column)  # positions compared as tuples: a file's hundreds of ranges make no Position objects
    for definition in definitions:
        if definition.kind != "module":
            first, first_column, last, last_column = definition.name_range.parts()
            if (first, first_column) <= at <= (last, last_column):
                return AtPosition((definition.symbol,))
    inner, inner_range = None, (0, 0, 0, 0)
    for definition in definitions:
        if definition.kind not in _FUNCTIONS:
            continue
        # decorators run in the code around the def: from its `def` line on, the position is in the function (a
        # lambda: the lambda itself)
        parts = definition.range.parts()
        start = parts[:2] if definition.kind == "lambda" else (definition.name_range.parts()[0], 0)
        if start <= at <= parts[2:] and (inner is None or inner_range[:2] <= parts[:2] <= inner_range[2:]):
            inner, inner_range = definition, parts
    return AtPosition((inner.symbol if inner is not None else make_symbol(module, MODULE_QUALNAME),))


class CallLines:
    """Kept with the index (``index.extension(CallLines)``): a file's calls by the lines their called names span,
    made once per facts object (an edit makes new facts) for the latest few files, so that asking about positions
    of one file does not scan all its calls each time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[int, tuple[tuple[CallSite, ...], dict[int, list[int]]]] = OrderedDict()

    def on_line(self, calls: tuple[CallSite, ...], line: int) -> list[int]:
        """Indexes into ``calls`` of the calls whose called name spans ``line``, in source order."""
        with self._lock:
            kept = self._kept.get(id(calls))
            if kept is None or kept[0] is not calls:
                by_line: dict[int, list[int]] = {}
                for number, call in enumerate(calls):
                    first, _, last, _ = loc_parts(call.name_loc)
                    for spanned in range(first, last + 1):
                        by_line.setdefault(spanned, []).append(number)
                kept = self._kept[id(calls)] = (calls, by_line)  # holding ``calls`` keeps its id from being reused
                while len(self._kept) > _KEPT_FILES:
                    self._kept.popitem(last=False)
            self._kept.move_to_end(id(calls))
            return kept[1].get(line, [])


def _called_name_at(index: Index, calls: tuple[CallSite, ...], pos: Position) -> int | None:
    """The call whose called name spans ``pos`` (the innermost, when a callee without a name holds another call)."""
    found = None
    for number in index.extension(CallLines).on_line(calls, pos.line):
        call = calls[number]
        if Range.packed(call.name_loc).contains(pos) and (
            found is None or loc_parts(call.name_loc) >= loc_parts(calls[found].name_loc)
        ):
            found = number
    return found


def _targets(index: Index, module: str, number: int, where: Range) -> tuple[SymbolId, ...]:
    """The targets of the module's ``number``-th call site, which spans ``where``."""
    calls = index.module_calls(module)
    if calls is None:
        return ()
    if number < len(calls.ordered) and calls.ordered[number].range == where:  # resolved from these very facts
        edges: Iterable[CallEdge] = calls.ordered[number].edges
    else:  # the module changed in between: find the site by its range
        edges = (edge for edge in calls.all_edges() if edge.range == where)
    return tuple(dict.fromkeys(edge.callee for edge in edges))


def named_at(index: Index, path: Path, pos: Position) -> tuple[SymbolId, ...]:
    """The symbols the name at ``pos`` stands for: a called name's resolved targets, or the function or class whose
    ``def``/``class`` name it is; nothing elsewhere (what a hover is about)."""
    at = symbols_at(index, path, pos)
    if at.call is not None:
        return at.symbols
    return tuple(d.symbol for d in index.definitions(path) if d.kind != "module" and d.name_range.contains(pos))
