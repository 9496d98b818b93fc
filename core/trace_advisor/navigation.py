"""What a position in a file means to the call graph (an editor's call hierarchy asks this): on a called name, the
call's resolved targets; on a ``def``/``class`` name, that definition; elsewhere, the code's caller as the graph
names it: the innermost function around it, else the module body (class bodies run in the code around them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trace_advisor.facts.model import CallSite
from trace_advisor.model import MODULE_QUALNAME, Definition, Position, Range, SymbolId, make_symbol
from trace_advisor.stubs import Stubs

if TYPE_CHECKING:
    from trace_advisor.index import Index

_FUNCTIONS = ("function", "method")


@dataclass(frozen=True, slots=True)
class AtPosition:
    """``symbols``: the call's targets when ``call`` is set (the position is on its called name and it resolves),
    else the one symbol whose definition name or code the position is in; empty outside the workspace's files."""

    symbols: tuple[SymbolId, ...]
    call: CallSite | None = None


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
    call = _called_name_at(facts.calls, pos)
    if call is not None:
        targets = _targets(index, module, Range.of(*call.loc))
        if targets:
            return AtPosition(targets, call)
    definitions = index.definitions(path)
    for definition in definitions:
        if definition.kind != "module" and definition.name_range.contains(pos):
            return AtPosition((definition.symbol,))
    inner = None
    for definition in definitions:
        # decorators run in the code around the def: from its `def` line on, the position is in the function
        body = Range(Position(definition.name_range.start.line, 0), definition.range.end)
        if definition.kind in _FUNCTIONS and body.contains(pos):
            if inner is None or inner.range.contains(definition.range.start):
                inner = definition
    return AtPosition((inner.symbol if inner is not None else make_symbol(module, MODULE_QUALNAME),))


def _called_name_at(calls: tuple[CallSite, ...], pos: Position) -> CallSite | None:
    """The call whose called name spans ``pos`` (the innermost, when a callee without a name holds another call)."""
    found = None
    for call in calls:
        if call.loc[0] > pos.line:
            break  # calls are in source order
        if Range.of(*call.name_loc).contains(pos) and (found is None or call.name_loc >= found.name_loc):
            found = call
    return found


def _targets(index: Index, module: str, where: Range) -> tuple[SymbolId, ...]:
    calls = index.module_calls(module)
    if calls is None:
        return ()
    found = (edge.callee for edges in calls.edges.values() for edge in edges if edge.range == where)
    return tuple(dict.fromkeys(found))
